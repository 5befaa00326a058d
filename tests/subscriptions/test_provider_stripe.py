"""The Stripe-style provider: its webhooks' signatures (computed here with hmac, not with the
provider's own helpers), Stripe's events as PaymentEvents, and its calls to Stripe's API
(answered by an httpx.MockTransport as Stripe answers; no network)."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

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
from ott.subscriptions.providers.remote import PaymentProviderRejected, RenewsItself
from ott.subscriptions.providers.stripe import StripeProvider
from tests.conftest import settings_with

SECRET = "whsec_test_current_0123456789abcdef"
OLD_SECRET = "whsec_test_previous_fedcba9876543210"
NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)
T = int(NOW.timestamp())
REFERENCE = uuid.UUID("6f1c1f2e-8a7b-4c3d-9e0f-112233445566")
USER = uuid.UUID("0b7e2d6a-1111-4222-8333-944455566677")
MONTHLY = DEFAULT_PLANS.get("premium-monthly")
assert MONTHLY is not None


def v1(body: bytes, secret: str = SECRET, t: int = T) -> str:
    return hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()


def signed(body: bytes, secret: str = SECRET, t: int = T) -> dict[str, str]:
    return {"Stripe-Signature": f"t={t},v1={v1(body, secret, t)}"}


def event(type_: str, data_object: dict[str, Any], event_id: str = "evt_1PxA2bCdEfGh") -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2025-03-31.basil",
            "created": T - 5,
            "data": {"object": data_object},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": type_,
        }
    ).encode()


@pytest.fixture
def stripe_settings(settings: Settings) -> Settings:
    return settings_with(
        settings,
        stripe_webhook_secrets=[SECRET],
        stripe_webhook_tolerance_seconds=300,
        stripe_api_key="sk_test_51abcdef",
        stripe_api_base_url="https://api.stripe.test",
    )


@pytest.fixture
def provider(stripe_settings: Settings) -> StripeProvider:
    return StripeProvider(settings=stripe_settings)


def parse(
    provider: StripeProvider, body: bytes, headers: dict[str, str], at: datetime = NOW
) -> PaymentEvent:
    return provider.parse_webhook(body=body, headers=headers, received_at=at)


def rejected(provider: StripeProvider, body: bytes, headers: dict[str, str], **kw: Any) -> str:
    with pytest.raises(WebhookRejected) as caught:
        parse(provider, body, headers, **kw)
    assert caught.value.status_code == 400
    assert caught.value.message
    return caught.value.code


# ---- signatures --------------------------------------------------------------------------------

BODY = event("customer.created", {"id": "cus_Q1", "object": "customer"})


def test_a_correctly_signed_webhook_is_accepted(provider: StripeProvider) -> None:
    got = parse(provider, BODY, signed(BODY))
    assert got.provider == "stripe"
    assert got.event_id == "evt_1PxA2bCdEfGh"
    assert got.raw_type == "customer.created"
    assert got.occurred_at == NOW - timedelta(seconds=5)


def test_the_header_name_is_read_in_any_case(provider: StripeProvider) -> None:
    headers = {"stripe-signature": signed(BODY)["Stripe-Signature"]}
    assert parse(provider, BODY, headers).event_id == "evt_1PxA2bCdEfGh"


def test_a_signature_under_another_secret_is_refused(provider: StripeProvider) -> None:
    assert rejected(provider, BODY, signed(BODY, secret="whsec_someone_else")) == (
        "invalid_signature"
    )


def test_a_tampered_body_is_refused(provider: StripeProvider) -> None:
    headers = signed(BODY)
    tampered = BODY.replace(b"cus_Q1", b"cus_Q2")
    assert rejected(provider, tampered, headers) == "invalid_signature"


def test_a_signature_for_another_timestamp_is_refused(provider: StripeProvider) -> None:
    # The timestamp is signed: moving t forward (to dodge the tolerance) breaks the signature.
    old = v1(BODY, t=T - 3600)
    assert rejected(provider, BODY, {"Stripe-Signature": f"t={T},v1={old}"}) == (
        "invalid_signature"
    )


def test_a_webhook_without_the_header_is_refused(provider: StripeProvider) -> None:
    assert rejected(provider, BODY, {}) == "missing_signature"
    assert rejected(provider, BODY, {"Stripe-Signature": "  "}) == "missing_signature"


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        f"t={T}",  # no v1
        f"v1={'a' * 64}",  # no t
        f"t=soon,v1={'a' * 64}",
        f"t={T},t={T + 1},v1={'a' * 64}",
        f"t={T},v1=abc",  # not a SHA-256 in hex
        f"t={T},v1={'z' * 64}",
        f"t={T},,v1={'a' * 64}",
        f"t={T},v1=",
    ],
)
def test_a_garbled_header_is_refused(provider: StripeProvider, value: str) -> None:
    assert rejected(provider, BODY, {"Stripe-Signature": value}) == "invalid_signature_header"


def test_a_v0_signature_does_not_count(provider: StripeProvider) -> None:
    good = v1(BODY)
    header = f"t={T},v0={good},v1={'0' * 64}"
    assert rejected(provider, BODY, {"Stripe-Signature": header}) == "invalid_signature"
    # ...and is skipped next to a good v1.
    assert parse(provider, BODY, {"Stripe-Signature": f"t={T},v1={good},v0={'0' * 64}"})


@pytest.mark.parametrize("offset", [-301, 301, -3600, 86400])
def test_a_timestamp_beyond_the_tolerance_is_refused_either_way(
    provider: StripeProvider, offset: int
) -> None:
    t = T + offset
    assert rejected(provider, BODY, signed(BODY, t=t)) == "stale_webhook"


@pytest.mark.parametrize("offset", [-300, -1, 0, 299])
def test_a_timestamp_within_the_tolerance_is_accepted(
    provider: StripeProvider, offset: int
) -> None:
    assert parse(provider, BODY, signed(BODY, t=T + offset)).event_id


def test_the_tolerance_is_configurable(stripe_settings: Settings) -> None:
    strict = StripeProvider(
        settings=settings_with(stripe_settings, stripe_webhook_tolerance_seconds=10)
    )
    assert rejected(strict, BODY, signed(BODY, t=T - 11)) == "stale_webhook"
    assert parse(strict, BODY, signed(BODY, t=T - 10)).event_id


def test_during_stripes_rotation_any_v1_may_match(provider: StripeProvider) -> None:
    other = v1(BODY, secret="whsec_the_endpoints_other_secret")
    header = f"t={T},v1={other},v1={v1(BODY)}"  # only the second is under our secret
    assert parse(provider, BODY, {"Stripe-Signature": header}).event_id


def test_during_our_rotation_the_old_secret_still_verifies(stripe_settings: Settings) -> None:
    rotating = StripeProvider(
        settings=settings_with(stripe_settings, stripe_webhook_secrets=[SECRET, OLD_SECRET])
    )
    assert parse(rotating, BODY, signed(BODY, secret=OLD_SECRET)).event_id
    assert parse(rotating, BODY, signed(BODY, secret=SECRET)).event_id
    assert rejected(rotating, BODY, signed(BODY, secret="whsec_retired")) == "invalid_signature"


def test_secrets_come_comma_separated_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRETS", f"{SECRET}, {OLD_SECRET}")
    from_env = Settings(_env_file=None)
    assert from_env.stripe_webhook_secrets == [SECRET, OLD_SECRET]
    assert parse(StripeProvider(settings=from_env), BODY, signed(BODY, secret=OLD_SECRET))


def test_without_secrets_every_webhook_is_refused(stripe_settings: Settings) -> None:
    unconfigured = StripeProvider(
        settings=settings_with(stripe_settings, stripe_webhook_secrets=[])
    )
    assert rejected(unconfigured, BODY, signed(BODY)) == "webhook_not_configured"


@pytest.mark.parametrize(
    "body",
    [
        b"not json at all",
        b"[1, 2, 3]",
        json.dumps({"object": "event", "type": "invoice.paid"}).encode(),  # no id
        json.dumps({"id": "evt_1", "object": "event"}).encode(),  # no type
        json.dumps({"id": "", "type": "invoice.paid"}).encode(),
        json.dumps({"id": "evt_1", "type": "invoice.paid", "data": {}}).encode(),  # no object
    ],
)
def test_a_signed_body_that_is_no_stripe_event_is_refused(
    provider: StripeProvider, body: bytes
) -> None:
    assert rejected(provider, body, signed(body)) == "invalid_webhook_body"


# ---- events ------------------------------------------------------------------------------------


def accept(provider: StripeProvider, body: bytes) -> PaymentEvent:
    return parse(provider, body, signed(body))


def checkout_session(**changes: Any) -> dict[str, Any]:
    session = {
        "id": "cs_test_a1B2c3D4",
        "object": "checkout.session",
        "amount_subtotal": 29900,
        "amount_total": 29900,
        "client_reference_id": str(REFERENCE),
        "currency": "inr",
        "customer": "cus_QfA1b2C3",
        "customer_email": "asha@example.com",
        "metadata": {"checkout_reference": str(REFERENCE), "user_id": str(USER)},
        "mode": "subscription",
        "payment_intent": None,
        "payment_status": "paid",
        "status": "complete",
        "subscription": "sub_1QfA1b2C3d4E5f",
        "success_url": "https://ott.example/account?checkout=done",
        "url": None,
    }
    session.update(changes)
    return session


def test_checkout_session_completed(provider: StripeProvider) -> None:
    got = accept(provider, event("checkout.session.completed", checkout_session()))
    assert got.kind is PaymentEventKind.CHECKOUT_COMPLETED
    assert got.checkout_reference == REFERENCE
    assert got.provider_subscription_id == "sub_1QfA1b2C3d4E5f"
    assert got.provider_customer_id == "cus_QfA1b2C3"
    assert got.amount == Decimal("299.00")
    assert got.currency is Currency.INR


def test_checkout_reference_from_metadata_and_trials_of_zero(provider: StripeProvider) -> None:
    session = checkout_session(
        client_reference_id=None,
        amount_total=0,
        payment_status="no_payment_required",  # a trial: the card is saved, nothing charged
        currency="usd",
    )
    got = accept(provider, event("checkout.session.completed", session))
    assert got.kind is PaymentEventKind.CHECKOUT_COMPLETED
    assert got.checkout_reference == REFERENCE
    assert got.amount == Decimal("0")
    assert got.currency is Currency.USD


def test_a_checkout_made_elsewhere_has_no_reference(provider: StripeProvider) -> None:
    session = checkout_session(client_reference_id="order-1234", metadata={})
    got = accept(provider, event("checkout.session.completed", session))
    assert got.kind is PaymentEventKind.CHECKOUT_COMPLETED
    assert got.checkout_reference is None
    assert got.provider_subscription_id == "sub_1QfA1b2C3d4E5f"


def test_an_unpaid_checkout_waits_for_its_delayed_payment(provider: StripeProvider) -> None:
    unpaid = checkout_session(payment_status="unpaid")
    assert accept(provider, event("checkout.session.completed", unpaid)).kind is None
    later = accept(
        provider,
        event("checkout.session.async_payment_succeeded", checkout_session(), "evt_2"),
    )
    assert later.kind is PaymentEventKind.CHECKOUT_COMPLETED
    assert later.checkout_reference == REFERENCE


PERIOD_START, PERIOD_END = T, T + 30 * 86400


def invoice_basil(**changes: Any) -> dict[str, Any]:
    """An invoice of API version 2025-03-31.basil and later."""
    invoice = {
        "id": "in_1QfB2c3D4e5F",
        "object": "invoice",
        "amount_due": 799,
        "amount_paid": 799,
        "amount_remaining": 0,
        "attempt_count": 1,
        "billing_reason": "subscription_cycle",
        "currency": "usd",
        "customer": "cus_QfA1b2C3",
        "lines": {
            "object": "list",
            "data": [
                {
                    "id": "il_1QfB2c",
                    "object": "line_item",
                    "amount": 799,
                    "currency": "usd",
                    "period": {"start": PERIOD_START, "end": PERIOD_END},
                    "parent": {
                        "type": "subscription_item_details",
                        "subscription_item_details": {"subscription": "sub_1QfA1b2C3d4E5f"},
                    },
                }
            ],
            "has_more": False,
        },
        "metadata": {},
        "parent": {
            "type": "subscription_details",
            "quote_details": None,
            "subscription_details": {
                "metadata": {"checkout_reference": str(REFERENCE), "user_id": str(USER)},
                "subscription": "sub_1QfA1b2C3d4E5f",
            },
        },
        # For a renewal the invoice's own period is the one that just ended.
        "period_start": PERIOD_START - 30 * 86400,
        "period_end": PERIOD_START,
        "status": "paid",
        "payments": {
            "object": "list",
            "data": [
                {
                    "object": "invoice_payment",
                    "payment": {"type": "payment_intent", "payment_intent": "pi_3QfB2c3D"},
                    "status": "paid",
                }
            ],
        },
    }
    invoice.update(changes)
    return invoice


def invoice_legacy(**changes: Any) -> dict[str, Any]:
    """The same invoice as API versions before basil render it."""
    invoice = invoice_basil(parent=None, payments=None)
    invoice.update(
        {
            "subscription": "sub_1QfA1b2C3d4E5f",
            "subscription_details": {"metadata": {"checkout_reference": str(REFERENCE)}},
            "charge": "ch_3QfB2c3D",
            "payment_intent": "pi_3QfB2c3D",
            "currency": "inr",
            "amount_due": 29900,
            "amount_paid": 29900,
        }
    )
    invoice.update(changes)
    return invoice


@pytest.mark.parametrize("type_", ["invoice.paid", "invoice.payment_succeeded"])
def test_invoice_paid(provider: StripeProvider, type_: str) -> None:
    got = accept(provider, event(type_, invoice_basil()))
    assert got.kind is PaymentEventKind.INVOICE_PAID
    assert got.raw_type == type_
    assert got.checkout_reference == REFERENCE
    assert got.provider_subscription_id == "sub_1QfA1b2C3d4E5f"
    assert got.provider_customer_id == "cus_QfA1b2C3"
    assert got.provider_payment_id == "pi_3QfB2c3D"
    assert got.amount == Decimal("7.99")
    assert str(got.amount) == "7.99"
    assert got.currency is Currency.USD
    assert got.period_start == datetime.fromtimestamp(PERIOD_START, UTC)
    assert got.period_end == datetime.fromtimestamp(PERIOD_END, UTC)
    assert got.failure_reason is None


def test_invoice_paid_in_the_shape_before_basil(provider: StripeProvider) -> None:
    got = accept(provider, event("invoice.paid", invoice_legacy()))
    assert got.kind is PaymentEventKind.INVOICE_PAID
    assert got.provider_subscription_id == "sub_1QfA1b2C3d4E5f"
    assert got.checkout_reference == REFERENCE
    assert got.provider_payment_id == "pi_3QfB2c3D"
    assert got.amount == Decimal("299.00")
    assert got.currency is Currency.INR
    assert got.period_end == datetime.fromtimestamp(PERIOD_END, UTC)


def test_an_upgrade_invoice_pays_for_the_latest_ending_line(provider: StripeProvider) -> None:
    middle = PERIOD_START + 10 * 86400
    lines = {
        "object": "list",
        "data": [
            {"amount": -533, "period": {"start": middle, "end": PERIOD_END}},  # unused time
            {"amount": 5333, "period": {"start": middle, "end": PERIOD_START + 365 * 86400}},
        ],
    }
    got = accept(provider, event("invoice.paid", invoice_basil(lines=lines, amount_paid=4800)))
    assert got.period_start == datetime.fromtimestamp(middle, UTC)
    assert got.period_end == datetime.fromtimestamp(PERIOD_START + 365 * 86400, UTC)
    assert got.amount == Decimal("48.00")


def test_an_invoice_without_line_periods_uses_its_own(provider: StripeProvider) -> None:
    got = accept(provider, event("invoice.paid", invoice_basil(lines={"data": []})))
    assert got.period_start == datetime.fromtimestamp(PERIOD_START - 30 * 86400, UTC)
    assert got.period_end == datetime.fromtimestamp(PERIOD_START, UTC)


def test_invoice_payment_failed(provider: StripeProvider) -> None:
    failed = invoice_basil(
        amount_paid=0, amount_remaining=799, attempt_count=2, status="open", payments=None
    )
    got = accept(provider, event("invoice.payment_failed", failed))
    assert got.kind is PaymentEventKind.INVOICE_PAYMENT_FAILED
    assert got.provider_subscription_id == "sub_1QfA1b2C3d4E5f"
    assert got.checkout_reference == REFERENCE
    assert got.amount == Decimal("7.99")  # what is due
    assert got.failure_reason is not None
    assert "attempt 2" in got.failure_reason
    with_error = invoice_basil(
        last_finalization_error={"message": "The customer's tax location is invalid."}
    )
    got = accept(provider, event("invoice.payment_failed", with_error, "evt_3"))
    assert got.failure_reason == "The customer's tax location is invalid."


def subscription_object(**changes: Any) -> dict[str, Any]:
    subscription = {
        "id": "sub_1QfA1b2C3d4E5f",
        "object": "subscription",
        "cancel_at_period_end": False,
        "canceled_at": T - 60,
        "cancellation_details": {"comment": None, "feedback": None, "reason": "payment_failed"},
        "customer": "cus_QfA1b2C3",
        "ended_at": T - 60,
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_QfA1",
                    "object": "subscription_item",
                    "current_period_start": PERIOD_START,
                    "current_period_end": PERIOD_END,
                }
            ],
        },
        "metadata": {"checkout_reference": str(REFERENCE)},
        "status": "canceled",
    }
    subscription.update(changes)
    return subscription


def test_customer_subscription_deleted(provider: StripeProvider) -> None:
    got = accept(provider, event("customer.subscription.deleted", subscription_object()))
    assert got.kind is PaymentEventKind.SUBSCRIPTION_CANCELED
    assert got.provider_subscription_id == "sub_1QfA1b2C3d4E5f"
    assert got.checkout_reference == REFERENCE
    assert got.provider_customer_id == "cus_QfA1b2C3"
    assert got.period_end == datetime.fromtimestamp(PERIOD_END, UTC)
    assert got.failure_reason == "payment_failed"
    legacy = subscription_object(
        items={"data": []},
        current_period_start=PERIOD_START,
        current_period_end=PERIOD_END + 1,
        metadata={},
    )
    got = accept(provider, event("customer.subscription.deleted", legacy, "evt_4"))
    assert got.period_end == datetime.fromtimestamp(PERIOD_END + 1, UTC)
    assert got.checkout_reference is None


def test_charge_refunded(provider: StripeProvider) -> None:
    charge = {
        "id": "ch_3QfB2c3D",
        "object": "charge",
        "amount": 29900,
        "amount_captured": 29900,
        "amount_refunded": 10000,
        "captured": True,
        "currency": "inr",
        "customer": "cus_QfA1b2C3",
        "metadata": {},
        "paid": True,
        "payment_intent": "pi_3QfB2c3D",
        "refunded": False,
        "status": "succeeded",
    }
    got = accept(provider, event("charge.refunded", charge))
    assert got.kind is PaymentEventKind.REFUNDED
    assert got.provider_payment_id == "pi_3QfB2c3D"  # the one invoice.paid named
    assert got.amount == Decimal("100.00")
    assert got.currency is Currency.INR
    no_intent = {**charge, "payment_intent": None, "amount_refunded": 29900, "refunded": True}
    got = accept(provider, event("charge.refunded", no_intent, "evt_5"))
    assert got.provider_payment_id == "ch_3QfB2c3D"
    assert got.amount == Decimal("299.00")


@pytest.mark.parametrize(
    "type_", ["customer.created", "invoice.created", "payment_intent.succeeded", "x.y"]
)
def test_other_event_types_are_kept_without_a_kind(provider: StripeProvider, type_: str) -> None:
    got = accept(provider, event(type_, {"id": "obj_1"}))
    assert got.kind is None
    assert got.raw_type == type_
    assert got.amount is None
    assert got.checkout_reference is None


def test_a_currency_the_platform_does_not_bill_is_refused(provider: StripeProvider) -> None:
    body = event("invoice.paid", invoice_basil(currency="eur"))
    assert rejected(provider, body, signed(body)) == "unsupported_currency"


# ---- calls to Stripe -----------------------------------------------------------------------------

Handler = Callable[[httpx.Request], httpx.Response]


class FakeStripe:
    """Answers as Stripe's API does, and keeps what it was sent."""

    def __init__(self, answer: Handler | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self._answer = answer or self.stripe

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self._answer(request)

    @staticmethod
    def stripe(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path == "/v1/checkout/sessions":
            return httpx.Response(
                200,
                json={
                    "id": "cs_test_a1B2c3D4",
                    "object": "checkout.session",
                    "url": "https://checkout.stripe.com/c/pay/cs_test_a1B2c3D4",
                },
            )
        if path.startswith("/v1/subscriptions/"):
            return httpx.Response(
                200, json={"id": path.rsplit("/", 1)[1], "object": "subscription"}
            )
        if request.method == "POST" and path == "/v1/refunds":
            return httpx.Response(
                200, json={"id": "re_1", "object": "refund", "status": "succeeded"}
            )
        return httpx.Response(
            404,
            json={
                "error": {
                    "type": "invalid_request_error",
                    "message": f"Unrecognized request URL ({path})",
                }
            },
        )

    def form(self, index: int = -1) -> dict[str, str]:
        request = self.requests[index]
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        return dict(parse_qsl(request.content.decode(), strict_parsing=True))


def with_fake(settings: Settings, fake: FakeStripe) -> StripeProvider:
    return StripeProvider(
        settings=settings, http=httpx.AsyncClient(transport=httpx.MockTransport(fake))
    )


async def checkout(
    provider: PaymentProvider, *, trial_days: int = 7, currency: Currency = Currency.INR
) -> Checkout:
    assert MONTHLY is not None
    return await provider.create_checkout(
        checkout_reference=REFERENCE,
        user_id=USER,
        email="asha@example.com",
        plan=MONTHLY,
        currency=currency,
        amount=MONTHLY.prices[currency],
        trial_days=trial_days,
        success_url="https://ott.example/account?checkout=done",
        cancel_url="https://ott.example/plans",
    )


async def test_create_checkout_makes_a_subscription_session(stripe_settings: Settings) -> None:
    fake = FakeStripe()
    provider: PaymentProvider = with_fake(stripe_settings, fake)
    made = await checkout(provider)
    assert made.url == "https://checkout.stripe.com/c/pay/cs_test_a1B2c3D4"
    assert made.provider_reference == "cs_test_a1B2c3D4"
    (request,) = fake.requests
    assert request.method == "POST"
    assert str(request.url) == "https://api.stripe.test/v1/checkout/sessions"
    assert request.headers["authorization"] == "Bearer sk_test_51abcdef"
    assert request.headers["idempotency-key"] == f"ott-checkout-{REFERENCE}"
    assert fake.form() == {
        "mode": "subscription",
        "client_reference_id": str(REFERENCE),
        "customer_email": "asha@example.com",
        "success_url": "https://ott.example/account?checkout=done",
        "cancel_url": "https://ott.example/plans",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "inr",
        "line_items[0][price_data][unit_amount]": "29900",
        "line_items[0][price_data][recurring][interval]": "month",
        "line_items[0][price_data][product_data][name]": "Premium (monthly)",
        "line_items[0][price_data][product_data][metadata][plan_code]": "premium-monthly",
        "metadata[checkout_reference]": str(REFERENCE),
        "metadata[user_id]": str(USER),
        "subscription_data[metadata][checkout_reference]": str(REFERENCE),
        "subscription_data[metadata][user_id]": str(USER),
        "subscription_data[trial_period_days]": "7",
    }


async def test_a_checkout_without_trial_and_in_dollars(stripe_settings: Settings) -> None:
    fake = FakeStripe()
    await checkout(with_fake(stripe_settings, fake), trial_days=0, currency=Currency.USD)
    form = fake.form()
    assert "subscription_data[trial_period_days]" not in form
    assert form["line_items[0][price_data][currency]"] == "usd"
    assert form["line_items[0][price_data][unit_amount]"] == "799"


async def test_cancel_at_period_end_and_at_once(stripe_settings: Settings) -> None:
    fake = FakeStripe()
    provider = with_fake(stripe_settings, fake)
    await provider.cancel(provider_subscription_id="sub_1QfA1b2C3d4E5f", at_period_end=True)
    request = fake.requests[-1]
    assert (request.method, request.url.path) == ("POST", "/v1/subscriptions/sub_1QfA1b2C3d4E5f")
    assert fake.form() == {"cancel_at_period_end": "true"}
    assert request.headers["idempotency-key"]
    await provider.cancel(provider_subscription_id="sub_1QfA1b2C3d4E5f", at_period_end=False)
    request = fake.requests[-1]
    assert (request.method, request.url.path) == ("DELETE", "/v1/subscriptions/sub_1QfA1b2C3d4E5f")
    assert request.headers["authorization"] == "Bearer sk_test_51abcdef"


async def test_refund_of_a_payment_intent_and_of_a_charge(stripe_settings: Settings) -> None:
    fake = FakeStripe()
    provider = with_fake(stripe_settings, fake)
    await provider.refund(
        provider_payment_id="pi_3QfB2c3D", amount=Decimal("7.99"), currency=Currency.USD
    )
    assert fake.requests[-1].url.path == "/v1/refunds"
    assert fake.form() == {"payment_intent": "pi_3QfB2c3D", "amount": "799"}
    first_key = fake.requests[-1].headers["idempotency-key"]
    await provider.refund(
        provider_payment_id="pi_3QfB2c3D", amount=Decimal("7.99"), currency=Currency.USD
    )
    assert fake.requests[-1].headers["idempotency-key"] == first_key  # a retry refunds once
    await provider.refund(
        provider_payment_id="ch_3QfB2c3D", amount=Decimal("299"), currency=Currency.INR
    )
    assert fake.form() == {"charge": "ch_3QfB2c3D", "amount": "29900"}


async def test_an_amount_finer_than_the_minor_unit_is_refused(stripe_settings: Settings) -> None:
    fake = FakeStripe()
    provider = with_fake(stripe_settings, fake)
    with pytest.raises(ValueError, match="decimal digits"):
        await provider.refund(
            provider_payment_id="pi_3QfB2c3D", amount=Decimal("7.995"), currency=Currency.USD
        )
    assert fake.requests == []


async def test_an_id_that_is_no_stripe_id_never_reaches_a_url(stripe_settings: Settings) -> None:
    fake = FakeStripe()
    provider = with_fake(stripe_settings, fake)
    with pytest.raises(BadRequest) as caught:
        await provider.cancel(provider_subscription_id="../v1/customers/cus_1", at_period_end=False)
    assert caught.value.code == "invalid_provider_reference"
    assert fake.requests == []


def stripe_error(status: int, message: str, code: str | None = None) -> Handler:
    def answer(request: httpx.Request) -> httpx.Response:
        error: dict[str, Any] = {"type": "invalid_request_error", "message": message}
        if code:
            error["code"] = code
        return httpx.Response(status, json={"error": error})

    return answer


async def test_a_4xx_of_stripe_is_a_clear_rejection(stripe_settings: Settings) -> None:
    answer = stripe_error(404, "No such subscription: 'sub_gone'", "resource_missing")
    provider = with_fake(stripe_settings, FakeStripe(answer))
    with pytest.raises(PaymentProviderRejected) as caught:
        await provider.cancel(provider_subscription_id="sub_gone", at_period_end=True)
    assert caught.value.status_code == 400
    assert caught.value.code == "payment_provider_rejected"
    assert "No such subscription" in caught.value.message
    assert caught.value.details == {
        "provider": "stripe",
        "status": 404,
        "provider_code": "resource_missing",
    }


@pytest.mark.parametrize("status", [500, 502, 503, 429, 401, 403])
async def test_an_outage_or_a_bad_key_is_service_unavailable(
    stripe_settings: Settings, status: int
) -> None:
    provider = with_fake(stripe_settings, FakeStripe(stripe_error(status, "Something went wrong")))
    with pytest.raises(ServiceUnavailable) as caught:
        await checkout(provider)
    assert caught.value.status_code == 503
    assert caught.value.code == "payment_provider_unavailable"
    assert caught.value.details["status"] == status
    # Waiting fixes an outage or a rate limit, not a wrong key.
    assert (caught.value.headers is None) == (status in (401, 403))


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("eof")],
)
async def test_a_timeout_or_an_unreachable_stripe_is_service_unavailable(
    stripe_settings: Settings, error: Exception
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise error

    provider = with_fake(stripe_settings, FakeStripe(fail))
    with pytest.raises(ServiceUnavailable) as caught:
        await provider.refund(
            provider_payment_id="pi_1", amount=Decimal("1"), currency=Currency.USD
        )
    assert caught.value.code == "payment_provider_unavailable"


async def test_an_unreadable_answer_is_service_unavailable(stripe_settings: Settings) -> None:
    provider = with_fake(
        stripe_settings, FakeStripe(lambda request: httpx.Response(200, text="<html>"))
    )
    with pytest.raises(ServiceUnavailable):
        await checkout(provider)
    no_url = FakeStripe(lambda request: httpx.Response(200, json={"id": "cs_1", "url": None}))
    with pytest.raises(ServiceUnavailable):
        await checkout(with_fake(stripe_settings, no_url))


async def test_without_an_api_key_nothing_is_sent(stripe_settings: Settings) -> None:
    fake = FakeStripe()
    provider = with_fake(settings_with(stripe_settings, stripe_api_key=None), fake)
    with pytest.raises(ServiceUnavailable) as caught:
        await checkout(provider)
    assert caught.value.code == "payment_provider_not_configured"
    assert fake.requests == []


async def test_charge_is_never_the_platforms_for_stripe_billing(stripe_settings: Settings) -> None:
    fake = FakeStripe()
    provider = with_fake(stripe_settings, fake)
    assert provider.renews_itself
    with pytest.raises(RenewsItself, match="renewal"):
        await provider.charge(
            provider_customer_id="cus_1",
            amount=Decimal("299"),
            currency=Currency.INR,
            idempotency_key="renewal-1",
            description="Premium (monthly)",
        )
    assert fake.requests == []
