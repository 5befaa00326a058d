"""Request and response models of the encodings API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ott.core.locale import LANGUAGE_TAG_PATTERN, MAX_LANGUAGE_TAG_LENGTH
from ott.media.models import EncodingStatus


class TrackIn(BaseModel):
    """An uploaded extra audio track or subtitle file, and its language."""

    model_config = ConfigDict(extra="forbid")

    upload_id: uuid.UUID
    language: str = Field(
        pattern=LANGUAGE_TAG_PATTERN, max_length=MAX_LANGUAGE_TAG_LENGTH, examples=["hi"]
    )
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
