"""The activity store: one interface, two backends (PostgreSQL by default, MongoDB when
MONGODB_URI is set). tests/activity/test_store_contract.py holds both to the same answers.

Writes take whole batches (the event consumer hands them over) and are idempotent: a playback
update changes a session only when its sequence is higher than any applied before, an item's
progress only when the update is newer, and an engagement or history entry is stored once.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.activity.records import (
    Engagement,
    HistoryEntry,
    HistoryPosition,
    PlaybackUpdate,
    Progress,
    ViewingSession,
    WatchlistEntry,
)
from ott.core.settings import Settings

MONGODB_DEFAULT_DATABASE = "ott_activity"


class ActivityStore(Protocol):
    async def apply_playback(self, updates: Sequence[PlaybackUpdate]) -> list[ViewingSession]:
        """Apply playback events to their sessions and items; answer the sessions they touched
        as they are now (replayed and late updates change nothing)."""
        ...

    async def session(self, session_id: str) -> ViewingSession | None: ...

    async def abandon_stale_sessions(self, *, before: datetime, limit: int) -> list[ViewingSession]:
        """Mark active sessions with no event since `before` abandoned; answer those marked."""
        ...

    async def progress(
        self, *, profile_id: uuid.UUID, content_id: uuid.UUID, episode_id: uuid.UUID | None
    ) -> Progress | None:
        """The profile's progress in one item (an episode of `content_id`, or the title)."""
        ...

    async def continue_watching(self, *, profile_id: uuid.UUID, limit: int) -> list[Progress]:
        """The profile's newest progress, newest first, leaving out titles removed from
        continue watching since (`hide_from_continue_watching`)."""
        ...

    async def hide_from_continue_watching(
        self, *, profile_id: uuid.UUID, content_id: uuid.UUID, at: datetime
    ) -> None: ...

    async def record_history(self, entries: Sequence[HistoryEntry]) -> None:
        """One entry per session: a second recording keeps the first `watched_at` and the
        higher completion rate and watch duration."""
        ...

    async def history(
        self, *, profile_id: uuid.UUID, limit: int, after: HistoryPosition | None = None
    ) -> list[HistoryEntry]:
        """The profile's history, newest first, from just past `after`."""
        ...

    async def record_engagements(self, engagements: Sequence[Engagement]) -> int:
        """Store the engagements not stored before (by profile and event id); answer how many."""
        ...

    async def engagements(self, *, profile_id: uuid.UUID, limit: int) -> list[Engagement]:
        """The profile's engagement events, newest first."""
        ...

    async def add_to_watchlist(
        self, *, user_id: uuid.UUID, profile_id: uuid.UUID, content_id: uuid.UUID, at: datetime
    ) -> tuple[WatchlistEntry, bool]:
        """The entry, and whether it is new (an entry already there keeps its `added_at`)."""
        ...

    async def remove_from_watchlist(
        self, *, profile_id: uuid.UUID, content_id: uuid.UUID
    ) -> None: ...

    async def watchlist(self, *, profile_id: uuid.UUID, limit: int) -> list[WatchlistEntry]:
        """Newest first."""
        ...


@asynccontextmanager
async def open_store(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[ActivityStore]:
    """The configured store, ready (MongoDB's indexes made), closed at the end."""
    if not settings.mongodb_uri:
        from ott.activity.store_postgres import PostgresActivityStore

        yield PostgresActivityStore(sessionmaker)
        return

    from pymongo import AsyncMongoClient

    from ott.activity.store_mongo import MongoActivityStore

    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        settings.mongodb_uri, tz_aware=True
    )
    try:
        store = MongoActivityStore(client.get_default_database(MONGODB_DEFAULT_DATABASE))
        await store.prepare()
        yield store
    finally:
        await client.close()
