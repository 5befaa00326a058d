"""The life of a subscription, after the statuses of Stripe Billing, and the one function that
decides each step.

    trialing ──paid──▶ active ◀──paid── past_due ◀──payment failed── active
       │                 │ ▲              │  ▲ (a retry failed: stays)
       │                 │ └──resume──┐   │  │
       │                 └──pause──▶ paused
       │                                  └──grace ended──▶ unpaid ──paid──▶ active
       └──payment failed──▶ past_due
    any of them ──ended──▶ canceled   (cancel at period end reached, or cancelled at once)

- Trialing, active and past due (the grace period, with retries) give the plan's features.
- Unpaid is the hold after the grace period: the viewer drops to the ad-supported tier instead
  of being locked out, and a later payment brings the plan back.
- Paused gives the free tier until resumed.
- Canceled is final: a late "paid" for it changes nothing (a new subscription is made
  instead).

Cancel at period end and plan changes are not statuses: a subscription stays active, with a
flag or a scheduled plan, until the period ends (service rules, not this table).

Payment events can arrive late or out of order (webhooks). `applies` says whether one still
means something for a subscription's current status, so that the caller records it and skips
it instead of failing; `next_status` is for steps a person asks for and raises
`InvalidTransition` (409) when the step does not apply.
"""

from __future__ import annotations

from enum import StrEnum

from ott.core.errors import Conflict


class SubscriptionStatus(StrEnum):
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    UNPAID = "unpaid"
    PAUSED = "paused"
    CANCELED = "canceled"


class SubscriptionEvent(StrEnum):
    PAID = "paid"
    PAYMENT_FAILED = "payment_failed"
    GRACE_ENDED = "grace_ended"
    PAUSE = "pause"
    RESUME = "resume"
    ENDED = "ended"


S = SubscriptionStatus
E = SubscriptionEvent

TRANSITIONS: dict[tuple[SubscriptionStatus, SubscriptionEvent], SubscriptionStatus] = {
    (S.TRIALING, E.PAID): S.ACTIVE,
    (S.ACTIVE, E.PAID): S.ACTIVE,
    (S.PAST_DUE, E.PAID): S.ACTIVE,
    (S.UNPAID, E.PAID): S.ACTIVE,
    (S.TRIALING, E.PAYMENT_FAILED): S.PAST_DUE,
    (S.ACTIVE, E.PAYMENT_FAILED): S.PAST_DUE,
    (S.PAST_DUE, E.PAYMENT_FAILED): S.PAST_DUE,
    (S.PAST_DUE, E.GRACE_ENDED): S.UNPAID,
    (S.ACTIVE, E.PAUSE): S.PAUSED,
    (S.PAUSED, E.RESUME): S.ACTIVE,
    **{
        (status, E.ENDED): S.CANCELED
        for status in (S.TRIALING, S.ACTIVE, S.PAST_DUE, S.UNPAID, S.PAUSED)
    },
}

# The statuses whose viewers get the plan's features (otherwise: the ad-supported tier).
GIVES_PLAN = frozenset({S.TRIALING, S.ACTIVE, S.PAST_DUE})


class InvalidTransition(Conflict):
    """A step the subscription's status does not allow (409)."""

    code = "invalid_subscription_transition"


def applies(current: SubscriptionStatus, event: SubscriptionEvent) -> bool:
    """Whether `event` moves a subscription in status `current` at all."""
    return (current, event) in TRANSITIONS


def next_status(current: SubscriptionStatus, event: SubscriptionEvent) -> SubscriptionStatus:
    """The status `event` moves a subscription in status `current` to; InvalidTransition if none."""
    target = TRANSITIONS.get((current, event))
    if target is None:
        raise InvalidTransition(
            f"A {current.value} subscription cannot take the step {event.value!r}",
            details={"status": current.value, "event": event.value},
        )
    return target


def gives_plan(status: SubscriptionStatus) -> bool:
    """Whether a subscription in `status` gives its plan's features now."""
    return status in GIVES_PLAN
