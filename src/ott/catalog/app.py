"""The catalog service as its own app (port 3002)."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ott.catalog.cache import CatalogCache
from ott.catalog.dependencies import CatalogRuntime, install_runtime
from ott.catalog.facets import FacetCounts
from ott.catalog.router import router
from ott.catalog.spelling import Vocabulary
from ott.core.app_context import AppContext, app_context
from ott.core.app_factory import create_service_app
from ott.core.background import running_in_background
from ott.core.event_types import CONTENT_CHANGES
from ott.core.events import Event, EventConsumer
from ott.core.settings import Settings


@asynccontextmanager
async def _catalog_runtime(app: FastAPI) -> AsyncIterator[None]:
    """The cache, and a consumer that drops cached answers whenever content changes."""
    context = app_context(app)
    settings = context.settings
    cache = CatalogCache(context.redis, context.keys, settings.catalog_cache_seconds)
    install_runtime(
        app,
        CatalogRuntime(
            cache=cache,
            vocabulary=Vocabulary(settings.catalog_summary_seconds),
            facets=FacetCounts(settings.catalog_summary_seconds),
        ),
    )

    async def on_content_event(_: Event) -> None:
        await cache.invalidate()

    consumer = EventConsumer(
        context.events,
        group="catalog-cache",
        consumer=f"{socket.gethostname()}-{os.getpid()}",
        handlers=dict.fromkeys(CONTENT_CHANGES, on_content_event),
        block_ms=500,
        claim_idle_ms=5_000,
    )
    async with running_in_background("catalog-cache-consumer", consumer.run, stop_timeout=5):
        yield


def create_app(settings: Settings, context: AppContext | None = None) -> FastAPI:
    return create_service_app(
        "catalog",
        settings=settings,
        routers=[router],
        context=context,
        lifespan_hooks=[_catalog_runtime],
    )
