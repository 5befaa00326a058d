"""The ad service's tables: advertisers, their campaigns (flight, goals, pacing, targeting,
frequency caps), the campaigns' video creatives and the per-day counts of tracking events.

Targeting lists are arrays where empty means "any". A wrapper campaign has no creatives of its
own: it points at a third-party ad server's VAST (`vast_tag_url`). A creative's video is an
encoding of the media pipeline (`encoding_id`, owned by the creative: ott.media Encoding
`creative_id`); once it has succeeded, `media_files` holds one entry per rung, as the VAST's
MediaFiles describe them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ott.ads.status import CampaignStatus, CreativeStatus
from ott.core.database import Base, pg_enum

__all__ = [
    "Advertiser",
    "Campaign",
    "CampaignDailyCount",
    "CampaignKind",
    "CountFlush",
    "Creative",
    "Pacing",
]


class CampaignKind(StrEnum):
    INLINE = "inline"  # our own creatives
    WRAPPER = "wrapper"  # a third-party ad server's VAST (VASTAdTagURI)


class Pacing(StrEnum):
    EVEN = "even"  # the goal spread over the day (or the flight)
    ASAP = "asap"  # as fast as the inventory allows, until the goal


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(primary_key=True, server_default=func.gen_random_uuid())


def _created() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


def _updated() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())


def _targets(length: int) -> Mapped[list[str]]:
    return mapped_column(ARRAY(String(length)), server_default="{}")


class Advertiser(Base):
    __tablename__ = "ad_advertisers"

    id: Mapped[uuid.UUID] = _id()
    name: Mapped[str] = mapped_column(String(200), unique=True)
    domain: Mapped[str | None] = mapped_column(String(255))  # the advertiser's web domain
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()


class Campaign(Base):
    __tablename__ = "ad_campaigns"
    __table_args__ = (
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="flight"),
        CheckConstraint("priority BETWEEN 1 AND 10", name="priority"),
        CheckConstraint("daily_goal IS NULL OR daily_goal > 0", name="daily_goal"),
        CheckConstraint("total_goal IS NULL OR total_goal > 0", name="total_goal"),
        CheckConstraint("cap_per_day IS NULL OR cap_per_day > 0", name="cap_per_day"),
        CheckConstraint("cap_per_hour IS NULL OR cap_per_hour > 0", name="cap_per_hour"),
        CheckConstraint("skip_offset_seconds IS NULL OR skip_offset_seconds >= 0", name="skip"),
        CheckConstraint("kind <> 'wrapper' OR vast_tag_url IS NOT NULL", name="wrapper_url"),
        # What the decision's inventory loads: active campaigns.
        Index("ix_ad_campaigns_active", "priority", postgresql_where=text("status = 'active'")),
    )

    id: Mapped[uuid.UUID] = _id()
    advertiser_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ad_advertisers.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CampaignKind] = mapped_column(
        pg_enum(CampaignKind, "ad_campaign_kind"), server_default=CampaignKind.INLINE.value
    )
    status: Mapped[CampaignStatus] = mapped_column(
        pg_enum(CampaignStatus, "ad_campaign_status"), server_default=CampaignStatus.DRAFT.value
    )
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    daily_goal: Mapped[int | None] = mapped_column(Integer)  # impressions per (UTC) day
    total_goal: Mapped[int | None] = mapped_column(BigInteger)  # impressions in the flight
    priority: Mapped[int] = mapped_column(SmallInteger, server_default="5")  # 10 serves first
    pacing: Mapped[Pacing] = mapped_column(
        pg_enum(Pacing, "ad_pacing"), server_default=Pacing.EVEN.value
    )
    skippable: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    skip_offset_seconds: Mapped[int | None] = mapped_column(Integer)
    click_through_url: Mapped[str | None] = mapped_column(String(2000))
    vast_tag_url: Mapped[str | None] = mapped_column(String(2000))  # wrapper campaigns
    target_genres: Mapped[list[str]] = _targets(100)  # genre slugs
    target_languages: Mapped[list[str]] = _targets(10)  # the title's original language
    target_countries: Mapped[list[str]] = _targets(2)  # the viewer's country
    target_ratings: Mapped[list[str]] = _targets(10)  # the title's maturity rating
    target_content_types: Mapped[list[str]] = _targets(20)  # movie, tv_show, sports
    target_devices: Mapped[list[str]] = _targets(20)  # web, mobile, tv...
    cap_per_day: Mapped[int | None] = mapped_column(Integer)  # impressions per viewer per day
    cap_per_hour: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()


class Creative(Base):
    __tablename__ = "ad_creatives"

    id: Mapped[uuid.UUID] = _id()
    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ad_campaigns.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[CreativeStatus] = mapped_column(
        pg_enum(CreativeStatus, "ad_creative_status"),
        server_default=CreativeStatus.PROCESSING.value,
    )
    encoding_id: Mapped[uuid.UUID | None] = mapped_column(unique=True)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    # One per rung: {"url", "width", "height", "bitrate" (kb/s), "type", "delivery", "codec"};
    # url is relative to the encoding's folder (signed when served).
    media_files: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    folder: Mapped[str | None] = mapped_column(String(200))  # videos/<creative>/<encoding>
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()


class CampaignDailyCount(Base):
    """How often each tracking event of a campaign happened on one (UTC) day: flushed from the
    Redis counters the tracking endpoint increments (counters.py)."""

    __tablename__ = "ad_campaign_daily_counts"

    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ad_campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    event: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, server_default="0")


class CountFlush(Base):
    """A batch of Redis counts added to the daily counts: recorded in the same transaction, so
    a batch is never added twice (counters.py)."""

    __tablename__ = "ad_count_flushes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    flushed_at: Mapped[datetime] = _created()
