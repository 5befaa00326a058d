"""Reading the catalog: listings, details, seasons, episodes, genres, trending and search.

Every query filters with `visibility.VISIBLE` and runs with `viewer.params`; nothing here
decides visibility by itself. The statements come ready-built from `statements.py`.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import date
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ott.catalog import statements
from ott.catalog.facets import FacetCounts
from ott.catalog.rendering import JsonText, json_list, localized
from ott.catalog.schemas import (
    ContentFilters,
    GenreOut,
    SearchQuery,
    SortOrder,
)
from ott.catalog.spelling import Vocabulary
from ott.catalog.statements import TitleRow
from ott.catalog.visibility import Viewer
from ott.content.models import Genre
from ott.core.cursors import InvalidCursor, decode_cursor, encode_cursor
from ott.core.errors import NotFound

_SEARCH_TOKEN = re.compile(r"[\w\u0900-\u097F]+")
_MAX_SEARCH_TOKENS = 10
TRENDING_SIZE = 20


def _sort_value(row: TitleRow, sort: SortOrder) -> Any:
    if sort is SortOrder.NEWEST:
        return (row.release_date or date(1, 1, 1)).isoformat()
    if sort is SortOrder.TITLE:
        return row.sort_title
    return row.popularity


_CURSOR_FIELDS = frozenset({"s", "k", "i"})


def listing_cursor(row: TitleRow, sort: SortOrder) -> str:
    return encode_cursor({"s": sort.value, "k": _sort_value(row, sort), "i": str(row.id)})


def listing_position(cursor: str, sort: SortOrder) -> tuple[str, uuid.UUID]:
    """The sort key (as text, see `statements.Sort`) and the id of the last title seen."""
    position = decode_cursor(cursor, fields=_CURSOR_FIELDS)
    if position["s"] != sort.value:
        raise InvalidCursor
    try:
        content_id = uuid.UUID(position["i"])
        key = position["k"]
        if sort is SortOrder.NEWEST:
            key = date.fromisoformat(key).isoformat()
        elif sort is SortOrder.POPULARITY:
            key = repr(float(key))
        elif not isinstance(key, str):
            raise InvalidCursor
    except (ValueError, TypeError, AttributeError) as exc:
        raise InvalidCursor from exc
    return key, content_id


def _listing_params(filters: ContentFilters) -> dict[str, Any]:
    """Every filter's value (None when not given), named as in `statements.LISTING_FILTERS`."""
    first_year = filters.year or filters.year_from
    last_year = filters.year or filters.year_to
    given = {
        "type": filters.type,
        "original_language": filters.language,
        "tier_requirement": filters.tier,
        "maturity": filters.maturity.level if filters.maturity else None,
        "released_from": date(first_year, 1, 1) if first_year else None,
        "released_before": date(last_year + 1, 1, 1) if last_year else None,
        "genre": filters.genre,
    }
    return given


async def list_content(
    *, db: AsyncSession, viewer: Viewer, filters: ContentFilters, facets: FacetCounts | None = None
) -> JsonText:
    """A `ContentPage`; `facets` choose the plan when the filters leave few titles."""
    params = _listing_params(filters) | viewer.params | {"page_size": filters.limit + 1}
    if filters.cursor is not None:
        params["cursor_key"], params["cursor_id"] = listing_position(filters.cursor, filters.sort)
    statement = statements.listing(
        viewer.language,
        viewer.premium,
        filters.sort,
        filters.cursor is not None,
        narrow=facets is not None and facets.narrow(filters),
    )
    rows = (await db.execute(statement, params)).all()
    page = rows[: filters.limit]
    next_cursor = (
        listing_cursor(page[-1], filters.sort) if len(rows) > filters.limit and page else None
    )
    items = json_list([row.document for row in page])
    return JsonText(f'{{"items":{items},"next_cursor":{json.dumps(next_cursor)}}}')


async def trending(*, db: AsyncSession, viewer: Viewer) -> JsonText:
    """A list of `ContentSummary`."""
    statement = statements.trending(viewer.language, viewer.premium)
    documents = await db.scalars(statement, viewer.params | {"page_size": TRENDING_SIZE})
    return JsonText(json_list(list(documents)))


