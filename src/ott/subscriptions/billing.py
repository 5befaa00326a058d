"""The steps every path shares on a subscription row it holds locked (FOR UPDATE): starting a
period, charging an invoice, falling past due and scheduling the job's next step.

Nothing here commits; the caller's transaction does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ott.core.errors import AppError, NotFound
from ott.core.settings import Settings
from ott.subscriptions.lifecycles import InvoiceEvent, InvoiceStatus, next_invoice_status
from ott.subscriptions.models import InvoiceRow, ScheduledAction, SubscriptionRow
from ott.subscriptions.periods import add_interval, money
from ott.subscriptions.plans import BillingInterval, Currency, Plan, PlanCatalogue
from ott.subscriptions.providers.base import ChargeResult, PaymentProvider
from ott.subscriptions.status import SubscriptionEvent, SubscriptionStatus, next_status

# How long after a period's end a provider that renews by itself may take to report the
# renewal before the subscription counts as past due.
RENEWAL_ALLOWANCE = timedelta(hours=2)


class PlanNotFound(NotFound):
    code = "plan_not_found"


def plan_or_404(plans: PlanCatalogue, code: str) -> Plan:
    plan = plans.get(code)
    if plan is None:
        raise PlanNotFound(
            f"There is no plan {code!r}", details={"plans": [p.code for p in plans.plans]}
        )
    return plan


def billed_interval(plan: Plan) -> BillingInterval:
    assert plan.interval is not None, f"{plan.code} is the free plan: it is never billed"
    return plan.interval


def price_of(plan: Plan, currency: str) -> Decimal:
    return money(plan.prices[Currency(currency)])


def line(description: str, amount: Decimal) -> dict[str, Any]:
    return {"description": description, "amount": str(money(amount))}


def idempotency_key(invoice: InvoiceRow) -> str:
    """One key per attempt at one period: a retried call of the same attempt (after a crash
    before the commit) is the same payment at the provider."""
    return f"{invoice.subscription_id}:{invoice.period_start.isoformat()}:{invoice.attempts}"


async def invoice_for_period(
    db: AsyncSession, subscription_id: uuid.UUID, period_start: datetime
) -> InvoiceRow | None:
    return (
        await db.scalars(
            select(InvoiceRow).where(
                InvoiceRow.subscription_id == subscription_id,
                InvoiceRow.period_start == period_start,
            )
        )
    ).first()


def new_invoice(
    db: AsyncSession,
    row: SubscriptionRow,
    *,
    plan: Plan,
    period_start: datetime,
    period_end: datetime,
    amount: Decimal,
    description: str,
    lines: list[dict[str, Any]],
    now: datetime,
) -> InvoiceRow:
    invoice = InvoiceRow(
        id=uuid.uuid4(),
        subscription_id=row.id,
        user_id=row.user_id,
        plan_code=plan.code,
        period_start=period_start,
        period_end=period_end,
        amount=money(amount),
        currency=row.currency,
        status=InvoiceStatus.OPEN,
        attempts=0,
        provider_payment_id=None,
        failure_reason=None,
        description=description,
        lines=lines,
        created_at=now,
        updated_at=now,
        paid_at=None,
    )
    db.add(invoice)
    return invoice


def mark_paid(invoice: InvoiceRow, *, payment_id: str | None, now: datetime) -> None:
    invoice.status = next_invoice_status(invoice.status, InvoiceEvent.PAY)
    invoice.provider_payment_id = payment_id or invoice.provider_payment_id
    invoice.failure_reason = None
    invoice.paid_at = now
    invoice.updated_at = now


def mark_failed(invoice: InvoiceRow, *, reason: str | None, now: datetime) -> None:
    invoice.status = next_invoice_status(invoice.status, InvoiceEvent.FAIL)
    invoice.failure_reason = reason
    invoice.updated_at = now


async def charge(
    provider: PaymentProvider, row: SubscriptionRow, invoice: InvoiceRow, *, now: datetime
) -> ChargeResult:
    """One attempt at an invoice; the invoice records the outcome."""
    invoice.attempts += 1
    if invoice.amount <= 0:
        result = ChargeResult(succeeded=True)
    else:
        result = await provider.charge(
            provider_customer_id=row.provider_customer_id,
            amount=invoice.amount,
            currency=Currency(invoice.currency),
            idempotency_key=idempotency_key(invoice),
            description=invoice.description,
        )
    if result.succeeded:
        mark_paid(invoice, payment_id=result.provider_payment_id, now=now)
    else:
        mark_failed(invoice, reason=result.failure_reason, now=now)
    return result


def schedule(row: SubscriptionRow, action: ScheduledAction | None, at: datetime | None) -> None:
    row.next_action = action
    row.next_action_at = at if action is not None else None


def renewal_at(row: SubscriptionRow) -> datetime:
    return row.current_period_end


def start_period(
    row: SubscriptionRow,
    *,
    plan: Plan,
    start: datetime,
    end: datetime,
    now: datetime,
    event: SubscriptionEvent = SubscriptionEvent.PAID,
) -> None:
    """A paid period begins: the plan is in force until `end`, when the job renews it."""
    row.status = next_status(row.status, event)
    row.plan_code = plan.code
    row.current_period_start = start
    row.current_period_end = end
    row.pending_plan_code = None
    row.past_due_since = None
    row.grace_until = None
    row.next_retry_at = None
    row.updated_at = now
    schedule(row, ScheduledAction.RENEW, end)


def next_period(row: SubscriptionRow, plan: Plan) -> tuple[datetime, datetime]:
    start = row.current_period_end
    return start, add_interval(start, billed_interval(plan))


def fall_past_due(
    row: SubscriptionRow, *, settings: Settings, provider: PaymentProvider, now: datetime
) -> None:
    """A renewal was not paid: the grace period starts (or goes on) with retries in it."""
    row.status = next_status(row.status, SubscriptionEvent.PAYMENT_FAILED)
    if row.past_due_since is None:
        row.past_due_since = now
        row.grace_until = now + timedelta(days=settings.subscription_grace_days)
    row.updated_at = now
    schedule_retry(row, settings=settings, provider=provider, now=now)


def schedule_retry(
    row: SubscriptionRow, *, settings: Settings, provider: PaymentProvider, now: datetime
) -> None:
    """The next retry inside the grace period (SUBSCRIPTION_RETRY_HOURS after the first
    failure), else the grace period's end. A provider that renews by itself retries itself."""
    assert row.past_due_since is not None
    assert row.grace_until is not None
    retry: datetime | None = None
    if not provider.renews_itself:
        for hours in settings.subscription_retry_hours:
            at = row.past_due_since + timedelta(hours=hours)
            if now < at < row.grace_until:
                retry = at
                break
    row.next_retry_at = retry
    if retry is not None:
        schedule(row, ScheduledAction.RETRY, retry)
    else:
        schedule(row, ScheduledAction.END_GRACE, row.grace_until)


def end(row: SubscriptionRow, *, now: datetime) -> None:
    row.status = next_status(row.status, SubscriptionEvent.ENDED)
    row.canceled_at = now
    row.updated_at = now
    row.next_retry_at = None
    schedule(row, None, None)


def hold(row: SubscriptionRow, *, now: datetime) -> None:
    """The grace period is over unpaid: the free tier until a payment brings the plan back."""
    row.status = next_status(row.status, SubscriptionEvent.GRACE_ENDED)
    row.next_retry_at = None
    row.updated_at = now
    schedule(row, None, None)


@dataclass(frozen=True)
class Outcome:
    """What one step did, for the job's report and the tests."""

    subscription_id: uuid.UUID
    action: str
    status: SubscriptionStatus


class CardDeclined(AppError):
    """The payment was declined (402): nothing changed, the checkout stays open."""

    status_code, code = 402, "card_declined"
