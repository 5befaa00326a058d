"""Demo videos: a few demo titles get a short generated source, transcoded by the real pipeline.

Which titles: of the demo catalog (external ids `demo-…`, in that order), those the catalog
shows an anonymous viewer in the default country (its one visibility rule, `VISIBLE`):
- the first free film: 20 s at 720p with a second audio language (Hindi) and English
  subtitles; queued first, so it is the first a new user can play;
- the second free film: 24 s at 1080p, so a free viewer's 720p cap shows;
- the first two episodes of the first free series (its first season);
- the first free sports title;
- the first premium film (locked for a free viewer).
Each gets a look of its own (demo_sources.LOOKS).

How: each source is rendered into a scratch folder and sent through the tus upload service
(so it lies where uploads do, `DATA_DIR/uploads`, as a finished upload of the seed's admin),
then queued with the media service's `queue_encoding`, which stages it into storage and puts
the job on the durable queue. Whichever worker runs (`ott serve`'s own, or `ott worker`)
transcodes them in the order queued.

Idempotent: an owner (a title, or an episode) that has a queued, running or succeeded encoding
is skipped. The check is made again, under an advisory lock, in the transaction that queues,
so two processes seeding at once still queue one job per owner.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import textwrap
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import structlog
from sqlalchemy import ColumnElement, Select, func, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ott.catalog.visibility import LISTED, VISIBLE, locked, viewer_for
from ott.content.models import Content, ContentType, Episode, Season
from ott.core.app_context import AppContext
from ott.core.errors import AppError
from ott.core.identity import Identity
from ott.core.settings import Settings
from ott.core.tiers import SubscriptionTier
from ott.media import service as media
from ott.media.encoding.ffmpeg import resolve_ffmpeg
from ott.media.encoding.transcoder import TranscodeError
from ott.media.jobs.status import EncodingStatus
from ott.media.models import Encoding, Upload
from ott.media.schemas import EncodingIn, TrackIn
from ott.media.uploads import service as uploads
from ott.media.uploads.headers import validate_metadata
from ott.seed.demo_sources import LOOKS, SourceSpec, render_audio, render_video, write_subtitles
from ott.seed.load import seed_identity

log = structlog.get_logger(__name__)

# Encodings that mean an owner has (or will have) its video.
ACTIVE = frozenset({EncodingStatus.QUEUED, EncodingStatus.RUNNING, EncodingStatus.SUCCEEDED})
_LOCK_SPACE = 0x64656D6F  # "demo": the advisory-lock namespace of demo videos
_CHUNK = 1024 * 1024
_CARD_WIDTH = 34  # characters a line of the title card holds at 720p
SECOND_AUDIO = ("hi", "हिन्दी")
SUBTITLES = ("en", "English")


class Kind(StrEnum):
    FILM = "film"
    EPISODE = "episode"
    SPORTS = "sports"
    PREMIUM_FILM = "premium film"


@dataclass(frozen=True)
class DemoVideo:
    """One title's (or episode's) demo video, as planned."""

    kind: Kind
    content_id: uuid.UUID
    episode_id: uuid.UUID | None
    title: str  # as the title card and the progress show it
    spec: SourceSpec
    languages: bool = False  # a second audio language and English subtitles

    @property
    def label(self) -> str:
        extras = ", Hindi audio, English subtitles" if self.languages else ""
        size = f"{self.spec.height}p, {self.spec.seconds:g} s"
        return f"{self.kind.value}: {self.title} ({size}{extras})"


class Outcome(StrEnum):
    QUEUED = "queued"
    SKIPPED = "skipped"  # it has a video already, or one on the way
    FAILED = "failed"


@dataclass
class DemoResult:
    planned: list[DemoVideo] = field(default_factory=list)
    outcomes: dict[DemoVideo, Outcome] = field(default_factory=dict)
    encodings: dict[DemoVideo, uuid.UUID] = field(default_factory=dict)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for value in self.outcomes.values() if value is outcome)


class Reporter(Protocol):
    """What `queue_demo_videos` tells whoever shows its progress."""

    def planned(self, videos: list[DemoVideo]) -> None: ...

    def rendering(self, video: DemoVideo, percent: float) -> None: ...

    def finished(self, video: DemoVideo, outcome: Outcome, detail: str) -> None: ...


class QuietReporter:
    def planned(self, videos: list[DemoVideo]) -> None:
        pass

    def rendering(self, video: DemoVideo, percent: float) -> None:
        pass

    def finished(self, video: DemoVideo, outcome: Outcome, detail: str) -> None:
        log.info("demo video", video=video.label, outcome=outcome.value, detail=detail)


# --- which titles -----------------------------------------------------------------------


def _spec(look: str, height: int, seconds: float, title: str, line: str) -> SourceSpec:
    card = "\n".join([*textwrap.wrap(title, _CARD_WIDTH, max_lines=3, placeholder=" …"), line])
    return SourceSpec(LOOKS[look], height * 16 // 9, height, seconds, card)


def _demo_titles(*conditions: ColumnElement[bool]) -> Select[uuid.UUID, ContentType, str]:
    """Demo titles the viewer of the statement's parameters may see, in catalog order."""
    return (
        select(Content.id, Content.type, Content.title)
        .where(Content.external_id.like("demo-%"), LISTED, VISIBLE, *conditions)
        .order_by(Content.external_id)
    )


