"""HTTP routes of the subscription service (prefix /api/subscriptions)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request

from ott.core.cursors import InvalidCursor, decode_cursor, encode_cursor
from ott.core.database import db_now
from ott.core.dependencies import DbSession, Events, ReadDbSession, Sessionmaker
from ott.core.entitlements import Entitlement
from ott.core.errors import NotFound
from ott.core.identity import CurrentIdentity
from ott.core.openapi import error_responses
from ott.core.settings import Environment
from ott.subscriptions import checkout as checkouts
from ott.subscriptions import inbox, service
from ott.subscriptions.accounts import email_of
from ott.subscriptions.billing import price_of
from ott.subscriptions.changes import Changes, announce
from ott.subscriptions.dependencies import Runtime
from ott.subscriptions.entitlements import entitlement_of
from ott.subscriptions.models import CheckoutRow, InvoiceRow, SubscriptionRow
from ott.subscriptions.plans import Currency, PlanCatalogue
from ott.subscriptions.schemas import (
    AdvanceRequest,
    ChangePlanOut,
    ChangePlanRequest,
    CheckoutOut,
    CheckoutRequest,
    CompleteCheckoutRequest,
    CompletedCheckout,
    InvoiceOut,
    InvoicePage,
    InvoicesQuery,
    MeOut,
    PendingChange,
    PlanOut,
    PlansOut,
    SubscriptionOut,
    WebhookAnswer,
)

router = APIRouter(prefix="/api/subscriptions", tags=["subscriptions"])

_CURSOR_FIELDS = frozenset({"c", "i"})


def _subscription_out(row: SubscriptionRow) -> SubscriptionOut:
    return SubscriptionOut.model_validate(row)


def _checkout_out(row: CheckoutRow, plans: PlanCatalogue) -> CheckoutOut:
    plan = plans.get(row.plan_code)
    return CheckoutOut(
        reference=row.id,
        url=row.url,
        plan_code=row.plan_code,
        plan_name=plan.name if plan else row.plan_code,
        currency=Currency(row.currency),
        amount=row.amount,
        trial_days=row.trial_days,
        due_now=Decimal(0) if row.trial_days else row.amount,
        status=row.status,
        provider=row.provider,
        expires_at=row.expires_at,
        subscription_id=row.subscription_id,
    )


def _invoice_out(row: InvoiceRow) -> InvoiceOut:
    return InvoiceOut.model_validate(row)


def _pending(row: SubscriptionRow | None) -> PendingChange | None:
    if row is None or row.status.value == "canceled":
        return None
    if row.cancel_at_period_end:
        return PendingChange(plan_code=None, at=row.current_period_end)
    if row.pending_plan_code is not None:
        return PendingChange(plan_code=row.pending_plan_code, at=row.current_period_end)
    return None


def _announce_later(background: BackgroundTasks, changes: Changes, events: Events) -> None:
    """After the request's transaction has committed (background tasks run after it)."""
    background.add_task(announce, changes, events)


@router.get("/plans", summary="The plans: what each gives and costs")
async def plans(runtime: Runtime) -> PlansOut:
    return PlansOut(
        plans=[
            PlanOut(
                code=plan.code,
                name=plan.name,
                interval=plan.interval,
                prices={currency: price_of(plan, currency) for currency in plan.prices},
                trial_days=plan.trial_days,
                features=plan.features,
            )
            for plan in runtime.plans.plans
        ]
    )


@router.get("/entitlements", summary="What the caller's account may do now")
async def entitlements(identity: CurrentIdentity, runtime: Runtime) -> Entitlement:
    return await runtime.entitlements.of(identity.user_id)


@router.get("/me", summary="The account's subscription, what it gives and what is pending")
async def me(identity: CurrentIdentity, runtime: Runtime, db: ReadDbSession) -> MeOut:
    found = await service.overview(db=db, user_id=identity.user_id)
    row = found.subscription
    return MeOut(
        subscription=_subscription_out(row) if row is not None else None,
        entitlement=entitlement_of(user_id=identity.user_id, row=row, plans=runtime.plans),
        trial_available=found.trial_available,
        pending_change=_pending(row),
    )


@router.post(
    "/checkout",
    status_code=201,
    summary="Start paying for a plan: where to send the viewer",
    responses=error_responses(404, 409),
)
async def create_checkout(
    body: CheckoutRequest, identity: CurrentIdentity, runtime: Runtime, db: DbSession
) -> CheckoutOut:
    email = await email_of(runtime.auth, identity, runtime.settings)
    row = await checkouts.create_checkout(
        db=db,
        settings=runtime.settings,
        plans=runtime.plans,
        provider=runtime.provider,
        user_id=identity.user_id,
        email=email,
        plan_code=body.plan_code,
        currency=body.currency,
        trial=body.trial,
        now=await db_now(db),
    )
    return _checkout_out(row, runtime.plans)


@router.get("/checkouts/{reference}", summary="One of the caller's checkouts")
async def get_checkout(
    reference: uuid.UUID, identity: CurrentIdentity, runtime: Runtime, db: ReadDbSession
) -> CheckoutOut:
    row = await checkouts.own_checkout(db, user_id=identity.user_id, reference=reference)
    return _checkout_out(row, runtime.plans)


