"""A finished encoding announces `content.updated` for its title (an episode's: its series),
once its success has committed; failed jobs announce nothing, and a bus that cannot be
reached never fails the job."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import text
from structlog.testing import capture_logs

from ott.core.app_context import AppContext
from ott.core.event_types import ContentUpdated
from ott.core.events import EventBus
from ott.core.settings import Settings
from ott.core.storage import LocalStorage
from ott.media.jobs.factory import create_worker
from ott.media.jobs.worker import Outcome, Worker
from tests.conftest import free_port
from tests.media import sources
from tests.media.conftest import enqueue, job_row


def _worker(
    media_settings: Settings, media_resources: AppContext, storage: LocalStorage, bus: EventBus
) -> Worker:
    return create_worker(
        settings=media_settings,
        sessionmaker=media_resources.sessionmaker,
        storage=storage,
        events=bus,
    )


async def _announced(bus: EventBus, job_id: uuid.UUID) -> list[dict[str, Any]]:
    """The `content.updated` messages published for this job's success."""
    entries = await bus.redis.xrange(bus.stream_key(ContentUpdated.name))
    return [fields for _, fields in entries if fields["id"] == f"encoding-succeeded:{job_id}"]


async def _version(media_resources: AppContext, content_id: str) -> tuple[str, int]:
    async with media_resources.sessionmaker() as db:
        row = (
            await db.execute(
                text("SELECT workflow_state, version FROM content WHERE id = :id"),
                {"id": uuid.UUID(content_id)},
            )
        ).one()
    return str(row.workflow_state), int(row.version)


async def test_a_films_success_announces_its_title(
    media_settings: Settings,
    media_resources: AppContext,
    storage: LocalStorage,
    source: Path,
    title: dict[str, Any],
) -> None:
    bus = media_resources.events
    job_id = await enqueue(media_resources, storage, source, content_id=title["id"])
    assert await _announced(bus, job_id) == []
    worker = _worker(media_settings, media_resources, storage, bus)
    assert await worker.run_once() is Outcome.SUCCEEDED
    [fields] = await _announced(bus, job_id)
    payload = ContentUpdated.model_validate_json(fields["payload"])
    state, version = await _version(media_resources, title["id"])
    assert payload == ContentUpdated(
        content_id=uuid.UUID(title["id"]), workflow_state=state, version=version
    )
    assert (state, fields["type"]) == ("draft", "content.updated")


async def test_an_episodes_success_announces_its_series(
    media_settings: Settings,
    media_resources: AppContext,
    storage: LocalStorage,
    source: Path,
    series: dict[str, Any],
) -> None:
    bus = media_resources.events
    episode_id = series["seasons"][0]["episodes"][1]["id"]
    job_id = await enqueue(
        media_resources, storage, source, content_id=series["id"], episode_id=episode_id
    )
    assert await _worker(media_settings, media_resources, storage, bus).run_once() is (
        Outcome.SUCCEEDED
    )
    [fields] = await _announced(bus, job_id)
    payload = ContentUpdated.model_validate_json(fields["payload"])
    assert payload.content_id == uuid.UUID(series["id"])


async def test_a_failed_job_announces_nothing(
    media_settings: Settings,
    media_resources: AppContext,
    storage: LocalStorage,
    source_dir: Path,
    title: dict[str, Any],
) -> None:
    bus = media_resources.events
    bad = sources.make_text_as_mp4(source_dir)
    job_id = await enqueue(media_resources, storage, bad, content_id=title["id"])
    assert await _worker(media_settings, media_resources, storage, bus).run_once() is (
        Outcome.FAILED
    )
    assert await _announced(bus, job_id) == []


async def test_an_unreachable_bus_does_not_fail_the_job(
    media_settings: Settings,
    media_resources: AppContext,
    storage: LocalStorage,
    source: Path,
    title: dict[str, Any],
) -> None:
    # A real client of a port nothing listens on: every publish is refused.
    gone = Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.5)
    bus = EventBus(gone, media_resources.keys)
    job_id = await enqueue(media_resources, storage, source, content_id=title["id"])
    try:
        with capture_logs() as logs:
            outcome = await _worker(media_settings, media_resources, storage, bus).run_once()
    finally:
        await gone.aclose()
    assert outcome is Outcome.SUCCEEDED
    row = await job_row(media_resources, job_id)
    assert (row["status"], row["progress"]) == ("succeeded", 100)
    [warning] = [entry for entry in logs if "could not announce" in entry["event"]]
    assert (warning["log_level"], warning["encoding_id"]) == ("warning", str(job_id))
    assert await _announced(media_resources.events, job_id) == []


class _GatedStorage(LocalStorage):
    """The real local store, holding back the upload of one output file until `gate` opens."""

    def __init__(self, root: Path, held: str) -> None:
        super().__init__(root)
        self.held = held
        self.reached = asyncio.Event()
        self.gate = asyncio.Event()

    async def put_file(self, key: str, path: Path, content_type: str) -> str:
        if key.endswith(self.held):
            self.reached.set()
            await self.gate.wait()
        return await super().put_file(key, path, content_type)


async def test_a_success_recorded_while_a_heartbeat_waits_is_a_success(
    media_settings: Settings,
    media_resources: AppContext,
    storage: LocalStorage,
    source: Path,
    title: dict[str, Any],
) -> None:
    """The registration and a heartbeat both wait for the job's row; the registration gets
    it first and records the success, so the heartbeat finds the job no longer running. The
    attempt is still a success, announced (not a lost lease)."""
    bus = media_resources.events
    gated = _GatedStorage(storage.root, "/manifest.mpd")
    job_id = await enqueue(media_resources, storage, source, content_id=title["id"])
    worker = _worker(media_settings, media_resources, gated, bus)
    attempt = asyncio.create_task(worker.run_once())
    await asyncio.wait_for(gated.reached.wait(), 60)
    async with media_resources.sessionmaker() as db, db.begin():
        await db.execute(text("SELECT 1 FROM encodings WHERE id = :id FOR UPDATE"), {"id": job_id})
        gated.gate.set()  # the registration now queues for the row, then the next heartbeat
        await asyncio.sleep(worker.heartbeat_seconds * 2)
    assert await asyncio.wait_for(attempt, 60) is Outcome.SUCCEEDED
    assert (await job_row(media_resources, job_id))["status"] == "succeeded"
    assert len(await _announced(bus, job_id)) == 1
