"""Every event the platform publishes: its name and its payload model, in one registry.

A publisher builds one of these models and hands it to `EventBus.publish`; a consumer names the
model classes it handles and receives payloads parsed and validated. A new event is one class
here, so a misspelt stream name or a payload field a consumer expects but nobody sends is a
type error, not a silently idle consumer.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from ott.core.tiers import SubscriptionTier


class EventName(StrEnum):
    USER_REGISTERED = "user.registered"
    CONTENT_PUBLISHED = "content.published"
    CONTENT_UPDATED = "content.updated"
    CONTENT_ARCHIVED = "content.archived"
    PLAYBACK_STARTED = "playback.started"
    PLAYBACK_POSITION = "playback.position"
    PLAYBACK_COMPLETED = "playback.completed"
    PLAYBACK_STOPPED = "playback.stopped"
    ENGAGEMENT_RECORDED = "engagement.recorded"
    SUBSCRIPTION_CHANGED = "subscription.changed"


class EventPayload(BaseModel):
    """The payload of one kind of event; `name` is its stream."""

    # Unknown fields are ignored, so a publisher may add a field before its consumers read it.
    model_config = ConfigDict(frozen=True, extra="ignore")

    # Its stream: an EventName for the platform's events (tests define their own).
    name: ClassVar[str]


class UserRegistered(EventPayload):
    name = EventName.USER_REGISTERED

    user_id: uuid.UUID
    email: str


class ContentChange(EventPayload):
    """A title changed in a way viewers may notice (the CMS announces it after the commit)."""

    content_id: uuid.UUID
    workflow_state: str
    version: int


class ContentPublished(ContentChange):
    name = EventName.CONTENT_PUBLISHED


class ContentUpdated(ContentChange):
    name = EventName.CONTENT_UPDATED


class ContentArchived(ContentChange):
    name = EventName.CONTENT_ARCHIVED


# Every content event: what caches of content answers must drop.
CONTENT_CHANGES: tuple[type[ContentChange], ...] = (
    ContentPublished,
    ContentUpdated,
    ContentArchived,
)


class PlaybackEvent(EventPayload):
    """Where one playback session of a profile stands (the streaming service publishes it).

    `sequence` grows with every update of the session, so a consumer keeps the highest one and
    ignores a replayed or late update. The watched item is `episode_id` when set (its series is
    `content_id`), else the title `content_id`.
    """

    session_id: str
    user_id: uuid.UUID
    profile_id: uuid.UUID
    content_id: uuid.UUID
    episode_id: uuid.UUID | None = None
    device_type: str
    position_seconds: float
    duration_seconds: float
    sequence: int
    occurred_at: datetime


class PlaybackStarted(PlaybackEvent):
    name = EventName.PLAYBACK_STARTED


class PlaybackPosition(PlaybackEvent):
    """A heartbeat: the player reported its position (every 10 s while playing)."""

    name = EventName.PLAYBACK_POSITION


class PlaybackCompleted(PlaybackEvent):
    name = EventName.PLAYBACK_COMPLETED


class PlaybackStopped(PlaybackEvent):
    """The session ended without completing: stopped by the viewer or from another device."""

    name = EventName.PLAYBACK_STOPPED


class EngagementType(StrEnum):
    PLAY = "play"
    PAUSE = "pause"
    SEEK = "seek"
    REWIND = "rewind"
    ABANDON = "abandon"
    COMPLETE = "complete"


class EngagementRecorded(EventPayload):
    """Something a viewer did in the player (pause, seek...), as the player reported it."""

    name = EventName.ENGAGEMENT_RECORDED

    event_id: str  # the client's or the publisher's id of this event: stored once
    user_id: uuid.UUID
    profile_id: uuid.UUID
    content_id: uuid.UUID
    episode_id: uuid.UUID | None = None
    session_id: str | None = None
    event_type: EngagementType
    position_seconds: float
    occurred_at: datetime
    metadata: dict[str, Any] = {}


class SubscriptionChanged(EventPayload):
    """What an account may do changed (a subscription started, renewed, lapsed, was held or
    ended). The subscription service publishes it after the commit; the auth service keeps the
    account's tier for the next token, caches of entitlements drop the account's answer."""

    name = EventName.SUBSCRIPTION_CHANGED

    user_id: uuid.UUID
    subscription_id: uuid.UUID | None = None
    status: str | None = None  # the subscription's status, None when it has none
    tier: SubscriptionTier
    plan_code: str
    until: datetime | None = None  # when the tier ends unless renewed
    occurred_at: datetime


PLAYBACK_EVENTS: tuple[type[PlaybackEvent], ...] = (
    PlaybackStarted,
    PlaybackPosition,
    PlaybackCompleted,
    PlaybackStopped,
)

PayloadModel = type[EventPayload]

# Every event of the platform by name: what a tool reading a stream (or the dead letters) parses
# its payloads with.
_EVERY_PAYLOAD: tuple[PayloadModel, ...] = (
    UserRegistered,
    *CONTENT_CHANGES,
    *PLAYBACK_EVENTS,
    EngagementRecorded,
    SubscriptionChanged,
)
REGISTRY: dict[EventName, PayloadModel] = {EventName(p.name): p for p in _EVERY_PAYLOAD}
