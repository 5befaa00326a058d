"""The subscription job with an injected clock: renewals, a lapsed card through the grace
period to the hold and back, cancel at period end, the end of a trial, and never charging a
period twice."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from tests.conftest import TEST_CARD_LATER_DECLINED, TEST_CARD_OK
from tests.subscriptions.conftest import (
    Platform,
    subscribe,
    viewer,
)

BASE = "/api/subscriptions"


async def _me(platform: Platform, headers: dict[str, str]) -> dict[str, Any]:
    response = await platform.api.get(f"{BASE}/me", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _invoices(platform: Platform, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await platform.api.get(f"{BASE}/invoices?limit=100", headers=headers)
    return list(response.json()["items"])


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def test_renewal_is_charged_once_per_period(platform: Platform) -> None:
    headers = await viewer(platform)
    done = await subscribe(platform, headers)
    end = _when(done["subscription"]["current_period_end"])
    jobs = platform.runtime.jobs

    await jobs.run_once(now=end - timedelta(seconds=1))
    me = await _me(platform, headers)
    assert _when(me["subscription"]["current_period_end"]) == end  # not due yet

    # Two runs at once (two replicas), then one more: one charge for the period.
    await asyncio.gather(jobs.run_once(now=end), jobs.run_once(now=end))
    await jobs.run_once(now=end)
    me = await _me(platform, headers)
    assert me["subscription"]["status"] == "active"
    assert _when(me["subscription"]["current_period_start"]) == end
    new_end = _when(me["subscription"]["current_period_end"])
    assert new_end > end + timedelta(days=27)
    invoices = await _invoices(platform, headers)
    assert len(invoices) == 2
    assert [i["status"] for i in invoices] == ["paid", "paid"]
    assert _when(invoices[0]["period_start"]) == end
    assert invoices[0]["attempts"] == 1
    assert me["entitlement"]["reason"] == "paid"
    assert _when(me["entitlement"]["until"]) == new_end


async def test_lapsed_card_grace_retries_hold_and_payment_brings_it_back(
    platform: Platform,
) -> None:
    settings = platform.settings
    headers = await viewer(platform)
    done = await subscribe(platform, headers, card=TEST_CARD_LATER_DECLINED)
    end = _when(done["subscription"]["current_period_end"])
    jobs = platform.runtime.jobs

    await jobs.run_once(now=end)
    me = await _me(platform, headers)
    subscription = me["subscription"]
    assert subscription["status"] == "past_due"
    grace_until = _when(subscription["grace_until"])
    assert grace_until == end + timedelta(days=settings.subscription_grace_days)
    assert _when(subscription["next_retry_at"]) == end + timedelta(
        hours=settings.subscription_retry_hours[0]
    )
    # The grace period keeps the plan.
    assert me["entitlement"]["reason"] == "grace_period"
    assert me["entitlement"]["tier"] == "premium"
    assert _when(me["entitlement"]["until"]) == grace_until

    # Every retry inside the grace period fails (the card declines every later charge).
    for hours in settings.subscription_retry_hours:
        at = end + timedelta(hours=hours)
        if at < grace_until:
            await jobs.run_once(now=at)
    me = await _me(platform, headers)
    assert me["subscription"]["status"] == "past_due"
    invoices = await _invoices(platform, headers)
    retries = sum(
        1 for h in settings.subscription_retry_hours if end + timedelta(hours=h) < grace_until
    )
    assert invoices[0]["status"] == "failed"
    assert invoices[0]["attempts"] == 1 + retries

    # The grace period is over: held on the free tier, the invoice void.
    await jobs.run_once(now=grace_until)
    me = await _me(platform, headers)
    assert me["subscription"]["status"] == "unpaid"
    assert me["entitlement"]["reason"] == "payment_hold"
    assert me["entitlement"]["tier"] == "free"
    assert me["entitlement"]["ads"] is True
    assert (await _invoices(platform, headers))[0]["status"] == "void"
    await jobs.run_once(now=grace_until + timedelta(days=400))  # nothing more to do
    assert (await _me(platform, headers))["subscription"]["status"] == "unpaid"

    # A payment (a new checkout, another card) brings the plan back with a new period.
    back = await subscribe(platform, headers, card=TEST_CARD_OK)
    assert back["subscription"]["id"] == done["subscription"]["id"]
    assert back["subscription"]["status"] == "active"
    me = await _me(platform, headers)
    assert me["entitlement"]["reason"] == "paid"
    # From the payment (the real clock, behind the test's), one month.
    new_start = _when(me["subscription"]["current_period_start"])
    assert new_start > _when(done["subscription"]["current_period_start"])
    assert _when(me["subscription"]["current_period_end"]) > new_start + timedelta(days=27)
    assert me["subscription"]["grace_until"] is None


async def test_cancel_at_period_end_keeps_access_until_then(platform: Platform) -> None:
    headers = await viewer(platform)
    done = await subscribe(platform, headers, plan_code="premium-yearly")
    end = _when(done["subscription"]["current_period_end"])
    await platform.api.post(f"{BASE}/cancel", headers=headers)
    jobs = platform.runtime.jobs
    await jobs.run_once(now=end - timedelta(minutes=1))
    me = await _me(platform, headers)
    assert me["entitlement"]["reason"] == "ending"
    assert me["entitlement"]["tier"] == "premium"
    await jobs.run_once(now=end)
    me = await _me(platform, headers)
    assert me["subscription"]["status"] == "canceled"
    assert me["entitlement"]["reason"] == "ended"
    assert me["entitlement"]["tier"] == "free"
    assert len(await _invoices(platform, headers)) == 1  # nothing charged at the end


async def test_trial_end_charges_the_plan_and_downgrade_applies_at_renewal(
    platform: Platform,
) -> None:
    headers = await viewer(platform)
    done = await subscribe(platform, headers, plan_code="premium-yearly", trial=True)
    trial_end = _when(done["subscription"]["trial_end"])
    changed = await platform.api.post(
        f"{BASE}/change-plan", json={"plan_code": "premium-monthly"}, headers=headers
    )
    assert changed.json()["subscription"]["plan_code"] == "premium-monthly"  # at once in a trial
    await platform.runtime.jobs.run_once(now=trial_end)
    me = await _me(platform, headers)
    assert me["subscription"]["status"] == "active"
    assert me["entitlement"]["reason"] == "paid"
    invoices = await _invoices(platform, headers)
    assert [(i["amount"], i["plan_code"]) for i in invoices] == [
        ("299.00", "premium-monthly"),
        ("0.00", "premium-yearly"),
    ]

    # A downgrade yearly -> monthly waits for the renewal.
    up = await platform.api.post(
        f"{BASE}/change-plan", json={"plan_code": "premium-yearly"}, headers=headers
    )
    assert up.status_code == 200, up.text
    down = await platform.api.post(
        f"{BASE}/change-plan", json={"plan_code": "premium-monthly"}, headers=headers
    )
    end = _when(down.json()["subscription"]["current_period_end"])
    await platform.runtime.jobs.run_once(now=end)
    me = await _me(platform, headers)
    assert me["subscription"]["plan_code"] == "premium-monthly"
    assert me["subscription"]["pending_plan_code"] is None
    assert (await _invoices(platform, headers))[0]["amount"] == "299.00"


async def test_dev_advance_makes_the_job_find_the_renewal_due(platform: Platform) -> None:
    headers = await viewer(platform)
    done = await subscribe(platform, headers, card=TEST_CARD_LATER_DECLINED)
    start = _when(done["subscription"]["current_period_start"])
    end = _when(done["subscription"]["current_period_end"])
    days = (end - start).total_seconds() / 86400  # exactly one period back
    moved = await platform.api.post(f"{BASE}/dev/advance", json={"days": days}, headers=headers)
    assert moved.status_code == 200, moved.text
    await platform.runtime.jobs.run_once()
    me = await _me(platform, headers)
    assert me["subscription"]["status"] == "past_due"
    invoices = await _invoices(platform, headers)
    assert [i["status"] for i in invoices] == ["failed", "paid"]
