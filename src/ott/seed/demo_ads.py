"""The demo ad inventory: so that a free viewer of the demo catalog sees a pre-roll.

What: an advertiser, "OTT Demo Ads", with one active campaign in flight for a year from the
seeding, targeting everything, skippable after 5 s, capped at 6 impressions a day and 3 an
hour per viewer, at the lowest priority (a house ad: any real campaign serves first), with two
creatives: generated test-pattern videos (colour bars, and RGB stripes) with a tone and, when
the FFmpeg can draw text, "Your ad here" over the whole ad; 8 and 6 s (DEMO_VIDEO_SECONDS
shortens them), 16:9, 720p.

How: as an admin would make them, through the ad service's own functions. The sources are
rendered like the demo videos' (demo_sources), sent through the tus upload service, and each
creative queues its video on the media pipeline (`create_creative`, which calls
`queue_creative_encoding`); whichever worker runs transcodes them and the ad service's
background sync makes the creatives ready. They are queued before the demo videos, so the
pre-roll is ready by the time the first demo title is.

Idempotent: nothing is made when the demo advertiser exists (whatever became of its campaign
since: an admin may have paused or ended it). The sources are made first and the inventory in
one transaction, under an advisory lock, that looks for the advertiser again; so a start that
stops half way leaves nothing, and two processes seeding at once make one inventory.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ott.ads import service as ads
from ott.ads.app import build_runtime
from ott.ads.models import Advertiser, Pacing
from ott.ads.schemas import AdvertiserIn, CampaignIn, CreativeIn, Targeting
from ott.ads.status import CampaignEvent
from ott.core.app_context import AppContext
from ott.core.errors import AppError
from ott.media.encoding.ffmpeg import resolve_ffmpeg
from ott.media.encoding.transcoder import TranscodeError
from ott.media.models import Upload
from ott.media.uploads import service as uploads
from ott.seed.demo_sources import Look, SourceSpec, render_video
from ott.seed.demo_videos import Outcome, upload_source
from ott.seed.load import seed_identity

log = structlog.get_logger(__name__)

ADVERTISER = "OTT Demo Ads"
DOMAIN = "ott.example"
CAMPAIGN = "OTT Demo Ads: house ads"
FLIGHT = timedelta(days=365)
SKIP_AFTER_SECONDS = 5
CAP_PER_DAY = 6
CAP_PER_HOUR = 3
PRIORITY = 1  # the lowest: the demo ads fill breaks no other campaign wants
_LOCK_SPACE = 0x64616473  # "dads": the advisory-lock namespace of the demo ads
_HEIGHT = 720
_CARD = "Your ad here\nA demo ad of the OTT platform"


@dataclass(frozen=True)
class DemoCreative:
    title: str
    look: Look
    seconds: float


CREATIVES = (
    DemoCreative(
        "Your ad here: colour bars", Look("smptebars", "smptebars=size={w}x{h}:rate={r}", 880), 8
    ),
    DemoCreative(
        "Your ad here: RGB stripes", Look("rgbtestsrc", "rgbtestsrc=size={w}x{h}:rate={r}", 784), 6
    ),
)


@dataclass
class DemoAdsResult:
    outcome: Outcome
    detail: str
    advertiser_id: uuid.UUID | None = None
    campaign_id: uuid.UUID | None = None
    creatives: list[uuid.UUID] = field(default_factory=list)  # their videos queued

    @property
    def summary(self) -> str:
        if self.outcome is Outcome.QUEUED:
            return (
                f"demo ads: {ADVERTISER!r}, one campaign, {len(self.creatives)} creatives "
                "queued for transcoding"
            )
        if self.outcome is Outcome.SKIPPED:
            return f"demo ads: {ADVERTISER!r} exists already"
        return f"demo ads not made: {self.detail}"


def _spec(creative: DemoCreative, seconds: float | None) -> SourceSpec:
    length = min(creative.seconds, seconds) if seconds is not None else creative.seconds
    return SourceSpec(creative.look, _HEIGHT * 16 // 9, _HEIGHT, length, _CARD, card_seconds=length)


async def _find(db: AsyncSession) -> uuid.UUID | None:
    found: uuid.UUID | None = await db.scalar(
        select(Advertiser.id).where(Advertiser.name == ADVERTISER)
    )
    return found


async def seed_demo_ads(context: AppContext, *, now: datetime | None = None) -> DemoAdsResult:
    """Make the demo ad inventory unless the demo advertiser exists (see the module's
    docstring). A source FFmpeg cannot make is reported (FAILED) and nothing is left."""
    async with context.sessionmaker() as db:
        existing = await _find(db)
    if existing is not None:
        return DemoAdsResult(Outcome.SKIPPED, "the demo advertiser exists", existing)
    settings = context.settings
    work = settings.data_dir / "demo-work"
    await asyncio.to_thread(work.mkdir, parents=True, exist_ok=True)
    folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="ads-", dir=work))
    made: list[Upload] = []
    try:
        made = await _sources(context, folder)
        result = await _inventory(context, made, now or datetime.now(UTC))
    except (TranscodeError, AppError) as error:
        log.warning("demo ads not made", error=str(error))
        await _remove(context, made)
        return DemoAdsResult(Outcome.FAILED, str(error))
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, ignore_errors=True)
    if result.outcome is Outcome.SKIPPED:  # made meanwhile by another process
        await _remove(context, made)
    log.info("demo ads", outcome=result.outcome.value, creatives=len(result.creatives))
    return result


async def _sources(context: AppContext, folder: Path) -> list[Upload]:
    """Each creative's video, rendered and uploaded as a finished tus upload of the seed's."""
    ffmpeg = resolve_ffmpeg(context.settings.ffmpeg_binary)
    identity = seed_identity()
    made = []
    for number, creative in enumerate(CREATIVES, start=1):
        spec = _spec(creative, context.settings.demo_video_seconds)
        name = f"demo-ad-{number}.mp4"
        source = await render_video(spec, folder, ffmpeg=ffmpeg, name=name)
        metadata = {"kind": "video", "filename": name}
        made.append(await upload_source(context, identity, source, metadata))
    return made


async def _inventory(context: AppContext, sources: list[Upload], now: datetime) -> DemoAdsResult:
    identity = seed_identity()
    runtime = build_runtime(context)
    async with context.sessionmaker() as db, db.begin():
        await db.execute(select(func.pg_advisory_xact_lock(_LOCK_SPACE, 0)))
        existing = await _find(db)
        if existing is not None:
            return DemoAdsResult(Outcome.SKIPPED, "made meanwhile by another process", existing)
        advertiser = await ads.create_advertiser(
            db=db, body=AdvertiserIn(name=ADVERTISER, domain=DOMAIN)
        )
        body = CampaignIn(
            advertiser_id=advertiser.id,
            name=CAMPAIGN,
            starts_at=now,
            ends_at=now + FLIGHT,
            priority=PRIORITY,
            pacing=Pacing.ASAP,
            skippable=True,
            skip_offset_seconds=SKIP_AFTER_SECONDS,
            targeting=Targeting(),
            cap_per_day=CAP_PER_DAY,
            cap_per_hour=CAP_PER_HOUR,
        )
        campaign = await ads.create_campaign(db=db, runtime=runtime, body=body)
        await ads.change_status(
            db=db, runtime=runtime, campaign_id=campaign.id, event=CampaignEvent.ACTIVATE
        )
        creatives = []
        for creative, upload in zip(CREATIVES, sources, strict=True):
            made = await ads.create_creative(
                db=db,
                storage=context.storage,
                settings=context.settings,
                identity=identity,
                campaign_id=campaign.id,
                body=CreativeIn(title=creative.title, source_upload_id=upload.id),
            )
            creatives.append(made.id)
    return DemoAdsResult(Outcome.QUEUED, "queued", advertiser.id, campaign.id, creatives)


async def _remove(context: AppContext, made: list[Upload]) -> None:
    """Uploads that became nobody's input."""
    for upload in made:
        await uploads.terminate(
            sessionmaker=context.sessionmaker,
            data_dir=context.settings.data_dir,
            upload_id=str(upload.id),
            identity=seed_identity(),
        )
