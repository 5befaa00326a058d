"""Near-miss spellings for databases without pg_trgm (the embedded PostgreSQL has no contrib).

The words of published titles, people and genres form a vocabulary; a query word that is
neither one of them nor the start of one is replaced by the closest (rapidfuzz), so "knigt"
searches as "knight". The vocabulary is rebuilt when the catalog's generation moves, i.e.
after content changes.
"""

from __future__ import annotations

import bisect

from rapidfuzz import fuzz, process
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

MIN_WORD_LENGTH = 4
MIN_SIMILARITY = 75.0
# Weights A and B: titles, people and genres (descriptions would drown the vocabulary).
_WORDS = text(
    "SELECT word FROM ts_stat("
    "'SELECT search_vector FROM content WHERE workflow_state = ''published''', 'ab')"
)


class Vocabulary:
    def __init__(self) -> None:
        self._words: list[str] = []
        self._generation: str | None = None

    async def refresh(self, db: AsyncSession, generation: str) -> None:
        if generation != self._generation:
            self._words = sorted(await db.scalars(_WORDS))
            self._generation = generation

    def _known_or_prefix(self, token: str) -> bool:
        at = bisect.bisect_left(self._words, token)
        return at < len(self._words) and self._words[at].startswith(token)

    def correct(self, token: str) -> str:
        if len(token) < MIN_WORD_LENGTH or self._known_or_prefix(token):
            return token
        best = process.extractOne(
            token, self._words, scorer=fuzz.ratio, score_cutoff=MIN_SIMILARITY
        )
        return best[0] if best else token
