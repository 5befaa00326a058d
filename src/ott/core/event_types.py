"""Every event the platform publishes: its name and its payload model, in one registry.

A publisher builds one of these models and hands it to `EventBus.publish`; a consumer names the
model classes it handles and receives payloads parsed and validated. A new event is one class
here, so a misspelt stream name or a payload field a consumer expects but nobody sends is a
type error, not a silently idle consumer.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class EventName(StrEnum):
    USER_REGISTERED = "user.registered"
    CONTENT_PUBLISHED = "content.published"
    CONTENT_UPDATED = "content.updated"
    CONTENT_ARCHIVED = "content.archived"


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

PayloadModel = type[EventPayload]

# Every event of the platform by name: what a tool reading a stream (or the dead letters) parses
# its payloads with.
_EVERY_PAYLOAD: tuple[PayloadModel, ...] = (UserRegistered, *CONTENT_CHANGES)
REGISTRY: dict[EventName, PayloadModel] = {EventName(p.name): p for p in _EVERY_PAYLOAD}
