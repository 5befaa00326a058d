"""The Stripe-style provider: Stripe Checkout and Stripe Billing over Stripe's REST API, and
Stripe's signed webhooks.

Checkout makes a Checkout Session in subscription mode with the plan's price inline
(`price_data`), so no Price objects need to be kept in step with the plan catalogue; Stripe
then charges every renewal itself (`renews_itself`) and reports by webhook.

Webhooks carry `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...]`; v1 is the HMAC-SHA256 of
`"{t}.{raw body}"` under the endpoint's signing secret (one v1 per active secret while Stripe
rolls the secret; STRIPE_WEBHOOK_SECRETS holds ours while we roll it). A webhook is accepted when
any of our secrets matches any v1, and its t is within STRIPE_WEBHOOK_TOLERANCE_SECONDS (300)
of its arrival, either way. Payloads are read in the shapes of both the API versions before
2025-03-31 ("basil") and after it (`invoice.subscription` moved to
`invoice.parent.subscription_details.subscription`, periods of a subscription to its items).

The `stripe` SDK is not used: verification is a few lines of hmac, the four calls made here are
plain form posts, and the SDK would bring its own HTTP stack where the platform injects one
httpx client (and its tests an httpx.MockTransport).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import httpx
import structlog

from ott.core.errors import ServiceUnavailable
from ott.core.settings import Settings
from ott.subscriptions.plans import Currency, Plan
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

SIGNATURE_HEADER = "Stripe-Signature"
# Where the platform's checkout reference travels besides client_reference_id: the metadata of
# the session and of the subscription it makes (copied by Stripe onto each invoice's
# parent.subscription_details.metadata), so that every later event names it.
REFERENCE_KEY = "checkout_reference"

_KINDS: dict[str, PaymentEventKind] = {
    "checkout.session.completed": PaymentEventKind.CHECKOUT_COMPLETED,
    "checkout.session.async_payment_succeeded": PaymentEventKind.CHECKOUT_COMPLETED,
    "invoice.paid": PaymentEventKind.INVOICE_PAID,
    "invoice.payment_succeeded": PaymentEventKind.INVOICE_PAID,
    "invoice.payment_failed": PaymentEventKind.INVOICE_PAYMENT_FAILED,
    "customer.subscription.deleted": PaymentEventKind.SUBSCRIPTION_CANCELED,
    "charge.refunded": PaymentEventKind.REFUNDED,
}


class StripeProvider:
    name = "stripe"
    renews_itself = True

    def __init__(self, *, settings: Settings, http: httpx.AsyncClient | None = None) -> None:
        self._secrets = list(settings.stripe_webhook_secrets)
        self._tolerance = settings.stripe_webhook_tolerance_seconds
        self._api_key = settings.stripe_api_key
        self._base_url = settings.stripe_api_base_url.rstrip("/")
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=settings.payment_api_timeout_seconds)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # ---- calls to Stripe ----------------------------------------------------------------------

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
        if plan.interval is None:
            raise ValueError(f"plan {plan.code} is free: there is nothing to check out")
        metadata = {REFERENCE_KEY: str(checkout_reference), "user_id": str(user_id)}
        params: dict[str, Any] = {
            "mode": "subscription",
            "client_reference_id": str(checkout_reference),
            "customer_email": email,
            "success_url": success_url,
            "cancel_url": cancel_url,
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": currency.value.lower(),
                        "unit_amount": remote.to_minor(amount, currency),
                        "recurring": {"interval": plan.interval.value},
                        "product_data": {"name": plan.name, "metadata": {"plan_code": plan.code}},
                    },
                }
            ],
            "metadata": metadata,
            "subscription_data": {
                "metadata": metadata,
                "trial_period_days": trial_days if trial_days > 0 else None,
            },
        }
        session = await self._post(
            "/v1/checkout/sessions", params, idempotency_key=f"ott-checkout-{checkout_reference}"
        )
        url, session_id = remote.text(session.get("url")), remote.text(session.get("id"))
        if url is None or session_id is None:
            raise ServiceUnavailable(
                "Stripe made a checkout session without a URL or id",
                code="payment_provider_unavailable",
                details={"provider": self.name},
            )
        return Checkout(url=url, provider_reference=session_id)

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
            "Stripe Billing charges each renewal of a Stripe subscription itself and reports it "
            "by webhook (invoice.paid / invoice.payment_failed); the platform never charges it"
        )

    async def cancel(self, *, provider_subscription_id: str, at_period_end: bool) -> None:
        subscription = remote.provider_id(provider_subscription_id, what="Stripe subscription id")
        if at_period_end:
            await self._post(
                f"/v1/subscriptions/{subscription}",
                {"cancel_at_period_end": True},
                idempotency_key=f"ott-cancel-{subscription}-at-period-end",
            )
        else:
            await self._call("DELETE", f"/v1/subscriptions/{subscription}")

    async def refund(
        self, *, provider_payment_id: str, amount: Decimal, currency: Currency
    ) -> None:
        payment = remote.provider_id(provider_payment_id, what="Stripe payment id")
        minor = remote.to_minor(amount, currency)
        # A PaymentIntent (pi_...) or, from older invoices and charge.refunded, a Charge (ch_...).
        target = "payment_intent" if payment.startswith("pi_") else "charge"
        # The same refund asked for again (a retry after a timeout) is not made twice.
        await self._post(
            "/v1/refunds",
            {target: payment, "amount": minor},
            idempotency_key=f"ott-refund-{payment}-{minor}",
        )

    async def _post(
        self, path: str, params: Mapping[str, Any], *, idempotency_key: str
    ) -> dict[str, Any]:
        return await self._call(
            "POST",
            path,
            content=urlencode(form_fields(params)).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Idempotency-Key": idempotency_key,
            },
        )

    async def _call(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        if not self._api_key:
            raise ServiceUnavailable(
                "Payments through Stripe are not configured (STRIPE_API_KEY is not set)",
                code="payment_provider_not_configured",
                details={"provider": self.name},
            )
        return await remote.call_api(
            self._http,
            provider=self.name,
            method=method,
            url=self._base_url + path,
            headers={"Authorization": f"Bearer {self._api_key}", **(headers or {})},
            content=content,
            read_error=_read_error,
        )

    # ---- webhooks -----------------------------------------------------------------------------

    def parse_webhook(
        self, *, body: bytes, headers: Mapping[str, str], received_at: datetime
    ) -> PaymentEvent:
        self._verify(body, headers, received_at)
        try:
            event = json.loads(body)
        except ValueError:
            raise WebhookRejected(
                "The Stripe webhook's body is not JSON", code="invalid_webhook_body"
            ) from None
        if not isinstance(event, dict):
            raise WebhookRejected(
                "The Stripe webhook's body is not a JSON object", code="invalid_webhook_body"
            )
        event_id, raw_type = remote.text(event.get("id")), remote.text(event.get("type"))
        if event_id is None or raw_type is None:
            raise WebhookRejected(
                "The Stripe webhook's event has no id or no type", code="invalid_webhook_body"
            )
        occurred_at = remote.timestamp(event.get("created")) or received_at
        kind = _KINDS.get(raw_type)
        event_object = remote.obj(remote.obj(event.get("data")).get("object"))
        if kind is not None and not event_object:
            raise WebhookRejected(
                f"The Stripe webhook's {raw_type} event has no data.object",
                code="invalid_webhook_body",
            )
        base = PaymentEvent(
            provider=self.name,
            event_id=event_id,
            raw_type=raw_type,
            kind=kind,
            occurred_at=occurred_at,
        )
        if kind is PaymentEventKind.CHECKOUT_COMPLETED:
            return _checkout_completed(base, event_object)
        if kind in (PaymentEventKind.INVOICE_PAID, PaymentEventKind.INVOICE_PAYMENT_FAILED):
            return _invoice(base, event_object)
        if kind is PaymentEventKind.SUBSCRIPTION_CANCELED:
            return _subscription_deleted(base, event_object)
        if kind is PaymentEventKind.REFUNDED:
            return _charge_refunded(base, event_object)
        return base

    def _verify(self, body: bytes, headers: Mapping[str, str], received_at: datetime) -> None:
        if not self._secrets:
            raise WebhookRejected(
                "Stripe webhooks cannot be verified: STRIPE_WEBHOOK_SECRETS is not set",
                code="webhook_not_configured",
            )
        value = header(headers, SIGNATURE_HEADER)
        if value is None or not value.strip():
            raise WebhookRejected(
                f"The webhook has no {SIGNATURE_HEADER} header", code="missing_signature"
            )
        timestamp, signatures = parse_signature_header(value)
        if not any_signature_matches(
            secrets=self._secrets,
            message=str(timestamp).encode() + b"." + body,
            signatures=signatures,
        ):
            raise WebhookRejected(
                f"No v1 signature of the {SIGNATURE_HEADER} header matches the body under a "
                "configured secret",
                code="invalid_signature",
            )
        skew = received_at.timestamp() - timestamp
        if abs(skew) > self._tolerance:
            when = "old" if skew > 0 else "in the future"
            raise WebhookRejected(
                f"The webhook's timestamp is {abs(int(skew))} s {when}, beyond the tolerance "
                f"of {self._tolerance} s (a replay, or a clock out of step)",
                code="stale_webhook",
                details={"timestamp": timestamp, "tolerance_seconds": self._tolerance},
            )


def parse_signature_header(value: str) -> tuple[int, list[str]]:
    """`t=<unix>,v1=<hex>[,v1=<hex>...][,v0=<hex>]` as (t, the v1 values). Other schemes (v0:
    Stripe's test signatures) are skipped; anything not `key=value`, no t or two of them, a t
    that is not a number, no v1 or a v1 that is not a SHA-256 in hex is refused."""

    def garbled(why: str) -> WebhookRejected:
        return WebhookRejected(
            f"The {SIGNATURE_HEADER} header is garbled: {why}", code="invalid_signature_header"
        )

    timestamps: list[str] = []
    signatures: list[str] = []
    for item in value.split(","):
        key, equals, item_value = item.strip().partition("=")
        if not equals or not key or not item_value:
            raise garbled(f"{item.strip()!r} is not key=value")
        if key == "t":
            timestamps.append(item_value)
        elif key == "v1":
            signature = item_value.lower()
            if not is_hex_sha256(signature):
                raise garbled("a v1 value is not 64 hex digits")
            signatures.append(signature)
    if len(timestamps) != 1 or not timestamps[0].isascii() or not timestamps[0].isdigit():
        raise garbled("it needs exactly one t=<unix seconds>")
    if not signatures:
        raise garbled("it has no v1 signature")
    return int(timestamps[0]), signatures


def form_fields(params: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Nested parameters in Stripe's form encoding: `a[b][0][c]=v`; None is left out."""
    fields: list[tuple[str, str]] = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if value is None:
            continue
        if isinstance(value, Mapping):
            fields.extend(form_fields(value, name))
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    fields.extend(form_fields(item, f"{name}[{index}]"))
                else:
                    fields.append((f"{name}[{index}]", _scalar(item)))
        else:
            fields.append((name, _scalar(value)))
    return fields


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _read_error(body: Mapping[str, Any]) -> tuple[str | None, str | None]:
    # {"error": {"type": "invalid_request_error", "code": "resource_missing", "message": ...}}
    error = remote.obj(body.get("error"))
    code = remote.text(error.get("code")) or remote.text(error.get("type"))
    return code, remote.text(error.get("message"))


# ---- Stripe objects as PaymentEvents -----------------------------------------------------------


def _amount(value: object, currency: Currency | None) -> Decimal | None:
    minor = remote.integer(value)
    if minor is None or currency is None:
        return None
    return remote.from_minor(minor, currency)


def _currency(value: object) -> Currency | None:
    return remote.currency_of(value, provider="Stripe") if value is not None else None


def _reference(*candidates: object) -> uuid.UUID | None:
    for candidate in candidates:
        found = remote.reference(candidate)
        if found is not None:
            return found
    return None


def _checkout_completed(base: PaymentEvent, session: dict[str, Any]) -> PaymentEvent:
    # "unpaid": a delayed payment method (a bank debit) is still on its way; its
    # checkout.session.async_payment_succeeded completes the checkout instead.
    if session.get("payment_status") == "unpaid":
        return replace(base, kind=None)
    currency = _currency(session.get("currency"))
    return replace(
        base,
        checkout_reference=_reference(
            session.get("client_reference_id"),
            remote.obj(session.get("metadata")).get(REFERENCE_KEY),
        ),
        provider_subscription_id=remote.ref_id(session.get("subscription")),
        provider_customer_id=remote.ref_id(session.get("customer")),
        provider_payment_id=remote.ref_id(session.get("payment_intent")),
        amount=_amount(session.get("amount_total"), currency),
        currency=currency,
    )


def _invoice_subscription(invoice: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """The invoice's subscription id and the metadata of that subscription."""
    details = remote.obj(remote.obj(invoice.get("parent")).get("subscription_details"))
    if details:  # API 2025-03-31 and later
        return remote.ref_id(details.get("subscription")), remote.obj(details.get("metadata"))
    return (
        remote.ref_id(invoice.get("subscription")),
        remote.obj(remote.obj(invoice.get("subscription_details")).get("metadata")),
    )


def _invoice_period(invoice: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    """The service period the invoice pays for: its line items' (of the latest-ending line,
    which is the plan's; proration lines end no later). The invoice's own period_start and
    period_end are only a fallback: for a renewal they are the period that just ended."""
    periods = [
        (remote.timestamp(period.get("start")), remote.timestamp(period.get("end")))
        for line in remote.obj(invoice.get("lines")).get("data") or []
        if (period := remote.obj(remote.obj(line).get("period")))
    ]
    complete = [(start, end) for start, end in periods if start is not None and end is not None]
    if complete:
        return max(complete, key=lambda period: period[1])
    return remote.timestamp(invoice.get("period_start")), remote.timestamp(
        invoice.get("period_end")
    )


def _invoice_payment(invoice: dict[str, Any]) -> str | None:
    # Before basil: payment_intent / charge on the invoice; after it: invoice.payments (when
    # the event includes them).
    for payment in remote.obj(invoice.get("payments")).get("data") or []:
        inner = remote.obj(remote.obj(payment).get("payment"))
        found = remote.ref_id(inner.get("payment_intent")) or remote.ref_id(inner.get("charge"))
        if found:
            return found
    return remote.ref_id(invoice.get("payment_intent")) or remote.ref_id(invoice.get("charge"))


def _invoice(base: PaymentEvent, invoice: dict[str, Any]) -> PaymentEvent:
    subscription, subscription_metadata = _invoice_subscription(invoice)
    currency = _currency(invoice.get("currency"))
    start, end = _invoice_period(invoice)
    paid = base.kind is PaymentEventKind.INVOICE_PAID
    failure = None
    if not paid:
        failure = remote.text(
            remote.obj(invoice.get("last_finalization_error")).get("message")
        ) or (
            f"Stripe could not collect the invoice (attempt {invoice.get('attempt_count')})"
            if remote.integer(invoice.get("attempt_count"))
            else "Stripe could not collect the invoice"
        )
    return replace(
        base,
        checkout_reference=_reference(
            subscription_metadata.get(REFERENCE_KEY),
            remote.obj(invoice.get("metadata")).get(REFERENCE_KEY),
        ),
        provider_subscription_id=subscription,
        provider_customer_id=remote.ref_id(invoice.get("customer")),
        provider_payment_id=_invoice_payment(invoice),
        amount=_amount(invoice.get("amount_paid" if paid else "amount_due"), currency),
        currency=currency,
        period_start=start,
        period_end=end,
        failure_reason=failure,
    )


def _subscription_deleted(base: PaymentEvent, subscription: dict[str, Any]) -> PaymentEvent:
    start = remote.timestamp(subscription.get("current_period_start"))
    end = remote.timestamp(subscription.get("current_period_end"))
    if start is None:  # API 2025-03-31 and later: the period is per item
        items = remote.obj(subscription.get("items")).get("data") or []
        first = remote.obj(items[0]) if items else {}
        start = remote.timestamp(first.get("current_period_start"))
        end = remote.timestamp(first.get("current_period_end"))
    return replace(
        base,
        checkout_reference=_reference(remote.obj(subscription.get("metadata")).get(REFERENCE_KEY)),
        provider_subscription_id=remote.text(subscription.get("id")),
        provider_customer_id=remote.ref_id(subscription.get("customer")),
        period_start=start,
        period_end=end,
        failure_reason=remote.text(
            remote.obj(subscription.get("cancellation_details")).get("reason")
        ),
    )


def _charge_refunded(base: PaymentEvent, charge: dict[str, Any]) -> PaymentEvent:
    currency = _currency(charge.get("currency"))
    return replace(
        base,
        checkout_reference=_reference(remote.obj(charge.get("metadata")).get(REFERENCE_KEY)),
        provider_customer_id=remote.ref_id(charge.get("customer")),
        # The PaymentIntent when there is one: invoice.paid names the same one.
        provider_payment_id=remote.ref_id(charge.get("payment_intent"))
        or remote.text(charge.get("id")),
        # What has been refunded of the charge so far (all of it when `refunded` is true).
        amount=_amount(charge.get("amount_refunded"), currency),
        currency=currency,
    )
