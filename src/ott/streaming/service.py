"""The streaming rules: who may start what, leases, positions, completion, manifests and
player events. No HTTP objects here; the routes are in router.py.

A position update is the hot path (every viewer, every 10 s): the session's fixed facts come
from this process's memory after the first update, the entitlement from the cache of
entitlement.py, and the update itself, the lease renewal, the resume point and the
PlaybackPosition event are one Lua script (one Redis round trip, all or nothing).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.catalog.visibility import Viewer
from ott.core.entitlements import Entitlement
from ott.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ott.core.event_types import (
    EngagementRecorded,
    EngagementType,
    EventPayload,
    PlaybackCompleted,
    PlaybackEvent,
    PlaybackPosition,
    PlaybackStarted,
    PlaybackStopped,
)
from ott.core.identity import Identity
from ott.core.signing import SignedFolder
from ott.media.current import CurrentVideo, current_video
from ott.streaming import manifests
from ott.streaming.dependencies import StreamingRuntime, Watcher
from ott.streaming.drm import Licence, LicenceRequest
from ott.streaming.entitlement import episode_of, require_playable
from ott.streaming.leases import (
    EndResult,
    PositionResult,
    ResumeReset,
    SessionRecord,
    StartResult,
    now_ms,
)
from ott.streaming.schemas import (
    ActiveStreams,
    AudioTrack,
    CompleteOut,
    DeviceOut,
    MediaToken,
    PlaybackStartIn,
    PlaybackStartOut,
    PlayerEventsIn,
    PlayerEventsOut,
    PositionIn,
    PositionOut,
    Quality,
    StreamFormat,
    StreamOut,
    SubtitleTrack,
)
from ott.streaming.schemas import Licence as LicenceOut
from ott.streaming.status import SessionEvent, SessionStatus, ended

log = structlog.get_logger(__name__)

# Players report a little past the end (the last frame's duration, rounding): allowed.
POSITION_TOLERANCE_SECONDS = 5.0
# A player's clock may be off; an event far outside this is a bug, not a moment.
EVENT_CLOCK_SKEW = timedelta(minutes=5)
EVENT_MAX_AGE = timedelta(days=1)


def manifest_url(content_id: uuid.UUID, session_id: str) -> str:
    return f"/api/stream/{content_id}/manifest?session={session_id}"


def _media(signed: SignedFolder) -> MediaToken:
    return MediaToken(base_url=signed.base_url, expires_at=signed.expires_at)


def _at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _playback_event(
    kind: type[PlaybackEvent], record: SessionRecord, *, position: float, sequence: int
) -> PlaybackEvent:
    return kind(
        session_id=record.session_id,
        user_id=record.user_id,
        profile_id=record.profile_id,
        content_id=record.content_id,
        episode_id=record.episode_id,
        device_type=record.device_type,
        position_seconds=position,
        duration_seconds=record.duration_seconds,
        sequence=sequence,
        occurred_at=datetime.now(UTC),
    )


def _qualities(video: CurrentVideo, max_height: int | None) -> list[Quality]:
    rungs = [
        Quality(
            quality=r["quality"], width=r["width"], height=r["height"], bandwidth=r["bandwidth"]
        )
        for r in video.result.get("renditions", [])
        if manifests.fits(r["width"], r["height"], max_height)
    ]
    if not rungs and video.result.get("renditions"):
        smallest = min(video.result["renditions"], key=lambda r: r["bandwidth"])
        rungs = [
            Quality(
                quality=smallest["quality"],
                width=smallest["width"],
                height=smallest["height"],
                bandwidth=smallest["bandwidth"],
            )
        ]
    return sorted(rungs, key=lambda q: q.bandwidth)


def _stream_out(record: SessionRecord) -> StreamOut:
    return StreamOut(
        session_id=record.session_id,
        profile_id=record.profile_id,
        content_id=record.content_id,
        episode_id=record.episode_id,
        title=record.title,
        episode_title=record.episode_title,
        device=DeviceOut(id=record.device_id, type=record.device_type, name=record.device_name),
        started_at=record.started_at,
        position_seconds=record.position_seconds,
        lease_expires_at=_at(record.lease_until_ms or record.updated_ms),
    )


async def _licence(
    runtime: StreamingRuntime, record: SessionRecord, signed: SignedFolder
) -> LicenceOut | None:
    licence: Licence | None = await runtime.drm.licence_for(
        LicenceRequest(
            session_id=record.session_id,
            user_id=record.user_id,
            profile_id=record.profile_id,
            content_id=record.content_id,
            episode_id=record.episode_id,
            encoding_id=record.encoding_id,
            device_type=record.device_type,
            expires_at=signed.expires_at,
        )
    )
    if licence is None:
        return None
    return LicenceOut(
        system=licence.system,
        licence_url=licence.licence_url,
        token=licence.token,
        certificate_url=licence.certificate_url,
        expires_at=licence.expires_at,
    )


# --- start ------------------------------------------------------------------------------


async def start(
    *,
    sessions: async_sessionmaker[AsyncSession],
    runtime: StreamingRuntime,
    watcher: Watcher,
    viewer: Viewer,
    entitlement: Entitlement,
    body: PlaybackStartIn,
) -> PlaybackStartOut:
    """Open a playback session if this profile may play the title (or episode) now."""
    # The catalog's answers first, on a connection given back before the resume point is
    # looked up in the activity store (which takes one of its own).
    async with sessions() as db:
        title = require_playable(
            await runtime.entitlements.visible_title(
                content_id=body.content_id, viewer=viewer, db=db
            )
        )
        episode = await episode_of(db, title=title, episode_id=body.episode_id)
        video = await current_video(
            db, content_id=title.id, episode_id=episode.id if episode else None
        )
    if video is None:
        raise Conflict("This title has no video to play yet", code="no_video")
    master, mpd = (
        video.relative(video.result.get("master_playlist_url")),
        video.relative(video.result.get("dash_manifest_url")),
    )
    if master is None or mpd is None:
        log.error("encoding result without manifests", encoding_id=str(video.encoding_id))
        raise Conflict("This title has no video to play yet", code="no_video")

    duration = video.duration_seconds
    resume = await runtime.resume.resume_position(
        profile_id=watcher.profile_id,
        content_id=title.id,
        episode_id=episode.id if episode else None,
        duration_seconds=duration,
    )
    now = now_ms()
    record = SessionRecord(
        session_id=secrets.token_urlsafe(18),
        user_id=watcher.user_id,
        profile_id=watcher.profile_id,
        content_id=title.id,
        episode_id=episode.id if episode else None,
        device_id=body.device.id,
        device_type=body.device.type.value,
        device_name=body.device.name,
        title=title.title,
        episode_title=episode.title if episode else None,
        format=body.format.value,
        encoding_id=video.encoding_id,
        owner_id=video.owner_id,
        folder=video.folder,
        master_file=master,
        mpd_file=mpd,
        duration_seconds=duration,
        started_ms=now,
        position_seconds=resume,
        updated_ms=now,
    )
    limit = entitlement.max_streams
    started = await runtime.store.start(record, limit=limit, now=now)
    await _announce_replaced(runtime, watcher.user_id, started.replaced)
    if started.result is StartResult.FULL:
        holders = await runtime.store.records(user_id=watcher.user_id, session_ids=started.holders)
        raise Conflict(
            f"This account is already watching on {len(holders)} device(s), the most its plan "
            "allows: stop one of them (DELETE /api/stream/sessions/{id}) to watch here",
            code="stream_limit_reached",
            details=ActiveStreams(
                limit=limit, streams=[_stream_out(h) for h in holders]
            ).model_dump(mode="json"),
        )
    runtime.sessions.put((watcher.user_id, record.session_id), record.fixed())
    await runtime.events.publish(
        _playback_event(PlaybackStarted, record, position=resume, sequence=0),
        event_id=f"{record.session_id}:started",
    )

    return await _start_answer(
        runtime, record, video, max_height=entitlement.max_height, replaced=started.replaced
    )


async def _start_answer(
    runtime: StreamingRuntime,
    record: SessionRecord,
    video: CurrentVideo,
    *,
    max_height: int | None,
    replaced: list[str],
) -> PlaybackStartOut:
    """What a player needs to play the session: its manifest, the signed folder, tracks."""
    signed = runtime.signer.sign(video.folder)
    result = video.result
    return PlaybackStartOut(
        session_id=record.session_id,
        content_id=record.content_id,
        episode_id=record.episode_id,
        format=StreamFormat(record.format),
        resume_position_seconds=record.position_seconds,
        duration_seconds=record.duration_seconds,
        manifest_url=manifest_url(record.content_id, record.session_id),
        media=_media(signed),
        qualities=_qualities(video, max_height),
        audio=[
            AudioTrack(language=a["language"], label=a.get("label"), default=bool(a["default"]))
            for a in result.get("audio", [])
        ],
        subtitles=[
            SubtitleTrack(language=s["language"], label=s.get("label"), url=signed.url(vtt))
            for s in result.get("subtitles", [])
            if (vtt := video.relative(s.get("vtt_url")))
        ],
        thumbnails_url=(
            signed.url(thumbs) if (thumbs := video.relative(result.get("thumbnails_url"))) else None
        ),
        lease_expires_at=_at(record.started_ms + runtime.store.lease_ms),
        drm=await _licence(runtime, record, signed),
        replaced_session_ids=replaced,
    )


async def _announce_replaced(
    runtime: StreamingRuntime, user_id: uuid.UUID, session_ids: list[str]
) -> None:
    """PlaybackStopped for each stream a device's new start replaced."""
    for replaced in await runtime.store.records(user_id=user_id, session_ids=session_ids):
        await runtime.events.publish(
            _playback_event(
                PlaybackStopped,
                replaced,
                position=replaced.position_seconds,
                sequence=replaced.sequence,
            ),
            event_id=f"{replaced.session_id}:ended",
        )


