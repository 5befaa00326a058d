"""Resumable uploads (tus 1.0.0) through the in-process gateway: the protocol, its
extensions, who may use it, and that a refused request changes nothing."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from ott.auth.service import set_roles
from ott.core.app_context import AppContext
from ott.core.app_factory import create_service_app
from ott.core.errors import BadRequest, Conflict, NotFound
from ott.core.identity import Role
from ott.core.settings import Settings
from ott.media.models import Upload, UploadKind
from ott.media.router import uploads_router
from ott.media.uploads import headers
from ott.media.uploads import service as uploads
from ott.media.uploads.store import upload_file_path
from ott.media.uploads.sweeper import sweep_expired_uploads, sweeping
from tests.conftest import TEST_PASSWORD, assert_error, bearer, register, start_gateway

UPLOADS = "/api/cms/uploads"
TUS = {"Tus-Resumable": "1.0.0"}
STREAM = {"Content-Type": "application/offset+octet-stream"}


def uploads_cms_app(settings: Settings, context: AppContext | None = None) -> FastAPI:
    """The media service as far as uploads go (its tus routes, no sweeper or worker), for
    tests/gateway/test_streaming_upload.py, which runs it as a process of its own."""
    return create_service_app("media", settings=settings, routers=[uploads_router], context=context)


@pytest.fixture(scope="module")
async def gateway(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    client, lifespan = await start_gateway(settings)
    yield client
    await client.aclose()
    await lifespan.__aexit__(None, None, None)


@pytest.fixture(scope="module")
async def stores(settings: Settings) -> AsyncIterator[AppContext]:
    opened = AppContext.open(settings)
    yield opened
    await opened.close()


@dataclass(frozen=True)
class User:
    id: uuid.UUID
    headers: dict[str, str]


async def make_user(api: httpx.AsyncClient, stores: AppContext, *roles: Role) -> User:
    tokens = await register(api)
    if roles:
        async with stores.sessionmaker() as db, db.begin():
            await set_roles(db=db, user_id=uuid.UUID(tokens["user"]["id"]), roles=list(roles))
        login = await api.post(
            "/api/auth/login", json={"email": tokens["user"]["email"], "password": TEST_PASSWORD}
        )
        assert login.status_code == 200, login.text
        tokens = login.json()
    return User(uuid.UUID(tokens["user"]["id"]), {**bearer(tokens), **TUS})


@pytest.fixture
async def editor(gateway: httpx.AsyncClient, stores: AppContext) -> User:
    return await make_user(gateway, stores, Role.EDITOR)


def metadata(**pairs: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in pairs.items())


VIDEO_META = metadata(filename="film.mp4", kind="video", label="Main")


def checksum(algorithm: str, data: bytes) -> str:
    return f"{algorithm} {base64.b64encode(hashlib.new(algorithm, data).digest()).decode()}"


async def create(api: httpx.AsyncClient, user: User, length: int, meta: str = VIDEO_META) -> str:
    response = await api.post(
        UPLOADS, headers={**user.headers, "Upload-Length": str(length), "Upload-Metadata": meta}
    )
    assert response.status_code == 201, response.text
    assert response.headers["tus-resumable"] == "1.0.0"
    return response.headers["location"]


async def offset_of(api: httpx.AsyncClient, user: User, location: str) -> int:
    response = await api.head(location, headers=user.headers)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    return int(response.headers["upload-offset"])


async def patch(
    api: httpx.AsyncClient, user: User, location: str, offset: int, data: Any, **headers: str
) -> httpx.Response:
    return await api.patch(
        location,
        content=data,
        headers={**user.headers, **STREAM, "Upload-Offset": str(offset), **headers},
    )


def file_of(settings: Settings, location: str) -> Path:
    return settings.data_dir / "uploads" / location.rsplit("/", 1)[1]


def upload_id(location: str) -> uuid.UUID:
    return uuid.UUID(location.rsplit("/", 1)[1])


async def test_options_advertises_the_server(gateway: httpx.AsyncClient, settings: Settings):
    response = await gateway.options(UPLOADS)
    assert response.status_code == 204
    assert response.headers["tus-resumable"] == "1.0.0"
    assert response.headers["tus-version"] == "1.0.0"
    assert set(response.headers["tus-extension"].split(",")) == {
        "creation",
        "creation-with-upload",
        "checksum",
        "expiration",
        "termination",
    }
    assert int(response.headers["tus-max-size"]) == settings.max_upload_bytes
    assert set(response.headers["tus-checksum-algorithm"].split(",")) == {"sha1", "md5", "sha256"}


async def test_an_upload_in_checksummed_chunks_completes_with_its_sha256(
    gateway: httpx.AsyncClient, editor: User, settings: Settings, stores: AppContext
) -> None:
    data = bytes(range(256)) * 4096 + b"tail"  # 1 MiB + 4 bytes
    location = await create(gateway, editor, len(data))
    assert location.startswith(f"{UPLOADS}/")
    assert await offset_of(gateway, editor, location) == 0
    head = await gateway.head(location, headers=editor.headers)
    assert head.headers["upload-length"] == str(len(data))
    assert "GMT" in head.headers["upload-expires"]

    cuts = [0, 300_000, 700_000, len(data)]
    for (start, end), algorithm in zip(
        itertools.pairwise(cuts), ("sha1", "md5", "sha256"), strict=True
    ):
        piece = data[start:end]
        response = await patch(
            gateway,
            editor,
            location,
            start,
            piece,
            **{"Upload-Checksum": checksum(algorithm, piece)},
        )
        assert response.status_code == 204, response.text
        assert response.headers["upload-offset"] == str(end)
        assert response.headers["tus-resumable"] == "1.0.0"

    whole = hashlib.sha256(data).hexdigest()
    assert response.headers["upload-checksum"] == checksum("sha256", data)
    described = (await gateway.get(location, headers=editor.headers)).json()
    assert described["sha256"] == whole
    assert described["completed"] is True
    assert described["received"] == described["length"] == len(data)
    assert described["kind"] == "video"
    assert described["filename"] == "film.mp4"
    assert described["metadata"] == {"label": "Main"}
    assert file_of(settings, location).read_bytes() == data

    async with stores.sessionmaker() as db:
        upload = await uploads.completed_upload(
            db=db, upload_id=upload_id(location), kind=UploadKind.VIDEO, owner=editor.id
        )
        assert upload.sha256 == whole
        assert upload_file_path(settings.data_dir, upload) == file_of(settings, location)
        with pytest.raises(Conflict):
            await uploads.completed_upload(
                db=db, upload_id=upload.id, kind=UploadKind.AUDIO, owner=None
            )
        with pytest.raises(NotFound):
            await uploads.completed_upload(
                db=db, upload_id=upload.id, kind=UploadKind.VIDEO, owner=uuid.uuid4()
            )
        with pytest.raises(NotFound):
            await uploads.completed_upload(
                db=db, upload_id=uuid.uuid4(), kind=UploadKind.VIDEO, owner=None
            )

    # Nothing more fits; a completed upload stays (it does not expire).
    assert_error(await patch(gateway, editor, location, len(data), b"x"), 413)
    assert await offset_of(gateway, editor, location) == len(data)


async def test_unfinished_uploads_are_not_given_to_the_pipeline(
    gateway: httpx.AsyncClient, editor: User, stores: AppContext
) -> None:
    location = await create(gateway, editor, 10, metadata(kind="audio", language="hi"))
    assert (await patch(gateway, editor, location, 0, b"12345")).status_code == 204
    async with stores.sessionmaker() as db:
        with pytest.raises(Conflict) as refused:
            await uploads.completed_upload(
                db=db, upload_id=upload_id(location), kind=UploadKind.AUDIO, owner=None
            )
    assert refused.value.code == "upload_incomplete"


async def test_creation_with_upload_and_empty_uploads(
    gateway: httpx.AsyncClient, editor: User, settings: Settings
) -> None:
    first = b"subtitle body\n" * 10
    response = await gateway.post(
        UPLOADS,
        content=first[:50],
        headers={
            **editor.headers,
            **STREAM,
            "Upload-Length": str(len(first)),
            "Upload-Metadata": metadata(kind="subtitle", language="en", filename="en.srt"),
            "Upload-Checksum": checksum("sha256", first[:50]),
        },
    )
    assert response.status_code == 201, response.text
    assert response.headers["upload-offset"] == "50"
    location = response.headers["location"]
    assert (await patch(gateway, editor, location, 50, first[50:])).status_code == 204
    assert file_of(settings, location).read_bytes() == first

    empty = await create(gateway, editor, 0)
    described = (await gateway.get(empty, headers=editor.headers)).json()
    assert described["completed"] is True
    assert described["sha256"] == hashlib.sha256(b"").hexdigest()


async def test_refused_patches_change_nothing(
    gateway: httpx.AsyncClient, editor: User, settings: Settings
) -> None:
    location = await create(gateway, editor, 1000)
    assert (await patch(gateway, editor, location, 0, b"a" * 100)).status_code == 204
    path = file_of(settings, location)

    async def unchanged() -> None:
        assert await offset_of(gateway, editor, location) == 100
        assert path.read_bytes() == b"a" * 100

    refused = [
        (await patch(gateway, editor, location, 0, b"b" * 10), 409, "offset_mismatch"),
        (await patch(gateway, editor, location, 150, b"b" * 10), 409, "offset_mismatch"),
        (
            await gateway.patch(
                location,
                content=b"b" * 10,
                headers={**editor.headers, "Upload-Offset": "100", "Content-Type": "text/plain"},
            ),
            415,
            "unsupported_media_type",
        ),
        (
            await patch(
                gateway,
                editor,
                location,
                100,
                b"b" * 10,
                **{"Upload-Checksum": checksum("sha1", b"c" * 10)},
            ),
            460,
            "checksum_mismatch",
        ),
        (
            await patch(
                gateway, editor, location, 100, b"b" * 10, **{"Upload-Checksum": "crc32 AAAA"}
            ),
            400,
            "unsupported_checksum_algorithm",
        ),
        (await patch(gateway, editor, location, 100, b"b" * 901), 413, "exceeds_upload_length"),
        (
            await patch(gateway, editor, location, 100, _chunks(b"b" * 901, 4)),
            413,
            "exceeds_upload_length",
        ),
        (
            await gateway.patch(
                location,
                content=b"b",
                headers={**editor.headers, **STREAM, "Upload-Offset": "-1"},
            ),
            400,
            "bad_request",
        ),
        (
            await gateway.patch(location, content=b"b", headers={**editor.headers, **STREAM}),
            400,
            "bad_request",
        ),
        (
            await gateway.patch(
                location,
                content=b"b",
                headers={
                    **editor.headers,
                    **STREAM,
                    "Upload-Offset": "100",
                    "Tus-Resumable": "0.2",
                },
            ),
            412,
            "unsupported_tus_version",
        ),
    ]
    for response, status, code in refused:
        assert_error(response, status, code)
        assert response.headers["tus-resumable"] == "1.0.0"
        await unchanged()
    # And the upload still takes the right bytes.
    assert (await patch(gateway, editor, location, 100, b"b" * 900)).status_code == 204
    assert path.read_bytes() == b"a" * 100 + b"b" * 900


async def _chunks(data: bytes, parts: int) -> AsyncIterator[bytes]:
    size = -(-len(data) // parts)
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def _uploads_of(stores: AppContext, user: User) -> int:
    async with stores.sessionmaker() as db:
        return await db.scalar(
            select(func.count()).select_from(Upload).where(Upload.created_by == user.id)
        )


async def test_refused_creations_make_no_upload(
    gateway: httpx.AsyncClient, editor: User, settings: Settings, stores: AppContext
) -> None:
    def post(length: str | None, meta: str | None, **extra: str) -> Any:
        headers = {**editor.headers, **extra}
        if length is not None:
            headers["Upload-Length"] = length
        if meta is not None:
            headers["Upload-Metadata"] = meta
        return gateway.post(UPLOADS, headers=headers)

    too_large = await post(str(settings.max_upload_bytes + 1), VIDEO_META)
    assert assert_error(too_large, 413, "payload_too_large")["details"] == {
        "max_bytes": settings.max_upload_bytes
    }
    for response in (
        await post(None, VIDEO_META),
        await post("ten", VIDEO_META),
        await post("10", None),
        await post("10", "kind dmlkZW8=,kind dmlkZW8="),
        await post("10", "kind not*base64"),
        await post("10", metadata(kind="poster")),
        await post("10", metadata(kind="audio")),
        await post("10", metadata(kind="subtitle", language="English")),
        await post("10", metadata(kind="video", filename="../../etc/passwd")),
        await post("10", metadata(kind="video", filename="film\x07.mp4")),
        # Kept in a JSONB column, which cannot hold a NUL (was a 500).
        await post("10", metadata(kind="video", label="Main\x00")),
        await post("10", metadata(kind="audio", language="hi", note="\x85")),
        await post("10", "kind " + base64.b64encode(b"\xff\xfe").decode()),
        await post("10", VIDEO_META, **{"Upload-Defer-Length": "1"}),
    ):
        assert_error(response, 400, "bad_request")
        assert response.headers["tus-resumable"] == "1.0.0"
    assert_error(
        await gateway.post(
            UPLOADS,
            headers={"Authorization": editor.headers["Authorization"], "Upload-Length": "1"},
        ),
        412,
    )
    assert await _uploads_of(stores, editor) == 0


# Latin-1 header values str.isdigit() accepts and int() refuses; then other non-numbers.
NOT_COUNTS = ["²", "1²", "³4", "+5", "-1", "1e3", "0x10", "1 2", "9" * 21]


async def test_numeric_headers_take_ascii_digits_only(
    gateway: httpx.AsyncClient, editor: User, stores: AppContext
) -> None:
    for value in NOT_COUNTS:
        response = await gateway.post(
            UPLOADS,
            headers={
                **editor.headers,
                "Upload-Length": value.encode("latin-1"),
                "Upload-Metadata": VIDEO_META,
            },
        )
        assert_error(response, 400, "bad_request")
        assert response.headers["tus-resumable"] == "1.0.0"
    assert await _uploads_of(stores, editor) == 0

    location = await create(gateway, editor, 10)
    for value in NOT_COUNTS:
        response = await gateway.patch(
            location,
            content=b"12345",
            headers={**editor.headers, **STREAM, "Upload-Offset": value.encode("latin-1")},
        )
        assert_error(response, 400, "bad_request")
        assert response.headers["tus-resumable"] == "1.0.0"
    assert await offset_of(gateway, editor, location) == 0
    # Surrounding blanks are not part of the value.
    response = await patch(gateway, editor, location, 0, b"12345", **{"Upload-Offset": " 0 "})
    assert response.status_code == 204, response.text


def test_a_declared_body_length_takes_ascii_digits_only() -> None:
    # The gateway refuses such a Content-Length itself (413); the service must too on its own.
    for value in NOT_COUNTS:
        with pytest.raises(BadRequest):
            headers.parse_count("Content-Length", value)
    assert headers.parse_count("Content-Length", "0") == 0
    assert headers.parse_count("Upload-Length", "9" * 20) == int("9" * 20)


async def test_only_editors_reach_their_own_uploads(
    gateway: httpx.AsyncClient, editor: User, stores: AppContext
) -> None:
    location = await create(gateway, editor, 10)
    assert (await patch(gateway, editor, location, 0, b"12345")).status_code == 204
    viewer = await make_user(gateway, stores)
    reviewer = await make_user(gateway, stores, Role.REVIEWER)
    other = await make_user(gateway, stores, Role.EDITOR)
    admin = await make_user(gateway, stores, Role.ADMIN)

    new = {"Upload-Length": "10", "Upload-Metadata": VIDEO_META}
    assert_error(await gateway.post(UPLOADS, headers={**TUS, **new}), 401)
    assert_error(await gateway.post(UPLOADS, headers={**viewer.headers, **new}), 403)
    assert_error(await gateway.post(UPLOADS, headers={**reviewer.headers, **new}), 403)
    assert (await gateway.post(UPLOADS, headers={**admin.headers, **new})).status_code == 201

    unauthenticated = await gateway.patch(
        location, content=b"678", headers={**TUS, **STREAM, "Upload-Offset": "5"}
    )
    assert_error(unauthenticated, 401)
    assert unauthenticated.headers["tus-resumable"] == "1.0.0"
    assert (await gateway.head(location, headers=TUS)).status_code == 401
    assert_error(await patch(gateway, viewer, location, 5, b"678"), 403)
    for stranger in (other, admin):
        assert_error(await patch(gateway, stranger, location, 5, b"678"), 404, "not_found")
        assert (await gateway.head(location, headers=stranger.headers)).status_code == 404
        assert_error(await gateway.get(location, headers=stranger.headers), 404)
        assert_error(await gateway.delete(location, headers=stranger.headers), 404)
    for unknown in (f"{UPLOADS}/{uuid.uuid4()}", f"{UPLOADS}/not-a-uuid"):
        assert (await gateway.head(unknown, headers=editor.headers)).status_code == 404
        assert_error(await patch(gateway, editor, unknown, 0, b"1"), 404)
        assert_error(await gateway.delete(unknown, headers=editor.headers), 404)
    assert await offset_of(gateway, editor, location) == 5


async def test_termination_deletes_the_upload_and_its_file(
    gateway: httpx.AsyncClient, editor: User, settings: Settings
) -> None:
    location = await create(gateway, editor, 10)
    assert (await patch(gateway, editor, location, 0, b"12345")).status_code == 204
    assert file_of(settings, location).exists()
    deleted = await gateway.delete(location, headers=editor.headers)
    assert deleted.status_code == 204
    assert deleted.headers["tus-resumable"] == "1.0.0"
    assert not file_of(settings, location).exists()
    assert (await gateway.head(location, headers=editor.headers)).status_code == 404
    assert_error(await patch(gateway, editor, location, 5, b"678"), 404)


async def _expire(stores: AppContext, location: str) -> None:
    async with stores.sessionmaker() as db, db.begin():
        await db.execute(
            update(Upload)
            .where(Upload.id == upload_id(location))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )


async def test_expired_uploads_are_refused_then_swept(
    gateway: httpx.AsyncClient, editor: User, settings: Settings, stores: AppContext
) -> None:
    stale = await create(gateway, editor, 10)
    assert (await patch(gateway, editor, stale, 0, b"12345")).status_code == 204
    done = await create(gateway, editor, 3)
    assert (await patch(gateway, editor, done, 0, b"abc")).status_code == 204
    await _expire(stores, stale)
    await _expire(stores, done)

    assert (await gateway.head(stale, headers=editor.headers)).status_code == 410
    assert_error(await patch(gateway, editor, stale, 5, b"678"), 410, "upload_expired")
    assert file_of(settings, stale).read_bytes() == b"12345"

    swept = await sweep_expired_uploads(
        sessionmaker=stores.sessionmaker, data_dir=settings.data_dir
    )
    assert swept >= 1
    assert not file_of(settings, stale).exists()
    assert (await gateway.head(stale, headers=editor.headers)).status_code == 404
    # A finished upload is an encoding's input: it never expires.
    assert await offset_of(gateway, editor, done) == 3
    assert file_of(settings, done).exists()


async def test_the_sweeper_runs_in_the_background(
    gateway: httpx.AsyncClient, editor: User, settings: Settings, stores: AppContext
) -> None:
    location = await create(gateway, editor, 10)
    await _expire(stores, location)
    async with sweeping(
        sessionmaker=stores.sessionmaker, data_dir=settings.data_dir, interval_seconds=0.05
    ):
        for _ in range(100):
            if not file_of(settings, location).exists():
                break
            await asyncio.sleep(0.05)
    assert not file_of(settings, location).exists()
    assert (await gateway.head(location, headers=editor.headers)).status_code == 404


async def test_concurrent_patches_do_not_corrupt_an_upload(
    gateway: httpx.AsyncClient, editor: User, settings: Settings
) -> None:
    size = 4 * 1024 * 1024
    location = await create(gateway, editor, size)
    started = asyncio.Event()

    async def slow_body() -> AsyncIterator[bytes]:
        for _ in range(16):
            yield b"A" * (size // 16)
            started.set()
            await asyncio.sleep(0.02)

    first = asyncio.create_task(patch(gateway, editor, location, 0, slow_body()))
    await started.wait()
    second = await patch(gateway, editor, location, 0, b"B" * size)
    assert_error(second, 423, "upload_locked")
    assert (await first).status_code == 204
    assert file_of(settings, location).read_bytes() == b"A" * size
    described = (await gateway.get(location, headers=editor.headers)).json()
    assert described["sha256"] == hashlib.sha256(b"A" * size).hexdigest()
    # Once the first is done, the same PATCH is simply at the wrong offset.
    assert_error(await patch(gateway, editor, location, 0, b"B"), 409, "offset_mismatch")
