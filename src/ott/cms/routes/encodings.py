"""A title's video encodings (the rest of the encodings API is the video pipeline's)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request, status

from ott.cms import videos
from ott.cms.routes.common import announce
from ott.core.dependencies import AppSettings, DbSession, MediaStorage
from ott.core.identity import Editor, Staff
from ott.core.openapi import error_responses
from ott.media.schemas import EncodingIn, EncodingList, EncodingOut

router = APIRouter(tags=["encodings"])


@router.post(
    "/content/{content_id}/encodings",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Queue the transcoding of uploaded files into the title's (or episode's) video "
    "(an edit of the title: the same rights, a new version)",
    responses=error_responses(409),
)
async def create_encoding(
    content_id: uuid.UUID,
    body: EncodingIn,
    db: DbSession,
    identity: Editor,
    storage: MediaStorage,
    settings: AppSettings,
    request: Request,
    background: BackgroundTasks,
    version: Annotated[
        int | None, Query(ge=1, description="If given, only if the title is still this version")
    ] = None,
) -> EncodingOut:
    encoding, outcome = await videos.queue(
        db=db,
        storage=storage,
        settings=settings,
        identity=identity,
        content_id=content_id,
        body=body,
        expected_version=version,
    )
    announce(request, background, outcome.events)
    return EncodingOut.model_validate(encoding)


@router.get("/content/{content_id}/encodings", summary="A title's encodings, newest first")
async def list_encodings(content_id: uuid.UUID, db: DbSession, _: Staff) -> EncodingList:
    rows = await videos.encodings(db=db, content_id=content_id)
    return EncodingList(items=[EncodingOut.model_validate(row) for row in rows])
