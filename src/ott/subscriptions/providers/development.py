"""The development payment provider: payments complete on this machine, so the whole flow
(checkout, renewals, a lapsed card, the grace period, the hold) runs without a real provider.

The checkout page is the web app's own (`/checkout/?reference=<uuid>`), where the viewer picks
one of Stripe's test cards:

- 4242 4242 4242 4242 always succeeds;
- 4000 0000 0000 0341 is accepted at checkout (it is attached), but every later charge of it
  is declined (renewals, retries, upgrades);
- 4000 0000 0000 0002 is declined at once.

There is no other account to keep: the customer id given at checkout says how its card
behaves (`dev_cus_<behaviour>_<random>`), so charges survive restarts without any storage.
This provider renews nothing itself (the renewal job charges it) and sends no webhooks.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from ott.core.errors import ValidationFailed
from ott.subscriptions.plans import Currency, Plan
from ott.subscriptions.providers.base import ChargeResult, Checkout, PaymentEvent, WebhookRejected

NAME = "development"
DECLINED = "card_declined"


class CardBehaviour(StrEnum):
    SUCCEEDS = "ok"
    DECLINES_LATER = "later"  # attached at checkout, every later charge declined
    DECLINES = "declined"


TEST_CARDS: dict[str, CardBehaviour] = {
    "4242424242424242": CardBehaviour.SUCCEEDS,
    "4000000000000341": CardBehaviour.DECLINES_LATER,
    "4000000000000002": CardBehaviour.DECLINES,
}

_SEPARATORS = re.compile(r"[\s-]")
_CUSTOMER = re.compile(r"^dev_cus_(ok|later)_[0-9a-f]{32}$")


class UnknownTestCard(ValidationFailed):
    code = "unknown_test_card"


@dataclass(frozen=True)
class CardPayment:
    """What the checkout page's card did: the charge (or the card check of a trial) and, when
    it went through, the customer the later charges are made to."""

    result: ChargeResult
    provider_customer_id: str | None


def card_behaviour(card_number: str) -> CardBehaviour:
    number = _SEPARATORS.sub("", card_number)
    behaviour = TEST_CARDS.get(number)
    if behaviour is None:
        raise UnknownTestCard(
            "The development provider takes only its test cards",
            details={"test_cards": sorted(TEST_CARDS)},
        )
    return behaviour


class DevelopmentProvider:
    name = NAME
    renews_itself = False

    async def aclose(self) -> None:
        """Nothing to release: it keeps no connections."""

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
    ) -> Checkout:
        return Checkout(
            url=f"/checkout/?reference={checkout_reference}",
            provider_reference=f"dev_cs_{checkout_reference.hex}",
        )

    async def pay_at_checkout(
        self, *, card_number: str, amount: Decimal, idempotency_key: str
    ) -> CardPayment:
        """The checkout page's card: charged `amount` (0 for a trial: only checked)."""
        behaviour = card_behaviour(card_number)
        if behaviour is CardBehaviour.DECLINES:
            return CardPayment(ChargeResult(succeeded=False, failure_reason=DECLINED), None)
        customer = f"dev_cus_{behaviour.value}_{uuid.uuid4().hex}"
        payment = _payment_id(idempotency_key) if amount > 0 else None
        return CardPayment(ChargeResult(succeeded=True, provider_payment_id=payment), customer)

    async def charge(
        self,
        *,
        provider_customer_id: str | None,
        amount: Decimal,
        currency: Currency,
        idempotency_key: str,
        description: str,
    ) -> ChargeResult:
        match = _CUSTOMER.match(provider_customer_id or "")
        if match is None:
            return ChargeResult(succeeded=False, failure_reason="no_card_on_file")
        if CardBehaviour(match[1]) is CardBehaviour.DECLINES_LATER:
            return ChargeResult(succeeded=False, failure_reason=DECLINED)
        return ChargeResult(succeeded=True, provider_payment_id=_payment_id(idempotency_key))

    async def cancel(self, *, provider_subscription_id: str, at_period_end: bool) -> None:
        return None  # nothing is kept elsewhere

    async def refund(
        self, *, provider_payment_id: str, amount: Decimal, currency: Currency
    ) -> None:
        return None

    def parse_webhook(
        self, *, body: bytes, headers: Mapping[str, str], received_at: datetime
    ) -> PaymentEvent:
        raise WebhookRejected("The development provider sends no webhooks")


def _payment_id(idempotency_key: str) -> str:
    # The same key gives the same payment, as a real provider's idempotency keys do.
    return f"dev_pay_{uuid.uuid5(uuid.NAMESPACE_URL, idempotency_key).hex}"
