"""The content model (the spec's catalog schema).

The CMS writes titles, the video pipeline writes their renditions, the catalog serves them;
all three import these tables from here, and no other service reads them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ARRAY,
    CheckConstraint,
    Column,
    Computed,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ott.core.database import Base, pg_enum
from ott.core.locale import Language
from ott.core.tiers import SubscriptionTier


class ContentType(StrEnum):
    MOVIE = "movie"
    TV_SHOW = "tv_show"
    SPORTS = "sports"


class WorkflowState(StrEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    PUBLISHED = "published"
    ARCHIVED = "archived"


def _uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(primary_key=True, server_default=func.gen_random_uuid())


def _created_at() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


content_genres = Table(
    "content_genres",
    Base.metadata,
    Column("content_id", ForeignKey("content.id", ondelete="CASCADE"), primary_key=True),
    Column("genre_id", ForeignKey("genres.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Genre(Base):
    __tablename__ = "genres"

    id: Mapped[uuid.UUID] = _uuid_pk()
    name: Mapped[str] = mapped_column(String(100), unique=True)
    name_hi: Mapped[str | None] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(100), unique=True)


# Published and not waiting for a scheduled go-live (see cms/scheduler.py): what listings scan.
LISTED = "workflow_state = 'published' AND NOT awaiting_go_live"


class Content(Base):
    __tablename__ = "content"
    __table_args__ = (
        Index("ix_content_type", "type"),
        Index("ix_content_workflow_state", "workflow_state"),
        Index("ix_content_release_date", text("release_date DESC")),
        # Keyset pagination over what viewers see, for each sort order (see LISTED).
        Index(
            "ix_content_live_newest",
            text("coalesce(release_date, DATE '0001-01-01') DESC"),
            text("id DESC"),
            postgresql_where=text(LISTED),
        ),
        Index(
            "ix_content_live_popular",
            text("popularity DESC"),
            text("id DESC"),
            postgresql_where=text(LISTED),
        ),
        Index(
            "ix_content_live_title",
            "sort_title",
            "id",
            postgresql_where=text(LISTED),
        ),
        # Combined with the genre and type indexes when filters leave few titles (facets.py).
        Index(
            "ix_content_listed_attributes",
            "original_language",
            "maturity_level",
            "tier_requirement",
            postgresql_where=text(LISTED),
        ),
        Index("ix_content_search", "search_vector", postgresql_using="gin"),
        Index("ix_content_title_search", "title_search", postgresql_using="gin"),
        Index("ix_content_genre_slugs", "genre_slugs", postgresql_using="gin"),
        Index(
            "ix_content_publish_due",
            "published_at",
            postgresql_where=text("workflow_state = 'published' AND published_at > updated_at"),
        ),
        # Trigram indexes on title and title_hi are made by the migration where pg_trgm exists.
        CheckConstraint("duration_minutes IS NULL OR duration_minutes > 0", name="duration"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    type: Mapped[ContentType] = mapped_column(pg_enum(ContentType, "content_type"))
    title: Mapped[str] = mapped_column(String(500))
    title_hi: Mapped[str | None] = mapped_column(String(500))
    sort_title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    description_hi: Mapped[str | None] = mapped_column(Text)
    original_language: Mapped[Language] = mapped_column(
        pg_enum(Language, "content_language"), server_default=Language.EN.value
    )
    release_date: Mapped[date | None] = mapped_column(Date)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    maturity_rating: Mapped[str] = mapped_column(String(10), server_default="PG-13")
    # The rating's place on the maturity scale, so "up to the profile's rating" is a range scan.
    maturity_level: Mapped[int] = mapped_column(SmallInteger, server_default="2")
    people: Mapped[list[str]] = mapped_column(ARRAY(String(200)), server_default="{}")
    poster_url: Mapped[str | None] = mapped_column(String(500))
    thumbnail_url: Mapped[str | None] = mapped_column(String(500))
    trailer_url: Mapped[str | None] = mapped_column(String(500))
    workflow_state: Mapped[WorkflowState] = mapped_column(
        pg_enum(WorkflowState, "workflow_state"), server_default=WorkflowState.DRAFT.value
    )
    tier_requirement: Mapped[SubscriptionTier] = mapped_column(
        pg_enum(SubscriptionTier, "subscription_tier", create_type=False),
        server_default=SubscriptionTier.FREE.value,
    )
    available_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    available_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    popularity: Mapped[float] = mapped_column(Float, server_default="0")
    # Written by the CMS writer and kept right by triggers on availability_rules (9c4a1e7b2d30).
    has_availability_rules: Mapped[bool] = mapped_column(server_default=false())
    # The slugs of the title's genres in code-point order; also kept by triggers.
    genre_slugs: Mapped[list[str]] = mapped_column(ARRAY(String(100)), server_default="{}")
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    # Optimistic concurrency: an edit names the version it was based on.
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    search_vector: Mapped[Any] = mapped_column(TSVECTOR, nullable=True, deferred=True)
    title_search: Mapped[Any] = mapped_column(TSVECTOR, nullable=True, deferred=True)
    created_by: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Published ahead of its available_from and not announced yet (cms/scheduler.py); stored
    # so the listing indexes can leave such titles out and the planner has statistics on it.
    awaiting_go_live: Mapped[bool] = mapped_column(
        Computed("coalesce(published_at > updated_at, false)", persisted=True)
    )

    genres: Mapped[list[Genre]] = relationship(secondary=content_genres, order_by=Genre.name)
    seasons: Mapped[list[Season]] = relationship(
        back_populates="content", order_by="Season.season_number", cascade="all, delete-orphan"
    )
    availability_rules: Mapped[list[AvailabilityRule]] = relationship(cascade="all, delete-orphan")


class AvailabilityRule(Base):
    """Where, when and for which tier a title may be watched. A title with no rules is
    available everywhere; with rules, at least one must match the viewer."""

    __tablename__ = "availability_rules"

    id: Mapped[uuid.UUID] = _uuid_pk()
    content_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("content.id", ondelete="CASCADE"), index=True
    )
    allowed_countries: Mapped[list[str] | None] = mapped_column(ARRAY(String(2)))
    blocked_countries: Mapped[list[str]] = mapped_column(ARRAY(String(2)), server_default="{}")
    starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    tier: Mapped[SubscriptionTier | None] = mapped_column(
        pg_enum(SubscriptionTier, "subscription_tier", create_type=False)
    )


class Season(Base):
    __tablename__ = "seasons"
    __table_args__ = (UniqueConstraint("content_id", "season_number"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    content_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"))
    season_number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(255))
    title_hi: Mapped[str | None] = mapped_column(String(255))
    release_date: Mapped[date | None] = mapped_column(Date)

    content: Mapped[Content] = relationship(back_populates="seasons")
    episodes: Mapped[list[Episode]] = relationship(
        back_populates="season", order_by="Episode.episode_number", cascade="all, delete-orphan"
    )


class Episode(Base):
    __tablename__ = "episodes"
    __table_args__ = (UniqueConstraint("season_id", "episode_number"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    season_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("seasons.id", ondelete="CASCADE"), index=True
    )
    episode_number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(255))
    title_hi: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    description_hi: Mapped[str | None] = mapped_column(Text)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    thumbnail_url: Mapped[str | None] = mapped_column(String(500))

    season: Mapped[Season] = relationship(back_populates="episodes")


class MediaOwned:
    """Media belongs to a title (a film) or to one episode of a series."""

    id: Mapped[uuid.UUID] = _uuid_pk()
    content_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("content.id", ondelete="CASCADE"), index=True
    )
    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )


_OWNER_CHECK = "content_id IS NOT NULL OR episode_id IS NOT NULL"


class VideoVariant(MediaOwned, Base):
    __tablename__ = "video_variants"
    __table_args__ = (CheckConstraint(_OWNER_CHECK, name="owner"),)

    quality: Mapped[str] = mapped_column(String(10))
    hls_url: Mapped[str] = mapped_column(String(1000))
    dash_url: Mapped[str | None] = mapped_column(String(1000))
    bitrate_kbps: Mapped[int | None] = mapped_column(Integer)


class AudioTrack(MediaOwned, Base):
    __tablename__ = "audio_tracks"
    __table_args__ = (CheckConstraint(_OWNER_CHECK, name="owner"),)

    language: Mapped[str] = mapped_column(String(10))
    label: Mapped[str | None] = mapped_column(String(50))
    url: Mapped[str] = mapped_column(String(1000))


class Subtitle(MediaOwned, Base):
    __tablename__ = "subtitles"
    __table_args__ = (CheckConstraint(_OWNER_CHECK, name="owner"),)

    language: Mapped[str] = mapped_column(String(10))
    label: Mapped[str | None] = mapped_column(String(50))
    url: Mapped[str] = mapped_column(String(1000))


class ContentVersion(Base):
    """A full snapshot of a title's metadata after each edit, and who made it."""

    __tablename__ = "content_versions"
    __table_args__ = (UniqueConstraint("content_id", "version_number"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    content_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"))
    version_number: Mapped[int] = mapped_column(Integer)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONB)
    changed_by: Mapped[uuid.UUID | None]
    change_note: Mapped[str | None] = mapped_column(String(500))
    changed_at: Mapped[datetime] = _created_at()
