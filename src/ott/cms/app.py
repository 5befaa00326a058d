"""The CMS as its own app (port 3006): editorial workflow, bulk ingestion, images, video
uploads (tus, with a sweeper of expired ones) and encodings, the scheduler that announces
titles when their scheduled publication comes, and (unless RUN_WORKER_IN_PROCESS=false) one
transcoding worker."""

from __future__ import annotations

from fastapi import FastAPI

from ott.cms.router import router
from ott.cms.scheduler import scheduler_hook
from ott.core.app_factory import create_service_app
from ott.core.resources import Resources
from ott.core.settings import Settings
from ott.media import tus
from ott.media.app_hooks import worker_hook
from ott.media.router import router as encodings_router  # /encodings/{id}, cancel, retry
from ott.media.upload_cleanup import upload_sweeper_hook


def create_app(settings: Settings, resources: Resources | None = None) -> FastAPI:
    """The scheduler runs every CMS_PUBLISH_INTERVAL_SECONDS."""
    return create_service_app(
        "cms",
        settings=settings,
        routers=[router, tus.router, encodings_router],
        resources=resources,
        lifespan_hooks=[
            scheduler_hook(settings.cms_publish_interval_seconds),
            upload_sweeper_hook(),
            worker_hook(settings),
        ],
    )
