"""Derived fields of a title that make it findable: its sort key and its search document.

The CMS calls these whenever it writes a title, so the catalog's listings and search see the
change in the same transaction.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_LEADING_ARTICLE = re.compile(r"^(the|a|an)\s+", re.IGNORECASE)

# Weights: titles (A) rank above people and genres (B), above descriptions (C). The 'simple'
# configuration keeps words as written, which serves Hindi (Devanagari) and prefix search.
_REINDEX = text(
    """
    UPDATE content AS c SET
      title_search = to_tsvector('simple',
          coalesce(c.title, '') || ' ' || coalesce(c.title_hi, '')),
      search_vector =
        setweight(to_tsvector('simple',
               coalesce(c.title, '') || ' ' || coalesce(c.title_hi, '')), 'A')
        || setweight(to_tsvector('simple',
               array_to_string(c.people, ' ') || ' ' || coalesce((
                   SELECT string_agg(g.name || ' ' || coalesce(g.name_hi, ''), ' ')
                   FROM content_genres AS cg JOIN genres AS g ON g.id = cg.genre_id
                   WHERE cg.content_id = c.id), '')), 'B')
        || setweight(to_tsvector('simple',
               coalesce(c.description, '') || ' ' || coalesce(c.description_hi, '')), 'C')
    WHERE c.id = ANY(:ids)
    """
)


def sort_title(title: str) -> str:
    """The key titles sort by: lower case, without a leading article ("The Dark Knight" → "dark
    knight")."""
    return _LEADING_ARTICLE.sub("", title.strip()).casefold()


async def reindex(db: AsyncSession, content_ids: Sequence[uuid.UUID]) -> None:
    """Rebuild the search document of these titles (after their text, people or genres change)."""
    if content_ids:
        await db.execute(_REINDEX, {"ids": list(content_ids)})
