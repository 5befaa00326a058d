"""A creative made the real way: a video upload, transcoded by a media worker into the ladder,
then served as one MediaFile per rung (a one-variant HLS playlist with the audio), whose
signed URL the media route answers."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from pathlib import Path

import httpx

from ott.core.app_context import AppContext
from ott.core.settings import Settings
from ott.core.storage import LocalStorage
from ott.media.jobs.factory import create_worker
from ott.media.models import UploadKind
from tests.ads.conftest import ADS, assert_valid_vast, campaign, players_read, watcher
from tests.catalog.conftest import Catalog
from tests.cms.conftest import User
from tests.conftest import settings_with
from tests.media import sources
from tests.media.conftest import add_upload, wait_for


async def test_an_uploaded_creative_is_transcoded_and_served_per_rung(
    aapi: httpx.AsyncClient,
    catalog: Catalog,
    admin: User,
    resources: AppContext,
    ads_settings: Settings,
    tmp_path: Path,
) -> None:
    source = sources.make_source(tmp_path, width=640, height=360, seconds=4)
    upload = await add_upload(resources, ads_settings, source, UploadKind.VIDEO, admin.id)
    created = await campaign(aapi, admin, targeting={"countries": [catalog.country]})
    response = await aapi.post(
        f"{ADS}/campaigns/{created['id']}/creatives",
        headers=admin.headers,
        json={"title": "Test pattern", "source_upload_id": str(upload.id)},
    )
    assert response.status_code == 201, response.text
    creative = response.json()
    assert creative["status"] == "processing"

    storage = LocalStorage(ads_settings.data_dir / "media")
    worker = create_worker(
        settings=settings_with(
            ads_settings, transcode_preset="ultrafast", transcode_poll_seconds=0.1
        ),
        sessionmaker=resources.sessionmaker,
        storage=storage,
        name=f"ads-test-{uuid.uuid4().hex[:6]}",
    )
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:

        async def ready() -> dict[str, object] | None:
            read = await aapi.get(f"{ADS}/creatives/{creative['id']}", headers=admin.headers)
            body = read.json()
            assert body["status"] != "failed", body
            return body if body["status"] == "ready" else None

        done = await wait_for(ready, within=120, interval=0.5)
    finally:
        stop.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(task, 30)
    assert [(m["width"], m["height"]) for m in done["media_files"]] == [(256, 144), (640, 360)]  # type: ignore[index]
    assert 3.5 <= float(done["duration_seconds"]) <= 4.5  # type: ignore[arg-type]

    content_id = await catalog.title("Film")
    who = await watcher(aapi, catalog)
    vmap = await aapi.get(
        f"{ADS}/vmap", headers=who.headers, params={"content_id": str(content_id)}
    )
    tag = players_read("vmap", vmap.content)["breaks"][0]["adTagURI"]
    vast = await aapi.get(tag)
    assert_valid_vast(vast.content)
    [ad] = players_read("vast", vast.content)["ads"]
    files = ad["creatives"][0]["mediaFiles"]
    assert [(m["width"], m["height"]) for m in files] == [(256, 144), (640, 360)]
    for media in files:
        playlist = await aapi.get(media["url"])
        assert playlist.status_code == 200, media["url"]
        text = playlist.text
        assert text.startswith("#EXTM3U")
        assert text.count("#EXT-X-STREAM-INF") == 1
        assert "TYPE=AUDIO" in text
        assert f"RESOLUTION={media['width']}x{media['height']}" in text
        # The rung's and the audio's playlists resolve under the same signed folder.
        for line in text.splitlines():
            if line and not line.startswith("#"):
                base = media["url"].rsplit("/", 1)[0]
                assert (await aapi.get(f"{base}/{line}")).status_code == 200
