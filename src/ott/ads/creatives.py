"""Creatives' videos: queued on the media pipeline, and what they become once encoded.

A creative's video is an encoding owned by the creative (ott.media Encoding.creative_id), made
by the same workers and ladder as a title's. When it has succeeded, `sync` gives the creative
one MediaFile per rung: an HLS playlist of that rung alone with the audio (a one-variant
master written next to the encoding's files, by the pipeline's own `write_master`), because a
rung's media playlist has no sound of its own. A failed or cancelled encoding fails the
creative. `sync` runs in the app's background and whenever a creative is read.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.ads.models import Creative
from ott.ads.status import CreativeStatus
from ott.core.storage import Storage
from ott.media.current import encoding_folder
from ott.media.encoding import manifests
from ott.media.models import Encoding, EncodingStatus

log = structlog.get_logger(__name__)

HLS_TYPE = "application/x-mpegURL"
_FAILED = (EncodingStatus.FAILED, EncodingStatus.CANCELLED)


def _relative(url: str, folder: str) -> str | None:
    _, found, rest = url.partition(f"{folder}/")
    return rest if found and rest else None


def _rung_playlists(result: dict[str, Any], folder: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """Per rung: the name of its one-variant master and that master's text."""
    audio = [
        manifests.MediaEntry(
            playlist=_relative(a["playlist_url"], folder) or a["playlist_url"],
            language=a["language"],
            name=a.get("label") or a["language"],
            default=bool(a.get("default")),
        )
        for a in result.get("audio", [])
    ]
    written: dict[str, tuple[str, dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="ott-ad-") as scratch:
        for rendition in result.get("renditions", []):
            playlist = _relative(rendition["playlist_url"], folder)
            if playlist is None:
                continue
            name = f"ad_{rendition['quality']}.m3u8"
            path = Path(scratch) / name
            variant = manifests.VariantEntry(
                playlist=playlist,
                width=rendition["width"],
                height=rendition["height"],
                frame_rate=rendition["frame_rate"],
                bitrate=manifests.Bitrate(rendition["bandwidth"], rendition["average_bandwidth"]),
                codecs=rendition["codecs"],
            )
            manifests.write_master(path, [variant], audio, [])
            written[name] = (path.read_text(encoding="utf-8"), rendition)
    return written


async def _ready(creative: Creative, encoding: Encoding, storage: Storage) -> None:
    result = encoding.result or {}
    folder = encoding_folder(creative.id, encoding.id)
    playlists = await asyncio.to_thread(_rung_playlists, result, folder)
    media_files = []
    for name, (text, rendition) in playlists.items():
        await storage.put(f"{folder}/{name}", text.encode(), "application/vnd.apple.mpegurl")
        media_files.append(
            {
                "url": name,
                "width": rendition["width"],
                "height": rendition["height"],
                "bitrate": round(rendition["average_bandwidth"] / 1000),
                "type": HLS_TYPE,
                "delivery": "streaming",
                "codec": rendition["codecs"],
            }
        )
    if not media_files:
        creative.status, creative.error = CreativeStatus.FAILED, "The encoding made no video"
        return
    creative.media_files = sorted(media_files, key=lambda m: m["bitrate"])
    creative.folder = folder
    creative.duration_seconds = float(result.get("duration_seconds") or 0.0)
    creative.status, creative.error = CreativeStatus.READY, None


async def sync(db: AsyncSession, storage: Storage, creatives: list[Creative]) -> bool:
    """Bring processing creatives up to their encodings; whether any changed."""
    waiting = {
        c.encoding_id: c
        for c in creatives
        if c.status is CreativeStatus.PROCESSING and c.encoding_id is not None
    }
    if not waiting:
        return False
    changed = False
    encodings = await db.scalars(select(Encoding).where(Encoding.id.in_(list(waiting))))
    for encoding in encodings:
        creative = waiting[encoding.id]
        if encoding.status is EncodingStatus.SUCCEEDED:
            await _ready(creative, encoding, storage)
            changed = True
        elif encoding.status in _FAILED:
            creative.status = CreativeStatus.FAILED
            creative.error = encoding.error or f"The video's encoding {encoding.status.value}"
            changed = True
    return changed


async def sync_processing(sessionmaker: async_sessionmaker[AsyncSession], storage: Storage) -> bool:
    """One pass over every processing creative (the background task's step)."""
    async with sessionmaker() as db, db.begin():
        processing = list(
            await db.scalars(
                select(Creative)
                .where(Creative.status == CreativeStatus.PROCESSING)
                .with_for_update(skip_locked=True)
                .limit(100)
            )
        )
        return await sync(db, storage, processing)
