"""activity: viewing sessions, watch progress, hidden titles, history, engagement, watchlist

Revision ID: c3f8a2d6e914
Revises: b7e2c4a9d513
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c3f8a2d6e914"
down_revision: str | None = "b7e2c4a9d513"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATE = postgresql.ENUM(
    "active", "completed", "stopped", "abandoned", name="viewing_session_state"
)
_ENGAGEMENT = postgresql.ENUM(
    "play", "pause", "seek", "rewind", "abandon", "complete", name="engagement_type"
)
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "viewing_sessions",
        sa.Column("session_id", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("device_type", sa.String(length=50), nullable=False),
        sa.Column("position_seconds", sa.Float(), nullable=False),
        sa.Column("duration_seconds", sa.Float(), nullable=False),
        sa.Column("completed_percentage", sa.Float(), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("state", _STATE, nullable=False),
        sa.Column("first_sequence", sa.BigInteger(), nullable=False),
        sa.Column("first_position_seconds", sa.Float(), nullable=False),
        sa.Column("furthest_position_seconds", sa.Float(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("last_updated", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_viewing_sessions")),
    )
    op.create_index(
        "ix_viewing_sessions_stale",
        "viewing_sessions",
        ["last_updated"],
        postgresql_where=sa.text("state = 'active'"),
    )
    op.create_table(
        "watch_progress",
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("session_id", sa.String(length=100), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("position_seconds", sa.Float(), nullable=False),
        sa.Column("duration_seconds", sa.Float(), nullable=False),
        sa.Column("completed_percentage", sa.Float(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("profile_id", "item_id", name=op.f("pk_watch_progress")),
    )
    op.create_index(
        "ix_watch_progress_recent", "watch_progress", ["profile_id", sa.text("updated_at DESC")]
    )
    op.create_table(
        "continue_watching_hidden",
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("hidden_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint(
            "profile_id", "content_id", name=op.f("pk_continue_watching_hidden")
        ),
    )
    op.create_table(
        "watch_history",
        sa.Column("session_id", sa.String(length=100, collation="C"), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("watched_at", _WHEN, nullable=False),
        sa.Column("completion_rate", sa.Float(), nullable=False),
        sa.Column("watch_duration_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_watch_history")),
    )
    op.create_index(
        "ix_watch_history_recent",
        "watch_history",
        ["profile_id", sa.text("watched_at DESC"), sa.text("session_id DESC")],
    )
    op.create_table(
        "engagement_events",
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.String(length=200, collation="C"), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("session_id", sa.String(length=100), nullable=True),
        sa.Column("event_type", _ENGAGEMENT, nullable=False),
        sa.Column("timestamp", _WHEN, nullable=False),
        sa.Column("position_seconds", sa.Float(), nullable=False),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("profile_id", "event_id", name=op.f("pk_engagement_events")),
    )
    op.create_index(
        "ix_engagement_events_recent",
        "engagement_events",
        ["profile_id", sa.text("timestamp DESC")],
    )
    op.create_table(
        "watchlist",
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("added_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("profile_id", "content_id", name=op.f("pk_watchlist")),
    )
    op.create_index("ix_watchlist_recent", "watchlist", ["profile_id", sa.text("added_at DESC")])


def downgrade() -> None:
    op.drop_table("watchlist")
    op.drop_table("engagement_events")
    op.drop_table("watch_history")
    op.drop_table("continue_watching_hidden")
    op.drop_table("watch_progress")
    op.drop_table("viewing_sessions")
    _ENGAGEMENT.drop(op.get_bind(), checkfirst=True)
    _STATE.drop(op.get_bind(), checkfirst=True)
