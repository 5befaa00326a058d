"""The life of a viewing session (one playback of one item on one device).

    (none) ──started / position──▶ active ──completed──▶ completed
                                     │  └──stopped────▶ stopped
                                     └──abandon───────▶ abandoned   (heartbeats stopped)

Playback events arrive in batches and out of order, so a session's state is the one its newest
event (the highest `sequence`) leads to: a heartbeat newer than a stop or a complete makes the
session active again (the player went on). Only the sweeper abandons, and only an active
session whose heartbeats stopped.
"""

from __future__ import annotations

from enum import StrEnum

from ott.core.errors import Conflict


class SessionState(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    STOPPED = "stopped"
    ABANDONED = "abandoned"


class SessionEvent(StrEnum):
    STARTED = "started"
    POSITION = "position"
    COMPLETED = "completed"
    STOPPED = "stopped"
    ABANDON = "abandon"  # the sweeper: no event for ACTIVITY_ABANDON_AFTER_SECONDS


# What a playback event leads to, whatever the session's state was.
_PLAYBACK: dict[SessionEvent, SessionState] = {
    SessionEvent.STARTED: SessionState.ACTIVE,
    SessionEvent.POSITION: SessionState.ACTIVE,
    SessionEvent.COMPLETED: SessionState.COMPLETED,
    SessionEvent.STOPPED: SessionState.STOPPED,
}


class IllegalTransition(Conflict):
    code = "illegal_transition"


def next_state(current: SessionState | None, event: SessionEvent) -> SessionState:
    """The state `event` moves a session in state `current` (None: not seen yet) to."""
    if event in _PLAYBACK:
        return _PLAYBACK[event]
    if current is SessionState.ACTIVE:
        return SessionState.ABANDONED
    raise IllegalTransition(
        f"A session that is {current.value if current else 'unknown'} cannot be abandoned",
        details={"state": current.value if current else None, "event": event.value},
    )
