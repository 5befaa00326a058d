"""The rules of an account's subscription that a viewer asks for: what it has, changing the
plan, cancelling at the period's end and taking that back, the invoices, and (development
only) moving its dates.

Plan changes, as Stripe Billing makes them:
- an upgrade (a longer interval, or the same interval at a higher price: monthly -> yearly)
  takes effect at once: one invoice of the new plan's price less the unused part of the
  current period at the old price, and a new period from now;
- a downgrade (yearly -> monthly) waits for the end of the paid period (`pending_plan_code`);
- the free plan is a cancel at the period's end; asking for the current plan undoes a
  pending downgrade;
- during a trial the plan changes at once without a charge (the trial goes on, the new plan
  is charged at its end);
- a past-due or held subscription changes no plan (409): it pays first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ott.core.errors import Conflict, NotFound, ValidationFailed
from ott.core.settings import Settings
from ott.subscriptions import billing
from ott.subscriptions.changes import Changes
from ott.subscriptions.checkout import live_subscription, trial_used
from ott.subscriptions.entitlements import current_subscription
from ott.subscriptions.models import InvoiceRow, SubscriptionRow
from ott.subscriptions.periods import Proration, add_interval, interval_days, prorate
from ott.subscriptions.plans import Plan, PlanCatalogue
from ott.subscriptions.providers.base import PaymentProvider
from ott.subscriptions.status import SubscriptionStatus

S = SubscriptionStatus
_CHANGEABLE = frozenset({S.TRIALING, S.ACTIVE})


class NoSubscription(NotFound):
    code = "no_subscription"


class NotChangeable(Conflict):
    code = "subscription_not_changeable"


@dataclass(frozen=True)
class Overview:
    subscription: SubscriptionRow | None
    trial_available: bool


async def overview(*, db: AsyncSession, user_id: uuid.UUID) -> Overview:
    row = await current_subscription(db, user_id)
    return Overview(subscription=row, trial_available=not await trial_used(db, user_id))


async def _live_or_404(db: AsyncSession, user_id: uuid.UUID) -> SubscriptionRow:
    row = await live_subscription(db, user_id, for_update=True)
    if row is None:
        raise NoSubscription("The account has no subscription")
    return row


def _rank(plan: Plan, currency: str) -> tuple[int, object]:
    return interval_days(billing.billed_interval(plan)), billing.price_of(plan, currency)


def _changeable(row: SubscriptionRow, what: str) -> None:
    if row.status not in _CHANGEABLE:
        raise NotChangeable(
            f"A {row.status.value} subscription cannot {what}: pay the open invoice first",
            details={"status": row.status.value},
        )


async def change_plan(
    *,
    db: AsyncSession,
    plans: PlanCatalogue,
    provider: PaymentProvider,
    changes: Changes,
    user_id: uuid.UUID,
    plan_code: str,
    now: datetime,
) -> tuple[SubscriptionRow, InvoiceRow | None]:
    """The subscription after the change, and the upgrade's invoice if one was charged."""
    target = billing.plan_or_404(plans, plan_code)
    row = await _live_or_404(db, user_id)
    if target.free:
        return await cancel(
            db=db, provider=provider, changes=changes, user_id=user_id, now=now
        ), None
    _changeable(row, "change its plan")
    if target.code == row.plan_code:
        if row.pending_plan_code is None:
            raise Conflict(f"The subscription is on {target.code} already", code="same_plan")
        row.pending_plan_code = None  # undo the scheduled downgrade
        row.updated_at = now
        await changes.record(row, now=now)
        return row, None
    if target.prices.get(billing.Currency(row.currency)) is None:
        raise ValidationFailed(
            f"The plan {target.code} has no price in {row.currency}", code="currency_not_offered"
        )
    current = billing.plan_or_404(plans, row.plan_code)
    invoice: InvoiceRow | None = None
    if row.status is S.TRIALING:
        row.plan_code = target.code
        row.pending_plan_code = None
    elif _rank(target, row.currency) > _rank(current, row.currency):
        invoice = await _upgrade(db, provider, row, current=current, target=target, now=now)
    else:
        row.pending_plan_code = target.code
    row.cancel_at_period_end = False
    row.updated_at = now
    await changes.record(row, now=now)
    return row, invoice


