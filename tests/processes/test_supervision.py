"""`ott serve` keeps running what it started: an embedded store or a `--split` service process
that is killed comes back by itself, and the platform recovers without a restart."""

from __future__ import annotations

import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from ott.core.settings import Settings
from tests.conftest import TEST_PASSWORD, free_port, unique_email
from tests.processes.running import fresh_machine_env, platform_env, spawn, stop, wait_ready

pytestmark = pytest.mark.processes

RECOVERY_TIMEOUT_S = 45


class Platform:
    def __init__(self, url: str, process: subprocess.Popen[bytes], data_dir: Path) -> None:
        self.url = url
        self.process = process
        self.data_dir = data_dir
        self.email = unique_email()

    def login(self) -> httpx.Response:
        return httpx.post(
            f"{self.url}/api/auth/login",
            json={"email": self.email, "password": TEST_PASSWORD},
            timeout=10,
        )


def eventually(check: Callable[[], bool], what: str) -> float:
    """Seconds until `check()` holds (failing the test after RECOVERY_TIMEOUT_S)."""
    started = time.monotonic()
    while time.monotonic() - started < RECOVERY_TIMEOUT_S:
        try:
            if check():
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"{what} did not happen within {RECOVERY_TIMEOUT_S} s")


@pytest.fixture(scope="module")
def embedded(stores_root: Path) -> Iterator[Platform]:
    """`ott serve` on a machine with no stores configured: it runs its own."""
    data_dir = Path(tempfile.mkdtemp(prefix="supervised-", dir=stores_root)) / "ott"
    port = free_port()
    process = spawn(
        ["serve", "--no-demo", "--port", str(port), "--data-dir", str(data_dir)],
        fresh_machine_env(),
    )
    platform = Platform(f"http://127.0.0.1:{port}", process, data_dir)
    try:
        wait_ready(platform.url, process)
        registered = httpx.post(
            f"{platform.url}/api/auth/register",
            json={"email": platform.email, "password": TEST_PASSWORD},
            timeout=10,
        )
        assert registered.status_code == 201, registered.text
        yield platform
    finally:
        stop(process)


def kill(process: psutil.Process) -> None:
    """SIGKILL, then wait until it is gone (or a zombie: reaping it is its parent's job)."""
    process.kill()
    for _ in range(100):
        if not process.is_running() or process.status() == psutil.STATUS_ZOMBIE:
            return
        time.sleep(0.05)
    raise AssertionError(f"pid {process.pid} survived SIGKILL")


def _redis_server(platform: Platform) -> psutil.Process:
    [server] = [
        child
        for child in psutil.Process(platform.process.pid).children()
        if "redis-server" in child.name() and child.status() != psutil.STATUS_ZOMBIE
    ]
    return server


def _postmaster_pid(platform: Platform) -> int:
    return int((platform.data_dir / "postgres" / "postmaster.pid").read_text().split()[0])


def test_a_killed_embedded_redis_is_restarted(embedded: Platform) -> None:
    assert embedded.login().status_code == 200
    old = _redis_server(embedded)
    kill(old)

    eventually(lambda: embedded.login().status_code == 200, "a login after Redis was killed")
    assert _redis_server(embedded).pid != old.pid
    assert httpx.get(f"{embedded.url}/ready").status_code == 200


def test_a_killed_embedded_postgres_is_restarted(embedded: Platform) -> None:
    assert embedded.login().status_code == 200
    old = _postmaster_pid(embedded)
    kill(psutil.Process(old))

    eventually(lambda: embedded.login().status_code == 200, "a login after PostgreSQL was killed")
    new = _postmaster_pid(embedded)
    assert new != old
    assert psutil.Process(new).name() == "postgres"
    eventually(
        lambda: httpx.get(f"{embedded.url}/ready").status_code == 200, "ready after PostgreSQL"
    )


def test_a_killed_split_service_is_restarted(settings: Settings, tmp_path: Path) -> None:
    gateway_port, auth_port = free_port(), free_port()
    env = platform_env(
        settings, tmp_path, AUTH_SERVICE_PORT=str(auth_port), CIRCUIT_RESET_SECONDS="1"
    )
    process = spawn(["serve", "--split", "--no-demo", "--port", str(gateway_port)], env)
    url = f"http://127.0.0.1:{gateway_port}"

    def auth_child() -> psutil.Process | None:
        for child in psutil.Process(process.pid).children():
            if "auth" in child.cmdline() and child.status() != psutil.STATUS_ZOMBIE:
                return child
        return None

    def signs_up() -> bool:
        response = httpx.post(
            f"{url}/api/auth/register",
            json={"email": unique_email(), "password": TEST_PASSWORD},
            timeout=10,
        )
        return response.status_code == 201

    try:
        wait_ready(url, process)
        assert signs_up()
        old = auth_child()
        assert old is not None
        kill(old)

        eventually(signs_up, "a sign-up after the auth process was killed")
        new = auth_child()
        assert new is not None
        assert new.pid != old.pid
    finally:
        stop(process)
