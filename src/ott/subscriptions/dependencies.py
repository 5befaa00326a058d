"""Dependencies of the subscription routes: the service's per-process state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from ott.core.client import ServiceClient
from ott.core.entitlements import EntitlementCache
from ott.core.events import EventBus
from ott.core.settings import Settings
from ott.subscriptions.changes import Changes
from ott.subscriptions.entitlements import Entitlements
from ott.subscriptions.jobs import SubscriptionJobs
from ott.subscriptions.plans import PlanCatalogue
from ott.subscriptions.providers.base import PaymentProvider


@dataclass
class SubscriptionsRuntime:
    """What a subscription process keeps between requests, built once in its lifespan."""

    settings: Settings
    plans: PlanCatalogue
    provider: PaymentProvider
    cache: EntitlementCache
    entitlements: Entitlements
    events: EventBus
    jobs: SubscriptionJobs
    auth: ServiceClient  # the account's email, for the provider's checkout

    def changes(self) -> Changes:
        return Changes(cache=self.cache, plans=self.plans)


def install_runtime(app: object, runtime: SubscriptionsRuntime) -> None:
    app.state.subscriptions = runtime  # type: ignore[attr-defined]


async def _runtime(request: Request) -> SubscriptionsRuntime:
    runtime = request.app.state.subscriptions
    assert isinstance(runtime, SubscriptionsRuntime), "the subscription lifespan has not run"
    return runtime


Runtime = Annotated[SubscriptionsRuntime, Depends(_runtime)]
