"""Production serving, end to end: a real Nginx with the configuration from deploy/nginx (as
`ott nginx-config` renders it) in front of `ott serve`. A viewer signs up and starts a title
through Nginx; FFmpeg reads the signed master playlist over HTTP through Nginx and decodes
every rung and audio track, and the session's own manifest too; Nginx refuses tampered,
expired and other-encoding tokens as the streaming service does.

Nginx comes from Debian's nginx-light (scripts/test installs it and sets OTT_REQUIRE_NGINX=1,
under which a missing nginx fails this test instead of skipping it).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import m3u8
import pytest

from ott.core.settings import Settings
from ott.core.signing import MediaSigner
from ott.media.encoding.ffmpeg import resolve_ffmpeg
from ott.streaming.nginx import render
from tests.catalog.conftest import Catalog
from tests.conftest import assert_error, free_port, settings_with
from tests.processes.running import platform_env, spawn, stop, wait_ready
from tests.streaming.conftest import Encoded, Videos, started, watcher

pytestmark = pytest.mark.processes

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "deploy" / "nginx" / "ott.conf.template"
SECRET = "nginx-test-signing-secret-" + "0123456789abcdef"
ORIGIN = "http://localhost:3000"


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found:
        return found
    if os.environ.get("OTT_REQUIRE_NGINX") == "1":
        pytest.fail("nginx is not installed, and OTT_REQUIRE_NGINX=1 (scripts/test installs it)")
    pytest.skip("nginx is not installed (apt-get install nginx-light; scripts/test does)")


@dataclass
class Site:
    url: str  # Nginx
    media_root: Path
    settings: Settings  # what `ott serve` runs on


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text() if log.exists() else "nginx exited"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("nginx did not start listening")


@pytest.fixture(scope="module")
def site(stream_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    binary = nginx_binary()
    run_dir = tmp_path_factory.mktemp("nginx-site")
    media_root = run_dir / "media"
    media_root.mkdir()
    gateway_port, nginx_port = free_port(), free_port()
    env = platform_env(
        stream_settings,
        run_dir,
        MEDIA_SIGNING_SECRET=SECRET,
        RUN_WORKER_IN_PROCESS="false",
        STREAM_MAX_HEIGHT_FREE=str(stream_settings.stream_max_height_free),
        CATALOG_CACHE_SECONDS="0",
    )
    gateway = spawn(["serve", "--no-demo", "--port", str(gateway_port)], env)

    nginx_dir = run_dir / "nginx"
    nginx_dir.mkdir()
    (nginx_dir / "ott.conf").write_text(
        render(
            TEMPLATE.read_text(),
            listen=f"127.0.0.1:{nginx_port}",
            gateway=f"127.0.0.1:{gateway_port}",
            media_root=media_root,
            secret=SECRET,
            cors_origins=[ORIGIN],
        )
    )
    # The test's folders are private to its user: workers run as that user too.
    user = "user root;" if os.geteuid() == 0 else ""
    temp_paths = " ".join(
        f"{kind}_temp_path {nginx_dir / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (nginx_dir / "nginx.conf").write_text(
        f"daemon off; worker_processes 1; {user}\n"
        f"pid {nginx_dir / 'nginx.pid'};\n"
        f"error_log {nginx_dir / 'error.log'} warn;\n"
        "events { worker_connections 256; }\n"
        f"http {{ access_log off; {temp_paths} include {nginx_dir / 'ott.conf'}; }}\n"
    )
    nginx = subprocess.Popen(
        [binary, "-p", str(nginx_dir), "-c", str(nginx_dir / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(nginx_port, nginx, nginx_dir / "error.log")
        wait_ready(f"http://127.0.0.1:{gateway_port}", gateway)
        yield Site(
            f"http://127.0.0.1:{nginx_port}",
            media_root,
            settings_with(stream_settings, data_dir=run_dir, media_signing_secret=SECRET),
        )
    finally:
        nginx.terminate()
        nginx.wait(10)
        stop(gateway)


@pytest.fixture
async def client(site: Site) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as http:
        yield http


def _decode(url: str, *extra: str) -> None:
    """FFmpeg reads `url` and decodes every picture and sound of it; any error fails."""
    process = subprocess.run(
        [
            resolve_ffmpeg(),
            "-hide_banner",
            "-nostdin",
            "-v",
            "error",
            *extra,
            "-i",
            url,
            "-map",
            "0:v?",
            "-map",
            "0:a?",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    assert process.stderr.strip() == "", process.stderr


async def test_ffmpeg_plays_every_rung_through_nginx(
    site: Site, client: httpx.AsyncClient, catalog: Catalog, encoded: Encoded
) -> None:
    videos = Videos(catalog.resources, site.settings, encoded)
    film = await catalog.title("Served By Nginx")
    video = await videos.add(film)
    who = await watcher(client, catalog, premium=True)
    body = await started(client, who, film)
    base = site.url + body["media"]["base_url"]

    master_url = base + "master.m3u8"
    master = await client.get(master_url)
    assert master.status_code == 200, master.text
    assert master.headers["content-type"] == "application/vnd.apple.mpegurl"
    assert master.headers["cache-control"] == "public, max-age=60"
    parsed = m3u8.loads(master.text)
    rungs = [base + p.uri for p in parsed.playlists]
    audio = [base + m.uri for m in parsed.media if m.type == "AUDIO"]
    assert len(rungs) == len(video.result["renditions"]) == 2
    assert len(audio) == 2
    _decode(master_url)
    for playlist in [*rungs, *audio]:
        _decode(playlist)

    # The session's own manifest (absolute URIs under the token) plays through Nginx too.
    token = who.headers["Authorization"]
    _decode(
        site.url + body["manifest_url"],
        "-headers",
        f"Authorization: {token}\r\nX-Viewer-Country: {who.country}\r\n",
    )

    segment = await client.get(base + "chunk_0_00001.m4s", headers={"range": "bytes=0-99"})
    assert segment.status_code == 206
    assert segment.headers["content-type"] == "video/iso.segment"
    assert segment.headers["cache-control"] == "public, max-age=31536000, immutable"
    on_disk = site.media_root / video.folder / "chunk_0_00001.m4s"
    assert segment.content == on_disk.read_bytes()[:100]


async def test_nginx_refuses_what_the_streaming_service_refuses(
    site: Site, client: httpx.AsyncClient, catalog: Catalog, encoded: Encoded
) -> None:
    videos = Videos(catalog.resources, site.settings, encoded)
    mine = await videos.add(await catalog.title("Guarded"))
    other = await videos.add(await catalog.title("Other Encoding"))
    signer = MediaSigner(secret=SECRET, base_url="/media", token_seconds=600)
    good = signer.sign(mine.folder)
    assert (await client.get(good.url("master.m3u8"))).status_code == 200
    token, expires = good.base_url.split("/")[3:5]
    tampered = ("A" if token[0] != "A" else "B") + token[1:]

    response = await client.get(f"/media/s/{tampered}/{expires}/{mine.folder}/master.m3u8")
    assert_error(response, 403, "invalid_media_token")
    response = await client.get(f"/media/s/{token}/{expires}/{other.folder}/master.m3u8")
    assert_error(response, 403, "invalid_media_token")
    response = await client.get(f"/media/s/{token}/{int(expires) + 1}/{mine.folder}/master.m3u8")
    assert_error(response, 403, "invalid_media_token")
    expired = signer.sign(mine.folder, now=time.time() - 700)
    assert_error(await client.get(expired.url("master.m3u8")), 410, "media_token_expired")
    assert_error(await client.get(good.url("no_such.m4s")), 404)
    # The same answers as the streaming service itself gives (it answers the unsigned ones).
    assert_error(await client.get(f"/media/{mine.folder}/master.m3u8"), 403, "signed_url_required")
    poster = await client.get(f"/media/{mine.folder}/poster.jpg")
    assert poster.status_code == 200
    assert poster.content[:2] == b"\xff\xd8"

    preflight = await client.options(
        good.url("chunk_0_00001.m4s"),
        headers={
            "origin": ORIGIN,
            "access-control-request-method": "GET",
            "access-control-request-headers": "range",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert preflight.headers["access-control-allow-headers"] == "Range"
    ranged = await client.get(
        good.url("chunk_0_00001.m4s"), headers={"origin": ORIGIN, "range": "bytes=0-9"}
    )
    assert ranged.headers["access-control-allow-origin"] == ORIGIN
    assert "Content-Range" in ranged.headers["access-control-expose-headers"]
    stranger = await client.get(good.url("chunk_0_00001.m4s"), headers={"origin": "http://evil"})
    assert "access-control-allow-origin" not in stranger.headers
