"""Request and response models of the encodings API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ott.media.models import EncodingStatus

_LANGUAGE = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"


class TrackIn(BaseModel):
    """An uploaded extra audio track or subtitle file, and its language."""

    model_config = ConfigDict(extra="forbid")

    upload_id: uuid.UUID
    language: str = Field(pattern=_LANGUAGE, max_length=10, examples=["hi"])
    label: str | None = Field(default=None, min_length=1, max_length=50, examples=["हिन्दी"])


class EncodingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source_upload_id: uuid.UUID
    episode_id: uuid.UUID | None = Field(
        default=None, description="For a series: the episode this video is (of this title)"
    )
    audio: list[TrackIn] = Field(default_factory=list, max_length=16)
    subtitles: list[TrackIn] = Field(default_factory=list, max_length=32)


class EncodingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    content_id: uuid.UUID | None
    episode_id: uuid.UUID | None
    status: EncodingStatus
    progress: float
    attempts: int
    max_attempts: int
    cancel_requested: bool
    error: str | None
    log_tail: str | None
    result: dict[str, Any] | None
    created_by: uuid.UUID | None
    created_at: datetime
    run_after: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime


class EncodingList(BaseModel):
    items: list[EncodingOut]
