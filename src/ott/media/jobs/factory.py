"""Builds a worker from settings: the queue on the platform's database, the media store and
the local FFmpeg transcoder. The only place the pipeline reads its settings; everything below
is handed what it needs."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.core.events import EventBus
from ott.core.settings import Settings
from ott.core.storage import Storage
from ott.media.encoding.ffmpeg import resolve_ffmpeg
from ott.media.encoding.transcoder import Transcoder
from ott.media.jobs.queue import JobQueue
from ott.media.jobs.worker import Worker


def create_queue(*, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> JobQueue:
    return JobQueue(
        sessionmaker,
        lease_seconds=settings.transcode_lease_seconds,
        retry_seconds=settings.transcode_retry_seconds,
    )


def create_transcoder(*, settings: Settings, preset: str | None = None) -> Transcoder:
    """The local FFmpeg transcoder with FFMPEG_BINARY and TRANSCODE_PRESET (or `preset`)."""
    from ott.media.encoding.local import LocalTranscoder  # PyAV is loaded by workers only

    return LocalTranscoder(
        preset=preset or settings.transcode_preset, ffmpeg=resolve_ffmpeg(settings.ffmpeg_binary)
    )


def work_dir(settings: Settings) -> Path:
    """Scratch space of running jobs, beside the media folder so outputs can be hard-linked
    into local storage instead of copied."""
    return settings.data_dir / "transcode-work"


def create_worker(
    *,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: Storage,
    concurrency: int | None = None,
    transcoder: Transcoder | None = None,
    name: str | None = None,
    events: EventBus | None = None,
) -> Worker:
    """A worker; with `events`, it announces each title whose video changed."""
    return Worker(
        queue=create_queue(settings=settings, sessionmaker=sessionmaker),
        storage=storage,
        transcoder=transcoder or create_transcoder(settings=settings),
        work_dir=work_dir(settings),
        concurrency=concurrency or settings.worker_concurrency,
        poll_seconds=settings.transcode_poll_seconds,
        name=name,
        events=events,
    )
