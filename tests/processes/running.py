"""Running the platform as real processes in tests: `ott serve`, `--split`, `ott service`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from ott.core.settings import Settings
from tests.conftest import FAST_BCRYPT_ROUNDS, unique_email

STARTUP_TIMEOUT_S = 60


def platform_env(settings: Settings, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTGRES_", "AUTH_"))}
    env.update(
        OTT_ENV="test",
        DATABASE_URL=str(settings.database_url),
        REDIS_URL=str(settings.redis_url),
        REDIS_KEY_PREFIX=settings.redis_key_prefix + "proc:",
        JWT_SECRET=settings.resolved_jwt_secret(),
        BCRYPT_ROUNDS=str(FAST_BCRYPT_ROUNDS),
        DATA_DIR=str(data_dir),
        LOG_LEVEL="WARNING",
        DEMO_VIDEO_SECONDS="2",  # demo videos that `ott seed` or `ott serve` make: short ones
    )
    env.update(extra)
    return env


def spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ott", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, f"process exited with {process.returncode}"
        try:
            if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not become ready")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


def sign_up_and_list_profiles(url: str) -> None:
    with httpx.Client(base_url=url, timeout=10) as client:
        registered = client.post(
            "/api/auth/register",
            json={"email": unique_email(), "password": "Streaming-Tests-42"},
            headers={"X-Correlation-Id": "process-test"},
        )
        assert registered.status_code == 201, registered.text
        assert registered.headers["x-correlation-id"] == "process-test"
        token = registered.json()["access_token"]
        profiles = client.get("/api/auth/profiles", headers={"Authorization": f"Bearer {token}"})
        assert profiles.status_code == 200, profiles.text
        assert len(profiles.json()) == 1


WEB_HOME = "<!DOCTYPE html><html><body><h1>OTT</h1><script>self.__next_f=[]</script></body></html>"


def fake_web_export(folder: Path) -> Path:
    """A tiny static export for WEB_DIST_DIR: a home page and one hashed build file."""
    (folder / "_next" / "static" / "chunks").mkdir(parents=True)
    (folder / "index.html").write_text(WEB_HOME)
    (folder / "_next" / "static" / "chunks" / "app-1a2b.js").write_text("console.log(1);\n" * 50)
    return folder


def assert_serves_the_web_app(url: str) -> None:
    """The gateway answers the export's files, with their caching and security headers."""
    with httpx.Client(base_url=url, timeout=10) as client:
        home = client.get("/")
        assert home.status_code == 200, home.text
        assert home.text == WEB_HOME
        assert home.headers["cache-control"] == "no-cache"
        assert "'sha256-" in home.headers["content-security-policy"]
        chunk = client.get("/_next/static/chunks/app-1a2b.js", headers={"Accept-Encoding": "gzip"})
        assert chunk.status_code == 200
        assert chunk.headers["content-encoding"] == "gzip"
        assert chunk.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert client.get("/no-such-page").status_code == 404


def fresh_machine_env() -> dict[str, str]:
    """The environment of a machine with no stores configured: `ott serve` starts its own."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("POSTGRES_", "DATABASE_", "REDIS_", "JWT_"))
    }
    env.update(
        OTT_ENV="development",
        BCRYPT_ROUNDS=str(FAST_BCRYPT_ROUNDS),
        LOG_LEVEL="WARNING",
        # The demo videos `ott serve` makes: short and quick to transcode.
        DEMO_VIDEO_SECONDS="2",
        TRANSCODE_PRESET="ultrafast",
    )
    return env
