"""The worker that runs inside the CMS app (so `ott serve` transcodes with nothing else
started); RUN_WORKER_IN_PROCESS=false turns it off where `ott worker` processes do the work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI

from ott.core.app_factory import LifespanHook
from ott.core.background import running_in_background
from ott.core.settings import Settings
from ott.core.storage import create_storage
from ott.media.factory import create_worker

log = structlog.get_logger(__name__)

_STOP_TIMEOUT_S = 15.0


def worker_hook(settings: Settings) -> LifespanHook:
    @asynccontextmanager
    async def run_worker(app: FastAPI) -> AsyncIterator[None]:
        if not settings.run_worker_in_process:
            yield
            return
        if not hasattr(app.state, "storage"):
            app.state.storage = create_storage(settings)
        try:
            worker = create_worker(
                settings, app.state.resources.sessionmaker, app.state.storage, concurrency=1
            )
        except Exception:
            # The CMS still serves; jobs wait in the queue for an `ott worker`.
            log.exception("cannot start the in-process transcoding worker")
            yield
            return
        app.state.transcode_worker = worker
        async with running_in_background(
            "transcode-worker", worker.run, stop_timeout=_STOP_TIMEOUT_S
        ):
            yield

    return run_worker
