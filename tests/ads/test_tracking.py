"""Tracking pings: counted once per event id (replays and concurrent copies too), refused when
malformed, forged or expired; counts per campaign and day, through the flush to PostgreSQL and
before it; frequency caps held across two app instances on one Redis."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import text

from ott.ads import tokens
from ott.ads.tokens import TokenSigner
from ott.core.app_context import AppContext
from ott.core.settings import Settings
from tests.ads.conftest import (
    ADS,
    assert_valid_vast,
    campaign,
    players_read,
    ready_creative,
    watcher,
)
from tests.catalog.conftest import Catalog
from tests.cms.conftest import User
from tests.conftest import assert_error, start_gateway


async def _preroll(client: httpx.AsyncClient, who: Any, content_id: uuid.UUID) -> str:
    response = await client.get(
        f"{ADS}/vmap", headers=who.headers, params={"content_id": str(content_id)}
    )
    assert response.status_code == 200, response.text
    return str(players_read("vmap", response.content)["breaks"][0]["adTagURI"])


async def _vast_of(client: httpx.AsyncClient, tag: str) -> dict[str, Any]:
    answer = await client.get(tag)
    assert answer.status_code == 200, answer.text
    assert_valid_vast(answer.content)
    return players_read("vast", answer.content)


async def _first_vast(client: httpx.AsyncClient, who: Any, content_id: uuid.UUID) -> dict[str, Any]:
    return await _vast_of(client, await _preroll(client, who, content_id))


async def _stats(client: httpx.AsyncClient, admin: User, campaign_id: str) -> dict[str, int]:
    response = await client.get(f"{ADS}/campaigns/{campaign_id}/stats", headers=admin.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    today = datetime.now(UTC).date().isoformat()
    assert [d["day"] for d in body["days"]] in ([], [today])
    return body["totals"]


async def _flush(client: httpx.AsyncClient) -> int:
    runtime = _runtime(client)
    return await runtime.counters.flush()


def _runtime(client: httpx.AsyncClient) -> Any:
    """The ad service's runtime inside a test gateway (in process)."""
    gateway = client._transport.app  # type: ignore[attr-defined]
    for app in gateway.state.context.local_apps.values():
        if getattr(app.state, "ads", None) is not None:
            return app.state.ads
    raise AssertionError("no ad service in this gateway")


async def test_a_ping_counts_once_under_replays_and_concurrency(
    aapi: httpx.AsyncClient, catalog: Catalog, admin: User, resources: AppContext
) -> None:
    content_id = await catalog.title("Film")
    created = await campaign(aapi, admin, targeting={"countries": [catalog.country]})
    await ready_creative(resources, created["id"])
    who = await watcher(aapi, catalog)
    [ad] = (await _first_vast(aapi, who, content_id))["ads"]
    impression = ad["impressionURLTemplates"][0]
    start = ad["creatives"][0]["trackingEvents"]["start"][0]
    click = ad["creatives"][0]["clickTracking"][0]
    answers = await asyncio.gather(*(aapi.get(impression) for _ in range(20)))
    assert {r.status_code for r in answers} == {204}
    for url in (start, start, click):
        assert (await aapi.get(url)).status_code == 204
    assert await _stats(aapi, admin, created["id"]) == {"click": 1, "impression": 1, "start": 1}
    assert await _flush(aapi) >= 3
    assert await _flush(aapi) == 0  # nothing left: applied once
    assert await _stats(aapi, admin, created["id"]) == {"click": 1, "impression": 1, "start": 1}
    rows = await resources.engine.connect()
    try:
        found = (
            await rows.execute(
                text(
                    "SELECT event, count FROM ad_campaign_daily_counts WHERE campaign_id = :id "
                    "ORDER BY event"
                ),
                {"id": uuid.UUID(created["id"])},
            )
        ).all()
    finally:
        await rows.close()
    assert [tuple(r) for r in found] == [("click", 1), ("impression", 1), ("start", 1)]
    # A replay after the flush still counts nothing.
    assert (await aapi.get(impression)).status_code == 204
    assert await _stats(aapi, admin, created["id"]) == {"click": 1, "impression": 1, "start": 1}


async def test_a_flush_interrupted_after_its_commit_is_not_applied_twice(
    aapi: httpx.AsyncClient, catalog: Catalog, admin: User, resources: AppContext
) -> None:
    content_id = await catalog.title("Film")
    created = await campaign(aapi, admin, targeting={"countries": [catalog.country]})
    await ready_creative(resources, created["id"])
    who = await watcher(aapi, catalog)
    [ad] = (await _first_vast(aapi, who, content_id))["ads"]
    assert (await aapi.get(ad["impressionURLTemplates"][0])).status_code == 204
    counters = _runtime(aapi).counters
    # A process took the batch and committed it, then died before deleting it.
    batch = await counters._take(
        keys=[counters.counts_key, counters.flush_key, counters.flush_batch_key],
        args=[str(uuid.uuid4())],
    )
    async with resources.sessionmaker() as db, db.begin():
        await db.execute(text("INSERT INTO ad_count_flushes (id) VALUES (:id)"), {"id": batch})
        await db.execute(
            text(
                "INSERT INTO ad_campaign_daily_counts (campaign_id, day, event, count) "
                "VALUES (:c, :d, 'impression', 1)"
            ),
            {"c": uuid.UUID(created["id"]), "d": datetime.now(UTC).date()},
        )
    assert await _stats(aapi, admin, created["id"]) == {"impression": 1}  # not 2
    assert await counters.flush() == 0  # the batch is recognised and dropped
    assert await _stats(aapi, admin, created["id"]) == {"impression": 1}


