"""The web app in a real browser, against the platform started the way a user starts it.

`ott serve --port <free> --data-dir <tmp>` runs as a subprocess with the demo catalog and its
videos (short ones: DEMO_VIDEO_SECONDS), on a database of its own; once a demo film is
playable, `node --test web/e2e/` runs the flows (web/e2e/*.test.mjs: Node's test runner,
playwright-core driving Debian's Chromium) against it: among them ads.test.mjs (a free
viewer's pre-roll, skipped, its impression counted once) and subscriptions.test.mjs (an
upgrade through the development checkout: no ads, a higher rung; failing renewals: the grace
period's banner, then the hold with ads again). This test builds nothing: it needs
the web app's export in web/out and its packages in web/node_modules (scripts/test makes
both) and fails, saying so, without them. Screenshots go to OTT_ARTIFACTS (default
web/e2e/artifacts/).

Store-independent (the flows see the platform through HTTP only), so scripts/test runs it on
the first pass alone.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from ott.core.settings import Settings
from ott.media.encoding.ffmpeg import resolve_ffmpeg
from tests.conftest import FAST_BCRYPT_ROUNDS, free_port, own_database

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web"
ADMIN_PASSWORD = "Browser-Admin-2026!"
STARTUP_TIMEOUT_S = 120  # migrations and the 240-title demo catalog come first
DEMO_TIMEOUT_S = 480  # the first demo film made and transcoded while the other test worker runs
FLOWS_TIMEOUT_S = 600  # the ad flows wait for their creatives to be transcoded too
E2E_GRACE_DAYS = "1"  # subscriptions.test.mjs reads it as OTT_E2E_GRACE_DAYS
# Flow 1 resumes a title after 10 s forward and a little more: its video must be longer.
DEMO_VIDEO_SECONDS = "20"


def _require(condition: bool, message: str) -> None:
    if not condition:
        pytest.fail(message, pytrace=False)


def _node() -> str:
    node = os.environ.get("OTT_NODE") or shutil.which("node")
    _require(
        node is not None,
        "no node on PATH (nor OTT_NODE): scripts/test puts the web app's Node there",
    )
    assert node is not None
    return node


def _chromium() -> str:
    chromium = os.environ.get("OTT_CHROMIUM", "/usr/bin/chromium")
    _require(
        os.access(chromium, os.X_OK),
        f"no Chromium at {chromium}: apt-get install -y chromium (scripts/test does), "
        "or set OTT_CHROMIUM",
    )
    return chromium


def _platform_env(settings: Settings, data_dir: Path) -> dict[str, str]:
    # The platform's settings come from here alone, never from the test run's environment
    # (a suite's conftest may have set some; RUN_WORKER_IN_PROCESS=false once left the demo
    # videos untranscoded).
    setting_names = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in setting_names}
    env.update(
        OTT_ENV="development",
        RUN_WORKER_IN_PROCESS="true",
        DATABASE_URL=str(settings.database_url),
        REDIS_URL=str(settings.redis_url),
        REDIS_KEY_PREFIX=f"{settings.redis_key_prefix}web-{uuid.uuid4().hex[:6]}:",
        JWT_SECRET=settings.resolved_jwt_secret(),
        BCRYPT_ROUNDS=str(FAST_BCRYPT_ROUNDS),
        DATA_DIR=str(data_dir),
        WEB_DIST_DIR=str(WEB / "out"),
        LOG_LEVEL=os.environ.get("OTT_WEB_TEST_LOG_LEVEL", "INFO"),
        DEMO_VIDEO_SECONDS=DEMO_VIDEO_SECONDS,
        TRANSCODE_PRESET="ultrafast",
        # The demo videos are short: let them keep resume points (300 s by default).
        ACTIVITY_MIN_RESUME_SECONDS="0",
        # Every anonymous call of the flows comes from 127.0.0.1, one budget for all of them.
        RATE_LIMIT_PER_MINUTE="5000",
        # The lapsed-payment flow (subscriptions.test.mjs) moves a subscription's dates back
        # (POST /dev/advance) and waits for the jobs: renewal, the grace period, the hold.
        SUBSCRIPTION_JOB_INTERVAL_SECONDS="2",
        SUBSCRIPTION_GRACE_DAYS=E2E_GRACE_DAYS,
    )
    return env


def _log_tail(path: Path, lines: int = 60) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _wait_until(
    url: str,
    what: str,
    *,
    timeout: float,
    process: subprocess.Popen[bytes],
    log: Path,
    check: Callable[[httpx.Response], bool],
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _require(
            process.poll() is None,
            f"ott serve exited ({process.returncode}) while waiting for {what}:\n{_log_tail(log)}",
        )
        try:
            if check(httpx.get(url, timeout=5)):
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    pytest.fail(
        f"gave up after {timeout:.0f} s waiting for {what}:\n{_log_tail(log)}", pytrace=False
    )


def _require_build() -> None:
    """The web app's export and packages, made by scripts/test (never here)."""
    _require(
        (WEB / "out" / "index.html").is_file(),
        "web/out/index.html is missing: build the web app first "
        "(scripts/test does; or npm ci && npm run build in web/)",
    )
    for package in ("playwright-core", "@axe-core/playwright"):
        _require(
            (WEB / "node_modules" / package / "package.json").is_file(),
            f"web/node_modules/{package} is missing: npm ci in web/ (scripts/test does)",
        )


