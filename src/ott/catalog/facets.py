"""How many listed titles each combination of type, original language and genre has.

A listing walks the index of its sort order and checks each title against the filters until
the page is full: the cheapest plan when the filters match many titles, and a walk over the
whole catalog when they match few or none ("fantasy" sports). PostgreSQL cannot tell the two
apart, as it takes the filters for independent; these exact counts can. When the filters leave
few titles, the listing finds them first from the filter indexes and sorts only those
(`statements.listing(..., narrow=True)`).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ott.catalog.derived import MIN_INTERVAL_SECONDS, DerivedFromCatalog
from ott.catalog.models import Content, Genre, content_genres
from ott.catalog.schemas import ContentFilters
from ott.catalog.visibility import LISTED

# Up to this many candidates, finding and sorting them beats walking the sort index.
NARROW_AT_MOST = 500

_BY_TYPE_AND_LANGUAGE = (
    select(Content.type, Content.original_language, func.count())
    .where(LISTED)
    .group_by(Content.type, Content.original_language)
)
_BY_GENRE = (
    select(Content.type, Content.original_language, Genre.slug, func.count())
    .join(content_genres, content_genres.c.content_id == Content.id)
    .join(Genre, Genre.id == content_genres.c.genre_id)
    .where(LISTED)
    .group_by(Content.type, Content.original_language, Genre.slug)
)

_Key = tuple[str, str, str | None]


class FacetCounts(DerivedFromCatalog):
    def __init__(self, min_interval: float = MIN_INTERVAL_SECONDS) -> None:
        super().__init__(min_interval)
        self._counts: dict[_Key, int] | None = None

    async def load(self, db: AsyncSession) -> None:
        counts: dict[_Key, int] = {}
        for kind, language, count in await db.execute(_BY_TYPE_AND_LANGUAGE):
            counts[(kind.value, language.value, None)] = count
        for kind, language, genre, count in await db.execute(_BY_GENRE):
            counts[(kind.value, language.value, genre)] = count
        self._counts = counts

    def narrow(self, filters: ContentFilters) -> bool:
        """Whether the type, language and genre filters leave at most NARROW_AT_MOST titles
        (False when the counts are not known yet or no such filter is given)."""
        if self._counts is None or not (filters.type or filters.language or filters.genre):
            return False
        total = sum(
            count
            for (kind, language, genre), count in self._counts.items()
            if genre == filters.genre
            and (filters.type is None or kind == filters.type.value)
            and (filters.language is None or language == filters.language.value)
        )
        return total <= NARROW_AT_MOST
