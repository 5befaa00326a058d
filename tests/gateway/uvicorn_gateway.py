"""The gateway as uvicorn loads it (`uvicorn --factory tests.gateway.uvicorn_gateway:create`),
with uvicorn's own defaults, proxy headers included; settings come from the environment."""

from __future__ import annotations

from fastapi import FastAPI

from ott.core.settings import Settings
from ott.gateway.app import create_app


def create() -> FastAPI:
    return create_app(Settings(_env_file=None))
