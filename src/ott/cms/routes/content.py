"""Titles: create, list, read, replace (PUT) and merge-patch (PATCH)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request, status

from ott.cms import reading, service
from ott.cms.dependencies import Staff
from ott.cms.routes.common import announced, json_document
from ott.cms.schemas import ContentPage, ContentView, TitleIn, TitleUpdate
from ott.content.models import ContentType, WorkflowState
from ott.core.dependencies import DbSession
from ott.core.openapi import error_responses

router = APIRouter(tags=["cms"])

MERGE_PATCH = "application/merge-patch+json"
_PATCH_TYPES = frozenset({MERGE_PATCH, "application/json"})
_PATCH_BODY = {
    "required": True,
    "content": {
        kind: {
            "schema": {
                "type": "object",
                "required": ["version"],
                "description": "A JSON merge patch (RFC 7386) of the title: any fields of "
                "the PUT body; null removes a field; lists are replaced whole; `version` "
                "names the version it is based on; read-only fields of the view are ignored",
            }
        }
        for kind in sorted(_PATCH_TYPES)
    },
}


@router.post(
    "/content",
    status_code=status.HTTP_201_CREATED,
    summary="Create a title (as a draft)",
    responses=error_responses(409),
)
async def create_content(
    body: TitleIn,
    db: DbSession,
    identity: Staff,
    request: Request,
    background: BackgroundTasks,
) -> ContentView:
    outcome = await service.create(db=db, identity=identity, title=body)
    return announced(request, background, outcome)


@router.get("/content", summary="Titles in any state, most recently changed first")
async def list_content(
    db: DbSession,
    identity: Staff,
    state: WorkflowState | None = None,
    type: ContentType | None = None,
    mine: Annotated[bool, Query(description="Only titles I created")] = False,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ContentPage:
    return await reading.list_content(
        db=db,
        identity=identity,
        state=state,
        content_type=type,
        mine=mine,
        cursor=cursor,
        limit=limit,
    )


@router.get("/content/{content_id}", summary="A title's editorial view")
async def get_content(content_id: uuid.UUID, db: DbSession, _: Staff) -> ContentView:
    return await reading.view(db=db, content_id=content_id)


@router.put(
    "/content/{content_id}",
    summary="Replace a title's metadata (names its version; the view from GET is accepted)",
    responses=error_responses(409),
)
async def update_content(
    content_id: uuid.UUID,
    body: TitleUpdate,
    db: DbSession,
    identity: Staff,
    request: Request,
    background: BackgroundTasks,
) -> ContentView:
    outcome = await service.update(db=db, identity=identity, content_id=content_id, data=body)
    return announced(request, background, outcome)


@router.patch(
    "/content/{content_id}",
    summary="Change some of a title's metadata (JSON merge patch naming its version)",
    responses=error_responses(409, 415),
    openapi_extra={"requestBody": _PATCH_BODY},
)
async def patch_content(
    content_id: uuid.UUID,
    db: DbSession,
    identity: Staff,
    request: Request,
    background: BackgroundTasks,
) -> ContentView:
    document = await json_document(request, accepted=_PATCH_TYPES)
    outcome = await service.patch(
        db=db, identity=identity, content_id=content_id, document=document
    )
    return announced(request, background, outcome)
