"""media: indexes of succeeded encodings, newest first, by title and by episode (the
catalog's lookups of a title's or an episode's video)

Revision ID: c3f8a1d6e927
Revises: c3f8a2d6e914
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3f8a1d6e927"
down_revision: str | None = "c3f8a2d6e914"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_encodings_succeeded_title",
        "encodings",
        ["content_id", sa.text("finished_at DESC")],
        postgresql_where=sa.text("status = 'succeeded'"),
    )
    op.create_index(
        "ix_encodings_succeeded_episode",
        "encodings",
        ["episode_id", sa.text("finished_at DESC")],
        postgresql_where=sa.text("status = 'succeeded' AND episode_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_encodings_succeeded_episode", table_name="encodings")
    op.drop_index("ix_encodings_succeeded_title", table_name="encodings")
