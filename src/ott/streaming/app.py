"""The streaming service as its own app (port 3003, URL prefixes /api/stream and /media):
playback sessions, stream leases, manifests and, in development, the media files themselves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ott.activity.store import open_store
from ott.core.app_context import AppContext, app_context
from ott.core.app_factory import create_service_app
from ott.core.entitlements import entitlement_reader
from ott.core.memo import TtlCache
from ott.core.settings import Settings
from ott.core.signing import MediaSigner
from ott.streaming.dependencies import StreamingRuntime, install_runtime
from ott.streaming.drm import NoDrmClearCmaf
from ott.streaming.entitlement import Entitlements
from ott.streaming.files import PublishedOwners
from ott.streaming.leases import StreamStore
from ott.streaming.manifests import ManifestTemplates
from ott.streaming.resume import LastPlayedPosition
from ott.streaming.router import media_router, router

_SESSION_FACTS_SECONDS = 3600.0
_MAX_SESSION_FACTS = 100_000


def create_app(settings: Settings, context: AppContext | None = None) -> FastAPI:
    return create_service_app(
        "streaming",
        settings=settings,
        routers=[router, media_router],
        context=context,
        lifespan_hooks=[_runtime],
    )


@asynccontextmanager
async def _runtime(app: FastAPI) -> AsyncIterator[None]:
    context = app_context(app)
    settings = context.settings
    # Resume points Redis no longer has come from the user activity store.
    async with open_store(settings, context.sessionmaker) as activity_store:
        store = StreamStore(
            context.redis, context.keys, lease_seconds=settings.stream_lease_seconds
        )
        install_runtime(
            app,
            StreamingRuntime(
                settings=settings,
                store=store,
                events=context.events,
                signer=MediaSigner.from_settings(settings),
                plans=entitlement_reader(context),
                entitlements=Entitlements(
                    context.sessionmaker, ttl_seconds=settings.catalog_cache_seconds
                ),
                manifests=ManifestTemplates(context.storage),
                owners=PublishedOwners(
                    context.sessionmaker, ttl_seconds=settings.catalog_cache_seconds
                ),
                resume=LastPlayedPosition(store, settings, activity_store),
                drm=NoDrmClearCmaf(),
                media_root=settings.data_dir / "media",
                sessions=TtlCache(
                    ttl_seconds=_SESSION_FACTS_SECONDS, max_entries=_MAX_SESSION_FACTS
                ),
            ),
        )
        yield
