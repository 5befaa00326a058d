"""The user activity service as its own app (port 3004)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ott.activity.consumer import abandon_sweeper, activity_consumer
from ott.activity.dependencies import install_store
from ott.activity.router import router
from ott.activity.store import open_store
from ott.core.app_context import AppContext, app_context
from ott.core.app_factory import create_service_app
from ott.core.background import running_in_background
from ott.core.settings import Settings


@asynccontextmanager
async def _activity_runtime(app: FastAPI) -> AsyncIterator[None]:
    """The store, the consumer of playback and engagement events, and the abandon sweeper."""
    context = app_context(app)
    settings = context.settings
    async with open_store(settings, context.sessionmaker) as store:
        install_store(app, store)
        consumer = activity_consumer(context.events, store, settings)
        async with (
            running_in_background("activity-consumer", consumer.run, stop_timeout=5),
            running_in_background(
                "activity-abandon-sweeper", abandon_sweeper(store, settings), stop_timeout=5
            ),
        ):
            yield


def create_app(settings: Settings, context: AppContext | None = None) -> FastAPI:
    return create_service_app(
        "activity",
        settings=settings,
        routers=[router],
        context=context,
        lifespan_hooks=[_activity_runtime],
    )
