"""A title's version history, and restoring an earlier version."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Body, Path, Request

from ott.cms import reading, service
from ott.cms.dependencies import Staff
from ott.cms.routes.common import announced
from ott.cms.schemas import ContentView, TransitionRequest, VersionHistory
from ott.core.dependencies import DbSession
from ott.core.openapi import error_responses

router = APIRouter(tags=["cms"])


@router.get(
    "/content/{content_id}/versions",
    summary="A title's versions, newest first, with what changed in each",
)
async def versions(
    content_id: uuid.UUID,
    db: DbSession,
    _: Staff,
    include_metadata: bool = False,
) -> VersionHistory:
    return await reading.history(db=db, content_id=content_id, include_metadata=include_metadata)


@router.post(
    "/content/{content_id}/versions/{number}/restore",
    summary="Make a new version with an earlier version's metadata",
    responses=error_responses(409),
)
async def restore_version(
    content_id: uuid.UUID,
    number: Annotated[int, Path(ge=1)],
    db: DbSession,
    identity: Staff,
    request: Request,
    background: BackgroundTasks,
    body: Annotated[TransitionRequest | None, Body()] = None,
) -> ContentView:
    outcome = await service.restore(
        db=db,
        identity=identity,
        content_id=content_id,
        number=number,
        request=body or TransitionRequest(),
    )
    return announced(request, background, outcome)
