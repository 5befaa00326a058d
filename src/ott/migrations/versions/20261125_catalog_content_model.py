"""catalog content model

Revision ID: 3e79fa8df8b4
Revises: 8df59c7bbff9
Create Date: 2026-11-25 14:23:34.918136
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "3e79fa8df8b4"
down_revision: str | None = "8df59c7bbff9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Created with the users table; shared here.
_EXISTING_TIER = postgresql.ENUM("free", "premium", name="subscription_tier", create_type=False)


def _create_trigram_indexes() -> None:
    """Typo-tolerant title search uses pg_trgm where the server ships it (PostgreSQL's contrib;
    the embedded server from PyPI does not), and plain full-text search elsewhere."""
    available = op.get_bind().execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    )
    if available.scalar() is None:
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in ("title", "title_hi"):
        op.execute(
            f"CREATE INDEX ix_content_{column}_trgm ON content USING gin ({column} gin_trgm_ops)"
        )


def upgrade() -> None:
    op.create_table(
        "content",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "type", sa.Enum("movie", "tv_show", "sports", name="content_type"), nullable=False
        ),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("title_hi", sa.String(length=500), nullable=True),
        sa.Column("sort_title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("description_hi", sa.Text(), nullable=True),
        sa.Column(
            "original_language",
            sa.Enum("en", "hi", name="content_language"),
            server_default="en",
            nullable=False,
        ),
        sa.Column("release_date", sa.Date(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("maturity_rating", sa.String(length=10), server_default="PG-13", nullable=False),
        sa.Column("maturity_level", sa.SmallInteger(), server_default="2", nullable=False),
        sa.Column("people", sa.ARRAY(sa.String(length=200)), server_default="{}", nullable=False),
        sa.Column("poster_url", sa.String(length=500), nullable=True),
        sa.Column("thumbnail_url", sa.String(length=500), nullable=True),
        sa.Column("trailer_url", sa.String(length=500), nullable=True),
        sa.Column(
            "workflow_state",
            sa.Enum(
                "draft",
                "pending_review",
                "approved",
                "published",
                "archived",
                name="workflow_state",
            ),
            server_default="draft",
            nullable=False,
        ),
        sa.Column("tier_requirement", _EXISTING_TIER, server_default="free", nullable=False),
        sa.Column("available_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("available_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("popularity", sa.Float(), server_default="0", nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("search_vector", postgresql.TSVECTOR(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "duration_minutes IS NULL OR duration_minutes > 0", name=op.f("ck_content_duration")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content")),
        sa.UniqueConstraint("external_id", name=op.f("uq_content_external_id")),
    )
    op.create_index(
        "ix_content_live_newest",
        "content",
        [
            sa.literal_column("coalesce(release_date, DATE '0001-01-01') DESC"),
            sa.literal_column("id DESC"),
        ],
        unique=False,
        postgresql_where=sa.text("workflow_state = 'published'"),
    )
    op.create_index(
        "ix_content_live_popular",
        "content",
        [sa.literal_column("popularity DESC"), sa.literal_column("id DESC")],
        unique=False,
        postgresql_where=sa.text("workflow_state = 'published'"),
    )
    op.create_index(
        "ix_content_live_title",
        "content",
        ["sort_title", "id"],
        unique=False,
        postgresql_where=sa.text("workflow_state = 'published'"),
    )
    op.create_index(
        "ix_content_release_date", "content", [sa.literal_column("release_date DESC")], unique=False
    )
    op.create_index(
        "ix_content_search", "content", ["search_vector"], unique=False, postgresql_using="gin"
    )
    _create_trigram_indexes()
    op.create_index("ix_content_type", "content", ["type"], unique=False)
    op.create_index("ix_content_workflow_state", "content", ["workflow_state"], unique=False)
    op.create_table(
        "genres",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_hi", sa.String(length=100), nullable=True),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_genres")),
        sa.UniqueConstraint("name", name=op.f("uq_genres_name")),
        sa.UniqueConstraint("slug", name=op.f("uq_genres_slug")),
    )
    op.create_table(
        "availability_rules",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("allowed_countries", sa.ARRAY(sa.String(length=2)), nullable=True),
        sa.Column(
            "blocked_countries", sa.ARRAY(sa.String(length=2)), server_default="{}", nullable=False
        ),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tier", _EXISTING_TIER, nullable=True),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["content.id"],
            name=op.f("fk_availability_rules_content_id_content"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_rules")),
    )
    op.create_index(
        op.f("ix_availability_rules_content_id"), "availability_rules", ["content_id"], unique=False
    )
    op.create_table(
        "content_genres",
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("genre_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["content.id"],
            name=op.f("fk_content_genres_content_id_content"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["genre_id"],
            ["genres.id"],
            name=op.f("fk_content_genres_genre_id_genres"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("content_id", "genre_id", name=op.f("pk_content_genres")),
    )
    op.create_index(
        op.f("ix_content_genres_genre_id"), "content_genres", ["genre_id"], unique=False
    )
    op.create_table(
        "content_versions",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("changed_by", sa.Uuid(), nullable=True),
        sa.Column("change_note", sa.String(length=500), nullable=True),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["content.id"],
            name=op.f("fk_content_versions_content_id_content"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_versions")),
        sa.UniqueConstraint(
            "content_id", "version_number", name=op.f("uq_content_versions_content_id")
        ),
    )
    op.create_table(
        "seasons",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("season_number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("title_hi", sa.String(length=255), nullable=True),
        sa.Column("release_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["content.id"],
            name=op.f("fk_seasons_content_id_content"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seasons")),
        sa.UniqueConstraint("content_id", "season_number", name=op.f("uq_seasons_content_id")),
    )
    op.create_table(
        "episodes",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("season_id", sa.Uuid(), nullable=False),
        sa.Column("episode_number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("title_hi", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("description_hi", sa.Text(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("thumbnail_url", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["season_id"],
            ["seasons.id"],
            name=op.f("fk_episodes_season_id_seasons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_episodes")),
        sa.UniqueConstraint("season_id", "episode_number", name=op.f("uq_episodes_season_id")),
    )
    op.create_index(op.f("ix_episodes_season_id"), "episodes", ["season_id"], unique=False)
    op.create_table(
        "audio_tracks",
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("label", sa.String(length=50), nullable=True),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=True),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "content_id IS NOT NULL OR episode_id IS NOT NULL", name=op.f("ck_audio_tracks_owner")
        ),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["content.id"],
            name=op.f("fk_audio_tracks_content_id_content"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_audio_tracks_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audio_tracks")),
    )
    op.create_index(
        op.f("ix_audio_tracks_content_id"), "audio_tracks", ["content_id"], unique=False
    )
    op.create_index(
        op.f("ix_audio_tracks_episode_id"), "audio_tracks", ["episode_id"], unique=False
    )
    op.create_table(
        "subtitles",
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("label", sa.String(length=50), nullable=True),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=True),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "content_id IS NOT NULL OR episode_id IS NOT NULL", name=op.f("ck_subtitles_owner")
        ),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["content.id"],
            name=op.f("fk_subtitles_content_id_content"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_subtitles_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subtitles")),
    )
    op.create_index(op.f("ix_subtitles_content_id"), "subtitles", ["content_id"], unique=False)
    op.create_index(op.f("ix_subtitles_episode_id"), "subtitles", ["episode_id"], unique=False)
    op.create_table(
        "video_variants",
        sa.Column("quality", sa.String(length=10), nullable=False),
        sa.Column("hls_url", sa.String(length=1000), nullable=False),
        sa.Column("dash_url", sa.String(length=1000), nullable=True),
        sa.Column("bitrate_kbps", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=True),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "content_id IS NOT NULL OR episode_id IS NOT NULL", name=op.f("ck_video_variants_owner")
        ),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["content.id"],
            name=op.f("fk_video_variants_content_id_content"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_video_variants_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_variants")),
    )
    op.create_index(
        op.f("ix_video_variants_content_id"), "video_variants", ["content_id"], unique=False
    )
    op.create_index(
        op.f("ix_video_variants_episode_id"), "video_variants", ["episode_id"], unique=False
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_content_title_trgm")
    op.execute("DROP INDEX IF EXISTS ix_content_title_hi_trgm")
    op.drop_index(op.f("ix_video_variants_episode_id"), table_name="video_variants")
    op.drop_index(op.f("ix_video_variants_content_id"), table_name="video_variants")
    op.drop_table("video_variants")
    op.drop_index(op.f("ix_subtitles_episode_id"), table_name="subtitles")
    op.drop_index(op.f("ix_subtitles_content_id"), table_name="subtitles")
    op.drop_table("subtitles")
    op.drop_index(op.f("ix_audio_tracks_episode_id"), table_name="audio_tracks")
    op.drop_index(op.f("ix_audio_tracks_content_id"), table_name="audio_tracks")
    op.drop_table("audio_tracks")
    op.drop_index(op.f("ix_episodes_season_id"), table_name="episodes")
    op.drop_table("episodes")
    op.drop_table("seasons")
    op.drop_table("content_versions")
    op.drop_index(op.f("ix_content_genres_genre_id"), table_name="content_genres")
    op.drop_table("content_genres")
    op.drop_index(op.f("ix_availability_rules_content_id"), table_name="availability_rules")
    op.drop_table("availability_rules")
    op.drop_table("genres")
    op.drop_index("ix_content_workflow_state", table_name="content")
    op.drop_index("ix_content_type", table_name="content")
    op.drop_index("ix_content_search", table_name="content", postgresql_using="gin")
    op.drop_index("ix_content_release_date", table_name="content")
    op.drop_index(
        "ix_content_live_title",
        table_name="content",
        postgresql_where=sa.text("workflow_state = 'published'"),
    )
    op.drop_index(
        "ix_content_live_popular",
        table_name="content",
        postgresql_where=sa.text("workflow_state = 'published'"),
    )
    op.drop_index(
        "ix_content_live_newest",
        table_name="content",
        postgresql_where=sa.text("workflow_state = 'published'"),
    )
    op.drop_table("content")
    for enum_name in ("workflow_state", "content_language", "content_type"):
        sa.Enum(name=enum_name).drop(op.get_bind())
