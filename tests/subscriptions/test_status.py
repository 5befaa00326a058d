"""The subscription lifecycle's table: every step the issue names, and what it refuses."""

from __future__ import annotations

import pytest

from ott.subscriptions.status import (
    TRANSITIONS,
    InvalidTransition,
    SubscriptionEvent,
    SubscriptionStatus,
    applies,
    gives_plan,
    next_status,
)

S = SubscriptionStatus
E = SubscriptionEvent


def walk(start: SubscriptionStatus, *events: SubscriptionEvent) -> SubscriptionStatus:
    status = start
    for event in events:
        status = next_status(status, event)
    return status


def test_a_trial_paid_for_becomes_active_and_renews() -> None:
    assert walk(S.TRIALING, E.PAID) is S.ACTIVE
    assert walk(S.TRIALING, E.PAID, E.PAID, E.PAID) is S.ACTIVE


def test_a_failed_renewal_enters_the_grace_period_and_a_retry_that_succeeds_ends_it() -> None:
    assert walk(S.ACTIVE, E.PAYMENT_FAILED) is S.PAST_DUE
    assert walk(S.ACTIVE, E.PAYMENT_FAILED, E.PAYMENT_FAILED, E.PAID) is S.ACTIVE


def test_after_the_grace_period_the_viewer_is_on_hold_until_paying_again() -> None:
    on_hold = walk(S.ACTIVE, E.PAYMENT_FAILED, E.PAYMENT_FAILED, E.GRACE_ENDED)
    assert on_hold is S.UNPAID
    assert not gives_plan(on_hold)
    assert walk(on_hold, E.PAID) is S.ACTIVE


def test_the_grace_period_keeps_the_plan() -> None:
    assert [s for s in S if gives_plan(s)] == [S.TRIALING, S.ACTIVE, S.PAST_DUE]


def test_pause_and_resume() -> None:
    assert walk(S.ACTIVE, E.PAUSE, E.RESUME) is S.ACTIVE


@pytest.mark.parametrize("status", [s for s in S if s is not S.CANCELED])
def test_every_live_subscription_can_end(status: SubscriptionStatus) -> None:
    assert next_status(status, E.ENDED) is S.CANCELED


@pytest.mark.parametrize("event", list(E))
def test_a_canceled_subscription_is_final_a_late_payment_does_not_resurrect_it(
    event: SubscriptionEvent,
) -> None:
    assert not applies(S.CANCELED, event)
    with pytest.raises(InvalidTransition) as refused:
        next_status(S.CANCELED, event)
    assert refused.value.status_code == 409
    assert refused.value.details == {"status": "canceled", "event": event.value}


@pytest.mark.parametrize(
    ("status", "event"),
    [
        (S.TRIALING, E.PAUSE),
        (S.PAST_DUE, E.PAUSE),
        (S.ACTIVE, E.RESUME),
        (S.ACTIVE, E.GRACE_ENDED),
        (S.UNPAID, E.PAYMENT_FAILED),
        (S.PAUSED, E.PAID),
    ],
)
def test_steps_that_do_not_apply_are_refused(
    status: SubscriptionStatus, event: SubscriptionEvent
) -> None:
    assert not applies(status, event)
    with pytest.raises(InvalidTransition):
        next_status(status, event)


def test_the_table_names_only_known_statuses_and_nothing_leaves_canceled() -> None:
    assert all(source is not S.CANCELED for source, _ in TRANSITIONS)
    assert {target for target in TRANSITIONS.values()} <= set(S)
