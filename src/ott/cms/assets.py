"""Uploading a poster or thumbnail: the edit checked first, the image decoded and resized
(ott.cms.images) off the event loop by the app's `ImageDecoder`, the files stored, then the
title's poster_url or thumbnail_url set in a new version.

Files are stored as `<kind>s/<content id>/<sha-256 of the upload, 16 hex>-<W>x<H>.jpg`, so a
new image gets new URLs (no stale CDN caches) and an old version's URLs keep working. The
title's field is set to the largest size; the others follow the pattern.
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.ext.asyncio import AsyncSession

from ott.cms import images, service
from ott.cms.images import SPECS, AssetKind, Size, size_label
from ott.cms.service import Outcome
from ott.core.identity import Identity
from ott.core.storage import Storage


class ImageDecoder:
    """Decodes images off the event loop, at most `concurrency` at once, always on the same
    `concurrency` threads (the pool's queue is the semaphore; requests beyond it wait).

    The threads are the app's own, not asyncio's default pool, because of what the C
    allocator does: glibc keeps the memory a thread freed in that thread's arena for its next
    allocations, so every thread that ever decoded a large image keeps its size resident.
    Through the default pool (up to 32 threads) that grew without bound; here it is at most
    `concurrency` x the largest decode (~160 MB for 40 MP)."""

    def __init__(self, concurrency: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="cms-image")

    async def render(self, data: bytes, kind: AssetKind, *, max_bytes: int) -> dict[Size, bytes]:
        work = functools.partial(images.render, data, kind, max_bytes=max_bytes)
        return await asyncio.get_running_loop().run_in_executor(self._pool, work)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def storage_key(*, kind: AssetKind, content_id: uuid.UUID, digest: str, size: Size) -> str:
    return f"{kind.value}s/{content_id}/{digest}-{size_label(size)}.jpg"


async def upload(
    *,
    db: AsyncSession,
    storage: Storage,
    identity: Identity,
    content_id: uuid.UUID,
    kind: AssetKind,
    data: bytes,
    expected_version: int | None,
    max_bytes: int,
    decoder: ImageDecoder,
) -> tuple[dict[str, str], Outcome]:
    """The stored image's URLs by size, and the edit that set the title's field."""
    images.check_size(len(data), max_bytes=max_bytes)
    # Refuse early what the edit would refuse anyway, before decoding and storing anything.
    await service.check_can_edit(
        db=db, identity=identity, content_id=content_id, expected_version=expected_version
    )
    rendered = await decoder.render(data, kind, max_bytes=max_bytes)
    digest = images.digest_of(data)
    # Files are named by their content, so storing them again is harmless, and files of an
    # edit that fails after this point (a concurrent edit) are unused rather than wrong.
    urls: dict[str, str] = {}
    for size, image in rendered.items():
        key = storage_key(kind=kind, content_id=content_id, digest=digest, size=size)
        urls[size_label(size)] = await storage.put(key, image, "image/jpeg")
    spec = SPECS[kind]
    outcome = await service.set_fields(
        db=db,
        identity=identity,
        content_id=content_id,
        changes={spec.field: urls[size_label(spec.sizes[0])]},
        expected_version=expected_version,
        action=f"{kind.value}_upload",
        note=f"new {kind.value}",
    )
    return urls, outcome
