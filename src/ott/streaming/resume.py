"""Where a profile resumes a title or an episode.

`LastPlayedPosition` reads the last position this service applied (kept in Redis by every
position update, leases.py) and, when Redis has none (expired, or lost with a Redis restart),
the user activity service's store. Both answers go through the activity service's one rule
(no resume point under ACTIVITY_RESUME_MIN_PERCENT or at ACTIVITY_WATCHED_PERCENT and beyond,
or for titles shorter than ACTIVITY_MIN_RESUME_SECONDS).
"""

from __future__ import annotations

import uuid

from ott.activity import service as activity
from ott.activity.store import ActivityStore
from ott.core.settings import Settings
from ott.streaming.leases import StreamStore


class LastPlayedPosition:
    def __init__(self, store: StreamStore, settings: Settings, durable: ActivityStore) -> None:
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
        """Where to start playing, in seconds (0 to start from the beginning)."""
        position = await self.store.resume_position(
            profile_id=profile_id, item_id=episode_id or content_id
        )
        if position is None:
            return await activity.resume_position(
                store=self.durable,
                settings=self.settings,
                profile_id=profile_id,
                content_id=content_id,
                episode_id=episode_id,
                duration_seconds=duration_seconds,
            )
        resumes = activity.resumes_at(
            position_seconds=position, duration_seconds=duration_seconds, settings=self.settings
        )
        return position if resumes else 0.0
