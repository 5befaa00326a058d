"""The activity tables of the PostgreSQL store (the spec's MongoDB collections as tables).

Each index serves one query of store_postgres.py; see the comment beside it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Float, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ott.activity.status import SessionState
from ott.core.database import Base, pg_enum
from ott.core.event_types import EngagementType

_WHEN = DateTime(timezone=True)


class ViewingSessionRow(Base):
    """One playback session: its newest event wins (highest sequence)."""

    __tablename__ = "viewing_sessions"
    __table_args__ = (
        # The abandon sweep: active sessions whose last event is older than a moment.
        Index(
            "ix_viewing_sessions_stale", "last_updated", postgresql_where=text("state = 'active'")
        ),
    )

    session_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    user_id: Mapped[uuid.UUID]
    profile_id: Mapped[uuid.UUID]
    content_id: Mapped[uuid.UUID]
    episode_id: Mapped[uuid.UUID | None]
    device_type: Mapped[str] = mapped_column(String(50))
    position_seconds: Mapped[float] = mapped_column(Float)
    duration_seconds: Mapped[float] = mapped_column(Float)
    completed_percentage: Mapped[float] = mapped_column(Float)
    sequence: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[SessionState] = mapped_column(pg_enum(SessionState, "viewing_session_state"))
    first_sequence: Mapped[int] = mapped_column(BigInteger)
    first_position_seconds: Mapped[float] = mapped_column(Float)
    furthest_position_seconds: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(_WHEN)
    last_updated: Mapped[datetime] = mapped_column(_WHEN)


class WatchProgressRow(Base):
    """Where a profile stands in one item (`item_id`: the episode, else the title)."""

    __tablename__ = "watch_progress"
    __table_args__ = (
        # Continue watching: a profile's items, newest first.
        Index("ix_watch_progress_recent", "profile_id", text("updated_at DESC")),
    )

    profile_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    item_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID]
    content_id: Mapped[uuid.UUID]
    episode_id: Mapped[uuid.UUID | None]
    # The session and sequence of the newest update (ties in time go to the higher sequence).
    session_id: Mapped[str] = mapped_column(String(100))
    sequence: Mapped[int] = mapped_column(BigInteger)
    position_seconds: Mapped[float] = mapped_column(Float)
    duration_seconds: Mapped[float] = mapped_column(Float)
    completed_percentage: Mapped[float] = mapped_column(Float)
    completed: Mapped[bool]
    updated_at: Mapped[datetime] = mapped_column(_WHEN)


class HiddenTitleRow(Base):
    """A title removed from a profile's continue watching; newer activity brings it back."""

    __tablename__ = "continue_watching_hidden"

    profile_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    content_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    hidden_at: Mapped[datetime] = mapped_column(_WHEN)


class WatchHistoryRow(Base):
    """An item watched to the end, one per session that got there."""

    __tablename__ = "watch_history"
    __table_args__ = (
        # History pages: a profile's entries, newest first, the session id breaking ties.
        Index(
            "ix_watch_history_recent",
            "profile_id",
            text("watched_at DESC"),
            text("session_id DESC"),
        ),
    )

    # Byte order ("C"), as MongoDB compares strings: both stores page alike.
    session_id: Mapped[str] = mapped_column(String(100, collation="C"), primary_key=True)
    user_id: Mapped[uuid.UUID]
    profile_id: Mapped[uuid.UUID]
    content_id: Mapped[uuid.UUID]
    episode_id: Mapped[uuid.UUID | None]
    watched_at: Mapped[datetime] = mapped_column(_WHEN)
    completion_rate: Mapped[float] = mapped_column(Float)
    watch_duration_seconds: Mapped[float] = mapped_column(Float)


class EngagementEventRow(Base):
    """Play, pause, seek, rewind, abandon and complete, each event id once per profile."""

    __tablename__ = "engagement_events"
    __table_args__ = (
        # A profile's engagement, newest first.
        Index("ix_engagement_events_recent", "profile_id", text("timestamp DESC")),
    )

    profile_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(200, collation="C"), primary_key=True)
    user_id: Mapped[uuid.UUID]
    content_id: Mapped[uuid.UUID]
    episode_id: Mapped[uuid.UUID | None]
    session_id: Mapped[str | None] = mapped_column(String(100))
    event_type: Mapped[EngagementType] = mapped_column(pg_enum(EngagementType, "engagement_type"))
    timestamp: Mapped[datetime] = mapped_column(_WHEN)
    position_seconds: Mapped[float] = mapped_column(Float)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONB, server_default="{}")


class WatchlistRow(Base):
    """The watchlist of the spec's user_preferences, one row per title."""

    __tablename__ = "watchlist"
    __table_args__ = (
        # A profile's watchlist, newest first.
        Index("ix_watchlist_recent", "profile_id", text("added_at DESC")),
    )

    profile_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    content_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID]
    added_at: Mapped[datetime] = mapped_column(_WHEN)
