"""The webhook inbox with a provider of the test's own that honestly implements
base.PaymentProvider (HMAC-SHA256 of the raw body, renews by itself): duplicates, a bad
signature, an unknown subscription, a late payment after a cancel, an older period's
payment, an event that overtook its checkout, and many events at once each applied once."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import uuid
from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from ott.core.app_context import AppContext
from ott.subscriptions.models import InvoiceRow, WebhookInboxRow
from ott.subscriptions.plans import Currency, Plan
from ott.subscriptions.providers.base import (
    ChargeResult,
    Checkout,
    PaymentEvent,
    PaymentEventKind,
    WebhookRejected,
)
from tests.conftest import assert_error
from tests.subscriptions.conftest import Platform, viewer

BASE = "/api/subscriptions"
SECRET = b"whsec_test_" + b"x" * 24
KINDS = {
    "checkout.completed": PaymentEventKind.CHECKOUT_COMPLETED,
    "invoice.paid": PaymentEventKind.INVOICE_PAID,
    "invoice.failed": PaymentEventKind.INVOICE_PAYMENT_FAILED,
    "subscription.canceled": PaymentEventKind.SUBSCRIPTION_CANCELED,
}


class SignedProvider:
    """Takes payments elsewhere and reports by signed webhook."""

    name = "testpay"
    renews_itself = True

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
            url=f"https://pay.example/{checkout_reference}", provider_reference="cs_" + email
        )

    async def charge(self, **_: Any) -> ChargeResult:
        raise AssertionError("a provider that renews by itself is never charged by the job")

    async def aclose(self) -> None:
        """Holds nothing."""

    async def cancel(self, *, provider_subscription_id: str, at_period_end: bool) -> None:
        return None

    async def refund(
        self, *, provider_payment_id: str, amount: Decimal, currency: Currency
    ) -> None:
        return None

    def parse_webhook(
        self, *, body: bytes, headers: Mapping[str, str], received_at: datetime
    ) -> PaymentEvent:
        expected = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(headers.get("x-test-signature", ""), expected):
            raise WebhookRejected("The signature does not match")
        data = json.loads(body)

        def when(name: str) -> datetime | None:
            return datetime.fromisoformat(data[name]) if data.get(name) else None

        return PaymentEvent(
            provider=self.name,
            event_id=data["id"],
            raw_type=data["type"],
            kind=KINDS.get(data["type"]),
            occurred_at=received_at,
            checkout_reference=uuid.UUID(data["reference"]) if data.get("reference") else None,
            provider_subscription_id=data.get("subscription"),
            provider_customer_id=data.get("customer"),
            provider_payment_id=data.get("payment"),
            amount=Decimal(data["amount"]) if data.get("amount") else None,
            currency=Currency(data["currency"]) if data.get("currency") else None,
            period_start=when("period_start"),
            period_end=when("period_end"),
        )


def _signed(payload: dict[str, Any], secret: bytes = SECRET) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    signature = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return body, {"x-test-signature": signature, "content-type": "application/json"}


@pytest.fixture
async def signed(platform: Platform) -> AsyncIterator[SignedProvider]:
    runtime = platform.runtime
    original = runtime.provider
    provider = SignedProvider()
    runtime.provider = provider
    runtime.jobs.provider = provider
    yield provider
    runtime.provider = original
    runtime.jobs.provider = original


async def _send(platform: Platform, payload: dict[str, Any], secret: bytes = SECRET) -> Any:
    body, headers = _signed(payload, secret)
    return await platform.api.post(f"{BASE}/webhooks/testpay", content=body, headers=headers)


async def _checkout(platform: Platform, headers: dict[str, str]) -> str:
    made = await platform.api.post(
        f"{BASE}/checkout",
        json={"plan_code": "premium-monthly", "currency": "USD", "trial": False},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    assert made.json()["url"].startswith("https://pay.example/")
    return str(made.json()["reference"])


def _completed(reference: str, subscription: str) -> dict[str, Any]:
    return {
        "id": f"evt_{uuid.uuid4().hex}",
        "type": "checkout.completed",
        "reference": reference,
        "subscription": subscription,
        "customer": "cus_1",
        "payment": f"pay_{uuid.uuid4().hex}",
        "amount": "7.99",
        "currency": "USD",
    }


async def _me(platform: Platform, headers: dict[str, str]) -> dict[str, Any]:
    return dict((await platform.api.get(f"{BASE}/me", headers=headers)).json())


@pytest.fixture
async def db_context(platform: Platform) -> AsyncIterator[AppContext]:
    opened = AppContext.open(platform.settings)
    yield opened
    await opened.close()


async def test_checkout_by_webhook_duplicates_and_a_forged_copy(
    platform: Platform, signed: SignedProvider, db_context: AppContext
) -> None:
    headers = await viewer(platform)
    reference = await _checkout(platform, headers)
    # The complete route is the development provider's only.
    assert_error(
        await platform.api.post(
            f"{BASE}/checkouts/{reference}/complete",
            json={"card_number": "4242424242424242"},
            headers=headers,
        ),
        404,
    )
    event = _completed(reference, f"sub_{uuid.uuid4().hex}")

    # A forged copy first (wrong secret, the real id): 400, stored without the id.
    forged = await _send(platform, event, secret=b"not-the-secret")
    assert_error(forged, 400, "invalid_webhook")
    assert (await _me(platform, headers))["subscription"] is None

    first = await _send(platform, event)
    assert first.status_code == 200, first.text
    assert first.json() == {
        "received": True,
        "duplicate": False,
        "outcome": "applied",
        "event_id": event["id"],
    }
    me = await _me(platform, headers)
    assert me["subscription"]["status"] == "active"
    assert me["entitlement"]["reason"] == "paid"

    again = await _send(platform, event)
    assert again.json()["duplicate"] is True
    async with db_context.sessionmaker() as db:
        rows = (
            await db.scalars(
                select(WebhookInboxRow).where(WebhookInboxRow.raw_body.contains(reference.encode()))
            )
        ).all()
        invoices = await db.scalar(
            select(func.count())
            .select_from(InvoiceRow)
            .where(InvoiceRow.subscription_id == uuid.UUID(me["subscription"]["id"]))
        )
    assert sorted((r.event_id is None, r.signature_ok, r.outcome) for r in rows) == [
        (False, True, "applied"),
        (True, False, "rejected"),
    ]
    assert invoices == 1
    assert_error(
        await platform.api.post(f"{BASE}/webhooks/elsewhere", content=b"{}"),
        404,
        "unknown_provider",
    )


async def test_unknown_subscription_is_kept_and_answered_200(
    platform: Platform, signed: SignedProvider
) -> None:
    response = await _send(
        platform,
        {"id": f"evt_{uuid.uuid4().hex}", "type": "invoice.paid", "subscription": "sub_nobody"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "unknown_subscription"
    ignored = await _send(platform, {"id": f"evt_{uuid.uuid4().hex}", "type": "customer.updated"})
    assert ignored.json()["outcome"] == "ignored"


async def test_late_payment_after_cancel_does_not_resurrect(
    platform: Platform, signed: SignedProvider
) -> None:
    headers = await viewer(platform)
    reference = await _checkout(platform, headers)
    subscription = f"sub_{uuid.uuid4().hex}"
    await _send(platform, _completed(reference, subscription))
    me = await _me(platform, headers)
    end = datetime.fromisoformat(me["subscription"]["current_period_end"])
    canceled = await _send(
        platform,
        {
            "id": f"evt_{uuid.uuid4().hex}",
            "type": "subscription.canceled",
            "subscription": subscription,
        },
    )
    assert canceled.json()["outcome"] == "applied"
    late = await _send(
        platform,
        {
            "id": f"evt_{uuid.uuid4().hex}",
            "type": "invoice.paid",
            "subscription": subscription,
            "payment": "pay_late",
            "amount": "7.99",
            "period_start": end.isoformat(),
            "period_end": (end + timedelta(days=30)).isoformat(),
        },
    )
    assert late.json()["outcome"] == "skipped_stale"
    me = await _me(platform, headers)
    assert me["subscription"]["status"] == "canceled"
    assert me["entitlement"]["reason"] == "ended"


async def test_renewal_by_webhook_an_older_period_and_a_missing_renewal(
    platform: Platform, signed: SignedProvider
) -> None:
    headers = await viewer(platform)
    reference = await _checkout(platform, headers)
    subscription = f"sub_{uuid.uuid4().hex}"
    await _send(platform, _completed(reference, subscription))
    me = await _me(platform, headers)
    start = datetime.fromisoformat(me["subscription"]["current_period_start"])
    end = datetime.fromisoformat(me["subscription"]["current_period_end"])

    def paid(period_start: datetime, period_end: datetime) -> dict[str, Any]:
        return {
            "id": f"evt_{uuid.uuid4().hex}",
            "type": "invoice.paid",
            "subscription": subscription,
            "payment": f"pay_{uuid.uuid4().hex}",
            "amount": "7.99",
            "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat(),
        }

    # The job waits for the provider at the period's end...
    await platform.runtime.jobs.run_once(now=end)
    assert (await _me(platform, headers))["subscription"]["status"] == "active"
    # ...the renewal arrives: the next period.
    renewed = await _send(platform, paid(end, end + timedelta(days=31)))
    assert renewed.json()["outcome"] == "applied"
    me = await _me(platform, headers)
    assert datetime.fromisoformat(me["subscription"]["current_period_start"]) == end
    # A payment for the period before: recorded, not applied.
    older = await _send(platform, paid(start - timedelta(days=30), start))
    assert older.json()["outcome"] == "skipped_stale"
    me = await _me(platform, headers)
    assert datetime.fromisoformat(me["subscription"]["current_period_start"]) == end

    # No renewal reported for the next period: past due after the allowance, then the hold.
    new_end = end + timedelta(days=31)
    jobs = platform.runtime.jobs
    await jobs.run_once(now=new_end)
    await jobs.run_once(now=new_end + timedelta(hours=3))
    me = await _me(platform, headers)
    assert me["subscription"]["status"] == "past_due"
    await jobs.run_once(now=datetime.fromisoformat(me["subscription"]["grace_until"]))
    me = await _me(platform, headers)
    assert me["subscription"]["status"] == "unpaid"
    # The provider's late retry succeeds: the plan is back with the paid period.
    back = await _send(platform, paid(new_end, new_end + timedelta(days=30)))
    assert back.json()["outcome"] == "applied"
    assert (await _me(platform, headers))["subscription"]["status"] == "active"


async def test_an_event_that_overtook_its_checkout_is_applied_after_it(
    platform: Platform, signed: SignedProvider
) -> None:
    headers = await viewer(platform)
    reference = await _checkout(platform, headers)
    subscription = f"sub_{uuid.uuid4().hex}"
    early = await _send(
        platform,
        {
            "id": f"evt_{uuid.uuid4().hex}",
            "type": "subscription.canceled",
            "subscription": subscription,
        },
    )
    assert early.json()["outcome"] == "unknown_subscription"
    await _send(platform, _completed(reference, subscription))
    assert (await _me(platform, headers))["subscription"]["status"] == "canceled"


async def test_many_events_at_once_each_applied_once(
    platform: Platform, signed: SignedProvider, db_context: AppContext
) -> None:
    accounts = [await viewer(platform) for _ in range(8)]
    events: list[dict[str, Any]] = []
    for headers in accounts:
        reference = await _checkout(platform, headers)
        events.append(_completed(reference, f"sub_{uuid.uuid4().hex}"))
    # Each event three times, all at once.
    sent = await asyncio.gather(*(_send(platform, event) for event in events * 3))
    assert all(response.status_code == 200 for response in sent), [r.text for r in sent]
    assert sum(not response.json()["duplicate"] for response in sent) == len(events)
    for headers in accounts:
        assert (await _me(platform, headers))["subscription"]["status"] == "active"
    async with db_context.sessionmaker() as db:
        stored = await db.scalar(
            select(func.count())
            .select_from(WebhookInboxRow)
            .where(WebhookInboxRow.event_id.in_([e["id"] for e in events]))
        )
    assert stored == len(events)
