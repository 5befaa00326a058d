"""Dependencies of the CMS routes: who may use the CMS at all, the settings, the media store,
and the app's image decoder."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ott.cms.assets import ImageDecoder
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


async def _image_decoder(request: Request) -> ImageDecoder:
    """One per app: CMS_IMAGE_DECODE_CONCURRENCY images decoded at once."""
    state = request.app.state
    if not hasattr(state, "image_decoder"):
        state.image_decoder = ImageDecoder(state.settings.cms_image_decode_concurrency)
    return state.image_decoder


MediaStorage = Annotated[Storage, Depends(_storage)]
CmsSettings = Annotated[Settings, Depends(_settings)]
Images = Annotated[ImageDecoder, Depends(_image_decoder)]
Staff = Annotated[Identity, StaffOnly]
