"""subscriptions: subscriptions, trials, checkouts, invoices, the webhook inbox

Revision ID: d4e5f6a7b8c9
Revises: c3f8a1d6e927
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "d4e5f6a7b8c9"
down_revision: str | None = "c3f8a1d6e927"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUS = postgresql.ENUM(
    "trialing", "active", "past_due", "unpaid", "paused", "canceled", name="subscription_status"
)
_ACTION = postgresql.ENUM(
    "renew", "retry", "end_grace", "await_payment", name="subscription_action"
)
_CHECKOUT = postgresql.ENUM("open", "completed", "expired", "canceled", name="checkout_status")
_INVOICE = postgresql.ENUM("open", "paid", "failed", "void", "refunded", name="invoice_status")
_OUTCOME = postgresql.ENUM(
    "applied",
    "ignored",
    "skipped_stale",
    "unknown_subscription",
    "rejected",
    name="webhook_outcome",
)
_WHEN = sa.DateTime(timezone=True)
_MONEY = sa.Numeric(12, 2)


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("plan_code", sa.String(length=48), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", _STATUS, nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("provider_customer_id", sa.String(length=255), nullable=True),
        sa.Column("provider_subscription_id", sa.String(length=255), nullable=True),
        sa.Column("current_period_start", _WHEN, nullable=False),
        sa.Column("current_period_end", _WHEN, nullable=False),
        sa.Column("trial_end", _WHEN, nullable=True),
        sa.Column("cancel_at_period_end", sa.Boolean(), nullable=False),
        sa.Column("pending_plan_code", sa.String(length=48), nullable=True),
        sa.Column("past_due_since", _WHEN, nullable=True),
        sa.Column("grace_until", _WHEN, nullable=True),
        sa.Column("next_retry_at", _WHEN, nullable=True),
        sa.Column("next_action", _ACTION, nullable=True),
        sa.Column("next_action_at", _WHEN, nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("canceled_at", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
    )
    op.create_index(
        "uq_subscriptions_live_user",
        "subscriptions",
        ["user_id"],
        unique=True,
        postgresql_where=sa.text("status <> 'canceled'"),
    )
    op.create_index(
        "ix_subscriptions_user_recent", "subscriptions", ["user_id", sa.text("created_at DESC")]
    )
    op.create_index(
        "ix_subscriptions_due",
        "subscriptions",
        ["next_action_at"],
        postgresql_where=sa.text("next_action IS NOT NULL"),
    )
    op.create_index(
        "uq_subscriptions_provider_subscription",
        "subscriptions",
        ["provider", "provider_subscription_id"],
        unique=True,
        postgresql_where=sa.text("provider_subscription_id IS NOT NULL"),
    )
    op.create_table(
        "subscription_trials",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("plan_code", sa.String(length=48), nullable=False),
        sa.Column("started_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_subscription_trials")),
    )
    op.create_table(
        "checkouts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("plan_code", sa.String(length=48), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("trial_days", sa.Integer(), nullable=False),
        sa.Column("status", _CHECKOUT, nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("provider_reference", sa.String(length=255), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("completed_at", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkouts")),
    )
    op.create_index(
        "ix_checkouts_user_recent", "checkouts", ["user_id", sa.text("created_at DESC")]
    )
    op.create_table(
        "invoices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("plan_code", sa.String(length=48), nullable=False),
        sa.Column("period_start", _WHEN, nullable=False),
        sa.Column("period_end", _WHEN, nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", _INVOICE, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("provider_payment_id", sa.String(length=255), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("lines", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("paid_at", _WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_invoices_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint(
            "subscription_id",
            "period_start",
            name="uq_invoices_subscription_period",
            deferrable=True,
            initially="IMMEDIATE",
        ),
    )
    op.create_index(
        "ix_invoices_user_recent",
        "invoices",
        ["user_id", sa.text("created_at DESC"), sa.text("id DESC")],
    )
    op.create_index("ix_invoices_provider_payment", "invoices", ["provider_payment_id"])
    op.create_table(
        "webhook_inbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=True),
        sa.Column("raw_type", sa.String(length=255), nullable=True),
        sa.Column("raw_body", sa.LargeBinary(), nullable=False),
        sa.Column("headers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("signature_ok", sa.Boolean(), nullable=False),
        sa.Column("event", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("subscription_id", sa.Uuid(), nullable=True),
        sa.Column("received_at", _WHEN, nullable=False),
        sa.Column("applied_at", _WHEN, nullable=True),
        sa.Column("outcome", _OUTCOME, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_inbox")),
        sa.UniqueConstraint("provider", "event_id", name="uq_webhook_inbox_provider_event"),
    )
    op.create_index(
        "ix_webhook_inbox_parked",
        "webhook_inbox",
        ["provider", "received_at"],
        postgresql_where=sa.text("outcome = 'unknown_subscription'"),
    )


def downgrade() -> None:
    op.drop_table("webhook_inbox")
    op.drop_table("invoices")
    op.drop_table("checkouts")
    op.drop_table("subscription_trials")
    op.drop_table("subscriptions")
    _OUTCOME.drop(op.get_bind(), checkfirst=True)
    _INVOICE.drop(op.get_bind(), checkfirst=True)
    _CHECKOUT.drop(op.get_bind(), checkfirst=True)
    _ACTION.drop(op.get_bind(), checkfirst=True)
    _STATUS.drop(op.get_bind(), checkfirst=True)
