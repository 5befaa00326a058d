"""Dependencies of the CMS routes: who may use the CMS at all, and the app's image decoder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from ott.cms.assets import ImageDecoder
from ott.core.app_context import app_context

# Every CMS route needs an editorial role (admins hold every role; viewers get 403).
from ott.core.identity import Staff, StaffOnly


@asynccontextmanager
async def image_decoding(app: FastAPI) -> AsyncIterator[None]:
    """A lifespan hook: the app's image decoder, CMS_IMAGE_DECODE_CONCURRENCY images at once."""
    decoder = ImageDecoder(app_context(app).settings.cms_image_decode_concurrency)
    app.state.image_decoder = decoder
    try:
        yield
    finally:
        decoder.close()


async def _image_decoder(request: Request) -> ImageDecoder:
    decoder = request.app.state.image_decoder
    assert isinstance(decoder, ImageDecoder), "the CMS's lifespan has not run"
    return decoder


Images = Annotated[ImageDecoder, Depends(_image_decoder)]

__all__ = ["Images", "Staff", "StaffOnly", "image_decoding"]