async def _upgrade(
    db: AsyncSession,
    provider: PaymentProvider,
    row: SubscriptionRow,
    *,
    current: Plan,
    target: Plan,
    now: datetime,
) -> InvoiceRow:
    if provider.renews_itself:
        raise Conflict(
            f"Upgrades are made at {provider.name} itself for now",
            code="upgrade_at_provider",
        )
    proration: Proration = prorate(
        period_start=row.current_period_start,
        period_end=row.current_period_end,
        now=now,
        old_price=billing.price_of(current, row.currency),
        new_price=billing.price_of(target, row.currency),
    )
    end = add_interval(now, billing.billed_interval(target))
    invoice = billing.new_invoice(
        db,
        row,
        plan=target,
        period_start=now,
        period_end=end,
        amount=proration.amount,
        description=f"Upgrade to {target.name}",
        lines=[
            billing.line(
                f"{target.name}, one {billing.billed_interval(target).value}", proration.new_price
            ),
            billing.line(f"Unused time on {current.name}", -proration.credit),
        ],
        now=now,
    )
    result = await billing.charge(provider, row, invoice, now=now)
    if not result.succeeded:
        raise billing.CardDeclined(
            "The payment for the upgrade was declined: the plan is unchanged",
            details={"reason": result.failure_reason},
        )
    billing.start_period(row, plan=target, start=now, end=end, now=now)
    return invoice


async def cancel(
    *,
    db: AsyncSession,
    provider: PaymentProvider,
    changes: Changes,
    user_id: uuid.UUID,
    now: datetime,
) -> SubscriptionRow:
    """Cancel at the end of the paid period (access stays until then); a past-due or held
    subscription has no paid time left and ends at once."""
    row = await _live_or_404(db, user_id)
    if row.cancel_at_period_end:
        return row
    if row.status in _CHANGEABLE:
        row.cancel_at_period_end = True
        row.updated_at = now
        if row.provider_subscription_id is not None:
            await provider.cancel(
                provider_subscription_id=row.provider_subscription_id, at_period_end=True
            )
    else:
        billing.end(row, now=now)
        if row.provider_subscription_id is not None:
            await provider.cancel(
                provider_subscription_id=row.provider_subscription_id, at_period_end=False
            )
    await changes.record(row, now=now)
    return row


async def resume(
    *, db: AsyncSession, changes: Changes, user_id: uuid.UUID, now: datetime
) -> SubscriptionRow:
    """Take back a cancel at period end (before the period ends)."""
    row = await _live_or_404(db, user_id)
    if not row.cancel_at_period_end:
        raise Conflict("The subscription is not set to end", code="not_canceling")
    _changeable(row, "resume")
    row.cancel_at_period_end = False
    row.updated_at = now
    await changes.record(row, now=now)
    return row


async def invoices(
    *,
    db: AsyncSession,
    user_id: uuid.UUID,
    limit: int,
    after: tuple[datetime, uuid.UUID] | None,
) -> tuple[list[InvoiceRow], tuple[datetime, uuid.UUID] | None]:
    """The account's invoices, newest first, and the position after the page (None: last)."""
    query = select(InvoiceRow).where(InvoiceRow.user_id == user_id)
    if after is not None:
        query = query.where(
            (InvoiceRow.created_at < after[0])
            | ((InvoiceRow.created_at == after[0]) & (InvoiceRow.id < after[1]))
        )
    rows = list(
        (
            await db.scalars(
                query.order_by(InvoiceRow.created_at.desc(), InvoiceRow.id.desc()).limit(limit + 1)
            )
        ).all()
    )
    page = rows[:limit]
    following = (page[-1].created_at, page[-1].id) if len(rows) > limit else None
    return page, following


async def advance(
    *,
    db: AsyncSession,
    changes: Changes,
    settings: Settings,
    user_id: uuid.UUID,
    days: float,
    now: datetime,
) -> SubscriptionRow:
    """Development only: move the live subscription's dates (period, trial, grace, retries,
    the job's next step) and its invoices' periods `days` back, so the next job run finds
    them due."""
    row = await _live_or_404(db, user_id)
    delta = timedelta(days=days)
    for name in (
        "current_period_start",
        "current_period_end",
        "trial_end",
        "past_due_since",
        "grace_until",
        "next_retry_at",
        "next_action_at",
    ):
        value = getattr(row, name)
        if value is not None:
            setattr(row, name, value - delta)
    row.updated_at = now
    await db.flush()
    # One statement: the (deferrable) unique period of invoices is checked at its end.
    await db.execute(
        update(InvoiceRow)
        .where(InvoiceRow.subscription_id == row.id)
        .values(
            period_start=InvoiceRow.period_start - delta,
            period_end=InvoiceRow.period_end - delta,
        )
    )
    await changes.record(row, now=now)
    return row
