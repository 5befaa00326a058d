"""Near-miss spellings corrected before searching.

The words of published titles, people and genres form a vocabulary; a query word that is
neither one of them nor the start of one is replaced by the closest (rapidfuzz), so "knigt"
searches as "knight" through the word indexes. This is the typo tolerance of databases
without pg_trgm (the embedded PostgreSQL has no contrib), and the cheap first try where
pg_trgm exists: a trigram scan of every near-miss title is far dearer than a corrected word.
"""

from __future__ import annotations

import bisect

from rapidfuzz import fuzz, process
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ott.catalog.derived import MIN_INTERVAL_SECONDS, DerivedFromCatalog

MIN_WORD_LENGTH = 4
MIN_SIMILARITY = 75.0
# Weights A and B: titles, people and genres (descriptions would drown the vocabulary).
_WORDS = text(
    "SELECT word FROM ts_stat("
    "'SELECT search_vector FROM content WHERE workflow_state = ''published''', 'ab')"
)


class Vocabulary(DerivedFromCatalog):
    def __init__(self, min_interval: float = MIN_INTERVAL_SECONDS) -> None:
        super().__init__(min_interval)
        self._words: list[str] = []

    async def load(self, db: AsyncSession) -> None:
        self._words = sorted(await db.scalars(_WORDS))

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
