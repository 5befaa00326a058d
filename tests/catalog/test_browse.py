"""Browsing the catalog: filters, sorting, keyset pagination, details, seasons and episodes."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest

from ott.core.cursors import encode_cursor
from tests.catalog.conftest import Catalog
from tests.conftest import assert_error

CONTENT = "/api/catalog/content"


async def _titles(capi: httpx.AsyncClient, catalog: Catalog, **params: object) -> list[str]:
    response = await capi.get(CONTENT, params=params, headers=catalog.headers())
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


async def test_only_published_titles_are_listed(capi: httpx.AsyncClient, catalog: Catalog) -> None:
    await catalog.title("Live One")
    for state in ("draft", "pending_review", "approved", "archived"):
        await catalog.title(f"Not live {state}", workflow_state=state)
    assert await _titles(capi, catalog) == ["Live One"]


async def test_filters(capi: httpx.AsyncClient, catalog: Catalog) -> None:
    await catalog.title("Old Drama", genres=["drama"], release_date=date(1994, 5, 1))
    await catalog.title("New Comedy", genres=["comedy"], release_date=date(2021, 3, 1))
    await catalog.title(
        "Hindi Thriller", genres=["thriller"], original_language="hi", release_date=date(2021, 7, 1)
    )
    await catalog.title("Cup Final", type="sports", genres=["sports"], tier_requirement="premium")
    assert await _titles(capi, catalog, genre="drama") == ["Old Drama"]
    assert await _titles(capi, catalog, type="sports") == ["Cup Final"]
    assert await _titles(capi, catalog, language="hi") == ["Hindi Thriller"]
    assert await _titles(capi, catalog, year=1994) == ["Old Drama"]
    assert set(await _titles(capi, catalog, year_from=2021, year_to=2021)) == {
        "New Comedy",
        "Hindi Thriller",
    }
    assert await _titles(capi, catalog, tier="premium") == ["Cup Final"]
    assert await _titles(capi, catalog, genre="war") == []


async def test_maturity_filter_means_up_to(capi: httpx.AsyncClient, catalog: Catalog) -> None:
    await catalog.title("Tiny Tales", maturity_rating="G")
    await catalog.title("Teen Trouble", maturity_rating="PG-13")
    assert await _titles(capi, catalog, maturity="PG") == ["Tiny Tales"]


async def test_sort_orders(capi: httpx.AsyncClient, catalog: Catalog) -> None:
    await catalog.title("The Banyan", release_date=date(2001, 1, 1), popularity=5)
    await catalog.title("Apricot Days", release_date=date(2019, 1, 1), popularity=50)
    await catalog.title("Cobalt", release_date=None, popularity=1)
    assert await _titles(capi, catalog, sort="newest") == ["Apricot Days", "The Banyan", "Cobalt"]
    assert await _titles(capi, catalog, sort="title") == ["Apricot Days", "The Banyan", "Cobalt"]
    assert await _titles(capi, catalog, sort="popularity") == [
        "Apricot Days",
        "The Banyan",
        "Cobalt",
    ]


@pytest.mark.parametrize("sort", ["newest", "title", "popularity"])
async def test_cursor_walks_every_title_once(
    capi: httpx.AsyncClient, catalog: Catalog, sort: str
) -> None:
    made = set()
    for i in range(23):
        made.add(f"Title {i:02d}")
        # Ties on the sort key (same date, same popularity) must still page correctly.
        await catalog.title(
            f"Title {i:02d}", release_date=date(2010, 1, 1 + i % 3), popularity=i % 4
        )
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"sort": sort, "limit": 5} | ({"cursor": cursor} if cursor else {})
        body = (await capi.get(CONTENT, params=params, headers=catalog.headers())).json()
        seen += [item["title"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 5
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == made


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "ten"},
        {"sort": "random"},
        {"type": "podcast"},
        {"year": 1700},
        {"year_from": 2020, "year_to": 2010},
        {"maturity": "X"},
        {"genre": "Drama; DROP TABLE content"},
        {"colour": "blue"},
        {"cursor": "not-a-cursor"},
    ],
)
async def test_invalid_filters_get_422(
    capi: httpx.AsyncClient, catalog: Catalog, params: dict[str, object]
) -> None:
    response = await capi.get(CONTENT, params=params, headers=catalog.headers())
    assert_error(response, 422)


# The last: a title-order position whose sort key holds a NUL (compared in SQL: was a 500).
_NUL_KEY = encode_cursor({"s": "title", "k": "a\x00", "i": str(uuid.UUID(int=1))})


@pytest.mark.parametrize("sort", ["newest", "title", "popularity"])
@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "garbage",
        "e30",
        "WzEsMiwzXQ",
        "eyJpIjoxLCJrIjoxLCJzIjoxfQ",
        pytest.param(_NUL_KEY, id="nul-in-key"),
    ],
)
async def test_an_empty_or_forged_cursor_is_422(
    capi: httpx.AsyncClient, catalog: Catalog, sort: str, cursor: str
) -> None:
    await catalog.title("Cursor target")
    response = await capi.get(
        CONTENT, params={"sort": sort, "cursor": cursor}, headers=catalog.headers()
    )
    assert_error(response, 422, "invalid_cursor")


async def test_a_cursor_of_another_sort_order_is_refused(
    capi: httpx.AsyncClient, catalog: Catalog
) -> None:
    for i in range(3):
        await catalog.title(f"Item {i}")
    page = (await capi.get(CONTENT, params={"limit": 1}, headers=catalog.headers())).json()
    response = await capi.get(
        CONTENT,
        params={"limit": 1, "sort": "title", "cursor": page["next_cursor"]},
        headers=catalog.headers(),
    )
    assert_error(response, 422, "invalid_cursor")


async def test_detail_with_seasons_and_episodes(capi: httpx.AsyncClient, catalog: Catalog) -> None:
    show = await catalog.title(
        "Monsoon Stories",
        genres=["drama", "romance"],
        people=["Asha Verma", "Rohan Mehta"],
        seasons=[["Arrival", "Rain"], ["Return"]],
    )
    detail = await capi.get(f"{CONTENT}/{show}", headers=catalog.headers())
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["type"] == "tv_show"
    assert body["people"] == ["Asha Verma", "Rohan Mehta"]
    assert [g["slug"] for g in body["genres"]] == ["drama", "romance"]
    assert [(s["season_number"], s["episode_count"]) for s in body["seasons"]] == [(1, 2), (2, 1)]
    seasons = (await capi.get(f"{CONTENT}/{show}/seasons", headers=catalog.headers())).json()
    episodes = await capi.get(
        f"/api/catalog/seasons/{seasons[0]['id']}/episodes", headers=catalog.headers()
    )
    assert [e["title"] for e in episodes.json()] == ["Arrival", "Rain"]


async def test_unknown_and_malformed_ids(capi: httpx.AsyncClient, catalog: Catalog) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    assert_error(await capi.get(f"{CONTENT}/{unknown}", headers=catalog.headers()), 404)
    assert_error(await capi.get(f"{CONTENT}/{unknown}/seasons", headers=catalog.headers()), 404)
    assert_error(
        await capi.get(f"/api/catalog/seasons/{unknown}/episodes", headers=catalog.headers()), 404
    )
    assert_error(await capi.get(f"{CONTENT}/not-a-uuid", headers=catalog.headers()), 422)


async def test_genres_and_trending(capi: httpx.AsyncClient, catalog: Catalog) -> None:
    genres = (await capi.get("/api/catalog/genres")).json()
    assert len(genres) == 23
    assert {"slug": "science-fiction", "name": "Science Fiction"} in genres
    hindi = (await capi.get("/api/catalog/genres", headers={"Accept-Language": "hi-IN"})).json()
    assert {"slug": "sports", "name": "खेल"} in hindi
    await catalog.title("Hit", popularity=99.0)
    await catalog.title("Flop", popularity=0.1)
    trending = (await capi.get("/api/catalog/trending", headers=catalog.headers())).json()
    assert [t["title"] for t in trending][:2] == ["Hit", "Flop"]


async def test_markup_in_titles_is_plain_text(capi: httpx.AsyncClient, catalog: Catalog) -> None:
    hostile = '<img src=x onerror="alert(1)"> Night'
    await catalog.title(hostile)
    response = await capi.get(CONTENT, headers=catalog.headers())
    assert response.headers["content-type"] == "application/json"
    assert response.json()["items"][0]["title"] == hostile
