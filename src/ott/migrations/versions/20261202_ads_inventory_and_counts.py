"""ads: advertisers, campaigns, creatives, per-day counts of tracking events and their flush
batches; encodings may belong to an ad creative

Revision ID: e5f6a7b8c9d0
Revises: d4e5f6a7b8c9
Create Date: 2026-12-02 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "e5f6a7b8c9d0"
down_revision: str | None = "d4e5f6a7b8c9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KIND = postgresql.ENUM("inline", "wrapper", name="ad_campaign_kind")
_STATUS = postgresql.ENUM("draft", "active", "paused", "ended", name="ad_campaign_status")
_PACING = postgresql.ENUM("even", "asap", name="ad_pacing")
_CREATIVE = postgresql.ENUM("processing", "ready", "failed", name="ad_creative_status")
_WHEN = sa.DateTime(timezone=True)


def _id() -> sa.Column:
    return sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False)


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", _WHEN, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", _WHEN, server_default=sa.func.now(), nullable=False),
    ]


def _targets(name: str, length: int) -> sa.Column:
    return sa.Column(name, postgresql.ARRAY(sa.String(length)), server_default="{}", nullable=False)


def upgrade() -> None:
    op.create_table(
        "ad_advertisers",
        _id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("domain", sa.String(255), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ad_advertisers")),
        sa.UniqueConstraint("name", name=op.f("uq_ad_advertisers_name")),
    )
    op.create_table(
        "ad_campaigns",
        _id(),
        sa.Column("advertiser_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", _KIND, server_default="inline", nullable=False),
        sa.Column("status", _STATUS, server_default="draft", nullable=False),
        sa.Column("starts_at", _WHEN, nullable=False),
        sa.Column("ends_at", _WHEN, nullable=True),
        sa.Column("daily_goal", sa.Integer(), nullable=True),
        sa.Column("total_goal", sa.BigInteger(), nullable=True),
        sa.Column("priority", sa.SmallInteger(), server_default="5", nullable=False),
        sa.Column("pacing", _PACING, server_default="even", nullable=False),
        sa.Column("skippable", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("skip_offset_seconds", sa.Integer(), nullable=True),
        sa.Column("click_through_url", sa.String(2000), nullable=True),
        sa.Column("vast_tag_url", sa.String(2000), nullable=True),
        _targets("target_genres", 100),
        _targets("target_languages", 10),
        _targets("target_countries", 2),
        _targets("target_ratings", 10),
        _targets("target_content_types", 20),
        _targets("target_devices", 20),
        sa.Column("cap_per_day", sa.Integer(), nullable=True),
        sa.Column("cap_per_hour", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        *_stamps(),
        sa.CheckConstraint(
            "ends_at IS NULL OR ends_at > starts_at", name=op.f("ck_ad_campaigns_flight")
        ),
        sa.CheckConstraint("priority BETWEEN 1 AND 10", name=op.f("ck_ad_campaigns_priority")),
        sa.CheckConstraint(
            "daily_goal IS NULL OR daily_goal > 0", name=op.f("ck_ad_campaigns_daily_goal")
        ),
        sa.CheckConstraint(
            "total_goal IS NULL OR total_goal > 0", name=op.f("ck_ad_campaigns_total_goal")
        ),
        sa.CheckConstraint(
            "cap_per_day IS NULL OR cap_per_day > 0", name=op.f("ck_ad_campaigns_cap_per_day")
        ),
        sa.CheckConstraint(
            "cap_per_hour IS NULL OR cap_per_hour > 0", name=op.f("ck_ad_campaigns_cap_per_hour")
        ),
        sa.CheckConstraint(
            "skip_offset_seconds IS NULL OR skip_offset_seconds >= 0",
            name=op.f("ck_ad_campaigns_skip"),
        ),
        sa.CheckConstraint(
            "kind <> 'wrapper' OR vast_tag_url IS NOT NULL",
            name=op.f("ck_ad_campaigns_wrapper_url"),
        ),
        sa.ForeignKeyConstraint(
            ["advertiser_id"],
            ["ad_advertisers.id"],
            name=op.f("fk_ad_campaigns_advertiser_id_ad_advertisers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ad_campaigns")),
    )
    op.create_index(
        op.f("ix_ad_campaigns_advertiser_id"), "ad_campaigns", ["advertiser_id"], unique=False
    )
    op.create_index(
        "ix_ad_campaigns_active",
        "ad_campaigns",
        ["priority"],
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "ad_creatives",
        _id(),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", _CREATIVE, server_default="processing", nullable=False),
        sa.Column("encoding_id", sa.Uuid(), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.Column(
            "media_files",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("folder", sa.String(200), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["ad_campaigns.id"],
            name=op.f("fk_ad_creatives_campaign_id_ad_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ad_creatives")),
        sa.UniqueConstraint("encoding_id", name=op.f("uq_ad_creatives_encoding_id")),
    )
    op.create_index(
        op.f("ix_ad_creatives_campaign_id"), "ad_creatives", ["campaign_id"], unique=False
    )
    op.create_table(
        "ad_campaign_daily_counts",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("count", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["ad_campaigns.id"],
            name=op.f("fk_ad_campaign_daily_counts_campaign_id_ad_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "campaign_id", "day", "event", name=op.f("pk_ad_campaign_daily_counts")
        ),
    )
    op.create_table(
        "ad_count_flushes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("flushed_at", _WHEN, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ad_count_flushes")),
    )
    op.add_column("encodings", sa.Column("creative_id", sa.Uuid(), nullable=True))
    op.create_index(op.f("ix_encodings_creative_id"), "encodings", ["creative_id"], unique=False)
    op.drop_constraint(op.f("ck_encodings_owner"), "encodings", type_="check")
    op.create_check_constraint(
        op.f("ck_encodings_owner"),
        "encodings",
        "content_id IS NOT NULL OR episode_id IS NOT NULL OR creative_id IS NOT NULL",
    )


def downgrade() -> None:
    op.execute("DELETE FROM encodings WHERE content_id IS NULL AND episode_id IS NULL")
    op.drop_constraint(op.f("ck_encodings_owner"), "encodings", type_="check")
    op.create_check_constraint(
        op.f("ck_encodings_owner"), "encodings", "content_id IS NOT NULL OR episode_id IS NOT NULL"
    )
    op.drop_index(op.f("ix_encodings_creative_id"), table_name="encodings")
    op.drop_column("encodings", "creative_id")
    op.drop_table("ad_count_flushes")
    op.drop_table("ad_campaign_daily_counts")
    op.drop_index(op.f("ix_ad_creatives_campaign_id"), table_name="ad_creatives")
    op.drop_table("ad_creatives")
    op.drop_index("ix_ad_campaigns_active", table_name="ad_campaigns")
    op.drop_index(op.f("ix_ad_campaigns_advertiser_id"), table_name="ad_campaigns")
    op.drop_table("ad_campaigns")
    op.drop_table("ad_advertisers")
    for enum in (_CREATIVE, _PACING, _STATUS, _KIND):
        enum.drop(op.get_bind(), checkfirst=True)
