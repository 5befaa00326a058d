"""The media service as its own app (port 3009, URL prefixes /api/cms/uploads and
/api/cms/encodings): resumable uploads (tus) with a sweeper of expired ones, the encodings by
id (status, cancel, retry, signed preview URLs of a finished one) and, unless
RUN_WORKER_IN_PROCESS=false, one transcoding worker.
Encodings are queued through the CMS (POST /api/cms/content/{id}/encodings), which checks the
title's editing rights and calls `service.queue_encoding`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ott.core.app_context import AppContext, app_context
from ott.core.app_factory import LifespanHook, create_service_app
from ott.core.settings import Settings
from ott.media.dependencies import preview_signing
from ott.media.jobs.in_process import in_process_worker
from ott.media.router import router, uploads_router
from ott.media.uploads.sweeper import sweeping


def create_app(settings: Settings, context: AppContext | None = None) -> FastAPI:
    return create_service_app(
        "media",
        settings=settings,
        routers=[uploads_router, router],
        context=context,
        lifespan_hooks=[preview_signing, _pipeline(settings)],
    )


def _pipeline(settings: Settings) -> LifespanHook:
    """The upload sweeper and the in-process worker, on the app context's database, media
    store and event bus."""

    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[None]:
        context = app_context(app)
        sessionmaker = context.sessionmaker
        async with (
            sweeping(sessionmaker=sessionmaker, data_dir=settings.data_dir),
            in_process_worker(
                settings=settings,
                sessionmaker=sessionmaker,
                storage=context.storage,
                events=context.events,
            ),
        ):
            yield

    return run
