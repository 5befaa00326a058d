"""What the providers that take money elsewhere (Stripe-style, Razorpay-style) share: calls to
their REST APIs with the answers turned into the platform's errors, amounts in minor units, and
reading the JSON of their webhooks.

Errors of a call:
- the provider cannot be reached, times out, answers 5xx, 429 (rate limit) or 401/403 (our key
  is wrong: the platform's fault, not the viewer's) -> `ServiceUnavailable`
  (code `payment_provider_unavailable`), which the caller may retry;
- any other 4xx (a bad parameter, an unknown subscription, a declined card)
  -> `PaymentProviderRejected` (400), with the provider's own code and message in `details`.
No httpx exception escapes. There is no retry loop here: every POST carries an idempotency key
where the provider supports one, so the caller's retry of a failed call is safe.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import structlog

from ott.core.errors import BadRequest, ServiceUnavailable
from ott.subscriptions.plans import Currency
from ott.subscriptions.providers.base import WebhookRejected

log = structlog.get_logger(__name__)

# Digits after the decimal point of each currency's minor unit (paise, cents).
MINOR_UNIT_DIGITS: dict[Currency, int] = {Currency.INR: 2, Currency.USD: 2}

_UNAVAILABLE_STATUSES = frozenset({401, 403, 429})
# Provider ids go into URL paths: letters, digits and underscores only (sub_..., pi_..., pay_...).
_PROVIDER_ID = re.compile(r"^[A-Za-z0-9_]{1,255}$")


class PaymentProviderRejected(BadRequest):
    """The payment provider refused the call (a 4xx other than 401, 403 and 429)."""

    code = "payment_provider_rejected"


class RenewsItself(RuntimeError):
    """`charge` of a provider that charges each renewal itself and reports it by webhook
    (`renews_itself`): the platform's renewal job never calls it, so a call is a bug."""


# ---- money -----------------------------------------------------------------------------------


def to_minor(amount: Decimal, currency: Currency) -> int:
    """`amount` in major units (299.00 rupees) as an integer of minor units (29900 paise).
    An amount with more digits than the currency has is refused, never rounded."""
    digits = MINOR_UNIT_DIGITS[currency]
    minor = amount.scaleb(digits)
    if minor != minor.to_integral_value():
        raise ValueError(f"{amount} {currency.value} has more than {digits} decimal digits")
    return int(minor)


def from_minor(minor: int, currency: Currency) -> Decimal:
    """An integer of minor units as an exact Decimal of major units (29900 -> 299.00)."""
    digits = MINOR_UNIT_DIGITS[currency]
    return Decimal(minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


def currency_of(value: object, *, provider: str) -> Currency:
    """A provider's currency code (Stripe: lower case) as the platform's Currency."""
    if not isinstance(value, str):
        raise WebhookRejected(
            f"The {provider} webhook has no currency", code="invalid_webhook_body"
        )
    try:
        return Currency(value.upper())
    except ValueError:
        raise WebhookRejected(
            f"The {provider} webhook is in {value.upper()}, a currency the platform does not "
            f"bill in ({', '.join(c.value for c in Currency)})",
            code="unsupported_currency",
        ) from None


# ---- reading webhook JSON ----------------------------------------------------------------------


def obj(value: object) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one (Razorpay sends empty notes as [])."""
    return value if isinstance(value, dict) else {}


def text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def ref_id(value: object) -> str | None:
    """An id, or the id of an expanded object (Stripe's expandable fields)."""
    if isinstance(value, dict):
        return text(value.get("id"))
    return text(value)


def integer(value: object) -> int | None:
    # bool is an int in Python; JSON's true is no amount.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def timestamp(value: object) -> datetime | None:
    seconds = integer(value)
    return datetime.fromtimestamp(seconds, UTC) if seconds is not None else None


def reference(value: object) -> uuid.UUID | None:
    """The platform's checkout reference, if `value` is one (anything else: None, so that a
    payment made outside the platform is stored and reported as unknown, not rejected)."""
    candidate = text(value)
    if candidate is None:
        return None
    try:
        return uuid.UUID(candidate)
    except ValueError:
        return None


def provider_id(value: str, *, what: str) -> str:
    """`value`, checked to be a provider's id before it goes into a URL path."""
    if not _PROVIDER_ID.match(value):
        raise BadRequest(f"{value!r} is not a valid {what}", code="invalid_provider_reference")
    return value


# ---- calling the API ---------------------------------------------------------------------------

# (code, message) from the body of a provider's error answer.
ErrorReader = Callable[[Mapping[str, Any]], tuple[str | None, str | None]]


async def call_api(
    http: httpx.AsyncClient,
    *,
    provider: str,
    method: str,
    url: str,
    read_error: ErrorReader,
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
    json: Any = None,
    auth: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """One call; the provider's JSON answer, or the platform's error (see the module's doc)."""
    try:
        response = await http.request(
            method, url, headers=headers, content=content, json=json, auth=auth
        )
    except httpx.HTTPError as exc:
        log.warning("payment_provider_unreachable", provider=provider, url=url, error=repr(exc))
        kind = (
            "did not answer in time"
            if isinstance(exc, httpx.TimeoutException)
            else "could not be reached"
        )
        raise ServiceUnavailable(
            f"The payment provider ({provider}) {kind}. Try again shortly.",
            code="payment_provider_unavailable",
            details={"provider": provider, "error": type(exc).__name__},
        ) from None
    body = _json_object(response)
    status = response.status_code
    if status < 400:
        if body is None:
            raise ServiceUnavailable(
                f"The payment provider ({provider}) answered {status} with a body that is not "
                "a JSON object",
                code="payment_provider_unavailable",
                details={"provider": provider, "status": status},
            )
        return body
    provider_code, message = read_error(body or {})
    details = {"provider": provider, "status": status, "provider_code": provider_code}
    log.warning(
        "payment_provider_error", provider=provider, url=url, status=status, code=provider_code
    )
    if status >= 500 or status in _UNAVAILABLE_STATUSES:
        raise ServiceUnavailable(
            f"The payment provider ({provider}) is unavailable (HTTP {status}"
            + (f": {message}" if message else "")
            + ")",
            code="payment_provider_unavailable",
            details=details,
            # A wrong key is not fixed by waiting; an outage or a rate limit may be.
            headers=None if status in (401, 403) else {"Retry-After": "5"},
        )
    raise PaymentProviderRejected(
        f"The payment provider ({provider}) refused the request: " + (message or f"HTTP {status}"),
        details=details,
    )


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
