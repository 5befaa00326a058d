"""The entitlement reader: Redis first, the subscription service on a miss, the access token's
tier when that service cannot answer (never cached). Against the real Redis and a scripted
subscription service (a Starlette app reached through the ServiceClient, as in-process)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ott.core.client import CircuitBreaker, ServiceClient
from ott.core.entitlements import (
    ENTITLEMENTS_PATH,
    Entitlement,
    EntitlementCache,
    EntitlementReader,
    EntitlementReason,
    from_token,
)
from ott.core.identity import IDENTITY_HEADER, Identity, decode_internal_identity
from ott.core.redis import KeySpace
from ott.core.settings import Settings
from ott.core.tiers import SubscriptionTier
from tests.conftest import free_port


@dataclass
class Script:
    """What the scripted service answers, and who asked."""

    status: int = 200
    body: str | None = None
    callers: list[Identity] = field(default_factory=list)


def _service(script: Script, settings: Settings) -> Starlette:
    async def entitlements(request: Request) -> Response:
        caller = decode_internal_identity(request.headers[IDENTITY_HEADER], settings)
        script.callers.append(caller)
        if script.body is not None:
            return Response(script.body, status_code=script.status)
        if script.status != 200:
            return JSONResponse({"error": {"code": "x"}}, status_code=script.status)
        return Response(_premium(caller.user_id).model_dump_json())

    return Starlette(routes=[Route(ENTITLEMENTS_PATH, entitlements)])


def _premium(user_id: uuid.UUID) -> Entitlement:
    return Entitlement(
        user_id=user_id,
        plan_code="premium-monthly",
        plan_name="Premium (monthly)",
        tier=SubscriptionTier.PREMIUM,
        ads=False,
        max_streams=4,
        max_height=None,
        downloads=True,
        reason=EntitlementReason.PAID,
    )


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    assert settings.redis_url
    client = Redis.from_url(settings.redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
def cache(redis: Redis, settings: Settings) -> EntitlementCache:
    return EntitlementCache(
        redis, KeySpace(f"{settings.redis_key_prefix}ent-{uuid.uuid4().hex[:6]}:"), ttl_seconds=60
    )


def _reader(cache: EntitlementCache, settings: Settings, script: Script) -> EntitlementReader:
    client = ServiceClient(
        "subscriptions",
        "http://in-process",
        transport=httpx.ASGITransport(app=_service(script, settings)),
        retries=0,
    )
    return EntitlementReader(cache=cache, client=client, settings=settings)


def _caller(tier: str = "free") -> Identity:
    return Identity(user_id=uuid.uuid4(), session_id="s1", tier=tier)


async def test_a_cached_answer_is_used_without_asking(
    cache: EntitlementCache, settings: Settings
) -> None:
    script = Script()
    caller = _caller()
    await cache.put(_premium(caller.user_id))
    answer = await _reader(cache, settings, script).of(caller)
    assert answer.tier is SubscriptionTier.PREMIUM
    assert answer.source == "subscriptions"
    assert script.callers == []
    assert 0 < await cache.redis.ttl(cache.key(caller.user_id)) <= 60


async def test_a_miss_asks_the_service_as_the_caller(
    cache: EntitlementCache, settings: Settings
) -> None:
    script = Script()
    caller = _caller()
    answer = await _reader(cache, settings, script).of(caller)
    assert answer == _premium(caller.user_id)
    assert [c.user_id for c in script.callers] == [caller.user_id]


@pytest.mark.parametrize(
    ("status", "body"),
    [(503, None), (404, None), (200, '{"tier": "gold"}'), (200, "not json")],
    ids=["unavailable", "refused", "wrong-shape", "unreadable"],
)
async def test_a_bad_answer_degrades_to_the_token_and_is_not_cached(
    cache: EntitlementCache, settings: Settings, status: int, body: str | None
) -> None:
    caller = _caller("premium")
    answer = await _reader(cache, settings, Script(status=status, body=body)).of(caller)
    assert answer == from_token(caller, settings)
    assert answer.source == "token"
    assert answer.premium
    assert not answer.ads
    assert answer.max_streams == settings.stream_limit_premium
    assert await cache.get(caller.user_id) is None


async def test_an_unreachable_service_degrades_to_the_token(
    cache: EntitlementCache, settings: Settings
) -> None:
    client = ServiceClient(
        "subscriptions",
        f"http://127.0.0.1:{free_port()}",
        retries=0,
        breaker=CircuitBreaker("subscriptions"),
    )
    reader = EntitlementReader(cache=cache, client=client, settings=settings)
    caller = _caller()
    answer = await reader.of(caller)
    await client.aclose()
    assert answer.source == "token"
    assert answer.ads
    assert answer.max_height == settings.stream_max_height_free


async def test_an_unreadable_cached_value_is_a_miss(
    cache: EntitlementCache, settings: Settings
) -> None:
    caller = _caller()
    await cache.redis.set(cache.key(caller.user_id), "{broken")
    script = Script()
    answer = await _reader(cache, settings, script).of(caller)
    assert answer.premium
    assert len(script.callers) == 1


async def test_drop_forgets_the_answer(cache: EntitlementCache) -> None:
    user_id = uuid.uuid4()
    await cache.put(_premium(user_id))
    await cache.drop(user_id)
    assert await cache.get(user_id) is None
