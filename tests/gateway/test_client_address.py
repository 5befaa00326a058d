"""Anonymous callers are counted by an address they cannot choose: X-Forwarded-For counts only
with TRUST_FORWARDED_FOR and only as far as TRUSTED_PROXIES vouch for it, whatever the ASGI
server did with the header; requests with invalid tokens, /ready and OPTIONS are counted too."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from ott.core.settings import Settings
from ott.gateway.client_address import UNVERIFIED_FORWARDER, ClientAddress
from ott.gateway.service import WINDOW_SECONDS
from tests.conftest import assert_error, free_port, settings_with
from tests.gateway.conftest import clear_of_a_minute_boundary, start_gateway_from
from tests.test_processes import _env, _stop

REPO = Path(__file__).resolve().parents[2]
GENRES = "/api/catalog/genres"
PEER = ("203.0.113.7", 5555)


def _scope(peer: str, *forwarded: str) -> dict:
    return {
        "client": (peer, 41000),
        "headers": [(b"x-forwarded-for", value.encode()) for value in forwarded],
    }


@pytest.mark.parametrize(
    ("trust", "peer", "forwarded", "expected"),
    [
        # Not trusted: the peer, whatever the header says.
        (False, "203.0.113.7", ["198.51.100.1"], "203.0.113.7"),
        (False, "203.0.113.7", [], "203.0.113.7"),
        # The server already replaced the peer with a header entry: one bucket for all of them.
        (False, "198.51.100.1", ["198.51.100.1"], UNVERIFIED_FORWARDER),
        (False, "198.51.100.1", ["10.9.9.9, 198.51.100.1:4444"], UNVERIFIED_FORWARDER),
        # Trusted, but the peer is no trusted proxy: the header is ignored.
        (True, "203.0.113.7", ["198.51.100.1"], "203.0.113.7"),
        # A trusted proxy: the right-most entry it does not vouch for.
        (True, "10.0.0.2", ["198.51.100.1"], "198.51.100.1"),
        (True, "10.0.0.2", ["6.6.6.6, 198.51.100.1, 10.0.0.9"], "198.51.100.1"),
        (True, "10.0.0.2", ["6.6.6.6", "198.51.100.1"], "198.51.100.1"),
        (True, "10.0.0.2", ["[2001:db8::1]:443"], "2001:db8::1"),
        (True, "10.0.0.2", ["garbage, 198.51.100.1"], "198.51.100.1"),
        (True, "10.0.0.2", ["10.0.0.3"], "10.0.0.3"),  # only proxies: the left-most
        (True, "10.0.0.2", [], "10.0.0.2"),
        # The server rewrote the peer from the header: the header alone is walked.
        (True, "198.51.100.1", ["6.6.6.6, 198.51.100.1"], "198.51.100.1"),
    ],
)
def test_the_client_address(trust: bool, peer: str, forwarded: list[str], expected: str) -> None:
    address = ClientAddress(trust_forwarded_for=trust, trusted_proxies=["10.0.0.0/8"])
    assert address(_scope(peer, *forwarded)) == expected


def _limited(settings: Settings, **changes: object) -> Settings:
    return settings_with(
        settings,
        rate_limit_per_minute=100,
        redis_key_prefix=f"{settings.redis_key_prefix}xff-{uuid.uuid4().hex[:6]}:",
        **changes,
    )


@pytest.fixture
async def untrusting(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    client, life = await start_gateway_from(_limited(settings), PEER)
    yield client
    await client.aclose()
    await life.__aexit__(None, None, None)


def _fresh_forwarded_for(i: int) -> dict[str, str]:
    return {"X-Forwarded-For": f"198.51.{i // 250}.{i % 250 + 1}"}


async def test_fresh_forwarded_addresses_do_not_reset_the_budget(
    untrusting: httpx.AsyncClient,
) -> None:
    await clear_of_a_minute_boundary()
    statuses = [
        (await untrusting.get(GENRES, headers=_fresh_forwarded_for(i))).status_code
        for i in range(130)
    ]
    assert statuses == [200] * 100 + [429] * 30


@pytest.mark.parametrize("trusted_proxies", [["127.0.0.1/32"], ["10.0.0.0/8", "::1/128"]])
async def test_with_trust_an_untrusted_peer_is_still_counted_as_itself(
    settings: Settings, trusted_proxies: list[str]
) -> None:
    own = _limited(settings, trust_forwarded_for=True, trusted_proxies=trusted_proxies)
    client, life = await start_gateway_from(own, PEER)
    try:
        await clear_of_a_minute_boundary()
        statuses = [
            (await client.get(GENRES, headers=_fresh_forwarded_for(i))).status_code
            for i in range(130)
        ]
    finally:
        await client.aclose()
        await life.__aexit__(None, None, None)
    assert statuses == [200] * 100 + [429] * 30


async def test_behind_a_trusted_proxy_each_client_has_its_budget(settings: Settings) -> None:
    own = _limited(settings, trust_forwarded_for=True, trusted_proxies=["203.0.113.0/24"])
    client, life = await start_gateway_from(own, PEER)
    try:
        await clear_of_a_minute_boundary()
        spoofed_then_real = {"X-Forwarded-For": "6.6.6.6, 198.51.100.10"}
        statuses = [
            (await client.get(GENRES, headers=spoofed_then_real)).status_code for _ in range(101)
        ]
        other = await client.get(GENRES, headers={"X-Forwarded-For": "6.6.6.6, 198.51.100.11"})
    finally:
        await client.aclose()
        await life.__aexit__(None, None, None)
    assert statuses == [200] * 100 + [429]
    assert other.status_code == 200  # the client-written 6.6.6.6 was never the key


async def test_invalid_tokens_ready_and_options_are_counted(
    untrusting: httpx.AsyncClient,
) -> None:
    await clear_of_a_minute_boundary()
    invalid = {"Authorization": "Bearer not-a-token"}
    preflight = {"Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET"}
    statuses = []
    for i in range(100):
        if i % 4 == 0:
            response = await untrusting.get("/api/auth/me", headers=invalid)
        elif i % 4 == 1:
            response = await untrusting.get("/ready")
        elif i % 4 == 2:
            response = await untrusting.options(GENRES, headers=preflight)
        else:
            response = await untrusting.options("/api/cms/uploads")
        statuses.append(response.status_code)
    assert statuses.count(429) == 0
    assert statuses[::4] == [401] * 25
    assert_error(await untrusting.get("/api/auth/me", headers=invalid), 429, "rate_limited")
    assert (await untrusting.get("/ready")).status_code == 429
    assert (await untrusting.options(GENRES, headers=preflight)).status_code == 429
    # A browser may read the refusal (CORS headers), and liveness is never limited.
    refused = await untrusting.get(GENRES, headers={"Origin": "http://localhost:3000"})
    assert refused.status_code == 429
    assert refused.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert "retry-after" in refused.headers["access-control-expose-headers"].lower()
    assert (await untrusting.get("/health")).status_code == 200


@pytest.fixture
def uvicorn_gateway(settings: Settings, tmp_path: Path) -> Iterator[str]:
    """The gateway in a uvicorn process of its own, at uvicorn's defaults: proxy headers on,
    X-Forwarded-For trusted from 127.0.0.1, where this test calls from."""
    port = free_port()
    env = _env(settings, tmp_path, RATE_LIMIT_PER_MINUTE="100", PYTHONPATH=str(REPO))
    env["REDIS_KEY_PREFIX"] = f"{settings.redis_key_prefix}uvicorn-{uuid.uuid4().hex[:6]}:"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "tests.gateway.uvicorn_gateway:create",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"uvicorn exited with {process.returncode}"
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.2)
        yield url
    finally:
        _stop(process)


@pytest.mark.processes
def test_fresh_forwarded_addresses_through_uvicorn_defaults(uvicorn_gateway: str) -> None:
    if time.time() % WINDOW_SECONDS > WINDOW_SECONDS - 15:
        time.sleep(WINDOW_SECONDS - time.time() % WINDOW_SECONDS + 0.1)
    with httpx.Client(base_url=uvicorn_gateway, timeout=10) as client:
        statuses = [
            client.get(GENRES, headers=_fresh_forwarded_for(i)).status_code for i in range(130)
        ]
    assert statuses == [200] * 100 + [429] * 30