async def test_bad_tracking_tokens_are_refused_and_count_nothing(
    aapi: httpx.AsyncClient,
    catalog: Catalog,
    admin: User,
    resources: AppContext,
    ads_settings: Settings,
) -> None:
    content_id = await catalog.title("Film")
    created = await campaign(aapi, admin, targeting={"countries": [catalog.country]})
    await ready_creative(resources, created["id"])
    who = await watcher(aapi, catalog)
    [ad] = (await _first_vast(aapi, who, content_id))["ads"]
    impression = ad["impressionURLTemplates"][0]
    token = impression.rsplit("/", 1)[1]
    payload, signature = token.split(".")
    assert_error(await aapi.get(f"{ADS}/t/not-a-token"), 400, "invalid_ad_token")
    assert_error(await aapi.get(f"{ADS}/t/{payload}.{signature[::-1]}"), 403, "forged_ad_token")
    signer = TokenSigner.from_settings(ads_settings)
    claims = {"s": "x", "c": created["id"], "v": "impression", "i": "e1", "x": int(time.time()) - 5}
    expired = signer.sign(tokens.TRACKING, claims)
    assert_error(await aapi.get(f"{ADS}/t/{expired}"), 403, "ad_token_expired")
    unknown = signer.sign(tokens.TRACKING, claims | {"v": "teleport", "x": int(time.time()) + 60})
    assert_error(await aapi.get(f"{ADS}/t/{unknown}"), 400, "invalid_ad_token")
    other_key = TokenSigner(b"another key").sign(tokens.TRACKING, claims | {"x": 2**40})
    assert_error(await aapi.get(f"{ADS}/t/{other_key}"), 403, "forged_ad_token")
    assert await _stats(aapi, admin, created["id"]) == {}


async def test_frequency_caps_hold_across_two_app_instances(
    aapi: httpx.AsyncClient,
    catalog: Catalog,
    admin: User,
    resources: AppContext,
    ads_settings: Settings,
) -> None:
    content_id = await catalog.title("Film")
    capped = await campaign(
        aapi, admin, targeting={"countries": [catalog.country]}, cap_per_day=2, priority=9
    )
    await ready_creative(resources, capped["id"])
    other, lifespan = await start_gateway(ads_settings)  # a second replica, the same Redis
    try:
        who = await watcher(aapi, catalog)
        tag = await _preroll(aapi, who, content_id)
        for client in (aapi, other):
            [ad] = (await _vast_of(client, tag))["ads"]
            assert ad["id"] == capped["id"]
            assert (await client.get(ad["impressionURLTemplates"][0])).status_code == 204
        for client in (aapi, other):
            assert (await _vast_of(client, tag))["ads"] == []
        # The cap is the profile's: another viewer still gets the ad.
        someone = await watcher(other, catalog)
        assert [a["id"] for a in (await _first_vast(aapi, someone, content_id))["ads"]] == [
            capped["id"]
        ]
    finally:
        await other.aclose()
        await lifespan.__aexit__(None, None, None)


async def test_an_hourly_cap_and_a_total_goal(
    aapi: httpx.AsyncClient, catalog: Catalog, admin: User, resources: AppContext
) -> None:
    content_id = await catalog.title("Film")
    hourly = await campaign(aapi, admin, targeting={"countries": [catalog.country]}, cap_per_hour=1)
    await ready_creative(resources, hourly["id"])
    who = await watcher(aapi, catalog)
    tag = await _preroll(aapi, who, content_id)
    [ad] = (await _vast_of(aapi, tag))["ads"]
    assert (await aapi.get(ad["impressionURLTemplates"][0])).status_code == 204
    assert (await _vast_of(aapi, tag))["ads"] == []
    goal = await campaign(aapi, admin, targeting={"countries": [catalog.country]}, total_goal=1)
    await ready_creative(resources, goal["id"])
    [ad] = (await _vast_of(aapi, tag))["ads"]
    assert ad["id"] == goal["id"]
    assert (await aapi.get(ad["impressionURLTemplates"][0])).status_code == 204
    someone = await watcher(aapi, catalog)  # no cap of theirs: the goal itself is met
    assert [a["id"] for a in (await _first_vast(aapi, someone, content_id))["ads"]] == [
        hourly["id"]
    ]
