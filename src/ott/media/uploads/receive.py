"""Receiving one PATCH (or creation-with-upload) body into an upload's file.

The body is streamed to disk in batches and never held in memory. What arrived before a
dropped connection is kept (unless the chunk carried a checksum, which only a whole chunk
can satisfy), so the client resumes from HEAD's offset.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from starlette.requests import ClientDisconnect

from ott.core.errors import PayloadTooLarge
from ott.media.uploads.errors import ChecksumMismatch
from ott.media.uploads.headers import CHECKSUM_ALGORITHMS
from ott.media.uploads.store import open_for_append, sync, truncate

_WRITE_BATCH = 1024 * 1024  # bytes gathered before one write to disk
_CHECKPOINT = 32 * 1024 * 1024  # an unchecksummed body records its progress this often


def too_large(room: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        "The body goes past the upload's length",
        code="exceeds_upload_length",
        details={"room": room},
    )


@dataclass
class Chunk:
    """One body being appended to the file at `path` from `offset`."""

    path: Path
    offset: int
    room: int  # bytes the upload may still take
    checksum: tuple[str, bytes] | None
    record: Callable[[int], Awaitable[None]]  # commits a new received_bytes
    committed: int = 0  # absolute offset recorded in the row

    async def receive(self, body: AsyncIterator[bytes]) -> int:
        """Append the body; return the new offset (what arrived, if the client went away).
        On a checksum mismatch or an oversize body nothing is kept and the error raised."""
        self.committed = self.offset
        digest = CHECKSUM_ALGORITHMS[self.checksum[0]]() if self.checksum else None
        handle = await asyncio.to_thread(open_for_append, self.path, self.offset)
        written, pending, complete = 0, bytearray(), True
        try:
            try:
                async for data in body:
                    if written + len(pending) + len(data) > self.room:
                        raise too_large(self.room)
                    if digest is not None:
                        digest.update(data)
                    pending += data
                    if len(pending) >= _WRITE_BATCH:
                        written += await self._write(handle, pending)
                        if digest is None and self.offset + written - self.committed >= _CHECKPOINT:
                            await self._commit(handle, self.offset + written)
            except ClientDisconnect:
                complete = False
            written += await self._write(handle, pending)
            await asyncio.to_thread(sync, handle)
        except BaseException:
            await asyncio.to_thread(handle.close)
            await asyncio.to_thread(truncate, self.path, self.committed)
            raise
        await asyncio.to_thread(handle.close)
        if digest is not None and self.checksum is not None:
            algorithm, expected = self.checksum
            if not complete or digest.digest() != expected:
                await asyncio.to_thread(truncate, self.path, self.offset)
                if complete:
                    raise ChecksumMismatch(f"The body does not match its {algorithm} checksum")
                return self.offset  # a partial chunk cannot be verified: drop it
        return self.offset + written

    async def _write(self, handle: BinaryIO, pending: bytearray) -> int:
        if not pending:
            return 0
        size = await asyncio.to_thread(handle.write, pending)
        pending.clear()
        return size or 0

    async def _commit(self, handle: BinaryIO, offset: int) -> None:
        await asyncio.to_thread(sync, handle)
        await self.record(offset)
        self.committed = offset
