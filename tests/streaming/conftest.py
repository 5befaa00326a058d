"""Streaming test helpers: a gateway on settings of the suite's own (short caches, a low height
cap for free viewers, premium allowed two streams), titles made as the CMS publishes them
(tests.catalog's `Catalog`, one country per test), viewers with a selected profile, and real
video: one source transcoded once per run by the local transcoder, whose files are stored for
each title the way the pipeline stores them (registration.upload, result_document) with a
succeeded encoding row.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from ott.core.app_context import AppContext
from ott.core.settings import Settings
from ott.core.storage import LocalStorage
from ott.media.encoding.local import LocalTranscoder
from ott.media.encoding.transcoder import TrackInput, TranscodeRequest, TranscodeResult
from ott.media.jobs.registration import output_files, result_document, upload
from ott.media.models import Encoding, EncodingStatus
from ott.subscriptions.plans import DEFAULT_PLANS, PlanCatalogue
from tests.catalog.conftest import COUNTRIES, Catalog, viewer
from tests.conftest import bearer, settings_with, start_gateway
from tests.media import sources

FREE_MAX_HEIGHT = 200  # free viewers get the 144p rung of the 360p test video, premium both
START = "/api/stream/playback/start"
POSITION = "/api/stream/playback/position"
COMPLETE = "/api/stream/playback/complete"
EVENTS = "/api/stream/playback/events"
SESSIONS = "/api/stream/sessions"


def _plans_file(folder: Path) -> Path:
    """The built-in plans with the suite's stream rules: free plays up to FREE_MAX_HEIGHT on
    one stream, premium every rung on two."""
    plans = []
    for plan in DEFAULT_PLANS.plans:
        features = plan.features.model_copy(
            update={"max_height": FREE_MAX_HEIGHT, "max_streams": 1}
            if plan.free
            else {"max_height": None, "max_streams": 2}
        )
        plans.append(plan.model_copy(update={"features": features}))
    path = folder / "streaming-plans.json"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(PlanCatalogue(plans=plans).model_dump_json())
    return path


def streaming_settings(settings: Settings, **changes: Any) -> Settings:
    return settings_with(
        settings,
        redis_key_prefix=f"{settings.redis_key_prefix}stream:",
        catalog_cache_seconds=0.0,  # entitlements re-checked on every update
        run_worker_in_process=False,
        plans_file=_plans_file(settings.data_dir),
        subscription_job_interval_seconds=0.5,  # a lapsed subscription is held within a second
        # What the access token's tier gives while the subscription service cannot answer.
        stream_max_height_free=FREE_MAX_HEIGHT,
        stream_limit_free=1,
        stream_limit_premium=2,
        activity_min_resume_seconds=0.0,  # the test video is seconds long
        **changes,
    )


@pytest.fixture(scope="package")
def stream_settings(settings: Settings) -> Settings:
    return streaming_settings(settings)


@pytest.fixture(scope="package")
async def sapi(stream_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    client, lifespan = await start_gateway(stream_settings)
    yield client
    await client.aclose()
    await lifespan.__aexit__(None, None, None)


@pytest.fixture(scope="package")
async def resources(stream_settings: Settings) -> AsyncIterator[AppContext]:
    opened = AppContext.open(stream_settings)
    yield opened
    await opened.close()


@pytest.fixture
def country() -> str:
    return next(COUNTRIES)


@pytest.fixture
def catalog(resources: AppContext, country: str) -> Catalog:
    return Catalog(resources, country)


@dataclass(frozen=True)
class Encoded:
    """One real transcode: its output folder and what the transcoder answered."""

    folder: Path
    result: TranscodeResult


@pytest.fixture(scope="session")
async def encoded(tmp_path_factory: pytest.TempPathFactory) -> Encoded:
    """A 4 s 640x360 video (144p and 360p rungs) with a second audio language (Hindi) and
    English subtitles, transcoded once."""
    work = tmp_path_factory.mktemp("stream-sources")
    source = sources.make_source(work, width=640, height=360, seconds=4)
    out = tmp_path_factory.mktemp("stream-encoded")
    request = TranscodeRequest(
        source,
        audio=(TrackInput(sources.make_audio(work), "hi", "हिन्दी"),),
        subtitles=(TrackInput(sources.make_srt(work), "en", "English"),),
    )
    result = await LocalTranscoder(preset="ultrafast").transcode(request, out)
    return Encoded(out, result)


@dataclass(frozen=True)
class Video:
    encoding_id: uuid.UUID
    owner_id: uuid.UUID
    folder: str  # videos/<owner>/<encoding>
    result: dict[str, Any]


class Videos:
    """Gives titles and episodes a video, as a finished encoding leaves it."""

    def __init__(self, resources: AppContext, settings: Settings, encoded: Encoded) -> None:
        self.resources = resources
        self.storage = LocalStorage(settings.data_dir / "media")
        self.encoded = encoded

    async def add(self, content_id: uuid.UUID, episode_id: uuid.UUID | None = None) -> Video:
        owner = episode_id or content_id
        encoding_id = uuid.uuid4()
        folder = f"videos/{owner}/{encoding_id}"
        files = output_files(self.encoded.result, self.encoded.folder)
        urls = await upload(
            storage=self.storage,
            out_dir=self.encoded.folder,
            files=files,
            prefix=folder,
            uploaded=[],
        )
        document = result_document(self.encoded.result, urls)
        async with self.resources.sessionmaker() as db, db.begin():
            db.add(
                Encoding(
                    id=encoding_id,
                    content_id=content_id,
                    episode_id=episode_id,
                    status=EncodingStatus.SUCCEEDED,
                    progress=100,
                    source_key=f"sources/{encoding_id}/source.mp4",
                    result=document,
                    finished_at=datetime.now(UTC),
                )
            )
        return Video(encoding_id, owner, folder, document)

    def remove_files(self, video: Video) -> None:
        shutil.rmtree(self.storage.root / video.folder, ignore_errors=True)


@pytest.fixture
def videos(resources: AppContext, stream_settings: Settings, encoded: Encoded) -> Videos:
    return Videos(resources, stream_settings, encoded)


@dataclass
class Watcher:
    """A viewer's tokens (watching as a selected profile) and the headers to send them."""

    tokens: dict[str, Any]
    country: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Viewer-Country": self.country} | bearer(self.tokens)

    @property
    def user_id(self) -> str:
        return str(self.tokens["user"]["id"])


