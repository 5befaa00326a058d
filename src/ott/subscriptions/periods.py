"""Billing periods and proration: pure functions of dates and prices.

A period runs from a moment to the same moment one interval later by the calendar (31 Jan
+ 1 month = 28/29 Feb, 29 Feb + 1 year = 28 Feb), as Stripe Billing anchors its periods.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from ott.subscriptions.plans import BillingInterval

CENT = Decimal("0.01")


def money(amount: Decimal) -> Decimal:
    """An amount rounded to the minor unit (half up), as it is charged."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def add_interval(start: datetime, interval: BillingInterval, count: int = 1) -> datetime:
    months = count * (12 if interval is BillingInterval.YEAR else 1)
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def interval_days(interval: BillingInterval) -> int:
    """The nominal length of an interval, to rank plans (a year is longer than a month)."""
    return 365 if interval is BillingInterval.YEAR else 30


@dataclass(frozen=True)
class Proration:
    """An upgrade's one invoice: the new plan's price less the unused part of the current
    period (credited at the old plan's price)."""

    new_price: Decimal
    credit: Decimal
    unused_fraction: Decimal

    @property
    def amount(self) -> Decimal:
        return max(money(self.new_price - self.credit), Decimal("0.00"))


def prorate(
    *,
    period_start: datetime,
    period_end: datetime,
    now: datetime,
    old_price: Decimal,
    new_price: Decimal,
) -> Proration:
    length = period_end - period_start
    left = min(max(period_end - now, timedelta(0)), length)
    fraction = (
        Decimal(left.total_seconds()) / Decimal(length.total_seconds())
        if length > timedelta(0)
        else Decimal(0)
    )
    return Proration(
        new_price=money(new_price), credit=money(old_price * fraction), unused_fraction=fraction
    )
