"""The Razorpay-style provider: Razorpay Subscriptions over Razorpay's REST API, and Razorpay's
signed webhooks.

Checkout makes a Razorpay plan for the platform's plan, price and currency (once per process:
Razorpay plans cannot be changed, a new price is a new plan) and a subscription on it, whose
`short_url` is Razorpay's hosted page where the viewer authorises the mandate. A trial starts
the subscription's first charge `trial_days` later (`start_at`). Razorpay then charges each
renewal itself (`renews_itself`) and reports by webhook. The platform's checkout reference
travels in the subscription's `notes`, which every subscription event carries.

Webhooks carry `X-Razorpay-Signature`: the HMAC-SHA256 in hex of the raw body under the
webhook secret (RAZORPAY_WEBHOOK_SECRET), and `X-Razorpay-Event-Id`, the event's id, the same on
every retry of it: the inbox's deduplication key. Razorpay signs no timestamp and retries for
24 hours, so there is no freshness check: a replay is caught by the event id. Without the
header (a proxy that drops it), the id is derived from the body: the event's name, its first
entity's id and its `created_at` (also the same on every retry), and a warning is logged.

The `razorpay` SDK is not used: it is synchronous (requests), which would block the event loop,
and the three calls made here are plain JSON posts.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import structlog

from ott.core.errors import ServiceUnavailable
from ott.core.settings import Settings
from ott.subscriptions.plans import BillingInterval, Currency, Plan
from ott.subscriptions.providers import remote
from ott.subscriptions.providers.base import (
    ChargeResult,
    Checkout,
    PaymentEvent,
    PaymentEventKind,
    WebhookRejected,
)
from ott.subscriptions.providers.signatures import any_signature_matches, header, is_hex_sha256

log = structlog.get_logger(__name__)

SIGNATURE_HEADER = "X-Razorpay-Signature"
EVENT_ID_HEADER = "X-Razorpay-Event-Id"
REFERENCE_KEY = "checkout_reference"  # in `notes`
_PERIODS = {BillingInterval.MONTH: "monthly", BillingInterval.YEAR: "yearly"}
# Razorpay subscriptions have a fixed number of billing cycles: about ten years of them. One
# that runs out ends with subscription.completed (the viewer subscribes again).
_TOTAL_COUNT = {BillingInterval.MONTH: 120, BillingInterval.YEAR: 10}

_KINDS: dict[str, PaymentEventKind] = {
    # The mandate is authorised (the checkout is done; with a trial the first charge is later)
    # and the subscription becomes active: both complete the checkout, the second one changes
    # nothing if the first came.
    "subscription.authenticated": PaymentEventKind.CHECKOUT_COMPLETED,
    "subscription.activated": PaymentEventKind.CHECKOUT_COMPLETED,
    "payment_link.paid": PaymentEventKind.CHECKOUT_COMPLETED,
    "order.paid": PaymentEventKind.CHECKOUT_COMPLETED,
    "subscription.charged": PaymentEventKind.INVOICE_PAID,
    "invoice.paid": PaymentEventKind.INVOICE_PAID,
    "payment.failed": PaymentEventKind.INVOICE_PAYMENT_FAILED,
    # A renewal charge failed (pending: Razorpay retries; halted: its retries are spent). These
    # name the subscription, which payment.failed does not.
    "subscription.pending": PaymentEventKind.INVOICE_PAYMENT_FAILED,
    "subscription.halted": PaymentEventKind.INVOICE_PAYMENT_FAILED,
    "subscription.cancelled": PaymentEventKind.SUBSCRIPTION_CANCELED,
    "subscription.completed": PaymentEventKind.SUBSCRIPTION_CANCELED,
    "refund.processed": PaymentEventKind.REFUNDED,
}


class RazorpayProvider:
    name = "razorpay"
    renews_itself = True

    def __init__(
        self,
        *,
        settings: Settings,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._secret = settings.razorpay_webhook_secret
        self._key_id = settings.razorpay_key_id
        self._key_secret = settings.razorpay_key_secret
        self._base_url = settings.razorpay_api_base_url.rstrip("/")
        self._clock = clock
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=settings.payment_api_timeout_seconds)
        # (plan code, currency, amount in minor units) -> Razorpay's plan id.
        self._plans: dict[tuple[str, Currency, int], str] = {}

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # ---- calls to Razorpay --------------------------------------------------------------------

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
        # success_url and cancel_url are not sent: Razorpay's subscription page has no return
        # address; the viewer comes back by the link in Razorpay's e-mail or closes the page,
        # and the platform learns of the result by webhook.
        if plan.interval is None:
            raise ValueError(f"plan {plan.code} is free: there is nothing to check out")
        plan_id = await self._plan_id(plan, currency, remote.to_minor(amount, currency))
        params: dict[str, Any] = {
            "plan_id": plan_id,
            "total_count": _TOTAL_COUNT[plan.interval],
            "quantity": 1,
            "customer_notify": True,
            "notes": {REFERENCE_KEY: str(checkout_reference), "user_id": str(user_id)},
            "notify_info": {"notify_email": email},
        }
        if trial_days > 0:
            params["start_at"] = int((self._clock() + timedelta(days=trial_days)).timestamp())
        subscription = await self._call("POST", "/v1/subscriptions", json=params)
        url = remote.text(subscription.get("short_url"))
        subscription_id = remote.text(subscription.get("id"))
        if url is None or subscription_id is None:
            raise ServiceUnavailable(
                "Razorpay made a subscription without a short_url or id",
                code="payment_provider_unavailable",
                details={"provider": self.name},
            )
        return Checkout(url=url, provider_reference=subscription_id)

    async def _plan_id(self, plan: Plan, currency: Currency, minor: int) -> str:
        assert plan.interval is not None
        key = (plan.code, currency, minor)
        if key not in self._plans:
            made = await self._call(
                "POST",
                "/v1/plans",
                json={
                    "period": _PERIODS[plan.interval],
                    "interval": 1,
                    "item": {
                        "name": plan.name,
                        "amount": minor,
                        "currency": currency.value,
                        "description": plan.code,
                    },
                    "notes": {"plan_code": plan.code},
                },
            )
            plan_id = remote.text(made.get("id"))
            if plan_id is None:
                raise ServiceUnavailable(
                    "Razorpay made a plan without an id",
                    code="payment_provider_unavailable",
                    details={"provider": self.name},
                )
            self._plans[key] = plan_id
        return self._plans[key]

    async def charge(
        self,
        *,
        provider_customer_id: str | None,
        amount: Decimal,
        currency: Currency,
        idempotency_key: str,
        description: str,
    ) -> ChargeResult:
        raise remote.RenewsItself(
            "Razorpay Subscriptions charges each renewal of a Razorpay subscription itself and "
            "reports it by webhook (subscription.charged / subscription.pending); the platform "
            "never charges it"
        )

    async def cancel(self, *, provider_subscription_id: str, at_period_end: bool) -> None:
        subscription = remote.provider_id(provider_subscription_id, what="Razorpay subscription id")
        await self._call(
            "POST",
            f"/v1/subscriptions/{subscription}/cancel",
            json={"cancel_at_cycle_end": at_period_end},
        )

    async def refund(
        self, *, provider_payment_id: str, amount: Decimal, currency: Currency
    ) -> None:
        payment = remote.provider_id(provider_payment_id, what="Razorpay payment id")
        # Razorpay refunds in the payment's currency; `currency` gives the minor unit.
        await self._call(
            "POST",
            f"/v1/payments/{payment}/refund",
            json={"amount": remote.to_minor(amount, currency), "speed": "normal"},
        )

    async def _call(self, method: str, path: str, *, json: Any) -> dict[str, Any]:
        if not self._key_id or not self._key_secret:
            raise ServiceUnavailable(
                "Payments through Razorpay are not configured (RAZORPAY_KEY_ID and "
                "RAZORPAY_KEY_SECRET are not both set)",
                code="payment_provider_not_configured",
                details={"provider": self.name},
            )
        return await remote.call_api(
            self._http,
            provider=self.name,
            method=method,
            url=self._base_url + path,
            json=json,
            auth=(self._key_id, self._key_secret),
            read_error=_read_error,
        )

    # ---- webhooks -----------------------------------------------------------------------------

    def parse_webhook(
        self, *, body: bytes, headers: Mapping[str, str], received_at: datetime
    ) -> PaymentEvent:
        self._verify(body, headers)
        try:
            event = json.loads(body)
        except ValueError:
            raise WebhookRejected(
                "The Razorpay webhook's body is not JSON", code="invalid_webhook_body"
            ) from None
        if not isinstance(event, dict):
            raise WebhookRejected(
                "The Razorpay webhook's body is not a JSON object", code="invalid_webhook_body"
            )
        raw_type = remote.text(event.get("event"))
        payload = event.get("payload")
        if raw_type is None or not isinstance(payload, dict):
            raise WebhookRejected(
                "The Razorpay webhook's body has no event or no payload",
                code="invalid_webhook_body",
            )
        entities = {
            name: remote.obj(remote.obj(wrapped).get("entity")) for name, wrapped in payload.items()
        }
        base = PaymentEvent(
            provider=self.name,
            event_id=_event_id(headers, event, entities, raw_type),
            raw_type=raw_type,
            kind=_KINDS.get(raw_type),
            occurred_at=remote.timestamp(event.get("created_at")) or received_at,
        )
        if base.kind is None:
            return base
        return _read(base, raw_type, entities)

    def _verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        if not self._secret:
            raise WebhookRejected(
                "Razorpay webhooks cannot be verified: RAZORPAY_WEBHOOK_SECRET is not set",
                code="webhook_not_configured",
            )
        signature = (header(headers, SIGNATURE_HEADER) or "").strip()
        if not signature:
            raise WebhookRejected(
                f"The webhook has no {SIGNATURE_HEADER} header", code="missing_signature"
            )
        if not is_hex_sha256(signature.lower()):
            raise WebhookRejected(
                f"The {SIGNATURE_HEADER} header is garbled: not a SHA-256 in 64 hex digits",
                code="invalid_signature_header",
            )
        if not any_signature_matches(
            secrets=[self._secret], message=body, signatures=[signature.lower()]
        ):
            raise WebhookRejected(
                f"The {SIGNATURE_HEADER} header does not match the body under the configured "
                "secret",
                code="invalid_signature",
            )


def _event_id(
    headers: Mapping[str, str],
    event: dict[str, Any],
    entities: dict[str, dict[str, Any]],
    raw_type: str,
) -> str:
    given = (header(headers, EVENT_ID_HEADER) or "").strip()
    if given:
        return given
    contains = [name for name in event.get("contains") or [] if isinstance(name, str)]
    first = next((entities[name] for name in contains if name in entities), None)
    entity_id = remote.text((first or {}).get("id"))
    created_at = remote.integer(event.get("created_at"))
    if entity_id is None or created_at is None:
        raise WebhookRejected(
            f"The webhook has no {EVENT_ID_HEADER} header, and its body names no entity and "
            "time to tell the event by",
            code="missing_event_id",
        )
    derived = f"{raw_type}:{entity_id}:{created_at}"
    log.warning("razorpay_webhook_without_event_id", derived_event_id=derived)
    return derived


def _read_error(body: Mapping[str, Any]) -> tuple[str | None, str | None]:
    # {"error": {"code": "BAD_REQUEST_ERROR", "description": "...", "reason": ..., "field": ...}}
    error = remote.obj(body.get("error"))
    return remote.text(error.get("code")), remote.text(error.get("description"))


# ---- Razorpay entities as PaymentEvents --------------------------------------------------------


def _money(entity: dict[str, Any], field: str = "amount") -> tuple[Decimal | None, Currency | None]:
    if not entity or entity.get("currency") is None:
        return None, None
    currency = remote.currency_of(entity.get("currency"), provider="Razorpay")
    minor = remote.integer(entity.get(field))
    return (remote.from_minor(minor, currency) if minor is not None else None), currency


def _reference(*entities: dict[str, Any]) -> uuid.UUID | None:
    for entity in entities:
        found = remote.reference(remote.obj(entity.get("notes")).get(REFERENCE_KEY))
        if found is not None:
            return found
    return None


def _read(base: PaymentEvent, raw_type: str, entities: dict[str, dict[str, Any]]) -> PaymentEvent:
    subscription = entities.get("subscription", {})
    payment = entities.get("payment", {})
    kind = base.kind
    if kind is PaymentEventKind.REFUNDED:
        refund = entities.get("refund", {})
        amount, currency = _money(refund)
        return replace(
            base,
            checkout_reference=_reference(refund, payment),
            provider_payment_id=remote.text(refund.get("payment_id"))
            or remote.text(payment.get("id")),
            provider_customer_id=remote.text(payment.get("customer_id")),
            amount=amount,
            currency=currency,
        )
    if raw_type == "invoice.paid":
        invoice = entities.get("invoice", {})
        amount, currency = _money(invoice, "amount_paid")
        return replace(
            base,
            checkout_reference=_reference(invoice, payment),
            provider_subscription_id=remote.text(invoice.get("subscription_id")),
            provider_customer_id=remote.text(invoice.get("customer_id")),
            provider_payment_id=remote.text(invoice.get("payment_id"))
            or remote.text(payment.get("id")),
            amount=amount,
            currency=currency,
            period_start=remote.timestamp(invoice.get("billing_start")),
            period_end=remote.timestamp(invoice.get("billing_end")),
        )
    if raw_type in ("payment_link.paid", "order.paid"):
        source = entities.get("payment_link" if raw_type == "payment_link.paid" else "order", {})
        amount, currency = _money(source, "amount_paid")
        if amount is None:
            amount, currency = _money(payment)
        return replace(
            base,
            checkout_reference=_reference(source, payment),
            provider_customer_id=remote.text(payment.get("customer_id")),
            provider_payment_id=remote.text(payment.get("id")),
            amount=amount,
            currency=currency,
        )
    if raw_type == "payment.failed":
        amount, currency = _money(payment)
        return replace(
            base,
            checkout_reference=_reference(payment),
            provider_customer_id=remote.text(payment.get("customer_id")),
            provider_payment_id=remote.text(payment.get("id")),
            amount=amount,
            currency=currency,
            failure_reason=_failure(payment),
        )
    # The subscription events: subscription.* (with a payment when one was attempted).
    amount, currency = _money(payment)
    failure = None
    if kind is PaymentEventKind.INVOICE_PAYMENT_FAILED:
        failure = _failure(payment) or (
            "Razorpay's retries of the renewal charge are spent (halted)"
            if raw_type == "subscription.halted"
            else "Razorpay could not charge the renewal (pending; it retries)"
        )
    return replace(
        base,
        checkout_reference=_reference(subscription),
        provider_subscription_id=remote.text(subscription.get("id")),
        provider_customer_id=remote.text(subscription.get("customer_id"))
        or remote.text(payment.get("customer_id")),
        provider_payment_id=remote.text(payment.get("id")),
        amount=amount,
        currency=currency,
        period_start=remote.timestamp(subscription.get("current_start")),
        period_end=remote.timestamp(subscription.get("current_end")),
        failure_reason=failure,
    )


def _failure(payment: dict[str, Any]) -> str | None:
    description = remote.text(payment.get("error_description"))
    reason = remote.text(payment.get("error_reason"))
    if description and reason:
        return f"{description} ({reason})"
    return description or reason or remote.text(payment.get("error_code"))
