"""Dependencies of the media routes: the media store (made once, in the app's lifespan) and
the service's settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ott.core.settings import Settings
from ott.core.storage import Storage


def _storage(request: Request) -> Storage:
    storage: Storage = request.app.state.storage
    return storage


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


MediaStorage = Annotated[Storage, Depends(_storage)]
AppSettings = Annotated[Settings, Depends(_settings)]
