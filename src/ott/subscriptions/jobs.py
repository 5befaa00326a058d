"""The subscription job: renewals, retries, the end of grace periods and of canceled
subscriptions, run every SUBSCRIPTION_JOB_INTERVAL_SECONDS by each replica.

All state is in the subscription rows (`next_action`, `next_action_at`), so a restart loses
nothing. Each due row is taken in a transaction of its own:

    SELECT ... FROM subscriptions WHERE next_action IS NOT NULL AND next_action_at <= :now
    ORDER BY next_action_at LIMIT 1 FOR UPDATE SKIP LOCKED

so replicas never take the same row, and the step moves `next_action_at` on before the
commit, so nothing is done twice. A period is charged once: its invoice is unique on
(subscription, period start) and each attempt's idempotency key is
"{subscription}:{period start}:{attempt}", so a charge retried after a crash before the
commit is the same payment at the provider.

Steps (`ScheduledAction`):
- renew, at the period's (or trial's) end: canceled at period end -> canceled; otherwise the
  next period at the pending plan (a downgrade) or the current one is charged: paid -> a new
  period; declined -> past due, the grace period (SUBSCRIPTION_GRACE_DAYS) starts with retries
  at SUBSCRIPTION_RETRY_HOURS after the first failure. A provider that renews by itself is
  given RENEWAL_ALLOWANCE to report the renewal (await_payment), then past due.
- retry: the period's invoice is charged again (paid -> active).
- end_grace: the grace period is over unpaid -> unpaid (the free tier); the invoice is void.
  A later payment (a new checkout) brings the plan back with a new period.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import structlog
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.core.background import running_in_background
from ott.core.entitlements import EntitlementCache
from ott.core.events import EventBus
from ott.core.settings import Settings
from ott.subscriptions import billing
from ott.subscriptions.billing import Outcome
from ott.subscriptions.changes import Changes, announce
from ott.subscriptions.lifecycles import InvoiceEvent, invoice_applies, next_invoice_status
from ott.subscriptions.models import ScheduledAction, SubscriptionRow
from ott.subscriptions.plans import Currency, PlanCatalogue
from ott.subscriptions.providers.base import PaymentProvider

log = structlog.get_logger(__name__)

# At most this many steps per run: a subscription far behind (moved back by /dev/advance)
# catches up over a few runs instead of holding one run for ever.
MAX_STEPS_PER_RUN = 500


class SubscriptionJobs:
    def __init__(
        self,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        plans: PlanCatalogue,
        provider: PaymentProvider,
        cache: EntitlementCache,
        events: EventBus,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.plans = plans
        self.provider = provider
        self.cache = cache
        self.events = events

    async def run_once(self, *, now: datetime | None = None) -> list[Outcome]:
        """Take every due step (at `now`, the clock unless given); what was done."""
        at = now or datetime.now(UTC)
        done: list[Outcome] = []
        while len(done) < MAX_STEPS_PER_RUN:
            changes = Changes(cache=self.cache, plans=self.plans)
            async with self.sessionmaker() as db, db.begin():
                row = (
                    await db.scalars(
                        select(SubscriptionRow)
                        .where(
                            SubscriptionRow.next_action.is_not(None),
                            SubscriptionRow.next_action_at <= at,
                            # Only the configured provider can charge or report its rows.
                            SubscriptionRow.provider == self.provider.name,
                        )
                        .order_by(SubscriptionRow.next_action_at)
                        .limit(1)
                        .with_for_update(skip_locked=True)
                    )
                ).first()
                if row is None:
                    break
                outcome = await self.step(db, row, now=at)
                await changes.record(row, now=at)
            await announce(changes, self.events)
            done.append(outcome)
        if done:
            log.info("subscription_jobs_ran", steps=len(done))
        return done

    async def step(self, db: AsyncSession, row: SubscriptionRow, *, now: datetime) -> Outcome:
        action = row.next_action
        if action is ScheduledAction.RENEW:
            what = await self._renew(db, row, now=now)
        elif action is ScheduledAction.RETRY:
            what = await self._retry(db, row, now=now)
        elif action is ScheduledAction.END_GRACE:
            await self._void_open_invoice(db, row, now=now)
            billing.hold(row, now=now)
            what = "held"
        else:  # AWAIT_PAYMENT: the provider did not report the renewal
            billing.fall_past_due(row, settings=self.settings, provider=self.provider, now=now)
            what = "past_due"
        log.info(
            "subscription_step",
            subscription=str(row.id),
            action=action.value if action else None,
            outcome=what,
            status=row.status.value,
        )
        return Outcome(subscription_id=row.id, action=what, status=row.status)

    async def _renew(self, db: AsyncSession, row: SubscriptionRow, *, now: datetime) -> str:
        if row.cancel_at_period_end:
            billing.end(row, now=now)
            return "ended"
        plan = self.plans.get(row.pending_plan_code or row.plan_code)
        if plan is None or plan.free or Currency(row.currency) not in plan.prices:
            log.warning("subscription_plan_gone", subscription=str(row.id), plan=row.plan_code)
            billing.end(row, now=now)
            return "ended"
        if self.provider.renews_itself:
            billing.schedule(
                row,
                ScheduledAction.AWAIT_PAYMENT,
                row.current_period_end + billing.RENEWAL_ALLOWANCE,
            )
            return "awaiting_provider"
        start, end = billing.next_period(row, plan)
        invoice = await billing.invoice_for_period(db, row.id, start)
        if invoice is None:
            price = billing.price_of(plan, row.currency)
            what = f"{plan.name}, one {billing.billed_interval(plan).value}"
            invoice = billing.new_invoice(
                db,
                row,
                plan=plan,
                period_start=start,
                period_end=end,
                amount=price,
                description=what,
                lines=[billing.line(what, price)],
                now=now,
            )
        result = await billing.charge(self.provider, row, invoice, now=now)
        if result.succeeded:
            billing.start_period(row, plan=plan, start=start, end=end, now=now)
            return "renewed"
        # The new period is the one owed; the grace period keeps the plan while it is retried.
        row.plan_code = plan.code
        row.pending_plan_code = None
        row.current_period_start = start
        row.current_period_end = end
        billing.fall_past_due(row, settings=self.settings, provider=self.provider, now=now)
        return "payment_failed"

    async def _retry(self, db: AsyncSession, row: SubscriptionRow, *, now: datetime) -> str:
        invoice = await billing.invoice_for_period(db, row.id, row.current_period_start)
        if invoice is None or not invoice_applies(invoice.status, InvoiceEvent.PAY):
            # Nothing left to collect: wait for the grace period's end.
            billing.schedule(row, ScheduledAction.END_GRACE, row.grace_until)
            return "nothing_to_retry"
        plan = billing.plan_or_404(self.plans, invoice.plan_code)
        result = await billing.charge(self.provider, row, invoice, now=now)
        if result.succeeded:
            billing.start_period(
                row, plan=plan, start=row.current_period_start, end=row.current_period_end, now=now
            )
            return "recovered"
        billing.fall_past_due(row, settings=self.settings, provider=self.provider, now=now)
        return "retry_failed"

    async def _void_open_invoice(
        self, db: AsyncSession, row: SubscriptionRow, *, now: datetime
    ) -> None:
        invoice = await billing.invoice_for_period(db, row.id, row.current_period_start)
        if invoice is not None and invoice_applies(invoice.status, InvoiceEvent.VOID):
            invoice.status = next_invoice_status(invoice.status, InvoiceEvent.VOID)
            invoice.updated_at = now

    async def run(self, stop: asyncio.Event) -> None:
        interval = self.settings.subscription_job_interval_seconds
        while not stop.is_set():
            try:
                await self.run_once()
            except (SQLAlchemyError, RedisError, OSError) as exc:
                log.warning("subscription jobs: store error, retrying", error=repr(exc))
            except Exception:
                log.exception("subscription jobs failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)


@asynccontextmanager
async def running_jobs(jobs: SubscriptionJobs) -> AsyncIterator[None]:
    """The job loop, for as long as the app runs."""
    async with running_in_background("subscription-jobs", jobs.run):
        yield
