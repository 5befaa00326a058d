"""The media service as its own app (port 3009, URL prefixes /api/cms/uploads and
/api/cms/encodings): resumable uploads (tus) with a sweeper of expired ones, the encodings by
id (status, cancel, retry) and, unless RUN_WORKER_IN_PROCESS=false, one transcoding worker.
Encodings are queued through the CMS (POST /api/cms/content/{id}/encodings), which checks the
title's editing rights and calls `service.queue_encoding`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ott.core.app_factory import LifespanHook, create_service_app
from ott.core.resources import Resources
from ott.core.settings import Settings
from ott.core.storage import Storage, create_storage
from ott.media.jobs.in_process import in_process_worker
from ott.media.router import router, uploads_router
from ott.media.uploads.sweeper import sweeping


def create_app(settings: Settings, resources: Resources | None = None) -> FastAPI:
    return create_service_app(
        "media",
        settings=settings,
        routers=[uploads_router, router],
        resources=resources,
        lifespan_hooks=[_pipeline(settings)],
    )


def _pipeline(settings: Settings) -> LifespanHook:
    """The media store (one for the app's life, for the routes and the worker), the upload
    sweeper and the in-process worker."""

    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[None]:
        storage = create_storage(settings)
        app.state.storage = storage
        sessionmaker = app.state.resources.sessionmaker
        try:
            async with (
                sweeping(sessionmaker=sessionmaker, data_dir=settings.data_dir),
                in_process_worker(settings=settings, sessionmaker=sessionmaker, storage=storage),
            ):
                yield
        finally:
            await close_storage(storage)

    return run


async def close_storage(storage: Storage) -> None:
    """An S3 store holds an HTTP client; local files hold nothing."""
    close = getattr(storage, "aclose", None)
    if close is not None:
        await close()
