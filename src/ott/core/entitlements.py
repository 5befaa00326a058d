"""What an account may do now (its entitlement): the subscription service decides it, every
other service asks for it.

The subscription service is the only writer: it computes an account's answer from its
subscription, keeps it in Redis for at most ENTITLEMENT_CACHE_SECONDS, and replaces or drops it
whenever the subscription changes (before it publishes `subscription.changed`). A reader
(streaming, ads) looks in Redis first and asks the subscription service on a miss
(`GET /api/subscriptions/entitlements`, as the caller). So a lapsed subscription loses premium
playback within the cache's lifetime at most, whatever its access token still says.

If the subscription service cannot answer, the reader degrades to what the caller's access
token says (its tier, with the stream settings of that tier), marked `source="token"`, and does
not cache it: the next request asks again.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

import redis.exceptions
import structlog
from pydantic import BaseModel, ConfigDict, ValidationError
from redis.asyncio import Redis

from ott.core.client import ServiceClient
from ott.core.errors import ServiceUnavailable
from ott.core.identity import IDENTITY_HEADER, Identity, encode_internal_identity
from ott.core.redis import KeySpace
from ott.core.settings import Settings
from ott.core.tiers import SubscriptionTier

if TYPE_CHECKING:
    from ott.core.app_context import AppContext

log = structlog.get_logger(__name__)

ENTITLEMENTS_PATH = "/api/subscriptions/entitlements"


class EntitlementReason(StrEnum):
    """Why the account has what it has."""

    FREE_PLAN = "free_plan"  # no subscription: the ad-supported plan
    TRIAL = "trial"
    PAID = "paid"  # paid up to `until`
    ENDING = "ending"  # canceled at period end: paid up to `until`, then the free plan
    GRACE_PERIOD = "grace_period"  # a renewal failed; the plan is kept while payment is retried
    PAYMENT_HOLD = "payment_hold"  # the grace period is over: the free plan until it pays
    PAUSED = "paused"
    ENDED = "ended"  # the subscription ended: the free plan


class Entitlement(BaseModel):
    model_config = ConfigDict(frozen=True)

    user_id: uuid.UUID
    plan_code: str
    plan_name: str
    tier: SubscriptionTier
    ads: bool
    max_streams: int
    max_height: int | None  # None: every rung
    downloads: bool
    reason: EntitlementReason
    until: datetime | None = None  # when this changes unless something happens (a renewal)
    subscription_id: uuid.UUID | None = None
    # "subscriptions": the subscription service's answer; "token": the degraded answer from the
    # caller's access token while that service could not be asked.
    source: Literal["subscriptions", "token"] = "subscriptions"

    @property
    def premium(self) -> bool:
        return self.tier is SubscriptionTier.PREMIUM


def from_token(identity: Identity, settings: Settings) -> Entitlement:
    """The degraded answer: what the caller's access token says, with its tier's settings."""
    tier = SubscriptionTier(identity.tier)
    premium = tier is SubscriptionTier.PREMIUM
    return Entitlement(
        user_id=identity.user_id,
        plan_code=tier.value,
        plan_name=tier.value.title(),
        tier=tier,
        ads=not premium,
        max_streams=settings.stream_limit_premium if premium else settings.stream_limit_free,
        max_height=settings.stream_max_height_premium
        if premium
        else settings.stream_max_height_free,
        downloads=False,
        reason=EntitlementReason.PAID if premium else EntitlementReason.FREE_PLAN,
        source="token",
    )


class EntitlementCache:
    """The answers in Redis, one key per account (written by the subscription service only)."""

    def __init__(self, redis: Redis, keys: KeySpace, *, ttl_seconds: int) -> None:
        self.redis = redis
        self.keys = keys
        self.ttl_seconds = ttl_seconds

    def key(self, user_id: uuid.UUID) -> str:
        return self.keys("entitlement", user_id)

    async def get(self, user_id: uuid.UUID) -> Entitlement | None:
        """The cached answer; None on a miss, an unreadable value or Redis being down."""
        try:
            raw = await self.redis.get(self.key(user_id))
        except (redis.exceptions.RedisError, OSError) as exc:
            log.warning("entitlement_cache_unavailable", error=repr(exc))
            return None
        if raw is None:
            return None
        try:
            return Entitlement.model_validate_json(raw)
        except ValidationError:
            return None

    async def put(self, entitlement: Entitlement) -> None:
        try:
            await self.redis.set(
                self.key(entitlement.user_id),
                entitlement.model_dump_json(),
                ex=self.ttl_seconds,
            )
        except (redis.exceptions.RedisError, OSError) as exc:
            log.warning("entitlement_cache_unavailable", error=repr(exc))

    async def drop(self, user_id: uuid.UUID) -> None:
        """Forget an account's answer. Raises if Redis is down: a change must not be committed
        as done while readers may still see the old answer for longer than the TTL."""
        await self.redis.delete(self.key(user_id))


class EntitlementReader:
    """How a service other than subscriptions learns what a caller may do."""

    def __init__(self, *, cache: EntitlementCache, client: ServiceClient, settings: Settings):
        self.cache = cache
        self.client = client
        self.settings = settings

    async def of(self, identity: Identity) -> Entitlement:
        cached = await self.cache.get(identity.user_id)
        if cached is not None:
            return cached
        try:
            response = await self.client.get(
                ENTITLEMENTS_PATH,
                headers={IDENTITY_HEADER: encode_internal_identity(identity, self.settings)},
            )
        except ServiceUnavailable as exc:
            log.warning("entitlements_unavailable", error=exc.message)
            return from_token(identity, self.settings)
        if response.status_code != 200:
            log.warning("entitlements_refused", status=response.status_code)
            return from_token(identity, self.settings)
        try:
            return Entitlement.model_validate_json(response.content)
        except ValidationError as exc:
            log.warning("entitlements_unreadable", error=str(exc))
            return from_token(identity, self.settings)


def entitlement_reader(context: AppContext) -> EntitlementReader:
    """The reader of a process's services: its Redis, and the subscription service."""
    settings = context.settings
    return EntitlementReader(
        cache=EntitlementCache(
            context.redis, context.keys, ttl_seconds=settings.entitlement_cache_seconds
        ),
        client=context.service_client("subscriptions"),
        settings=settings,
    )
