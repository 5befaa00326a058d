"""The rules of editing titles: create, edit, move through the workflow, restore, list, history.
No HTTP in here.

Every change locks the title's row (SELECT ... FOR UPDATE) before it reads the version, so
"check the version, then write version + 1" is atomic: of two edits based on the same version,
the second waits for the first and then gets `stale_version`; no edit is ever lost. Every
change also writes a content_versions row (the full snapshot, who, which action) and returns
the event to publish once the transaction has committed.

Publishing and time: `publish` on a title whose `available_from` lies in the future makes it
`published` with `published_at = available_from` (the catalog shows nothing before
available_from), and announces `content.published` only when that time comes (see
`ott.cms.scheduler`). A title is "scheduled, not yet announced" exactly while
`published_at > updated_at`: publishing now sets both to the transaction's time, scheduling
sets published_at later than updated_at, and the scheduler's announcement bumps updated_at.

Events: every change that makes a new version announces exactly one event, payload
`{"content_id", "workflow_state", "version"}`: `content.published` when the title went live
with it (published now, or a scheduled title made live by an edit), `content.archived` when it
was archived, `content.updated` for everything else (creation, edits, submit, approve, reject,
scheduling a publication). A change that makes no new version (an edit that changes nothing,
a refused request) announces nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from ott.cms import snapshots, workflow
from ott.cms.schemas import (
    AvailabilityRuleOut,
    ContentPage,
    ContentSummary,
    ContentView,
    EpisodeOut,
    FieldChange,
    ReviewNote,
    SeasonOut,
    TitleIn,
    TitleUpdate,
    TransitionRequest,
    VersionHistory,
    VersionOut,
)
from ott.cms.snapshots import ACTION_KEY, STATE_KEY, Stored, snapshot_of
from ott.cms.workflow import Action
from ott.cms.writer import TitleWrite, write_titles
from ott.content.models import Content, ContentType, ContentVersion, Genre, WorkflowState
from ott.core.cursors import InvalidCursor, decode_cursor, encode_cursor
from ott.core.database import db_now
from ott.core.errors import Conflict, NotFound, ValidationFailed
from ott.core.identity import Identity

PUBLISHED_EVENT = "content.published"
UPDATED_EVENT = "content.updated"
ARCHIVED_EVENT = "content.archived"

Event = tuple[str, dict[str, Any]]


@dataclass
class Outcome:
    view: ContentView
    events: list[Event] = field(default_factory=list)


# --- helpers shared with bulk and assets ---------------------------------------------------


async def genre_ids(db: AsyncSession) -> dict[str, uuid.UUID]:
    return {slug: gid for slug, gid in await db.execute(select(Genre.slug, Genre.id))}


def unknown_genres(title: TitleIn, known: dict[str, uuid.UUID]) -> list[str]:
    return [slug for slug in title.genres if slug not in known]


def check_genres(title: TitleIn, known: dict[str, uuid.UUID]) -> None:
    missing = unknown_genres(title, known)
    if missing:
        raise ValidationFailed(
            "Unknown genres: " + ", ".join(missing),
            code="unknown_genre",
            details=[{"field": "genres", "message": f"unknown genre {slug!r}"} for slug in missing],
        )


async def check_external_id(
    db: AsyncSession, external_id: str | None, content_id: uuid.UUID | None
) -> None:
    if external_id is None:
        return
    other = await db.scalar(select(Content.id).where(Content.external_id == external_id))
    if other is not None and other != content_id:
        raise Conflict(
            f"Another title already has the external id {external_id!r}",
            code="external_id_taken",
            details={"external_id": external_id, "content_id": str(other)},
        )


def check_version(row: Any, expected: int | None) -> None:
    if expected is not None and expected != row.version:
        raise Conflict(
            f"The title has changed since version {expected}; it is now version {row.version}",
            code="stale_version",
            details={"current_version": row.version, "your_version": expected},
        )


def publish_time(available_from: datetime | None, now: datetime) -> datetime:
    """When a title published now goes live: now, or its available_from if that is later."""
    return available_from if available_from is not None and available_from > now else now


def is_scheduled(row: Any) -> bool:
    """Published, but its going live has not been announced yet."""
    return (
        row.workflow_state is WorkflowState.PUBLISHED
        and row.published_at is not None
        and row.published_at > row.updated_at
    )


def event_for(
    before: Any,
    state: WorkflowState,
    published_at: datetime | None,
    now: datetime,
) -> str:
    """The one event a change announces: published when the title went live with it, archived
    when it was archived, updated otherwise. `before` is the row before the change (anything
    with its workflow_state, published_at and updated_at), None for a new title."""
    if state is WorkflowState.ARCHIVED:
        return ARCHIVED_EVENT
    if state is WorkflowState.PUBLISHED and published_at is not None and published_at <= now:
        was_live = (
            before is not None
            and before.workflow_state is WorkflowState.PUBLISHED
            and not is_scheduled(before)
        )
        if not was_live:
            return PUBLISHED_EVENT
    return UPDATED_EVENT


def event_payload(content_id: uuid.UUID, state: WorkflowState, version: int) -> dict[str, Any]:
    return {"content_id": str(content_id), "workflow_state": state.value, "version": version}


def published_at_after_edit(row: Any, title: TitleIn, now: datetime) -> datetime | None:
    """An edit of a scheduled title follows its available_from; a live title stays live."""
    if (
        row.workflow_state is WorkflowState.PUBLISHED
        and row.published_at
        and row.published_at > now
    ):
        return publish_time(title.available_from, now)
    return row.published_at


async def locked(db: AsyncSession, content_id: uuid.UUID) -> Stored:
    stored = (await snapshots.load(db, [content_id], lock=True)).get(content_id)
    if stored is None:
        raise NotFound("No such title")
    return stored


async def unlocked(db: AsyncSession, content_id: uuid.UUID) -> Stored:
    stored = (await snapshots.load(db, [content_id])).get(content_id)
    if stored is None:
        raise NotFound("No such title")
    return stored


async def _write(
    db: AsyncSession, writes: list[TitleWrite], identity: Identity, now: datetime
) -> None:
    try:
        await write_titles(
            db, writes, genre_ids=await genre_ids(db), changed_by=identity.user_id, now=now
        )
    except IntegrityError as exc:
        # Another transaction took the external id between our check and our write.
        if "external_id" in str(exc.orig):
            raise Conflict(
                "Another title already has this external id", code="external_id_taken"
            ) from exc
        raise


async def _apply(
    db: AsyncSession,
    identity: Identity,
    stored: Stored,
    *,
    state: WorkflowState,
    action: str,
    title: TitleIn | None,
    snapshot: snapshots.Snapshot,
    published_at: datetime | None,
    now: datetime,
    note: str | None = None,
) -> Outcome:
    row = stored.row
    version = row.version + 1
    event = event_for(row, state, published_at, now)
    await _write(
        db,
        [
            TitleWrite(
                content_id=row.id,
                snapshot=snapshot,
                state=state,
                version=version,
                published_at=published_at,
                action=action,
                note=note,
                title=title,
                existing=stored,
            )
        ],
        identity,
        now,
    )
    return Outcome(
        view=await view(db, row.id), events=[(event, event_payload(row.id, state, version))]
    )


# --- operations ---------------------------------------------------------------------------


async def create(db: AsyncSession, identity: Identity, title: TitleIn) -> Outcome:
    known = await genre_ids(db)
    check_genres(title, known)
    await check_external_id(db, title.external_id, None)
    now = await db_now(db)
    content_id = uuid.uuid4()
    state = WorkflowState.DRAFT
    try:
        await write_titles(
            db,
            [
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
        view=await view(db, content_id),
        events=[(UPDATED_EVENT, event_payload(content_id, state, 1))],
    )


async def update(
    db: AsyncSession, identity: Identity, content_id: uuid.UUID, data: TitleUpdate
) -> Outcome:
    stored = await locked(db, content_id)
    row = stored.row
    state = workflow.transition(
        row.workflow_state, Action.EDIT, identity, created_by=row.created_by
    )
    check_version(row, data.version)
    title = data.title_in()
    check_genres(title, await genre_ids(db))
    await check_external_id(db, title.external_id, content_id)
    snapshot = snapshot_of(title)
    if snapshot == stored.snapshot:
        return Outcome(view=await view(db, content_id))  # nothing changed: no new version
    now = await db_now(db)
    return await _apply(
        db,
        identity,
        stored,
        state=state,
        action="edit",
        title=title,
        snapshot=snapshot,
        published_at=published_at_after_edit(row, title, now),
        now=now,
    )


async def act(
    db: AsyncSession,
    identity: Identity,
    content_id: uuid.UUID,
    action: Action,
    request: TransitionRequest,
) -> Outcome:
    """A workflow action (submit_review, approve, reject, publish, archive)."""
    stored = await locked(db, content_id)
    row = stored.row
    state = workflow.transition(row.workflow_state, action, identity, created_by=row.created_by)
    check_version(row, request.version)
    now = await db_now(db)
    published_at = row.published_at
    if action is Action.PUBLISH:
        published_at = publish_time(row.available_from, now)
    return await _apply(
        db,
        identity,
        stored,
        state=state,
        action=action.value,
        title=None,
        snapshot=stored.snapshot,
        published_at=published_at,
        now=now,
        note=request.comment,
    )


async def restore(
    db: AsyncSession,
    identity: Identity,
    content_id: uuid.UUID,
    number: int,
    request: TransitionRequest,
) -> Outcome:
    """A new version whose metadata equals version `number`'s (the workflow state stays)."""
    stored = await locked(db, content_id)
    row = stored.row
    state = workflow.transition(
        row.workflow_state, Action.EDIT, identity, created_by=row.created_by
    )
    check_version(row, request.version)
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
            details=[
                {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                for e in exc.errors()
            ],
        ) from exc
    check_genres(title, await genre_ids(db))
    await check_external_id(db, title.external_id, content_id)
    now = await db_now(db)
    return await _apply(
        db,
        identity,
        stored,
        state=state,
        action="restore",
        title=title,
        snapshot=snapshot_of(title),
        published_at=published_at_after_edit(row, title, now),
        now=now,
        note=request.comment or f"restored from version {number}",
    )


