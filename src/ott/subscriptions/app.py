"""The subscription service as its own app (port 3007, URL prefix /api/subscriptions): plans,
checkouts, the subscription lifecycle and its scheduled jobs, payment webhooks and
entitlements."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ott.core.app_context import AppContext, app_context
from ott.core.app_factory import create_service_app
from ott.core.entitlements import EntitlementCache
from ott.core.settings import Settings
from ott.subscriptions.dependencies import SubscriptionsRuntime, install_runtime
from ott.subscriptions.entitlements import Entitlements
from ott.subscriptions.jobs import SubscriptionJobs, running_jobs
from ott.subscriptions.plans import load_plans
from ott.subscriptions.providers.registry import create_provider
from ott.subscriptions.router import router


def create_app(settings: Settings, context: AppContext | None = None) -> FastAPI:
    return create_service_app(
        "subscriptions",
        settings=settings,
        routers=[router],
        context=context,
        lifespan_hooks=[_runtime],
    )


@asynccontextmanager
async def _runtime(app: FastAPI) -> AsyncIterator[None]:
    context = app_context(app)
    settings = context.settings
    plans = load_plans(settings.plans_file)
    provider = create_provider(settings)
    cache = EntitlementCache(
        context.redis, context.keys, ttl_seconds=settings.entitlement_cache_seconds
    )
    jobs = SubscriptionJobs(
        sessionmaker=context.sessionmaker,
        settings=settings,
        plans=plans,
        provider=provider,
        cache=cache,
        events=context.events,
    )
    install_runtime(
        app,
        SubscriptionsRuntime(
            settings=settings,
            plans=plans,
            provider=provider,
            cache=cache,
            entitlements=Entitlements(
                cache=cache, sessionmaker=context.read_sessionmaker, plans=plans
            ),
            events=context.events,
            jobs=jobs,
            auth=context.service_client("auth"),
        ),
    )
    try:
        async with running_jobs(jobs):
            yield
    finally:
        await provider.aclose()
