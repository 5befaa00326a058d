"""Request and response models of the uploads and encodings APIs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ott.core.locale import LANGUAGE_TAG_PATTERN, MAX_LANGUAGE_TAG_LENGTH
from ott.core.text import SingleLine
from ott.media.models import EncodingStatus, Upload, UploadKind

Label = Annotated[str, StringConstraints(min_length=1, max_length=50), SingleLine]


class TrackIn(BaseModel):
    """An uploaded extra audio track or subtitle file, and its language."""

    model_config = ConfigDict(extra="forbid")

    upload_id: uuid.UUID
    language: str = Field(
        pattern=LANGUAGE_TAG_PATTERN, max_length=MAX_LANGUAGE_TAG_LENGTH, examples=["hi"]
    )
    label: Label | None = Field(default=None, examples=["हिन्दी"])


class EncodingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source_upload_id: uuid.UUID
    episode_id: uuid.UUID | None = Field(
        default=None, description="For a series: the episode this video is (of this title)"
    )
    audio: list[TrackIn] = Field(default_factory=list, max_length=16)
    subtitles: list[TrackIn] = Field(default_factory=list, max_length=32)


class SignedTrack(BaseModel):
    language: str
    label: str | None
    url: str


class EncodingPreview(BaseModel):
    """A finished encoding's files under a token for its folder, so an editor's browser can
    play it before it is published (unsigned, video files are not served)."""

    master_playlist_url: str
    dash_manifest_url: str
    poster_url: str | None
    thumbnails_url: str | None = Field(description="WebVTT track of preview images")
    subtitles: list[SignedTrack]
    expires_at: datetime = Field(description="Read the encoding again for fresh URLs")


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
    preview: EncodingPreview | None = Field(
        default=None,
        description="GET /api/cms/encodings/{id} of a succeeded encoding, for an admin or the "
        "editor who created its title: signed URLs to play it",
    )


class EncodingList(BaseModel):
    items: list[EncodingOut]


class UploadOut(BaseModel):
    """An upload as JSON (tus itself speaks in headers)."""

    id: uuid.UUID
    kind: UploadKind
    filename: str | None
    metadata: dict[str, Any]
    length: int
    received: int
    sha256: str | None = Field(description="Of the whole file, once complete")
    completed: bool
    completed_at: datetime | None
    expires_at: datetime | None = Field(description="When an unfinished upload is deleted")

    @classmethod
    def of(cls, upload: Upload) -> UploadOut:
        return cls(
            id=upload.id,
            kind=upload.kind,
            filename=upload.filename,
            metadata=upload.upload_metadata,
            length=upload.length,
            received=upload.received_bytes,
            sha256=upload.sha256,
            completed=upload.completed_at is not None,
            completed_at=upload.completed_at,
            expires_at=None if upload.completed_at else upload.expires_at,
        )
