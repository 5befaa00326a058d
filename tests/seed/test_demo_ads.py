"""The demo ads: one advertiser, campaign and pair of creatives however often (and however
concurrently) the seeding runs; the creatives' videos go through the media pipeline and a real
worker; then a free viewer's pre-roll on the first demo film is the demo ad, with MediaFiles."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from ott.ads.models import Advertiser, Campaign, Creative, Pacing
from ott.ads.status import CampaignStatus, CreativeStatus
from ott.core.app_context import AppContext
from ott.core.settings import Settings
from ott.media.jobs.factory import create_worker
from ott.media.jobs.worker import Outcome as JobOutcome
from ott.media.models import Encoding, EncodingStatus, Upload
from ott.seed import demo_ads
from ott.seed.demo_ads import seed_demo_ads
from ott.seed.demo_videos import Outcome, plan
from ott.seed.load import SEED_AUTHOR
from tests.ads.conftest import assert_valid_vast, players_read
from tests.catalog.conftest import viewer
from tests.conftest import settings_with, start_gateway
from tests.media.conftest import wait_for
from tests.seed.conftest import DEMO_SECONDS


@pytest.fixture
async def bare(demo_settings: Settings) -> AsyncIterator[AppContext]:
    """The platform's context on an empty database of its own (the ads need no titles)."""
    context = AppContext.open(demo_settings)
    try:
        yield context
    finally:
        await context.close()


async def _all(context: AppContext) -> tuple[list[Advertiser], list[Campaign], list[Creative]]:
    async with context.sessionmaker() as db:
        return (
            list(await db.scalars(select(Advertiser))),
            list(await db.scalars(select(Campaign))),
            sorted(await db.scalars(select(Creative)), key=lambda c: c.title),  # not by collation
        )


async def _count(context: AppContext, model: type[Upload] | type[Encoding]) -> int:
    async with context.sessionmaker() as db:
        return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def test_seeding_twice_makes_one_demo_inventory(bare: AppContext) -> None:
    before = datetime.now(UTC)
    first = await seed_demo_ads(bare)
    assert first.outcome is Outcome.QUEUED, first.detail
    [advertiser], [campaign], creatives = await _all(bare)
    assert (advertiser.id, advertiser.name) == (first.advertiser_id, "OTT Demo Ads")
    assert campaign.id == first.campaign_id
    assert campaign.advertiser_id == advertiser.id
    assert campaign.status is CampaignStatus.ACTIVE
    # In flight from now for a year.
    assert before - timedelta(seconds=1) <= campaign.starts_at <= datetime.now(UTC)
    assert campaign.ends_at is not None
    assert campaign.ends_at - campaign.starts_at == timedelta(days=365)
    # Skippable after 5 s, caps a demo does not run into, no goals, for everyone.
    assert (campaign.skippable, campaign.skip_offset_seconds) == (True, 5)
    assert (campaign.cap_per_day, campaign.cap_per_hour) == (6, 3)
    assert (campaign.daily_goal, campaign.total_goal, campaign.pacing) == (None, None, Pacing.ASAP)
    targets = (
        campaign.target_genres,
        campaign.target_languages,
        campaign.target_countries,
        campaign.target_ratings,
        campaign.target_content_types,
        campaign.target_devices,
    )
    assert all(target == [] for target in targets)
    assert campaign.priority == 1  # a house ad: any other campaign serves first
    # Two creatives, each with its video queued on the media pipeline from a seed's upload.
    # (made in one transaction, so in no order of their creation time)
    assert {c.id for c in creatives} == set(first.creatives)
    assert len(creatives) == 2
    assert all(c.status is CreativeStatus.PROCESSING for c in creatives)
    assert [c.title for c in creatives] == sorted(c.title for c in demo_ads.CREATIVES)
    async with bare.sessionmaker() as db:
        encodings = list(await db.scalars(select(Encoding)))
        sources = list(await db.scalars(select(Upload)))
    assert {(e.creative_id, e.id) for e in encodings} == {(c.id, c.encoding_id) for c in creatives}
    assert all(e.status is EncodingStatus.QUEUED and e.content_id is None for e in encodings)
    assert all(e.created_by == SEED_AUTHOR for e in encodings)
    assert len(sources) == 2
    assert all(s.created_by == SEED_AUTHOR and s.completed_at for s in sources)
    assert not any((bare.settings.data_dir / "demo-work").iterdir())  # scratch removed

    again = await seed_demo_ads(bare)
    assert again.outcome is Outcome.SKIPPED
    assert again.advertiser_id == advertiser.id
    advertisers, campaigns, after = await _all(bare)
    assert ([a.id for a in advertisers], [c.id for c in campaigns]) == (
        [advertiser.id],
        [campaign.id],
    )
    assert {c.id for c in after} == set(first.creatives)
    assert (await _count(bare, Upload), await _count(bare, Encoding)) == (2, 2)


