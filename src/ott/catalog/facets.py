"""How many listed titles each combination of type, original language, genre, maturity level,
tier and release decade has.

A listing walks the index of its sort order and checks each title against the filters until
the page is full: the cheapest plan when the filters match many titles, and a walk over the
whole catalog when they match few or none ("fantasy" sports). PostgreSQL cannot tell the two
apart, as it takes the filters for independent; these exact counts can. When the filters leave
few titles, the listing finds them first from the filter indexes and sorts only those
(`statements.listing(..., narrow=True)`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, cast, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from ott.catalog.derived import MIN_INTERVAL_SECONDS, DerivedFromCatalog
from ott.catalog.schemas import ContentFilters
from ott.catalog.visibility import LISTED
from ott.content.models import Content

# Up to this many candidates, finding and sorting them beats walking the sort index.
NARROW_AT_MOST = 500

# Release years count by decade: an upper bound for any year range, which is all the choice
# needs (it never finds few titles where there are many).
_DECADE = cast(func.floor(func.extract("year", Content.release_date) / 10), Integer)
_DIMENSIONS = (
    Content.type,
    Content.original_language,
    Content.maturity_level,
    Content.tier_requirement,
    _DECADE.label("decade"),
)
_ALL_GENRES = select(*_DIMENSIONS, func.count()).where(LISTED).group_by(*_DIMENSIONS)
_BY_GENRE = (
    select(*_DIMENSIONS, func.unnest(Content.genre_slugs).label("genre"), func.count())
    .where(LISTED)
    .group_by(*_DIMENSIONS, literal_column("genre"))
)


@dataclass(frozen=True)
class _Cell:
    """How many listed titles have this type, language, maturity level, tier and decade."""

    kind: str
    language: str
    level: int
    tier: str
    decade: int | None  # None: no release date
    count: int


class FacetCounts(DerivedFromCatalog):
    def __init__(self, min_interval: float = MIN_INTERVAL_SECONDS) -> None:
        super().__init__(min_interval)
        # By genre (None: any genre), so a request reads only its genre's cells.
        self._cells: dict[str | None, list[_Cell]] | None = None

    async def load(self, db: AsyncSession) -> None:
        cells: dict[str | None, list[_Cell]] = {}
        for kind, language, level, tier, decade, count in await db.execute(_ALL_GENRES):
            cell = _Cell(kind.value, language.value, level, tier.value, decade, count)
            cells.setdefault(None, []).append(cell)
        for kind, language, level, tier, decade, genre, count in await db.execute(_BY_GENRE):
            cell = _Cell(kind.value, language.value, level, tier.value, decade, count)
            cells.setdefault(genre, []).append(cell)
        self._cells = cells

    def narrow(self, filters: ContentFilters) -> bool:
        """Whether the filters leave at most NARROW_AT_MOST titles, by these counts (False
        when they are not known yet, or no filter is given)."""
        first_year = filters.year or filters.year_from
        last_year = filters.year or filters.year_to
        given = (filters.type, filters.language, filters.genre, filters.maturity, filters.tier)
        if self._cells is None or not (any(given) or first_year or last_year):
            return False
        max_level = filters.maturity.level if filters.maturity else None
        dated = first_year is not None or last_year is not None
        first_decade = first_year // 10 if first_year else None
        last_decade = last_year // 10 if last_year else None
        total = sum(
            cell.count
            for cell in self._cells.get(filters.genre, ())
            if (filters.type is None or cell.kind == filters.type.value)
            and (filters.language is None or cell.language == filters.language.value)
            and (max_level is None or cell.level <= max_level)
            and (filters.tier is None or cell.tier == filters.tier.value)
            and not (dated and cell.decade is None)
            and (first_decade is None or (cell.decade or 0) >= first_decade)
            and (last_decade is None or (cell.decade or 0) <= last_decade)
        )
        return total <= NARROW_AT_MOST
