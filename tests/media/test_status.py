"""The encoding status machine: every step a job may take, and the 409 for any other."""

from __future__ import annotations

import pytest

from ott.media.jobs.status import (
    TRANSITIONS,
    EncodingStatus,
    IllegalTransition,
    JobEvent,
    next_status,
    sources,
)

Q, R, S, F, C = (
    EncodingStatus.QUEUED,
    EncodingStatus.RUNNING,
    EncodingStatus.SUCCEEDED,
    EncodingStatus.FAILED,
    EncodingStatus.CANCELLED,
)


@pytest.mark.parametrize(
    ("current", "event", "target"),
    [
        (Q, JobEvent.CLAIM, R),
        (R, JobEvent.CLAIM, R),
        (R, JobEvent.RELEASE, Q),
        (R, JobEvent.BACK_OFF, Q),
        (R, JobEvent.FAIL, F),
        (R, JobEvent.SUCCEED, S),
        (Q, JobEvent.CANCEL, C),
        (R, JobEvent.CANCEL, C),
        (F, JobEvent.REQUEUE, Q),
        (C, JobEvent.REQUEUE, Q),
    ],
)
def test_legal_steps(current: EncodingStatus, event: JobEvent, target: EncodingStatus) -> None:
    assert next_status(current, event) is target


def test_every_other_step_is_a_409() -> None:
    for current in EncodingStatus:
        for event in JobEvent:
            if (current, event) in TRANSITIONS:
                continue
            with pytest.raises(IllegalTransition) as refused:
                next_status(current, event)
            assert refused.value.status_code == 409
            assert refused.value.details["status"] == current.value
            assert refused.value.details["event"] == event.value


def test_the_api_codes_of_an_editors_steps() -> None:
    for finished in (S, F, C):
        with pytest.raises(IllegalTransition) as refused:
            next_status(finished, JobEvent.CANCEL)
        assert refused.value.code == "finished"
    for busy in (Q, R, S):
        with pytest.raises(IllegalTransition) as refused:
            next_status(busy, JobEvent.REQUEUE)
        assert refused.value.code == "not_retryable"
    with pytest.raises(IllegalTransition) as refused:
        next_status(S, JobEvent.SUCCEED)
    assert refused.value.code == "illegal_transition"
    assert refused.value.details["allowed_events"] == []  # a success is final


def test_what_each_step_starts_from() -> None:
    assert sources(JobEvent.CLAIM) == {Q, R}  # R: taken over once its lease expired
    assert sources(JobEvent.CANCEL) == {Q, R}
    assert sources(JobEvent.REQUEUE) == {F, C}
    for event in (JobEvent.RELEASE, JobEvent.BACK_OFF, JobEvent.FAIL, JobEvent.SUCCEED):
        assert sources(event) == {R}
