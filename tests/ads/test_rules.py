"""The pure rules: breaks of a title, goals and pacing, caps, ordering of a pod; and the
documents themselves (every VAST form against the schema, every form read back by players)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ott.ads import decision
from ott.ads.decision import Counts
from ott.ads.inventory import ServableCampaign, ServableCreative
from ott.ads.models import CampaignKind, Pacing
from ott.ads.status import CampaignEvent, CampaignStatus, IllegalTransition, next_status
from ott.ads.vast import (
    LINEAR_EVENTS,
    InlineAd,
    MediaFile,
    Tracking,
    WrapperAd,
    no_ad_document,
    vast_document,
)
from tests.ads.conftest import assert_valid_vast, players_read

NOON = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def _campaign(**fields: object) -> ServableCampaign:
    base = ServableCampaign(
        id=uuid.uuid4(),
        name="c",
        advertiser="Acme",
        kind=CampaignKind.INLINE,
        priority=5,
        pacing=Pacing.EVEN,
        starts_at=NOON - timedelta(days=1),
        ends_at=None,
        daily_goal=None,
        total_goal=None,
        skip_offset_seconds=None,
        click_through_url=None,
        vast_tag_url=None,
        genres=frozenset(),
        languages=frozenset(),
        countries=frozenset(),
        ratings=frozenset(),
        content_types=frozenset(),
        devices=frozenset(),
        cap_per_day=None,
        cap_per_hour=None,
        creatives=(ServableCreative(uuid.uuid4(), "a", 6.0, "videos/a/b", ()),),
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def test_breaks_every_n_minutes_not_too_close_to_the_end() -> None:
    ids = lambda seconds: [b.id for b in decision.plan_breaks(seconds, 10)]  # noqa: E731
    assert ids(0) == ["preroll", "postroll"]
    assert ids(620) == ["preroll", "postroll"]  # a mid-roll 20 s before the end is left out
    assert ids(1200) == ["preroll", "midroll-1", "postroll"]
    assert [b.time_offset for b in decision.plan_breaks(1500, 10)] == [
        "start",
        "00:10:00.000",
        "00:20:00.000",
        "end",
    ]


def test_even_pacing_follows_the_day_and_asap_does_not() -> None:
    even = _campaign(daily_goal=100)
    asap = _campaign(daily_goal=100, pacing=Pacing.ASAP)
    assert decision.under_goals(even, Counts(delivered_today=50), NOON)
    assert not decision.under_goals(even, Counts(delivered_today=56), NOON)
    assert decision.under_goals(asap, Counts(delivered_today=99), NOON)
    assert not decision.under_goals(asap, Counts(delivered_today=100), NOON)
    early = NOON.replace(hour=0, minute=1)
    assert decision.under_goals(even, Counts(delivered_today=0), early)
    assert not decision.under_goals(even, Counts(delivered_today=6), early)


def test_even_pacing_over_a_flight_and_total_goals() -> None:
    flight = _campaign(
        total_goal=1000, starts_at=NOON - timedelta(days=5), ends_at=NOON + timedelta(days=5)
    )
    assert decision.under_goals(flight, Counts(delivered_total=500), NOON)
    assert not decision.under_goals(flight, Counts(delivered_total=560), NOON)
    open_ended = _campaign(total_goal=10)
    assert decision.under_goals(open_ended, Counts(delivered_total=9), NOON)
    assert not decision.under_goals(open_ended, Counts(delivered_total=10), NOON)


def test_caps_and_the_order_of_a_pod() -> None:
    capped = _campaign(cap_per_day=3, cap_per_hour=1, priority=9)
    assert decision.under_caps(capped, Counts(viewer_today=2, viewer_this_hour=0))
    assert not decision.under_caps(capped, Counts(viewer_today=2, viewer_this_hour=1))
    assert not decision.under_caps(capped, Counts(viewer_today=3))
    behind = _campaign(daily_goal=100, pacing=Pacing.ASAP, priority=5)
    ahead = _campaign(daily_goal=100, pacing=Pacing.ASAP, priority=5)
    picks = decision.choose(
        [ahead, capped, behind],
        [Counts(delivered_today=80), Counts(viewer_this_hour=1), Counts(delivered_today=10)],
        now=NOON,
        pod_size=2,
    )
    assert [p.campaign.id for p in picks] == [behind.id, ahead.id]


def test_flight_and_targeting() -> None:
    future = _campaign(starts_at=NOON + timedelta(hours=1))
    over = _campaign(ends_at=NOON)
    assert not decision.in_flight(future, NOON)
    assert not decision.in_flight(over, NOON)
    assert decision.in_flight(_campaign(), NOON)


def test_the_campaign_lifecycle() -> None:
    assert next_status(CampaignStatus.DRAFT, CampaignEvent.ACTIVATE) is CampaignStatus.ACTIVE
    assert next_status(CampaignStatus.ACTIVE, CampaignEvent.PAUSE) is CampaignStatus.PAUSED
    assert next_status(CampaignStatus.PAUSED, CampaignEvent.ACTIVATE) is CampaignStatus.ACTIVE
    assert next_status(CampaignStatus.PAUSED, CampaignEvent.END) is CampaignStatus.ENDED
    for event in CampaignEvent:  # ended is final
        with pytest.raises(IllegalTransition):
            next_status(CampaignStatus.ENDED, event)
    with pytest.raises(IllegalTransition):
        next_status(CampaignStatus.DRAFT, CampaignEvent.PAUSE)


def _tracking(tag: str) -> Tracking:
    return Tracking(
        impression=f"https://ads.example/t/{tag}/impression",
        error=f"https://ads.example/t/{tag}/error?code=[ERRORCODE]",
        click=f"https://ads.example/t/{tag}/click",
        events={event: f"https://ads.example/t/{tag}/{event}" for event in LINEAR_EVENTS},
    )


def test_every_form_of_vast_is_valid_and_read_back() -> None:
    inline = InlineAd(
        ad_id="campaign-1",
        serving_id="serving-1",
        title="Spot & <Co>",
        advertiser="Acme",
        creative_id="creative-1",
        duration_seconds=7.5,
        media_files=[
            MediaFile(
                "https://cdn.example/a/ad_144p.m3u8",
                256,
                144,
                210,
                "application/x-mpegURL",
                "streaming",
            ),
            MediaFile(
                "https://cdn.example/a/ad_360p.m3u8",
                640,
                360,
                480,
                "application/x-mpegURL",
                "streaming",
                "avc1.64001e,mp4a.40.2",
            ),
        ],
        tracking=_tracking("a"),
        click_through="https://acme.example/?a=1&b=2",
        skip_offset_seconds=5,
    )
    wrapper = WrapperAd("campaign-2", "https://third.example/vast?x=1&y=2", _tracking("b"))
    for document in (
        vast_document([inline]),
        vast_document([inline, wrapper]),
        vast_document([wrapper]),
        no_ad_document("https://ads.example/t/none?code=[ERRORCODE]"),
    ):
        assert_valid_vast(document)
    read = players_read("vast", vast_document([inline, wrapper]))
    first, second = read["ads"]
    assert first["title"] == "Spot & <Co>"
    assert first["sequence"] == "1"
    assert first["creatives"][0]["duration"] == 7.5
    assert first["creatives"][0]["skipDelay"] == 5
    assert first["creatives"][0]["clickThrough"] == "https://acme.example/?a=1&b=2"
    assert [m["url"] for m in first["creatives"][0]["mediaFiles"]] == [
        "https://cdn.example/a/ad_144p.m3u8",
        "https://cdn.example/a/ad_360p.m3u8",
    ]
    assert second["vastAdTagURI"] == "https://third.example/vast?x=1&y=2"
    assert second["impressionURLTemplates"] == ["https://ads.example/t/b/impression"]
    empty = players_read("vast", no_ad_document("https://ads.example/t/none?code=[ERRORCODE]"))
    assert empty == {
        "version": "4.2",
        "errorURLTemplates": ["https://ads.example/t/none?code=[ERRORCODE]"],
        "ads": [],
    }


def test_the_schema_check_can_fail() -> None:
    document = vast_document([WrapperAd("c", "https://third.example/vast", _tracking("c"))])
    broken = document.replace(b"<VASTAdTagURI>", b"<Bogus/><VASTAdTagURI>")
    with pytest.raises(AssertionError):
        assert_valid_vast(broken)