async def plan(
    db: AsyncSession,
    *,
    settings: Settings,
    seconds: float | None = None,
    now: datetime | None = None,
) -> list[DemoVideo]:
    """The demo videos to make, in the order to queue them (see the module's docstring);
    fewer when the catalog lacks a kind of title. `seconds` sets the length of every one."""
    viewer = viewer_for(
        identity=None, country=None, default_country=settings.default_country, now=now
    )
    free = (await db.execute(_demo_titles(not_(locked(False))), viewer.params)).all()
    premium_films = _demo_titles(
        Content.type == ContentType.MOVIE, Content.tier_requirement == SubscriptionTier.PREMIUM
    )
    premium = (await db.execute(premium_films.limit(1), viewer.params)).all()
    videos: list[DemoVideo] = []

    def add(
        kind: Kind,
        content_id: uuid.UUID,
        title: str,
        spec: SourceSpec,
        *,
        episode_id: uuid.UUID | None = None,
        languages: bool = False,
    ) -> None:
        if seconds is not None:
            spec = replace(spec, seconds=seconds)
        videos.append(DemoVideo(kind, content_id, episode_id, title, spec, languages))

    films = [row for row in free if row.type is ContentType.MOVIE]
    for row, look, height, length, line in zip(
        films,
        ("testsrc2", "smptehdbars"),
        (720, 1080),
        (20, 24),
        ("Demo film · Hindi audio, English subtitles", "Demo film · 1080p"),
        strict=False,
    ):
        spec = _spec(look, height, length, row.title, line)
        add(Kind.FILM, row.id, row.title, spec, languages=look == "testsrc2")
    for row in (row for row in free if row.type is ContentType.TV_SHOW):
        episodes = await _first_episodes(db, row.id)
        for look, (episode_id, number, name) in zip(("life", "cellauto"), episodes, strict=False):
            title = f"{row.title}: {name}"
            spec = _spec(look, 720, 24, title, f"Demo series · episode {number}")
            add(Kind.EPISODE, row.id, title, spec, episode_id=episode_id)
        if episodes:
            break
    for row in [row for row in free if row.type is ContentType.SPORTS][:1]:
        add(Kind.SPORTS, row.id, row.title, _spec("testsrc", 720, 24, row.title, "Demo sports"))
    for row in premium:
        spec = _spec("mandelbrot", 720, 24, row.title, "Premium demo film")
        add(Kind.PREMIUM_FILM, row.id, row.title, spec)
    return videos


async def _first_episodes(
    db: AsyncSession, content_id: uuid.UUID
) -> list[tuple[uuid.UUID, int, str]]:
    rows = await db.execute(
        select(Episode.id, Episode.episode_number, Episode.title)
        .join(Season, Season.id == Episode.season_id)
        .where(Season.content_id == content_id)
        .order_by(Season.season_number, Episode.episode_number)
        .limit(2)
    )
    return [(row.id, row.episode_number, row.title) for row in rows]


async def has_video(db: AsyncSession, video: DemoVideo) -> bool:
    """Whether the owner has a queued, running or succeeded encoding."""
    encodings = await media.list_for_title(db=db, content_id=video.content_id)
    return any(e.episode_id == video.episode_id and e.status in ACTIVE for e in encodings)


# --- making and queueing them -----------------------------------------------------------


