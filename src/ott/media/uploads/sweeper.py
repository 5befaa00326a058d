"""Deletes unfinished uploads once they expire (tus expiration): their files and their rows.

An upload someone is still writing to is skipped (its lock is taken) and swept next time.
A finished upload never expires here: it is the input of encodings.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import structlog
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.core.background import running_in_background
from ott.media.models import Upload
from ott.media.uploads.errors import UploadLocked
from ott.media.uploads.locks import upload_lock

log = structlog.get_logger(__name__)

SWEEP_BATCH = 500
SWEEP_INTERVAL_SECONDS = 600.0


async def sweep_expired_uploads(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    data_dir: Path,
    now: datetime | None = None,
    batch: int = SWEEP_BATCH,
) -> int:
    """Delete up to `batch` expired, unfinished uploads; return how many were deleted."""
    moment = now or datetime.now(UTC)
    async with sessionmaker() as db:
        expired = (
            await db.scalars(
                select(Upload.id)
                .where(Upload.completed_at.is_(None), Upload.expires_at <= moment)
                .order_by(Upload.expires_at)
                .limit(batch)
            )
        ).all()
    deleted = 0
    for upload_id in expired:
        try:
            async with upload_lock(sessionmaker, upload_id), sessionmaker() as db, db.begin():
                path = await db.scalar(
                    delete(Upload)
                    .where(
                        Upload.id == upload_id,
                        Upload.completed_at.is_(None),
                        Upload.expires_at <= moment,
                    )
                    .returning(Upload.path)
                )
        except UploadLocked:
            continue  # being written to right now
        if path is not None:
            # After the commit: a crash in between leaves a stray file, never a row without one.
            (data_dir / path).unlink(missing_ok=True)
            deleted += 1
    if deleted:
        log.info("expired uploads deleted", count=deleted)
    return deleted


@asynccontextmanager
async def sweeping(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    data_dir: Path,
    interval_seconds: float = SWEEP_INTERVAL_SECONDS,
) -> AsyncIterator[None]:
    """Sweep expired uploads every `interval_seconds` while the block runs."""
    if interval_seconds <= 0:
        raise ValueError("the sweep interval must be positive")

    async def loop(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await sweep_expired_uploads(sessionmaker=sessionmaker, data_dir=data_dir)
            except (SQLAlchemyError, OSError) as exc:
                log.warning("upload sweep: store error, retrying", error=repr(exc))
            except Exception:
                log.exception("upload sweep failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_seconds)

    async with running_in_background("upload-sweeper", loop):
        yield
