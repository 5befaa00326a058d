"""HTTP routes of the CMS: parse, call the service, shape the answer, announce after commit."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Body, Path, Query, Request, status
from starlette.datastructures import UploadFile

from ott.cms import assets, bulk, service
from ott.cms.assets import AssetKind
from ott.cms.dependencies import MediaStorage, Staff
from ott.cms.schemas import (
    AssetOut,
    BulkResult,
    ContentPage,
    ContentView,
    RejectRequest,
    TitleIn,
    TitleUpdate,
    TransitionRequest,
    VersionHistory,
)
from ott.cms.service import Event, Outcome
from ott.cms.workflow import Action
from ott.content.models import ContentType, WorkflowState
from ott.core.database import DbSession
from ott.core.errors import BadRequest, Forbidden, PayloadTooLarge, UnsupportedMediaType
from ott.core.events import EventBus
from ott.core.identity import Identity, Role

router = APIRouter(prefix="/api/cms", tags=["cms"])

_PUBLISH_CONCURRENCY = 64


async def publish_events(bus: EventBus, events: list[Event]) -> None:
    """Announce committed changes (a background task: it runs after the commit)."""
    for start in range(0, len(events), _PUBLISH_CONCURRENCY):
        await asyncio.gather(
            *(
                bus.publish(kind, payload)
                for kind, payload in events[start : start + _PUBLISH_CONCURRENCY]
            )
        )


def _announce(request: Request, background: BackgroundTasks, outcome: Outcome) -> ContentView:
    if outcome.events:
        background.add_task(publish_events, request.app.state.resources.events, outcome.events)
    return outcome.view


def _require(identity: Identity, role: Role, doing: str) -> None:
    if not identity.has_role(role):
        raise Forbidden(f"Only a user with the role {role.value} may {doing}")


OptionalTransition = Annotated[TransitionRequest | None, Body()]


@router.post(
    "/content/bulk-upload",
    summary="Import titles from a JSON or CSV file (raw body or multipart field `file`)",
)
async def bulk_upload(
    request: Request,
    db: DbSession,
    identity: Staff,
    background: BackgroundTasks,
    publish: Annotated[bool, Query(description="Publish at once (admins only)")] = False,
) -> BulkResult:
    _require(identity, Role.EDITOR, "import titles")
    if publish:
        _require(identity, Role.ADMIN, "import titles as published")
    body, kind = await _read_bulk_file(request)
    parse = bulk.parse_json if kind == "json" else bulk.parse_csv
    parsed = await asyncio.to_thread(parse, body)
    result, events = await bulk.import_titles(db, identity, parsed, publish=publish)
    if events:
        background.add_task(publish_events, request.app.state.resources.events, events)
    return result


async def _read_bulk_file(request: Request) -> tuple[bytes, str]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=10)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise BadRequest("Send the file in the multipart field `file`", code="missing_file")
        body = await upload.read()
        part_type = (upload.content_type or "").split(";")[0].strip().lower()
        name = (upload.filename or "").lower()
        if part_type in _JSON_TYPES or name.endswith(".json"):
            return body, "json"
        if part_type in _CSV_TYPES or name.endswith(".csv"):
            return body, "csv"
    elif content_type in _JSON_TYPES:
        return await request.body(), "json"
    elif content_type in _CSV_TYPES:
        return await request.body(), "csv"
    raise UnsupportedMediaType(
        "Send the file as application/json or text/csv (raw body or multipart field `file`)",
        details={"accepted": sorted(_JSON_TYPES | _CSV_TYPES | {"multipart/form-data"})},
    )


_JSON_TYPES = {"application/json"}
_CSV_TYPES = {"text/csv", "application/csv"}


@router.post("/content", status_code=status.HTTP_201_CREATED, summary="Create a title (as a draft)")
async def create_content(
    body: TitleIn,
    db: DbSession,
    identity: Staff,
    request: Request,
    background: BackgroundTasks,
) -> ContentView:
    _require(identity, Role.EDITOR, "create titles")
    return _announce(request, background, await service.create(db, identity, body))


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
    return await service.list_content(
        db,
        identity=identity,
        state=state,
        content_type=type,
        mine=mine,
        cursor=cursor,
        limit=limit,
    )


@router.get("/content/{content_id}", summary="A title's editorial view")
async def get_content(content_id: uuid.UUID, db: DbSession, _: Staff) -> ContentView:
    return await service.view(db, content_id)


@router.put("/content/{content_id}", summary="Replace a title's metadata (names its version)")
async def update_content(
    content_id: uuid.UUID,
    body: TitleUpdate,
    db: DbSession,
    identity: Staff,
    request: Request,
    background: BackgroundTasks,
) -> ContentView:
    return _announce(request, background, await service.update(db, identity, content_id, body))


async def _act(
    content_id: uuid.UUID,
    action: Action,
    body: TransitionRequest | None,
    db: DbSession,
    identity: Identity,
    request: Request,
    background: BackgroundTasks,
) -> ContentView:
    outcome = await service.act(db, identity, content_id, action, body or TransitionRequest())
    return _announce(request, background, outcome)


@router.post("/content/{content_id}/submit-review", summary="Send a draft to review")
async def submit_review(
    content_id: uuid.UUID,
    db: DbSession,
    identity: Staff,
    request: Request,
    background: BackgroundTasks,
    body: OptionalTransition = None,
) -> ContentView:
    return await _act(content_id, Action.SUBMIT_REVIEW, body, db, identity, request, background)


@router.post("/content/{content_id}/approve", summary="Approve a title under review")
async def approve(
    content_id: uuid.UUID,
    db: DbSession,
    identity: Staff,
    request: Request,
    background: BackgroundTasks,
    body: OptionalTransition = None,
) -> ContentView:
    return await _act(content_id, Action.APPROVE, body, db, identity, request, background)


@router.post(
    "/content/{content_id}/reject", summary="Send a title under review back to draft, with why"
)
async def reject(
    content_id: uuid.UUID,
    body: RejectRequest,
    db: DbSession,
    identity: Staff,
    request: Request,
    background: BackgroundTasks,
) -> ContentView:
    return await _act(content_id, Action.REJECT, body, db, identity, request, background)


@router.post(
    "/content/{content_id}/publish",
    summary="Publish an approved title (scheduled if its available_from is in the future)",
)
async def publish(
    content_id: uuid.UUID,
    db: DbSession,
    identity: Staff,
    request: Request,
    background: BackgroundTasks,
    body: OptionalTransition = None,
) -> ContentView:
    return await _act(content_id, Action.PUBLISH, body, db, identity, request, background)


@router.post("/content/{content_id}/archive", summary="Archive a title")
async def archive(
    content_id: uuid.UUID,
    db: DbSession,
    identity: Staff,
    request: Request,
    background: BackgroundTasks,
    body: OptionalTransition = None,
) -> ContentView:
    return await _act(content_id, Action.ARCHIVE, body, db, identity, request, background)


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
    return await service.history(db, content_id, include_metadata=include_metadata)


@router.post(
    "/content/{content_id}/versions/{number}/restore",
    summary="Make a new version with an earlier version's metadata",
)
async def restore_version(
    content_id: uuid.UUID,
    number: Annotated[int, Path(ge=1)],
    db: DbSession,
    identity: Staff,
    request: Request,
    background: BackgroundTasks,
    body: OptionalTransition = None,
) -> ContentView:
    outcome = await service.restore(db, identity, content_id, number, body or TransitionRequest())
    return _announce(request, background, outcome)


@router.post(
    "/content/{content_id}/assets/{kind}",
    summary="Upload a poster or thumbnail (raw image body, or multipart field `file`)",
)
async def upload_asset(
    content_id: uuid.UUID,
    kind: AssetKind,
    request: Request,
    db: DbSession,
    identity: Staff,
    storage: MediaStorage,
    background: BackgroundTasks,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> AssetOut:
    data = await _read_image(request)
    # Refuse early what the edit would refuse anyway, before decoding and storing anything.
    await service.check_can_edit(db, identity, content_id, expected_version=version)
    rendered = await asyncio.to_thread(assets.render, data, kind)
    digest = assets.digest_of(data)
    # Files are named by their content, so storing them again is harmless, and files of an
    # edit that fails after this point (a concurrent edit) are unused rather than wrong.
    urls: dict[str, str] = {}
    for size, image in rendered.items():
        key = assets.storage_key(kind, content_id, digest, size)
        urls[assets.size_label(size)] = await storage.put(key, image, "image/jpeg")
    spec = assets.SPECS[kind]
    outcome = await service.set_fields(
        db,
        identity,
        content_id,
        {spec.field: urls[assets.size_label(spec.sizes[0])]},
        expected_version=version,
        action=f"{kind.value}_upload",
        note=f"new {kind.value}",
    )
    return AssetOut(kind=kind.value, urls=urls, content=_announce(request, background, outcome))


async def _read_image(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit():
        assets.check_size(int(declared) - 4096)  # allow for multipart framing
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=10)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise BadRequest("Send the image in the multipart field `file`", code="missing_file")
        data = await upload.read(assets.MAX_IMAGE_BYTES + 1)
    else:
        data = await request.body()
    if len(data) > assets.MAX_IMAGE_BYTES:
        raise PayloadTooLarge(
            f"An image may be at most {assets.MAX_IMAGE_BYTES // (1024 * 1024)} MiB",
            details={"max_bytes": assets.MAX_IMAGE_BYTES},
        )
    return data
