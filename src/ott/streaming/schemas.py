"""Request and response models of the streaming API."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ott.core.text import SingleLine

# A session id as start hands it out (secrets.token_urlsafe); anything else names no session.
SESSION_ID_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"
MAX_POSITION_SECONDS = 7 * 24 * 3600.0  # no title is longer; beyond is nonsense, not a position
MAX_SEQUENCE = 2**53  # JSON numbers stay exact up to here
MAX_ENGAGEMENT_BATCH = 50

SessionId = Annotated[str, Field(pattern=SESSION_ID_PATTERN, examples=["Q2hhbmdlIG1lIGxhdGVy"])]
Seconds = Annotated[float, Field(ge=0, le=MAX_POSITION_SECONDS, allow_inf_nan=False)]


class StreamFormat(StrEnum):
    HLS = "hls"
    DASH = "dash"


class DeviceType(StrEnum):
    WEB = "web"
    MOBILE = "mobile"
    TABLET = "tablet"
    TV = "tv"
    DESKTOP = "desktop"
    CONSOLE = "console"
    OTHER = "other"


class Device(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, StringConstraints(min_length=1, max_length=128), SingleLine] = Field(
        description="Stable per device and app install: a device that starts again replaces "
        "its own stream instead of taking another",
        examples=["web-6f1c2e"],
    )
    type: DeviceType
    name: Annotated[str, StringConstraints(min_length=1, max_length=100), SingleLine] | None = (
        Field(default=None, examples=["Living room TV"])
    )


class PlaybackStartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content_id: uuid.UUID
    episode_id: uuid.UUID | None = Field(default=None, description="Required for a series")
    format: StreamFormat = StreamFormat.HLS
    device: Device


class MediaToken(BaseModel):
    """Where the encoding's files are, under a token valid until `expires_at`: every relative
    URI inside its playlists resolves under `base_url`."""

    base_url: str = Field(examples=["/media/s/mRkQ1h4hGvVZ7pW0yPZc2g/1767225600/videos/…/…/"])
    expires_at: datetime


class Quality(BaseModel):
    quality: str = Field(examples=["720p"])
    width: int
    height: int
    bandwidth: int = Field(description="Peak bits per second (HLS BANDWIDTH)")


class AudioTrack(BaseModel):
    language: str
    label: str | None
    default: bool


class SubtitleTrack(BaseModel):
    language: str
    label: str | None
    url: str = Field(description="The WebVTT file, signed")


class Licence(BaseModel):
    system: str = Field(examples=["widevine"])
    licence_url: str
    token: str
    certificate_url: str | None
    expires_at: datetime


class PlaybackStartOut(BaseModel):
    session_id: str
    content_id: uuid.UUID
    episode_id: uuid.UUID | None
    format: StreamFormat
    resume_position_seconds: float
    duration_seconds: float
    manifest_url: str = Field(description="The master playlist or MPD for this session")
    media: MediaToken
    qualities: list[Quality] = Field(description="The rungs this viewer's plan allows")
    audio: list[AudioTrack]
    subtitles: list[SubtitleTrack]
    thumbnails_url: str | None = Field(description="WebVTT track of thumbnail sprites, signed")
    lease_expires_at: datetime = Field(
        description="Renewed by each position update; the stream is freed if it lapses"
    )
    drm: Licence | None = Field(description="None: clear CMAF, no DRM system (see drm.py)")
    replaced_session_ids: list[str] = Field(
        description="Streams of this device that this start ended"
    )


class PositionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: SessionId
    position_seconds: Seconds
    sequence: int = Field(
        ge=0, le=MAX_SEQUENCE, description="Grows with every update of the session"
    )


class PositionOut(BaseModel):
    session_id: str
    applied: bool = Field(description="False for a replayed or out-of-order update (ignored)")
    position_seconds: float = Field(description="The session's last applied position")
    sequence: int = Field(description="The session's last applied sequence")
    media: MediaToken
    lease_expires_at: datetime


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: SessionId


class CompleteOut(BaseModel):
    session_id: str
    completed: bool
    position_seconds: float


class DeviceOut(BaseModel):
    id: str
    type: str
    name: str | None


class StreamOut(BaseModel):
    """A stream the account is watching now."""

    session_id: str
    profile_id: uuid.UUID
    content_id: uuid.UUID
    episode_id: uuid.UUID | None
    title: str
    episode_title: str | None
    device: DeviceOut
    started_at: datetime
    position_seconds: float
    lease_expires_at: datetime


class ActiveStreams(BaseModel):
    limit: int = Field(description="Concurrent streams this account's plan allows")
    streams: list[StreamOut]


class PlayerEventType(StrEnum):
    """What a player reports itself; completion and abandonment are derived by the platform."""

    PLAY = "play"
    PAUSE = "pause"
    SEEK = "seek"
    REWIND = "rewind"


MetadataKey = Annotated[str, StringConstraints(min_length=1, max_length=40), SingleLine]
MetadataValue = (
    Annotated[str, StringConstraints(max_length=200), SingleLine]
    | bool
    | int
    | Annotated[float, Field(allow_inf_nan=False)]
    | None
)


class PlayerEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9._:-]{1,64}$")] = Field(
        description="The player's id of this event: sending it again records it once"
    )
    type: PlayerEventType
    position_seconds: Seconds
    occurred_at: datetime | None = Field(default=None, description="Default: when received")
    metadata: dict[MetadataKey, MetadataValue] = Field(
        default_factory=dict, max_length=16, examples=[{"from_seconds": 120.0}]
    )


class PlayerEventsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: SessionId
    events: list[PlayerEvent] = Field(min_length=1, max_length=MAX_ENGAGEMENT_BATCH)


class PlayerEventsOut(BaseModel):
    accepted: int
