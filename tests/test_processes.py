"""The platform as real processes: `ott serve`, `ott serve --split` and `ott service`."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from ott.core.settings import Settings
from tests.conftest import database_named, free_port, run_sql, unique_email
from tests.processes.running import (
    assert_serves_the_web_app,
    fake_web_export,
    fresh_machine_env,
    platform_env,
    sign_up_and_list_profiles,
    spawn,
    stop,
    wait_ready,
)

pytestmark = pytest.mark.processes

# The old names, still imported by tests/gateway/test_streaming_upload.py; new code imports
# from tests.processes.running.
_env, _stop, _wait_ready = platform_env, stop, wait_ready


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return tmp_path


def test_ott_serve_runs_everything_in_one_process(settings: Settings, run_dir: Path) -> None:
    port = free_port()
    web = fake_web_export(run_dir / "web-out")
    env = platform_env(settings, run_dir, WEB_DIST_DIR=str(web))
    process = spawn(["serve", "--no-demo", "--port", str(port)], env)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url, process)
        sign_up_and_list_profiles(url)
        assert_serves_the_web_app(url)
        assert psutil.Process(process.pid).children(recursive=True) == []
    finally:
        stop(process)


def test_ott_serve_workers_share_the_port_and_a_dead_one_is_replaced(
    settings: Settings, run_dir: Path
) -> None:
    port = free_port()
    web = fake_web_export(run_dir / "web-out")
    env = platform_env(settings, run_dir, WEB_DIST_DIR=str(web))
    process = spawn(["serve", "--no-demo", "--workers", "2", "--port", str(port)], env)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url, process)
        workers = _python_children(process.pid, count=2)
        sign_up_and_list_profiles(url)
        for _ in range(4):  # whichever worker answers
            assert_serves_the_web_app(url)
        workers[0].kill()
        replaced = _python_children(process.pid, count=2, without={workers[0].pid})
        assert workers[1].pid in {w.pid for w in replaced}
        wait_ready(url, process)
        sign_up_and_list_profiles(url)
    finally:
        stop(process)
    _, alive = psutil.wait_procs(replaced, timeout=15)
    assert alive == []


def _python_children(
    pid: int, *, count: int, without: set[int] = frozenset(), timeout: float = 60.0
) -> list[psutil.Process]:
    """The `ott serve --workers` processes (not multiprocessing's resource tracker)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [
            child
            for child in psutil.Process(pid).children()
            if child.pid not in without and _is_worker(child)
        ]
        if len(found) >= count or time.monotonic() > deadline:
            assert len(found) == count, found
            return found
        time.sleep(0.2)


def _is_worker(process: psutil.Process) -> bool:
    try:
        return "spawn_main" in " ".join(process.cmdline())
    except psutil.Error:  # gone, or a zombie its parent has not reaped yet
        return False


def test_ott_serve_refuses_workers_with_split(settings: Settings, run_dir: Path) -> None:
    process = spawn(["serve", "--split", "--workers", "2"], platform_env(settings, run_dir))
    assert process.wait(60) == 2


def test_ott_serve_split_runs_a_process_per_service(settings: Settings, run_dir: Path) -> None:
    gateway_port, auth_port = free_port(), free_port()
    web = fake_web_export(run_dir / "web-out")
    env = platform_env(settings, run_dir, AUTH_SERVICE_PORT=str(auth_port), WEB_DIST_DIR=str(web))
    process = spawn(["serve", "--split", "--no-demo", "--port", str(gateway_port)], env)
    try:
        url = f"http://127.0.0.1:{gateway_port}"
        wait_ready(url, process)
        sign_up_and_list_profiles(url)
        assert_serves_the_web_app(url)
        children = psutil.Process(process.pid).children()
        assert any("auth" in " ".join(child.cmdline()) for child in children)
        # The auth service answers on its own port too.
        assert httpx.get(f"http://127.0.0.1:{auth_port}/health").json()["service"] == "auth"
    finally:
        stop(process)
    time.sleep(0.5)
    assert all(
        not child.is_running() or child.status() == psutil.STATUS_ZOMBIE for child in children
    )


@pytest.fixture
def split_pair(settings: Settings, run_dir: Path) -> Iterator[dict[str, object]]:
    """`ott service auth` and `ott service gateway` started separately."""
    gateway_port, auth_port = free_port(), free_port()
    env = platform_env(
        settings, run_dir, AUTH_SERVICE_PORT=str(auth_port), CIRCUIT_RESET_SECONDS="1"
    )
    auth = spawn(["service", "auth"], env)
    gateway = spawn(["service", "gateway", "--port", str(gateway_port)], env)
    state: dict[str, object] = {
        "env": env,
        "auth": auth,
        "gateway": gateway,
        "url": f"http://127.0.0.1:{gateway_port}",
        "auth_url": f"http://127.0.0.1:{auth_port}",
    }
    try:
        wait_ready(str(state["auth_url"]), auth)
        wait_ready(str(state["url"]), gateway)
        yield state
    finally:
        stop(gateway)
        stop(state["auth"])  # type: ignore[arg-type]