# --- the session of a request -------------------------------------------------------------


async def _session(runtime: StreamingRuntime, watcher: Watcher, session_id: str) -> SessionRecord:
    """The fixed facts of the caller's profile's session (404 for any other's: another
    profile's, another account's, or none)."""
    key = (watcher.user_id, session_id)
    record = runtime.sessions.get(key)
    if record is None:
        record = await runtime.store.record(user_id=watcher.user_id, session_id=session_id)
        if record is None:
            raise NotFound("No such playback session", code="session_not_found")
        runtime.sessions.put(key, record.fixed())
    if record.profile_id != watcher.profile_id:
        raise NotFound("No such playback session", code="session_not_found")
    return record


async def _check_still_entitled(
    runtime: StreamingRuntime, watcher: Watcher, viewer: Viewer, record: SessionRecord
) -> None:
    """The title may still be played by this viewer; otherwise the stream is revoked (its
    lease freed, PlaybackStopped published) and the caller gets 403."""
    title = await runtime.entitlements.visible_title(content_id=record.content_id, viewer=viewer)
    if title is not None and not title.locked:
        return
    outcome = await runtime.store.end(
        user_id=watcher.user_id, session_id=record.session_id, event=SessionEvent.REVOKE
    )
    if outcome.result is EndResult.DONE and outcome.record is not None:
        await _publish_end(runtime, PlaybackStopped, outcome.record)
    if title is None:
        raise Forbidden(
            "This title can no longer be watched here; the stream has stopped",
            code="no_longer_available",
        )
    raise Forbidden(
        "This title now needs a premium plan; the stream has stopped", code="premium_required"
    )


