"""Request and response models of the subscription API. Amounts are strings of exact
decimals ("299.00")."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints

from ott.core.entitlements import Entitlement
from ott.subscriptions.lifecycles import CheckoutStatus, InvoiceStatus
from ott.subscriptions.models import WebhookOutcome
from ott.subscriptions.plans import BillingInterval, Currency, PlanFeatures
from ott.subscriptions.status import SubscriptionStatus

# An exact decimal, written as a string in JSON.
Money = Annotated[Decimal, PlainSerializer(lambda d: f"{d:.2f}", return_type=str)]
PlanCode = Annotated[str, StringConstraints(min_length=1, max_length=48)]
Cursor = Annotated[str, StringConstraints(max_length=500)]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlanOut(BaseModel):
    code: str
    name: str
    interval: BillingInterval | None
    prices: dict[Currency, Money]
    trial_days: int
    features: PlanFeatures


class PlansOut(BaseModel):
    plans: list[PlanOut]


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    plan_code: str
    currency: Currency
    status: SubscriptionStatus
    provider: str
    current_period_start: datetime
    current_period_end: datetime
    trial_end: datetime | None
    cancel_at_period_end: bool
    pending_plan_code: str | None = Field(description="A downgrade at the period's end")
    grace_until: datetime | None
    next_retry_at: datetime | None
    canceled_at: datetime | None
    created_at: datetime


class PendingChange(BaseModel):
    plan_code: str | None = Field(description="None: the subscription ends (the free plan)")
    at: datetime


class MeOut(BaseModel):
    subscription: SubscriptionOut | None
    entitlement: Entitlement
    trial_available: bool
    pending_change: PendingChange | None


class CheckoutRequest(Request):
    plan_code: PlanCode
    currency: Currency
    trial: bool = Field(True, description="Start with the plan's free trial (once per account)")


class CheckoutOut(BaseModel):
    reference: uuid.UUID
    url: str = Field(description="Where to send the viewer to pay")
    plan_code: str
    plan_name: str
    currency: Currency
    amount: Money = Field(description="The plan's price for one interval")
    trial_days: int
    due_now: Money
    status: CheckoutStatus
    provider: str
    expires_at: datetime
    subscription_id: uuid.UUID | None


class CompleteCheckoutRequest(Request):
    card_number: Annotated[str, StringConstraints(min_length=12, max_length=32)] = Field(
        description="One of the development provider's test cards"
    )


class InvoiceLine(BaseModel):
    description: str
    amount: Money


class InvoiceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    subscription_id: uuid.UUID
    plan_code: str
    period_start: datetime
    period_end: datetime
    amount: Money
    currency: Currency
    status: InvoiceStatus
    attempts: int
    description: str
    lines: list[InvoiceLine]
    failure_reason: str | None
    created_at: datetime
    paid_at: datetime | None


class CompletedCheckout(BaseModel):
    checkout: CheckoutOut
    subscription: SubscriptionOut


class ChangePlanRequest(Request):
    plan_code: PlanCode


class ChangePlanOut(BaseModel):
    subscription: SubscriptionOut
    invoice: InvoiceOut | None = Field(description="The upgrade's prorated invoice, if charged")


class InvoicesQuery(Request):
    limit: Annotated[int, Field(ge=1, le=100)] = 20
    cursor: Cursor | None = None


class InvoicePage(BaseModel):
    items: list[InvoiceOut]
    next_cursor: str | None


class WebhookAnswer(BaseModel):
    received: bool = True
    duplicate: bool = Field(description="This event was received before: nothing changed")
    outcome: WebhookOutcome | None
    event_id: str | None


class AdvanceRequest(Request):
    days: float = Field(gt=0, le=3660, description="Move the subscription's dates this far back")
