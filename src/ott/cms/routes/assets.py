"""Poster and thumbnail uploads."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request

from ott.cms import assets
from ott.cms.dependencies import Images, Staff
from ott.cms.images import AssetKind
from ott.cms.routes.common import announced, file_body, file_request_body
from ott.cms.schemas import AssetOut
from ott.core.dependencies import AppSettings, DbSession, MediaStorage
from ott.core.openapi import error_responses

router = APIRouter(tags=["cms"])

_IMAGE = {"type": "string", "format": "binary"}
_IMAGE_BODY = file_request_body(
    {media_type: _IMAGE for media_type in ("image/jpeg", "image/png", "image/webp")},
    what="image (JPEG, PNG or WebP)",
)


@router.post(
    "/content/{content_id}/assets/{kind}",
    summary="Upload a poster or thumbnail (raw image body, or multipart field `file`)",
    responses=error_responses(400, 409, 415),
    openapi_extra={"requestBody": _IMAGE_BODY},
)
async def upload_asset(
    content_id: uuid.UUID,
    kind: AssetKind,
    request: Request,
    db: DbSession,
    identity: Staff,
    storage: MediaStorage,
    settings: AppSettings,
    decoder: Images,
    background: BackgroundTasks,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> AssetOut:
    max_bytes = settings.max_image_upload_bytes
    image = await file_body(request, what="image", max_bytes=max_bytes)
    urls, outcome = await assets.upload(
        db=db,
        storage=storage,
        identity=identity,
        content_id=content_id,
        kind=kind,
        data=image.data,
        expected_version=version,
        max_bytes=max_bytes,
        decoder=decoder,
    )
    return AssetOut(kind=kind.value, urls=urls, content=announced(request, background, outcome))
