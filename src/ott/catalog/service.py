"""Reading the catalog: listings, details, seasons, episodes, genres, trending and search.

Every query goes through `visible_to(viewer)`; nothing here decides visibility by itself.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    cast,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from ott.catalog import rendering
from ott.catalog.models import Content, Episode, Genre, Season, content_genres
from ott.catalog.rendering import JsonText, localized
from ott.catalog.schemas import (
    ContentFilters,
    EpisodeOut,
    GenreOut,
    SearchQuery,
    SortOrder,
)
from ott.catalog.spelling import Vocabulary
from ott.catalog.visibility import Viewer, listed, visible_to
from ott.core.errors import NotFound, ValidationFailed

# Must match the expression of the ix_content_live_newest index exactly.
RELEASE_SORT_KEY = func.coalesce(Content.release_date, literal_column("DATE '0001-01-01'"))
_SEARCH_TOKEN = re.compile(r"[\w\u0900-\u097F]+")
_MAX_SEARCH_TOKENS = 10
TRENDING_SIZE = 20


@dataclass(frozen=True)
class _Sort:
    key: Any
    descending: bool

    def order_by(self) -> list[Any]:
        if self.descending:
            return [self.key.desc(), Content.id.desc()]
        return [self.key.asc(), Content.id.asc()]

    def after(self, key: Any, content_id: uuid.UUID) -> ColumnElement[bool]:
        position = tuple_(self.key, Content.id)
        # A date goes as text: asyncpg sends date.min (the key of undated titles) as -infinity.
        bound = cast(literal(key.isoformat()), Date) if isinstance(key, date) else literal(key)
        boundary = tuple_(bound, literal(content_id))
        return position < boundary if self.descending else position > boundary


_SORTS = {
    SortOrder.NEWEST: _Sort(RELEASE_SORT_KEY, descending=True),
    SortOrder.TITLE: _Sort(Content.sort_title, descending=False),
    SortOrder.POPULARITY: _Sort(Content.popularity, descending=True),
}


def _sort_value(row: Row[Any], sort: SortOrder) -> Any:
    if sort is SortOrder.NEWEST:
        return (row.release_date or date(1, 1, 1)).isoformat()
    if sort is SortOrder.TITLE:
        return row.sort_title
    return row.popularity


def encode_cursor(row: Row[Any], sort: SortOrder) -> str:
    raw = json.dumps({"s": sort.value, "k": _sort_value(row, sort), "i": str(row.id)})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: SortOrder) -> tuple[Any, uuid.UUID]:
    invalid = ValidationFailed(
        "The cursor is not valid for this listing",
        code="invalid_cursor",
        details=[{"field": "cursor", "message": "use next_cursor from the previous page"}],
    )
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if data["s"] != sort.value:
            raise invalid
        content_id = uuid.UUID(data["i"])
        key = data["k"]
        if sort is SortOrder.NEWEST:
            key = date.fromisoformat(key)
        elif sort is SortOrder.POPULARITY:
            key = float(key)
        elif not isinstance(key, str):
            raise invalid
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise invalid from exc
    return key, content_id


def _visible_titles(viewer: Viewer, document: ColumnElement[Any]) -> Select[Any]:
    """Visible titles as rows of (their JSON `document`, id, sort keys of the cursor)."""
    return select(
        rendering.as_text(document).label("document"),
        Content.id,
        Content.release_date,
        Content.sort_title,
        Content.popularity,
    ).where(visible_to(viewer))


def _filtered(statement: Select[Any], filters: ContentFilters) -> Select[Any]:
    if filters.type:
        statement = statement.where(Content.type == filters.type)
    if filters.language:
        statement = statement.where(Content.original_language == filters.language)
    if filters.tier:
        statement = statement.where(Content.tier_requirement == filters.tier)
    if filters.maturity:
        statement = statement.where(Content.maturity_level <= filters.maturity.level)
    first_year = filters.year or filters.year_from
    last_year = filters.year or filters.year_to
    if first_year:
        statement = statement.where(Content.release_date >= date(first_year, 1, 1))
    if last_year:
        statement = statement.where(Content.release_date < date(last_year + 1, 1, 1))
    if filters.genre:
        statement = statement.where(
            exists(
                select(content_genres.c.content_id)
                .join(Genre, Genre.id == content_genres.c.genre_id)
                .where(content_genres.c.content_id == Content.id, Genre.slug == filters.genre)
            )
        )
    return statement


async def list_content(*, db: AsyncSession, viewer: Viewer, filters: ContentFilters) -> JsonText:
    """A `ContentPage`."""
    sort = _SORTS[filters.sort]
    statement = _visible_titles(viewer, rendering.summary(viewer)).where(listed())
    statement = _filtered(statement, filters)
    if filters.cursor:
        statement = statement.where(sort.after(*decode_cursor(filters.cursor, filters.sort)))
    statement = statement.order_by(*sort.order_by()).limit(filters.limit + 1)
    rows = (await db.execute(statement)).all()
    page = rows[: filters.limit]
    next_cursor = (
        encode_cursor(page[-1], filters.sort) if len(rows) > filters.limit and page else None
    )
    items = rendering.json_list([row.document for row in page])
    return JsonText(f'{{"items":{items},"next_cursor":{json.dumps(next_cursor)}}}')


async def trending(*, db: AsyncSession, viewer: Viewer) -> JsonText:
    """A list of `ContentSummary`."""
    statement = (
        _visible_titles(viewer, rendering.summary(viewer))
        .where(listed())
        .order_by(*_SORTS[SortOrder.POPULARITY].order_by())
        .limit(TRENDING_SIZE)
    )
    documents = await db.scalars(statement)
    return JsonText(rendering.json_list(list(documents)))


async def _visible_or_404(db: AsyncSession, viewer: Viewer, content_id: uuid.UUID) -> None:
    visible = select(Content.id).where(Content.id == content_id, visible_to(viewer))
    if await db.scalar(visible) is None:
        raise NotFound("No such title")


async def list_seasons(*, db: AsyncSession, viewer: Viewer, content_id: uuid.UUID) -> JsonText:
    """A list of `SeasonOut`."""
    statement = select(rendering.as_text(rendering.seasons(viewer.language))).where(
        Content.id == content_id, visible_to(viewer)
    )
    document = await db.scalar(statement)
    if document is None:
        raise NotFound("No such title")
    return JsonText(document)


async def get_detail(*, db: AsyncSession, viewer: Viewer, content_id: uuid.UUID) -> JsonText:
    """A `ContentDetail`."""
    statement = _visible_titles(viewer, rendering.detail(viewer)).where(Content.id == content_id)
    document = await db.scalar(statement)
    if document is None:
        raise NotFound("No such title")
    return JsonText(document)


async def list_episodes(
    *, db: AsyncSession, viewer: Viewer, season_id: uuid.UUID
) -> list[EpisodeOut]:
    visible_season = (
        select(Season.id)
        .join(Content, Content.id == Season.content_id)
        .where(Season.id == season_id, visible_to(viewer))
    )
    if (await db.scalar(visible_season)) is None:
        raise NotFound("No such season")
    episodes = await db.scalars(
        select(Episode).where(Episode.season_id == season_id).order_by(Episode.episode_number)
    )
    return [
        EpisodeOut(
            id=e.id,
            episode_number=e.episode_number,
            title=localized(e.title, e.title_hi, viewer.language) or e.title,
            description=localized(e.description, e.description_hi, viewer.language),
            duration_minutes=e.duration_minutes,
            thumbnail_url=e.thumbnail_url,
        )
        for e in episodes
    ]


async def list_genres(*, db: AsyncSession, viewer: Viewer) -> list[GenreOut]:
    genres = await db.scalars(select(Genre).order_by(Genre.name))
    return [
        GenreOut(slug=g.slug, name=localized(g.name, g.name_hi, viewer.language) or g.name)
        for g in genres
    ]


def _prefix_query(text_query: str, vocabulary: Vocabulary | None) -> str | None:
    tokens = _SEARCH_TOKEN.findall(text_query.casefold())[:_MAX_SEARCH_TOKENS]
    if vocabulary is not None:
        tokens = [vocabulary.correct(token) for token in tokens]
    return " & ".join(f"{token}:*" for token in tokens) or None


async def search(
    *,
    db: AsyncSession,
    viewer: Viewer,
    query: SearchQuery,
    trigram: bool,
    vocabulary: Vocabulary | None = None,
) -> JsonText:
    """`SearchResults`."""
    """Search in three tiers, each asked only while the page is not full, each from its index:
    1. titles (English or Hindi) containing every word as typed (prefixes), most popular first;
    2. titles whose people, genres or descriptions match, ranked by relevance;
    3. near-miss spellings of titles: pg_trgm where the database has it (`trigram`); otherwise
       the query words were already corrected from the `vocabulary`."""
    typo_tolerant = trigram or vocabulary is not None
    prefix = _prefix_query(query.q, None if trigram else vocabulary)
    if prefix is None:
        return _search_results(query.q, [], typo_tolerant)
    ts_query = func.to_tsquery(literal_column("'simple'::regconfig"), prefix)
    in_title = Content.title_search.bool_op("@@")(ts_query)
    tiers: list[tuple[ColumnElement[bool], list[Any]]] = [
        (in_title, [Content.popularity.desc()]),
        (
            Content.search_vector.bool_op("@@")(ts_query) & ~in_title,
            [func.ts_rank_cd(Content.search_vector, ts_query).desc(), Content.popularity.desc()],
        ),
    ]
    if trigram:
        phrase = literal(query.q.casefold())
        similarity = func.greatest(
            func.word_similarity(phrase, Content.title),
            func.coalesce(func.word_similarity(phrase, Content.title_hi), 0),
        )
        # Plain columns (no coalesce) so each side of the OR can use its trigram index.
        near_miss = or_(phrase.bool_op("<%")(Content.title), phrase.bool_op("<%")(Content.title_hi))
        tiers.append((near_miss, [similarity.desc(), Content.popularity.desc()]))
    found: list[Row[Any]] = []
    document = rendering.summary(viewer)
    for condition, order in tiers:
        wanted = query.limit - len(found)
        if wanted <= 0:
            break
        statement = _visible_titles(viewer, document).where(condition)
        if query.type:
            statement = statement.where(Content.type == query.type)
        if found:
            statement = statement.where(Content.id.not_in([row.id for row in found]))
        found += (await db.execute(statement.order_by(*order).limit(wanted))).all()
    return _search_results(query.q, [row.document for row in found], typo_tolerant)


def _search_results(query: str, documents: list[str], typo_tolerant: bool) -> JsonText:
    items = rendering.json_list(documents)
    return JsonText(
        f'{{"query":{json.dumps(query)},"items":{items},"typo_tolerant":{json.dumps(typo_tolerant)}}}'
    )


async def has_trigram_search(db: AsyncSession) -> bool:
    """Whether the database has pg_trgm (PostgreSQL's contrib), for typo-tolerant search."""
    found = await db.scalar(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"))
    return found is not None
