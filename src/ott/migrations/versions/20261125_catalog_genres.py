"""catalog genres: the standard genre list, in English and Hindi

Revision ID: 0cf724490c1a
Revises: 3e79fa8df8b4
Create Date: 2026-11-25 14:24:49.397597
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0cf724490c1a"
down_revision: str | None = "3e79fa8df8b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


GENRES = [
    ("Action", "एक्शन", "action"),
    ("Adventure", "एडवेंचर", "adventure"),
    ("Animation", "एनिमेशन", "animation"),
    ("Biography", "जीवनी", "biography"),
    ("Comedy", "कॉमेडी", "comedy"),
    ("Crime", "क्राइम", "crime"),
    ("Documentary", "डॉक्यूमेंट्री", "documentary"),
    ("Drama", "ड्रामा", "drama"),
    ("Family", "फ़ैमिली", "family"),
    ("Fantasy", "फ़ैंटेसी", "fantasy"),
    ("History", "इतिहास", "history"),
    ("Horror", "हॉरर", "horror"),
    ("Kids", "बच्चों के लिए", "kids"),
    ("Music", "संगीत", "music"),
    ("Musical", "म्यूज़िकल", "musical"),
    ("Mystery", "रहस्य", "mystery"),
    ("Mythology", "पौराणिक", "mythology"),
    ("Reality", "रियलिटी", "reality"),
    ("Romance", "रोमांस", "romance"),
    ("Science Fiction", "साइंस फ़िक्शन", "science-fiction"),
    ("Sports", "खेल", "sports"),
    ("Thriller", "थ्रिलर", "thriller"),
    ("War", "युद्ध", "war"),
]


def upgrade() -> None:
    genres = sa.table(
        "genres",
        sa.column("name", sa.String),
        sa.column("name_hi", sa.String),
        sa.column("slug", sa.String),
    )
    op.bulk_insert(genres, [{"name": n, "name_hi": hi, "slug": slug} for n, hi, slug in GENRES])


def downgrade() -> None:
    slugs = ", ".join(f"'{slug}'" for _, _, slug in GENRES)
    op.execute(f"DELETE FROM genres WHERE slug IN ({slugs})")  # noqa: S608 - constants
