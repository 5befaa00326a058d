"""What the activity store keeps, as plain values both backends read and write.

Times are kept to the millisecond (`to_millis`), the precision MongoDB stores, so that both
backends answer the same values and history cursors compare exactly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ott.activity.status import SessionEvent, SessionState
from ott.core.event_types import EngagementType


def to_millis(moment: datetime) -> datetime:
    """`moment` in UTC, cut to the millisecond."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def percent_of(position: float, duration: float) -> float:
    """How far `position` is into `duration`, 0 to 100."""
    if duration <= 0:
        return 0.0
    return max(0.0, min(100.0, position * 100.0 / duration))


@dataclass(frozen=True, slots=True)
class PlaybackUpdate:
    """One playback event of a session, as the store applies it."""

    session_id: str
    user_id: uuid.UUID
    profile_id: uuid.UUID
    content_id: uuid.UUID
    episode_id: uuid.UUID | None
    device_type: str
    position_seconds: float
    duration_seconds: float
    sequence: int
    occurred_at: datetime  # to the millisecond
    event: SessionEvent

    @property
    def item_id(self) -> uuid.UUID:
        """What is watched: the episode of a series, else the title."""
        return self.episode_id or self.content_id


@dataclass(frozen=True, slots=True)
class ViewingSession:
    """A session as its events left it: the newest event's position and state, the lowest
    sequence's position (where it started) and the furthest position reached."""

    session_id: str
    user_id: uuid.UUID
    profile_id: uuid.UUID
    content_id: uuid.UUID
    episode_id: uuid.UUID | None
    device_type: str
    position_seconds: float
    duration_seconds: float
    sequence: int
    state: SessionState
    first_position_seconds: float
    furthest_position_seconds: float
    created_at: datetime
    last_updated: datetime

    @property
    def completed_percentage(self) -> float:
        return percent_of(self.position_seconds, self.duration_seconds)

    @property
    def furthest_percentage(self) -> float:
        return percent_of(self.furthest_position_seconds, self.duration_seconds)


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a profile stands in one item (a film, or an episode of a series): its newest
    event from any session. `completed` when that event was a complete."""

    profile_id: uuid.UUID
    content_id: uuid.UUID
    episode_id: uuid.UUID | None
    position_seconds: float
    duration_seconds: float
    completed: bool
    updated_at: datetime

    @property
    def percent(self) -> float:
        return percent_of(self.position_seconds, self.duration_seconds)

    @property
    def item_id(self) -> uuid.UUID:
        return self.episode_id or self.content_id


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """An item watched to the end (one per session that got there)."""

    session_id: str
    user_id: uuid.UUID
    profile_id: uuid.UUID
    content_id: uuid.UUID
    episode_id: uuid.UUID | None
    watched_at: datetime
    completion_rate: float  # 0-100
    watch_duration_seconds: float


@dataclass(frozen=True, slots=True)
class HistoryPosition:
    """Where a page of history stopped: entries older than this come next."""

    watched_at: datetime
    session_id: str


@dataclass(frozen=True, slots=True)
class Engagement:
    event_id: str  # unique per profile
    user_id: uuid.UUID
    profile_id: uuid.UUID
    content_id: uuid.UUID
    episode_id: uuid.UUID | None
    session_id: str | None
    event_type: EngagementType
    timestamp: datetime
    position_seconds: float
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WatchlistEntry:
    content_id: uuid.UUID
    added_at: datetime
