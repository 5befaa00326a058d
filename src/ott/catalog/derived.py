"""Small summaries of the catalog kept in each catalog process (spelling vocabulary, facet
counts), rebuilt when the catalog's generation moves, at most once per `min_interval` seconds.

They only steer how a request is answered (which words to try, which plan to use), never what
a viewer may see, so being a few seconds behind an edit costs nothing but a slower plan.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod

from sqlalchemy.ext.asyncio import AsyncSession

MIN_INTERVAL_SECONDS = 30.0


class DerivedFromCatalog(ABC):
    def __init__(self, min_interval: float = MIN_INTERVAL_SECONDS) -> None:
        self.min_interval = min_interval
        self._generation: str | None = None
        self._loaded_at = float("-inf")

    @abstractmethod
    async def load(self, db: AsyncSession) -> None:
        """Read the summary from the database."""

    async def refresh(self, db: AsyncSession, generation: str) -> None:
        if generation == self._generation:
            return
        if self._generation is not None and time.monotonic() - self._loaded_at < self.min_interval:
            return
        await self.load(db)
        self._generation = generation
        self._loaded_at = time.monotonic()
