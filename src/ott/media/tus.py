"""Resumable uploads with the tus protocol 1.0.0: core, creation, creation-with-upload,
checksum, expiration and termination (https://tus.io/protocols/resumable-upload).

An editor POSTs the file's length and metadata and gets a Location; PATCHes then append to
`DATA_DIR/uploads/<id>` at the offset HEAD reports. A body is streamed to disk in batches and
never held in memory. What arrived before a dropped connection is kept (unless the PATCH
carried a checksum, which only a whole chunk can satisfy), so the client resumes from HEAD.
One PATCH at a time per upload: a transaction-scoped advisory lock, held on its own connection
for the length of the PATCH, refuses a second one with 423. The row is the truth; bytes past
`received_bytes` in the file (a crash mid-PATCH) are cut off by the next PATCH.

The worker calls `completed_upload` and `upload_file_path`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import os
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any, BinaryIO

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import ClientDisconnect

from ott.core.database import Sessionmaker
from ott.core.errors import (
    AppError,
    BadRequest,
    Conflict,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    app_error_response,
)
from ott.core.identity import Editor, Identity
from ott.core.locale import is_language_tag
from ott.core.settings import Settings
from ott.media.models import Upload, UploadKind

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = ("creation", "creation-with-upload", "checksum", "expiration", "termination")
CHECKSUM_ALGORITHMS: dict[str, Callable[[], Any]] = {
    "sha1": hashlib.sha1,
    "md5": hashlib.md5,
    "sha256": hashlib.sha256,
}
OFFSET_OCTET_STREAM = "application/offset+octet-stream"
PREFIX = "/api/cms/uploads"
UPLOADS_DIR = "uploads"

_WRITE_BATCH = 1024 * 1024  # bytes gathered before one write to disk
_CHECKPOINT = 32 * 1024 * 1024  # an unchecksummed PATCH records its progress this often
_HASH_BLOCK = 1024 * 1024
_MAX_METADATA = 4096
_MAX_COUNT_DIGITS = 20  # 10^20 bytes is beyond any upload; bounds the work on a hostile header
_COUNT = re.compile(f"[0-9]{{1,{_MAX_COUNT_DIGITS}}}")
_META_KEY = re.compile(r"[!-+\--~]{1,64}")  # printable ASCII without space or comma
_LOCK_SPACE = 0x74757300  # "tus\0": the advisory-lock namespace of uploads


class PreconditionFailed(AppError):
    status_code, code = 412, "unsupported_tus_version"


class UploadLocked(AppError):
    status_code, code = 423, "upload_locked"


class UploadExpired(AppError):
    status_code, code = 410, "upload_expired"


class ChecksumMismatch(AppError):
    status_code, code = 460, "checksum_mismatch"


# ---------------------------------------------------------------- headers


def parse_metadata(header: str | None) -> dict[str, str]:
    """Upload-Metadata: comma-separated `key base64(value)` pairs (the value may be absent)."""
    if header is None or not header.strip():
        return {}
    if len(header) > _MAX_METADATA:
        raise BadRequest(f"Upload-Metadata is longer than {_MAX_METADATA} characters")
    pairs: dict[str, str] = {}
    for item in header.split(","):
        key, _, encoded = item.strip().partition(" ")
        if not _META_KEY.fullmatch(key):
            raise BadRequest("Upload-Metadata has an invalid key", details={"key": key})
        if key in pairs:
            raise BadRequest("Upload-Metadata repeats a key", details={"key": key})
        try:
            value = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise BadRequest(
                "An Upload-Metadata value is not base64 of UTF-8 text", details={"key": key}
            ) from None
        pairs[key] = value
    return pairs


@dataclass(frozen=True)
class UploadSpec:
    """What a POST asks for, validated."""

    kind: UploadKind
    filename: str | None
    extra: dict[str, str]  # language, label and anything else the client sent


def validate_metadata(pairs: dict[str, str]) -> UploadSpec:
    kinds = ", ".join(k.value for k in UploadKind)
    try:
        kind = UploadKind(pairs.get("kind", ""))
    except ValueError:
        raise BadRequest(
            f"Upload-Metadata needs kind: one of {kinds}", details={"kind": pairs.get("kind")}
        ) from None
    filename = pairs.get("filename") or None
    if filename is not None and (
        len(filename) > 255
        or "/" in filename
        or "\\" in filename
        or any(ord(c) < 32 for c in filename)
    ):
        raise BadRequest("The filename must be a plain name of at most 255 characters")
    language = pairs.get("language")
    if language is not None and not is_language_tag(language):
        raise BadRequest("language must be an ISO 639 code such as hi or en-IN")
    if kind is not UploadKind.VIDEO and language is None:
        raise BadRequest(f"An upload of kind {kind.value} needs a language")
    if len(pairs.get("label", "")) > 100:
        raise BadRequest("label must be at most 100 characters")
    extra = {k: v for k, v in pairs.items() if k not in ("kind", "filename")}
    return UploadSpec(kind, filename, extra)


def parse_count(name: str, value: str | None) -> int:
    """A byte count header (Upload-Length, Upload-Offset, Content-Length): ASCII digits only.
    str.isdigit() also takes "²" (which int() refuses) and other scripts' digits."""
    if value is None:
        raise BadRequest(f"The {name} header is required")
    digits = value.strip()
    if not _COUNT.fullmatch(digits):
        raise BadRequest(
            f"{name} must be a non-negative integer of at most {_MAX_COUNT_DIGITS} digits",
            details={name: value[: _MAX_COUNT_DIGITS + 1]},
        )
    return int(digits)