def test_a_service_that_is_down_gives_a_quick_503_and_recovers(split_pair) -> None:
    url = str(split_pair["url"])
    sign_up_and_list_profiles(url)
    stop(split_pair["auth"])  # type: ignore[arg-type]
    with httpx.Client(base_url=url, timeout=10) as client:
        for _ in range(8):  # enough to open the circuit breaker
            started = time.monotonic()
            response = client.post(
                "/api/auth/login", json={"email": unique_email(), "password": "x" * 10}
            )
            elapsed = time.monotonic() - started
            assert response.status_code == 503, response.text
            assert response.json()["error"]["code"] in ("service_unavailable", "circuit_open")
            assert elapsed < 1.0
        assert client.get("/health").status_code == 200  # the gateway itself is fine

        split_pair["auth"] = spawn(["service", "auth", "--no-migrate"], split_pair["env"])  # type: ignore[arg-type]
        wait_ready(str(split_pair["auth_url"]), split_pair["auth"])  # type: ignore[arg-type]
        time.sleep(1.2)  # the breaker's reset timeout in this test
    sign_up_and_list_profiles(url)


def test_ott_help_describes_every_command() -> None:
    commands = ["serve", "service", "worker", "transcode", "migrate", "seed", "create-admin"]
    for args in [[], *([command] for command in commands)]:
        result = subprocess.run(
            [sys.executable, "-m", "ott", *args, "--help"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "Usage" in result.stdout


def test_create_admin_command(settings: Settings, run_dir: Path) -> None:
    email = unique_email("admin")
    env = platform_env(settings, run_dir, OTT_ADMIN_PASSWORD="Admin-Password-77")
    result = subprocess.run(
        [sys.executable, "-m", "ott", "create-admin", email],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "is an admin" in result.stderr
    weak = subprocess.run(
        [sys.executable, "-m", "ott", "create-admin", unique_email("admin")],
        env=env | {"OTT_ADMIN_PASSWORD": "password"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert weak.returncode == 1
    assert "too weak" in weak.stderr


def test_embedded_stores_keep_accounts_across_restarts(machine_dir: Path) -> None:
    """A fresh machine: no database configured, so `ott serve` starts its own PostgreSQL and
    Redis in the data folder; a restart finds the account and its session still there."""
    env = fresh_machine_env()
    data_dir = machine_dir / "fresh"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    email = unique_email()
    args = ["serve", "--port", str(port), "--data-dir", str(data_dir)]

    process = spawn(args, env)
    try:
        wait_ready(url, process)
        registered = httpx.post(
            f"{url}/api/auth/register", json={"email": email, "password": "Streaming-Tests-42"}
        )
        assert registered.status_code == 201, registered.text
        refresh_token = registered.json()["refresh_token"]
    finally:
        stop(process)
    assert (data_dir / "postgres").is_dir()
    assert (data_dir / "redis" / "appendonly.aof").exists() or (data_dir / "redis").is_dir()

    process = spawn(args, env)
    try:
        wait_ready(url, process)
        login = httpx.post(
            f"{url}/api/auth/login", json={"email": email, "password": "Streaming-Tests-42"}
        )
        assert login.status_code == 200, login.text
        refreshed = httpx.post(f"{url}/api/auth/refresh", json={"refresh_token": refresh_token})
        assert refreshed.status_code == 200, refreshed.text
        # The first start loaded the demo catalog, once.
        listing = httpx.get(f"{url}/api/catalog/content", params={"limit": 100}).json()
        assert len(listing["items"]) == 100
        # The embedded PostgreSQL has no pg_trgm: typos are corrected from the vocabulary.
        found = httpx.get(f"{url}/api/catalog/search", params={"q": "dark knigt"}).json()
        assert found["typo_tolerant"]
        assert "The Dark Knight of Chandni Chowk" in [item["title"] for item in found["items"]]
    finally:
        stop(process)


def test_ott_seed_is_idempotent(settings: Settings, run_dir: Path) -> None:
    name = f"ott_seed_{uuid.uuid4().hex[:8]}"
    admin = database_named(str(settings.database_url), "postgres", driver=None)
    run_sql(admin, f'CREATE DATABASE "{name}"')
    try:
        url = database_named(str(settings.database_url), name)
        env = platform_env(settings, run_dir) | {"DATABASE_URL": url}
        outputs = [
            subprocess.run(
                [sys.executable, "-m", "ott", "seed", "--count", "30"],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            for _ in range(2)
        ]
        assert [o.returncode for o in outputs] == [0, 0], outputs[0].stderr
        assert "30 created" in outputs[0].stderr
        assert "0 created" in outputs[1].stderr
        assert "30 unchanged" in outputs[1].stderr
    finally:
        run_sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
