"""A Redis outage: the gateway cannot see logouts or count in Redis, so it fails closed where a
stale token would matter, lets public catalog reads go on, and counts requests on its own."""

from __future__ import annotations

import uuid

import httpx
import pytest

from ott.core.settings import Settings
from ott.gateway.policy import needs_live_session
from ott.registry import SERVICES, ServiceSpec
from tests.conftest import (
    TEST_PASSWORD,
    assert_error,
    bearer,
    settings_with,
    start_gateway,
    unique_email,
)
from tests.gateway.conftest import StoppableRedis, clear_of_a_minute_boundary


@pytest.fixture
async def gateway(settings: Settings, stoppable_redis: StoppableRedis):
    own = settings_with(settings, redis_url=stoppable_redis.url, rate_limit_per_minute=1000)
    client, life = await start_gateway(own)
    yield client
    await client.aclose()
    await life.__aexit__(None, None, None)


async def _signed_up(client: httpx.AsyncClient) -> tuple[dict, dict]:
    """An account's live session, and a second one it has logged out of."""
    email = unique_email()
    registered = await client.post(
        "/api/auth/register", json={"email": email, "password": TEST_PASSWORD}
    )
    assert registered.status_code == 201, registered.text
    second = await client.post("/api/auth/login", json={"email": email, "password": TEST_PASSWORD})
    assert second.status_code == 200, second.text
    assert (await client.post("/api/auth/logout", headers=bearer(second.json()))).status_code == 204
    return registered.json(), second.json()


async def test_a_logged_out_token_stays_refused_while_redis_is_down(
    gateway: httpx.AsyncClient, stoppable_redis: StoppableRedis
) -> None:
    live, logged_out = await _signed_up(gateway)
    assert_error(await gateway.get("/api/auth/me", headers=bearer(logged_out)), 401)
    stoppable_redis.stop()

    for tokens in (logged_out, live):
        for method, path, body in [
            ("GET", "/api/auth/me", None),
            ("GET", "/api/auth/profiles", None),
            ("POST", "/api/auth/profiles", {"name": "Kid"}),
            ("POST", "/api/auth/logout", None),
            ("GET", "/api/cms/content", None),
            ("GET", "/api/cms/uploads/0", None),  # the media service's
            ("GET", f"/api/cms/encodings/{uuid.uuid4()}", None),
            ("POST", "/api/catalog/content", {}),  # a write anywhere, even where none exists
        ]:
            response = await gateway.request(method, path, json=body, headers=bearer(tokens))
            error = assert_error(response, 503, "store_unavailable")
            assert "session" in error["message"]
            assert response.headers["retry-after"]

    # Public catalog reads go on with the token's claims alone, and anonymously.
    for headers in (bearer(logged_out), bearer(live), {}):
        listing = await gateway.get("/api/catalog/content", headers=headers)
        assert listing.status_code == 200, listing.text
    # An invalid token is still refused, and signing in needs Redis.
    assert_error(
        await gateway.get("/api/catalog/genres", headers=bearer({"access_token": "x"})), 401
    )
    login = await gateway.post(
        "/api/auth/login", json={"email": live["user"]["email"], "password": TEST_PASSWORD}
    )
    assert_error(login, 503, "store_unavailable")
    ready = await gateway.get("/ready")
    assert_error(ready, 503, "not_ready")
    assert ready.json()["error"]["details"]["checks"]["redis"] is False


async def test_the_rate_limit_holds_while_redis_is_down(
    settings: Settings, stoppable_redis: StoppableRedis
) -> None:
    own = settings_with(settings, redis_url=stoppable_redis.url, rate_limit_per_minute=20)
    client, life = await start_gateway(own)
    try:
        stoppable_redis.stop()
        await clear_of_a_minute_boundary()
        statuses = [(await client.get("/api/catalog/genres")).status_code for _ in range(25)]
        refused = await client.get("/api/catalog/genres")
    finally:
        await client.aclose()
        await life.__aexit__(None, None, None)
    # Counted by this replica alone: better than not at all.
    assert statuses == [200] * 20 + [429] * 5
    assert_error(refused, 429, "rate_limited")
    assert 1 <= int(refused.headers["retry-after"]) <= 60


async def test_without_redis_a_registration_fails_cleanly_and_leaves_no_account(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    broken = settings_with(settings, redis_url="redis://127.0.0.1:1/0")
    client, life = await start_gateway(broken)
    email = unique_email()
    try:
        failed = await client.post(
            "/api/auth/register", json={"email": email, "password": TEST_PASSWORD}
        )
        assert_error(failed, 503, "store_unavailable")
    finally:
        await client.aclose()
        await life.__aexit__(None, None, None)
    login = await api.post("/api/auth/login", json={"email": email, "password": TEST_PASSWORD})
    assert_error(login, 401, "invalid_credentials")


@pytest.mark.parametrize(
    ("service", "method", "needed"),
    [
        ("catalog", "GET", False),
        ("catalog", "HEAD", False),
        ("catalog", "POST", True),
        ("auth", "GET", True),
        ("cms", "GET", True),
        ("cms", "DELETE", True),
        ("media", "GET", True),
        ("media", "OPTIONS", True),
    ],
)
def test_which_routes_need_a_live_session(service: str, method: str, needed: bool) -> None:
    assert needs_live_session(SERVICES[service], method) is needed


def test_every_service_declares_whether_its_reads_are_private() -> None:
    assert all(isinstance(spec.private_reads, bool) for spec in SERVICES.values())
    with pytest.raises(TypeError, match="private_reads"):
        ServiceSpec("activity", "/api/activity", "ott.activity.app:create_app")  # type: ignore[call-arg]