async def _publish_end(
    runtime: StreamingRuntime, kind: type[PlaybackEvent], record: SessionRecord
) -> None:
    payload: EventPayload = _playback_event(
        kind, record, position=record.position_seconds, sequence=record.sequence
    )
    await runtime.events.publish(payload, event_id=f"{record.session_id}:ended")


# --- position ------------------------------------------------------------------------------


async def update_position(
    *, runtime: StreamingRuntime, watcher: Watcher, viewer: Viewer, body: PositionIn
) -> PositionOut:
    """Apply the player's position (renewing the lease) and answer a fresh token."""
    record = await _session(runtime, watcher, body.session_id)
    if body.position_seconds > record.duration_seconds + POSITION_TOLERANCE_SECONDS:
        raise ValidationFailed(
            f"The position is past the end of the video ({record.duration_seconds:.1f} s)",
            code="position_out_of_range",
            details=[{"field": "position_seconds", "message": "beyond the duration"}],
        )
    await _check_still_entitled(runtime, watcher, viewer, record)
    position = min(body.position_seconds, record.duration_seconds)
    event = runtime.events.entry(
        _playback_event(PlaybackPosition, record, position=position, sequence=body.sequence),
        event_id=f"{record.session_id}:{body.sequence}",
    )
    outcome = await runtime.store.update_position(
        record,
        position_seconds=position,
        sequence=body.sequence,
        event=event,
        stream_maxlen=runtime.events.maxlen,
        now=now_ms(),
    )
    if outcome.result is PositionResult.MISSING:
        runtime.sessions.discard((watcher.user_id, record.session_id))
        raise NotFound("No such playback session", code="session_not_found")
    if outcome.result is PositionResult.ENDED:
        assert outcome.status is not None
        raise ended(outcome.status)
    applied = outcome.result is PositionResult.APPLIED
    assert outcome.lease_until_ms is not None
    return PositionOut(
        session_id=record.session_id,
        applied=applied,
        position_seconds=position if applied else outcome.position_seconds or 0.0,
        sequence=body.sequence if applied else outcome.sequence or 0,
        media=_media(runtime.signer.sign(record.folder)),
        lease_expires_at=_at(outcome.lease_until_ms),
    )


# --- complete and stop ---------------------------------------------------------------------


