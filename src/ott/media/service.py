"""The rules of the encodings API: what may be encoded, and what cancel and retry do.

Creating an encoding checks the title, the episode and every upload first, then copies the
uploaded files into storage (`sources/<encoding id>/...`, where any worker can fetch them,
whichever machine it runs on) and only then adds the queued job; if staging fails half-way,
what was staged is deleted, so a refused request leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ott.content.models import Content, ContentType, Episode, Season
from ott.core.errors import Conflict, NotFound, ValidationFailed
from ott.core.identity import Identity, Role
from ott.core.settings import Settings
from ott.core.storage import PRIVATE_PREFIX, Storage
from ott.media.jobs import queue
from ott.media.jobs.registration import content_type, delete_uploaded
from ott.media.models import Encoding, Upload, UploadKind
from ott.media.schemas import EncodingIn, TrackIn
from ott.media.uploads.service import completed_upload
from ott.media.uploads.store import upload_file_path

_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")


@dataclass(frozen=True)
class _Input:
    """One uploaded file to stage, and where it goes."""

    upload: Upload
    key: str
    track: TrackIn | None = None

    def document(self) -> dict[str, Any]:
        assert self.track is not None
        return {
            "key": self.key,
            "language": self.track.language,
            "label": self.track.label,
            "filename": self.upload.filename,
        }


async def queue_encoding(
    *,
    db: AsyncSession,
    storage: Storage,
    settings: Settings,
    identity: Identity,
    content_id: uuid.UUID,
    body: EncodingIn,
) -> Encoding:
    content = await db.get(Content, content_id)
    if content is None:
        raise NotFound("No such title")
    await _check_episode(db, content, body.episode_id)
    encoding_id = uuid.uuid4()
    folder = f"{PRIVATE_PREFIX}{encoding_id}"

    # Only the caller's own uploads (an admin's pick of anyone's); another's answers as unknown.
    owner = None if identity.has_role(Role.ADMIN) else identity.user_id
    picked = await _usable(db, settings, body.source_upload_id, UploadKind.VIDEO, owner)
    source = _Input(picked, f"{folder}/source{_suffix(picked)}")
    audio: list[_Input] = []
    for i, track in enumerate(body.audio):
        upload = await _usable(db, settings, track.upload_id, UploadKind.AUDIO, owner)
        audio.append(_Input(upload, f"{folder}/audio-{i}{_suffix(upload)}", track))
    subtitles: list[_Input] = []
    for i, track in enumerate(body.subtitles):
        upload = await _usable(db, settings, track.upload_id, UploadKind.SUBTITLE, owner)
        subtitles.append(_Input(upload, f"{folder}/subtitle-{i}{_suffix(upload)}", track))
    await _stage(storage, settings, [source, *audio, *subtitles])

    encoding = Encoding(
        id=encoding_id,
        content_id=content_id,
        episode_id=body.episode_id,
        source_key=source.key,
        source_filename=picked.filename,
        audio_inputs=[a.document() for a in audio],
        subtitle_inputs=[s.document() for s in subtitles],
        max_attempts=settings.transcode_max_attempts,
        created_by=identity.user_id,
    )
    db.add(encoding)
    await db.flush()
    await db.refresh(encoding)
    return encoding


async def queue_creative_encoding(
    *,
    db: AsyncSession,
    storage: Storage,
    settings: Settings,
    identity: Identity,
    creative_id: uuid.UUID,
    source_upload_id: uuid.UUID,
) -> Encoding:
    """The encoding of an ad creative's video (ott.ads): a finished video upload of the
    caller's (an admin's pick of anyone's), staged and queued like a title's."""
    owner = None if identity.has_role(Role.ADMIN) else identity.user_id
    picked = await _usable(db, settings, source_upload_id, UploadKind.VIDEO, owner)
    encoding_id = uuid.uuid4()
    source = _Input(picked, f"{PRIVATE_PREFIX}{encoding_id}/source{_suffix(picked)}")
    await _stage(storage, settings, [source])
    encoding = Encoding(
        id=encoding_id,
        creative_id=creative_id,
        source_key=source.key,
        source_filename=picked.filename,
        max_attempts=settings.transcode_max_attempts,
        created_by=identity.user_id,
    )
    db.add(encoding)
    await db.flush()
    return encoding


async def _check_episode(db: AsyncSession, content: Content, episode_id: uuid.UUID | None) -> None:
    if episode_id is None:
        if content.type == ContentType.TV_SHOW:
            raise ValidationFailed(
                "A series' videos belong to its episodes: name the episode_id",
                code="episode_required",
                details=[{"field": "episode_id", "message": "required for a series"}],
            )
        return
    found = await db.scalar(
        select(Episode.id)
        .join(Season, Season.id == Episode.season_id)
        .where(Episode.id == episode_id, Season.content_id == content.id)
    )
    if found is None:
        raise ValidationFailed(
            "This title has no such episode",
            code="episode_not_found",
            details=[{"field": "episode_id", "message": "not an episode of this title"}],
        )


async def _usable(
    db: AsyncSession,
    settings: Settings,
    upload_id: uuid.UUID,
    kind: UploadKind,
    owner: uuid.UUID | None,
) -> Upload:
    """The finished upload of `owner` (anyone's if None), if it can be encoded as `kind`
    (NotFound or Conflict if not)."""
    upload = await completed_upload(db=db, upload_id=upload_id, kind=kind, owner=owner)
    if not await asyncio.to_thread(upload_file_path(settings.data_dir, upload).is_file):
        raise Conflict(
            "The uploaded file is gone (expired); upload it again",
            code="upload_gone",
            details={"upload_id": str(upload_id)},
        )
    return upload


def _suffix(upload: Upload) -> str:
    suffix = PurePosixPath(upload.filename or "").suffix.lower()
    return suffix if _SUFFIX.match(suffix) else ""


async def _stage(storage: Storage, settings: Settings, inputs: Sequence[_Input]) -> None:
    staged: list[str] = []
    try:
        for item in inputs:
            path = upload_file_path(settings.data_dir, item.upload)
            await storage.put_file(item.key, path, content_type(item.key))
            staged.append(item.key)
    except BaseException:
        await delete_uploaded(storage=storage, keys=staged)
        raise


async def get(*, db: AsyncSession, encoding_id: uuid.UUID, lock: bool = False) -> Encoding:
    statement = select(Encoding).where(Encoding.id == encoding_id)
    if lock:
        statement = statement.with_for_update()
    encoding = await db.scalar(statement)
    if encoding is None:
        raise NotFound("No such encoding", code="encoding_not_found")
    return encoding


async def list_for_title(*, db: AsyncSession, content_id: uuid.UUID) -> list[Encoding]:
    if await db.get(Content, content_id) is None:
        raise NotFound("No such title")
    rows = await db.scalars(
        select(Encoding)
        .where(Encoding.content_id == content_id)
        .order_by(Encoding.created_at.desc(), Encoding.id.desc())
    )
    return list(rows)


async def cancel(*, db: AsyncSession, encoding_id: uuid.UUID) -> Encoding:
    """A queued job (or one whose worker is gone) is cancelled at once; a running one when
    its worker next renews its lease (within about a second). 409 once it has finished."""
    encoding = await get(db=db, encoding_id=encoding_id, lock=True)
    await queue.cancel(db=db, job=encoding)
    return encoding


async def retry(*, db: AsyncSession, encoding_id: uuid.UUID) -> Encoding:
    """A failed or cancelled job queued again, with fresh attempts (409 for any other)."""
    encoding = await get(db=db, encoding_id=encoding_id, lock=True)
    await queue.requeue(db=db, job=encoding)
    return encoding
