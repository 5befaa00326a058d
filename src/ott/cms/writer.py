"""Writes titles to the content tables in batches: one statement per table for many titles.

Every CMS write goes through here, from one edit to a 50,000-title import, so a single title
and a bulk file are stored the same way. New rows get their ids here (no round trip to learn
them). An update keeps the ids of seasons and episodes that still exist (matched by number),
so watch history and video variants pointing at an episode survive an edit; it replaces the
title's genre links and availability rules. New rows go in with COPY. Each write also
records a content_versions row and refreshes the search document (`reindex`) of the titles it
touched.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, cast

from sqlalchemy import Enum as SqlEnum
from sqlalchemy import Table, Uuid, bindparam, delete, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import InterfaceError
from sqlalchemy.ext.asyncio import AsyncSession

from ott.cms.schemas import TitleIn
from ott.cms.snapshots import (
    EPISODE_FIELDS,
    RULE_FIELDS,
    SEASON_FIELDS,
    Snapshot,
    Stored,
    among,
    version_metadata,
)
from ott.content.indexing import reindex, sort_title
from ott.content.models import (
    AvailabilityRule,
    Content,
    ContentVersion,
    Episode,
    Season,
    WorkflowState,
    content_genres,
)

# Declarative classes type __table__ as a FromClause; these are Tables.
_CONTENT = cast(Table, Content.__table__)
_SEASONS = cast(Table, Season.__table__)
_EPISODES = cast(Table, Episode.__table__)
_RULES = cast(Table, AvailabilityRule.__table__)
_VERSIONS = cast(Table, ContentVersion.__table__)

# Columns a title's metadata sets (the rest are workflow and bookkeeping).
METADATA_COLUMNS = (
    "external_id",
    "type",
    "title",
    "title_hi",
    "sort_title",
    "description",
    "description_hi",
    "original_language",
    "release_date",
    "duration_minutes",
    "maturity_rating",
    "maturity_level",
    "people",
    "tier_requirement",
    "available_from",
    "available_until",
    "poster_url",
    "thumbnail_url",
    "trailer_url",
    "popularity",
)
STATE_COLUMNS = ("workflow_state", "version", "published_at", "updated_at")


def metadata_values(title: TitleIn) -> dict[str, Any]:
    return {
        "external_id": title.external_id,
        "type": title.type,
        "title": title.title,
        "title_hi": title.title_hi,
        "sort_title": sort_title(title.title)[:500],
        "description": title.description,
        "description_hi": title.description_hi,
        "original_language": title.original_language,
        "release_date": title.release_date,
        "duration_minutes": title.duration_minutes,
        "maturity_rating": title.maturity_rating.value,
        "maturity_level": title.maturity_level,
        "people": list(title.people),
        "tier_requirement": title.tier_requirement,
        "available_from": title.available_from,
        "available_until": title.available_until,
        "poster_url": title.poster_url,
        "thumbnail_url": title.thumbnail_url,
        "trailer_url": title.trailer_url,
        "popularity": title.popularity,
        # Derived columns the catalog filters on; triggers keep them right for other writers.
        "genre_slugs": sorted(set(title.genres)),
        "has_availability_rules": bool(title.availability_rules),
    }


@dataclass
class TitleWrite:
    """One title to store: its workflow state only when `title` is None (the metadata stays
    as it is); otherwise created when `existing` is None, else replaced."""

    content_id: uuid.UUID
    snapshot: Snapshot
    state: WorkflowState
    version: int
    published_at: datetime | None
    action: str
    note: str | None = None
    title: TitleIn | None = None
    existing: Stored | None = None
    created_by: uuid.UUID | None = None
    # More for the version row (keys starting with "_", e.g. the video a version recorded).
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Children:
    genre_links: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)
    season_inserts: list[dict[str, Any]] = field(default_factory=list)
    season_updates: list[dict[str, Any]] = field(default_factory=list)
    season_deletes: list[uuid.UUID] = field(default_factory=list)
    episode_inserts: list[dict[str, Any]] = field(default_factory=list)
    episode_updates: list[dict[str, Any]] = field(default_factory=list)
    episode_deletes: list[uuid.UUID] = field(default_factory=list)


def _plan_children(
    write: TitleWrite, title: TitleIn, genre_ids: dict[str, uuid.UUID], children: _Children
) -> None:
    cid = write.content_id
    children.genre_links += [{"content_id": cid, "genre_id": genre_ids[g]} for g in title.genres]
    children.rules += [
        {"id": uuid.uuid4(), "content_id": cid, **{n: getattr(rule, n) for n in RULE_FIELDS}}
        for rule in title.availability_rules
    ]
    existing = write.existing
    old_seasons = {s.season_number: s for s in existing.seasons} if existing else {}
    for season in title.seasons:
        values = {n: getattr(season, n) for n in SEASON_FIELDS}
        old = old_seasons.pop(season.season_number, None)
        if old is None:
            season_id = uuid.uuid4()
            children.season_inserts.append({"id": season_id, "content_id": cid, **values})
            old_episodes: dict[int, Any] = {}
        else:
            season_id = old.id
            if any(getattr(old, n) != v for n, v in values.items()):
                children.season_updates.append({"b_id": season_id, **_b(values)})
            assert existing is not None
            old_episodes = {e.episode_number: e for e in existing.episodes.get(old.id, [])}
        for episode in season.episodes:
            values = {n: getattr(episode, n) for n in EPISODE_FIELDS}
            old_episode = old_episodes.pop(episode.episode_number, None)
            if old_episode is None:
                children.episode_inserts.append(
                    {"id": uuid.uuid4(), "season_id": season_id, **values}
                )
            elif any(getattr(old_episode, n) != v for n, v in values.items()):
                children.episode_updates.append({"b_id": old_episode.id, **_b(values)})
        children.episode_deletes += [e.id for e in old_episodes.values()]
    children.season_deletes += [s.id for s in old_seasons.values()]


def _b(values: dict[str, Any]) -> dict[str, Any]:
    """Bind names for an UPDATE ... WHERE id = :b_id (they may not equal column names)."""
    return {f"b_{name}": value for name, value in values.items()}


def _update_by_id(table: Any, columns: Sequence[str]) -> Any:
    return (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values({name: bindparam(f"b_{name}") for name in columns})
    )


async def _execute_many(db: AsyncSession, statement: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        await db.execute(statement, rows)


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _json_text(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if value is not None else None


def _converter(column: Any) -> Any:
    if isinstance(column.type, SqlEnum):
        return _enum_value
    if isinstance(column.type, JSONB):
        return _json_text
    return None


async def _copy(db: AsyncSession, table: Any, rows: list[dict[str, Any]]) -> None:
    """INSERT many rows with PostgreSQL's COPY (several times faster than INSERT statements),
    on the session's connection, so inside its transaction. The values bypass SQLAlchemy's
    type processing: enums go in as their values, JSON as text."""
    if not rows:
        return
    columns = list(rows[0])
    converters = [(i, f) for i, c in enumerate(columns) if (f := _converter(table.c[c]))]
    records = [[row[c] for c in columns] for row in rows]
    for record in records:
        for index, convert in converters:
            record[index] = convert(record[index])
    connection = await db.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    if driver is None:  # the pooled connection was invalidated under us
        raise InterfaceError("COPY", None, ConnectionError("the database connection is closed"))
    await driver.copy_records_to_table(table.name, records=records, columns=columns)


async def write_titles(
    *,
    db: AsyncSession,
    writes: Sequence[TitleWrite],
    genre_ids: dict[str, uuid.UUID],
    changed_by: uuid.UUID | None,
    now: datetime,
) -> None:
    """Store these titles, their version rows and their search documents.

    The caller has locked the existing rows, checked versions and permissions, and decided
    each title's next state and version.
    """
    if not writes:
        return
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    state_updates: list[dict[str, Any]] = []
    replaced: list[uuid.UUID] = []
    children = _Children()
    for write in writes:
        state = {
            "workflow_state": write.state,
            "version": write.version,
            "published_at": write.published_at,
            "updated_at": now,
        }
        if write.title is None:
            state_updates.append({"b_id": write.content_id, **_b(state)})
        elif write.existing is None:
            inserts.append(
                {
                    "id": write.content_id,
                    **metadata_values(write.title),
                    **state,
                    "created_by": write.created_by,
                    "created_at": now,
                }
            )
            _plan_children(write, write.title, genre_ids, children)
        else:
            values = {**metadata_values(write.title), **state}
            updates.append({"b_id": write.content_id, **_b(values)})
            replaced.append(write.content_id)
            _plan_children(write, write.title, genre_ids, children)

    await _copy(db, _CONTENT, inserts)
    # executemany needs the same columns in every row: group the rows by their columns.
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in [*updates, *state_updates]:
        by_columns.setdefault(tuple(name[2:] for name in row if name != "b_id"), []).append(row)
    for columns, rows in by_columns.items():
        await _execute_many(db, _update_by_id(_CONTENT, columns), rows)
    if replaced:
        await db.execute(
            delete(content_genres).where(
                among(content_genres.c.content_id, replaced, item_type=Uuid())
            )
        )
        await db.execute(
            delete(_RULES).where(among(_RULES.c.content_id, replaced, item_type=Uuid()))
        )
    if children.season_deletes:
        await db.execute(
            delete(_SEASONS).where(among(_SEASONS.c.id, children.season_deletes, item_type=Uuid()))
        )
    if children.episode_deletes:
        await db.execute(
            delete(_EPISODES).where(
                among(_EPISODES.c.id, children.episode_deletes, item_type=Uuid())
            )
        )
    await _copy(db, content_genres, children.genre_links)
    await _copy(db, _RULES, children.rules)
    await _copy(db, _SEASONS, children.season_inserts)
    await _execute_many(db, _update_by_id(_SEASONS, SEASON_FIELDS), children.season_updates)
    await _copy(db, _EPISODES, children.episode_inserts)
    await _execute_many(db, _update_by_id(_EPISODES, EPISODE_FIELDS), children.episode_updates)
    await _copy(
        db,
        _VERSIONS,
        [
            {
                "id": uuid.uuid4(),
                "content_id": w.content_id,
                "version_number": w.version,
                "metadata": version_metadata(
                    w.snapshot, state=w.state, action=w.action, details=w.details
                ),
                "changed_by": changed_by,
                "change_note": w.note,
                "changed_at": now,
            }
            for w in writes
        ],
    )
    await reindex(db, [w.content_id for w in writes if w.title is not None])
