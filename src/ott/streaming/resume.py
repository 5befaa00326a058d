"""Where a profile resumes a title or an episode.

`ResumeSource` is the seam `start` asks. The streaming service's own source reads the last
position it applied (kept in Redis by every position update, leases.py) and, when Redis has
none (expired, or lost with a Redis restart), asks the `durable` source behind it: the user
activity service's store, wired in by whoever builds the app (see app.py). Both answers go
through the same rule as continue watching: no resume point under ACTIVITY_RESUME_MIN_PERCENT
or at ACTIVITY_WATCHED_PERCENT and beyond, or for titles shorter than
ACTIVITY_MIN_RESUME_SECONDS.
"""

from __future__ import annotations

import uuid
from typing import Protocol

from ott.core.settings import Settings
from ott.streaming.leases import StreamStore


class ResumeSource(Protocol):
    async def resume_position(
        self,
        *,
        profile_id: uuid.UUID,
        content_id: uuid.UUID,
        episode_id: uuid.UUID | None,
        duration_seconds: float,
    ) -> float:
        """Where to start playing, in seconds (0 to start from the beginning)."""
        ...


def resume_point(position: float, *, duration: float, settings: Settings) -> float:
    """`position` if it is a resume point for a title of `duration` seconds, else 0."""
    if duration <= 0 or duration < settings.activity_min_resume_seconds:
        return 0.0
    percent = position / duration * 100
    if (
        percent < settings.activity_resume_min_percent
        or percent >= settings.activity_watched_percent
    ):
        return 0.0
    return position


class LastPlayedPosition:
    """The position this service applied last, else the `durable` source's answer."""

    def __init__(
        self, store: StreamStore, settings: Settings, durable: ResumeSource | None = None
    ) -> None:
        self.store = store
        self.settings = settings
        self.durable = durable

    async def resume_position(
        self,
        *,
        profile_id: uuid.UUID,
        content_id: uuid.UUID,
        episode_id: uuid.UUID | None,
        duration_seconds: float,
    ) -> float:
        position = await self.store.resume_position(
            profile_id=profile_id, item_id=episode_id or content_id
        )
        if position is None and self.durable is not None:
            position = await self.durable.resume_position(
                profile_id=profile_id,
                content_id=content_id,
                episode_id=episode_id,
                duration_seconds=duration_seconds,
            )
        if position is None:
            return 0.0
        return resume_point(position, duration=duration_seconds, settings=self.settings)
