"""One writer at a time per upload: a transaction-scoped advisory lock, held on its own
connection for the length of a PATCH (or a deletion); a second writer gets 423 at once."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.media.uploads.errors import UploadLocked

_LOCK_SPACE = 0x74757300  # "tus\0": the advisory-lock namespace of uploads


def _lock_key(upload_id: uuid.UUID) -> int:
    return int.from_bytes(upload_id.bytes[:4], "big", signed=True)


@asynccontextmanager
async def upload_lock(
    sessionmaker: async_sessionmaker[AsyncSession], upload_id: uuid.UUID
) -> AsyncIterator[None]:
    """Hold the upload's lock for the block, or raise UploadLocked at once. The lock lives in a
    transaction of its own (no rows touched), so it goes away with the connection if this
    process dies, and progress can be committed by other sessions meanwhile."""
    async with sessionmaker() as db, db.begin():
        locked = await db.scalar(
            select(func.pg_try_advisory_xact_lock(_LOCK_SPACE, _lock_key(upload_id)))
        )
        if not locked:
            raise UploadLocked(
                "Another request is writing to this upload; try again when it ends",
                headers={"Retry-After": "1"},
            )
        yield
