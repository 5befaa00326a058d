"""The rules of changing titles: create, edit (PUT, merge patch, a version restored, some
fields set by an upload), move through the workflow. No HTTP in here; every function takes
keyword arguments.

Every change locks the title's row (SELECT ... FOR UPDATE) before it reads the version, so
"check the version, then write version + 1" is atomic: of two edits based on the same version,
the second waits for the first and then gets `stale_version`; no edit is ever lost. Every
change also writes a content_versions row (the full snapshot, who, which action) and returns
the event to publish once the transaction has committed (ott.cms.events).

Every edit, whatever its kind, is allowed by one function, `edit_rights`: the workflow's
`edit` transition for the caller, then the version the caller named.

Publishing and time (ott.cms.schedule): `publish` on a title whose `available_from` lies in
the future makes it `published` with `published_at = available_from` and it is announced when
that time comes (ott.cms.scheduler).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ott.cms import merge_patch, snapshots, workflow
from ott.cms.checks import (
    check_external_id,
    check_genres,
    check_may_create,
    check_version,
    genre_ids,
)
from ott.cms.events import event_for
from ott.cms.reading import view
from ott.cms.schedule import go_live_time, published_at_after_edit
from ott.cms.schemas import (
    ContentView,
    TitleIn,
    TitleUpdate,
    TransitionRequest,
    without_read_only,
)
from ott.cms.snapshots import Stored, snapshot_of
from ott.cms.workflow import Action
from ott.cms.writer import TitleWrite, write_titles
from ott.content.models import Content, ContentVersion, WorkflowState
from ott.core.database import db_now
from ott.core.errors import Conflict, NotFound, ValidationFailed
from ott.core.event_types import ContentChange, ContentUpdated
from ott.core.identity import Identity


@dataclass
class Outcome:
    view: ContentView
    events: list[ContentChange] = field(default_factory=list)


# --- who may edit -------------------------------------------------------------------------


def edit_rights(row: Any, identity: Identity, *, expected_version: int | None) -> WorkflowState:
    """The one rule of every edit (metadata, restore, poster, thumbnail, video): the state
    the title keeps, if `identity` may edit it now and it is still `expected_version`."""
    state = workflow.transition(
        state=row.workflow_state, action=Action.EDIT, identity=identity, created_by=row.created_by
    )
    check_version(row, expected_version)
    return state


async def editable(
    *,
    db: AsyncSession,
    identity: Identity,
    content_id: uuid.UUID,
    expected_version: int | None,
) -> tuple[Stored, WorkflowState]:
    """The title, locked until the transaction ends, if `identity` may edit it."""
    stored = await _load(db, content_id, lock=True)
    return stored, edit_rights(stored.row, identity, expected_version=expected_version)


async def check_can_edit(
    *,
    db: AsyncSession,
    identity: Identity,
    content_id: uuid.UUID,
    expected_version: int | None,
) -> None:
    """Fail early (before expensive work such as decoding an image) if an edit would fail;
    the edit itself checks again, under the lock."""
    row = await db.scalar(select(Content).where(Content.id == content_id))
    if row is None:
        raise NotFound("No such title")
    edit_rights(row, identity, expected_version=expected_version)


async def _load(db: AsyncSession, content_id: uuid.UUID, *, lock: bool) -> Stored:
    stored = (await snapshots.load(db=db, ids=[content_id], lock=lock)).get(content_id)
    if stored is None:
        raise NotFound("No such title")
    return stored


# --- writing ------------------------------------------------------------------------------


async def _write(
    db: AsyncSession, writes: list[TitleWrite], *, identity: Identity, now: datetime
) -> None:
    try:
        await write_titles(
            db=db,
            writes=writes,
            genre_ids=await genre_ids(db),
            changed_by=identity.user_id,
            now=now,
        )
    except IntegrityError as exc:
        # Another transaction took the external id between our check and our write.
        if "external_id" in str(exc.orig):
            raise Conflict(
                "Another title already has this external id", code="external_id_taken"
            ) from exc
        raise


async def _apply(
    *,
    db: AsyncSession,
    identity: Identity,
    stored: Stored,
    state: WorkflowState,
    action: str,
    title: TitleIn | None,
    published_at: datetime | None,
    now: datetime,
    note: str | None = None,
    details: dict[str, Any] | None = None,
) -> Outcome:
    """Write the next version: new metadata (`title`), or only a new state when None."""
    row = stored.row
    version = row.version + 1
    event = event_for(
        before=row,
        state=state,
        published_at=published_at,
        now=now,
        content_id=row.id,
        version=version,
    )
    write = TitleWrite(
        content_id=row.id,
        snapshot=snapshot_of(title) if title is not None else stored.snapshot,
        state=state,
        version=version,
        published_at=published_at,
        action=action,
        note=note,
        title=title,
        existing=stored,
        details=details or {},
    )
    await _write(db, [write], identity=identity, now=now)
    return Outcome(view=await view(db=db, content_id=row.id), events=[event])


async def _replace(
    *,
    db: AsyncSession,
    identity: Identity,
    stored: Stored,
    state: WorkflowState,
    title: TitleIn,
    action: str,
    note: str | None = None,
    skip_if_unchanged: bool = True,
) -> Outcome:
    """New metadata for a title the caller may edit (checked by the caller)."""
    check_genres(title, await genre_ids(db))
    await check_external_id(db, external_id=title.external_id, content_id=stored.row.id)
    if skip_if_unchanged and snapshot_of(title) == stored.snapshot:
        return Outcome(view=await view(db=db, content_id=stored.row.id))  # no new version
    now = await db_now(db)
    return await _apply(
        db=db,
        identity=identity,
        stored=stored,
        state=state,
        action=action,
        title=title,
        published_at=published_at_after_edit(
            stored.row, available_from=title.available_from, now=now
        ),
        now=now,
        note=note,
    )


# --- operations ---------------------------------------------------------------------------


async def create(*, db: AsyncSession, identity: Identity, title: TitleIn) -> Outcome:
    check_may_create(identity)
    known = await genre_ids(db)
    check_genres(title, known)
    await check_external_id(db, external_id=title.external_id, content_id=None)
    now = await db_now(db)
    content_id = uuid.uuid4()
    state = WorkflowState.DRAFT
    try:
        await write_titles(
            db=db,
            writes=[
                TitleWrite(
                    content_id=content_id,
                    snapshot=snapshot_of(title),
                    state=state,
                    version=1,
                    published_at=None,
                    action="create",
                    title=title,
                    created_by=identity.user_id,
                )
            ],
            genre_ids=known,
            changed_by=identity.user_id,
            now=now,
        )
    except IntegrityError as exc:
        raise Conflict(
            "Another title already has this external id", code="external_id_taken"
        ) from exc
    return Outcome(
        view=await view(db=db, content_id=content_id),
        events=[ContentUpdated(content_id=content_id, workflow_state=state.value, version=1)],
    )


def _check_id(given: Any, content_id: uuid.UUID) -> None:
    if given is not None and str(given) != str(content_id):
        raise ValidationFailed(
            "The body describes another title than the URL names",
            code="id_mismatch",
            details=[{"field": "id", "message": f"must be {content_id} or left out"}],
        )


async def update(
    *, db: AsyncSession, identity: Identity, content_id: uuid.UUID, data: TitleUpdate
) -> Outcome:
    """PUT: the whole description replaced."""
    _check_id(data.id, content_id)
    stored, state = await editable(
        db=db, identity=identity, content_id=content_id, expected_version=data.version
    )
    return await _replace(
        db=db, identity=identity, stored=stored, state=state, title=data.title_in(), action="edit"
    )


async def patch(
    *, db: AsyncSession, identity: Identity, content_id: uuid.UUID, document: Any
) -> Outcome:
    """PATCH: a JSON merge patch (RFC 7386) of the title's description, naming in its
    `version` field the version it was based on. Read-only fields of the view are ignored,
    lists (genres, people, rules, seasons) are replaced whole, null removes a field (it
    takes its default)."""
    if not isinstance(document, dict):
        raise ValidationFailed(
            "A merge patch of a title is a JSON object",
            details=[{"field": "body", "message": "must be an object", "type": "dict_type"}],
        )
    changes = without_read_only(document)
    version = changes.pop("version", None)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValidationFailed(
            "Name the version the patch is based on in its `version` field",
            details=[
                {"field": "body.version", "message": "a whole number from 1", "type": "missing"}
            ],
        )
    _check_id(changes.pop("id", None), content_id)
    stored, state = await editable(
        db=db, identity=identity, content_id=content_id, expected_version=version
    )
    merged = merge_patch.apply(stored.snapshot, changes)
    try:
        title = TitleIn.model_validate(merged)
    except ValidationError as exc:
        raise ValidationFailed(
            "The patched title is not valid", details=validation_details(exc, prefix="body")
        ) from exc
    return await _replace(
        db=db, identity=identity, stored=stored, state=state, title=title, action="edit"
    )


def validation_details(exc: ValidationError, *, prefix: str | None = None) -> list[dict[str, Any]]:
    head = [prefix] if prefix else []
    return [
        {
            "field": ".".join(str(p) for p in [*head, *e["loc"]]),
            "message": e["msg"],
            "type": e["type"],
        }
        for e in exc.errors()
    ]


async def _authors(db: AsyncSession, content_id: uuid.UUID) -> frozenset[uuid.UUID]:
    """Who made a version of the title other than by reviewing it (see ott.cms.workflow)."""
    action = ContentVersion.metadata_[snapshots.ACTION_KEY].astext
    rows = await db.scalars(
        select(ContentVersion.changed_by)
        .where(
            ContentVersion.content_id == content_id,
            ContentVersion.changed_by.is_not(None),
            # A version without an action is an edit, as the history shows it.
            or_(action.is_(None), action.not_in([a.value for a in workflow.REVIEWING])),
        )
        .distinct()
    )
    return frozenset(user for user in rows if user is not None)


async def act(
    *,
    db: AsyncSession,
    identity: Identity,
    content_id: uuid.UUID,
    action: Action,
    request: TransitionRequest,
    allow_self_approval: bool,
) -> Outcome:
    """A workflow action (submit_review, approve, reject, publish, archive)."""
    stored = await _load(db, content_id, lock=True)
    row = stored.row
    authors: frozenset[uuid.UUID] | None = None
    if action is Action.APPROVE:
        authors = frozenset() if allow_self_approval else await _authors(db, content_id)
    state = workflow.transition(
        state=row.workflow_state,
        action=action,
        identity=identity,
        created_by=row.created_by,
        authors=authors,
        comment=request.comment,
    )
    check_version(row, request.version)
    now = await db_now(db)
    published_at = row.published_at
    if action is Action.PUBLISH:
        published_at = go_live_time(row.available_from, now)
    return await _apply(
        db=db,
        identity=identity,
        stored=stored,
        state=state,
        action=action.value,
        title=None,
        published_at=published_at,
        now=now,
        note=request.comment,
    )


async def restore(
    *,
    db: AsyncSession,
    identity: Identity,
    content_id: uuid.UUID,
    number: int,
    request: TransitionRequest,
) -> Outcome:
    """A new version whose metadata equals version `number`'s (the workflow state stays)."""
    stored, state = await editable(
        db=db, identity=identity, content_id=content_id, expected_version=request.version
    )
    metadata = await db.scalar(
        select(ContentVersion.metadata_).where(
            ContentVersion.content_id == content_id, ContentVersion.version_number == number
        )
    )
    if metadata is None:
        raise NotFound(f"The title has no version {number}", code="version_not_found")
    try:
        title = snapshots.title_of(metadata)
    except ValidationError as exc:
        raise ValidationFailed(
            f"Version {number} does not pass today's validation and cannot be restored",
            code="version_not_restorable",
            details=validation_details(exc),
        ) from exc
    return await _replace(
        db=db,
        identity=identity,
        stored=stored,
        state=state,
        title=title,
        action="restore",
        note=request.comment or f"restored from version {number}",
        skip_if_unchanged=False,
    )


async def set_fields(
    *,
    db: AsyncSession,
    identity: Identity,
    content_id: uuid.UUID,
    changes: dict[str, Any],
    expected_version: int | None,
    action: str,
    note: str | None,
) -> Outcome:
    """An edit of some fields (e.g. poster_url after an upload), with the usual checks."""
    stored, state = await editable(
        db=db, identity=identity, content_id=content_id, expected_version=expected_version
    )
    title = TitleIn.model_validate({**stored.snapshot, **changes})
    return await _replace(
        db=db,
        identity=identity,
        stored=stored,
        state=state,
        title=title,
        action=action,
        note=note,
        skip_if_unchanged=False,
    )


async def record(
    *,
    db: AsyncSession,
    identity: Identity,
    stored: Stored,
    state: WorkflowState,
    action: str,
    note: str | None,
    details: dict[str, Any],
) -> Outcome:
    """A version that changes no metadata but records something done to the title (a new
    video), for a title from `editable` (locked, the caller allowed)."""
    now = await db_now(db)
    return await _apply(
        db=db,
        identity=identity,
        stored=stored,
        state=state,
        action=action,
        title=None,
        published_at=stored.row.published_at,
        now=now,
        note=note,
        details=details,
    )
