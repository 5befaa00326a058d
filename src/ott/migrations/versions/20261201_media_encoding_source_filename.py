"""media: encodings keep the uploaded source's filename (errors name it)

Revision ID: b7e2c4a9d513
Revises: a1d5e8c3f402
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7e2c4a9d513"
down_revision: str | None = "a1d5e8c3f402"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("encodings", sa.Column("source_filename", sa.String(length=255), nullable=True))


def downgrade() -> None:
    op.drop_column("encodings", "source_filename")
