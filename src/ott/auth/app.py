"""The auth service as its own app (port 3001)."""

from __future__ import annotations

from fastapi import FastAPI

from ott.auth.router import router
from ott.core.app_context import AppContext
from ott.core.app_factory import create_service_app
from ott.core.settings import Settings


def create_app(settings: Settings, context: AppContext | None = None) -> FastAPI:
    return create_service_app("auth", settings=settings, routers=[router], context=context)
