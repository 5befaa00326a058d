"""Split mode: the gateway passes media answers of the streaming service's own process on as
they arrive, with their status and headers (ranges, 206, 416, HEAD)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from ott.core.settings import Settings
from ott.core.signing import MediaSigner
from tests.conftest import assert_error, free_port
from tests.processes.running import platform_env, spawn, stop, wait_ready

pytestmark = pytest.mark.processes

SECRET = "split-test-signing-secret-" + "0123456789abcdef"
FOLDER = "videos/11111111-1111-1111-1111-111111111111/22222222-2222-2222-2222-222222222222"


@dataclass
class Split:
    url: str
    data: bytes  # a 6 MiB "segment" in FOLDER


@pytest.fixture(scope="module")
def split(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Split]:
    run_dir = tmp_path_factory.mktemp("split-media")
    data = os.urandom(6 * 1024 * 1024)
    segment = run_dir / "media" / FOLDER / "chunk_0_00001.m4s"
    segment.parent.mkdir(parents=True)
    segment.write_bytes(data)
    gateway_port, streaming_port = free_port(), free_port()
    env = platform_env(
        settings,
        run_dir,
        MEDIA_SIGNING_SECRET=SECRET,
        STREAMING_SERVICE_PORT=str(streaming_port),
    )
    streaming = spawn(["service", "streaming"], env)
    gateway = spawn(["service", "gateway", "--port", str(gateway_port)], env)
    try:
        wait_ready(f"http://127.0.0.1:{streaming_port}", streaming)
        wait_ready(f"http://127.0.0.1:{gateway_port}", gateway)
        yield Split(f"http://127.0.0.1:{gateway_port}", data)
    finally:
        stop(gateway)
        stop(streaming)


def test_media_answers_pass_through_the_split_gateway(split: Split) -> None:
    url = (
        MediaSigner(secret=SECRET, base_url="/media", token_seconds=60)
        .sign(FOLDER)
        .url("chunk_0_00001.m4s")
    )
    size = len(split.data)
    with httpx.Client(base_url=split.url, timeout=30) as client:
        whole = client.get(url)
        assert whole.status_code == 200
        assert whole.headers["content-length"] == str(size)
        assert whole.headers["content-type"] == "video/iso.segment"
        assert whole.content == split.data

        with client.stream("GET", url) as streamed:
            assert streamed.status_code == 200
            pieces = list(streamed.iter_raw())
        assert b"".join(pieces) == split.data

        part = client.get(url, headers={"range": "bytes=1048576-2097151"})
        assert part.status_code == 206
        assert part.headers["content-range"] == f"bytes 1048576-2097151/{size}"
        assert part.content == split.data[1048576:2097152]

        head = client.head(url)
        assert (head.status_code, head.content) == (200, b"")
        assert head.headers["content-length"] == str(size)

        assert_error(client.get(url, headers={"range": f"bytes={size}-"}), 416)
        assert_error(client.get(url.replace("/s/", "/s/x", 1)), 403)
        assert_error(client.get(f"/media/{FOLDER}/chunk_0_00001.m4s"), 403, "signed_url_required")
        assert "x-ratelimit-limit" not in whole.headers


def test_the_split_gateway_reports_an_absent_file(split: Split) -> None:
    url = (
        MediaSigner(secret=SECRET, base_url="/media", token_seconds=60)
        .sign(FOLDER)
        .url("missing.m4s")
    )
    response = httpx.get(split.url + url, timeout=10)
    assert_error(response, 404)