async def test_two_seedings_at_once_make_one_demo_inventory(bare: AppContext) -> None:
    results = await asyncio.gather(seed_demo_ads(bare), seed_demo_ads(bare))
    assert sorted(r.outcome for r in results) == sorted([Outcome.QUEUED, Outcome.SKIPPED])
    advertisers, campaigns, creatives = await _all(bare)
    assert (len(advertisers), len(campaigns), len(creatives)) == (1, 1, 2)
    # The loser's sources, inputs of nothing, were removed.
    assert (await _count(bare, Upload), await _count(bare, Encoding)) == (2, 2)


async def test_nothing_is_left_when_ffmpeg_fails(demo_settings: Settings, tmp_path: Path) -> None:
    broken = tmp_path / "ffmpeg"
    broken.write_text("#!/bin/sh\necho 'not an encoder' >&2\nexit 3\n")
    broken.chmod(0o755)
    context = AppContext.open(settings_with(demo_settings, ffmpeg_binary=str(broken)))
    try:
        result = await seed_demo_ads(context)
        assert result.outcome is Outcome.FAILED
        assert "not an encoder" in result.detail
        assert await _all(context) == ([], [], [])
        assert (await _count(context, Upload), await _count(context, Encoding)) == (0, 0)
    finally:
        await context.close()


async def test_a_free_viewer_gets_the_demo_ad_as_pre_roll(demo: AppContext) -> None:
    seeded = await seed_demo_ads(demo)
    assert seeded.outcome is Outcome.QUEUED, seeded.detail
    worker = create_worker(
        settings=demo.settings,
        sessionmaker=demo.sessionmaker,
        storage=demo.storage,
        events=demo.events,
        name=f"demo-ads-{uuid.uuid4().hex[:6]}",
    )
    assert [await worker.run_once() for _ in seeded.creatives] == [JobOutcome.SUCCEEDED] * 2
    async with demo.sessionmaker() as db:
        first_film = (await plan(db, settings=demo.settings))[0].content_id

    client, lifespan = await start_gateway(
        settings_with(demo.settings, ads_inventory_cache_seconds=0)
    )
    try:
        tokens = await viewer(client)  # a new free account's profile
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}

        async def pre_roll() -> list[dict[str, Any]] | None:
            vmap = await client.get(
                "/api/ads/vmap", headers=headers, params={"content_id": str(first_film)}
            )
            assert vmap.status_code == 200, vmap.text
            breaks = players_read("vmap", vmap.content)["breaks"]
            assert breaks[0]["timeOffset"] == "start"
            vast = await client.get(breaks[0]["adTagURI"])
            assert vast.status_code == 200, vast.text
            assert_valid_vast(vast.content)
            ads = players_read("vast", vast.content)["ads"]
            return ads or None  # until the ad service has synced the creatives

        # The ad service's background sync makes the creatives ready once encoded.
        [ad] = await wait_for(pre_roll, within=30, interval=0.5)
        assert ad["advertiser"] == "OTT Demo Ads"
        assert ad["title"] in {c.title for c in demo_ads.CREATIVES}
        [creative] = ad["creatives"]
        assert creative["skipDelay"] == 5
        assert creative["duration"] == pytest.approx(DEMO_SECONDS, abs=0.2)
        files = creative["mediaFiles"]
        assert files
        assert max(m["height"] for m in files) == 720  # the 720p source's top rung
        for media in files:
            playlist = await client.get(media["url"])
            assert playlist.status_code == 200, media["url"]
            assert playlist.text.startswith("#EXTM3U")
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)
