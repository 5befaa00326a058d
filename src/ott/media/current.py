"""The video a title or an episode plays now: the owner's latest succeeded encoding.

A film's encodings belong to its title (episode_id NULL); a series' to each episode. Every
encoding's files sit in a folder of their own, `videos/<owner id>/<encoding id>/`, which a new
encoding never overwrites, so the folder of the current one is also what a playback token is
scoped to.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ott.media.models import Encoding, EncodingStatus

VIDEOS_PREFIX = "videos"


def encoding_folder(owner_id: uuid.UUID, encoding_id: uuid.UUID) -> str:
    """The storage key prefix of one encoding's files (no trailing slash)."""
    return f"{VIDEOS_PREFIX}/{owner_id}/{encoding_id}"


@dataclass(frozen=True)
class CurrentVideo:
    encoding_id: uuid.UUID
    owner_id: uuid.UUID  # the episode, or else the title
    result: dict[str, Any]  # what the job produced (ott.media.jobs.registration.result_document)

    @property
    def folder(self) -> str:
        return encoding_folder(self.owner_id, self.encoding_id)

    @property
    def duration_seconds(self) -> float:
        return float(self.result.get("duration_seconds") or 0.0)

    def relative(self, url: str | None) -> str | None:
        """A URL of the result as a path inside the folder (`media_0.m3u8`), or None."""
        if not url:
            return None
        marker = f"{self.folder}/"
        _, found, rest = url.partition(marker)
        return rest if found and rest else None


async def current_video(
    db: AsyncSession, *, content_id: uuid.UUID, episode_id: uuid.UUID | None
) -> CurrentVideo | None:
    """The latest succeeded encoding of the episode (when given) or else of the film."""
    owner = Encoding.episode_id == episode_id if episode_id else Encoding.content_id == content_id
    statement = (
        select(Encoding.id, Encoding.result)
        .where(owner, Encoding.status == EncodingStatus.SUCCEEDED, Encoding.result.is_not(None))
        .order_by(Encoding.finished_at.desc().nulls_last(), Encoding.created_at.desc())
        .limit(1)
    )
    if episode_id is None:
        statement = statement.where(Encoding.episode_id.is_(None))
    row = (await db.execute(statement)).first()
    if row is None:
        return None
    return CurrentVideo(encoding_id=row.id, owner_id=episode_id or content_id, result=row.result)
