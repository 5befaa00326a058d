"""Subscription tiers, shared by accounts (what a viewer has) and content (what a title needs)."""

from __future__ import annotations

from enum import StrEnum


class SubscriptionTier(StrEnum):
    FREE = "free"
    PREMIUM = "premium"

    @property
    def level(self) -> int:
        return 0 if self is SubscriptionTier.FREE else 1

    def unlocks(self, required: SubscriptionTier) -> bool:
        return self.level >= required.level
