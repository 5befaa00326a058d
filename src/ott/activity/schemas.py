"""Request and response models of the activity API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ott.activity.service import ItemKind
from ott.content.models import ContentType

Cursor = Annotated[str, StringConstraints(max_length=500)]


class ContinueWatchingQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: Annotated[int, Field(ge=1, le=50)] = 20


class HistoryQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: Annotated[int, Field(ge=1, le=100)] = 20
    cursor: Cursor | None = None


class TitleOut(BaseModel):
    content_id: uuid.UUID
    content_type: ContentType
    title: str
    poster_url: str | None
    thumbnail_url: str | None
    locked: bool = Field(description="Visible, but the profile's plan does not include it")


class EpisodeFields(BaseModel):
    episode_id: uuid.UUID | None
    episode_title: str | None
    season_number: int | None
    episode_number: int | None


class ContinueWatchingItem(TitleOut, EpisodeFields):
    kind: ItemKind = Field(description="resume: where the profile stopped; next_up: from the start")
    position_seconds: float
    duration_seconds: float | None
    percent: float
    updated_at: datetime


class ContinueWatching(BaseModel):
    items: list[ContinueWatchingItem]


class HistoryItem(TitleOut, EpisodeFields):
    watched_at: datetime
    completion_rate: float = Field(description="How much of it was watched, 0-100")
    watch_duration_seconds: float


class HistoryPage(BaseModel):
    items: list[HistoryItem]
    next_cursor: str | None


class WatchlistAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content_id: uuid.UUID


class WatchlistItem(TitleOut):
    added_at: datetime


class Watchlist(BaseModel):
    items: list[WatchlistItem]
