"""What a finished transcode becomes: files in storage, and catalog rows in one transaction.

Files go under `videos/<episode or title id>/<encoding id>/`, so a new encoding never
overwrites the files an earlier one still serves. The owner's video_variants, audio_tracks
and subtitles rows are replaced together with the job's success, in one transaction that
first locks the job row under this worker's lease: either everything is registered or
nothing is (and the caller then deletes what it uploaded).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession

from ott.content.models import AudioTrack, Subtitle, VideoVariant
from ott.core.storage import Storage
from ott.media.encoding.transcoder import TranscodeResult
from ott.media.jobs.queue import Job, JobQueue, Lease

log = structlog.get_logger(__name__)

UPLOAD_CONCURRENCY = 8

CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".mpd": "application/dash+xml",
    ".mp4": "video/mp4",
    ".m4s": "video/iso.segment",
    ".m4a": "audio/mp4",
    ".m4v": "video/mp4",
    ".vtt": "text/vtt",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


def output_prefix(job: Job) -> str:
    return f"videos/{job.owner_id}/{job.id}"


def output_files(result: TranscodeResult, out_dir: Path) -> list[str]:
    """Every file the transcoder wrote, relative to `out_dir` (its own list if it gave one)."""
    if result.files:
        return list(result.files)
    return sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file())


async def upload(
    *, storage: Storage, out_dir: Path, files: Iterable[str], prefix: str, uploaded: list[str]
) -> dict[str, str]:
    """Put every file under `prefix`; their URLs by relative path. Each stored key is
    appended to `uploaded` as soon as it is stored, so a caller can clean up after a
    failure half-way."""
    gate = asyncio.Semaphore(UPLOAD_CONCURRENCY)
    urls: dict[str, str] = {}

    async def put(name: str) -> None:
        key = f"{prefix}/{name}"
        async with gate:
            urls[name] = await storage.put_file(key, out_dir / name, content_type(name))
        uploaded.append(key)

    async with asyncio.TaskGroup() as group:
        for name in files:
            group.create_task(put(name))
    return urls


async def delete_uploaded(*, storage: Storage, keys: list[str]) -> None:
    """Best effort: a file left behind is unused, never wrong (its folder is this job's)."""
    gate = asyncio.Semaphore(UPLOAD_CONCURRENCY)

    async def remove(key: str) -> None:
        async with gate:
            try:
                await storage.delete(key)
            except Exception as exc:
                log.warning("could not delete an uploaded file", key=key, error=repr(exc))

    with contextlib.suppress(Exception):
        await asyncio.gather(*(remove(key) for key in keys))


def result_document(result: TranscodeResult, urls: dict[str, str]) -> dict[str, Any]:
    """The `result` stored on the encoding: every URL a player or an editor needs."""
    return {
        "master_playlist_url": urls[result.master_playlist],
        "dash_manifest_url": urls[result.dash_manifest],
        "poster_url": urls.get(result.poster),
        "thumbnails_url": urls.get(result.thumbnails),
        "duration_seconds": result.source.duration_seconds,
        "source": {
            "width": result.source.width,
            "height": result.source.height,
            "frame_rate": result.source.frame_rate,
            "video_codec": result.source.video_codec,
        },
        "renditions": [
            {
                "quality": r.quality,
                "width": r.width,
                "height": r.height,
                "frame_rate": r.frame_rate,
                "bandwidth": r.bandwidth,
                "average_bandwidth": r.average_bandwidth,
                "codecs": r.codecs,
                "playlist_url": urls[r.playlist],
            }
            for r in result.video
        ],
        "audio": [
            {
                "language": a.language,
                "label": a.label,
                "default": a.default,
                "playlist_url": urls[a.playlist],
            }
            for a in result.audio
        ],
        "subtitles": [
            {
                "language": s.language,
                "label": s.label,
                "vtt_url": urls[s.vtt],
                "playlist_url": urls.get(s.playlist),
            }
            for s in result.subtitles
        ],
    }


async def register(
    *,
    db: AsyncSession,
    job: Job,
    owner: str,
    result: TranscodeResult,
    urls: dict[str, str],
    log_tail: str | None,
) -> Lease:
    """Inside one transaction: replace the owner's media rows and mark the job succeeded.
    Returns HELD when registered; LOST or CANCEL_REQUESTED when the caller must roll back."""
    lease = await JobQueue.lock_for_finish(db=db, job_id=job.id, owner=owner)
    if lease is not Lease.HELD:
        return lease
    document = result_document(result, urls)
    if job.creative_id is not None:  # an ad's video: nothing in the catalog (ott.ads reads it)
        return await _succeed(db, job, owner, document, log_tail)
    owned = (
        {"content_id": None, "episode_id": job.episode_id}
        if job.episode_id
        else {"content_id": job.content_id, "episode_id": None}
    )
    for table in (VideoVariant, AudioTrack, Subtitle):
        column = table.episode_id if job.episode_id else table.content_id
        await db.execute(delete(table).where(column == job.owner_id))
    dash_url = document["dash_manifest_url"]
    await db.execute(
        insert(VideoVariant),
        [
            {
                **owned,
                "quality": r.quality,
                "hls_url": urls[r.playlist],
                "dash_url": dash_url,
                "bitrate_kbps": round(r.average_bandwidth / 1000),
            }
            for r in result.video
        ],
    )
    if result.audio:
        await db.execute(
            insert(AudioTrack),
            [
                {**owned, "language": a.language, "label": a.label, "url": urls[a.playlist]}
                for a in result.audio
            ],
        )
    if result.subtitles:
        await db.execute(
            insert(Subtitle),
            [
                {**owned, "language": s.language, "label": s.label, "url": urls[s.vtt]}
                for s in result.subtitles
            ],
        )
    return await _succeed(db, job, owner, document, log_tail)


async def _succeed(
    db: AsyncSession, job: Job, owner: str, document: dict[str, Any], log_tail: str | None
) -> Lease:
    succeeded = await JobQueue.succeed(
        db=db, job_id=job.id, owner=owner, result_json=json.dumps(document), log_tail=log_tail
    )
    if not succeeded:
        return Lease.LOST  # cannot happen under the row lock, but never register without it
    return Lease.HELD
