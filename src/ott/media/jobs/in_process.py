"""The worker that runs inside the media service (so `ott serve` transcodes with nothing else
started); RUN_WORKER_IN_PROCESS=false turns it off where `ott worker` processes do the work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.core.background import running_in_background
from ott.core.events import EventBus
from ott.core.settings import Settings
from ott.core.storage import Storage
from ott.media.jobs.factory import create_worker

log = structlog.get_logger(__name__)

_STOP_TIMEOUT_S = 15.0


@asynccontextmanager
async def in_process_worker(
    *,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: Storage,
    events: EventBus,
) -> AsyncIterator[None]:
    """One transcoding worker running while the block runs (if the settings want one),
    announcing finished videos on `events`."""
    if not settings.run_worker_in_process:
        yield
        return
    try:
        worker = create_worker(
            settings=settings,
            sessionmaker=sessionmaker,
            storage=storage,
            concurrency=1,
            events=events,
        )
    except Exception:
        # The service still serves; jobs wait in the queue for an `ott worker`.
        log.exception("cannot start the in-process transcoding worker")
        yield
        return
    async with running_in_background("transcode-worker", worker.run, stop_timeout=_STOP_TIMEOUT_S):
        yield
