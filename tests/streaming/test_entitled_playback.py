"""Playback follows the account's entitlement, not its access token: a subscription that lapses
(a card declined at renewal, then the grace period over) loses premium playback at the next
position report while the token still says premium, and the next token says free."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from ott.core.tiers import SubscriptionTier
from tests.catalog.conftest import Catalog
from tests.conftest import TEST_CARD_LATER_DECLINED, assert_error, bearer, register, subscribe
from tests.streaming.conftest import SESSIONS, Videos, Watcher, report, start, started

ME = "/api/subscriptions/me"


async def _subscriber(client: httpx.AsyncClient, catalog: Catalog) -> Watcher:
    tokens = await register(client)
    await subscribe(client, bearer(tokens), card=TEST_CARD_LATER_DECLINED)
    profile = await client.post(
        "/api/auth/profiles",
        headers=bearer(tokens),
        json={"name": "Watcher", "maturity_rating": "PG-13"},
    )
    assert profile.status_code == 201, profile.text
    selected = await client.post(
        f"/api/auth/profiles/{profile.json()['id']}/select", headers=bearer(tokens)
    )
    assert selected.status_code == 200, selected.text
    assert selected.json()["user"]["subscription_tier"] == "premium"
    return Watcher(selected.json(), catalog.country)


async def _status_becomes(
    client: httpx.AsyncClient, who: Watcher, status: str, *, within: float = 15.0
) -> dict[str, Any]:
    """The account's /me once its subscription is in `status` (the job runs every 0.5 s)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        me = (await client.get(ME, headers=who.headers)).json()
        if me["subscription"]["status"] == status:
            return dict(me)
        assert asyncio.get_running_loop().time() < deadline, me
        await asyncio.sleep(0.2)


async def _advance(client: httpx.AsyncClient, who: Watcher, *, days: float) -> None:
    moved = await client.post(
        "/api/subscriptions/dev/advance", headers=who.headers, json={"days": days}
    )
    assert moved.status_code == 200, moved.text


async def test_a_lapsed_subscription_loses_premium_playback_before_its_token_expires(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos
) -> None:
    premium_film = await catalog.title("Premium Film", tier_requirement=SubscriptionTier.PREMIUM)
    free_film = await catalog.title("Free Film")
    for film in (premium_film, free_film):
        await videos.add(film)
    who = await _subscriber(sapi, catalog)
    playing = await started(sapi, who, premium_film)
    assert [q["quality"] for q in playing["qualities"]] == ["144p", "360p"]
    assert (await report(sapi, who, playing["session_id"], 1.0, 1)).status_code == 200

    # The renewal is declined: the grace period (7 days from the failure) keeps the plan.
    await _advance(sapi, who, days=31)
    me = await _status_becomes(sapi, who, "past_due")
    assert me["entitlement"]["reason"] == "grace_period"
    assert (await report(sapi, who, playing["session_id"], 2.0, 2)).status_code == 200
    # The grace period is over: the account is held on the free tier.
    await _advance(sapi, who, days=8)
    me = await _status_becomes(sapi, who, "unpaid")
    assert me["entitlement"]["tier"] == "free"
    assert me["entitlement"]["reason"] == "payment_hold"

    # The same access token (it still says premium): the stream is stopped at its next report.
    assert_error(await report(sapi, who, playing["session_id"], 3.0, 3), 403, "premium_required")
    assert (await sapi.get(SESSIONS, headers=who.headers)).json()["streams"] == []
    assert_error(await start(sapi, who, premium_film), 403, "premium_required")
    # A free title plays, on the free plan's rules: its rungs and one stream.
    free = await started(sapi, who, free_film)
    assert [q["quality"] for q in free["qualities"]] == ["144p"]
    assert (await sapi.get(SESSIONS, headers=who.headers)).json()["limit"] == 1

    # The next token carries the free tier.
    refreshed = await sapi.post(
        "/api/auth/refresh", json={"refresh_token": who.tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["user"]["subscription_tier"] == "free"
