"""`ott worker`: transcoding workers in a process of their own, on this machine or another.

A worker needs only the database (DATABASE_URL) and the media store's settings. SIGTERM or
SIGINT stops it cleanly: running jobs are stopped (their FFmpeg killed) and handed back to
the queue for another worker.
"""

from __future__ import annotations

import asyncio
import signal

import structlog
from prometheus_client import start_http_server

from ott.core.database import create_engine, create_sessionmaker
from ott.core.settings import Settings
from ott.core.storage import create_storage
from ott.media.jobs.factory import create_worker

log = structlog.get_logger(__name__)


async def run_workers(
    settings: Settings, *, concurrency: int | None = None, metrics_port: int | None = None
) -> None:
    if metrics_port:
        start_http_server(metrics_port, addr=settings.service_host)
    engine = create_engine(settings)
    storage = create_storage(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        worker = create_worker(
            settings=settings,
            sessionmaker=create_sessionmaker(engine),
            storage=storage,
            concurrency=concurrency,
        )
        await worker.run(stop)
    finally:
        close = getattr(storage, "aclose", None)
        if close is not None:
            await close()
        await engine.dispose()
