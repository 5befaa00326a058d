"""The two ways a listing can be answered (walking the sort index, or finding the few matching
titles first: facets.py) give the same pages, and the facet counts choose between them."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from ott.catalog import service
from ott.catalog.facets import NARROW_AT_MOST, FacetCounts, _Cell
from ott.catalog.schemas import ContentFilters
from ott.catalog.visibility import Viewer
from ott.core.app_context import AppContext
from ott.core.locale import Language
from ott.core.maturity import MaturityRating
from ott.core.tiers import SubscriptionTier
from tests.catalog.conftest import Catalog

GENRES = ["drama", "comedy", "sports", "horror"]


class _Always(FacetCounts):
    """Facet counts that always say `narrow` (the walk is asked with facets=None)."""

    def narrow(self, filters: ContentFilters) -> bool:
        return True


async def _walk(
    resources: AppContext, viewer: Viewer, facets: FacetCounts | None, **filters: Any
) -> list[str]:
    ids: list[str] = []
    cursor = None
    while True:
        page_filters = ContentFilters(limit=3, cursor=cursor, **filters)
        async with resources.sessionmaker() as db:
            page = json.loads(
                await service.list_content(
                    db=db, viewer=viewer, filters=page_filters, facets=facets
                )
            )
        ids += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


@pytest.fixture
async def shelf(catalog: Catalog) -> Catalog:
    kinds = itertools.cycle(["movie", "tv_show", "sports"])
    for number in range(14):
        await catalog.title(
            f"Title {number:02}",
            type=next(kinds),
            original_language="hi" if number % 4 == 0 else "en",
            genres=[GENRES[number % 4], GENRES[(number + 1) % 4]],
            release_date=None if number % 5 == 0 else date(2000 + number % 4, 1 + number % 12, 1),
            popularity=float(number % 6),
        )
    return catalog


@pytest.mark.parametrize("sort", ["newest", "title", "popularity"])
async def test_both_plans_give_the_same_pages(
    resources: AppContext, shelf: Catalog, sort: str
) -> None:
    viewer = Viewer(
        shelf.country, MaturityRating.R, SubscriptionTier.FREE, Language.EN, datetime.now(UTC)
    )
    combos: list[dict[str, Any]] = [
        {"genre": "drama"},
        {"genre": "sports", "type": "movie"},
        {"type": "tv_show", "language": "hi"},
        {"genre": "horror", "year_from": 2001, "year_to": 2002},
        {"genre": "comedy", "type": "sports", "language": "en"},
        {"type": "movie", "year": 2003},
        {"genre": "kids"},  # nothing
    ]
    for filters in combos:
        walked = await _walk(resources, viewer, None, sort=sort, **filters)
        narrowed = await _walk(resources, viewer, _Always(), sort=sort, **filters)
        assert walked == narrowed, filters
        if filters != {"genre": "kids"}:
            assert walked, filters


async def test_facet_counts_choose_the_plan(resources: AppContext, shelf: Catalog) -> None:
    facets = FacetCounts(min_interval=0)
    assert not facets.narrow(ContentFilters(genre="drama"))  # not loaded yet: walk
    async with resources.sessionmaker() as db:
        await facets.refresh(db, "1")
    assert facets.narrow(ContentFilters(genre="drama"))  # a small test catalog
    assert facets.narrow(ContentFilters(year=2001))
    assert not facets.narrow(ContentFilters())  # no filter: walk
    assert facets._cells is not None
    # Many English PG dramas released in the 2000s, on top of the test catalog's few.
    facets._cells["drama"].append(_Cell("movie", "en", 1, "free", 200, NARROW_AT_MOST + 1))
    assert not facets.narrow(ContentFilters(genre="drama"))
    assert not facets.narrow(ContentFilters(genre="drama", type="movie"))
    assert facets.narrow(ContentFilters(genre="drama", type="sports"))
    assert facets.narrow(ContentFilters(genre="drama", maturity="G"))  # level 0: few
    assert facets.narrow(ContentFilters(genre="drama", tier="premium"))
    assert not facets.narrow(ContentFilters(genre="drama", year_from=2005))
    assert not facets.narrow(ContentFilters(genre="drama", year=2009))
    assert facets.narrow(ContentFilters(genre="drama", year_to=1999))  # before that decade
    assert facets.narrow(ContentFilters(genre="drama", year_from=2010))  # after it
