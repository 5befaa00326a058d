"""The gateway: rate limits shared across replicas, CORS, size limits, headers, metrics."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from redis.asyncio import Redis

from ott.core.app_context import AppContext
from ott.core.event_types import UserRegistered
from ott.core.events import EventConsumer
from ott.core.settings import Settings
from tests.conftest import (
    assert_error,
    bearer,
    free_port,
    register,
    settings_with,
    start_gateway,
    unique_email,
)
from tests.gateway.conftest import clear_of_a_minute_boundary

PROFILES = "/api/auth/profiles"


@pytest.fixture
async def limited(settings: Settings) -> tuple[httpx.AsyncClient, httpx.AsyncClient, Settings]:
    """Two gateway replicas with the spec's limit of 100 requests a minute, sharing one Redis;
    a key prefix of their own keeps their budget apart from other tests."""
    own = settings_with(
        settings,
        rate_limit_per_minute=100,
        redis_key_prefix=f"{settings.redis_key_prefix}rl-{uuid.uuid4().hex[:6]}:",
    )
    first, first_life = await start_gateway(own)
    second, second_life = await start_gateway(own)
    yield first, second, own
    for client, life in ((first, first_life), (second, second_life)):
        await client.aclose()
        await life.__aexit__(None, None, None)


async def _register_via(client: httpx.AsyncClient) -> dict:
    response = await client.post(
        "/api/auth/register", json={"email": unique_email(), "password": "Streaming-Tests-42"}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_the_101st_request_in_a_minute_gets_429_across_replicas(limited) -> None:
    first, second, _ = limited
    await clear_of_a_minute_boundary()
    tokens = await _register_via(first)
    headers = bearer(tokens)
    statuses = []
    for i in range(100):
        response = await (first if i % 2 else second).get(PROFILES, headers=headers)
        statuses.append(response.status_code)
    assert statuses == [200] * 100
    blocked = await first.get(PROFILES, headers=headers)
    error = assert_error(blocked, 429, "rate_limited")
    assert 1 <= int(blocked.headers["retry-after"]) <= 60
    assert error["details"]["limit_per_minute"] == 100
    assert (await second.get(PROFILES, headers=headers)).status_code == 429
    # Another user has a budget of their own.
    other = await _register_via(second)
    assert (await first.get(PROFILES, headers=bearer(other))).status_code == 200


async def test_anonymous_callers_are_limited_per_ip(limited) -> None:
    first, _, _ = limited
    await clear_of_a_minute_boundary()
    # The ASGI test transport calls from 203.0.113.7.
    statuses = [(await first.get("/api/auth/me")).status_code for _ in range(105)]
    assert statuses[:100] == [401] * 100
    assert statuses[100:] == [429] * 5


async def test_remaining_budget_is_reported(api: httpx.AsyncClient) -> None:
    tokens = await register(api)
    response = await api.get(PROFILES, headers=bearer(tokens))
    assert response.headers["x-ratelimit-limit"] == "100000"
    assert int(response.headers["x-ratelimit-remaining"]) < 100000


async def test_cors_allows_listed_origins_only(api: httpx.AsyncClient) -> None:
    preflight = {
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    }
    allowed = await api.options(PROFILES, headers={"Origin": "http://localhost:3000", **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:3000"
    denied = await api.options(PROFILES, headers={"Origin": "https://evil.example", **preflight})
    assert denied.status_code == 400
    assert "access-control-allow-origin" not in denied.headers
    simple = await api.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


async def test_oversized_bodies_are_refused(api: httpx.AsyncClient, settings: Settings) -> None:
    big = b'{"email": "' + b"a" * (settings.max_request_bytes + 10) + b'"}'
    declared = await api.post(
        "/api/auth/register", content=big, headers={"content-type": "application/json"}
    )
    assert_error(declared, 413, "payload_too_large")

    async def chunks():
        for _ in range(settings.max_request_bytes // 65536 + 2):
            yield b" " * 65536

    streamed = await api.post(
        "/api/auth/register", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_error(streamed, 413, "payload_too_large")


@pytest.mark.parametrize("length", [b"ten", b"-1", b"1e3", b"5, 5", "²".encode("latin-1")])
async def test_a_malformed_content_length_is_a_bad_request(
    api: httpx.AsyncClient, length: bytes
) -> None:
    """Not a size, so not too large (413 said it was): the request is malformed."""
    response = await api.post(
        "/api/auth/login",
        content=b"{}",
        headers={"content-type": "application/json", "content-length": length},
    )
    assert_error(response, 400, "invalid_content_length")


async def test_conflicting_content_lengths_are_a_bad_request(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/api/auth/login",
        content=b"{}",
        headers=[
            ("content-type", "application/json"),
            ("content-length", "2"),
            ("content-length", "20"),
        ],
    )
    assert_error(response, 400, "invalid_content_length")


async def test_security_headers_on_api_answers(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/auth/me")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_unknown_routes_answer_404_in_the_error_format(api: httpx.AsyncClient) -> None:
    assert_error(await api.get("/api/nothing-here"), 404)
    assert_error(await api.get("/api/auth/nothing-here"), 404)
    assert_error(await api.delete("/api/auth/register"), 405)


async def test_correlation_id_is_kept_or_made(api: httpx.AsyncClient) -> None:
    given = await api.get("/api/auth/me", headers={"X-Correlation-Id": "trace-abc-123"})
    assert given.headers.get_list("x-correlation-id") == ["trace-abc-123"]
    made = await api.get("/api/auth/me")
    assert len(made.headers.get_list("x-correlation-id")) == 1
    assert len(made.headers["x-correlation-id"]) == 32


async def test_correlation_id_follows_a_request_into_its_events(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    resources = AppContext.open(settings)
    seen: list[tuple[str | None, str]] = []

    async def on_registered(event) -> None:
        assert isinstance(event.payload, UserRegistered)
        seen.append((event.correlation_id, event.payload.email))

    consumer = EventConsumer(
        resources.events,
        group=f"test-{unique_email()}",
        consumer="c1",
        handlers={UserRegistered: on_registered},
        block_ms=100,
    )
    email = unique_email()
    response = await api.post(
        "/api/auth/register",
        json={"email": email, "password": "Streaming-Tests-42"},
        headers={"X-Correlation-Id": "signup-trace-1"},
    )
    assert response.status_code == 201
    for _ in range(50):
        await consumer.run_once()
        if any(e == email for _, e in seen):
            break
    await resources.close()
    assert ("signup-trace-1", email) in seen


async def test_metrics_are_not_public_by_default(api: httpx.AsyncClient) -> None:
    assert_error(await api.get("/metrics"), 404)


async def test_metrics_on_a_port_of_their_own(settings: Settings) -> None:
    port = free_port()
    client, life = await start_gateway(settings_with(settings, metrics_port=port))
    try:
        await client.get("/api/auth/me")
        async with httpx.AsyncClient() as scraper:
            text = (await scraper.get(f"http://127.0.0.1:{port}/metrics")).text
        assert 'route="/api/auth/me",service="auth"' in text
        assert_error(await client.get("/metrics"), 404)
    finally:
        await client.aclose()
        await life.__aexit__(None, None, None)
    async with httpx.AsyncClient() as scraper:
        with pytest.raises(httpx.ConnectError):
            await scraper.get(f"http://127.0.0.1:{port}/metrics")


async def test_metrics_count_requests_by_service_and_route(settings: Settings) -> None:
    client, life = await start_gateway(settings_with(settings, metrics_public=True))
    try:
        await client.get("/api/auth/me")
        text = (await client.get("/metrics")).text
    finally:
        await client.aclose()
        await life.__aexit__(None, None, None)
    assert (
        'http_requests_total{method="GET",route="/api/auth/*",service="gateway",status="401"}'
        in text
    )
    assert 'route="/api/auth/me",service="auth"' in text
    assert "http_request_duration_seconds_bucket" in text
    assert (
        'http_request_errors_total{method="GET",route="/api/auth/me",service="auth",status="401"}'
        in text
    )


async def test_health_and_readiness(api: httpx.AsyncClient) -> None:
    assert (await api.get("/health")).json()["status"] == "ok"
    ready = await api.get("/ready")
    assert ready.json() == {"status": "ready", "checks": {"postgres": True, "redis": True}}


async def test_without_postgres_the_gateway_answers_503_not_500(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    tokens = await register(api)
    broken = settings_with(settings, database_url="postgresql+asyncpg://postgres@127.0.0.1:1/none")
    client, life = await start_gateway(broken)
    try:
        response = await asyncio.wait_for(client.get(PROFILES, headers=bearer(tokens)), 10)
        assert_error(response, 503, "store_unavailable")
        assert_error(await client.get("/ready"), 503, "not_ready")
    finally:
        await client.aclose()
        await life.__aexit__(None, None, None)


async def test_a_busy_connection_pool_answers_503_soon_not_500(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    """An overloaded process whose pool has no connection free: the request is refused with
    503 after DB_POOL_TIMEOUT_SECONDS, never a 500."""
    from ott.gateway.app import create_app

    tokens = await register(api)
    app = create_app(settings_with(settings, db_pool_size=1, db_pool_timeout_seconds=0.3))
    async with app.router.lifespan_context(app):
        engine = app.state.context.engine
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5555))
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
            engine.connect() as held,  # the pool's one connection, taken by "another request"
        ):
            await held.exec_driver_sql("SELECT 1")
            response = await client.get(PROFILES, headers=bearer(tokens))
        assert_error(response, 503, "store_unavailable")
        assert response.headers["retry-after"] == "5"
        assert engine.pool.timeout() == 0.3  # not SQLAlchemy's 30 s
        # The connection back in the pool, the same request succeeds.
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            assert (await client.get(PROFILES, headers=bearer(tokens))).status_code == 200


async def test_session_check_uses_the_shared_redis(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    tokens = await register(api)
    redis = Redis.from_url(str(settings.redis_url), decode_responses=True)
    keys = [k async for k in redis.scan_iter(match=f"{settings.redis_key_prefix}auth:session:*")]
    await redis.aclose()
    assert keys, "sessions live in Redis"
    assert (await api.get(PROFILES, headers=bearer(tokens))).status_code == 200


@pytest.mark.parametrize("service", ["auth", "catalog", "cms"])
async def test_each_service_serves_its_metrics_on_its_own_port(
    settings: Settings, service: str
) -> None:
    """With --split Prometheus scrapes every service's own (internal) port."""
    from ott.registry import SERVICES

    app = SERVICES[service].load()(settings, None)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert "http_requests_total" in response.text