async def watcher(
    client: httpx.AsyncClient,
    catalog: Catalog,
    *,
    premium: bool = False,
    rating: str = "PG-13",
) -> Watcher:
    tokens = await viewer(client, premium=premium, rating=rating)
    return Watcher(tokens, catalog.country)


async def other_profile(client: httpx.AsyncClient, who: Watcher) -> Watcher:
    """Another profile of the same account, selected."""
    created = await client.post(
        "/api/auth/profiles",
        headers=who.headers,
        json={"name": f"Other {uuid.uuid4().hex[:6]}", "maturity_rating": "PG-13"},
    )
    assert created.status_code == 201, created.text
    selected = await client.post(
        f"/api/auth/profiles/{created.json()['id']}/select", headers=who.headers
    )
    assert selected.status_code == 200, selected.text
    return Watcher(selected.json(), who.country)


def device(name: str = "web-1", kind: str = "web") -> dict[str, str]:
    return {"id": name, "type": kind, "name": f"Test {name}"}


async def start(
    client: httpx.AsyncClient,
    who: Watcher,
    content_id: uuid.UUID | str,
    *,
    episode_id: uuid.UUID | str | None = None,
    format: str = "hls",
    on: str = "web-1",
) -> httpx.Response:
    body: dict[str, Any] = {"content_id": str(content_id), "format": format, "device": device(on)}
    if episode_id is not None:
        body["episode_id"] = str(episode_id)
    return await client.post(START, headers=who.headers, json=body)


async def started(
    client: httpx.AsyncClient, who: Watcher, content_id: uuid.UUID | str, **kwargs: Any
) -> dict[str, Any]:
    response = await start(client, who, content_id, **kwargs)
    assert response.status_code == 201, response.text
    return response.json()


async def report(
    client: httpx.AsyncClient, who: Watcher, session_id: str, position: float, sequence: int
) -> httpx.Response:
    return await client.put(
        POSITION,
        headers=who.headers,
        json={"session_id": session_id, "position_seconds": position, "sequence": sequence},
    )


async def stream_events(resources: AppContext, name: str, session_id: str) -> list[dict[str, Any]]:
    """The payloads of the `name` events (e.g. "playback.position") of one session."""
    entries = await resources.redis.xrange(resources.events.stream_key(name))
    payloads = [json.loads(fields["payload"]) for _, fields in entries]
    return [p for p in payloads if p.get("session_id") == session_id]
