"""catalog: a title-only search document for as-you-type search

The full search document has no weights in its GIN index, so "titles first" meant reading
every row that matched anywhere. A separate document of the titles (both languages) answers
the common case from its own index.

Revision ID: 7b2e4c6d8f10
Revises: 5c1d2e9f7a01
Create Date: 2026-11-25 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7b2e4c6d8f10"
down_revision: str | None = "5c1d2e9f7a01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("content", sa.Column("title_search", postgresql.TSVECTOR(), nullable=True))
    op.execute(
        "UPDATE content SET title_search = to_tsvector('simple', "
        "coalesce(title, '') || ' ' || coalesce(title_hi, ''))"
    )
    op.create_index("ix_content_title_search", "content", ["title_search"], postgresql_using="gin")


def downgrade() -> None:
    op.drop_index("ix_content_title_search", table_name="content")
    op.drop_column("content", "title_search")
