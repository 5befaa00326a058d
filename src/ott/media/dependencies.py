"""Dependencies of the media routes: the signer of previews, made once in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from ott.core.app_context import app_context
from ott.core.signing import MediaSigner


@asynccontextmanager
async def preview_signing(app: FastAPI) -> AsyncIterator[None]:
    """A lifespan hook: the signer of preview URLs (the streaming service's secret and scheme)."""
    app.state.media_signer = MediaSigner.from_settings(app_context(app).settings)
    yield


async def _signer(request: Request) -> MediaSigner:
    signer = request.app.state.media_signer
    assert isinstance(signer, MediaSigner), "the media service's lifespan has not run"
    return signer


PreviewSigner = Annotated[MediaSigner, Depends(_signer)]
