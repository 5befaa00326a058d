"""The ad service's rules: inventory (advertisers, campaigns, creatives, stats), decisions
(VMAP per playback, VAST per break) and tracking. No HTTP objects here; routes are in
router.py.

A decision is the hot path: the title's facts and the campaigns come from this process's
memory (titles.py, inventory.py), every candidate's counters from one Redis MGET
(counters.py), and the document is built in memory (vast.py, vmap.py). A tracking ping is a
signature check and one Lua script.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ott.ads import creatives as creative_videos
from ott.ads import decision, tokens
from ott.ads.counters import IMPRESSION, TrackedEvent
from ott.ads.decision import Audience, Pick
from ott.ads.dependencies import AdsRuntime, AdViewer
from ott.ads.inventory import ServableCampaign
from ott.ads.models import Advertiser, Campaign, CampaignDailyCount, CampaignKind, Creative
from ott.ads.schemas import (
    AdvertiserIn,
    AdvertiserPatch,
    CampaignIn,
    CampaignPatch,
    CampaignStats,
    CreativeIn,
    DayCounts,
)
from ott.ads.status import CampaignEvent, CampaignStatus, next_status
from ott.ads.vast import (
    ERROR_CODE_MACRO,
    LINEAR_EVENTS,
    InlineAd,
    MediaFile,
    Tracking,
    WrapperAd,
    no_ad_document,
    vast_document,
)
from ott.ads.vmap import vmap_document
from ott.core.errors import BadRequest, Conflict, Forbidden, NotFound, ValidationFailed
from ott.core.identity import Identity
from ott.core.settings import Settings
from ott.core.storage import Storage
from ott.media import service as media_service

VAST_PATH = "/api/ads/vast"
TRACKING_PATH = "/api/ads/t"
CLICK = "click"
ERROR = "error"
TRACKED_EVENTS = frozenset({IMPRESSION, CLICK, ERROR, *LINEAR_EVENTS})


def _now() -> datetime:
    return datetime.now(UTC)


# --- advertisers ----------------------------------------------------------------------------


async def create_advertiser(*, db: AsyncSession, body: AdvertiserIn) -> Advertiser:
    advertiser = Advertiser(name=body.name, domain=body.domain)
    db.add(advertiser)
    await _flush_unique(db, "An advertiser of this name exists", code="advertiser_exists")
    await db.refresh(advertiser)
    return advertiser


async def _flush_unique(db: AsyncSession, message: str, *, code: str) -> None:
    try:
        async with db.begin_nested():
            await db.flush()
    except IntegrityError as exc:
        raise Conflict(message, code=code) from exc


async def list_advertisers(*, db: AsyncSession) -> list[Advertiser]:
    return list(await db.scalars(select(Advertiser).order_by(Advertiser.name)))


async def get_advertiser(*, db: AsyncSession, advertiser_id: uuid.UUID) -> Advertiser:
    advertiser = await db.get(Advertiser, advertiser_id)
    if advertiser is None:
        raise NotFound("No such advertiser", code="advertiser_not_found")
    return advertiser


async def update_advertiser(
    *, db: AsyncSession, advertiser_id: uuid.UUID, body: AdvertiserPatch
) -> Advertiser:
    advertiser = await get_advertiser(db=db, advertiser_id=advertiser_id)
    for name, value in body.model_dump(exclude_unset=True).items():
        if name == "name" and value is None:
            raise ValidationFailed("An advertiser needs a name", code="name_required")
        setattr(advertiser, name, value)
    await _flush_unique(db, "An advertiser of this name exists", code="advertiser_exists")
    await db.refresh(advertiser)
    return advertiser


async def delete_advertiser(*, db: AsyncSession, advertiser_id: uuid.UUID) -> None:
    advertiser = await get_advertiser(db=db, advertiser_id=advertiser_id)
    used = await db.scalar(select(func.count()).where(Campaign.advertiser_id == advertiser_id))
    if used:
        raise Conflict(
            "The advertiser has campaigns; delete or end them first", code="advertiser_in_use"
        )
    await db.delete(advertiser)


# --- campaigns ------------------------------------------------------------------------------


def _check_campaign(campaign: Campaign) -> None:
    if campaign.ends_at is not None and campaign.ends_at <= campaign.starts_at:
        raise ValidationFailed(
            "The flight must end after it starts",
            code="invalid_flight",
            details=[{"field": "ends_at", "message": "not after starts_at"}],
        )
    if campaign.kind is CampaignKind.WRAPPER and not campaign.vast_tag_url:
        raise ValidationFailed(
            "A wrapper campaign needs its vast_tag_url",
            code="vast_tag_url_required",
            details=[{"field": "vast_tag_url", "message": "required for a wrapper"}],
        )
    if campaign.kind is CampaignKind.INLINE and campaign.vast_tag_url:
        raise ValidationFailed(
            "Only a wrapper campaign has a vast_tag_url",
            code="not_a_wrapper",
            details=[{"field": "vast_tag_url", "message": "only for wrapper campaigns"}],
        )


async def create_campaign(*, db: AsyncSession, runtime: AdsRuntime, body: CampaignIn) -> Campaign:
    if await db.get(Advertiser, body.advertiser_id) is None:
        raise ValidationFailed(
            "No such advertiser",
            code="advertiser_not_found",
            details=[{"field": "advertiser_id", "message": "no such advertiser"}],
        )
    values = body.columns()
    campaign = Campaign(**{k: v for k, v in values.items() if v is not None})
    campaign.kind = body.kind
    _check_campaign(campaign)
    db.add(campaign)
    await db.flush()
    await db.refresh(campaign)
    runtime.inventory.invalidate()
    return campaign


async def list_campaigns(
    *,
    db: AsyncSession,
    advertiser_id: uuid.UUID | None = None,
    status: CampaignStatus | None = None,
) -> list[Campaign]:
    statement = select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id)
    if advertiser_id is not None:
        statement = statement.where(Campaign.advertiser_id == advertiser_id)
    if status is not None:
        statement = statement.where(Campaign.status == status)
    return list(await db.scalars(statement))


async def get_campaign(*, db: AsyncSession, campaign_id: uuid.UUID, lock: bool = False) -> Campaign:
    statement = select(Campaign).where(Campaign.id == campaign_id)
    if lock:
        statement = statement.with_for_update()
    campaign = await db.scalar(statement)
    if campaign is None:
        raise NotFound("No such campaign", code="campaign_not_found")
    return campaign


_REQUIRED = {"name", "starts_at", "priority", "pacing", "skippable"}


async def update_campaign(
    *, db: AsyncSession, runtime: AdsRuntime, campaign_id: uuid.UUID, body: CampaignPatch
) -> Campaign:
    campaign = await get_campaign(db=db, campaign_id=campaign_id, lock=True)
    if campaign.status is CampaignStatus.ENDED:
        raise Conflict("An ended campaign cannot change", code="campaign_ended")
    for name, value in body.columns().items():
        if value is None and name in _REQUIRED:
            raise ValidationFailed(
                f"{name} cannot be removed",
                code="field_required",
                details=[{"field": name, "message": "required"}],
            )
        setattr(campaign, name, value)
    _check_campaign(campaign)
    campaign.version += 1
    await db.flush()
    await db.refresh(campaign)
    runtime.inventory.invalidate()
    return campaign


async def change_status(
    *, db: AsyncSession, runtime: AdsRuntime, campaign_id: uuid.UUID, event: CampaignEvent
) -> Campaign:
    campaign = await get_campaign(db=db, campaign_id=campaign_id, lock=True)
    campaign.status = next_status(campaign.status, event)
    campaign.version += 1
    await db.flush()
    await db.refresh(campaign)
    runtime.inventory.invalidate()
    return campaign


async def delete_campaign(*, db: AsyncSession, runtime: AdsRuntime, campaign_id: uuid.UUID) -> None:
    """Only a draft: a campaign that has served keeps its counts (end it instead)."""
    campaign = await get_campaign(db=db, campaign_id=campaign_id, lock=True)
    if campaign.status is not CampaignStatus.DRAFT:
        raise Conflict(
            "Only a draft campaign can be deleted; end it instead", code="campaign_not_draft"
        )
    await db.delete(campaign)
    runtime.inventory.invalidate()


# --- creatives ------------------------------------------------------------------------------


async def create_creative(
    *,
    db: AsyncSession,
    storage: Storage,
    settings: Settings,
    identity: Identity,
    campaign_id: uuid.UUID,
    body: CreativeIn,
) -> Creative:
    campaign = await get_campaign(db=db, campaign_id=campaign_id)
    if campaign.kind is CampaignKind.WRAPPER:
        raise Conflict(
            "A wrapper campaign serves the third-party ad server's creatives",
            code="wrapper_has_no_creatives",
        )
    if campaign.status is CampaignStatus.ENDED:
        raise Conflict("An ended campaign cannot change", code="campaign_ended")
    creative = Creative(id=uuid.uuid4(), campaign_id=campaign.id, title=body.title)
    creative.created_by = identity.user_id
    db.add(creative)
    await db.flush()
    encoding = await media_service.queue_creative_encoding(
        db=db,
        storage=storage,
        settings=settings,
        identity=identity,
        creative_id=creative.id,
        source_upload_id=body.source_upload_id,
    )
    creative.encoding_id = encoding.id
    await db.flush()
    await db.refresh(creative)
    return creative


async def list_creatives(
    *, db: AsyncSession, runtime: AdsRuntime, storage: Storage, campaign_id: uuid.UUID
) -> list[Creative]:
    await get_campaign(db=db, campaign_id=campaign_id)
    found = list(
        await db.scalars(
            select(Creative)
            .where(Creative.campaign_id == campaign_id)
            .order_by(Creative.created_at, Creative.id)
        )
    )
    if await creative_videos.sync(db, storage, found):
        runtime.inventory.invalidate()
    return found


async def get_creative(
    *, db: AsyncSession, runtime: AdsRuntime, storage: Storage, creative_id: uuid.UUID
) -> Creative:
    creative = await db.get(Creative, creative_id, with_for_update=True)
    if creative is None:
        raise NotFound("No such creative", code="creative_not_found")
    if await creative_videos.sync(db, storage, [creative]):
        runtime.inventory.invalidate()
    return creative


async def delete_creative(*, db: AsyncSession, runtime: AdsRuntime, creative_id: uuid.UUID) -> None:
    creative = await db.get(Creative, creative_id, with_for_update=True)
    if creative is None:
        raise NotFound("No such creative", code="creative_not_found")
    await db.delete(creative)
    runtime.inventory.invalidate()


# --- stats ----------------------------------------------------------------------------------


async def campaign_stats(
    *,
    db: AsyncSession,
    runtime: AdsRuntime,
    campaign_id: uuid.UUID,
    since: date | None,
    until: date | None,
) -> CampaignStats:
    """Counts per day: what PostgreSQL holds plus what Redis has not flushed yet."""
    await get_campaign(db=db, campaign_id=campaign_id)
    statement = select(CampaignDailyCount).where(CampaignDailyCount.campaign_id == campaign_id)
    counts: dict[date, dict[str, int]] = {}
    for row in await db.scalars(statement):
        counts.setdefault(row.day, {})[row.event] = row.count
    for (day, event), value in (await runtime.counters.pending(campaign_id)).items():
        by_event = counts.setdefault(day, {})
        by_event[event] = by_event.get(event, 0) + value
    days = [
        DayCounts(day=day, counts=dict(sorted(by_event.items())))
        for day, by_event in sorted(counts.items())
        if (since is None or day >= since) and (until is None or day <= until)
    ]
    totals: dict[str, int] = {}
    for item in days:
        for event, value in item.counts.items():
            totals[event] = totals.get(event, 0) + value
    return CampaignStats(campaign_id=campaign_id, days=days, totals=dict(sorted(totals.items())))


# --- decisions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BreakClaims:
    """Who is watching what, from a break token."""

    user_id: str
    profile_id: str
    content_id: uuid.UUID
    episode_id: uuid.UUID | None
    break_id: str
    country: str
    device: str
    session_id: str | None

    @property
    def break_key(self) -> str:
        return _break_key(self.profile_id, self.content_id, self.episode_id, self.break_id)

    @classmethod
    def parse(cls, claims: dict[str, Any]) -> BreakClaims:
        try:
            return cls(
                user_id=str(claims["u"]),
                profile_id=str(claims["p"]),
                content_id=uuid.UUID(claims["c"]),
                episode_id=uuid.UUID(claims["e"]) if claims.get("e") else None,
                break_id=str(claims["b"]),
                country=str(claims["g"]),
                device=str(claims["d"]),
                session_id=claims.get("s"),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise BadRequest("The break token is malformed", code="invalid_ad_token") from exc


def _break_key(
    profile_id: object, content_id: uuid.UUID, episode_id: uuid.UUID | None, break_id: str
) -> str:
    return f"{profile_id}:{content_id}:{episode_id or '-'}:{break_id}"


async def vmap(
    *,
    runtime: AdsRuntime,
    who: AdViewer,
    content_id: uuid.UUID,
    episode_id: uuid.UUID | None,
    session_id: str | None,
    device: str,
) -> bytes:
    """The playback's breaks, less those the profile saw within ADS_BREAK_MEMORY_HOURS."""
    entitlement = await runtime.entitlements.of(who.identity)
    if not entitlement.ads:
        raise Forbidden(f"The {entitlement.plan_name} plan has no ads", code="ad_free_plan")
    playable = await runtime.titles.playable(
        content_id=content_id, episode_id=episode_id, viewer=who.viewer
    )
    settings = runtime.settings
    planned = decision.plan_breaks(playable.duration_seconds, settings.ads_midroll_every_minutes)
    keys = [_break_key(who.profile_id, content_id, episode_id, b.id) for b in planned]
    seen = await runtime.counters.seen(keys)
    expires = int(time.time() + settings.ads_break_token_hours * 3600)
    breaks = []
    for item, was_seen in zip(planned, seen, strict=True):
        if was_seen:
            continue
        claims = {
            "u": str(who.identity.user_id),
            "p": str(who.profile_id),
            "c": str(content_id),
            "e": str(episode_id) if episode_id else None,
            "b": item.id,
            "g": who.viewer.country,
            "d": device,
            "s": session_id,
            "x": expires,
        }
        token = runtime.tokens.sign(tokens.BREAK, claims)
        breaks.append(
            type(item)(item.id, item.offset_seconds, item.position, _vast_url(runtime, token))
        )
    return vmap_document(breaks)


