"""Decisions through the gateway: the VMAP of a playback (breaks, tokens, resume memory, the
ad-free plan's 403) and the VAST of a break (inline, pod, wrapper, no ad), every document
checked against the VAST 4.2 schema and read back by the players' parsers."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from ott.core.app_context import AppContext
from tests.ads.conftest import (
    ADS,
    assert_valid_vast,
    break_token,
    campaign,
    players_read,
    ready_creative,
    tracking_path,
    watcher,
)
from tests.catalog.conftest import Catalog
from tests.cms.conftest import User
from tests.conftest import assert_error


async def _vmap(
    client: httpx.AsyncClient, who: Any, content_id: uuid.UUID, **params: str
) -> httpx.Response:
    return await client.get(
        f"{ADS}/vmap", headers=who.headers, params={"content_id": str(content_id), **params}
    )


async def _breaks(
    client: httpx.AsyncClient, who: Any, content_id: uuid.UUID
) -> list[dict[str, Any]]:
    response = await _vmap(client, who, content_id)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    read = players_read("vmap", response.content)
    assert read["version"] == "1.0"
    return read["breaks"]


async def _vast(client: httpx.AsyncClient, tag_uri: str) -> tuple[bytes, dict[str, Any]]:
    response = await client.get(tag_uri)  # no Authorization: the token says who watches
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    assert_valid_vast(response.content)
    return response.content, players_read("vast", response.content)


async def test_the_vmap_of_a_film_has_a_pre_roll_mid_rolls_and_a_post_roll(
    aapi: httpx.AsyncClient, catalog: Catalog
) -> None:
    content_id = await catalog.title("Long Film")
    await catalog.video(content_id, seconds=25 * 60)  # mid-rolls at 10 and 20 minutes
    who = await watcher(aapi, catalog)
    breaks = await _breaks(aapi, who, content_id)
    assert [(b["breakId"], b["timeOffset"]) for b in breaks] == [
        ("preroll", "start"),
        ("midroll-1", "00:10:00.000"),
        ("midroll-2", "00:20:00.000"),
        ("postroll", "end"),
    ]
    assert {b["breakType"] for b in breaks} == {"linear"}
    assert all(b["adTagURI"].startswith(f"{ADS}/vast?b=") for b in breaks)
    assert len({b["adTagURI"] for b in breaks}) == 4


async def test_an_ad_free_plan_gets_403_and_a_free_one_does_not(
    aapi: httpx.AsyncClient, catalog: Catalog
) -> None:
    content_id = await catalog.title("Any Film")
    premium = await watcher(aapi, catalog, premium=True)
    assert_error(await _vmap(aapi, premium, content_id), 403, "ad_free_plan")
    free = await watcher(aapi, catalog)
    assert (await _vmap(aapi, free, content_id)).status_code == 200


async def test_vmap_bad_input(aapi: httpx.AsyncClient, catalog: Catalog) -> None:
    who = await watcher(aapi, catalog)
    assert_error(await _vmap(aapi, who, uuid.uuid4()), 404)
    assert_error(
        await aapi.get(f"{ADS}/vmap", headers=who.headers, params={"content_id": "nope"}), 422
    )
    content_id = await catalog.title("Film")
    assert_error(await _vmap(aapi, who, content_id, episode_id=str(uuid.uuid4())), 422)
    assert_error(await _vmap(aapi, who, content_id, device="toaster"), 422)
    assert_error(await aapi.get(f"{ADS}/vmap", params={"content_id": str(content_id)}), 401)


async def test_a_break_answers_one_inline_ad_that_the_players_read_back(
    aapi: httpx.AsyncClient, catalog: Catalog, admin: User, resources: AppContext
) -> None:
    content_id = await catalog.title("Film", genres=[])
    created = await campaign(
        aapi,
        admin,
        targeting={"countries": [catalog.country]},
        skippable=True,
        skip_offset_seconds=5,
    )
    creative_id = await ready_creative(resources, created["id"], title="Acme Spot", seconds=8)
    who = await watcher(aapi, catalog)
    preroll = (await _breaks(aapi, who, content_id))[0]
    document, read = await _vast(aapi, preroll["adTagURI"])
    assert read["version"] == "4.2"
    [ad] = read["ads"]
    assert ad["id"] == created["id"]
    assert ad["title"] == "Acme Spot"
    assert ad["system"] == "OTT Ad Server"
    assert len(ad["adServingId"]) == 32
    [creative] = ad["creatives"]
    assert creative["id"] == creative_id
    assert creative["type"] == "linear"
    assert creative["duration"] == 8
    assert creative["skipDelay"] == 5
    assert creative["universalAdIds"] == [{"registry": "ott-ads", "value": creative_id}]
    assert [(m["width"], m["height"], m["bitrate"]) for m in creative["mediaFiles"]] == [
        (256, 144, 210),
        (640, 360, 480),
    ]
    for media in creative["mediaFiles"]:
        assert media["mimeType"] == "application/x-mpegURL"
        assert media["delivery"] == "streaming"
        assert media["url"].startswith("/media/s/")
        assert f"/videos/{creative_id}/" in media["url"]
    assert set(creative["trackingEvents"]) == {
        "start",
        "firstQuartile",
        "midpoint",
        "thirdQuartile",
        "complete",
        "pause",
        "resume",
        "skip",
    }
    assert creative["clickThrough"] == "https://acme.example/offer"
    urls = [
        *ad["impressionURLTemplates"],
        *creative["clickTracking"],
        *[u for event in creative["trackingEvents"].values() for u in event],
    ]
    assert all(u.startswith(f"{ADS}/t/") for u in urls)
    assert len(set(urls)) == len(urls) == 10  # one event id each
    [error] = ad["errorURLTemplates"]
    assert error.endswith("?code=[ERRORCODE]")
    # Every tracking URL answers 204.
    for url in [*urls, tracking_path(error)]:
        response = await aapi.get(url)
        assert response.status_code == 204, (url, response.text)
    assert b'skipoffset="00:00:05.000"' in document


async def test_a_pod_has_one_ad_per_campaign_highest_priority_first(
    aapi: httpx.AsyncClient, catalog: Catalog, admin: User, resources: AppContext
) -> None:
    content_id = await catalog.title("Film")
    target = {"countries": [catalog.country]}
    low = await campaign(aapi, admin, targeting=target, priority=2)
    high = await campaign(aapi, admin, targeting=target, priority=9)
    middle = await campaign(aapi, admin, targeting=target, priority=5)
    for created in (low, high, middle):
        await ready_creative(resources, created["id"])
    await ready_creative(resources, high["id"], title="Second creative of the same campaign")
    who = await watcher(aapi, catalog)
    _, read = await _vast(aapi, (await _breaks(aapi, who, content_id))[0]["adTagURI"])
    assert [(a["id"], a["sequence"]) for a in read["ads"]] == [
        (high["id"], "1"),
        (middle["id"], "2"),
    ]
    creatives = [a["creatives"][0]["id"] for a in read["ads"]]
    assert len(set(creatives)) == 2


async def test_a_wrapper_campaign_points_at_the_third_party_vast(
    aapi: httpx.AsyncClient, catalog: Catalog, admin: User
) -> None:
    content_id = await catalog.title("Film")
    created = await campaign(
        aapi,
        admin,
        kind="wrapper",
        vast_tag_url="https://ads.third-party.example/vast?slot=1",
        targeting={"countries": [catalog.country]},
    )
    who = await watcher(aapi, catalog)
    document, read = await _vast(aapi, (await _breaks(aapi, who, content_id))[0]["adTagURI"])
    [ad] = read["ads"]
    assert ad["id"] == created["id"]
    assert ad["vastAdTagURI"] == "https://ads.third-party.example/vast?slot=1"
    assert ad["impressionURLTemplates"][0].startswith(f"{ADS}/t/")
    assert set(ad["creatives"][0]["trackingEvents"]) >= {"start", "complete", "skip"}
    assert b"<Wrapper" in document


async def test_nothing_eligible_gives_the_no_ad_document(
    aapi: httpx.AsyncClient, catalog: Catalog, admin: User, resources: AppContext
) -> None:
    content_id = await catalog.title("Film", original_language="hi")
    elsewhere = await campaign(aapi, admin, targeting={"countries": ["ZZ"]})
    await ready_creative(resources, elsewhere["id"])
    english = await campaign(
        aapi, admin, targeting={"countries": [catalog.country], "languages": ["en"]}
    )
    await ready_creative(resources, english["id"])
    who = await watcher(aapi, catalog)
    document, read = await _vast(aapi, (await _breaks(aapi, who, content_id))[0]["adTagURI"])
    assert read["ads"] == []
    [error] = read["errorURLTemplates"]
    assert error.startswith(f"{ADS}/t/")
    assert error.endswith("?code=[ERRORCODE]")
    assert b"<Ad" not in document
    assert (await aapi.get(tracking_path(error))).status_code == 204


async def test_targeting(
    aapi: httpx.AsyncClient, catalog: Catalog, admin: User, resources: AppContext
) -> None:
    drama = await catalog.title("A Drama", genres=["drama"], maturity_rating="PG")
    other = await catalog.title("Another", genres=[], maturity_rating="G")
    created = await campaign(
        aapi,
        admin,
        targeting={
            "countries": [catalog.country],
            "genres": ["drama", "comedy"],
            "maturity_ratings": ["PG", "PG-13"],
            "content_types": ["movie"],
            "devices": ["tv"],
            "languages": ["en"],
        },
    )
    await ready_creative(resources, created["id"])
    who = await watcher(aapi, catalog)

    async def ads(content_id: uuid.UUID, device: str) -> list[str]:
        response = await _vmap(aapi, who, content_id, device=device)
        assert response.status_code == 200, response.text
        tag = players_read("vmap", response.content)["breaks"][0]["adTagURI"]
        return [a["id"] for a in (await _vast(aapi, tag))[1]["ads"]]

    assert await ads(drama, "tv") == [created["id"]]
    assert await ads(drama, "mobile") == []  # device
    assert await ads(other, "tv") == []  # genre and rating


async def test_bad_break_tokens(aapi: httpx.AsyncClient, catalog: Catalog) -> None:
    content_id = await catalog.title("Film")
    who = await watcher(aapi, catalog)
    tag = (await _breaks(aapi, who, content_id))[0]["adTagURI"]
    token = break_token(tag)
    payload, signature = token.split(".")
    assert_error(await aapi.get(f"{ADS}/vast", params={"b": "garbage"}), 400, "invalid_ad_token")
    forged = f"{payload[:-2]}xx.{signature}"
    assert_error(await aapi.get(f"{ADS}/vast", params={"b": forged}), 403, "forged_ad_token")
    assert_error(await aapi.get(f"{ADS}/vast"), 422)
    # A tracking token is not a break token.
    _, read = await _vast(aapi, tag)
    tracking = read["errorURLTemplates"][0].split("/t/")[1].split("?")[0]
    assert_error(await aapi.get(f"{ADS}/vast", params={"b": tracking}), 403, "forged_ad_token")


async def test_a_break_seen_is_left_out_on_resume(
    aapi: httpx.AsyncClient, catalog: Catalog, admin: User, resources: AppContext
) -> None:
    content_id = await catalog.title("Film")
    await catalog.video(content_id, seconds=15 * 60)
    created = await campaign(aapi, admin, targeting={"countries": [catalog.country]})
    await ready_creative(resources, created["id"])
    who = await watcher(aapi, catalog)
    breaks = await _breaks(aapi, who, content_id)
    assert [b["breakId"] for b in breaks] == ["preroll", "midroll-1", "postroll"]
    for ad_break in breaks[:2]:
        _, read = await _vast(aapi, ad_break["adTagURI"])
        impression = read["ads"][0]["impressionURLTemplates"][0]
        assert (await aapi.get(impression)).status_code == 204
    assert [b["breakId"] for b in await _breaks(aapi, who, content_id)] == ["postroll"]
    # Another profile's memory is its own.
    other = await watcher(aapi, catalog)
    assert len(await _breaks(aapi, other, content_id)) == 3
