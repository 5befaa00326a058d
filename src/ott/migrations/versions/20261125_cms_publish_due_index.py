"""cms: an index for the scheduler's due titles

Published titles whose publication time is still ahead of their last announcement are the
scheduler's work list; the partial index keeps each run from scanning the table.

Revision ID: 5c1d2e9f7a01
Revises: 0cf724490c1a
Create Date: 2026-11-25 15:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5c1d2e9f7a01"
down_revision: str | None = "0cf724490c1a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_content_publish_due ON content (published_at) "
        "WHERE workflow_state = 'published' AND published_at > updated_at"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_content_publish_due")
