"""The one interface every payment provider implements, and what its webhooks become.

A provider takes the money; the subscription service keeps the subscription. The service
calls a provider to start a checkout, charge a renewal (providers that do not renew by
themselves), cancel and refund; a provider's webhooks are verified and turned into
`PaymentEvent`s, which the service stores in its inbox and applies exactly once.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from ott.core.errors import BadRequest
from ott.subscriptions.plans import Currency, Plan


class PaymentEventKind(StrEnum):
    CHECKOUT_COMPLETED = "checkout_completed"  # the first payment (or a trial's card) is in
    INVOICE_PAID = "invoice_paid"  # a period is paid for
    INVOICE_PAYMENT_FAILED = "invoice_payment_failed"
    SUBSCRIPTION_CANCELED = "subscription_canceled"  # the provider ended it
    REFUNDED = "refunded"


@dataclass(frozen=True)
class PaymentEvent:
    """One verified webhook, in the platform's words. `kind` is None for an event type the
    platform does not act on (stored, marked ignored)."""

    provider: str
    event_id: str  # the provider's id of this event: the inbox is unique on (provider, event_id)
    raw_type: str  # the provider's own name of the event, e.g. "invoice.paid"
    kind: PaymentEventKind | None
    occurred_at: datetime
    # Which subscription it is about: the platform's checkout reference (sent to the provider as
    # metadata when the checkout was made), else the provider's own subscription id.
    checkout_reference: uuid.UUID | None = None
    provider_subscription_id: str | None = None
    provider_customer_id: str | None = None
    provider_payment_id: str | None = None
    amount: Decimal | None = None  # in the currency's major unit
    currency: Currency | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    failure_reason: str | None = None


class WebhookRejected(BadRequest):
    """A webhook that is not the provider's: bad or missing signature, stale timestamp,
    unreadable body. 400, and nothing is applied (the inbox records it)."""

    code = "invalid_webhook"


@dataclass(frozen=True)
class Checkout:
    """Where to send the viewer to pay (the provider's page, or the platform's own for the
    development provider) and the provider's reference of it."""

    url: str
    provider_reference: str


@dataclass(frozen=True)
class ChargeResult:
    succeeded: bool
    provider_payment_id: str | None = None
    failure_reason: str | None = None


class PaymentProvider(Protocol):
    name: str
    # True: the provider charges each renewal itself and reports by webhook (Stripe Billing,
    # Razorpay Subscriptions); False: the platform's renewal job calls `charge`.
    renews_itself: bool

    async def create_checkout(
        self,
        *,
        checkout_reference: uuid.UUID,
        user_id: uuid.UUID,
        email: str,
        plan: Plan,
        currency: Currency,
        amount: Decimal,
        trial_days: int,
        success_url: str,
        cancel_url: str,
    ) -> Checkout: ...

    async def charge(
        self,
        *,
        provider_customer_id: str | None,
        amount: Decimal,
        currency: Currency,
        idempotency_key: str,
        description: str,
    ) -> ChargeResult: ...

    async def cancel(self, *, provider_subscription_id: str, at_period_end: bool) -> None: ...

    async def refund(
        self, *, provider_payment_id: str, amount: Decimal, currency: Currency
    ) -> None: ...

    def parse_webhook(
        self, *, body: bytes, headers: Mapping[str, str], received_at: datetime
    ) -> PaymentEvent:
        """Verify the webhook's signature and read it; raises WebhookRejected."""
        ...

    async def aclose(self) -> None:
        """Release what it holds (its HTTP client), when the service stops."""
        ...