async def list_seasons(*, db: AsyncSession, viewer: Viewer, content_id: uuid.UUID) -> JsonText:
    """A list of `SeasonOut`."""
    statement = statements.seasons(viewer.language)
    document = await db.scalar(statement, viewer.params | {"content_id": content_id})
    if document is None:
        raise NotFound("No such title")
    return JsonText(document)


async def get_detail(*, db: AsyncSession, viewer: Viewer, content_id: uuid.UUID) -> JsonText:
    """A `ContentDetail`."""
    statement = statements.detail(viewer.language, viewer.premium)
    document = await db.scalar(statement, viewer.params | {"content_id": content_id})
    if document is None:
        raise NotFound("No such title")
    return JsonText(document)


async def list_episodes(*, db: AsyncSession, viewer: Viewer, season_id: uuid.UUID) -> JsonText:
    """A list of `EpisodeOut`."""
    statement = statements.episodes(viewer.language)
    document = await db.scalar(statement, viewer.params | {"season_id": season_id})
    if document is None:
        raise NotFound("No such season")
    return JsonText(document)


async def list_genres(*, db: AsyncSession, viewer: Viewer) -> list[GenreOut]:
    genres = await db.scalars(select(Genre).order_by(Genre.name))
    return [
        GenreOut(slug=g.slug, name=localized(g.name, g.name_hi, viewer.language) or g.name)
        for g in genres
    ]


def _search_tokens(text_query: str) -> list[str]:
    return _SEARCH_TOKEN.findall(text_query.casefold())[:_MAX_SEARCH_TOKENS]


async def _search_tiers(
    db: AsyncSession,
    viewer: Viewer,
    query: SearchQuery,
    tiers: tuple[str, ...],
    params: dict[str, Any],
) -> list[TitleRow]:
    """Ask each tier while the page is not full, leaving out what earlier tiers found."""
    params = params | viewer.params
    if query.type:
        params["type"] = query.type
    found: list[TitleRow] = []
    for tier in tiers:
        wanted = query.limit - len(found)
        if wanted <= 0:
            break
        statement = statements.search(
            viewer.language, viewer.premium, tier, query.type is not None, bool(found)
        )
        tier_params = params | {"page_size": wanted, "found": [row.id for row in found]}
        found += (await db.execute(statement, tier_params)).all()
    return found


async def search(
    *,
    db: AsyncSession,
    viewer: Viewer,
    query: SearchQuery,
    trigram: bool,
    vocabulary: Vocabulary | None = None,
) -> JsonText:
    """`SearchResults`. Each step is asked only when the ones before found nothing:
    1. the words as typed, as prefixes: in titles (English or Hindi), most popular first, then
       in people, genres and descriptions, ranked by relevance (each from its own index);
    2. the same with misspelt words corrected from the `vocabulary`;
    3. near-miss spellings of whole titles with pg_trgm, where the database has it (`trigram`).
    """
    typo_tolerant = trigram or vocabulary is not None
    tokens = _search_tokens(query.q)
    if not tokens:
        return _search_results(query.q, [], typo_tolerant)
    words = ("title", "anywhere")
    found = await _search_tiers(db, viewer, query, words, {"prefixes": _prefixes(tokens)})
    if not found and vocabulary is not None:
        corrected = [vocabulary.correct(token) for token in tokens]
        if corrected != tokens:
            prefixes = _prefixes(corrected)
            found = await _search_tiers(db, viewer, query, words, {"prefixes": prefixes})
    if not found and trigram:
        phrase = {"phrase": query.q.casefold()}
        found = await _search_tiers(db, viewer, query, ("near_miss",), phrase)
    return _search_results(query.q, [row.document for row in found], typo_tolerant)


def _prefixes(tokens: list[str]) -> str:
    """A tsquery: every word, as a prefix."""
    return " & ".join(f"{token}:*" for token in tokens)


def _search_results(query: str, documents: list[str], typo_tolerant: bool) -> JsonText:
    items = json_list(documents)
    return JsonText(
        f'{{"query":{json.dumps(query)},"items":{items},"typo_tolerant":{json.dumps(typo_tolerant)}}}'
    )


async def has_trigram_search(db: AsyncSession) -> bool:
    """Whether the database has pg_trgm (PostgreSQL's contrib), for typo-tolerant search."""
    found = await db.scalar(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"))
    return found is not None