async def check_can_edit(
    db: AsyncSession, identity: Identity, content_id: uuid.UUID, *, expected_version: int | None
) -> None:
    """Fail early (before expensive work such as decoding an image) if an edit would fail."""
    row = await db.scalar(select(Content).where(Content.id == content_id))
    if row is None:
        raise NotFound("No such title")
    workflow.transition(row.workflow_state, Action.EDIT, identity, created_by=row.created_by)
    check_version(row, expected_version)


async def set_fields(
    db: AsyncSession,
    identity: Identity,
    content_id: uuid.UUID,
    changes: dict[str, Any],
    *,
    expected_version: int | None,
    action: str,
    note: str | None,
) -> Outcome:
    """An edit of some fields (e.g. poster_url after an upload), with the usual checks."""
    stored = await locked(db, content_id)
    row = stored.row
    state = workflow.transition(
        row.workflow_state, Action.EDIT, identity, created_by=row.created_by
    )
    check_version(row, expected_version)
    title = TitleIn.model_validate({**stored.snapshot, **changes})
    now = await db_now(db)
    return await _apply(
        db,
        identity,
        stored,
        state=state,
        action=action,
        title=title,
        snapshot=snapshot_of(title),
        published_at=published_at_after_edit(row, title, now),
        now=now,
        note=note,
    )


