"""The Razorpay-style provider: its webhooks' signatures (computed here with hmac), the event id
it deduplicates by, Razorpay's events as PaymentEvents, and its calls to Razorpay's API
(answered by an httpx.MockTransport as Razorpay answers; no network)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from ott.core.errors import BadRequest, ServiceUnavailable
from ott.core.settings import Settings
from ott.subscriptions.plans import DEFAULT_PLANS, Currency
from ott.subscriptions.providers.base import (
    Checkout,
    PaymentEvent,
    PaymentEventKind,
    PaymentProvider,
    WebhookRejected,
)
from ott.subscriptions.providers.razorpay import RazorpayProvider
from ott.subscriptions.providers.remote import (
    PaymentProviderRejected,
    RenewsItself,
    from_minor,
    to_minor,
)
from tests.conftest import settings_with

SECRET = "rzp-webhook-secret-0123456789"
NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)
T = int(NOW.timestamp())
REFERENCE = uuid.UUID("6f1c1f2e-8a7b-4c3d-9e0f-112233445566")
USER = uuid.UUID("0b7e2d6a-1111-4222-8333-944455566677")
EVENT_ID = "KkzDc8CqVFEfYk"
MONTHLY = DEFAULT_PLANS.get("premium-monthly")
YEARLY = DEFAULT_PLANS.get("premium-yearly")
assert MONTHLY is not None
assert YEARLY is not None


def signature(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed(body: bytes, secret: str = SECRET, event_id: str | None = EVENT_ID) -> dict[str, str]:
    headers = {"X-Razorpay-Signature": signature(body, secret)}
    if event_id is not None:
        headers["X-Razorpay-Event-Id"] = event_id
    return headers


def event(name: str, **entities: dict[str, Any]) -> bytes:
    return json.dumps(
        {
            "entity": "event",
            "account_id": "acc_BFQ7uQEaa7j2z7",
            "event": name,
            "contains": list(entities),
            "payload": {key: {"entity": value} for key, value in entities.items()},
            "created_at": T - 5,
        }
    ).encode()


@pytest.fixture
def razorpay_settings(settings: Settings) -> Settings:
    return settings_with(
        settings,
        razorpay_webhook_secret=SECRET,
        razorpay_key_id="rzp_test_1DP5mmOlF5G5ag",
        razorpay_key_secret="thisisnotarealsecret",
        razorpay_api_base_url="https://api.razorpay.test",
    )


@pytest.fixture
def provider(razorpay_settings: Settings) -> RazorpayProvider:
    return RazorpayProvider(settings=razorpay_settings)


def parse(provider: RazorpayProvider, body: bytes, headers: dict[str, str]) -> PaymentEvent:
    return provider.parse_webhook(body=body, headers=headers, received_at=NOW)


def accept(provider: RazorpayProvider, body: bytes) -> PaymentEvent:
    return parse(provider, body, signed(body))


def rejected(provider: RazorpayProvider, body: bytes, headers: dict[str, str]) -> str:
    with pytest.raises(WebhookRejected) as caught:
        parse(provider, body, headers)
    assert caught.value.status_code == 400
    assert caught.value.message
    return caught.value.code


# ---- realistic entities (the shapes of Razorpay's documented sample payloads) -----------------

CURRENT_START, CURRENT_END = T, T + 30 * 86400


def subscription(**changes: Any) -> dict[str, Any]:
    entity = {
        "id": "sub_Oq3uYl1BqBlFfZ",
        "entity": "subscription",
        "plan_id": "plan_Oq3tJmE9hX2kLp",
        "customer_id": "cust_Oq3vF8s2Wm1cXa",
        "status": "active",
        "type": 3,
        "current_start": CURRENT_START,
        "current_end": CURRENT_END,
        "ended_at": None,
        "quantity": 1,
        "notes": {"checkout_reference": str(REFERENCE), "user_id": str(USER)},
        "charge_at": CURRENT_END,
        "start_at": CURRENT_START,
        "end_at": CURRENT_START + 120 * 30 * 86400,
        "auth_attempts": 0,
        "total_count": 120,
        "paid_count": 2,
        "customer_notify": True,
        "created_at": CURRENT_START - 40 * 86400,
        "expire_by": None,
        "short_url": None,
        "has_scheduled_changes": False,
        "change_scheduled_at": None,
        "source": "api",
        "payment_method": "card",
        "offer_id": None,
        "remaining_count": 118,
    }
    entity.update(changes)
    return entity


def payment(**changes: Any) -> dict[str, Any]:
    entity = {
        "id": "pay_Oq4AaBbCcDdEeF",
        "entity": "payment",
        "amount": 29900,
        "currency": "INR",
        "status": "captured",
        "order_id": "order_Oq49ZzYyXxWwVv",
        "invoice_id": "inv_Oq49QqRrSsTtUu",
        "international": False,
        "method": "card",
        "amount_refunded": 0,
        "refund_status": None,
        "captured": True,
        "description": "Premium (monthly)",
        "card_id": "card_Oq4AbCdEfGhIjK",
        "bank": None,
        "wallet": None,
        "vpa": None,
        "email": "asha@example.com",
        "contact": "+919999999999",
        "customer_id": "cust_Oq3vF8s2Wm1cXa",
        "token_id": "token_Oq3wXyZaBcDeFg",
        "notes": [],  # Razorpay sends empty notes as an empty list
        "fee": 598,
        "tax": 92,
        "error_code": None,
        "error_description": None,
        "error_source": None,
        "error_step": None,
        "error_reason": None,
        "created_at": T - 10,
    }
    entity.update(changes)
    return entity


# ---- signatures and the event id ---------------------------------------------------------------

BODY = event("subscription.charged", subscription=subscription(), payment=payment())


def test_a_correctly_signed_webhook_is_accepted(provider: RazorpayProvider) -> None:
    got = accept(provider, BODY)
    assert got.provider == "razorpay"
    assert got.event_id == EVENT_ID
    assert got.raw_type == "subscription.charged"
    assert got.occurred_at == NOW - timedelta(seconds=5)


def test_headers_are_read_in_any_case(provider: RazorpayProvider) -> None:
    headers = {key.lower(): value for key, value in signed(BODY).items()}
    assert parse(provider, BODY, headers).event_id == EVENT_ID


def test_a_signature_under_another_secret_is_refused(provider: RazorpayProvider) -> None:
    assert rejected(provider, BODY, signed(BODY, secret="someone-else")) == "invalid_signature"


def test_a_tampered_body_is_refused(provider: RazorpayProvider) -> None:
    headers = signed(BODY)
    tampered = BODY.replace(b"29900", b"99")
    assert rejected(provider, tampered, headers) == "invalid_signature"


def test_a_signature_of_the_reserialised_body_is_refused(provider: RazorpayProvider) -> None:
    # The signature is over the raw bytes: the same JSON written differently does not match.
    reserialised = json.dumps(json.loads(BODY), indent=2).encode()
    assert rejected(provider, reserialised, signed(BODY)) == "invalid_signature"


def test_a_webhook_without_the_signature_header_is_refused(provider: RazorpayProvider) -> None:
    assert rejected(provider, BODY, {"X-Razorpay-Event-Id": EVENT_ID}) == "missing_signature"
    assert rejected(provider, BODY, {"X-Razorpay-Signature": " "}) == "missing_signature"


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "sha256=" + "a" * 64,
        "a" * 63,
        "g" * 64,
        base64.b64encode(hashlib.sha256(b"x").digest()).decode(),  # base64, not hex
    ],
)
def test_a_garbled_signature_header_is_refused(provider: RazorpayProvider, value: str) -> None:
    headers = {"X-Razorpay-Signature": value, "X-Razorpay-Event-Id": EVENT_ID}
    assert rejected(provider, BODY, headers) == "invalid_signature_header"


def test_an_upper_case_hex_signature_is_the_same_signature(provider: RazorpayProvider) -> None:
    headers = {"X-Razorpay-Signature": signature(BODY).upper(), "X-Razorpay-Event-Id": EVENT_ID}
    assert parse(provider, BODY, headers).event_id == EVENT_ID


def test_without_a_secret_every_webhook_is_refused(razorpay_settings: Settings) -> None:
    unconfigured = RazorpayProvider(
        settings=settings_with(razorpay_settings, razorpay_webhook_secret=None)
    )
    assert rejected(unconfigured, BODY, signed(BODY)) == "webhook_not_configured"


def test_the_event_id_is_the_header_and_the_same_on_a_retry(provider: RazorpayProvider) -> None:
    first = accept(provider, BODY)
    retry = accept(provider, BODY)
    assert first.event_id == retry.event_id == EVENT_ID


def test_without_the_event_id_header_one_is_derived_from_the_body(
    provider: RazorpayProvider,
) -> None:
    got = parse(provider, BODY, signed(BODY, event_id=None))
    # The event, its first entity (the subscription) and the event's time: stable on retries.
    assert got.event_id == f"subscription.charged:sub_Oq3uYl1BqBlFfZ:{T - 5}"
    assert parse(provider, BODY, signed(BODY, event_id=None)).event_id == got.event_id
    other = event(
        "subscription.charged", subscription=subscription(), payment=payment(id="pay_Next")
    )
    later = json.loads(other)
    later["created_at"] = T + 30 * 86400
    later_body = json.dumps(later).encode()
    assert parse(provider, later_body, signed(later_body, event_id=None)).event_id != got.event_id


def test_without_the_header_and_nothing_to_derive_from_it_is_refused(
    provider: RazorpayProvider,
) -> None:
    body = json.dumps({"entity": "event", "event": "subscription.charged", "payload": {}}).encode()
    assert rejected(provider, body, signed(body, event_id=None)) == "missing_event_id"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        json.dumps({"entity": "event", "payload": {}}).encode(),  # no event
        json.dumps({"entity": "event", "event": "payment.failed"}).encode(),  # no payload
        json.dumps({"event": "payment.failed", "payload": []}).encode(),
    ],
)
def test_a_signed_body_that_is_no_razorpay_event_is_refused(
    provider: RazorpayProvider, body: bytes
) -> None:
    assert rejected(provider, body, signed(body)) == "invalid_webhook_body"


# ---- events ------------------------------------------------------------------------------------


def test_subscription_charged_is_a_paid_period(provider: RazorpayProvider) -> None:
    got = accept(provider, BODY)
    assert got.kind is PaymentEventKind.INVOICE_PAID
    assert got.checkout_reference == REFERENCE
    assert got.provider_subscription_id == "sub_Oq3uYl1BqBlFfZ"
    assert got.provider_customer_id == "cust_Oq3vF8s2Wm1cXa"
    assert got.provider_payment_id == "pay_Oq4AaBbCcDdEeF"
    assert got.amount == Decimal("299.00")
    assert got.currency is Currency.INR
    assert got.period_start == datetime.fromtimestamp(CURRENT_START, UTC)
    assert got.period_end == datetime.fromtimestamp(CURRENT_END, UTC)
    assert got.failure_reason is None


def test_amounts_are_exact_in_dollars_too(provider: RazorpayProvider) -> None:
    body = event(
        "subscription.charged",
        subscription=subscription(),
        payment=payment(amount=7999, currency="USD"),
    )
    got = accept(provider, body)
    assert got.amount == Decimal("79.99")
    assert str(got.amount) == "79.99"
    assert got.currency is Currency.USD


def test_invoice_paid(provider: RazorpayProvider) -> None:
    invoice = {
        "id": "inv_Oq49QqRrSsTtUu",
        "entity": "invoice",
        "receipt": None,
        "invoice_number": None,
        "customer_id": "cust_Oq3vF8s2Wm1cXa",
        "order_id": "order_Oq49ZzYyXxWwVv",
        "subscription_id": "sub_Oq3uYl1BqBlFfZ",
        "line_items": [],
        "payment_id": "pay_Oq4AaBbCcDdEeF",
        "status": "paid",
        "paid_at": T - 10,
        "amount": 29900,
        "amount_paid": 29900,
        "amount_due": 0,
        "currency": "INR",
        "billing_start": CURRENT_START,
        "billing_end": CURRENT_END,
        "type": "invoice",
        "notes": [],
        "created_at": T - 20,
    }
    got = accept(provider, event("invoice.paid", invoice=invoice, payment=payment()))
    assert got.kind is PaymentEventKind.INVOICE_PAID
    assert got.provider_subscription_id == "sub_Oq3uYl1BqBlFfZ"
    assert got.provider_payment_id == "pay_Oq4AaBbCcDdEeF"
    assert got.amount == Decimal("299.00")
    assert got.period_start == datetime.fromtimestamp(CURRENT_START, UTC)
    assert got.period_end == datetime.fromtimestamp(CURRENT_END, UTC)
    assert got.checkout_reference is None  # the subscription id names it


@pytest.mark.parametrize("name", ["subscription.authenticated", "subscription.activated"])
def test_the_first_payment_completes_the_checkout(provider: RazorpayProvider, name: str) -> None:
    authorised = subscription(status="authenticated", paid_count=0, current_start=None)
    body = event(name, subscription=authorised, payment=payment(amount=500))
    got = accept(provider, body)
    assert got.kind is PaymentEventKind.CHECKOUT_COMPLETED
    assert got.checkout_reference == REFERENCE
    assert got.provider_subscription_id == "sub_Oq3uYl1BqBlFfZ"
    assert got.amount == Decimal("5.00")  # the authorisation
    assert got.period_start is None


def test_a_payment_link_or_an_order_paid_completes_the_checkout(
    provider: RazorpayProvider,
) -> None:
    link = {
        "id": "plink_Oq5LmNoPqRsTuV",
        "entity": "payment_link",
        "amount": 299900,
        "amount_paid": 299900,
        "currency": "INR",
        "notes": {"checkout_reference": str(REFERENCE)},
        "reference_id": str(REFERENCE),
        "status": "paid",
    }
    got = accept(
        provider,
        event(
            "payment_link.paid",
            payment_link=link,
            payment=payment(amount=299900),
            order={"id": "order_1"},
        ),
    )
    assert got.kind is PaymentEventKind.CHECKOUT_COMPLETED
    assert got.checkout_reference == REFERENCE
    assert got.amount == Decimal("2999.00")
    assert got.provider_payment_id == "pay_Oq4AaBbCcDdEeF"
    order = {
        "id": "order_Oq49ZzYyXxWwVv",
        "entity": "order",
        "amount": 29900,
        "amount_paid": 29900,
        "amount_due": 0,
        "currency": "INR",
        "receipt": "ott-1",
        "status": "paid",
        "attempts": 1,
        "notes": {"checkout_reference": str(REFERENCE)},
        "created_at": T - 60,
    }
    got = accept(provider, event("order.paid", payment=payment(), order=order))
    assert got.kind is PaymentEventKind.CHECKOUT_COMPLETED
    assert got.checkout_reference == REFERENCE
    assert got.amount == Decimal("299.00")


def test_payment_failed(provider: RazorpayProvider) -> None:
    failed = payment(
        status="failed",
        captured=False,
        notes={"checkout_reference": str(REFERENCE)},
        error_code="BAD_REQUEST_ERROR",
        error_description="Payment failed because the card was declined by the bank",
        error_source="issuer",
        error_step="payment_authorization",
        error_reason="card_declined",
    )
    got = accept(provider, event("payment.failed", payment=failed))
    assert got.kind is PaymentEventKind.INVOICE_PAYMENT_FAILED
    assert got.checkout_reference == REFERENCE
    assert got.provider_payment_id == "pay_Oq4AaBbCcDdEeF"
    assert got.amount == Decimal("299.00")
    assert got.failure_reason == (
        "Payment failed because the card was declined by the bank (card_declined)"
    )


@pytest.mark.parametrize(
    ("name", "says"), [("subscription.pending", "retries"), ("subscription.halted", "spent")]
)
def test_a_failed_renewal_names_its_subscription(
    provider: RazorpayProvider, name: str, says: str
) -> None:
    got = accept(provider, event(name, subscription=subscription(status=name.split(".")[1])))
    assert got.kind is PaymentEventKind.INVOICE_PAYMENT_FAILED
    assert got.provider_subscription_id == "sub_Oq3uYl1BqBlFfZ"
    assert got.checkout_reference == REFERENCE
    assert got.failure_reason is not None
    assert says in got.failure_reason


@pytest.mark.parametrize("name", ["subscription.cancelled", "subscription.completed"])
def test_the_end_of_a_subscription(provider: RazorpayProvider, name: str) -> None:
    ended = subscription(status=name.split(".")[1], ended_at=T - 60)
    got = accept(provider, event(name, subscription=ended))
    assert got.kind is PaymentEventKind.SUBSCRIPTION_CANCELED
    assert got.provider_subscription_id == "sub_Oq3uYl1BqBlFfZ"
    assert got.checkout_reference == REFERENCE
    assert got.period_end == datetime.fromtimestamp(CURRENT_END, UTC)


def test_refund_processed(provider: RazorpayProvider) -> None:
    refund = {
        "id": "rfnd_Oq6AbCdEfGhIjK",
        "entity": "refund",
        "amount": 10050,
        "currency": "INR",
        "payment_id": "pay_Oq4AaBbCcDdEeF",
        "notes": {"comment": "Customer asked"},
        "receipt": None,
        "acquirer_data": {"arn": None},
        "created_at": T - 30,
        "batch_id": None,
        "status": "processed",
        "speed_processed": "normal",
        "speed_requested": "normal",
    }
    body = event("refund.processed", refund=refund, payment=payment(amount_refunded=10050))
    got = accept(provider, body)
    assert got.kind is PaymentEventKind.REFUNDED
    assert got.provider_payment_id == "pay_Oq4AaBbCcDdEeF"
    assert got.amount == Decimal("100.50")
    assert got.currency is Currency.INR


@pytest.mark.parametrize(
    "name", ["payment.authorized", "payment.captured", "subscription.updated", "refund.failed"]
)
def test_other_events_are_kept_without_a_kind(provider: RazorpayProvider, name: str) -> None:
    got = accept(provider, event(name, payment=payment()))
    assert got.kind is None
    assert got.raw_type == name
    assert got.amount is None


def test_a_currency_the_platform_does_not_bill_is_refused(provider: RazorpayProvider) -> None:
    body = event(
        "subscription.charged", subscription=subscription(), payment=payment(currency="MYR")
    )
    assert rejected(provider, body, signed(body)) == "unsupported_currency"


# ---- money -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("major", "minor", "currency"),
    [
        ("299", 29900, Currency.INR),
        ("2999.00", 299900, Currency.INR),
        ("7.99", 799, Currency.USD),
        ("79.99", 7999, Currency.USD),
        ("0.01", 1, Currency.USD),
    ],
)
def test_minor_units_both_ways_exactly(major: str, minor: int, currency: Currency) -> None:
    assert to_minor(Decimal(major), currency) == minor
    assert from_minor(minor, currency) == Decimal(major)
    assert isinstance(from_minor(minor, currency), Decimal)


def test_major_units_read_back_with_the_currencys_digits() -> None:
    assert str(from_minor(29900, Currency.INR)) == "299.00"
    assert str(from_minor(0, Currency.USD)) == "0.00"
    assert str(from_minor(-533, Currency.USD)) == "-5.33"


def test_an_amount_finer_than_the_minor_unit_is_never_rounded() -> None:
    with pytest.raises(ValueError, match="decimal digits"):
        to_minor(Decimal("299.005"), Currency.INR)


# ---- calls to Razorpay -------------------------------------------------------------------------

Handler = Callable[[httpx.Request], httpx.Response]


class FakeRazorpay:
    """Answers as Razorpay's API does, and keeps what it was sent."""

    def __init__(self, answer: Handler | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self._answer = answer or self.razorpay
        self._plans = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self._answer(request)

    def razorpay(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path == "/v1/plans":
            self._plans += 1
            sent = json.loads(request.content)
            return httpx.Response(
                200, json={"id": f"plan_Oq{self._plans:012d}", "entity": "plan", **sent}
            )
        if request.method == "POST" and path == "/v1/subscriptions":
            sent = json.loads(request.content)
            return httpx.Response(
                200,
                json={
                    "id": "sub_Oq3uYl1BqBlFfZ",
                    "entity": "subscription",
                    "plan_id": sent["plan_id"],
                    "status": "created",
                    "short_url": "https://rzp.io/i/z3b1R61A9",
                    "notes": sent["notes"],
                },
            )
        if request.method == "POST" and path.endswith("/cancel"):
            return httpx.Response(200, json={"id": path.split("/")[3], "status": "cancelled"})
        if request.method == "POST" and path.endswith("/refund"):
            sent = json.loads(request.content)
            return httpx.Response(
                200, json={"id": "rfnd_1", "entity": "refund", "amount": sent["amount"]}
            )
        return httpx.Response(
            400,
            json={
                "error": {
                    "code": "BAD_REQUEST_ERROR",
                    "description": "The requested URL was not found on the server.",
                }
            },
        )

    def sent(self, index: int = -1) -> dict[str, Any]:
        request = self.requests[index]
        assert request.headers["content-type"] == "application/json"
        body: dict[str, Any] = json.loads(request.content)
        return body


def with_fake(settings: Settings, fake: FakeRazorpay) -> RazorpayProvider:
    return RazorpayProvider(
        settings=settings,
        http=httpx.AsyncClient(transport=httpx.MockTransport(fake)),
        clock=lambda: NOW,
    )


BASIC = "Basic " + base64.b64encode(b"rzp_test_1DP5mmOlF5G5ag:thisisnotarealsecret").decode()


async def checkout(
    provider: PaymentProvider,
    *,
    plan: Any = MONTHLY,
    trial_days: int = 7,
    currency: Currency = Currency.INR,
) -> Checkout:
    return await provider.create_checkout(
        checkout_reference=REFERENCE,
        user_id=USER,
        email="asha@example.com",
        plan=plan,
        currency=currency,
        amount=plan.prices[currency],
        trial_days=trial_days,
        success_url="https://ott.example/account?checkout=done",
        cancel_url="https://ott.example/plans",
    )


async def test_checkout_makes_a_plan_and_a_subscription(razorpay_settings: Settings) -> None:
    fake = FakeRazorpay()
    provider: PaymentProvider = with_fake(razorpay_settings, fake)
    made = await checkout(provider)
    assert made.url == "https://rzp.io/i/z3b1R61A9"
    assert made.provider_reference == "sub_Oq3uYl1BqBlFfZ"
    plan_request, subscription_request = fake.requests
    for request in fake.requests:
        assert request.method == "POST"
        assert request.headers["authorization"] == BASIC
    assert str(plan_request.url) == "https://api.razorpay.test/v1/plans"
    assert fake.sent(0) == {
        "period": "monthly",
        "interval": 1,
        "item": {
            "name": "Premium (monthly)",
            "amount": 29900,
            "currency": "INR",
            "description": "premium-monthly",
        },
        "notes": {"plan_code": "premium-monthly"},
    }
    assert str(subscription_request.url) == "https://api.razorpay.test/v1/subscriptions"
    assert fake.sent(1) == {
        "plan_id": "plan_Oq000000000001",
        "total_count": 120,
        "quantity": 1,
        "customer_notify": True,
        "notes": {"checkout_reference": str(REFERENCE), "user_id": str(USER)},
        "notify_info": {"notify_email": "asha@example.com"},
        "start_at": T + 7 * 86400,  # the trial: the first charge a week from now
    }


async def test_the_plan_is_made_once_per_price(razorpay_settings: Settings) -> None:
    fake = FakeRazorpay()
    provider = with_fake(razorpay_settings, fake)
    await checkout(provider, trial_days=0)
    await checkout(provider, trial_days=0)
    paths = [request.url.path for request in fake.requests]
    assert paths == ["/v1/plans", "/v1/subscriptions", "/v1/subscriptions"]
    assert "start_at" not in fake.sent()  # no trial: charged at once
    await checkout(provider, plan=YEARLY, currency=Currency.USD)
    assert fake.sent(-2)["period"] == "yearly"
    assert fake.sent(-2)["item"]["amount"] == 7999
    assert fake.sent(-2)["item"]["currency"] == "USD"
    assert fake.sent()["total_count"] == 10
    assert fake.sent()["plan_id"] == "plan_Oq000000000002"


async def test_cancel_at_cycle_end_and_at_once(razorpay_settings: Settings) -> None:
    fake = FakeRazorpay()
    provider = with_fake(razorpay_settings, fake)
    await provider.cancel(provider_subscription_id="sub_Oq3uYl1BqBlFfZ", at_period_end=True)
    assert fake.requests[-1].url.path == "/v1/subscriptions/sub_Oq3uYl1BqBlFfZ/cancel"
    assert fake.sent() == {"cancel_at_cycle_end": True}
    await provider.cancel(provider_subscription_id="sub_Oq3uYl1BqBlFfZ", at_period_end=False)
    assert fake.sent() == {"cancel_at_cycle_end": False}
    assert fake.requests[-1].headers["authorization"] == BASIC


async def test_refund_in_paise(razorpay_settings: Settings) -> None:
    fake = FakeRazorpay()
    provider = with_fake(razorpay_settings, fake)
    await provider.refund(
        provider_payment_id="pay_Oq4AaBbCcDdEeF", amount=Decimal("100.50"), currency=Currency.INR
    )
    assert fake.requests[-1].url.path == "/v1/payments/pay_Oq4AaBbCcDdEeF/refund"
    assert fake.sent() == {"amount": 10050, "speed": "normal"}


async def test_an_id_that_is_no_razorpay_id_never_reaches_a_url(
    razorpay_settings: Settings,
) -> None:
    fake = FakeRazorpay()
    provider = with_fake(razorpay_settings, fake)
    with pytest.raises(BadRequest) as caught:
        await provider.refund(
            provider_payment_id="pay_1/../../orders", amount=Decimal("1"), currency=Currency.INR
        )
    assert caught.value.code == "invalid_provider_reference"
    assert fake.requests == []


def razorpay_error(status: int, description: str) -> Handler:
    def answer(request: httpx.Request) -> httpx.Response:
        error = {
            "code": "BAD_REQUEST_ERROR" if status < 500 else "SERVER_ERROR",
            "description": description,
            "source": "business",
            "step": "payment_initiation",
            "reason": "input_validation_failed",
            "metadata": {},
        }
        return httpx.Response(status, json={"error": error})

    return answer


async def test_a_4xx_of_razorpay_is_a_clear_rejection(razorpay_settings: Settings) -> None:
    answer = razorpay_error(400, "Subscription is not cancellable in expired status.")
    provider = with_fake(razorpay_settings, FakeRazorpay(answer))
    with pytest.raises(PaymentProviderRejected) as caught:
        await provider.cancel(provider_subscription_id="sub_Old", at_period_end=False)
    assert caught.value.status_code == 400
    assert "not cancellable in expired status" in caught.value.message
    assert caught.value.details == {
        "provider": "razorpay",
        "status": 400,
        "provider_code": "BAD_REQUEST_ERROR",
    }


@pytest.mark.parametrize("status", [500, 502, 504, 429, 401])
async def test_an_outage_or_a_bad_key_is_service_unavailable(
    razorpay_settings: Settings, status: int
) -> None:
    fake = FakeRazorpay(razorpay_error(status, "Something went wrong"))
    with pytest.raises(ServiceUnavailable) as caught:
        await checkout(with_fake(razorpay_settings, fake))
    assert caught.value.code == "payment_provider_unavailable"
    assert caught.value.details["status"] == status
    assert len(fake.requests) == 1  # the plan; no subscription was tried without one


async def test_a_timeout_is_service_unavailable(razorpay_settings: Settings) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    provider = with_fake(razorpay_settings, FakeRazorpay(slow))
    with pytest.raises(ServiceUnavailable) as caught:
        await provider.cancel(provider_subscription_id="sub_1", at_period_end=True)
    assert caught.value.code == "payment_provider_unavailable"
    assert "in time" in caught.value.message


async def test_a_failed_subscription_call_keeps_the_plan_for_the_retry(
    razorpay_settings: Settings,
) -> None:
    failing = {"subscriptions": 1}

    def flaky(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/subscriptions" and failing["subscriptions"]:
            failing["subscriptions"] -= 1
            return httpx.Response(503, json={"error": {"code": "SERVER_ERROR"}})
        return fake.razorpay(request)

    fake = FakeRazorpay(flaky)
    provider = with_fake(razorpay_settings, fake)
    with pytest.raises(ServiceUnavailable):
        await checkout(provider)
    made = await checkout(provider)
    assert made.provider_reference == "sub_Oq3uYl1BqBlFfZ"
    paths = [request.url.path for request in fake.requests]
    assert paths == ["/v1/plans", "/v1/subscriptions", "/v1/subscriptions"]


async def test_without_api_keys_nothing_is_sent(razorpay_settings: Settings) -> None:
    fake = FakeRazorpay()
    provider = with_fake(settings_with(razorpay_settings, razorpay_key_secret=None), fake)
    with pytest.raises(ServiceUnavailable) as caught:
        await checkout(provider)
    assert caught.value.code == "payment_provider_not_configured"
    assert fake.requests == []


async def test_charge_is_never_the_platforms_for_razorpay(razorpay_settings: Settings) -> None:
    fake = FakeRazorpay()
    provider = with_fake(razorpay_settings, fake)
    assert provider.renews_itself
    with pytest.raises(RenewsItself, match="renewal"):
        await provider.charge(
            provider_customer_id="cust_1",
            amount=Decimal("299"),
            currency=Currency.INR,
            idempotency_key="renewal-1",
            description="Premium (monthly)",
        )
    assert fake.requests == []
