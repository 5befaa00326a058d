"""The catalog's read statements, built once per shape and executed with bind parameters.

Building a statement of this size and computing its SQLAlchemy cache key cost about a
millisecond of CPU, on every request. The statements here are built once per shape (the
viewer's language and plan, the sort, whether a cursor is given; for search, the tier and
whether a type is given) and kept; a request only supplies values: `Viewer.params` plus the
parameters named here. They rely on custom plans (`DB_PLAN_CACHE_MODE`, see `_optional`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Date,
    Float,
    Integer,
    Select,
    SmallInteger,
    String,
    Uuid,
    and_,
    any_,
    bindparam,
    cast,
    func,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.engine import Row

from ott.catalog import rendering
from ott.catalog.schemas import SortOrder
from ott.catalog.visibility import LISTED, VISIBLE
from ott.content.models import Content, Season
from ott.core.locale import Language

# Must match the expression of the ix_content_live_newest index exactly.
RELEASE_SORT_KEY = func.coalesce(Content.release_date, literal_column("DATE '0001-01-01'"))

PAGE_SIZE = bindparam("page_size", type_=Integer)
CONTENT_ID = bindparam("content_id", type_=Uuid)
SEASON_ID = bindparam("season_id", type_=Uuid)


def _optional(parameter: BindParameter[Any], condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """`condition`, unless the parameter is NULL (the filter is not given).

    Every listing statement carries every filter this way, so there is one statement per sort
    order instead of one per combination of filters: prepared once per connection and reused.
    Plans stay as good as with the filter left out or written in: the connections use custom
    plans (DB_PLAN_CACHE_MODE), and PostgreSQL folds `NULL IS NULL OR ...` away while planning
    with the parameters' values."""
    return or_(parameter.is_(None), condition)


def _parameter(column: Any) -> BindParameter[Any]:
    """A parameter named and typed like the column."""
    return bindparam(column.key, type_=column.type)


_TYPE = _parameter(Content.type)
_LANGUAGE = _parameter(Content.original_language)
_TIER = _parameter(Content.tier_requirement)
_MATURITY = bindparam("maturity", type_=SmallInteger)
_RELEASED_FROM = bindparam("released_from", type_=Date)
_RELEASED_BEFORE = bindparam("released_before", type_=Date)
_GENRE = bindparam("genre", type_=String)

# Listing filters: the name of each parameter -> its condition.
LISTING_FILTERS: dict[str, ColumnElement[bool]] = {
    parameter.key: _optional(parameter, condition)
    for parameter, condition in (
        (_TYPE, Content.type == _TYPE),
        (_LANGUAGE, Content.original_language == _LANGUAGE),
        (_TIER, Content.tier_requirement == _TIER),
        (_MATURITY, Content.maturity_level <= _MATURITY),
        # On the newest index's own expression too, so a newest listing starts and stops its
        # walk at the years asked for (undated titles sort as 0001-01-01 and never match).
        (_RELEASED_FROM, _RELEASED_FROM <= RELEASE_SORT_KEY),
        (
            _RELEASED_BEFORE,
            and_(Content.release_date < _RELEASED_BEFORE, _RELEASED_BEFORE > RELEASE_SORT_KEY),
        ),
        # Checked title by title while walking the sort index: a form the GIN index cannot
        # serve, so a walk is never mistaken for a bitmap-and-sort of a big genre.
        # `_GENRE_INDEXED` is the form for finding few titles first.
        (_GENRE, any_(Content.genre_slugs) == _GENRE),
    )
}
_GENRE_INDEXED = _optional(
    _GENRE, Content.genre_slugs.bool_op("@>")(cast(array([_GENRE]), Content.genre_slugs.type))
)


@dataclass(frozen=True)
class Sort:
    key: Any
    descending: bool
    # The cursor's key travels as text (then cast): asyncpg would send date.min, the key of
    # undated titles, as -infinity.
    cursor_type: Any

    def order_by(self) -> list[Any]:
        if self.descending:
            return [self.key.desc(), Content.id.desc()]
        return [self.key.asc(), Content.id.asc()]

    def after_cursor(self) -> ColumnElement[bool]:
        """Past the `cursor_key` and `cursor_id` parameters, in this order."""
        position = tuple_(self.key, Content.id)
        key = cast(bindparam("cursor_key", type_=String), self.cursor_type)
        boundary = tuple_(key, bindparam("cursor_id", type_=Uuid))
        return position < boundary if self.descending else position > boundary


SORTS = {
    SortOrder.NEWEST: Sort(RELEASE_SORT_KEY, descending=True, cursor_type=Date),
    SortOrder.TITLE: Sort(Content.sort_title, descending=False, cursor_type=String),
    SortOrder.POPULARITY: Sort(Content.popularity, descending=True, cursor_type=Float),
}


# (a title's JSON document, its id, the sort keys of a cursor)
TitleRows = Select[str, uuid.UUID, date | None, str, float]
TitleRow = Row[str, uuid.UUID, date | None, str, float]


