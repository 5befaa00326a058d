"""Checkouts: the viewer picks a plan, pays at the provider (or on the development page), and
a completed checkout makes the subscription.

Rules:
- an unknown plan is 404 `plan_not_found`; the free plan is never checked out (422
  `free_plan_not_billed`); a currency the plan has no price in is 422 `currency_not_offered`;
- an account has at most one live subscription: a second checkout is 409
  `subscription_exists`, except when the live one is on hold (unpaid): then the checkout pays
  for it again (a new period from the payment, no trial);
- one trial per account, ever: asking for one again is 409 `trial_already_used` (the client
  asks with `trial: false` instead; GET /me says whether the trial is still there);
- a checkout is open for CHECKOUT_LIFETIME; completing it twice is 409 `checkout_not_open`.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ott.core.errors import Conflict, Gone, NotFound, ValidationFailed
from ott.core.settings import Settings
from ott.subscriptions import billing
from ott.subscriptions.changes import Changes
from ott.subscriptions.lifecycles import (
    CheckoutEvent,
    CheckoutStatus,
    next_checkout_status,
)
from ott.subscriptions.models import CheckoutRow, ScheduledAction, SubscriptionRow, TrialRow
from ott.subscriptions.periods import add_interval
from ott.subscriptions.plans import Currency, Plan, PlanCatalogue
from ott.subscriptions.providers.base import PaymentProvider
from ott.subscriptions.providers.development import DevelopmentProvider
from ott.subscriptions.status import SubscriptionEvent, SubscriptionStatus

CHECKOUT_LIFETIME = timedelta(hours=24)


class SubscriptionExists(Conflict):
    code = "subscription_exists"


class TrialAlreadyUsed(Conflict):
    code = "trial_already_used"


class CheckoutNotFound(NotFound):
    code = "checkout_not_found"


async def live_subscription(
    db: AsyncSession, user_id: uuid.UUID, *, for_update: bool = False
) -> SubscriptionRow | None:
    query = select(SubscriptionRow).where(
        SubscriptionRow.user_id == user_id, SubscriptionRow.status != SubscriptionStatus.CANCELED
    )
    if for_update:
        query = query.with_for_update()
    return (await db.scalars(query)).first()


async def trial_used(db: AsyncSession, user_id: uuid.UUID) -> bool:
    return bool(await db.scalar(select(exists().where(TrialRow.user_id == user_id))))


def _billed_plan(plans: PlanCatalogue, plan_code: str, currency: Currency) -> Plan:
    plan = billing.plan_or_404(plans, plan_code)
    if plan.free:
        raise ValidationFailed(
            "The free plan needs no checkout: an account without a subscription has it",
            code="free_plan_not_billed",
        )
    if currency not in plan.prices:
        raise ValidationFailed(
            f"The plan {plan.code} has no price in {currency.value}",
            code="currency_not_offered",
            details={"currencies": sorted(plan.prices)},
        )
    return plan


async def create_checkout(
    *,
    db: AsyncSession,
    settings: Settings,
    plans: PlanCatalogue,
    provider: PaymentProvider,
    user_id: uuid.UUID,
    email: str,
    plan_code: str,
    currency: Currency,
    trial: bool,
    now: datetime,
) -> CheckoutRow:
    plan = _billed_plan(plans, plan_code, currency)
    live = await live_subscription(db, user_id)
    if live is not None and live.status is not SubscriptionStatus.UNPAID:
        raise SubscriptionExists(
            "The account already has a subscription: change its plan instead",
            details={"subscription_id": str(live.id), "status": live.status.value},
        )
    trial_days = 0
    if live is None and trial and plan.trial_days > 0:
        if await trial_used(db, user_id):
            raise TrialAlreadyUsed(
                "This account has had its free trial: check out with trial set to false"
            )
        trial_days = plan.trial_days
    reference = uuid.uuid4()
    amount = billing.price_of(plan, currency)
    base = settings.public_base_url.rstrip("/")
    made = await provider.create_checkout(
        checkout_reference=reference,
        user_id=user_id,
        email=email,
        plan=plan,
        currency=currency,
        amount=amount,
        trial_days=trial_days,
        success_url=f"{base}/account/?checkout={reference}",
        cancel_url=f"{base}/account/",
    )
    checkout = CheckoutRow(
        id=reference,
        user_id=user_id,
        plan_code=plan.code,
        currency=currency.value,
        amount=amount,
        trial_days=trial_days,
        status=CheckoutStatus.OPEN,
        provider=provider.name,
        provider_reference=made.provider_reference,
        url=made.url,
        subscription_id=live.id if live is not None else None,
        created_at=now,
        expires_at=now + CHECKOUT_LIFETIME,
        completed_at=None,
    )
    db.add(checkout)
    await db.flush()
    return checkout


async def own_checkout(
    db: AsyncSession, *, user_id: uuid.UUID, reference: uuid.UUID, for_update: bool = False
) -> CheckoutRow:
    query = select(CheckoutRow).where(CheckoutRow.id == reference, CheckoutRow.user_id == user_id)
    if for_update:
        query = query.with_for_update()
    checkout = (await db.scalars(query)).first()
    if checkout is None:
        raise CheckoutNotFound("No such checkout of this account")
    return checkout


def ensure_open(checkout: CheckoutRow, *, now: datetime) -> None:
    next_checkout_status(checkout.status, CheckoutEvent.COMPLETE)  # 409 unless open
    if checkout.expires_at <= now:
        raise Gone("The checkout has expired: start a new one", code="checkout_expired")


async def complete_checkout(
    *,
    db: AsyncSession,
    plans: PlanCatalogue,
    changes: Changes,
    checkout: CheckoutRow,
    provider_customer_id: str | None,
    provider_subscription_id: str | None,
    payment_id: str | None,
    now: datetime,
) -> SubscriptionRow:
    """The checkout is paid (or, with a trial, its card is in): make the subscription, or
    bring a held one back. `checkout` is locked by the caller and open."""
    plan = billing.plan_or_404(plans, checkout.plan_code)
    interval = billing.billed_interval(plan)
    checkout.status = next_checkout_status(checkout.status, CheckoutEvent.COMPLETE)
    checkout.completed_at = now
    if checkout.subscription_id is not None:
        row = await _reactivate(db, checkout=checkout, plan=plan, now=now)
    else:
        row = await _subscribe(db, checkout=checkout, plan=plan, now=now)
    if provider_customer_id is not None:
        row.provider_customer_id = provider_customer_id
    if provider_subscription_id is not None:
        row.provider_subscription_id = provider_subscription_id
    checkout.subscription_id = row.id
    trial_end = row.trial_end if row.status is SubscriptionStatus.TRIALING else None
    charged = checkout.amount if trial_end is None else Decimal(0)
    what = (
        f"{plan.name}, {checkout.trial_days}-day free trial"
        if trial_end is not None
        else f"{plan.name}, one {interval.value}"
    )
    invoice = billing.new_invoice(
        db,
        row,
        plan=plan,
        period_start=row.current_period_start,
        period_end=row.current_period_end,
        amount=charged,
        description=what,
        lines=[billing.line(what, charged)],
        now=now,
    )
    billing.mark_paid(invoice, payment_id=payment_id, now=now)
    try:
        await db.flush()
    except IntegrityError as exc:  # another checkout of the account completed first
        raise SubscriptionExists("The account already has a subscription") from exc
    await changes.record(row, now=now)
    return row


async def _subscribe(
    db: AsyncSession, *, checkout: CheckoutRow, plan: Plan, now: datetime
) -> SubscriptionRow:
    if await live_subscription(db, checkout.user_id) is not None:
        raise SubscriptionExists("The account already has a subscription")
    trial_end = now + timedelta(days=checkout.trial_days) if checkout.trial_days else None
    row = SubscriptionRow(
        id=uuid.uuid4(),
        user_id=checkout.user_id,
        plan_code=plan.code,
        currency=checkout.currency,
        status=SubscriptionStatus.TRIALING if trial_end else SubscriptionStatus.ACTIVE,
        provider=checkout.provider,
        provider_customer_id=None,
        provider_subscription_id=None,
        current_period_start=now,
        current_period_end=trial_end or add_interval(now, billing.billed_interval(plan)),
        trial_end=trial_end,
        cancel_at_period_end=False,
        pending_plan_code=None,
        past_due_since=None,
        grace_until=None,
        next_retry_at=None,
        next_action=None,
        next_action_at=None,
        created_at=now,
        updated_at=now,
        canceled_at=None,
    )
    billing.schedule(row, ScheduledAction.RENEW, row.current_period_end)
    db.add(row)
    if trial_end is not None:
        db.add(
            TrialRow(
                user_id=checkout.user_id,
                subscription_id=row.id,
                plan_code=plan.code,
                started_at=now,
            )
        )
    try:
        await db.flush()
    except IntegrityError as exc:  # a trial or a subscription made meanwhile
        raise SubscriptionExists(
            "The account got a subscription or its trial meanwhile: start a new checkout"
        ) from exc
    return row


async def _reactivate(
    db: AsyncSession, *, checkout: CheckoutRow, plan: Plan, now: datetime
) -> SubscriptionRow:
    row = (
        await db.scalars(
            select(SubscriptionRow)
            .where(SubscriptionRow.id == checkout.subscription_id)
            .with_for_update()
        )
    ).one()
    if row.status is not SubscriptionStatus.UNPAID:
        raise SubscriptionExists(
            "The subscription this checkout was to pay for is no longer on hold",
            details={"status": row.status.value},
        )
    row.currency = checkout.currency
    row.cancel_at_period_end = False
    billing.start_period(
        row,
        plan=plan,
        start=now,
        end=add_interval(now, billing.billed_interval(plan)),
        now=now,
        event=SubscriptionEvent.PAID,
    )
    return row


async def pay_with_test_card(
    *,
    db: AsyncSession,
    plans: PlanCatalogue,
    provider: PaymentProvider,
    changes: Changes,
    user_id: uuid.UUID,
    reference: uuid.UUID,
    card_number: str,
    now: datetime,
) -> tuple[CheckoutRow, SubscriptionRow]:
    """Pay one of the caller's open checkouts on the development provider's page with one of
    its test cards; the checkout and the subscription it made. 404 under any other provider
    (their checkouts are paid on their own pages); a declined card leaves it open (402)."""
    if not isinstance(provider, DevelopmentProvider):
        raise NotFound("Checkouts are completed at the payment provider", code="not_found")
    row = await own_checkout(db, user_id=user_id, reference=reference, for_update=True)
    ensure_open(row, now=now)
    paid = await provider.pay_at_checkout(
        card_number=card_number,
        amount=Decimal(0) if row.trial_days else row.amount,
        idempotency_key=f"checkout:{row.id}",
    )
    if not paid.result.succeeded:
        raise billing.CardDeclined(
            "The card was declined: try another one",
            details={"reason": paid.result.failure_reason},
        )
    subscription = await complete_checkout(
        db=db,
        plans=plans,
        changes=changes,
        checkout=row,
        provider_customer_id=paid.provider_customer_id,
        provider_subscription_id=None,
        payment_id=paid.result.provider_payment_id,
        now=now,
    )
    return row, subscription
