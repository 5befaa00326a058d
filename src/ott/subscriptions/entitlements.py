"""What an account may do now, from its subscription and the plan catalogue, and the cached
answer (the subscription service is the only writer of ott.core.entitlements' cache).

    no subscription        -> the free plan, free_plan
    canceled (ended)       -> the free plan, ended
    unpaid (the hold)      -> the free plan, payment_hold
    paused                 -> the free plan, paused
    trialing               -> the plan, trial until the trial's end
    active                 -> the plan, paid (or ending, when canceled at period end) until
                              the period's end
    past_due               -> the plan, grace_period until the grace period's end
"""

from __future__ import annotations

import uuid
from datetime import datetime

import structlog
from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.core.entitlements import Entitlement, EntitlementCache, EntitlementReason
from ott.subscriptions.models import SubscriptionRow
from ott.subscriptions.plans import Plan, PlanCatalogue
from ott.subscriptions.status import SubscriptionStatus, gives_plan

log = structlog.get_logger(__name__)

S = SubscriptionStatus
_FREE_REASON = {
    S.CANCELED: EntitlementReason.ENDED,
    S.UNPAID: EntitlementReason.PAYMENT_HOLD,
    S.PAUSED: EntitlementReason.PAUSED,
}


def _answer(
    user_id: uuid.UUID,
    plan: Plan,
    reason: EntitlementReason,
    row: SubscriptionRow | None,
    until: datetime | None = None,
) -> Entitlement:
    features = plan.features
    return Entitlement(
        user_id=user_id,
        plan_code=plan.code,
        plan_name=plan.name,
        tier=features.tier,
        ads=features.ads,
        max_streams=features.max_streams,
        max_height=features.max_height,
        downloads=features.downloads,
        reason=reason,
        until=until,
        subscription_id=row.id if row is not None else None,
    )


def entitlement_of(
    *, user_id: uuid.UUID, row: SubscriptionRow | None, plans: PlanCatalogue
) -> Entitlement:
    """The answer for an account whose newest subscription is `row` (None: it has none)."""
    if row is None:
        return _answer(user_id, plans.free_plan, EntitlementReason.FREE_PLAN, None)
    if not gives_plan(row.status):
        return _answer(user_id, plans.free_plan, _FREE_REASON[row.status], row)
    plan = plans.get(row.plan_code)
    if plan is None:
        # The plan left the catalogue (PLANS_FILE changed) while subscribed: the free plan's
        # features until the subscription moves to a plan that exists.
        log.warning("subscription_plan_unknown", plan_code=row.plan_code, subscription=row.id)
        plan = plans.free_plan
    if row.status is S.TRIALING:
        return _answer(user_id, plan, EntitlementReason.TRIAL, row, row.trial_end)
    if row.status is S.PAST_DUE:
        return _answer(user_id, plan, EntitlementReason.GRACE_PERIOD, row, row.grace_until)
    reason = EntitlementReason.ENDING if row.cancel_at_period_end else EntitlementReason.PAID
    return _answer(user_id, plan, reason, row, row.current_period_end)


async def current_subscription(
    db: AsyncSession, user_id: uuid.UUID, *, for_update: bool = False
) -> SubscriptionRow | None:
    """The account's live subscription, else its newest ended one, else None."""
    query = (
        select(SubscriptionRow)
        .where(SubscriptionRow.user_id == user_id)
        .order_by(
            case((SubscriptionRow.status == S.CANCELED, 1), else_=0),
            SubscriptionRow.created_at.desc(),
        )
        .limit(1)
    )
    if for_update:
        query = query.with_for_update()
    return (await db.scalars(query)).first()


class Entitlements:
    """Answers from the cache, computed and cached on a miss."""

    def __init__(
        self,
        *,
        cache: EntitlementCache,
        sessionmaker: async_sessionmaker[AsyncSession],
        plans: PlanCatalogue,
    ) -> None:
        self.cache = cache
        self.sessionmaker = sessionmaker
        self.plans = plans

    async def of(self, user_id: uuid.UUID) -> Entitlement:
        cached = await self.cache.get(user_id)
        if cached is not None:
            return cached
        async with self.sessionmaker() as db:
            row = await current_subscription(db, user_id)
        answer = entitlement_of(user_id=user_id, row=row, plans=self.plans)
        await self.cache.put(answer)
        return answer
