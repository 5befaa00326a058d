"""The subscription service's tables: subscriptions, the one trial of each account, checkouts,
invoices and the inbox of payment webhooks.

Each index serves one rule or one query; see the comment beside it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ott.core.database import Base, pg_enum
from ott.subscriptions.lifecycles import CheckoutStatus, InvoiceStatus
from ott.subscriptions.status import SubscriptionStatus

_WHEN = DateTime(timezone=True)
_MONEY = Numeric(12, 2)


class ScheduledAction(StrEnum):
    """What the subscription job does next for a subscription, at `next_action_at`."""

    RENEW = "renew"  # the period (or trial) ends: charge the next one, or end it
    RETRY = "retry"  # past due: charge the unpaid invoice again
    END_GRACE = "end_grace"  # the grace period is over: hold on the free tier
    # A provider that renews by itself has not reported the renewal: past due if still not.
    AWAIT_PAYMENT = "await_payment"


class WebhookOutcome(StrEnum):
    APPLIED = "applied"
    IGNORED = "ignored"  # an event the platform does not act on
    SKIPPED_STALE = "skipped_stale"  # it no longer means anything (late, out of order): recorded
    UNKNOWN_SUBSCRIPTION = "unknown_subscription"  # about nothing here (yet): kept, answered 200
    REJECTED = "rejected"  # bad signature, stale timestamp, unreadable: 400


class SubscriptionRow(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        # At most one live subscription per account: a second checkout is refused (409) and
        # two completing at once cannot both make one.
        Index(
            "uq_subscriptions_live_user",
            "user_id",
            unique=True,
            postgresql_where=text("status <> 'canceled'"),
        ),
        # An account's newest subscription (the entitlement of an account whose ended).
        Index("ix_subscriptions_user_recent", "user_id", text("created_at DESC")),
        # The job's due rows.
        Index(
            "ix_subscriptions_due",
            "next_action_at",
            postgresql_where=text("next_action IS NOT NULL"),
        ),
        # A provider's webhooks name its own subscription id.
        Index(
            "uq_subscriptions_provider_subscription",
            "provider",
            "provider_subscription_id",
            unique=True,
            postgresql_where=text("provider_subscription_id IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID]
    plan_code: Mapped[str] = mapped_column(String(48))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[SubscriptionStatus] = mapped_column(
        pg_enum(SubscriptionStatus, "subscription_status")
    )
    provider: Mapped[str] = mapped_column(String(32))
    provider_customer_id: Mapped[str | None] = mapped_column(String(255))
    provider_subscription_id: Mapped[str | None] = mapped_column(String(255))
    current_period_start: Mapped[datetime] = mapped_column(_WHEN)
    current_period_end: Mapped[datetime] = mapped_column(_WHEN)
    trial_end: Mapped[datetime | None] = mapped_column(_WHEN)
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean)
    # A downgrade waiting for the end of the paid period.
    pending_plan_code: Mapped[str | None] = mapped_column(String(48))
    past_due_since: Mapped[datetime | None] = mapped_column(_WHEN)
    grace_until: Mapped[datetime | None] = mapped_column(_WHEN)
    next_retry_at: Mapped[datetime | None] = mapped_column(_WHEN)
    next_action: Mapped[ScheduledAction | None] = mapped_column(
        pg_enum(ScheduledAction, "subscription_action")
    )
    next_action_at: Mapped[datetime | None] = mapped_column(_WHEN)
    created_at: Mapped[datetime] = mapped_column(_WHEN)
    updated_at: Mapped[datetime] = mapped_column(_WHEN)
    canceled_at: Mapped[datetime | None] = mapped_column(_WHEN)


class TrialRow(Base):
    """The one trial an account ever gets (the primary key is the account)."""

    __tablename__ = "subscription_trials"

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    subscription_id: Mapped[uuid.UUID]
    plan_code: Mapped[str] = mapped_column(String(48))
    started_at: Mapped[datetime] = mapped_column(_WHEN)


class CheckoutRow(Base):
    __tablename__ = "checkouts"
    __table_args__ = (Index("ix_checkouts_user_recent", "user_id", text("created_at DESC")),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # the reference the viewer sees
    user_id: Mapped[uuid.UUID]
    plan_code: Mapped[str] = mapped_column(String(48))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(_MONEY)  # the plan's price for one interval
    trial_days: Mapped[int] = mapped_column(Integer)  # 0: the first interval is paid now
    status: Mapped[CheckoutStatus] = mapped_column(pg_enum(CheckoutStatus, "checkout_status"))
    provider: Mapped[str] = mapped_column(String(32))
    provider_reference: Mapped[str | None] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(Text)
    # The subscription it made, or the held one it pays for again.
    subscription_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(_WHEN)
    expires_at: Mapped[datetime] = mapped_column(_WHEN)
    completed_at: Mapped[datetime | None] = mapped_column(_WHEN)


class InvoiceRow(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        # A period is charged once: the renewal job running twice (or on two replicas) finds
        # the period's invoice instead of making a second one.
        # Deferrable (checked at the end of each statement, not row by row) so that moving all
        # of a subscription's periods at once (development's /dev/advance) never collides.
        UniqueConstraint(
            "subscription_id",
            "period_start",
            name="uq_invoices_subscription_period",
            deferrable=True,
            initially="IMMEDIATE",
        ),
        # An account's invoices, newest first (the id breaks ties).
        Index("ix_invoices_user_recent", "user_id", text("created_at DESC"), text("id DESC")),
        Index("ix_invoices_provider_payment", "provider_payment_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE")
    )
    user_id: Mapped[uuid.UUID]
    plan_code: Mapped[str] = mapped_column(String(48))
    period_start: Mapped[datetime] = mapped_column(_WHEN)
    period_end: Mapped[datetime] = mapped_column(_WHEN)
    amount: Mapped[Decimal] = mapped_column(_MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[InvoiceStatus] = mapped_column(pg_enum(InvoiceStatus, "invoice_status"))
    attempts: Mapped[int] = mapped_column(Integer)
    provider_payment_id: Mapped[str | None] = mapped_column(String(255))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    # [{"description": ..., "amount": "12.34"}]: the price, and a proration's credit.
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(_WHEN)
    updated_at: Mapped[datetime] = mapped_column(_WHEN)
    paid_at: Mapped[datetime | None] = mapped_column(_WHEN)


class WebhookInboxRow(Base):
    """Every webhook that arrived, first stored, then applied once.

    A verified event has its provider's `event_id`: the inbox is unique on (provider,
    event_id), so a replay or a provider's retry finds the first copy. A rejected one (bad
    signature) is stored with `event_id` NULL, so a forged event that claims a real id cannot
    take that id's place before the real one arrives.
    """

    __tablename__ = "webhook_inbox"
    __table_args__ = (
        UniqueConstraint("provider", "event_id", name="uq_webhook_inbox_provider_event"),
        # Events that came before what they are about (kept to be applied when it arrives).
        Index(
            "ix_webhook_inbox_parked",
            "provider",
            "received_at",
            postgresql_where=text("outcome = 'unknown_subscription'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str | None] = mapped_column(String(255))
    raw_type: Mapped[str | None] = mapped_column(String(255))
    raw_body: Mapped[bytes] = mapped_column(LargeBinary)
    headers: Mapped[dict[str, str]] = mapped_column(JSONB)
    signature_ok: Mapped[bool] = mapped_column(Boolean)
    # The verified event as the platform reads it (PaymentEvent), to apply it again later
    # without verifying a signature whose timestamp has gone stale.
    event: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    subscription_id: Mapped[uuid.UUID | None]
    received_at: Mapped[datetime] = mapped_column(_WHEN)
    applied_at: Mapped[datetime | None] = mapped_column(_WHEN)
    outcome: Mapped[WebhookOutcome | None] = mapped_column(
        pg_enum(WebhookOutcome, "webhook_outcome")
    )
    error: Mapped[str | None] = mapped_column(Text)
