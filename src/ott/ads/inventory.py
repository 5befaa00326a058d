"""The servable inventory, kept in each process for ADS_INVENTORY_CACHE_SECONDS: active
campaigns whose flight has not ended, with their advertiser and ready creatives, so a decision
reads no table. One refresh at a time per process; requests meanwhile use the last snapshot.

A change made through the inventory routes drops this process's snapshot at once; other
replicas see it within the cache's lifetime.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.ads.models import Advertiser, Campaign, CampaignKind, Creative, Pacing
from ott.ads.status import CampaignStatus, CreativeStatus


@dataclass(frozen=True)
class ServableCreative:
    id: uuid.UUID
    title: str
    duration_seconds: float
    folder: str  # videos/<creative>/<encoding>: what its media URLs are signed for
    media_files: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class ServableCampaign:
    id: uuid.UUID
    name: str
    advertiser: str
    kind: CampaignKind
    priority: int
    pacing: Pacing
    starts_at: datetime
    ends_at: datetime | None
    daily_goal: int | None
    total_goal: int | None
    skip_offset_seconds: int | None  # None: not skippable
    click_through_url: str | None
    vast_tag_url: str | None
    genres: frozenset[str]
    languages: frozenset[str]
    countries: frozenset[str]
    ratings: frozenset[str]
    content_types: frozenset[str]
    devices: frozenset[str]
    cap_per_day: int | None
    cap_per_hour: int | None
    creatives: tuple[ServableCreative, ...]


def _servable(campaign: Campaign, advertiser: str, creatives: list[Creative]) -> ServableCampaign:
    return ServableCampaign(
        id=campaign.id,
        name=campaign.name,
        advertiser=advertiser,
        kind=campaign.kind,
        priority=campaign.priority,
        pacing=campaign.pacing,
        starts_at=campaign.starts_at,
        ends_at=campaign.ends_at,
        daily_goal=campaign.daily_goal,
        total_goal=campaign.total_goal,
        skip_offset_seconds=(campaign.skip_offset_seconds or 0) if campaign.skippable else None,
        click_through_url=campaign.click_through_url,
        vast_tag_url=campaign.vast_tag_url,
        genres=frozenset(campaign.target_genres),
        languages=frozenset(campaign.target_languages),
        countries=frozenset(campaign.target_countries),
        ratings=frozenset(campaign.target_ratings),
        content_types=frozenset(campaign.target_content_types),
        devices=frozenset(campaign.target_devices),
        cap_per_day=campaign.cap_per_day,
        cap_per_hour=campaign.cap_per_hour,
        creatives=tuple(
            ServableCreative(
                id=c.id,
                title=c.title,
                duration_seconds=c.duration_seconds or 0.0,
                folder=c.folder or "",
                media_files=tuple(c.media_files),
            )
            for c in creatives
        ),
    )


async def load(db: AsyncSession, now: datetime) -> tuple[ServableCampaign, ...]:
    rows = (
        await db.execute(
            select(Campaign, Advertiser.name)
            .join(Advertiser, Advertiser.id == Campaign.advertiser_id)
            .where(
                Campaign.status == CampaignStatus.ACTIVE,
                or_(Campaign.ends_at.is_(None), Campaign.ends_at > now),
            )
            .order_by(Campaign.priority.desc(), Campaign.id)
        )
    ).all()
    ids = [campaign.id for campaign, _ in rows]
    creatives: dict[uuid.UUID, list[Creative]] = {i: [] for i in ids}
    if ids:
        ready = await db.scalars(
            select(Creative)
            .where(Creative.campaign_id.in_(ids), Creative.status == CreativeStatus.READY)
            .order_by(Creative.created_at, Creative.id)
        )
        for creative in ready:
            creatives[creative.campaign_id].append(creative)
    servable = []
    for campaign, advertiser in rows:
        own = creatives[campaign.id]
        if campaign.kind is CampaignKind.INLINE and not own:
            continue  # nothing to show yet
        servable.append(_servable(campaign, advertiser, own))
    return tuple(servable)


class Inventory:
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], *, ttl_seconds: float
    ) -> None:
        self.sessionmaker = sessionmaker
        self.ttl_seconds = ttl_seconds
        self._snapshot: tuple[ServableCampaign, ...] | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        self._snapshot = None

    async def campaigns(self, now: datetime) -> tuple[ServableCampaign, ...]:
        snapshot = self._snapshot
        if snapshot is not None and time.monotonic() - self._loaded_at < self.ttl_seconds:
            return snapshot
        if snapshot is not None and self._lock.locked():
            return snapshot  # another request is refreshing it
        async with self._lock:
            if self._snapshot is not None and self._snapshot is not snapshot:
                return self._snapshot
            async with self.sessionmaker() as db:
                loaded = await load(db, now)
            self._snapshot, self._loaded_at = loaded, time.monotonic()
            return loaded
