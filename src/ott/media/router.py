"""HTTP routes of the encodings API, part of the CMS (editors and admins only)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from ott.cms.dependencies import MediaStorage
from ott.core.database import DbSession
from ott.core.identity import Editor
from ott.media import service
from ott.media.schemas import EncodingIn, EncodingList, EncodingOut

router = APIRouter(prefix="/api/cms", tags=["encodings"])


@router.post(
    "/content/{content_id}/encodings",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Queue the transcoding of uploaded files into the title's (or episode's) video",
)
async def create_encoding(
    content_id: uuid.UUID,
    body: EncodingIn,
    db: DbSession,
    identity: Editor,
    storage: MediaStorage,
    request: Request,
) -> EncodingOut:
    encoding = await service.queue_encoding(
        db=db,
        storage=storage,
        settings=request.app.state.settings,
        identity=identity,
        content_id=content_id,
        body=body,
    )
    return EncodingOut.model_validate(encoding)


@router.get("/content/{content_id}/encodings", summary="A title's encodings, newest first")
async def list_encodings(content_id: uuid.UUID, db: DbSession, _: Editor) -> EncodingList:
    rows = await service.list_for_title(db=db, content_id=content_id)
    return EncodingList(items=[EncodingOut.model_validate(row) for row in rows])


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
