"""The rules of resumable uploads (tus 1.0.0: core, creation, creation-with-upload, checksum,
expiration, termination), behind the HTTP routes in media/router.py.

An editor creates an upload with its length and metadata, then appends to it at the offset
HEAD reports, one writer at a time (locks.py); the last byte in, the whole file's sha256 is
recorded and the upload is complete. Only its creator reaches an upload: anyone else's, or an
unknown id, is 404. The encoding pipeline takes finished uploads with `completed_upload`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.core.errors import Conflict, NotFound, PayloadTooLarge
from ott.core.identity import Identity
from ott.core.settings import Settings
from ott.media.models import Upload, UploadKind
from ott.media.uploads.errors import UploadExpired
from ott.media.uploads.headers import UploadSpec
from ott.media.uploads.locks import upload_lock
from ott.media.uploads.receive import Chunk, too_large
from ott.media.uploads.store import create_empty, relative_path, sha256_of, upload_file_path

Sessionmaker = async_sessionmaker[AsyncSession]


async def create_upload(
    *,
    sessionmaker: Sessionmaker,
    settings: Settings,
    identity: Identity,
    length: int,
    spec: UploadSpec,
) -> Upload:
    """A new, empty upload of `length` bytes (its file exists, empty)."""
    if length > settings.max_upload_bytes:
        raise PayloadTooLarge(
            f"An upload may be at most {settings.max_upload_bytes} bytes",
            details={"max_bytes": settings.max_upload_bytes},
        )
    upload_id = uuid.uuid4()
    upload = Upload(
        id=upload_id,
        kind=spec.kind,
        length=length,
        received_bytes=0,
        filename=spec.filename,
        upload_metadata=spec.extra,
        path=relative_path(upload_id),
        created_by=identity.user_id,
        expires_at=datetime.now(UTC) + timedelta(hours=settings.upload_expiry_hours),
    )
    async with sessionmaker() as db, db.begin():
        db.add(upload)
    await asyncio.to_thread(create_empty, upload_file_path(settings.data_dir, upload))
    return upload


async def load_upload(
    *, sessionmaker: Sessionmaker, upload_id: str | uuid.UUID, identity: Identity
) -> Upload:
    """The caller's upload; an unknown id and another user's upload look the same (404)."""
    try:
        key = upload_id if isinstance(upload_id, uuid.UUID) else uuid.UUID(upload_id)
    except ValueError:
        raise NotFound("No such upload") from None
    async with sessionmaker() as db:
        upload = await db.get(Upload, key)
    if upload is None or upload.created_by != identity.user_id:
        raise NotFound("No such upload")
    if upload.completed_at is None and upload.expires_at <= datetime.now(UTC):
        raise UploadExpired("This upload expired before it was finished; start a new one")
    return upload


async def append(
    *,
    sessionmaker: Sessionmaker,
    data_dir: Path,
    upload_id: uuid.UUID,
    identity: Identity,
    offset: int,
    checksum: tuple[str, bytes] | None,
    declared_length: int | None,
    body: AsyncIterator[bytes],
) -> Upload:
    """Append `body` at `offset` under the upload's lock; finish the upload when the last
    byte is in. Returns the upload as it is now."""
    async with upload_lock(sessionmaker, upload_id):
        upload = await load_upload(  # as of now, locked
            sessionmaker=sessionmaker, upload_id=upload_id, identity=identity
        )
        if offset != upload.received_bytes:
            raise Conflict(
                "Upload-Offset does not match the upload's offset",
                code="offset_mismatch",
                details={"expected": upload.received_bytes, "given": offset},
            )
        room = upload.length - offset
        if declared_length is not None and declared_length > room:
            raise too_large(room)

        async def record(received: int) -> None:
            await _set_progress(sessionmaker, upload_id, received)

        path = upload_file_path(data_dir, upload)
        chunk = Chunk(path, offset, room, checksum, record)
        received = await chunk.receive(body)
        if received != chunk.committed:
            await record(received)
        if received == upload.length:
            await _finish(sessionmaker, upload_id, await asyncio.to_thread(sha256_of, path))
        return await load_upload(sessionmaker=sessionmaker, upload_id=upload_id, identity=identity)


async def terminate(
    *, sessionmaker: Sessionmaker, data_dir: Path, upload_id: str, identity: Identity
) -> None:
    """Delete the caller's upload, its row and its file (tus termination)."""
    upload = await load_upload(sessionmaker=sessionmaker, upload_id=upload_id, identity=identity)
    async with upload_lock(sessionmaker, upload.id), sessionmaker() as db, db.begin():
        row = await db.get(Upload, upload.id)
        if row is not None:
            await db.delete(row)
    upload_file_path(data_dir, upload).unlink(missing_ok=True)


async def completed_upload(
    *, db: AsyncSession, upload_id: uuid.UUID, kind: UploadKind, owner: uuid.UUID | None
) -> Upload:
    """A finished upload of `kind` made by `owner` (by anyone if None), for the encoding
    pipeline. NotFound if there is no such upload of `owner`'s; Conflict if it is unfinished
    or of another kind."""
    upload = await db.get(Upload, upload_id)
    if upload is None or (owner is not None and upload.created_by != owner):
        raise NotFound("No such upload", details={"upload_id": str(upload_id)})
    if upload.completed_at is None or upload.sha256 is None:
        raise Conflict(
            "The upload is not finished",
            code="upload_incomplete",
            details={"received": upload.received_bytes, "length": upload.length},
        )
    if upload.kind != kind:
        raise Conflict(
            f"The upload is a {upload.kind.value} file, not {kind.value}",
            code="wrong_upload_kind",
            details={"kind": upload.kind.value},
        )
    return upload


async def _set_progress(sessionmaker: Sessionmaker, upload_id: uuid.UUID, received: int) -> None:
    async with sessionmaker() as db, db.begin():
        await db.execute(
            update(Upload).where(Upload.id == upload_id).values(received_bytes=received)
        )


async def _finish(sessionmaker: Sessionmaker, upload_id: uuid.UUID, sha256: str) -> None:
    async with sessionmaker() as db, db.begin():
        await db.execute(
            update(Upload)
            .where(Upload.id == upload_id)
            .values(sha256=sha256, completed_at=func.now())
        )
