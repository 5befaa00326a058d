"""A believable, invented demo catalog for the platform (films, series, sports; English/Hindi).

`generate_catalog(count, seed=7, now=None)` returns the CMS bulk-import document. Pure, no I/O,
deterministic for a seed and a day.
"""

from ott.seed.catalog import generate_catalog
from ott.seed.words import GENRE_SLUGS, MATURITY_RATINGS

__all__ = ["GENRE_SLUGS", "MATURITY_RATINGS", "generate_catalog"]
