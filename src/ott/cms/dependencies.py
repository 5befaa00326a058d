"""Dependencies of the CMS routes: who may use the CMS at all, the settings, the media store,
and the slots for decoding images."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Depends, Request

from ott.core.identity import Identity, Role, require_roles
from ott.core.settings import Settings
from ott.core.storage import Storage, create_storage

# Every CMS route needs an editorial role (admins hold every role); viewers get 403.
StaffOnly = require_roles(Role.EDITOR, Role.REVIEWER)


async def _storage(request: Request) -> Storage:
    state = request.app.state
    if not hasattr(state, "storage"):
        state.storage = create_storage(state.settings)
    return state.storage


async def _settings(request: Request) -> Settings:
    return request.app.state.settings


async def _decode_slots(request: Request) -> asyncio.Semaphore:
    """One semaphore per app: how many images it decodes at once."""
    state = request.app.state
    if not hasattr(state, "image_decode_slots"):
        state.image_decode_slots = asyncio.Semaphore(state.settings.cms_image_decode_concurrency)
    return state.image_decode_slots


MediaStorage = Annotated[Storage, Depends(_storage)]
CmsSettings = Annotated[Settings, Depends(_settings)]
ImageDecodeSlots = Annotated[asyncio.Semaphore, Depends(_decode_slots)]
Staff = Annotated[Identity, StaffOnly]
