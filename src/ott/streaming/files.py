"""Serving media files from the local media folder (development; production puts Nginx or a
CDN in front, deploy/nginx): byte ranges, content types, cache headers, ETags.

What may be fetched:
- `s/<token>/<expires>/videos/<owner>/<encoding>/...`: any file of that encoding's folder,
  under a valid token (ott.core.signing);
- `videos/<owner>/<encoding>/` poster.jpg, sprite_N.jpg and thumbnails.vtt of a published
  title (or of an episode of a published series), unsigned, so the catalog can show them;
  every other unsigned video file is refused (403 signed_url_required);
- `sources/...` (uploads waiting for a worker): never;
- anything else (the CMS's posters/ and thumbnails/, named by their content hash) to anyone.

Keys follow the storage rule (ott.core.storage.check_key), so no path climbs out of the folder.
"""

from __future__ import annotations

import asyncio
import os
import re
import stat
import uuid
from pathlib import Path

from sqlalchemy import select, union_all
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.types import Receive, Scope, Send

from ott.content.models import Content, Episode, Season, WorkflowState
from ott.core.errors import Forbidden, NotFound, error_response
from ott.core.memo import TtlCache
from ott.core.storage import PRIVATE_PREFIX, InvalidKey, check_key
from ott.media.current import VIDEOS_PREFIX
from ott.media.jobs.registration import content_type

IMMUTABLE = "public, max-age=31536000, immutable"
# Playlists name the segments; kept briefly, so a fix to one (or a new token) is seen soon.
PLAYLIST = "public, max-age=60"
# A title's poster is public while it is published; a title taken down stops showing it soon.
PUBLISHED_IMAGE = "public, max-age=300"
_PLAYLISTS = {".m3u8", ".mpd"}
_PUBLIC_VIDEO_FILES = re.compile(r"^(poster\.jpg|sprite_[0-9]+\.jpg|thumbnails\.vtt)$")
_RANGE_PART = re.compile(r"^\s*(?:(\d+)-(\d*)|-(\d+))\s*$")
_MAX_OWNERS = 50_000


class MediaFile(FileResponse):
    """A file answer that can be told to ignore the request's Range header (one it could not
    parse: RFC 9110 lets a server answer such a request whole)."""

    chunk_size = 256 * 1024

    def __init__(self, path: Path, *, ignore_range: bool, **kwargs: object) -> None:
        super().__init__(path, **kwargs)  # type: ignore[arg-type]
        self.ignore_range = ignore_range

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.ignore_range:
            headers = [(k, v) for k, v in scope["headers"] if k not in (b"range", b"if-range")]
            scope = {**scope, "headers": headers}
        await super().__call__(scope, receive, send)


def satisfiable(range_header: str, size: int) -> bool | None:
    """For a `bytes=` Range header: True if every range can be served, False if one cannot
    (416), None if the header is malformed or of another unit (then it is ignored)."""
    unit, _, spec = range_header.partition("=")
    if unit.strip().lower() != "bytes" or not spec.strip():
        return None
    for part in spec.split(","):
        match = _RANGE_PART.match(part)
        if match is None:
            return None
        first, last, suffix = match.groups()
        if suffix is not None:
            if int(suffix) == 0 or size == 0:
                return False
        else:
            if last and int(last) < int(first):
                return None
            if int(first) >= size:
                return False
    return True


def cache_control(name: str) -> str:
    return PLAYLIST if Path(name).suffix.lower() in _PLAYLISTS else IMMUTABLE


async def file_response(
    root: Path, key: str, headers: Headers, *, cache: str | None = None
) -> Response:
    """The stored file under `key`: 404 if there is none (or the key is not a storage key),
    304 if the client's copy is current, 416 if no requested range is in the file."""
    try:
        check_key(key)
    except InvalidKey:
        raise NotFound("No such file") from None
    path = root / key
    try:
        info = await asyncio.to_thread(os.stat, path)
    except (FileNotFoundError, NotADirectoryError):
        raise NotFound("No such file") from None
    if not stat.S_ISREG(info.st_mode):
        raise NotFound("No such file")
    cache = cache or cache_control(path.name)
    response = MediaFile(
        path,
        ignore_range=False,
        stat_result=info,
        media_type=content_type(path.name),
        headers={"cache-control": cache},
    )
    etag = response.headers["etag"]
    if etag in [tag.strip() for tag in headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers={"etag": etag, "cache-control": cache})
    if (requested := headers.get("range")) is not None:
        verdict = satisfiable(requested, info.st_size)
        if verdict is False:
            return error_response(
                416,
                "range_not_satisfiable",
                f"The file has {info.st_size} bytes; no requested range starts inside it",
                headers={"content-range": f"bytes */{info.st_size}"},
            )
        response.ignore_range = verdict is None
    return response


class PublishedOwners:
    """Whether a video's owner (a title, or an episode) is published: a title's own state, an
    episode's series' state. Answers are kept `ttl_seconds`."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], *, ttl_seconds: float
    ) -> None:
        self.sessionmaker = sessionmaker
        self._answers: TtlCache[uuid.UUID, bool] = TtlCache(
            ttl_seconds=ttl_seconds, max_entries=_MAX_OWNERS
        )

    async def published(self, owner_id: uuid.UUID) -> bool:
        if (known := self._answers.get(owner_id)) is not None:
            return known
        title = select(Content.workflow_state).where(Content.id == owner_id)
        series = (
            select(Content.workflow_state)
            .join(Season, Season.content_id == Content.id)
            .join(Episode, Episode.season_id == Season.id)
            .where(Episode.id == owner_id)
        )
        async with self.sessionmaker() as db:
            states = (await db.scalars(union_all(title, series))).all()
        return self._answers.put(owner_id, WorkflowState.PUBLISHED in states)


async def public_file(
    root: Path, key: str, headers: Headers, *, owners: PublishedOwners
) -> Response:
    """An unsigned /media/<key> request, by the rules in the module docstring."""
    parts = key.split("/")
    if key.startswith(PRIVATE_PREFIX):
        raise NotFound("No such file")
    if parts[0] != VIDEOS_PREFIX:
        return await file_response(root, key, headers)
    if len(parts) != 4 or not _PUBLIC_VIDEO_FILES.match(parts[3]):
        raise Forbidden(
            "Video files are served under a signed URL: start playback to get one "
            "(POST /api/stream/playback/start)",
            code="signed_url_required",
        )
    try:
        owner = uuid.UUID(parts[1])
    except ValueError:
        raise NotFound("No such file") from None
    if not await owners.published(owner):
        raise NotFound("No such file")
    return await file_response(root, key, headers, cache=PUBLISHED_IMAGE)