def _vast_url(runtime: AdsRuntime, token: str) -> str:
    return f"{runtime.base_url}{VAST_PATH}?b={token}"


def _tracking_url(runtime: AdsRuntime, claims: dict[str, Any]) -> str:
    return f"{runtime.base_url}{TRACKING_PATH}/{runtime.tokens.sign(tokens.TRACKING, claims)}"


def _event_id() -> str:
    return secrets.token_urlsafe(12)


def _tracking(
    runtime: AdsRuntime, pick: Pick, serving_id: str, claims: BreakClaims, expires: int
) -> Tracking:
    base = {
        "s": serving_id,
        "c": str(pick.campaign.id),
        "r": str(pick.creative.id) if pick.creative else None,
        "x": expires,
    }

    def url(event: str, **extra: Any) -> str:
        return _tracking_url(runtime, base | {"v": event, "i": _event_id()} | extra)

    return Tracking(
        impression=url(IMPRESSION, p=claims.profile_id, k=claims.break_key),
        error=url(ERROR) + f"?code={ERROR_CODE_MACRO}",
        click=url(CLICK),
        events={event: url(event) for event in LINEAR_EVENTS},
    )


def _ad(runtime: AdsRuntime, pick: Pick, claims: BreakClaims, expires: int) -> InlineAd | WrapperAd:
    serving_id = uuid.uuid4().hex
    campaign: ServableCampaign = pick.campaign
    tracking = _tracking(runtime, pick, serving_id, claims, expires)
    if pick.creative is None:
        assert campaign.vast_tag_url is not None
        return WrapperAd(ad_id=str(campaign.id), tag_uri=campaign.vast_tag_url, tracking=tracking)
    creative = pick.creative
    folder = runtime.signed(creative.folder)
    return InlineAd(
        ad_id=str(campaign.id),
        serving_id=serving_id,
        title=creative.title,
        advertiser=campaign.advertiser,
        creative_id=str(creative.id),
        duration_seconds=creative.duration_seconds,
        media_files=[
            MediaFile(
                url=folder.url(m["url"]),
                width=m["width"],
                height=m["height"],
                bitrate=m["bitrate"],
                type=m["type"],
                delivery=m["delivery"],
                codec=m.get("codec"),
            )
            for m in creative.media_files
        ],
        tracking=tracking,
        click_through=campaign.click_through_url,
        skip_offset_seconds=campaign.skip_offset_seconds,
    )


