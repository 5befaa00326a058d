"""The maturity scale shared by profiles (what a viewer may see) and content (what it needs)."""

from __future__ import annotations

from enum import StrEnum


class MaturityRating(StrEnum):
    G = "G"
    PG = "PG"
    PG_13 = "PG-13"
    R = "R"
    NC_17 = "NC-17"

    @property
    def level(self) -> int:
        return _ORDER.index(self)

    def allows(self, content_rating: MaturityRating) -> bool:
        return content_rating.level <= self.level


_ORDER = list(MaturityRating)

DEFAULT_PROFILE_RATING = MaturityRating.PG_13
KIDS_MAX_RATING = MaturityRating.PG
