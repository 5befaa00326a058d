"""The ad service as its own app (port 3008, URL prefix /api/ads): inventory, decisions
(VMAP and VAST), tracking, and in the background the flush of tracking counts to PostgreSQL
and the creatives' wait for their encodings."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from ott.ads import creatives
from ott.ads.counters import Counters
from ott.ads.dependencies import AdsRuntime, install_runtime
from ott.ads.inventory import Inventory
from ott.ads.router import router
from ott.ads.titles import Titles
from ott.ads.tokens import TokenSigner
from ott.core.app_context import AppContext, app_context
from ott.core.app_factory import create_service_app
from ott.core.background import running_in_background
from ott.core.entitlements import entitlement_reader
from ott.core.settings import Settings
from ott.core.signing import MediaSigner

CREATIVE_SYNC_SECONDS = 2.0


def create_app(settings: Settings, context: AppContext | None = None) -> FastAPI:
    return create_service_app(
        "ads", settings=settings, routers=[router], context=context, lifespan_hooks=[_runtime]
    )


def _every(
    seconds: float, step: Callable[[], Coroutine[Any, Any, object]]
) -> Callable[[asyncio.Event], Coroutine[Any, Any, None]]:
    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            await step()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), seconds)
        await step()  # what came in meanwhile, before the process ends

    return run


def build_runtime(context: AppContext) -> AdsRuntime:
    """The ad service's per-process state on a process's context (its lifespan's, and what
    the demo seed uses to call the inventory functions)."""
    settings = context.settings
    return AdsRuntime(
        settings=settings,
        titles=Titles(context.sessionmaker, ttl_seconds=settings.catalog_cache_seconds),
        inventory=Inventory(context.sessionmaker, ttl_seconds=settings.ads_inventory_cache_seconds),
        counters=Counters(
            context.redis,
            context.keys,
            context.sessionmaker,
            break_memory_seconds=round(settings.ads_break_memory_hours * 3600),
        ),
        tokens=TokenSigner.from_settings(settings),
        entitlements=entitlement_reader(context),
        media=MediaSigner.from_settings(settings),
        folders=AdsRuntime.folder_cache(settings),
    )


@asynccontextmanager
async def _runtime(app: FastAPI) -> AsyncIterator[None]:
    context = app_context(app)
    settings = context.settings
    runtime = build_runtime(context)
    counters = runtime.counters
    install_runtime(app, runtime)

    async def sync_creatives() -> None:
        if await creatives.sync_processing(context.sessionmaker, context.storage):
            runtime.inventory.invalidate()

    async with (
        running_in_background(
            "ads-count-flush", _every(settings.ads_flush_seconds, counters.flush), stop_timeout=5
        ),
        running_in_background(
            "ads-creative-sync", _every(CREATIVE_SYNC_SECONDS, sync_creatives), stop_timeout=5
        ),
    ):
        yield