async def queue_demo_videos(
    context: AppContext, *, reporter: Reporter | None = None, now: datetime | None = None
) -> DemoResult:
    """Give the demo titles their videos (those that have none yet): render, upload, queue.
    A video that cannot be made is reported and the others go on."""
    report = reporter or QuietReporter()
    settings = context.settings
    async with context.sessionmaker() as db:
        videos = await plan(db, settings=settings, seconds=settings.demo_video_seconds, now=now)
        missing = [video for video in videos if not await has_video(db, video)]
    result = DemoResult(planned=videos)
    report.planned(videos)
    for video in videos:
        if video not in missing:
            result.outcomes[video] = Outcome.SKIPPED
            report.finished(video, Outcome.SKIPPED, "has a video already")
    if not missing:
        return result
    ffmpeg = resolve_ffmpeg(settings.ffmpeg_binary)
    work = settings.data_dir / "demo-work"
    await asyncio.to_thread(work.mkdir, parents=True, exist_ok=True)
    for video in missing:
        folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="video-", dir=work))
        try:
            encoding_id = await _make(context, video, folder, ffmpeg, report)
        except (TranscodeError, AppError) as error:  # FFmpeg failed; the title went away
            result.outcomes[video] = Outcome.FAILED
            report.finished(video, Outcome.FAILED, str(error))
            log.warning("demo video not made", video=video.label, error=str(error))
            continue
        finally:
            await asyncio.to_thread(shutil.rmtree, folder, ignore_errors=True)
        if encoding_id is None:
            result.outcomes[video] = Outcome.SKIPPED
            report.finished(video, Outcome.SKIPPED, "queued meanwhile by another process")
        else:
            result.outcomes[video] = Outcome.QUEUED
            result.encodings[video] = encoding_id
            report.finished(video, Outcome.QUEUED, f"encoding {encoding_id}")
    return result


async def _make(
    context: AppContext, video: DemoVideo, folder: Path, ffmpeg: str, report: Reporter
) -> uuid.UUID | None:
    """Render, upload and queue one video; its encoding's id, or None if another process
    queued one for the owner meanwhile."""

    async def progress(percent: float) -> None:
        report.rendering(video, percent)

    spec = video.spec
    source = await render_video(spec, folder, ffmpeg=ffmpeg, on_progress=progress)
    identity = seed_identity()
    stem = f"demo-{video.episode_id or video.content_id}"
    made = [
        await upload_source(context, identity, source, {"kind": "video", "filename": f"{stem}.mp4"})
    ]
    audio: list[TrackIn] = []
    subtitles: list[TrackIn] = []
    if video.languages:
        language, label = SECOND_AUDIO
        track = await render_audio(spec.seconds, spec.look.tone_hz * 3 // 2, folder, ffmpeg=ffmpeg)
        metadata = {"kind": "audio", "filename": f"{stem}-{language}.m4a", "language": language}
        made.append(await upload_source(context, identity, track, metadata))
        audio.append(TrackIn(upload_id=made[-1].id, language=language, label=label))
        language, label = SUBTITLES
        srt = await asyncio.to_thread(write_subtitles, spec.seconds, video.title, folder)
        metadata = {"kind": "subtitle", "filename": f"{stem}-{language}.srt", "language": language}
        made.append(await upload_source(context, identity, srt, metadata))
        subtitles.append(TrackIn(upload_id=made[-1].id, language=language, label=label))
    body = EncodingIn(
        source_upload_id=made[0].id, episode_id=video.episode_id, audio=audio, subtitles=subtitles
    )
    encoding = await _queue(context, identity, video, body)
    if encoding is None:  # the uploads are nobody's input: remove them
        for upload in made:
            await uploads.terminate(
                sessionmaker=context.sessionmaker,
                data_dir=context.settings.data_dir,
                upload_id=str(upload.id),
                identity=identity,
            )
    return encoding


async def _queue(
    context: AppContext, identity: Identity, video: DemoVideo, body: EncodingIn
) -> uuid.UUID | None:
    async with context.sessionmaker() as db, db.begin():
        key = int.from_bytes(video.content_id.bytes[:4], "big", signed=True)
        await db.execute(select(func.pg_advisory_xact_lock(_LOCK_SPACE, key)))
        if await has_video(db, video):
            return None
        encoding: Encoding = await media.queue_encoding(
            db=db,
            storage=context.storage,
            settings=context.settings,
            identity=identity,
            content_id=video.content_id,
            body=body,
        )
        return encoding.id


async def upload_source(
    context: AppContext, identity: Identity, path: Path, metadata: dict[str, str]
) -> Upload:
    """`path` as a finished tus upload: created with its length, then sent in one PATCH."""
    length = (await asyncio.to_thread(path.stat)).st_size
    created = await uploads.create_upload(
        sessionmaker=context.sessionmaker,
        settings=context.settings,
        identity=identity,
        length=length,
        spec=validate_metadata({**metadata, "demo": "true"}),
    )
    return await uploads.append(
        sessionmaker=context.sessionmaker,
        data_dir=context.settings.data_dir,
        upload_id=created.id,
        identity=identity,
        offset=0,
        checksum=None,
        declared_length=length,
        body=_chunks(path),
    )


async def _chunks(path: Path) -> AsyncIterator[bytes]:
    handle = await asyncio.to_thread(path.open, "rb")
    try:
        while chunk := await asyncio.to_thread(handle.read, _CHUNK):
            yield chunk
    finally:
        await asyncio.to_thread(handle.close)
