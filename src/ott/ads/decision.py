"""Which breaks a playback gets and which ads fill a break: pure functions of the inventory,
the title, the viewer and the counters (no I/O here; service.py gathers the inputs).

Eligible for a break: an active campaign inside its flight whose every targeting list is empty
or holds the title's (genre: any of them) or the viewer's value; under its daily and total
impression goals, and with even pacing not ahead of its share of the day (or of the flight);
under the viewer's frequency caps for the day and the hour. The highest priority first, then
the one furthest behind its daily goal; one ad per campaign in a pod, so a creative shows at
most once per break.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ott.ads.inventory import ServableCampaign, ServableCreative
from ott.ads.models import Pacing
from ott.ads.titles import TitleFacts
from ott.ads.vmap import Break

# Even pacing may run this far ahead of a straight line through the day (or flight), so the
# first requests of a day are not all refused.
PACING_SLACK = 0.05
MIN_MIDROLL_LEAD_SECONDS = 30.0  # no mid-roll this close to the end: the post-roll follows


def plan_breaks(duration_seconds: float, every_minutes: float) -> list[Break]:
    """A pre-roll, a mid-roll every `every_minutes` of the content, a post-roll."""
    breaks = [Break("preroll", None, "pre")]
    step = every_minutes * 60
    if duration_seconds > 0 and step > 0:
        count = math.ceil((duration_seconds - MIN_MIDROLL_LEAD_SECONDS) / step) - 1
        for n in range(1, max(count, 0) + 1):
            breaks.append(Break(f"midroll-{n}", n * step, "mid"))
    breaks.append(Break("postroll", None, "post"))
    return breaks


@dataclass(frozen=True)
class Audience:
    """The viewer side of targeting."""

    country: str
    device: str


def _admits(targets: frozenset[str], value: str) -> bool:
    return not targets or value in targets


def targets(campaign: ServableCampaign, title: TitleFacts, audience: Audience) -> bool:
    return (
        (not campaign.genres or bool(campaign.genres & title.genres))
        and _admits(campaign.languages, title.language)
        and _admits(campaign.ratings, title.rating)
        and _admits(campaign.content_types, title.type)
        and _admits(campaign.countries, audience.country)
        and _admits(campaign.devices, audience.device)
    )


def in_flight(campaign: ServableCampaign, now: datetime) -> bool:
    return campaign.starts_at <= now and (campaign.ends_at is None or now < campaign.ends_at)


def candidates(
    campaigns: Sequence[ServableCampaign], title: TitleFacts, audience: Audience, now: datetime
) -> list[ServableCampaign]:
    """The campaigns that may serve this title to this viewer now, before counters."""
    return [c for c in campaigns if in_flight(c, now) and targets(c, title, audience)]


@dataclass(frozen=True)
class Counts:
    """The counters of one campaign for one viewer (frequency) and overall (delivery)."""

    viewer_today: int = 0
    viewer_this_hour: int = 0
    delivered_today: int = 0
    delivered_total: int = 0


def start_of_day(now: datetime) -> datetime:
    return datetime(now.year, now.month, now.day, tzinfo=UTC)


def _share_of_day(now: datetime) -> float:
    return (now - start_of_day(now)) / timedelta(days=1)


def under_goals(campaign: ServableCampaign, counts: Counts, now: datetime) -> bool:
    if campaign.daily_goal is not None and counts.delivered_today >= campaign.daily_goal:
        return False
    if campaign.total_goal is not None and counts.delivered_total >= campaign.total_goal:
        return False
    if campaign.pacing is Pacing.ASAP:
        return True
    if campaign.daily_goal is not None:
        allowed = campaign.daily_goal * min(1.0, _share_of_day(now) + PACING_SLACK)
        return counts.delivered_today < max(1.0, allowed)
    if campaign.total_goal is not None and campaign.ends_at is not None:
        flight = (campaign.ends_at - campaign.starts_at).total_seconds()
        elapsed = (now - campaign.starts_at).total_seconds() / flight
        allowed = campaign.total_goal * min(1.0, elapsed + PACING_SLACK)
        return counts.delivered_total < max(1.0, allowed)
    return True


def under_caps(campaign: ServableCampaign, counts: Counts) -> bool:
    if campaign.cap_per_day is not None and counts.viewer_today >= campaign.cap_per_day:
        return False
    return campaign.cap_per_hour is None or counts.viewer_this_hour < campaign.cap_per_hour


def _behind(campaign: ServableCampaign, counts: Counts) -> float:
    """How much of its daily goal a campaign has delivered (0 first); none: 0."""
    if campaign.daily_goal is None:
        return 0.0
    return counts.delivered_today / campaign.daily_goal


@dataclass(frozen=True)
class Pick:
    campaign: ServableCampaign
    creative: ServableCreative | None  # None for a wrapper campaign


def choose(
    eligible: Sequence[ServableCampaign],
    counts: Sequence[Counts],
    *,
    now: datetime,
    pod_size: int,
) -> list[Pick]:
    """The pod of one break: at most `pod_size` ads, one per campaign."""
    ranked = sorted(
        (
            (campaign, count)
            for campaign, count in zip(eligible, counts, strict=True)
            if under_goals(campaign, count, now) and under_caps(campaign, count)
        ),
        key=lambda pair: (-pair[0].priority, _behind(*pair), str(pair[0].id)),
    )
    picks = []
    for campaign, count in ranked[:pod_size]:
        creative = None
        if campaign.creatives:
            # Rotate through the campaign's creatives with its deliveries.
            creative = campaign.creatives[count.delivered_total % len(campaign.creatives)]
        picks.append(Pick(campaign, creative))
    return picks