@router.post(
    "/checkouts/{reference}/complete",
    summary="Pay a checkout with a test card (the development provider only)",
    responses=error_responses(402, 409, 410),
)
async def complete_checkout(
    reference: uuid.UUID,
    body: CompleteCheckoutRequest,
    identity: CurrentIdentity,
    runtime: Runtime,
    db: DbSession,
    events: Events,
    background: BackgroundTasks,
) -> CompletedCheckout:
    changes = runtime.changes()
    row, subscription = await checkouts.pay_with_test_card(
        db=db,
        plans=runtime.plans,
        provider=runtime.provider,
        changes=changes,
        user_id=identity.user_id,
        reference=reference,
        card_number=body.card_number,
        now=await db_now(db),
    )
    _announce_later(background, changes, events)
    return CompletedCheckout(
        checkout=_checkout_out(row, runtime.plans), subscription=_subscription_out(subscription)
    )


@router.post(
    "/change-plan",
    summary="Upgrade now (prorated), downgrade at the period's end, or end it (the free plan)",
    responses=error_responses(402, 404, 409),
)
async def change_plan(
    body: ChangePlanRequest,
    identity: CurrentIdentity,
    runtime: Runtime,
    db: DbSession,
    events: Events,
    background: BackgroundTasks,
) -> ChangePlanOut:
    changes = runtime.changes()
    row, invoice = await service.change_plan(
        db=db,
        plans=runtime.plans,
        provider=runtime.provider,
        changes=changes,
        user_id=identity.user_id,
        plan_code=body.plan_code,
        now=await db_now(db),
    )
    _announce_later(background, changes, events)
    return ChangePlanOut(
        subscription=_subscription_out(row),
        invoice=_invoice_out(invoice) if invoice is not None else None,
    )


@router.post(
    "/cancel",
    summary="Cancel at the end of the paid period (access stays until then)",
    responses=error_responses(404),
)
async def cancel(
    identity: CurrentIdentity,
    runtime: Runtime,
    db: DbSession,
    events: Events,
    background: BackgroundTasks,
) -> SubscriptionOut:
    changes = runtime.changes()
    row = await service.cancel(
        db=db,
        provider=runtime.provider,
        changes=changes,
        user_id=identity.user_id,
        now=await db_now(db),
    )
    _announce_later(background, changes, events)
    return _subscription_out(row)


@router.post(
    "/resume", summary="Take back a cancel at period end", responses=error_responses(404, 409)
)
async def resume(
    identity: CurrentIdentity,
    runtime: Runtime,
    db: DbSession,
    events: Events,
    background: BackgroundTasks,
) -> SubscriptionOut:
    changes = runtime.changes()
    row = await service.resume(
        db=db, changes=changes, user_id=identity.user_id, now=await db_now(db)
    )
    _announce_later(background, changes, events)
    return _subscription_out(row)


def _invoice_position(cursor: str) -> tuple[datetime, uuid.UUID]:
    position = decode_cursor(cursor, fields=_CURSOR_FIELDS)
    try:
        created = datetime.fromisoformat(position["c"])
        invoice_id = uuid.UUID(position["i"])
    except (TypeError, ValueError) as exc:
        raise InvalidCursor from exc
    if created.tzinfo is None:
        raise InvalidCursor
    return created, invoice_id


@router.get("/invoices", summary="The account's invoices, newest first")
async def invoices(
    query: Annotated[InvoicesQuery, Query()], identity: CurrentIdentity, db: ReadDbSession
) -> InvoicePage:
    after = _invoice_position(query.cursor) if query.cursor is not None else None
    rows, following = await service.invoices(
        db=db, user_id=identity.user_id, limit=query.limit, after=after
    )
    return InvoicePage(
        items=[_invoice_out(row) for row in rows],
        next_cursor=encode_cursor({"c": following[0].isoformat(), "i": str(following[1])})
        if following
        else None,
    )


@router.post(
    "/webhooks/{provider}",
    summary="A payment provider's webhook (verified by its signature; no token)",
    responses=error_responses(400),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
async def webhook(
    provider: str,
    request: Request,
    runtime: Runtime,
    sessionmaker: Sessionmaker,
    events: Events,
) -> WebhookAnswer:
    changes = runtime.changes()
    receipt = await inbox.intake(
        sessionmaker=sessionmaker,
        provider=runtime.provider,
        provider_name=provider,
        body=await request.body(),
        headers=request.headers,
        settings=runtime.settings,
        plans=runtime.plans,
        changes=changes,
    )
    await announce(changes, events)
    return WebhookAnswer(
        duplicate=receipt.duplicate, outcome=receipt.outcome, event_id=receipt.event_id
    )


@router.post(
    "/dev/advance",
    summary="Development and tests only: move the subscription's dates back (404 in production)",
    responses=error_responses(404),
)
async def advance(
    body: AdvanceRequest,
    identity: CurrentIdentity,
    runtime: Runtime,
    db: DbSession,
    events: Events,
    background: BackgroundTasks,
) -> SubscriptionOut:
    if runtime.settings.ott_env is Environment.PRODUCTION:
        raise NotFound("Not found")
    changes = runtime.changes()
    row = await service.advance(
        db=db,
        changes=changes,
        settings=runtime.settings,
        user_id=identity.user_id,
        days=body.days,
        now=await db_now(db),
    )
    _announce_later(background, changes, events)
    return _subscription_out(row)
