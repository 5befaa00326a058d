"""The life of a campaign and of a creative, each as one table and one transition function.

    draft ──activate──▶ active ──pause──▶ paused ──activate──▶ active
      │                   │                 │
      └──────end──────────┴──────end────────┴──▶ ended   (final)

Only an active campaign inside its flight serves. Ending is final: a campaign that should run
again is copied into a new one, so its counts stay those of one flight.

A creative is `processing` while its video goes through the media pipeline, then `ready` (it
can serve) or `failed` (the encoding failed or was cancelled: upload it again).
"""

from __future__ import annotations

from enum import StrEnum

from ott.core.errors import Conflict


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class CampaignEvent(StrEnum):
    ACTIVATE = "activate"
    PAUSE = "pause"
    END = "end"


class CreativeStatus(StrEnum):
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


C = CampaignStatus
E = CampaignEvent

TRANSITIONS: dict[tuple[CampaignStatus, CampaignEvent], CampaignStatus] = {
    (C.DRAFT, E.ACTIVATE): C.ACTIVE,
    (C.PAUSED, E.ACTIVATE): C.ACTIVE,
    (C.ACTIVE, E.PAUSE): C.PAUSED,
    (C.DRAFT, E.END): C.ENDED,
    (C.ACTIVE, E.END): C.ENDED,
    (C.PAUSED, E.END): C.ENDED,
}


class IllegalTransition(Conflict):
    code = "illegal_transition"


def next_status(current: CampaignStatus, event: CampaignEvent) -> CampaignStatus:
    """The status `event` moves a campaign in `current` to; IllegalTransition (409) if none."""
    target = TRANSITIONS.get((current, event))
    if target is None:
        raise IllegalTransition(
            f"A {current.value} campaign cannot {event.value}",
            details={"status": current.value, "event": event.value},
        )
    return target
