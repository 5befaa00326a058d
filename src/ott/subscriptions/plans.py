"""Plans as data: what each plan costs and what it gives, so that a new plan needs no code.

The built-in catalogue (`DEFAULT_PLANS`) is the Free ad-supported plan and Premium, monthly and
yearly, priced in INR and USD. A deployment replaces it with its own list in the same shape
(JSON through `PlanCatalogue.model_validate_json`); the rules read only the features.
"""

from __future__ import annotations

import json
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field, model_validator

from ott.core.tiers import SubscriptionTier


class BillingInterval(StrEnum):
    MONTH = "month"
    YEAR = "year"


class Currency(StrEnum):
    INR = "INR"
    USD = "USD"


class PlanFeatures(BaseModel):
    """What a plan gives a viewer while it is in force."""

    tier: SubscriptionTier
    max_streams: int = Field(ge=1, description="Concurrent streams of the account")
    max_height: int | None = Field(
        ge=144, description="The highest rung (picture height) it plays; None: every rung"
    )
    ads: bool = Field(description="Ad breaks in what it plays")
    downloads: bool = False


class Plan(BaseModel):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{1,47}$")
    name: str = Field(min_length=1, max_length=80)
    interval: BillingInterval | None = Field(description="None: free, never billed")
    # Amounts in the currency's major unit (rupees, dollars), exact.
    prices: dict[Currency, Decimal] = Field(default_factory=dict)
    trial_days: int = Field(0, ge=0, le=90)
    features: PlanFeatures

    @model_validator(mode="after")
    def _billed_plans_have_prices(self) -> Plan:
        if self.interval is None and self.prices:
            raise ValueError(f"plan {self.code}: a free plan has no prices")
        if self.interval is not None and not self.prices:
            raise ValueError(f"plan {self.code}: a billed plan needs a price")
        if any(amount <= 0 for amount in self.prices.values()):
            raise ValueError(f"plan {self.code}: prices are above zero")
        return self

    @property
    def free(self) -> bool:
        return self.interval is None


class PlanCatalogue(BaseModel):
    plans: list[Plan] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_free_plan_and_unique_codes(self) -> PlanCatalogue:
        codes = [plan.code for plan in self.plans]
        if len(set(codes)) != len(codes):
            raise ValueError("plan codes must be unique")
        if sum(plan.free for plan in self.plans) != 1:
            raise ValueError("there must be exactly one free plan (where lapsed viewers go)")
        return self

    def get(self, code: str) -> Plan | None:
        return next((plan for plan in self.plans if plan.code == code), None)

    @property
    def free_plan(self) -> Plan:
        return next(plan for plan in self.plans if plan.free)


def _premium(interval: BillingInterval, *, inr: str, usd: str) -> Plan:
    return Plan(
        code=f"premium-{interval.value}ly",
        name=f"Premium ({interval.value}ly)",
        interval=interval,
        prices={Currency.INR: Decimal(inr), Currency.USD: Decimal(usd)},
        trial_days=7,
        features=PlanFeatures(
            tier=SubscriptionTier.PREMIUM, max_streams=4, max_height=None, ads=False, downloads=True
        ),
    )


DEFAULT_PLANS = PlanCatalogue(
    plans=[
        Plan(
            code="free",
            name="Free",
            interval=None,
            features=PlanFeatures(
                tier=SubscriptionTier.FREE, max_streams=1, max_height=720, ads=True
            ),
        ),
        _premium(BillingInterval.MONTH, inr="299", usd="7.99"),
        _premium(BillingInterval.YEAR, inr="2999", usd="79.99"),
    ]
)


def load_plans(path: Path | None) -> PlanCatalogue:
    """The catalogue of PLANS_FILE (a JSON list of plans, or {"plans": [...]}), else the
    built-in one. A file that does not read as a catalogue stops the service at start-up."""
    if path is None:
        return DEFAULT_PLANS
    raw = json.loads(path.read_text(encoding="utf-8"))
    return PlanCatalogue.model_validate({"plans": raw} if isinstance(raw, list) else raw)