# --- reading ------------------------------------------------------------------------------


def _summary_fields(row: Any, now: datetime) -> dict[str, Any]:
    scheduled = (
        row.published_at
        if row.workflow_state is WorkflowState.PUBLISHED
        and row.published_at is not None
        and row.published_at > now
        else None
    )
    return {
        "id": row.id,
        "external_id": row.external_id,
        "type": row.type,
        "title": row.title,
        "title_hi": row.title_hi,
        "workflow_state": row.workflow_state,
        "version": row.version,
        "created_by": row.created_by,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "published_at": row.published_at,
        "scheduled_publish_at": scheduled,
        "poster_url": row.poster_url,
    }


async def _last_review(db: AsyncSession, content_id: uuid.UUID) -> ReviewNote | None:
    action = ContentVersion.metadata_[ACTION_KEY].astext
    version = await db.scalar(
        select(ContentVersion)
        .where(
            ContentVersion.content_id == content_id,
            action.in_([Action.APPROVE.value, Action.REJECT.value]),
        )
        .order_by(ContentVersion.version_number.desc())
        .limit(1)
    )
    if version is None:
        return None
    return ReviewNote(
        action=version.metadata_[ACTION_KEY],
        comment=version.change_note,
        by=version.changed_by,
        at=version.changed_at,
        version=version.version_number,
    )


