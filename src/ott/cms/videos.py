"""A title's video: queuing the encoding of an upload is an edit of the title.

The same rights as any edit (ott.cms.service.edit_rights: the workflow's `edit` for the
caller, and the version they named): an editor may give a video only to their own drafts, an
admin also to approved and published titles, nobody to a title under review or archived. The
title stays locked from the check until the transaction ends, across the staging of the
uploaded files (ott.media.service.queue_encoding, which also checks the uploads), so the check
and the change cannot be split by another edit; the price is that another edit of the same
title waits for the staging. The new video is recorded as a version of the title (action
`video_encoding`) whose change list names it: `video`, or `seasons.S.episodes.E.video` for an
episode, before and after being the encodings.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ott.cms import service
from ott.cms.service import Outcome
from ott.cms.snapshots import VIDEO_KEY, Stored
from ott.core.identity import Identity
from ott.core.settings import Settings
from ott.core.storage import Storage
from ott.media import service as media
from ott.media.models import Encoding
from ott.media.schemas import EncodingIn

ACTION = "video_encoding"


async def queue(
    *,
    db: AsyncSession,
    storage: Storage,
    settings: Settings,
    identity: Identity,
    content_id: uuid.UUID,
    body: EncodingIn,
    expected_version: int | None,
) -> tuple[Encoding, Outcome]:
    stored, state = await service.editable(
        db=db, identity=identity, content_id=content_id, expected_version=expected_version
    )
    encoding = await media.queue_encoding(
        db=db,
        storage=storage,
        settings=settings,
        identity=identity,
        content_id=content_id,
        body=body,
    )
    where, label = _target(stored, body.episode_id)
    video: dict[str, Any] = {
        "field": where,
        "encoding_id": str(encoding.id),
        "source_upload_id": str(body.source_upload_id),
        "episode_id": str(body.episode_id) if body.episode_id else None,
        "audio": [track.language for track in body.audio],
        "subtitles": [track.language for track in body.subtitles],
    }
    outcome = await service.record(
        db=db,
        identity=identity,
        stored=stored,
        state=state,
        action=ACTION,
        note=f"new video{label} (encoding {encoding.id})",
        details={VIDEO_KEY: video},
    )
    return encoding, outcome


async def encodings(*, db: AsyncSession, content_id: uuid.UUID) -> list[Encoding]:
    return await media.list_for_title(db=db, content_id=content_id)


def _target(stored: Stored, episode_id: uuid.UUID | None) -> tuple[str, str]:
    """The video's field in the change list, and words for the version's note."""
    if episode_id is not None:
        for season in stored.seasons:
            for episode in stored.episodes.get(season.id, []):
                if episode.id == episode_id:
                    s, e = season.season_number, episode.episode_number
                    return f"seasons.{s}.episodes.{e}.video", f" of season {s}, episode {e}"
    return "video", ""