def parse_checksum(header: str | None) -> tuple[str, bytes] | None:
    """Upload-Checksum: `<algorithm> <base64 digest>`."""
    if header is None:
        return None
    name, _, encoded = header.strip().partition(" ")
    if name not in CHECKSUM_ALGORITHMS:
        raise BadRequest(
            f"Unsupported checksum algorithm; use one of {', '.join(CHECKSUM_ALGORITHMS)}",
            code="unsupported_checksum_algorithm",
        )
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        raise BadRequest("The Upload-Checksum digest is not base64") from None
    if len(digest) != CHECKSUM_ALGORITHMS[name]().digest_size:
        raise BadRequest(f"The Upload-Checksum digest is not a {name} digest")
    return name, digest


def _http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _declared_length(request: Request) -> int | None:
    value = request.headers.get("content-length")
    return None if value is None else parse_count("Content-Length", value)


def _is_offset_stream(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.split(";")[0].strip().lower() == OFFSET_OCTET_STREAM


# ---------------------------------------------------------------- files and rows


def upload_file_path(settings: Settings, upload: Upload) -> Path:
    """Where the upload's bytes are."""
    return settings.data_dir / upload.path


def _open_for_append(path: Path, offset: int) -> BinaryIO:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "r+b", buffering=0)
    handle.truncate(offset)  # bytes past the recorded offset were never acknowledged
    handle.seek(offset)
    return handle


def _create_empty(path: Path) -> None:
    _open_for_append(path, 0).close()


def _sync(handle: BinaryIO) -> None:
    os.fsync(handle.fileno())


def _truncate(path: Path, length: int) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(length)
        os.fsync(handle.fileno())


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


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


async def _load(
    sessionmaker: async_sessionmaker[AsyncSession], upload_id: str, identity: Identity
) -> Upload:
    """The caller's upload; an unknown id and another user's upload look the same (404)."""
    try:
        key = uuid.UUID(upload_id)
    except ValueError:
        raise NotFound("No such upload") from None
    async with sessionmaker() as db:
        upload = await db.get(Upload, key)
    if upload is None or upload.created_by != identity.user_id:
        raise NotFound("No such upload")
    if upload.completed_at is None and upload.expires_at <= datetime.now(UTC):
        raise UploadExpired("This upload expired before it was finished; start a new one")
    return upload


async def completed_upload(
    db: AsyncSession, upload_id: uuid.UUID, *, kind: UploadKind, owner: uuid.UUID | None = None
) -> Upload:
    """A finished upload of `kind` (for the encoding pipeline). NotFound if there is no such
    upload (or `owner` is given and did not make it); Conflict if it is unfinished or of another
    kind."""
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


# ---------------------------------------------------------------- receiving a body


