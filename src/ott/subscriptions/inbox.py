"""Payment webhooks: stored in the inbox first, then applied exactly once, in any order.

POST /api/subscriptions/webhooks/{provider}:
1. The provider object verifies the signature and reads the event (`parse_webhook`). A bad
   signature, a stale timestamp or an unreadable body is stored (event_id NULL, outcome
   rejected: a forged event cannot take the id of a real one) and answered 400
   `invalid_webhook`; nothing is applied.
2. `INSERT ... ON CONFLICT (provider, event_id) DO NOTHING`: a copy that is already there
   (a provider's retry, a replay) is answered 200 with `duplicate: true` and changes nothing.
   Two copies arriving at once: the second insert waits for the first transaction and then
   finds its row.
3. In the same transaction the event is applied to its subscription, locked FOR UPDATE (so
   events of one subscription, the job and the viewer's own requests take turns), and the
   outcome is stored:
   - applied;
   - ignored: an event type the platform does not act on, or a payment already recorded;
   - skipped_stale: it no longer means anything for the subscription's status
     (status.applies(): a late invoice.paid after a cancel does not bring it back) or it is
     about a period older than the current one (the payment is recorded on that period's
     invoice, the subscription is not changed);
   - unknown_subscription: about no checkout or subscription here. Answered 200, since
     providers retry any other answer for days; kept, and applied when the checkout it is
     about completes (an invoice.paid that overtook its checkout.session.completed).
   A rule the event breaks (e.g. the account has another subscription) is stored as
   skipped_stale with the reason in `error`.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.core.database import db_now
from ott.core.errors import AppError, NotFound
from ott.core.settings import Settings
from ott.subscriptions import billing
from ott.subscriptions.changes import Changes
from ott.subscriptions.checkout import complete_checkout
from ott.subscriptions.lifecycles import (
    CheckoutStatus,
    InvoiceEvent,
    InvoiceStatus,
    invoice_applies,
    next_invoice_status,
)
from ott.subscriptions.models import (
    CheckoutRow,
    InvoiceRow,
    SubscriptionRow,
    WebhookInboxRow,
    WebhookOutcome,
)
from ott.subscriptions.periods import add_interval
from ott.subscriptions.plans import Currency, PlanCatalogue
from ott.subscriptions.providers.base import (
    PaymentEvent,
    PaymentEventKind,
    PaymentProvider,
    WebhookRejected,
)
from ott.subscriptions.status import SubscriptionEvent, SubscriptionStatus, applies

log = structlog.get_logger(__name__)

Out = WebhookOutcome
K = PaymentEventKind
# A provider's clock and ours differ: a period that starts this close to our period's end is
# the next period.
_CLOCKS = timedelta(hours=1)
# Headers never stored (the caller's credentials, if any were sent).
_SECRET_HEADERS = frozenset({"authorization", "cookie", "x-ott-identity", "proxy-authorization"})


@dataclass(frozen=True)
class Receipt:
    duplicate: bool
    outcome: WebhookOutcome | None
    event_id: str | None


@dataclass(frozen=True)
class _Result:
    outcome: WebhookOutcome
    subscription_id: uuid.UUID | None = None
    error: str | None = None


def kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower() not in _SECRET_HEADERS}


def event_to_json(event: PaymentEvent) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in dataclasses.fields(event):
        value = getattr(event, item.name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, (Decimal, uuid.UUID)):
            value = str(value)
        out[item.name] = value
    return out


def event_from_json(data: Mapping[str, Any]) -> PaymentEvent:
    def when(name: str) -> datetime | None:
        return datetime.fromisoformat(data[name]) if data.get(name) else None

    return PaymentEvent(
        provider=data["provider"],
        event_id=data["event_id"],
        raw_type=data["raw_type"],
        kind=PaymentEventKind(data["kind"]) if data.get("kind") else None,
        occurred_at=datetime.fromisoformat(data["occurred_at"]),
        checkout_reference=uuid.UUID(data["checkout_reference"])
        if data.get("checkout_reference")
        else None,
        provider_subscription_id=data.get("provider_subscription_id"),
        provider_customer_id=data.get("provider_customer_id"),
        provider_payment_id=data.get("provider_payment_id"),
        amount=Decimal(data["amount"]) if data.get("amount") is not None else None,
        currency=Currency(data["currency"]) if data.get("currency") else None,
        period_start=when("period_start"),
        period_end=when("period_end"),
        failure_reason=data.get("failure_reason"),
    )


async def store_rejected(
    db: AsyncSession,
    *,
    provider_name: str,
    body: bytes,
    headers: Mapping[str, str],
    error: WebhookRejected,
    now: datetime,
) -> None:
    db.add(
        WebhookInboxRow(
            id=uuid.uuid4(),
            provider=provider_name,
            event_id=None,
            raw_type=None,
            raw_body=body,
            headers=kept_headers(headers),
            signature_ok=False,
            event=None,
            subscription_id=None,
            received_at=now,
            applied_at=None,
            outcome=Out.REJECTED,
            error=error.message,
        )
    )


async def receive(
    db: AsyncSession,
    *,
    event: PaymentEvent,
    body: bytes,
    headers: Mapping[str, str],
    settings: Settings,
    plans: PlanCatalogue,
    provider: PaymentProvider,
    changes: Changes,
    now: datetime,
) -> Receipt:
    """Store a verified event and apply it, unless a copy is there already."""
    inbox_id = uuid.uuid4()
    inserted = await db.scalar(
        insert(WebhookInboxRow)
        .values(
            id=inbox_id,
            provider=event.provider,
            event_id=event.event_id,
            raw_type=event.raw_type,
            raw_body=body,
            headers=kept_headers(headers),
            signature_ok=True,
            event=event_to_json(event),
            received_at=now,
        )
        .on_conflict_do_nothing(index_elements=["provider", "event_id"])
        .returning(WebhookInboxRow.id)
    )
    if inserted is None:
        return Receipt(duplicate=True, outcome=None, event_id=event.event_id)
    applier = _Applier(db, settings=settings, plans=plans, provider=provider, changes=changes)
    result = await applier.apply_safely(event, now=now)
    await _store_outcome(db, inbox_id, result, now=now)
    if event.kind is K.CHECKOUT_COMPLETED and result.outcome is Out.APPLIED:
        await applier.replay_parked(event, now=now)
    log.info(
        "webhook_received",
        provider=event.provider,
        event_id=event.event_id,
        type=event.raw_type,
        outcome=result.outcome.value,
    )
    return Receipt(duplicate=False, outcome=result.outcome, event_id=event.event_id)


async def intake(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    provider: PaymentProvider,
    provider_name: str,
    body: bytes,
    headers: Mapping[str, str],
    settings: Settings,
    plans: PlanCatalogue,
    changes: Changes,
) -> Receipt:
    """A webhook as it arrived at /webhooks/{provider_name}: verified by the configured
    provider, stored and applied once (`receive`), each in a transaction of its own. One that
    fails verification is stored as rejected and raises WebhookRejected (400); one for another
    provider than the configured one is 404."""
    if provider_name != provider.name:
        raise NotFound(f"Webhooks of {provider_name!r} are not taken here", code="unknown_provider")
    received_at = datetime.now(UTC)
    try:
        event = provider.parse_webhook(body=body, headers=headers, received_at=received_at)
    except WebhookRejected as rejected:
        async with sessionmaker() as db, db.begin():
            await store_rejected(
                db,
                provider_name=provider_name,
                body=body,
                headers=headers,
                error=rejected,
                now=received_at,
            )
        raise
    async with sessionmaker() as db, db.begin():
        return await receive(
            db,
            event=event,
            body=body,
            headers=headers,
            settings=settings,
            plans=plans,
            provider=provider,
            changes=changes,
            now=await db_now(db),
        )


async def _store_outcome(
    db: AsyncSession, inbox_id: uuid.UUID, result: _Result, *, now: datetime
) -> None:
    row = await db.get(WebhookInboxRow, inbox_id)
    assert row is not None
    row.outcome = result.outcome
    row.subscription_id = result.subscription_id
    row.error = result.error
    row.applied_at = now if result.outcome is Out.APPLIED else None


@dataclass
class _Applier:
    db: AsyncSession
    settings: Settings
    plans: PlanCatalogue
    provider: PaymentProvider
    changes: Changes

    async def apply_safely(self, event: PaymentEvent, *, now: datetime) -> _Result:
        try:
            async with self.db.begin_nested():
                return await self.apply(event, now=now)
        except AppError as exc:  # a rule the event breaks: recorded, not retried
            return _Result(Out.SKIPPED_STALE, error=f"{exc.code}: {exc.message}")

    async def apply(self, event: PaymentEvent, *, now: datetime) -> _Result:
        if event.kind is None:
            return _Result(Out.IGNORED)
        if event.kind is K.CHECKOUT_COMPLETED:
            return await self._checkout_completed(event, now=now)
        if event.kind is K.REFUNDED:
            return await self._refunded(event, now=now)
        row = await self._subscription(event)
        if row is None:
            return _Result(Out.UNKNOWN_SUBSCRIPTION)
        if event.kind is K.INVOICE_PAID:
            outcome = await self._paid(row, event, now=now)
        elif event.kind is K.INVOICE_PAYMENT_FAILED:
            outcome = await self._failed(row, event, now=now)
        else:  # SUBSCRIPTION_CANCELED
            outcome = Out.SKIPPED_STALE
            if applies(row.status, SubscriptionEvent.ENDED):
                billing.end(row, now=now)
                outcome = Out.APPLIED
        if outcome is Out.APPLIED:
            await self.changes.record(row, now=now)
        return _Result(outcome, subscription_id=row.id)

    async def _checkout_completed(self, event: PaymentEvent, *, now: datetime) -> _Result:
        if event.checkout_reference is None:
            return _Result(Out.UNKNOWN_SUBSCRIPTION)
        checkout = (
            await self.db.scalars(
                select(CheckoutRow)
                .where(CheckoutRow.id == event.checkout_reference)
                .with_for_update()
            )
        ).first()
        if checkout is None:
            return _Result(Out.UNKNOWN_SUBSCRIPTION)
        if checkout.status is not CheckoutStatus.OPEN:
            return _Result(Out.SKIPPED_STALE, subscription_id=checkout.subscription_id)
        row = await complete_checkout(
            db=self.db,
            plans=self.plans,
            changes=self.changes,
            checkout=checkout,
            provider_customer_id=event.provider_customer_id,
            provider_subscription_id=event.provider_subscription_id,
            payment_id=event.provider_payment_id,
            now=now,
        )
        return _Result(Out.APPLIED, subscription_id=row.id)

    async def _subscription(self, event: PaymentEvent) -> SubscriptionRow | None:
        query = select(SubscriptionRow).with_for_update()
        if event.provider_subscription_id is not None:
            found = (
                await self.db.scalars(
                    query.where(
                        SubscriptionRow.provider == event.provider,
                        SubscriptionRow.provider_subscription_id == event.provider_subscription_id,
                    )
                )
            ).first()
            if found is not None:
                return found
        if event.checkout_reference is not None:
            # Locked: an event that races its checkout's completion either waits for it (and
            # sees its subscription) or is parked before the completion's replay_parked looks.
            subscription_id = await self.db.scalar(
                select(CheckoutRow.subscription_id)
                .where(CheckoutRow.id == event.checkout_reference)
                .with_for_update()
            )
            if subscription_id is not None:
                return (
                    await self.db.scalars(query.where(SubscriptionRow.id == subscription_id))
                ).first()
        return None

    def _period(self, row: SubscriptionRow, event: PaymentEvent) -> tuple[datetime, datetime]:
        owed = row.status in (SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID)
        start = event.period_start or (
            row.current_period_start
            if owed and not self.provider.renews_itself
            else row.current_period_end
        )
        plan = self.plans.get(row.pending_plan_code or row.plan_code)
        if event.period_end is not None:
            return start, event.period_end
        interval = plan.interval if plan is not None and plan.interval is not None else None
        return start, add_interval(start, interval) if interval else row.current_period_end

    async def _invoice(
        self,
        row: SubscriptionRow,
        event: PaymentEvent,
        start: datetime,
        end: datetime,
        *,
        now: datetime,
    ) -> InvoiceRow:
        if event.provider_payment_id is not None:
            found = (
                await self.db.scalars(
                    select(InvoiceRow).where(
                        InvoiceRow.subscription_id == row.id,
                        InvoiceRow.provider_payment_id == event.provider_payment_id,
                    )
                )
            ).first()
            if found is not None:
                return found
        found = await billing.invoice_for_period(self.db, row.id, start)
        if found is not None:
            return found
        plan = self.plans.get(row.pending_plan_code or row.plan_code)
        amount = event.amount if event.amount is not None else Decimal(0)
        what = f"{plan.name if plan else row.plan_code} ({event.raw_type})"
        return billing.new_invoice(
            self.db,
            row,
            plan=plan or self.plans.free_plan,
            period_start=start,
            period_end=end,
            amount=amount,
            description=what,
            lines=[billing.line(what, amount)],
            now=now,
        )

    async def _paid(self, row: SubscriptionRow, event: PaymentEvent, *, now: datetime) -> Out:
        start, end = self._period(row, event)
        invoice = await self._invoice(row, event, start, end, now=now)
        if invoice.status is InvoiceStatus.PAID:
            return Out.IGNORED  # this payment is recorded already
        if invoice_applies(invoice.status, InvoiceEvent.PAY):
            billing.mark_paid(invoice, payment_id=event.provider_payment_id, now=now)
        if end <= row.current_period_start + _CLOCKS:
            return Out.SKIPPED_STALE  # an older period: recorded, not applied
        if not applies(row.status, SubscriptionEvent.PAID):
            return Out.SKIPPED_STALE  # canceled (or paused): a late payment brings nothing back
        if row.status is SubscriptionStatus.TRIALING and not (event.amount or 0):
            return Out.IGNORED  # the trial's own zero invoice
        plan = self.plans.get(row.pending_plan_code or row.plan_code)
        if plan is None or plan.free:
            return Out.SKIPPED_STALE
        renewal = start >= row.current_period_end - _CLOCKS
        if renewal or row.status is SubscriptionStatus.UNPAID:
            billing.start_period(row, plan=plan, start=start, end=end, now=now)
        else:  # the current period paid (a retry that succeeded, or the first payment)
            billing.start_period(
                row,
                plan=billing.plan_or_404(self.plans, row.plan_code),
                start=row.current_period_start,
                end=max(row.current_period_end, end),
                now=now,
            )
        return Out.APPLIED

    async def _failed(self, row: SubscriptionRow, event: PaymentEvent, *, now: datetime) -> Out:
        start, end = self._period(row, event)
        if end <= row.current_period_start + _CLOCKS:
            return Out.SKIPPED_STALE
        if not applies(row.status, SubscriptionEvent.PAYMENT_FAILED):
            return Out.SKIPPED_STALE
        invoice = await self._invoice(row, event, start, end, now=now)
        if invoice_applies(invoice.status, InvoiceEvent.FAIL):
            invoice.attempts += 1
            billing.mark_failed(invoice, reason=event.failure_reason, now=now)
        billing.fall_past_due(row, settings=self.settings, provider=self.provider, now=now)
        return Out.APPLIED

    async def _refunded(self, event: PaymentEvent, *, now: datetime) -> _Result:
        if event.provider_payment_id is None:
            return _Result(Out.IGNORED, error="no payment named")
        invoice = (
            await self.db.scalars(
                select(InvoiceRow)
                .where(InvoiceRow.provider_payment_id == event.provider_payment_id)
                .with_for_update()
            )
        ).first()
        if invoice is None:
            return _Result(Out.UNKNOWN_SUBSCRIPTION)
        if not invoice_applies(invoice.status, InvoiceEvent.REFUND):
            return _Result(Out.SKIPPED_STALE, subscription_id=invoice.subscription_id)
        # The money goes back; the time already given is not taken back.
        invoice.status = next_invoice_status(invoice.status, InvoiceEvent.REFUND)
        invoice.updated_at = now
        return _Result(Out.APPLIED, subscription_id=invoice.subscription_id)

    async def replay_parked(self, completed: PaymentEvent, *, now: datetime) -> None:
        """Apply the events that came before the checkout they are about."""
        conditions = []
        if completed.checkout_reference is not None:
            conditions.append(
                WebhookInboxRow.event["checkout_reference"].astext
                == str(completed.checkout_reference)
            )
        if completed.provider_subscription_id is not None:
            conditions.append(
                WebhookInboxRow.event["provider_subscription_id"].astext
                == completed.provider_subscription_id
            )
        if not conditions:
            return
        parked = (
            await self.db.scalars(
                select(WebhookInboxRow)
                .where(
                    WebhookInboxRow.provider == completed.provider,
                    WebhookInboxRow.outcome == Out.UNKNOWN_SUBSCRIPTION,
                    or_(*conditions),
                )
                .order_by(WebhookInboxRow.received_at)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for inbox_row in parked:
            if inbox_row.event is None:
                continue
            event = event_from_json(inbox_row.event)
            result = await self.apply_safely(event, now=now)
            await _store_outcome(self.db, inbox_row.id, result, now=now)