async def complete(*, runtime: StreamingRuntime, watcher: Watcher, session_id: str) -> CompleteOut:
    """The viewer finished: free the lease, clear the resume point, publish PlaybackCompleted.
    Completing again answers the same without publishing again."""
    record = await _session(runtime, watcher, session_id)
    outcome = await runtime.store.end(
        user_id=watcher.user_id,
        session_id=session_id,
        event=SessionEvent.COMPLETE,
        profile_id=watcher.profile_id,
        resume=ResumeReset(record.profile_id, record.item_id, 0.0),
    )
    if outcome.result is EndResult.MISSING or outcome.record is None:
        raise NotFound("No such playback session", code="session_not_found")
    stored = outcome.record
    if outcome.result is EndResult.ENDED and stored.status is not SessionStatus.COMPLETED:
        raise ended(stored.status)
    if outcome.result is EndResult.DONE:
        await _publish_end(runtime, PlaybackCompleted, stored)
    return CompleteOut(
        session_id=session_id, completed=True, position_seconds=stored.position_seconds
    )


async def stop(*, runtime: StreamingRuntime, identity: Identity, session_id: str) -> None:
    """Stop one of the account's streams (from any of its profiles): its lease is freed at
    once and its player gets 410 at its next update."""
    outcome = await runtime.store.end(
        user_id=identity.user_id, session_id=session_id, event=SessionEvent.STOP
    )
    if outcome.result is EndResult.MISSING or outcome.record is None:
        raise NotFound("No such playback session", code="session_not_found")
    if outcome.result is EndResult.ENDED:
        raise ended(outcome.record.status)
    await _publish_end(runtime, PlaybackStopped, outcome.record)


async def active_streams(
    *, runtime: StreamingRuntime, identity: Identity, entitlement: Entitlement
) -> ActiveStreams:
    records = await runtime.store.leased(user_id=identity.user_id, now=now_ms())
    return ActiveStreams(limit=entitlement.max_streams, streams=[_stream_out(r) for r in records])


# --- manifest ------------------------------------------------------------------------------


async def manifest(
    *,
    runtime: StreamingRuntime,
    watcher: Watcher,
    viewer: Viewer,
    entitlement: Entitlement,
    content_id: uuid.UUID,
    session_id: str,
) -> tuple[str, str]:
    """The session's master playlist or MPD (its text and content type), for an open
    session of this title."""
    record = await _session(runtime, watcher, session_id)
    if record.content_id != content_id:
        raise NotFound("No such playback session for this title", code="session_not_found")
    lease = await runtime.store.lease_until(user_id=watcher.user_id, session_id=session_id)
    if lease is None or lease <= now_ms():
        current = await runtime.store.record(user_id=watcher.user_id, session_id=session_id)
        status = current.status if current is not None else SessionStatus.EXPIRED
        raise ended(SessionStatus.EXPIRED if status is SessionStatus.ACTIVE else status)
    await _check_still_entitled(runtime, watcher, viewer, record)
    stream_format = StreamFormat(record.format)
    template = await runtime.manifests.template(
        encoding_id=record.encoding_id,
        folder=record.folder,
        file=record.master_file if stream_format is StreamFormat.HLS else record.mpd_file,
        format=stream_format,
        max_height=entitlement.max_height,
    )
    signed = runtime.signer.sign(record.folder)
    return manifests.render(template, signed.base_url), manifests.CONTENT_TYPES[stream_format]


# --- player events -------------------------------------------------------------------------


async def record_player_events(
    *, runtime: StreamingRuntime, watcher: Watcher, body: PlayerEventsIn
) -> PlayerEventsOut:
    """Publish EngagementRecorded for each event (the activity service stores them); an
    event the player sends again keeps its id, so it is stored once."""
    record = await _session(runtime, watcher, body.session_id)
    now = datetime.now(UTC)
    payloads: list[tuple[EventPayload, str | None]] = []
    for index, event in enumerate(body.events):
        if event.position_seconds > record.duration_seconds + POSITION_TOLERANCE_SECONDS:
            raise ValidationFailed(
                "An event's position is past the end of the video",
                code="position_out_of_range",
                details=[{"field": f"events.{index}.position_seconds", "message": "too large"}],
            )
        occurred = event.occurred_at or now
        if occurred.tzinfo is None:
            occurred = occurred.replace(tzinfo=UTC)
        if not now - EVENT_MAX_AGE <= occurred <= now + EVENT_CLOCK_SKEW:
            raise ValidationFailed(
                "An event's time is too far from now",
                code="invalid_event_time",
                details=[{"field": f"events.{index}.occurred_at", "message": "not plausible"}],
            )
        event_id = f"{record.session_id}:{event.event_id}"
        payloads.append(
            (
                EngagementRecorded(
                    event_id=event_id,
                    user_id=record.user_id,
                    profile_id=record.profile_id,
                    content_id=record.content_id,
                    episode_id=record.episode_id,
                    session_id=record.session_id,
                    event_type=EngagementType(event.type.value),
                    position_seconds=min(event.position_seconds, record.duration_seconds),
                    occurred_at=occurred,
                    metadata=dict(event.metadata),
                ),
                event_id,
            )
        )
    await runtime.events.publish_many(payloads)
    return PlayerEventsOut(accepted=len(payloads))
