"""Previews: GET /api/cms/encodings/{id} of a finished encoding signs its files for whoever
edits or reviews its title (an admin, the editor who created it, a reviewer), so their browser
can play a video that is not published; nobody else gets the URLs."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import m3u8
import pytest

from ott.core.app_context import AppContext
from ott.core.identity import Role
from ott.core.settings import Settings
from ott.media.jobs.worker import Outcome, Worker
from ott.media.models import UploadKind
from tests.cms.conftest import User, act, create, make_user, movie
from tests.conftest import assert_error
from tests.media import sources
from tests.media.conftest import add_upload

CMS = "/api/cms"


@pytest.fixture
async def video_and_subtitle(
    media_resources: AppContext,
    media_settings: Settings,
    editor: User,
    source: Path,
    source_dir: Path,
) -> dict[str, str]:
    video = await add_upload(media_resources, media_settings, source, UploadKind.VIDEO, editor.id)
    srt = await add_upload(
        media_resources,
        media_settings,
        sources.make_srt(source_dir),
        UploadKind.SUBTITLE,
        editor.id,
    )
    return {"video": str(video.id), "subtitle": str(srt.id)}


async def _queue(
    api: httpx.AsyncClient,
    user: User,
    content_id: str,
    uploads: dict[str, str],
    **extra: Any,
) -> dict[str, Any]:
    body = {
        "source_upload_id": uploads["video"],
        "subtitles": [{"upload_id": uploads["subtitle"], "language": "en", "label": "English"}],
        **extra,
    }
    response = await api.post(
        f"{CMS}/content/{content_id}/encodings", json=body, headers=user.headers
    )
    assert response.status_code == 202, response.text
    return response.json()


async def _encoding(api: httpx.AsyncClient, user: User, encoding_id: str) -> dict[str, Any]:
    response = await api.get(f"{CMS}/encodings/{encoding_id}", headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_titles_editor_and_admins_get_signed_urls_that_play(
    api: httpx.AsyncClient,
    editor: User,
    title: dict[str, Any],
    video_and_subtitle: dict[str, str],
    make_worker: Callable[..., Worker],
    media_resources: AppContext,
    settings: Settings,
) -> None:
    created = await _queue(api, editor, title["id"], video_and_subtitle)
    assert created["preview"] is None
    assert (await _encoding(api, editor, created["id"]))["preview"] is None  # queued: nothing yet
    assert await make_worker().run_once() is Outcome.SUCCEEDED

    done = await _encoding(api, editor, created["id"])
    result, preview = done["result"], done["preview"]
    assert preview is not None
    folder = f"videos/{title['id']}/{created['id']}/"
    assert preview["master_playlist_url"].startswith("/media/s/")
    assert preview["master_playlist_url"].endswith(folder + "master.m3u8")
    expires = datetime.fromisoformat(preview["expires_at"]).timestamp()
    assert abs(expires - (time.time() + settings.stream_token_seconds)) < 30

    # Unsigned the playlist is refused; signed it plays, and so does everything it names.
    assert_error(await api.get(result["master_playlist_url"]), 403, "signed_url_required")
    master = await api.get(preview["master_playlist_url"])
    assert master.status_code == 200, master.text
    playlist = m3u8.loads(master.text, uri=preview["master_playlist_url"])
    assert playlist.playlists
    variant = await api.get(playlist.playlists[0].absolute_uri)
    assert variant.status_code == 200
    media = m3u8.loads(variant.text, uri=playlist.playlists[0].absolute_uri)
    segment = await api.get(media.segments[0].absolute_uri)
    assert segment.status_code == 200
    assert segment.content

    dash = await api.get(preview["dash_manifest_url"])
    assert dash.status_code == 200
    assert "<MPD" in dash.text
    [subtitle] = preview["subtitles"]
    assert (subtitle["language"], subtitle["label"]) == ("en", "English")
    vtt = await api.get(subtitle["url"])
    assert vtt.status_code == 200
    assert vtt.text.startswith("WEBVTT")
    if preview["poster_url"]:
        assert (await api.get(preview["poster_url"])).status_code == 200
    if preview["thumbnails_url"]:
        assert (await api.get(preview["thumbnails_url"])).status_code == 200

    # The title under review: its editor may no longer edit it now, yet still watches it.
    assert (await act(api, editor, title["id"], "submit-review")).status_code == 200
    assert (await _encoding(api, editor, created["id"]))["preview"] is not None

    admin = await make_user(api, media_resources, Role.ADMIN, tag="preview-admin")
    signed = (await _encoding(api, admin, created["id"]))["preview"]
    assert signed is not None
    assert (await api.get(signed["master_playlist_url"])).status_code == 200

    # A reviewer (who approves every editor's titles) watches it too.
    reviewer = await make_user(api, media_resources, Role.REVIEWER, tag="preview-reviewer")
    reviewed = (await _encoding(api, reviewer, created["id"]))["preview"]
    assert reviewed is not None
    assert (await api.get(reviewed["master_playlist_url"])).status_code == 200
    listed = await api.get(f"{CMS}/content/{title['id']}/encodings", headers=reviewer.headers)
    assert listed.status_code == 200, listed.text
    assert [e["id"] for e in listed.json()["items"]] == [created["id"]]
    # ...but manages nothing.
    retried = await api.post(f"{CMS}/encodings/{created['id']}/retry", headers=reviewer.headers)
    assert_error(retried, 403, "forbidden")

    # A viewer may not read encodings at all.
    viewer = await make_user(api, media_resources, Role.VIEWER, tag="preview-viewer")
    refused = await api.get(f"{CMS}/encodings/{created['id']}", headers=viewer.headers)
    assert_error(refused, 403, "forbidden")

    # Another editor reads the encoding (the API lets every editor) but gets no URLs.
    other = await make_user(api, media_resources, Role.EDITOR, tag="preview-other")
    seen = await _encoding(api, other, created["id"])
    assert seen["status"] == "succeeded"
    assert seen["result"] is not None
    assert seen["preview"] is None


async def test_a_preview_is_scoped_to_its_own_encoding(
    api: httpx.AsyncClient,
    editor: User,
    video_and_subtitle: dict[str, str],
    make_worker: Callable[..., Worker],
) -> None:
    first = await create(api, editor, movie())
    second = await create(api, editor, movie())
    a = await _queue(api, editor, first["id"], video_and_subtitle)
    b = await _queue(api, editor, second["id"], video_and_subtitle)
    worker = make_worker()
    assert await worker.run_once() is Outcome.SUCCEEDED
    assert await worker.run_once() is Outcome.SUCCEEDED
    preview_a = (await _encoding(api, editor, a["id"]))["preview"]
    preview_b = (await _encoding(api, editor, b["id"]))["preview"]
    # A's token on B's folder is refused.
    token_a = preview_a["master_playlist_url"].split(f"/videos/{first['id']}/")[0]
    forged = f"{token_a}/videos/{second['id']}/{b['id']}/master.m3u8"
    assert_error(await api.get(forged), 403, "invalid_media_token")
    assert (await api.get(preview_b["master_playlist_url"])).status_code == 200


async def test_an_episode_is_previewed_from_its_own_folder(
    api: httpx.AsyncClient,
    editor: User,
    series: dict[str, Any],
    video_and_subtitle: dict[str, str],
    make_worker: Callable[..., Worker],
) -> None:
    episode_id = series["seasons"][0]["episodes"][0]["id"]
    created = await _queue(api, editor, series["id"], video_and_subtitle, episode_id=episode_id)
    assert await make_worker().run_once() is Outcome.SUCCEEDED
    preview = (await _encoding(api, editor, created["id"]))["preview"]
    assert f"/videos/{episode_id}/{created['id']}/master.m3u8" in preview["master_playlist_url"]
    assert (await api.get(preview["master_playlist_url"])).status_code == 200
