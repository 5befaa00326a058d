"""The CMS as its own app (port 3006): editorial workflow, bulk ingestion, images, and the
scheduler that announces titles when their scheduled publication comes. Video uploads and
encodings are the media service's (ott/media/app.py)."""

from __future__ import annotations

from fastapi import FastAPI

from ott.cms.dependencies import image_decoding
from ott.cms.router import router
from ott.cms.scheduler import scheduler_hook
from ott.core.app_context import AppContext
from ott.core.app_factory import create_service_app
from ott.core.settings import Settings


def create_app(settings: Settings, context: AppContext | None = None) -> FastAPI:
    """The scheduler runs every CMS_PUBLISH_INTERVAL_SECONDS."""
    return create_service_app(
        "cms",
        settings=settings,
        routers=[router],
        context=context,
        lifespan_hooks=[image_decoding, scheduler_hook(settings.cms_publish_interval_seconds)],
    )
