"""Builds a worker from settings: the queue on the platform's database, the media store and
the local FFmpeg transcoder."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.core.settings import Settings
from ott.core.storage import Storage
from ott.media.queue import JobQueue
from ott.media.transcoder import Transcoder
from ott.media.worker import Worker


def create_queue(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> JobQueue:
    return JobQueue(
        sessionmaker,
        lease_seconds=settings.transcode_lease_seconds,
        retry_seconds=settings.transcode_retry_seconds,
    )


def create_transcoder(settings: Settings) -> Transcoder:
    from ott.media.local import LocalTranscoder  # FFmpeg is only looked up by workers

    return LocalTranscoder(settings.transcode_preset)


def work_dir(settings: Settings) -> Path:
    """Scratch space of running jobs, beside the media folder so outputs can be hard-linked
    into local storage instead of copied."""
    return settings.data_dir / "transcode-work"


def create_worker(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: Storage,
    *,
    concurrency: int | None = None,
    transcoder: Transcoder | None = None,
    name: str | None = None,
) -> Worker:
    return Worker(
        queue=create_queue(settings, sessionmaker),
        storage=storage,
        transcoder=transcoder or create_transcoder(settings),
        work_dir=work_dir(settings),
        concurrency=concurrency or settings.worker_concurrency,
        poll_seconds=settings.transcode_poll_seconds,
        name=name,
    )