@dataclass
class _Chunk:
    """One PATCH (or creation-with-upload) body being appended at `offset`."""

    path: Path
    offset: int
    room: int  # bytes the upload may still take
    checksum: tuple[str, bytes] | None
    record: Callable[[int], Awaitable[None]]  # commits a new received_bytes
    committed: int = 0  # absolute offset recorded in the row

    async def receive(self, request: Request) -> int:
        """Append the body; return the new offset (what arrived, if the client went away).
        On a checksum mismatch or an oversize body nothing is kept and the error raised."""
        self.committed = self.offset
        digest = CHECKSUM_ALGORITHMS[self.checksum[0]]() if self.checksum else None
        handle = await asyncio.to_thread(_open_for_append, self.path, self.offset)
        written, pending, complete = 0, bytearray(), True
        try:
            try:
                async for data in request.stream():
                    if written + len(pending) + len(data) > self.room:
                        raise PayloadTooLarge(
                            "The body goes past the upload's length",
                            code="exceeds_upload_length",
                            details={"room": self.room},
                        )
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
            await asyncio.to_thread(_sync, handle)
        except BaseException:
            await asyncio.to_thread(handle.close)
            await asyncio.to_thread(_truncate, self.path, self.committed)
            raise
        await asyncio.to_thread(handle.close)
        if digest is not None and self.checksum is not None:
            algorithm, expected = self.checksum
            if not complete or digest.digest() != expected:
                await asyncio.to_thread(_truncate, self.path, self.offset)
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
        await asyncio.to_thread(_sync, handle)
        await self.record(offset)
        self.committed = offset


async def _append(
    request: Request,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    upload: Upload,
    identity: Identity,
    offset: int,
    checksum: tuple[str, bytes] | None,
) -> Upload:
    """Append the request body at `offset` under the upload's lock; finish the upload when
    the last byte is in."""
    async with upload_lock(sessionmaker, upload.id):
        upload = await _load(sessionmaker, str(upload.id), identity)  # as of now, locked
        if offset != upload.received_bytes:
            raise Conflict(
                "Upload-Offset does not match the upload's offset",
                code="offset_mismatch",
                details={"expected": upload.received_bytes, "given": offset},
            )
        room = upload.length - offset
        declared = _declared_length(request)
        if declared is not None and declared > room:
            raise PayloadTooLarge(
                "The body goes past the upload's length",
                code="exceeds_upload_length",
                details={"room": room},
            )

        async def record(received: int) -> None:
            await _set_progress(sessionmaker, upload.id, received)

        chunk = _Chunk(upload_file_path(settings, upload), offset, room, checksum, record)
        received = await chunk.receive(request)
        if received != chunk.committed:
            await record(received)
        if received == upload.length:
            sha256 = await asyncio.to_thread(_sha256_of, upload_file_path(settings, upload))
            await _finish(sessionmaker, upload.id, sha256)
        return await _load(sessionmaker, str(upload.id), identity)


async def _set_progress(
    sessionmaker: async_sessionmaker[AsyncSession], upload_id: uuid.UUID, received: int
) -> None:
    async with sessionmaker() as db, db.begin():
        await db.execute(
            update(Upload).where(Upload.id == upload_id).values(received_bytes=received)
        )


async def _finish(
    sessionmaker: async_sessionmaker[AsyncSession], upload_id: uuid.UUID, sha256: str
) -> None:
    async with sessionmaker() as db, db.begin():
        await db.execute(
            update(Upload)
            .where(Upload.id == upload_id)
            .values(sha256=sha256, completed_at=func.now())
        )


# ---------------------------------------------------------------- HTTP


