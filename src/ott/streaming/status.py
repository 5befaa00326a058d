"""The life of a playback session: its statuses, what ends it, and the one function that decides.

    active ──complete──▶ completed
      │ ├────stop──────▶ stopped    (the viewer, or another device of the account)
      │ ├────replace───▶ replaced   (the same device started again)
      │ ├────revoke────▶ revoked    (the title is no longer visible, or locked for the plan)
      │ └────expire────▶ expired ──complete──▶ completed
      │                  (no renewal for STREAM_LEASE_SECONDS; noticed at the next update)

Only an active session holds a lease, renews it and gets tokens. A player whose lease lapsed
may still report that the viewer finished. The Redis scripts (leases.py) take the statuses a
step may start from (`sources`) and its target (`next_status`) from this table, so no script
spells a status of its own.
"""

from __future__ import annotations

from enum import StrEnum

from ott.core.errors import Gone


class SessionStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    STOPPED = "stopped"
    REPLACED = "replaced"
    REVOKED = "revoked"
    EXPIRED = "expired"


class SessionEvent(StrEnum):
    COMPLETE = "complete"
    STOP = "stop"
    REPLACE = "replace"
    REVOKE = "revoke"
    EXPIRE = "expire"


ACTIVE = SessionStatus.ACTIVE

TRANSITIONS: dict[tuple[SessionStatus, SessionEvent], SessionStatus] = {
    (ACTIVE, SessionEvent.COMPLETE): SessionStatus.COMPLETED,
    (ACTIVE, SessionEvent.STOP): SessionStatus.STOPPED,
    (ACTIVE, SessionEvent.REPLACE): SessionStatus.REPLACED,
    (ACTIVE, SessionEvent.REVOKE): SessionStatus.REVOKED,
    (ACTIVE, SessionEvent.EXPIRE): SessionStatus.EXPIRED,
    (SessionStatus.EXPIRED, SessionEvent.COMPLETE): SessionStatus.COMPLETED,
}


class StreamEnded(Gone):
    """The session has ended (410): the player must start again."""

    code = "stream_ended"


def next_status(current: SessionStatus, event: SessionEvent) -> SessionStatus:
    """The status `event` moves a session in status `current` to; StreamEnded if none."""
    target = TRANSITIONS.get((current, event))
    if target is None:
        raise ended(current)
    return target


def sources(event: SessionEvent) -> frozenset[SessionStatus]:
    """The statuses `event` may start from."""
    return frozenset(s for (s, e) in TRANSITIONS if e is event)


_WHY = {
    SessionStatus.COMPLETED: "it was completed",
    SessionStatus.STOPPED: "it was stopped",
    SessionStatus.REPLACED: "the same device started another stream",
    SessionStatus.REVOKED: "the title can no longer be watched on this account",
    SessionStatus.EXPIRED: "its lease was not renewed in time",
}


def ended(status: SessionStatus) -> StreamEnded:
    """The error for a step a session in `status` cannot take."""
    return StreamEnded(
        f"This playback session has ended: {_WHY.get(status, status.value)}; start again",
        details={"status": status.value},
    )
