"""How many listed titles each combination of type, original language, genre, maturity level
and tier has.

A listing walks the index of its sort order and checks each title against the filters until
the page is full: the cheapest plan when the filters match many titles, and a walk over the
whole catalog when they match few or none ("fantasy" sports). PostgreSQL cannot tell the two
apart, as it takes the filters for independent; these exact counts can. When the filters leave
few titles, the listing finds them first from the filter indexes and sorts only those
(`statements.listing(..., narrow=True)`).
"""

from __future__ import annotations

from sqlalchemy import func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from ott.catalog.derived import MIN_INTERVAL_SECONDS, DerivedFromCatalog
from ott.catalog.models import Content
from ott.catalog.schemas import ContentFilters
from ott.catalog.visibility import LISTED

# Up to this many candidates, finding and sorting them beats walking the sort index.
NARROW_AT_MOST = 500

_DIMENSIONS = (
    Content.type,
    Content.original_language,
    Content.maturity_level,
    Content.tier_requirement,
)
_ALL_GENRES = select(*_DIMENSIONS, func.count()).where(LISTED).group_by(*_DIMENSIONS)
_BY_GENRE = (
    select(*_DIMENSIONS, func.unnest(Content.genre_slugs).label("genre"), func.count())
    .where(LISTED)
    .group_by(*_DIMENSIONS, literal_column("genre"))
)

# (type, original language, maturity level, tier, genre or None for "any genre")
_Key = tuple[str, str, int, str, str | None]


class FacetCounts(DerivedFromCatalog):
    def __init__(self, min_interval: float = MIN_INTERVAL_SECONDS) -> None:
        super().__init__(min_interval)
        self._counts: dict[_Key, int] | None = None

    async def load(self, db: AsyncSession) -> None:
        counts: dict[_Key, int] = {}
        for kind, language, level, tier, count in await db.execute(_ALL_GENRES):
            counts[(kind.value, language.value, level, tier.value, None)] = count
        for kind, language, level, tier, genre, count in await db.execute(_BY_GENRE):
            counts[(kind.value, language.value, level, tier.value, genre)] = count
        self._counts = counts

    def narrow(self, filters: ContentFilters) -> bool:
        """Whether the type, language, genre, maturity and tier filters leave at most
        NARROW_AT_MOST titles (False when the counts are not known yet or none of those
        filters is given)."""
        given = (filters.type, filters.language, filters.genre, filters.maturity, filters.tier)
        if self._counts is None or not any(given):
            return False
        max_level = filters.maturity.level if filters.maturity else None
        total = sum(
            count
            for (kind, language, level, tier, genre), count in self._counts.items()
            if genre == filters.genre
            and (filters.type is None or kind == filters.type.value)
            and (filters.language is None or language == filters.language.value)
            and (max_level is None or level <= max_level)
            and (filters.tier is None or tier == filters.tier.value)
        )
        return total <= NARROW_AT_MOST
