"""What a viewer sees: country, availability windows, maturity, plans and language."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import text

from ott.cms.scheduler import PublishScheduler
from ott.core.app_context import AppContext
from tests.catalog.conftest import COUNTRIES, Catalog, viewer
from tests.conftest import assert_error

CONTENT = "/api/catalog/content"
NOW = datetime.now(UTC)


async def _listed(capi: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, dict]:
    response = await capi.get(CONTENT, params={"limit": 100}, headers=headers)
    assert response.status_code == 200, response.text
    return {item["title"]: item for item in response.json()["items"]}


async def _detail(capi: httpx.AsyncClient, content_id: object, headers: dict[str, str]) -> int:
    return (await capi.get(f"{CONTENT}/{content_id}", headers=headers)).status_code


async def test_countries_allowed_and_blocked(capi: httpx.AsyncClient, catalog: Catalog) -> None:
    here, there = catalog.country, next(COUNTRIES)
    elsewhere = {"X-Viewer-Country": there}
    only_here = await catalog.title("Only Here", rules=[{"allowed_countries": [here]}])
    # A block wins over an allow in the same rule.
    await catalog.title(
        "Blocked Here", rules=[{"allowed_countries": [here, there], "blocked_countries": [here]}]
    )
    listed_here = await _listed(capi, catalog.headers())
    assert "Only Here" in listed_here
    assert "Blocked Here" not in listed_here
    assert await _detail(capi, only_here, catalog.headers()) == 200
    # Hidden titles answer 404, not 403: their existence does not leak.
    response = await capi.get(f"{CONTENT}/{only_here}", headers=elsewhere)
    assert_error(response, 404)
    assert "Blocked Here" in await _listed(capi, elsewhere)


async def test_country_header_defaults_to_india(capi: httpx.AsyncClient, catalog: Catalog) -> None:
    indian = await catalog.title("Desi Only", rules=[{"allowed_countries": ["IN"]}])
    assert await _detail(capi, indian, {}) == 200
    assert await _detail(capi, indian, {"X-Viewer-Country": "garbage!"}) == 200
    assert await _detail(capi, indian, {"X-Viewer-Country": "us"}) == 404


async def test_availability_windows(capi: httpx.AsyncClient, catalog: Catalog) -> None:
    past = await catalog.title("Expired", available_until=NOW - timedelta(days=1))
    future = await catalog.title("Coming Soon", available_from=NOW + timedelta(days=1))
    current = await catalog.title(
        "Now Showing",
        available_from=NOW - timedelta(days=1),
        available_until=NOW + timedelta(days=1),
    )
    rule_window = await catalog.title(
        "Rule Window Closed",
        rules=[{"allowed_countries": [catalog.country], "ends_at": NOW - timedelta(hours=1)}],
    )
    headers = catalog.headers()
    assert set(await _listed(capi, headers)) == {"Now Showing"}
    assert await _detail(capi, current, headers) == 200
    for hidden in (past, future, rule_window):
        assert await _detail(capi, hidden, headers) == 404


async def test_maturity_follows_the_profile(capi: httpx.AsyncClient, catalog: Catalog) -> None:
    ratings = ["G", "PG", "PG-13", "R", "NC-17"]
    ids = {r: await catalog.title(f"Rated {r}", maturity_rating=r) for r in ratings}
    kid = await viewer(capi, kids=True)
    adult = await viewer(capi, rating="NC-17")
    teen = await viewer(capi, rating="PG-13")
    assert set(await _listed(capi, catalog.headers(kid))) == {"Rated G", "Rated PG"}
    assert set(await _listed(capi, catalog.headers(teen))) == {"Rated G", "Rated PG", "Rated PG-13"}
    assert set(await _listed(capi, catalog.headers(adult))) == {f"Rated {r}" for r in ratings}
    assert await _detail(capi, ids["NC-17"], catalog.headers(kid)) == 404
    search = await capi.get(
        "/api/catalog/search", params={"q": "rated"}, headers=catalog.headers(kid)
    )
    assert {i["title"] for i in search.json()["items"]} == {"Rated G", "Rated PG"}


async def test_premium_titles_are_listed_locked_to_free_viewers(
    capi: httpx.AsyncClient, catalog: Catalog, resources: AppContext
) -> None:
    await catalog.title("Free Film")
    await catalog.title("Premium Film", tier_requirement="premium")
    await catalog.title(
        "Premium Here",
        rules=[{"allowed_countries": [catalog.country], "tier": "premium"}],
    )
    free = await viewer(capi)
    premium = await viewer(capi, premium=True)
    as_free = await _listed(capi, catalog.headers(free))
    assert {t: i["locked"] for t, i in as_free.items()} == {
        "Free Film": False,
        "Premium Film": True,
        "Premium Here": True,
    }
    as_premium = await _listed(capi, catalog.headers(premium))
    assert not any(item["locked"] for item in as_premium.values())


async def test_language_of_the_profile_with_fallback(
    capi: httpx.AsyncClient, catalog: Catalog
) -> None:
    await catalog.title(
        "The River Song",
        title_hi="नदी का गीत",
        description="A song of the river.",
        description_hi="नदी का एक गीत।",
    )
    await catalog.title("English Only", description="Only in English.")
    hindi = await viewer(capi, language="hi")
    listed = await _listed(capi, catalog.headers(hindi))
    assert listed["नदी का गीत"]["description"] == "नदी का एक गीत।"
    assert listed["नदी का गीत"]["original_title"] == "The River Song"
    assert listed["English Only"]["description"] == "Only in English."
    english = await _listed(capi, catalog.headers(await viewer(capi, language="en")))
    assert english["The River Song"]["original_title"] == "नदी का गीत"


async def _has_rules_flag(resources: AppContext, content_id: object) -> bool:
    async with resources.sessionmaker() as db:
        query = text("SELECT has_availability_rules FROM content WHERE id = :id")
        return bool(await db.scalar(query, {"id": content_id}))


async def test_rules_flag_follows_the_rules_table(
    capi: httpx.AsyncClient, catalog: Catalog, resources: AppContext
) -> None:
    """The flag the visibility test reads first is kept by triggers on every kind of write."""
    there = {"X-Viewer-Country": next(COUNTRIES)}
    ruled = await catalog.title("Ruled Title")
    free = await catalog.title("Unruled Title", rules=[])
    assert await _has_rules_flag(resources, ruled)
    assert not await _has_rules_flag(resources, free)
    assert await _detail(capi, ruled, there) == 404
    async with resources.sessionmaker() as db, db.begin():
        # One statement moves the rules from one title to the other: both flags change.
        await db.execute(
            text("UPDATE availability_rules SET content_id = :to WHERE content_id = :from"),
            {"to": free, "from": ruled},
        )
    assert not await _has_rules_flag(resources, ruled)
    assert await _has_rules_flag(resources, free)
    assert await _detail(capi, ruled, there) == 200
    assert await _detail(capi, free, there) == 404
    async with resources.sessionmaker() as db, db.begin():
        await db.execute(
            text("DELETE FROM availability_rules WHERE content_id = :id"), {"id": free}
        )
    assert not await _has_rules_flag(resources, free)
    assert await _detail(capi, free, there) == 200


async def test_scheduled_title_is_listed_once_announced(
    capi: httpx.AsyncClient, catalog: Catalog, resources: AppContext
) -> None:
    """Gone live but not yet announced by the scheduler: its page answers, listings wait."""
    went_live = NOW - timedelta(seconds=30)
    title = await catalog.title("Just Premiered", available_from=went_live, published_at=went_live)
    async with resources.sessionmaker() as db, db.begin():
        await db.execute(
            text("UPDATE content SET updated_at = :before WHERE id = :id"),
            {"before": went_live - timedelta(days=1), "id": title},
        )
    assert await _detail(capi, title, catalog.headers()) == 200
    assert "Just Premiered" not in await _listed(capi, catalog.headers())
    announced = await PublishScheduler(resources, interval=1).run_once()
    assert title in announced
    # The announcement (content.published) drops the cached listing within a second.
    for _ in range(20):
        if "Just Premiered" in await _listed(capi, catalog.headers()):
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the announced title was not listed within 2 s")
