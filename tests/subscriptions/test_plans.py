"""Plans as data: the built-in catalogue, and what a deployment's own list may not say."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from pydantic import ValidationError

from ott.core.tiers import SubscriptionTier
from ott.subscriptions.plans import DEFAULT_PLANS, Currency, PlanCatalogue


def test_the_built_in_plans_free_with_ads_and_premium_in_inr_and_usd() -> None:
    free = DEFAULT_PLANS.free_plan
    assert free.code == "free"
    assert free.features.ads
    assert free.features.tier is SubscriptionTier.FREE
    for code in ("premium-monthly", "premium-yearly"):
        plan = DEFAULT_PLANS.get(code)
        assert plan is not None
        assert set(plan.prices) == {Currency.INR, Currency.USD}
        assert not plan.features.ads
        assert plan.features.max_streams > free.features.max_streams
    assert DEFAULT_PLANS.get("gold") is None


def test_a_new_plan_is_data_read_back_from_json() -> None:
    data = json.loads(DEFAULT_PLANS.model_dump_json())
    data["plans"].append(
        {
            "code": "mobile-monthly",
            "name": "Mobile",
            "interval": "month",
            "prices": {"INR": "149"},
            "features": {"tier": "premium", "max_streams": 1, "max_height": 480, "ads": False},
        }
    )
    catalogue = PlanCatalogue.model_validate_json(json.dumps(data))
    mobile = catalogue.get("mobile-monthly")
    assert mobile is not None
    assert mobile.prices[Currency.INR] == Decimal("149")
    assert mobile.features.max_height == 480


def _with(**changes: object) -> dict[str, object]:
    data = json.loads(DEFAULT_PLANS.model_dump_json())
    data["plans"][1].update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (_with(code="free"), "unique"),
        (_with(interval=None, prices={}), "exactly one free plan"),
        (_with(prices={}), "needs a price"),
        (_with(prices={"INR": "0"}), "above zero"),
        (_with(prices={"EUR": "5"}), "INR"),
        (_with(code="Bad Code"), "pattern"),
    ],
)
def test_a_list_that_says_something_impossible_is_refused(
    data: dict[str, object], says: str
) -> None:
    with pytest.raises(ValidationError, match=says):
        PlanCatalogue.model_validate(data)
