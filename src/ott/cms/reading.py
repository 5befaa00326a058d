"""Reading titles for editors: the editorial view, the listing, the version history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from ott.cms import snapshots
from ott.cms.schedule import scheduled_for
from ott.cms.schemas import (
    AvailabilityRuleOut,
    ContentPage,
    ContentSummary,
    ContentView,
    EpisodeOut,
    FieldChange,
    ReviewNote,
    SeasonOut,
    VersionHistory,
    VersionOut,
)
from ott.cms.snapshots import ACTION_KEY, STATE_KEY, VIDEO_KEY
from ott.cms.workflow import Action
from ott.content.models import Content, ContentType, ContentVersion, WorkflowState
from ott.core.cursors import InvalidCursor, decode_cursor, encode_cursor
from ott.core.database import db_now
from ott.core.errors import NotFound
from ott.core.identity import Identity


def _summary_fields(row: Any, now: datetime) -> dict[str, Any]:
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
        "scheduled_publish_at": scheduled_for(row, now),
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


async def view(*, db: AsyncSession, content_id: uuid.UUID) -> ContentView:
    stored = (await snapshots.load(db=db, ids=[content_id])).get(content_id)
    if stored is None:
        raise NotFound("No such title")
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
    *,
    db: AsyncSession,
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
    *, db: AsyncSession, content_id: uuid.UUID, include_metadata: bool
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
    videos: dict[str, Any] = {}  # the latest video of the title and of each episode
    for row in rows:
        metadata = row.metadata_
        changes = [FieldChange(**c) for c in snapshots.diff(previous, metadata)]
        if isinstance(video := metadata.get(VIDEO_KEY), dict):
            where = str(video.get("field") or "video")
            after = {k: v for k, v in video.items() if k != "field"}
            changes.append(FieldChange(field=where, before=videos.get(where), after=after))
            videos[where] = after
        versions.append(
            VersionOut(
                version=row.version_number,
                action=str(metadata.get(ACTION_KEY) or "edit"),
                note=row.change_note,
                workflow_state=metadata.get(STATE_KEY),
                changed_by=row.changed_by,
                changed_at=row.changed_at,
                changes=changes,
                metadata={k: v for k, v in metadata.items() if not k.startswith("_")}
                if include_metadata
                else None,
            )
        )
        previous = metadata
    versions.reverse()
    return VersionHistory(content_id=content_id, current_version=current, versions=versions)