async def view(db: AsyncSession, content_id: uuid.UUID) -> ContentView:
    stored = await unlocked(db, content_id)
    row, snapshot = stored.row, stored.snapshot
    now = await db_now(db)
    return ContentView(
        **_summary_fields(row, now),
        description=row.description,
        description_hi=row.description_hi,
        original_language=row.original_language,
        release_date=row.release_date,
        duration_minutes=row.duration_minutes,
        maturity_rating=row.maturity_rating,
        maturity_level=row.maturity_level,
        genres=snapshot["genres"],
        people=list(row.people or []),
        tier_requirement=row.tier_requirement,
        available_from=row.available_from,
        available_until=row.available_until,
        availability_rules=[AvailabilityRuleOut.model_validate(r) for r in stored.rules],
        thumbnail_url=row.thumbnail_url,
        trailer_url=row.trailer_url,
        popularity=row.popularity,
        seasons=[
            SeasonOut(
                id=s.id,
                season_number=s.season_number,
                title=s.title,
                title_hi=s.title_hi,
                release_date=s.release_date,
                episodes=[EpisodeOut.model_validate(e) for e in stored.episodes[s.id]],
            )
            for s in stored.seasons
        ],
        last_review=await _last_review(db, content_id),
    )


_CURSOR_FIELDS = frozenset({"u", "i"})


def _listing_cursor(row: Content) -> str:
    return encode_cursor({"u": row.updated_at.isoformat(), "i": str(row.id)})


def _listing_position(cursor: str) -> tuple[datetime, uuid.UUID]:
    position = decode_cursor(cursor, fields=_CURSOR_FIELDS)
    try:
        moment = datetime.fromisoformat(position["u"])
        content_id = uuid.UUID(position["i"])
    except (ValueError, TypeError, AttributeError) as exc:
        raise InvalidCursor from exc
    if moment.tzinfo is None:
        raise InvalidCursor
    return moment, content_id


_SUMMARY_COLUMNS = (
    Content.id,
    Content.external_id,
    Content.type,
    Content.title,
    Content.title_hi,
    Content.workflow_state,
    Content.version,
    Content.created_by,
    Content.created_at,
    Content.updated_at,
    Content.published_at,
    Content.poster_url,
)


async def list_content(
    db: AsyncSession,
    *,
    identity: Identity,
    state: WorkflowState | None,
    content_type: ContentType | None,
    mine: bool,
    cursor: str | None,
    limit: int,
) -> ContentPage:
    """Titles in any state, most recently changed first (keyset pagination)."""
    statement = (
        select(Content)
        .options(load_only(*_SUMMARY_COLUMNS))
        .order_by(Content.updated_at.desc(), Content.id.desc())
        .limit(limit + 1)
    )
    if state is not None:
        statement = statement.where(Content.workflow_state == state)
    if content_type is not None:
        statement = statement.where(Content.type == content_type)
    if mine:
        statement = statement.where(Content.created_by == identity.user_id)
    if cursor is not None:
        at, after_id = _listing_position(cursor)
        statement = statement.where(tuple_(Content.updated_at, Content.id) < (at, after_id))
    rows = list(await db.scalars(statement))
    now = await db_now(db)
    page = rows[:limit]
    return ContentPage(
        items=[ContentSummary(**_summary_fields(row, now)) for row in page],
        next_cursor=_listing_cursor(page[-1]) if len(rows) > limit else None,
    )


async def history(
    db: AsyncSession, content_id: uuid.UUID, *, include_metadata: bool
) -> VersionHistory:
    current = await db.scalar(select(Content.version).where(Content.id == content_id))
    if current is None:
        raise NotFound("No such title")
    rows = list(
        await db.scalars(
            select(ContentVersion)
            .where(ContentVersion.content_id == content_id)
            .order_by(ContentVersion.version_number)
        )
    )
    versions: list[VersionOut] = []
    previous: dict[str, Any] | None = None
    for row in rows:
        metadata = row.metadata_
        versions.append(
            VersionOut(
                version=row.version_number,
                action=str(metadata.get(ACTION_KEY) or "edit"),
                note=row.change_note,
                workflow_state=metadata.get(STATE_KEY),
                changed_by=row.changed_by,
                changed_at=row.changed_at,
                changes=[FieldChange(**c) for c in snapshots.diff(previous, metadata)],
                metadata={k: v for k, v in metadata.items() if not k.startswith("_")}
                if include_metadata
                else None,
            )
        )
        previous = metadata
    versions.reverse()
    return VersionHistory(content_id=content_id, current_version=current, versions=versions)