class TusRoute(APIRoute):
    """Puts Tus-Resumable on every answer, errors included (those raised by dependencies too),
    keeping the platform's JSON error body."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def tus_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except AppError as error:
                response = app_error_response(error)
            response.headers["Tus-Resumable"] = TUS_VERSION
            return response

        return tus_handler


router = APIRouter(prefix=PREFIX, tags=["uploads"], route_class=TusRoute)


def _require_version(request: Request) -> None:
    if request.headers.get("tus-resumable") != TUS_VERSION:
        raise PreconditionFailed(
            f"Send Tus-Resumable: {TUS_VERSION}", headers={"Tus-Version": TUS_VERSION}
        )


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _offset_headers(upload: Upload) -> dict[str, str]:
    headers = {
        "Upload-Offset": str(upload.received_bytes),
        "Upload-Length": str(upload.length),
        "Cache-Control": "no-store",
    }
    if upload.completed_at is None:
        headers["Upload-Expires"] = _http_date(upload.expires_at)
    elif upload.sha256:
        headers["Upload-Checksum"] = "sha256 " + base64.b64encode(
            bytes.fromhex(upload.sha256)
        ).decode("ascii")
    return headers


@router.options("", status_code=204, summary="What this tus server supports")
async def capabilities(request: Request) -> Response:
    return Response(
        status_code=204,
        headers={
            "Tus-Version": TUS_VERSION,
            "Tus-Extension": ",".join(TUS_EXTENSIONS),
            "Tus-Max-Size": str(_settings(request).max_upload_bytes),
            "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
        },
    )


@router.post("", status_code=201, summary="Create an upload (tus creation)")
async def create_upload(request: Request, identity: Editor, sessionmaker: Sessionmaker) -> Response:
    _require_version(request)
    settings = _settings(request)
    if request.headers.get("upload-defer-length") is not None:
        raise BadRequest("Upload-Defer-Length is not supported: send Upload-Length")
    length = parse_count("Upload-Length", request.headers.get("upload-length"))
    if length > settings.max_upload_bytes:
        raise PayloadTooLarge(
            f"An upload may be at most {settings.max_upload_bytes} bytes",
            details={"max_bytes": settings.max_upload_bytes},
        )
    spec = validate_metadata(parse_metadata(request.headers.get("upload-metadata")))
    with_data = _is_offset_stream(request)
    if not with_data and (_declared_length(request) or 0) > 0:
        raise UnsupportedMediaType(f"Data sent with a POST must be {OFFSET_OCTET_STREAM}")
    checksum = parse_checksum(request.headers.get("upload-checksum")) if with_data else None

    upload_id = uuid.uuid4()
    upload = Upload(
        id=upload_id,
        kind=spec.kind,
        length=length,
        received_bytes=0,
        filename=spec.filename,
        upload_metadata=spec.extra,
        path=f"{UPLOADS_DIR}/{upload_id}",
        created_by=identity.user_id,
        expires_at=datetime.now(UTC) + timedelta(hours=settings.upload_expiry_hours),
    )
    async with sessionmaker() as db, db.begin():
        db.add(upload)
    await asyncio.to_thread(_create_empty, upload_file_path(settings, upload))
    location = f"{PREFIX}/{upload_id}"
    if with_data or length == 0:
        try:
            upload = await _append(request, sessionmaker, settings, upload, identity, 0, checksum)
        except AppError as error:
            # The upload exists: say where, so the client can resume it.
            error.headers = {**(error.headers or {}), "Location": location}
            raise
    return Response(status_code=201, headers={"Location": location, **_offset_headers(upload)})


@router.head("/{upload_id}", summary="The upload's offset (tus core)")
async def upload_offset(
    request: Request, upload_id: str, identity: Editor, sessionmaker: Sessionmaker
) -> Response:
    _require_version(request)
    upload = await _load(sessionmaker, upload_id, identity)
    return Response(status_code=200, headers=_offset_headers(upload))


@router.patch("/{upload_id}", status_code=204, summary="Append to the upload (tus core)")
async def append(
    request: Request, upload_id: str, identity: Editor, sessionmaker: Sessionmaker
) -> Response:
    _require_version(request)
    if not _is_offset_stream(request):
        raise UnsupportedMediaType(f"A PATCH body must be {OFFSET_OCTET_STREAM}")
    offset = parse_count("Upload-Offset", request.headers.get("upload-offset"))
    checksum = parse_checksum(request.headers.get("upload-checksum"))
    upload = await _load(sessionmaker, upload_id, identity)
    upload = await _append(
        request, sessionmaker, _settings(request), upload, identity, offset, checksum
    )
    return Response(status_code=204, headers=_offset_headers(upload))


@router.delete("/{upload_id}", status_code=204, summary="Delete the upload (tus termination)")
async def terminate(
    request: Request, upload_id: str, identity: Editor, sessionmaker: Sessionmaker
) -> Response:
    _require_version(request)
    upload = await _load(sessionmaker, upload_id, identity)
    async with upload_lock(sessionmaker, upload.id), sessionmaker() as db, db.begin():
        row = await db.get(Upload, upload.id)
        if row is not None:
            await db.delete(row)
    upload_file_path(_settings(request), upload).unlink(missing_ok=True)
    return Response(status_code=204)


@router.get("/{upload_id}", summary="The upload as JSON, with its sha256 once complete")
async def describe(upload_id: str, identity: Editor, sessionmaker: Sessionmaker) -> dict[str, Any]:
    upload = await _load(sessionmaker, upload_id, identity)
    return {
        "id": str(upload.id),
        "kind": upload.kind.value,
        "filename": upload.filename,
        "metadata": upload.upload_metadata,
        "length": upload.length,
        "received": upload.received_bytes,
        "sha256": upload.sha256,
        "completed": upload.completed_at is not None,
        "completed_at": upload.completed_at.isoformat() if upload.completed_at else None,
        "expires_at": None if upload.completed_at else upload.expires_at.isoformat(),
    }
