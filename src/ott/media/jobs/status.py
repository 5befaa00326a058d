"""The life of an encoding job: its statuses, what moves it between them, and the one
function that decides.

    queued ──claim──▶ running ──succeed──▶ succeeded
      ▲                │  │ └───fail────▶ failed ────┐
      ├──release───────┘  │                          │
      ├──back_off─────────┘ (an attempt failed,      │
      │                      attempts remain)        │
      │   queued or running ──cancel──▶ cancelled ───┤
      └──────────────────requeue─────────────────────┘

`claim` also takes a running job over when its worker stopped renewing the lease. A cancel of
a job a live worker is running is a request (`cancel_requested`): the worker stops and takes
the `cancel` step itself within about a second. Every write of a job's status (the queue's
statements, the worker, the API's cancel and retry) takes its target from `next_status`.
"""

from __future__ import annotations

from enum import StrEnum

from ott.core.errors import Conflict


class EncodingStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class JobEvent(StrEnum):
    CLAIM = "claim"  # a worker takes the job under a lease
    RELEASE = "release"  # its worker hands it back unfinished (shutting down)
    BACK_OFF = "back_off"  # an attempt failed; queued again after a delay
    FAIL = "fail"  # an attempt failed for good (bad input, or no attempt left)
    SUCCEED = "succeed"  # outputs registered
    CANCEL = "cancel"  # stopped at an editor's request
    REQUEUE = "requeue"  # an editor retries a failed or cancelled job


QUEUED = EncodingStatus.QUEUED
RUNNING = EncodingStatus.RUNNING
SUCCEEDED = EncodingStatus.SUCCEEDED
FAILED = EncodingStatus.FAILED
CANCELLED = EncodingStatus.CANCELLED

TRANSITIONS: dict[tuple[EncodingStatus, JobEvent], EncodingStatus] = {
    (QUEUED, JobEvent.CLAIM): RUNNING,
    (RUNNING, JobEvent.CLAIM): RUNNING,  # taken over once its lease expired
    (RUNNING, JobEvent.RELEASE): QUEUED,
    (RUNNING, JobEvent.BACK_OFF): QUEUED,
    (RUNNING, JobEvent.FAIL): FAILED,
    (RUNNING, JobEvent.SUCCEED): SUCCEEDED,
    (QUEUED, JobEvent.CANCEL): CANCELLED,
    (RUNNING, JobEvent.CANCEL): CANCELLED,
    (FAILED, JobEvent.REQUEUE): QUEUED,
    (CANCELLED, JobEvent.REQUEUE): QUEUED,
}

FINISHED = frozenset({SUCCEEDED, FAILED, CANCELLED})

# The API's error codes for the steps an editor asks for; any other illegal step is a bug.
_CODES = {JobEvent.CANCEL: "finished", JobEvent.REQUEUE: "not_retryable"}


class IllegalTransition(Conflict):
    """The job's status does not allow this step (409)."""

    code = "illegal_transition"


def next_status(current: EncodingStatus, event: JobEvent) -> EncodingStatus:
    """The status `event` moves a job in status `current` to; IllegalTransition if none."""
    target = TRANSITIONS.get((current, event))
    if target is None:
        raise IllegalTransition(
            _message(current, event),
            code=_CODES.get(event),
            details={
                "status": current.value,
                "event": event.value,
                "allowed_events": [e.value for (s, e) in TRANSITIONS if s is current],
            },
        )
    return target


def sources(event: JobEvent) -> frozenset[EncodingStatus]:
    """The statuses `event` may start from."""
    return frozenset(s for (s, e) in TRANSITIONS if e is event)


def _message(current: EncodingStatus, event: JobEvent) -> str:
    if event is JobEvent.CANCEL and current in FINISHED:
        return f"The encoding has already {current.value}"
    if event is JobEvent.REQUEUE:
        return "Only a failed or cancelled encoding can be retried; this one is " + current.value
    return f"An encoding that is {current.value} cannot take the step {event.value}"