async def vast(*, runtime: AdsRuntime, token: str) -> bytes:
    """The VAST of one break: its pod, or the no-ad document when nothing is eligible."""
    claims = BreakClaims.parse(runtime.tokens.verify(tokens.BREAK, token))
    now = _now()
    expires = int(time.time() + runtime.settings.ads_tracking_token_hours * 3600)
    picks: Sequence[Pick] = []
    facts = await runtime.titles.facts(claims.content_id)
    if facts is not None:
        campaigns = await runtime.inventory.campaigns(now)
        eligible = decision.candidates(
            campaigns, facts, Audience(country=claims.country, device=claims.device), now
        )
        counts = await runtime.counters.counts(
            claims.profile_id, [str(c.id) for c in eligible], now
        )
        picks = decision.choose(eligible, counts, now=now, pod_size=runtime.settings.ads_pod_size)
    if not picks:
        claims_no_ad = {"v": ERROR, "i": _event_id(), "x": expires}
        return no_ad_document(_tracking_url(runtime, claims_no_ad) + f"?code={ERROR_CODE_MACRO}")
    return vast_document([_ad(runtime, pick, claims, expires) for pick in picks])


# --- tracking -------------------------------------------------------------------------------


async def track(*, runtime: AdsRuntime, token: str) -> bool:
    """Count a tracking ping once per event id; whether it was counted now (a replay is not).
    The no-ad document's error ping (no campaign) is acknowledged and not counted."""
    claims = runtime.tokens.verify(tokens.TRACKING, token)
    event = claims.get("v")
    if event not in TRACKED_EVENTS or not isinstance(claims.get("i"), str):
        raise BadRequest("The tracking token is malformed", code="invalid_ad_token")
    campaign = claims.get("c")
    if campaign is None:
        return False
    return await runtime.counters.track(
        TrackedEvent(
            event_id=claims["i"],
            campaign_id=str(campaign),
            event=event,
            ttl_seconds=int(claims["x"] - time.time()) + 60,
            viewer=claims.get("p"),
            break_key=claims.get("k"),
        ),
        _now(),
    )
