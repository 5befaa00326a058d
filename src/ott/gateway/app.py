"""The API gateway (port 3000): one entry point in front of every service."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from enum import StrEnum
from functools import partial
from typing import Any

from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from ott.core.app_context import AppContext
from ott.core.app_factory import create_service_app
from ott.core.client import CircuitBreaker, ServiceClient
from ott.core.heap import frozen_after_startup
from ott.core.settings import Environment, Settings
from ott.gateway.admission import AdmissionMiddleware
from ott.gateway.client_address import ClientAddress
from ott.gateway.dispatch import Destination, ServiceDispatcher
from ott.gateway.metrics_port import metrics_served
from ott.gateway.middleware import BodySizeLimitMiddleware, SecurityHeadersMiddleware
from ott.gateway.openapi import merged_openapi
from ott.gateway.proxy import HttpUpstream, InProcessUpstream, Upstream
from ott.gateway.router import ASSETS_PATH, docs_assets, docs_router
from ott.gateway.service import Gatekeeper
from ott.gateway.web import WebAppMiddleware
from ott.registry import SERVICES

BULK_UPLOAD = re.compile(r"/api/cms/content/bulk-upload")
IMAGE_UPLOAD = re.compile(r"/api/cms/content/[^/]+/assets/[^/]+")
# Resumable (tus) uploads of video, audio and subtitle files: bodies are streamed, not read.
MEDIA_UPLOAD = re.compile(r"/api/cms/uploads(/[^/]*)?")
# Per read or write on the way to the service (not for the whole upload): the last PATCH of an
# upload waits while the service hashes the whole file.
UPLOAD_TIMEOUT_SECONDS = 900.0
_TUS_REQUEST_HEADERS = [
    "tus-resumable",
    "upload-length",
    "upload-metadata",
    "upload-offset",
    "upload-checksum",
    "upload-defer-length",
]
_TUS_RESPONSE_HEADERS = [
    "location",
    "tus-resumable",
    "tus-version",
    "tus-extension",
    "tus-max-size",
    "tus-checksum-algorithm",
    "upload-offset",
    "upload-length",
    "upload-expires",
    "upload-checksum",
]


# Liveness probes are never rate limited.
UNCOUNTED_PATHS = frozenset({"/health"})
# Nor are media files (the streaming service's /media: signed segment URLs, public posters).
UNCOUNTED_PREFIXES = ("/media/",)
# Media answers are passed on while they arrive in split mode (segments are megabytes).
MEDIA_FILES = re.compile(r"/media/.*")


class Mode(StrEnum):
    IN_PROCESS = "in-process"
    SPLIT = "split"


def create_app(
    settings: Settings, context: AppContext | None = None, *, mode: Mode = Mode.IN_PROCESS
) -> FastAPI:
    # Opened here, not in the lifespan: the admission middleware is built with its Redis.
    shared = context or AppContext.open(settings)
    service_apps: dict[str, FastAPI] = {}
    clients: list[ServiceClient] = []
    destinations: dict[str, Destination] = {}
    for spec in SERVICES.values():
        upstream: Upstream
        if mode is Mode.IN_PROCESS:
            service_app = spec.load()(settings, shared)
            service_apps[spec.name] = service_app
            shared.local_apps[spec.name] = service_app
            upstream = InProcessUpstream(service_app)
        else:
            client = ServiceClient(
                spec.name,
                settings.service_url(spec.name),
                timeout=settings.service_timeout_seconds,
                breaker=CircuitBreaker(spec.name, reset_timeout=settings.circuit_reset_seconds),
            )
            clients.append(client)
            upstream = HttpUpstream(
                client,
                slow_paths=[BULK_UPLOAD],
                slow_timeout=settings.bulk_upload_timeout_seconds,
                stream_timeout=max(UPLOAD_TIMEOUT_SECONDS, settings.bulk_upload_timeout_seconds),
                streamed_answers=[MEDIA_FILES],
            )
        for prefix in spec.prefixes:
            destinations[prefix] = Destination(spec, upstream)

    @asynccontextmanager
    async def run_services(_: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for service_app in service_apps.values():
                await stack.enter_async_context(service_app.router.lifespan_context(service_app))
            for client in clients:
                stack.push_async_callback(client.aclose)
            yield

    @asynccontextmanager
    async def close_context(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await shared.close()

    @asynccontextmanager
    async def serve_metrics(_: FastAPI) -> AsyncIterator[None]:
        if settings.metrics_port is None:
            yield
            return
        async with metrics_served(host=settings.service_host, port=settings.metrics_port):
            yield

    documents: list[dict[str, Any]] = []

    def api_document() -> dict[str, Any]:
        if not documents:
            # Split mode: the services' apps are built for their documents only, never started.
            apps = service_apps or {
                spec.name: spec.load()(settings, shared) for spec in SERVICES.values()
            }
            documents.append(
                merged_openapi(
                    gateway=app,
                    services=[(spec, apps[spec.name]) for spec in SERVICES.values()],
                    uncounted_paths=UNCOUNTED_PATHS,
                )
            )
        return documents[0]

    cors = _cors_options(settings)
    app = create_service_app(
        "gateway",
        settings=settings,
        routers=[docs_router(api_document)],
        context=shared,
        access_log=True,
        lifespan_hooks=[close_context, run_services, serve_metrics, frozen_after_startup(settings)],
        metrics_route=settings.metrics_public,
        middleware=[
            Middleware(SecurityHeadersMiddleware, hsts=settings.ott_env is Environment.PRODUCTION),
            # The web app's files, before admission: they are not rate limited (see web.py).
            Middleware(WebAppMiddleware, settings=settings),
            Middleware(
                AdmissionMiddleware,
                settings=settings,
                gatekeeper=Gatekeeper(shared.redis, shared.keys, settings.rate_limit_per_minute),
                client_address=ClientAddress(
                    trust_forwarded_for=settings.trust_forwarded_for,
                    trusted_proxies=settings.trusted_proxies,
                ),
                with_cors=partial(CORSMiddleware, **cors),
                uncounted_paths=UNCOUNTED_PATHS,
                uncounted_prefixes=UNCOUNTED_PREFIXES,
            ),
            Middleware(CORSMiddleware, **cors),
            Middleware(
                BodySizeLimitMiddleware,
                max_bytes=settings.max_request_bytes,
                larger_limits=[
                    (BULK_UPLOAD, settings.max_bulk_upload_bytes),
                    (IMAGE_UPLOAD, settings.max_image_upload_bytes),
                    (MEDIA_UPLOAD, settings.max_upload_bytes),
                ],
                streamed_paths=[MEDIA_UPLOAD],
            ),
            Middleware(
                ServiceDispatcher,
                settings=settings,
                destinations=destinations,
                streamed_paths=[MEDIA_UPLOAD],
            ),
        ],
    )
    app.mount(ASSETS_PATH, docs_assets())
    app.state.api_document = api_document
    return app


# Never connected to: the document is built from the apps' routes alone.
_OFFLINE_STORES = {
    "database_url": "postgresql+asyncpg://offline@127.0.0.1:9/offline",
    "redis_url": "redis://127.0.0.1:9/0",
    "jwt_secret": "offline-document-only-" + "x" * 32,
    "metrics_port": None,
}


async def openapi_document(settings: Settings) -> dict[str, Any]:
    """The document the gateway serves at /api/openapi.json, built without any store (`ott
    openapi`, and the check that the web app's generated client is fresh)."""
    offline = settings.model_copy(update=_OFFLINE_STORES)
    context = AppContext.open(offline)
    try:
        document: dict[str, Any] = create_app(
            offline, context, mode=Mode.SPLIT
        ).state.api_document()
        return document
    finally:
        await context.close()


def _cors_options(settings: Settings) -> dict[str, Any]:
    return {
        "allow_origins": settings.cors_origins,
        "allow_credentials": True,
        "allow_methods": ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        "allow_headers": [
            "authorization",
            "content-type",
            "x-correlation-id",
            "range",  # players fetch media files in byte ranges
            *_TUS_REQUEST_HEADERS,
        ],
        "expose_headers": [
            "retry-after",
            "x-correlation-id",
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "accept-ranges",
            "content-length",
            "content-range",
            *_TUS_RESPONSE_HEADERS,
        ],
        "max_age": 600,
    }
