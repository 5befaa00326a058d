"""Telling the platform that what an account may do changed.

Every change of a subscription goes through `Changes`: `record` drops the account's cached
entitlement at once, inside the transaction (if Redis is down the change fails and rolls
back, so no reader keeps the old answer beyond its lifetime unnoticed); once the transaction
has committed, `announce` drops it again (a reader that read the old rows between the first
drop and the commit may have cached them) and publishes `subscription.changed`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

import structlog

from ott.core.entitlements import EntitlementCache
from ott.core.event_types import SubscriptionChanged
from ott.core.events import EventBus
from ott.subscriptions.entitlements import entitlement_of
from ott.subscriptions.models import SubscriptionRow
from ott.subscriptions.plans import PlanCatalogue

log = structlog.get_logger(__name__)


@dataclass
class Changes:
    """The changes of one transaction."""

    cache: EntitlementCache
    plans: PlanCatalogue
    events: list[SubscriptionChanged] = field(default_factory=list)

    async def record(self, row: SubscriptionRow, *, now: datetime) -> None:
        await self.cache.drop(row.user_id)
        answer = entitlement_of(user_id=row.user_id, row=row, plans=self.plans)
        self.events = [e for e in self.events if e.user_id != row.user_id]
        self.events.append(
            SubscriptionChanged(
                user_id=row.user_id,
                subscription_id=row.id,
                status=row.status.value,
                tier=answer.tier,
                plan_code=answer.plan_code,
                until=answer.until,
                occurred_at=now,
            )
        )

    @property
    def users(self) -> list[uuid.UUID]:
        return [event.user_id for event in self.events]


async def announce(changes: Changes, bus: EventBus) -> None:
    """After the commit: drop the cached answers again, then publish the events."""
    for event in changes.events:
        await changes.cache.drop(event.user_id)
        await bus.publish(event)
    if changes.events:
        log.info("subscriptions_changed", users=[str(u) for u in changes.users])
