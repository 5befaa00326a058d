"""The video pipeline's tables: resumable uploads (tus) and encoding jobs.

An `Encoding` row is both the job on the durable queue (jobs/queue.py: claimed with SKIP LOCKED,
held by a lease its worker renews) and what editors see of it in the CMS API: status,
progress, the error and the tail of FFmpeg's log. What a finished job produces is registered
in the catalog's video_variants, audio_tracks and subtitles, all in one transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ott.core.database import Base, pg_enum
from ott.media.jobs.status import EncodingStatus

__all__ = ["Encoding", "EncodingStatus", "Upload", "UploadKind"]


class UploadKind(StrEnum):
    VIDEO = "video"
    AUDIO = "audio"
    SUBTITLE = "subtitle"


class Upload(Base):
    """A file sent with the tus protocol: created with its length, then filled by PATCHes."""

    __tablename__ = "media_uploads"
    __table_args__ = (CheckConstraint("received_bytes <= length", name="received"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    kind: Mapped[UploadKind] = mapped_column(pg_enum(UploadKind, "upload_kind"))
    length: Mapped[int] = mapped_column(BigInteger)
    received_bytes: Mapped[int] = mapped_column(BigInteger, server_default="0")
    filename: Mapped[str | None] = mapped_column(String(255))
    # Everything else the client sent in Upload-Metadata (language, label, content id...).
    upload_metadata: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    # The file, relative to DATA_DIR, while it is being received (and after).
    path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str | None] = mapped_column(String(64))  # of the whole file, once complete
    created_by: Mapped[uuid.UUID]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Encoding(Base):
    """One transcoding job of a source for a title (a film) or one episode."""

    __tablename__ = "encodings"
    __table_args__ = (
        # A title's or an episode's video, or an ad creative's (ott.ads).
        CheckConstraint(
            "content_id IS NOT NULL OR episode_id IS NOT NULL OR creative_id IS NOT NULL",
            name="owner",
        ),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress"),
        # The queue's claim: the oldest runnable job first.
        Index(
            "ix_encodings_runnable",
            "run_after",
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
        # A title's or an episode's video: its newest succeeded encoding (catalog/videos.py).
        Index(
            "ix_encodings_succeeded_title",
            "content_id",
            text("finished_at DESC"),
            postgresql_where=text("status = 'succeeded'"),
        ),
        Index(
            "ix_encodings_succeeded_episode",
            "episode_id",
            text("finished_at DESC"),
            postgresql_where=text("status = 'succeeded' AND episode_id IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    content_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("content.id", ondelete="CASCADE"), index=True
    )
    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    # An ad creative's video (ott.ads.models.Creative; the ad service's table, so no foreign
    # key): no catalog rows are registered for it.
    creative_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    status: Mapped[EncodingStatus] = mapped_column(
        pg_enum(EncodingStatus, "encoding_status"), server_default=EncodingStatus.QUEUED.value
    )
    progress: Mapped[float] = mapped_column(Float, server_default="0")
    # Storage keys of the inputs: the source, and [{"key", "language", "label", "filename"}]
    # for extra audio tracks and subtitle files.
    source_key: Mapped[str] = mapped_column(String(500))
    # The uploaded files' own names, which errors use (the worker's copies are source.mp4...);
    # the extra tracks' are in their inputs, as "filename".
    source_filename: Mapped[str | None] = mapped_column(String(255))
    audio_inputs: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    subtitle_inputs: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    attempts: Mapped[int] = mapped_column(server_default="0")
    max_attempts: Mapped[int] = mapped_column(server_default="3")
    run_after: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_requested: Mapped[bool] = mapped_column(server_default=text("false"))
    error: Mapped[str | None] = mapped_column(Text)
    log_tail: Mapped[str | None] = mapped_column(Text)
    # What the job produced: manifests, renditions, poster, thumbnails (jobs/registration.py).
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_by: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
