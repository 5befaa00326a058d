"""A batch of playback updates folded to one write per session and one per item, so each
backend writes a batch in one statement (a statement may not change one row twice)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ott.activity.records import PlaybackUpdate, percent_of
from ott.activity.status import SessionEvent, SessionState, next_state


@dataclass(frozen=True, slots=True)
class SessionWrite:
    """What a batch says about one session: its newest update, where it started (its
    lowest sequence), the furthest position and the earliest time seen."""

    latest: PlaybackUpdate
    state: SessionState
    first_sequence: int
    first_position_seconds: float
    furthest_position_seconds: float
    created_at: datetime

    @property
    def completed_percentage(self) -> float:
        return percent_of(self.latest.position_seconds, self.latest.duration_seconds)


@dataclass(frozen=True, slots=True)
class ProgressWrite:
    """The newest update of one item of a profile in the batch."""

    update: PlaybackUpdate

    @property
    def completed(self) -> bool:
        return self.update.event is SessionEvent.COMPLETED


def newer(update: PlaybackUpdate, than: PlaybackUpdate) -> bool:
    """Whether `update` is the newer word on an item: later, or as late from the same session
    with a higher sequence."""
    if update.occurred_at != than.occurred_at:
        return update.occurred_at > than.occurred_at
    return update.session_id == than.session_id and update.sequence > than.sequence


def session_writes(updates: Sequence[PlaybackUpdate]) -> list[SessionWrite]:
    """One write per session, in session id order (concurrent writers lock rows alike)."""
    by_session: dict[str, list[PlaybackUpdate]] = {}
    for update in updates:
        by_session.setdefault(update.session_id, []).append(update)
    writes = []
    for session_id in sorted(by_session):
        of_session = by_session[session_id]
        latest = max(of_session, key=lambda u: u.sequence)
        first = min(of_session, key=lambda u: u.sequence)
        writes.append(
            SessionWrite(
                latest=latest,
                state=next_state(None, latest.event),
                first_sequence=first.sequence,
                first_position_seconds=first.position_seconds,
                furthest_position_seconds=max(u.position_seconds for u in of_session),
                created_at=min(u.occurred_at for u in of_session),
            )
        )
    return writes


def progress_writes(updates: Sequence[PlaybackUpdate]) -> list[ProgressWrite]:
    """One write per (profile, item): its newest update, in key order."""
    newest: dict[tuple[uuid.UUID, uuid.UUID], PlaybackUpdate] = {}
    for update in updates:
        key = (update.profile_id, update.item_id)
        if key not in newest or newer(update, newest[key]):
            newest[key] = update
    return [ProgressWrite(newest[key]) for key in sorted(newest)]
