"""HTTP routes of the encodings API, part of the CMS (editors and admins only)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from ott.core.database import DbSession
from ott.core.identity import Editor
from ott.media import service
from ott.media.schemas import EncodingOut

router = APIRouter(prefix="/api/cms", tags=["encodings"])


@router.get("/encodings/{encoding_id}", summary="An encoding: status, progress, errors, result")
async def get_encoding(encoding_id: uuid.UUID, db: DbSession, _: Editor) -> EncodingOut:
    return EncodingOut.model_validate(await service.get(db, encoding_id))


@router.post(
    "/encodings/{encoding_id}/cancel",
    summary="Cancel a queued or running encoding (409 once it has finished)",
)
async def cancel_encoding(encoding_id: uuid.UUID, db: DbSession, _: Editor) -> EncodingOut:
    return EncodingOut.model_validate(await service.cancel(db, encoding_id))


@router.post(
    "/encodings/{encoding_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Queue a failed or cancelled encoding again, with fresh attempts",
)
async def retry_encoding(encoding_id: uuid.UUID, db: DbSession, _: Editor) -> EncodingOut:
    return EncodingOut.model_validate(await service.retry(db, encoding_id))