def _titles(document: ColumnElement[Any]) -> TitleRows:
    """Rows of (a title's JSON `document`, its id, the sort keys of a cursor)."""
    return select(
        rendering.as_text(document).label("document"),
        Content.id,
        Content.release_date,
        Content.sort_title,
        Content.popularity,
    )


def _visible_titles(document: ColumnElement[Any]) -> TitleRows:
    return _titles(document).where(VISIBLE)


@lru_cache(maxsize=64)
def listing(
    language: Language, premium: bool, sort: SortOrder, after: bool, narrow: bool = False
) -> TitleRows:
    """A page of titles: `page_size` rows, filtered by the parameters of LISTING_FILTERS
    (NULL for a filter not given).

    By default PostgreSQL walks the sort order's index, checking titles until the page is full.
    `narrow` (the filters leave few titles, see facets.py) finds the matching titles first,
    in a materialised CTE PostgreSQL cannot fold back into that walk, and sorts only them."""
    order = SORTS[sort]
    conditions = [LISTED, *LISTING_FILTERS.values()]
    if after:
        conditions.append(order.after_cursor())
    document = rendering.summary(language, premium)
    if not narrow:
        statement = _visible_titles(document).where(*conditions)
        return statement.order_by(*order.order_by()).limit(PAGE_SIZE)
    conditions.append(_GENRE_INDEXED)
    candidates = (
        select(Content.id.label("id"), order.key.label("sort_key"))
        .where(VISIBLE, *conditions)
        .cte("candidates")
        .prefix_with("MATERIALIZED")
    )
    keys = [candidates.c.sort_key, candidates.c.id]
    return (
        _titles(document)
        .select_from(candidates)
        .join(Content, Content.id == candidates.c.id)
        .order_by(*(key.desc() if order.descending else key.asc() for key in keys))
        .limit(PAGE_SIZE)
    )


@lru_cache(maxsize=8)
def trending(language: Language, premium: bool) -> TitleRows:
    return (
        _visible_titles(rendering.summary(language, premium))
        .where(LISTED)
        .order_by(*SORTS[SortOrder.POPULARITY].order_by())
        .limit(PAGE_SIZE)
    )


@lru_cache(maxsize=8)
def detail(language: Language, premium: bool) -> TitleRows:
    return _visible_titles(rendering.detail(language, premium)).where(Content.id == CONTENT_ID)


@lru_cache(maxsize=8)
def seasons(language: Language) -> Select[Any]:
    document = rendering.as_text(rendering.seasons(language))
    return select(document).where(Content.id == CONTENT_ID, VISIBLE)


@lru_cache(maxsize=8)
def episodes(language: Language) -> Select[Any]:
    """A visible season's episodes (no row: no such season, or its title is not visible)."""
    document = rendering.as_text(rendering.episodes(language))
    return (
        select(document)
        .select_from(Season)
        .join(Content, Content.id == Season.content_id)
        .where(Season.id == SEASON_ID, VISIBLE)
    )


# Search: each tier reads its own index (see service.search).
_PREFIXES = func.to_tsquery(
    literal_column("'simple'::regconfig"), bindparam("prefixes", type_=String)
)
_PHRASE = bindparam("phrase", type_=String)
_IN_TITLE = Content.title_search.bool_op("@@")(_PREFIXES)
_SEARCH_TIERS: dict[str, tuple[ColumnElement[bool], list[Any]]] = {
    "title": (_IN_TITLE, [Content.popularity.desc()]),
    "anywhere": (
        Content.search_vector.bool_op("@@")(_PREFIXES) & ~_IN_TITLE,
        [func.ts_rank_cd(Content.search_vector, _PREFIXES).desc(), Content.popularity.desc()],
    ),
    # Plain columns (no coalesce) so each side of the OR can use its trigram index.
    "near_miss": (
        or_(_PHRASE.bool_op("<%")(Content.title), _PHRASE.bool_op("<%")(Content.title_hi)),
        [
            func.greatest(
                func.word_similarity(_PHRASE, Content.title),
                func.coalesce(func.word_similarity(_PHRASE, Content.title_hi), 0),
            ).desc(),
            Content.popularity.desc(),
        ],
    ),
}


@lru_cache(maxsize=64)
def search(
    language: Language, premium: bool, tier: str, by_type: bool, excluding: bool
) -> TitleRows:
    """One tier of a search: parameters `prefixes` (a tsquery) or `phrase` (near_miss), `type`
    when `by_type`, the ids found by earlier tiers in `found` when `excluding`."""
    condition, order = _SEARCH_TIERS[tier]
    statement = _visible_titles(rendering.summary(language, premium)).where(condition)
    if by_type:
        statement = statement.where(LISTING_FILTERS["type"])
    if excluding:
        statement = statement.where(Content.id.not_in(bindparam("found", expanding=True)))
    return statement.order_by(*order).limit(PAGE_SIZE)
