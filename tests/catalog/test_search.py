"""Search: ranked full text, prefixes as you type, typos, Hindi, people and genres."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from ott.catalog.cache import CatalogCache
from ott.core.app_context import AppContext
from ott.core.event_types import ContentPublished
from tests.catalog.conftest import COUNTRIES, Catalog
from tests.conftest import assert_error

SEARCH = "/api/catalog/search"


async def _found(capi: httpx.AsyncClient, catalog: Catalog, q: str) -> list[str]:
    response = await capi.get(SEARCH, params={"q": q}, headers=catalog.headers())
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


@pytest.fixture
async def shelf(catalog: Catalog) -> Catalog:
    await catalog.title("The Dark Knight", people=["Kavya Iyer"], genres=["action"])
    await catalog.title("Darkness Falls", genres=["horror"], description="A town loses the sun.")
    await catalog.title("Knightfall Chronicles", genres=["fantasy"])
    await catalog.title(
        "Monsoon Wedding Bells",
        title_hi="मानसून की शादी",
        description_hi="बारिश में एक शादी।",
        genres=["romance"],
    )
    await catalog.title("Quiet Harbour", description="A story about a dark secret.")
    return catalog


async def test_typo_is_forgiven(capi: httpx.AsyncClient, shelf: Catalog) -> None:
    found = await _found(capi, shelf, "dark knigt")
    assert found[0] == "The Dark Knight"


async def test_prefixes_as_you_type(capi: httpx.AsyncClient, shelf: Catalog) -> None:
    assert "Darkness Falls" in await _found(capi, shelf, "darkn")
    assert (await _found(capi, shelf, "monso"))[0] == "Monsoon Wedding Bells"


async def test_titles_rank_above_descriptions(capi: httpx.AsyncClient, shelf: Catalog) -> None:
    found = await _found(capi, shelf, "dark")
    assert found.index("The Dark Knight") < found.index("Quiet Harbour")


async def test_hindi_search(capi: httpx.AsyncClient, shelf: Catalog) -> None:
    assert await _found(capi, shelf, "मानसून") == ["Monsoon Wedding Bells"]
    assert await _found(capi, shelf, "शादी") == ["Monsoon Wedding Bells"]


async def test_people_and_genres(capi: httpx.AsyncClient, shelf: Catalog) -> None:
    assert await _found(capi, shelf, "kavya iyer") == ["The Dark Knight"]
    assert await _found(capi, shelf, "horror") == ["Darkness Falls"]


async def test_nothing_found_and_punctuation_only(capi: httpx.AsyncClient, shelf: Catalog) -> None:
    assert await _found(capi, shelf, "zzzzqqq") == []
    assert await _found(capi, shelf, "'; --") == []


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "x" * 201}, {"q": "a", "limit": 500}])
async def test_bad_search_requests(
    capi: httpx.AsyncClient, catalog: Catalog, params: dict[str, object]
) -> None:
    assert_error(await capi.get(SEARCH, params=params, headers=catalog.headers()), 422)


@pytest.mark.parametrize("q", ["dark\x00knight", "\x00", "dark\x1bknight", "a\x85b", "a\tb"])
async def test_control_characters_in_a_search_are_a_validation_error(
    capi: httpx.AsyncClient, catalog: Catalog, q: str
) -> None:
    """PostgreSQL cannot take a NUL (it was a 500); no search has a use for the others."""
    response = await capi.get(SEARCH, params={"q": q}, headers=catalog.headers())
    error = assert_error(response, 422, "validation_error")
    assert error["details"][0]["field"] == "query.q"


async def test_hidden_titles_are_never_found(capi: httpx.AsyncClient, catalog: Catalog) -> None:
    await catalog.title("Secret Draft Zephyr", workflow_state="draft")
    await catalog.title("Elsewhere Zephyr", rules=[{"allowed_countries": [next(COUNTRIES)]}])
    await catalog.title("Visible Zephyr")
    assert await _found(capi, catalog, "zephyr") == ["Visible Zephyr"]


async def test_a_content_event_drops_cached_answers_within_a_second(
    capi: httpx.AsyncClient, catalog: Catalog, resources: AppContext
) -> None:
    await catalog.title("Cached Comet")
    assert await _found(capi, catalog, "comet") == ["Cached Comet"]
    await catalog.title("Second Comet", popularity=0)
    # Without an event the cached answer stands (this is what the cache is for)...
    assert await _found(capi, catalog, "comet") == ["Cached Comet"]
    # ...and the CMS's content event ends it.
    await resources.events.publish(
        ContentPublished(content_id=uuid.uuid4(), workflow_state="published", version=1)
    )
    deadline = asyncio.get_running_loop().time() + 1.0
    while asyncio.get_running_loop().time() < deadline:
        if len(await _found(capi, catalog, "comet")) == 2:
            break
        await asyncio.sleep(0.05)
    assert set(await _found(capi, catalog, "comet")) == {"Cached Comet", "Second Comet"}


async def test_the_cache_degrades_to_direct_answers_without_redis(
    catalog: Catalog, resources: AppContext
) -> None:
    import redis.asyncio

    broken = redis.asyncio.Redis.from_url("redis://127.0.0.1:1/0")
    cache = CatalogCache(broken, resources.keys, ttl_seconds=10)

    async def build(generation: str | None) -> list[int]:
        assert generation is None  # Redis cannot say
        return [1, 2, 3]

    assert await cache.answer("scope", build) == "[1,2,3]"
    await broken.aclose()


async def test_without_pg_trgm_near_misses_are_corrected_from_the_vocabulary(
    shelf: Catalog, resources: AppContext
) -> None:
    from datetime import UTC, datetime

    from ott.catalog import service
    from ott.catalog.schemas import SearchQuery, SearchResults
    from ott.catalog.spelling import Vocabulary
    from ott.catalog.visibility import Viewer
    from ott.core.locale import Language
    from ott.core.maturity import MaturityRating
    from ott.core.tiers import SubscriptionTier

    viewer = Viewer(
        country=shelf.country,
        max_rating=MaturityRating.PG_13,
        tier=SubscriptionTier.FREE,
        language=Language.EN,
        now=datetime.now(UTC),
    )
    vocabulary = Vocabulary()
    async with resources.sessionmaker() as db:
        await vocabulary.refresh(db, "test")
        plain = await service.search(
            db=db, viewer=viewer, query=SearchQuery(q="dark knigt"), trigram=False
        )
        corrected = await service.search(
            db=db,
            viewer=viewer,
            query=SearchQuery(q="dark knigt"),
            trigram=False,
            vocabulary=vocabulary,
        )
    assert SearchResults.model_validate_json(plain).items == []
    found = SearchResults.model_validate_json(corrected)
    assert found.typo_tolerant
    assert [item.title for item in found.items] == ["The Dark Knight"]
    assert vocabulary.correct("knig") == "knig"  # a prefix being typed is left alone
    assert vocabulary.correct("monsooon") == "monsoon"