@pytest.fixture
def platform(settings: Settings, tmp_path: Path) -> Iterator[dict[str, str]]:
    """`ott serve` on a free port, on a database of its own, with the demo catalog and videos."""
    _require_build()
    with own_database(settings, "web") as own:
        data_dir = tmp_path / "data"
        env = _platform_env(own, data_dir)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = tmp_path / "serve.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ott",
                    "serve",
                    "--port",
                    str(port),
                    "--data-dir",
                    str(data_dir),
                ],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_until(
                f"{url}/ready",
                "the platform to be ready",
                timeout=STARTUP_TIMEOUT_S,
                process=process,
                log=log,
                check=lambda r: r.status_code == 200,
            )
            admin = f"admin-{uuid.uuid4().hex[:8]}@example.com"
            created = subprocess.run(
                [sys.executable, "-m", "ott", "create-admin", admin, "--password", ADMIN_PASSWORD],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            _require(
                created.returncode == 0,
                f"ott create-admin failed:\n{created.stdout}\n{created.stderr}",
            )
            _wait_until(
                f"{url}/api/catalog/content?type=movie&limit=100",
                "a playable demo film",
                timeout=DEMO_TIMEOUT_S,
                process=process,
                log=log,
                check=lambda r: (
                    r.status_code == 200 and any(t["playable"] for t in r.json()["items"])
                ),
            )
            _pause_house_campaigns(url, admin)
            yield {
                "url": url,
                "admin_email": admin,
                "admin_password": ADMIN_PASSWORD,
                "log": str(log),
            }
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(5)


def _pause_house_campaigns(url: str, admin: str) -> None:
    """Pause the demo's house campaign (a pre-roll for every free viewer): the flows that are
    about ads make campaigns of their own, and the others count players and frames that an ad
    would change."""
    with httpx.Client(base_url=url, timeout=30) as client:
        login = client.post("/api/auth/login", json={"email": admin, "password": ADMIN_PASSWORD})
        _require(login.status_code == 200, f"admin login: {login.status_code} {login.text}")
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        active = client.get("/api/ads/campaigns", params={"status": "active"}, headers=headers)
        _require(active.status_code == 200, f"campaigns: {active.status_code} {active.text}")
        _require(bool(active.json()), "the demo's house campaign is missing")
        for campaign in active.json():
            paused = client.post(
                f"/api/ads/campaigns/{campaign['id']}/actions/pause", headers=headers
            )
            _require(paused.status_code == 200, f"pause: {paused.status_code} {paused.text}")


def test_the_web_app_in_a_real_browser(platform: dict[str, str]) -> None:
    env = {
        **os.environ,
        "OTT_BASE_URL": platform["url"],
        "OTT_CHROMIUM": _chromium(),
        "OTT_ARTIFACTS": os.environ.get("OTT_ARTIFACTS", str(WEB / "e2e" / "artifacts")),
        "OTT_ADMIN_EMAIL": platform["admin_email"],
        "OTT_ADMIN_PASSWORD": platform["admin_password"],
        "OTT_E2E_GRACE_DAYS": E2E_GRACE_DAYS,
        "FFMPEG_BINARY": resolve_ffmpeg(os.environ.get("FFMPEG_BINARY")),
    }
    try:
        run = subprocess.run(
            [_node(), "--test", "--test-concurrency=2", "--test-reporter=spec", "e2e/"],
            cwd=WEB,
            env=env,
            capture_output=True,
            text=True,
            timeout=FLOWS_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as timeout:
        partial = timeout.stdout or b""
        output = partial.decode(errors="replace") if isinstance(partial, bytes) else str(partial)
        pytest.fail(f"the browser flows took over {FLOWS_TIMEOUT_S} s:\n{output}", pytrace=False)
    if run.returncode != 0:
        pytest.fail(
            f"browser flows failed (node --test web/e2e/, exit {run.returncode}):\n"
            f"{run.stdout}\n{run.stderr}"
            f"\n--- ott serve's log ---\n{_log_tail(Path(platform['log']))}",
            pytrace=False,
        )
    print(run.stdout)
