"""The activity store on PostgreSQL (the default): the tables of models.py."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, case, delete, func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.activity.models import (
    EngagementEventRow,
    HiddenTitleRow,
    ViewingSessionRow,
    WatchHistoryRow,
    WatchlistRow,
    WatchProgressRow,
)
from ott.activity.records import (
    Engagement,
    HistoryEntry,
    HistoryPosition,
    PlaybackUpdate,
    Progress,
    ViewingSession,
    WatchlistEntry,
    percent_of,
)
from ott.activity.reduce import progress_writes, session_writes
from ott.activity.status import SessionEvent, SessionState, next_state

_S = cast(Table, ViewingSessionRow.__table__)
_P = cast(Table, WatchProgressRow.__table__)
_H = cast(Table, HiddenTitleRow.__table__)
_W = cast(Table, WatchHistoryRow.__table__)
_E = cast(Table, EngagementEventRow.__table__)
_L = cast(Table, WatchlistRow.__table__)


def _session(row: Row[Any]) -> ViewingSession:
    return ViewingSession(
        session_id=row.session_id,
        user_id=row.user_id,
        profile_id=row.profile_id,
        content_id=row.content_id,
        episode_id=row.episode_id,
        device_type=row.device_type,
        position_seconds=row.position_seconds,
        duration_seconds=row.duration_seconds,
        sequence=row.sequence,
        state=SessionState(row.state),
        first_position_seconds=row.first_position_seconds,
        furthest_position_seconds=row.furthest_position_seconds,
        created_at=row.created_at,
        last_updated=row.last_updated,
    )


def _progress(row: Row[Any]) -> Progress:
    return Progress(
        profile_id=row.profile_id,
        content_id=row.content_id,
        episode_id=row.episode_id,
        position_seconds=row.position_seconds,
        duration_seconds=row.duration_seconds,
        completed=row.completed,
        updated_at=row.updated_at,
    )


def _history(row: Row[Any]) -> HistoryEntry:
    return HistoryEntry(
        session_id=row.session_id,
        user_id=row.user_id,
        profile_id=row.profile_id,
        content_id=row.content_id,
        episode_id=row.episode_id,
        watched_at=row.watched_at,
        completion_rate=row.completion_rate,
        watch_duration_seconds=row.watch_duration_seconds,
    )


def _engagement(row: Row[Any]) -> Engagement:
    return Engagement(
        event_id=row.event_id,
        user_id=row.user_id,
        profile_id=row.profile_id,
        content_id=row.content_id,
        episode_id=row.episode_id,
        session_id=row.session_id,
        event_type=row.event_type,
        timestamp=row.timestamp,
        position_seconds=row.position_seconds,
        metadata=row.metadata,
    )


def _session_upsert() -> Any:
    statement = insert(_S)
    new = statement.excluded
    newer = new.sequence > _S.c.sequence
    latest = (
        "device_type",
        "position_seconds",
        "duration_seconds",
        "completed_percentage",
        "state",
        "last_updated",
    )
    return statement.on_conflict_do_update(
        index_elements=[_S.c.session_id],
        set_={
            **{name: case((newer, new[name]), else_=_S.c[name]) for name in latest},
            "sequence": func.greatest(_S.c.sequence, new.sequence),
            "first_position_seconds": case(
                (new.first_sequence < _S.c.first_sequence, new.first_position_seconds),
                else_=_S.c.first_position_seconds,
            ),
            "first_sequence": func.least(_S.c.first_sequence, new.first_sequence),
            "furthest_position_seconds": func.greatest(
                _S.c.furthest_position_seconds, new.furthest_position_seconds
            ),
            "created_at": func.least(_S.c.created_at, new.created_at),
        },
    ).returning(*_S.c)


def _progress_upsert() -> Any:
    statement = insert(_P)
    new = statement.excluded
    newer = or_(
        new.updated_at > _P.c.updated_at,
        and_(
            new.updated_at == _P.c.updated_at,
            new.session_id == _P.c.session_id,
            new.sequence > _P.c.sequence,
        ),
    )
    columns = [c.name for c in _P.c if c.name not in ("profile_id", "item_id")]
    return statement.on_conflict_do_update(
        index_elements=[_P.c.profile_id, _P.c.item_id],
        set_={name: new[name] for name in columns},
        where=newer,
    )


_SESSION_UPSERT = _session_upsert()
# What a Progress is made of (fewer columns to convert on the hot read).
_PROGRESS_COLUMNS = [
    _P.c[name]
    for name in (
        "profile_id",
        "content_id",
        "episode_id",
        "position_seconds",
        "duration_seconds",
        "completed",
        "updated_at",
    )
]
_PROGRESS_UPSERT = _progress_upsert()


class PostgresActivityStore:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessionmaker

    async def apply_playback(self, updates: Sequence[PlaybackUpdate]) -> list[ViewingSession]:
        if not updates:
            return []
        sessions = [
            {
                "session_id": w.latest.session_id,
                "user_id": w.latest.user_id,
                "profile_id": w.latest.profile_id,
                "content_id": w.latest.content_id,
                "episode_id": w.latest.episode_id,
                "device_type": w.latest.device_type,
                "position_seconds": w.latest.position_seconds,
                "duration_seconds": w.latest.duration_seconds,
                "completed_percentage": w.completed_percentage,
                "sequence": w.latest.sequence,
                "state": w.state,
                "first_sequence": w.first_sequence,
                "first_position_seconds": w.first_position_seconds,
                "furthest_position_seconds": w.furthest_position_seconds,
                "created_at": w.created_at,
                "last_updated": w.latest.occurred_at,
            }
            for w in session_writes(updates)
        ]
        progress = [
            {
                "profile_id": u.profile_id,
                "item_id": u.item_id,
                "user_id": u.user_id,
                "content_id": u.content_id,
                "episode_id": u.episode_id,
                "session_id": u.session_id,
                "sequence": u.sequence,
                "position_seconds": u.position_seconds,
                "duration_seconds": u.duration_seconds,
                "completed_percentage": percent_of(u.position_seconds, u.duration_seconds),
                "completed": u.event is SessionEvent.COMPLETED,
                "updated_at": u.occurred_at,
            }
            for u in (write.update for write in progress_writes(updates))
        ]
        async with self._sessions() as db, db.begin():
            rows = (await db.execute(_SESSION_UPSERT, sessions)).all()
            await db.execute(_PROGRESS_UPSERT, progress)
        return [_session(row) for row in rows]

    async def session(self, session_id: str) -> ViewingSession | None:
        async with self._sessions() as db:
            row = (await db.execute(select(_S).where(_S.c.session_id == session_id))).first()
        return _session(row) if row else None

    async def abandon_stale_sessions(self, *, before: datetime, limit: int) -> list[ViewingSession]:
        stale = (
            select(_S.c.session_id)
            .where(_S.c.state == SessionState.ACTIVE, _S.c.last_updated < before)
            .order_by(_S.c.last_updated)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        statement = (
            update(_S)
            .where(_S.c.session_id.in_(stale.scalar_subquery()), _S.c.state == SessionState.ACTIVE)
            .values(state=next_state(SessionState.ACTIVE, SessionEvent.ABANDON))
            .returning(*_S.c)
        )
        async with self._sessions() as db, db.begin():
            rows = (await db.execute(statement)).all()
        return [_session(row) for row in rows]

    async def progress(
        self, *, profile_id: uuid.UUID, content_id: uuid.UUID, episode_id: uuid.UUID | None
    ) -> Progress | None:
        statement = select(*_PROGRESS_COLUMNS).where(
            _P.c.profile_id == profile_id,
            _P.c.item_id == (episode_id or content_id),
            _P.c.content_id == content_id,
        )
        async with self._sessions() as db:
            row = (await db.execute(statement)).first()
        return _progress(row) if row else None

    async def continue_watching(self, *, profile_id: uuid.UUID, limit: int) -> list[Progress]:
        statement = (
            select(*_PROGRESS_COLUMNS)
            .outerjoin(
                _H, and_(_H.c.profile_id == _P.c.profile_id, _H.c.content_id == _P.c.content_id)
            )
            .where(
                _P.c.profile_id == profile_id,
                or_(_H.c.hidden_at.is_(None), _P.c.updated_at > _H.c.hidden_at),
            )
            .order_by(_P.c.updated_at.desc())
            .limit(limit)
        )
        async with self._sessions() as db:
            rows = (await db.execute(statement)).all()
        return [_progress(row) for row in rows]

    async def hide_from_continue_watching(
        self, *, profile_id: uuid.UUID, content_id: uuid.UUID, at: datetime
    ) -> None:
        statement = insert(_H).values(profile_id=profile_id, content_id=content_id, hidden_at=at)
        statement = statement.on_conflict_do_update(
            index_elements=[_H.c.profile_id, _H.c.content_id],
            set_={"hidden_at": func.greatest(_H.c.hidden_at, statement.excluded.hidden_at)},
        )
        async with self._sessions() as db, db.begin():
            await db.execute(statement)

    async def record_history(self, entries: Sequence[HistoryEntry]) -> None:
        if not entries:
            return
        statement = insert(_W)
        statement = statement.on_conflict_do_update(
            index_elements=[_W.c.session_id],
            set_={
                "completion_rate": func.greatest(
                    _W.c.completion_rate, statement.excluded.completion_rate
                ),
                "watch_duration_seconds": func.greatest(
                    _W.c.watch_duration_seconds, statement.excluded.watch_duration_seconds
                ),
            },
        )
        rows = [
            {
                "session_id": e.session_id,
                "user_id": e.user_id,
                "profile_id": e.profile_id,
                "content_id": e.content_id,
                "episode_id": e.episode_id,
                "watched_at": e.watched_at,
                "completion_rate": e.completion_rate,
                "watch_duration_seconds": e.watch_duration_seconds,
            }
            for e in sorted(entries, key=lambda e: e.session_id)
        ]
        async with self._sessions() as db, db.begin():
            await db.execute(statement, rows)

    async def history(
        self, *, profile_id: uuid.UUID, limit: int, after: HistoryPosition | None = None
    ) -> list[HistoryEntry]:
        statement = select(_W).where(_W.c.profile_id == profile_id)
        if after is not None:
            statement = statement.where(
                tuple_(_W.c.watched_at, _W.c.session_id)
                < tuple_(after.watched_at, after.session_id)
            )
        statement = statement.order_by(_W.c.watched_at.desc(), _W.c.session_id.desc()).limit(limit)
        async with self._sessions() as db:
            rows = (await db.execute(statement)).all()
        return [_history(row) for row in rows]

    async def record_engagements(self, engagements: Sequence[Engagement]) -> int:
        if not engagements:
            return 0
        rows = [
            {
                "profile_id": e.profile_id,
                "event_id": e.event_id,
                "user_id": e.user_id,
                "content_id": e.content_id,
                "episode_id": e.episode_id,
                "session_id": e.session_id,
                "event_type": e.event_type,
                "timestamp": e.timestamp,
                "position_seconds": e.position_seconds,
                "metadata": e.metadata,
            }
            for e in sorted(engagements, key=lambda e: (e.profile_id, e.event_id))
        ]
        statement = insert(_E).on_conflict_do_nothing().returning(_E.c.event_id)
        async with self._sessions() as db, db.begin():
            stored = (await db.execute(statement, rows)).all()
        return len(stored)

    async def engagements(self, *, profile_id: uuid.UUID, limit: int) -> list[Engagement]:
        statement = (
            select(_E)
            .where(_E.c.profile_id == profile_id)
            .order_by(_E.c.timestamp.desc(), _E.c.event_id.desc())
            .limit(limit)
        )
        async with self._sessions() as db:
            rows = (await db.execute(statement)).all()
        return [_engagement(row) for row in rows]

    async def add_to_watchlist(
        self, *, user_id: uuid.UUID, profile_id: uuid.UUID, content_id: uuid.UUID, at: datetime
    ) -> tuple[WatchlistEntry, bool]:
        added = (
            insert(_L)
            .values(profile_id=profile_id, content_id=content_id, user_id=user_id, added_at=at)
            .on_conflict_do_nothing()
            .returning(_L.c.added_at)
        )
        existing = select(_L.c.added_at).where(
            _L.c.profile_id == profile_id, _L.c.content_id == content_id
        )
        async with self._sessions() as db, db.begin():
            when = await db.scalar(added)
            if when is not None:
                return WatchlistEntry(content_id, when), True
            # The conflicting row is visible to this statement even if it was committed after
            # the transaction began (READ COMMITTED).
            when = await db.scalar(existing)
        return WatchlistEntry(content_id, when or at), False

    async def remove_from_watchlist(self, *, profile_id: uuid.UUID, content_id: uuid.UUID) -> None:
        statement = delete(_L).where(_L.c.profile_id == profile_id, _L.c.content_id == content_id)
        async with self._sessions() as db, db.begin():
            await db.execute(statement)

    async def watchlist(self, *, profile_id: uuid.UUID, limit: int) -> list[WatchlistEntry]:
        statement = (
            select(_L.c.content_id, _L.c.added_at)
            .where(_L.c.profile_id == profile_id)
            .order_by(_L.c.added_at.desc(), _L.c.content_id.desc())
            .limit(limit)
        )
        async with self._sessions() as db:
            rows = (await db.execute(statement)).all()
        return [WatchlistEntry(row.content_id, row.added_at) for row in rows]
