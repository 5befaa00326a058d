"""The gateway streams upload bodies: in-process it hands the service the ASGI receive (memory
stays flat for a 64 MiB PATCH), in split mode it streams them over HTTP, and a connection
dropped mid-PATCH leaves an upload that resumes from HEAD's offset."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
import textwrap
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from ott.core.app_context import AppContext
from ott.core.identity import Role
from ott.core.settings import Settings
from ott.registry import SERVICES, ServiceSpec
from tests.conftest import assert_error, free_port, settings_with, start_gateway
from tests.media.test_uploads import STREAM, User, create, make_user, offset_of
from tests.test_processes import _env, _stop, _wait_ready

MiB = 1024 * 1024
UPLOADS_CMS = ServiceSpec(
    "cms", "/api/cms", "tests.media.test_uploads:uploads_cms_app", private_reads=True
)
REPO = Path(__file__).resolve().parents[2]


async def _gateway(settings: Settings) -> tuple[httpx.AsyncClient, object]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(SERVICES, "cms", UPLOADS_CMS)
        return await start_gateway(settings)


@pytest.fixture(scope="module")
async def gateway(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    client, lifespan = await _gateway(settings)
    yield client
    await client.aclose()
    await lifespan.__aexit__(None, None, None)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
async def stores(settings: Settings) -> AsyncIterator[AppContext]:
    opened = AppContext.open(settings)
    yield opened
    await opened.close()


@pytest.fixture
async def editor(gateway: httpx.AsyncClient, stores: AppContext) -> User:
    return await make_user(gateway, stores, Role.EDITOR)


async def test_a_64_mib_patch_streams_through_the_in_process_gateway(
    gateway: httpx.AsyncClient, editor: User, settings: Settings
) -> None:
    size, piece = 64 * MiB, 256 * 1024
    block = bytes(range(256)) * (piece // 256)  # one block, sent again and again
    location = await create(gateway, editor, size)
    expected = hashlib.sha256()
    for _ in range(size // piece):
        expected.update(block)

    async def body() -> AsyncIterator[bytes]:
        for _ in range(size // piece):
            yield block

    rss_before = psutil.Process().memory_info().rss
    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        response = await gateway.patch(
            location,
            content=body(),
            headers={**editor.headers, **STREAM, "Upload-Offset": "0"},
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_growth = psutil.Process().memory_info().rss - rss_before
    assert response.status_code == 204, response.text
    assert response.headers["upload-offset"] == str(size)
    # Buffering the body would cost at least its 64 MiB; streaming costs one write batch.
    assert peak - baseline < 8 * MiB, f"peak grew by {(peak - baseline) / MiB:.1f} MiB"
    assert rss_growth < size // 2, f"RSS grew by {rss_growth / MiB:.1f} MiB"
    described = (await gateway.get(location, headers=editor.headers)).json()
    assert described["sha256"] == expected.hexdigest()
    assert (settings.data_dir / "uploads" / location.rsplit("/", 1)[1]).stat().st_size == size


async def test_streamed_bodies_over_the_upload_limit_get_413(
    settings: Settings, stores: AppContext
) -> None:
    small = settings_with(settings, max_upload_bytes=MiB)
    client, lifespan = await _gateway(small)
    try:
        editor = await make_user(client, stores, Role.EDITOR)
        location = await create(client, editor, MiB)
        declared = await client.patch(
            location,
            content=b"x" * (MiB + 1),
            headers={**editor.headers, **STREAM, "Upload-Offset": "0"},
        )
        assert_error(declared, 413, "payload_too_large")
        assert await offset_of(client, editor, location) == 0

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(17):
                yield b"y" * (64 * 1024)

        streamed = await client.patch(
            location, content=chunks(), headers={**editor.headers, **STREAM, "Upload-Offset": "0"}
        )
        assert_error(streamed, 413, "payload_too_large")
        # The service was told the client went away: what it kept is consistent and resumable.
        offset = await offset_of(client, editor, location)
        path = small.data_dir / "uploads" / location.rsplit("/", 1)[1]
        assert offset <= MiB
        assert path.stat().st_size == offset
        assert path.read_bytes() == b"y" * offset
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- split mode, real processes

_CMS_PROCESS = textwrap.dedent(
    """
    import uvicorn
    from ott.core.settings import get_settings
    from tests.media.test_uploads import uploads_cms_app

    settings = get_settings()
    uvicorn.run(
        uploads_cms_app(settings), host="127.0.0.1", port=settings.cms_service_port,
        log_config=None, access_log=False,
    )
    """
)


@pytest.fixture
def split_gateway(settings: Settings, tmp_path: Path) -> Iterator[str]:
    """`ott service gateway` and a CMS process serving uploads, each on its own port; they
    share the test run's Redis prefix so the in-process gateway's sign-ins are valid here."""
    gateway_port, cms_port = free_port(), free_port()
    env = _env(settings, tmp_path, CMS_SERVICE_PORT=str(cms_port), MEDIA_SERVICE_PORT=str(cms_port))
    env["REDIS_KEY_PREFIX"] = settings.redis_key_prefix
    spawn = {"env": env, "cwd": REPO, "start_new_session": True}
    gateway_args = ["service", "gateway", "--no-migrate", "--port", str(gateway_port)]
    cms = subprocess.Popen([sys.executable, "-c", _CMS_PROCESS], **spawn)  # type: ignore[call-overload]
    gateway = subprocess.Popen([sys.executable, "-m", "ott", *gateway_args], **spawn)  # type: ignore[call-overload]
    try:
        _wait_ready(f"http://127.0.0.1:{cms_port}", cms)
        _wait_ready(f"http://127.0.0.1:{gateway_port}", gateway)
        yield f"http://127.0.0.1:{gateway_port}"
    finally:
        _stop(gateway)
        _stop(cms)


async def _drop_mid_patch(url: str, user: User, location: str, total: int, part: bytes) -> None:
    """Send a PATCH announcing `total` bytes, send only `part`, then hang up."""
    host, port = url.removeprefix("http://").split(":")
    _, writer = await asyncio.open_connection(host, int(port))
    head = [
        f"PATCH {location} HTTP/1.1",
        f"Host: {host}:{port}",
        *(f"{name}: {value}" for name, value in user.headers.items()),
        f"Content-Type: {STREAM['Content-Type']}",
        "Upload-Offset: 0",
        f"Content-Length: {total}",
    ]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
    for start in range(0, len(part), MiB):
        writer.write(part[start : start + MiB])
        await writer.drain()
    await asyncio.sleep(0.5)  # let it reach the service
    writer.close()
    await writer.wait_closed()


@pytest.mark.processes
async def test_split_mode_resumes_an_upload_after_a_dropped_connection(
    split_gateway: str, editor: User
) -> None:
    data = os.urandom(24 * MiB)
    async with httpx.AsyncClient(base_url=split_gateway, timeout=60) as client:
        location = await create(client, editor, len(data))
        await _drop_mid_patch(split_gateway, editor, location, len(data), data[: 8 * MiB])

        # The service records what arrived once it sees the connection go; then resume.
        offset, resumed = 0, None
        for _ in range(100):
            offset = await offset_of(client, editor, location)
            if offset:
                resumed = await client.patch(
                    location,
                    content=data[offset:],
                    headers={**editor.headers, **STREAM, "Upload-Offset": str(offset)},
                )
                if resumed.status_code != 423:  # the dropped PATCH still holds the upload
                    break
            await asyncio.sleep(0.1)
        assert 0 < offset <= 8 * MiB
        assert resumed is not None
        assert resumed.status_code == 204, resumed.text
        assert resumed.headers["tus-resumable"] == "1.0.0"
        assert resumed.headers["upload-offset"] == str(len(data))

        described = (await client.get(location, headers=editor.headers)).json()
        assert described["completed"] is True
        assert described["sha256"] == hashlib.sha256(data).hexdigest()

        refused = await client.patch(
            location,
            content=b"z",
            headers={**editor.headers, **STREAM, "Upload-Offset": "0"},
        )
        assert_error(refused, 409, "offset_mismatch")
