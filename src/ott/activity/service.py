"""The rules of user activity: what playback events leave behind, resume points, continue
watching with "next up", history and the watchlist.

- A position under ACTIVITY_RESUME_MIN_PERCENT (5) is no resume point; at or beyond
  ACTIVITY_WATCHED_PERCENT (90), or once completed, the item is watched: a history entry with
  its completion rate and watch duration. Titles shorter than ACTIVITY_MIN_RESUME_SECONDS (300)
  never resume.
- Continue watching is newest first, one entry per title: the title's newest item when it is a
  resume point; else, when an episode of it was finished, the episode after the last one
  finished ("next up"), or that episode's own resume point if it has one.
- A title removed from continue watching stays out until newer activity on it.
- A session with no event for ACTIVITY_ABANDON_AFTER_SECONDS that never completed is an
  engagement `abandon` at its last position, once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.activity.records import (
    Engagement,
    HistoryEntry,
    HistoryPosition,
    PlaybackUpdate,
    Progress,
    ViewingSession,
    WatchlistEntry,
    percent_of,
    to_millis,
)
from ott.activity.status import SessionEvent, SessionState
from ott.activity.store import ActivityStore
from ott.activity.titles import EpisodeInfo, TitleInfo, describe, visible_titles
from ott.catalog.visibility import Viewer
from ott.core.errors import NotFound
from ott.core.event_types import (
    EngagementRecorded,
    EngagementType,
    PlaybackCompleted,
    PlaybackEvent,
    PlaybackPosition,
    PlaybackStarted,
    PlaybackStopped,
)
from ott.core.settings import Settings

# How many of a profile's newest items continue watching looks at (per title asked for, and at
# least): a screen's worth of titles with their episodes, bounded however long the history is.
CONTINUE_WATCHING_WINDOW = 100
_WINDOW_PER_TITLE = 4
WATCHLIST_LIMIT = 1000
ABANDON_SWEEP_BATCH = 500

_SESSION_EVENTS: dict[type[PlaybackEvent], SessionEvent] = {
    PlaybackStarted: SessionEvent.STARTED,
    PlaybackPosition: SessionEvent.POSITION,
    PlaybackCompleted: SessionEvent.COMPLETED,
    PlaybackStopped: SessionEvent.STOPPED,
}


class ItemKind(StrEnum):
    RESUME = "resume"
    NEXT_UP = "next_up"


# The rules


def is_resume_point(progress: Progress, settings: Settings) -> bool:
    return not progress.completed and resumes_at(
        position_seconds=progress.position_seconds,
        duration_seconds=progress.duration_seconds,
        settings=settings,
    )


def resumes_at(*, position_seconds: float, duration_seconds: float, settings: Settings) -> bool:
    """Whether a playback stopped at this position resumes there (the streaming service asks
    this of the last position it applied, before the activity store has it)."""
    return (
        duration_seconds >= settings.activity_min_resume_seconds
        and settings.activity_resume_min_percent
        <= percent_of(position_seconds, duration_seconds)
        < settings.activity_watched_percent
    )


def is_finished(progress: Progress, settings: Settings) -> bool:
    return progress.completed or progress.percent >= settings.activity_watched_percent


def _watched(session: ViewingSession, settings: Settings) -> bool:
    return (
        session.state is SessionState.COMPLETED
        or session.furthest_percentage >= settings.activity_watched_percent
    )


def _history_entry(session: ViewingSession) -> HistoryEntry:
    return HistoryEntry(
        session_id=session.session_id,
        user_id=session.user_id,
        profile_id=session.profile_id,
        content_id=session.content_id,
        episode_id=session.episode_id,
        watched_at=session.last_updated,
        completion_rate=round(session.furthest_percentage, 2),
        watch_duration_seconds=max(
            0.0, session.furthest_position_seconds - session.first_position_seconds
        ),
    )


# Ingestion (the event consumer hands over whole batches)


def playback_update(payload: PlaybackEvent) -> PlaybackUpdate:
    return PlaybackUpdate(
        session_id=payload.session_id,
        user_id=payload.user_id,
        profile_id=payload.profile_id,
        content_id=payload.content_id,
        episode_id=payload.episode_id,
        device_type=payload.device_type,
        position_seconds=payload.position_seconds,
        duration_seconds=payload.duration_seconds,
        sequence=payload.sequence,
        occurred_at=to_millis(payload.occurred_at),
        event=_SESSION_EVENTS[type(payload)],
    )


def _playback_engagement(update: PlaybackUpdate) -> Engagement | None:
    """`play` from a session's start, `complete` from its completion: once per session."""
    kind = {
        SessionEvent.STARTED: EngagementType.PLAY,
        SessionEvent.COMPLETED: EngagementType.COMPLETE,
    }.get(update.event)
    if kind is None:
        return None
    return _session_engagement(update, kind, update.occurred_at, update.position_seconds)


def _session_engagement(
    session: PlaybackUpdate | ViewingSession,
    kind: EngagementType,
    when: datetime,
    position: float,
) -> Engagement:
    return Engagement(
        event_id=f"{kind.value}:{session.session_id}",
        user_id=session.user_id,
        profile_id=session.profile_id,
        content_id=session.content_id,
        episode_id=session.episode_id,
        session_id=session.session_id,
        event_type=kind,
        timestamp=when,
        position_seconds=position,
        metadata={"device_type": session.device_type},
    )


async def apply_playback_events(
    *, store: ActivityStore, settings: Settings, payloads: Sequence[PlaybackEvent]
) -> None:
    """Apply a batch of playback events: sessions and items first, then the history entries
    and engagements they lead to. Every step is idempotent, so a batch applied again after a
    crash between two steps ends where it would have."""
    updates = [playback_update(payload) for payload in payloads]
    sessions = await store.apply_playback(updates)
    await store.record_history([_history_entry(s) for s in sessions if _watched(s, settings)])
    engagements = [e for e in map(_playback_engagement, updates) if e is not None]
    await store.record_engagements(engagements)


async def record_engagement_events(
    *, store: ActivityStore, payloads: Sequence[EngagementRecorded]
) -> int:
    return await store.record_engagements(
        [
            Engagement(
                event_id=p.event_id,
                user_id=p.user_id,
                profile_id=p.profile_id,
                content_id=p.content_id,
                episode_id=p.episode_id,
                session_id=p.session_id,
                event_type=p.event_type,
                timestamp=to_millis(p.occurred_at),
                position_seconds=p.position_seconds,
                metadata=dict(p.metadata),
            )
            for p in payloads
        ]
    )


async def abandon_stale_sessions(
    *, store: ActivityStore, settings: Settings, now: datetime | None = None
) -> int:
    """Turn sessions whose heartbeats stopped into `abandon` engagements; answer how many."""
    before = (now or datetime.now(UTC)) - timedelta(seconds=settings.activity_abandon_after_seconds)
    total = 0
    while True:
        sessions = await store.abandon_stale_sessions(
            before=to_millis(before), limit=ABANDON_SWEEP_BATCH
        )
        await store.record_engagements(
            [
                _session_engagement(s, EngagementType.ABANDON, s.last_updated, s.position_seconds)
                for s in sessions
            ]
        )
        total += len(sessions)
        if len(sessions) < ABANDON_SWEEP_BATCH:
            return total


# For the streaming service


async def resume_position(
    *,
    store: ActivityStore,
    settings: Settings,
    profile_id: uuid.UUID,
    content_id: uuid.UUID,
    episode_id: uuid.UUID | None,
    duration_seconds: float,
) -> float:
    """Where a new playback of this item starts: its resume point, else 0."""
    progress = await store.progress(
        profile_id=profile_id, content_id=content_id, episode_id=episode_id
    )
    if progress is None:
        return 0.0
    # Judged against the video as it is now (it may have been replaced since).
    current = replace(progress, duration_seconds=duration_seconds)
    return progress.position_seconds if is_resume_point(current, settings) else 0.0


# Continue watching


@dataclass(frozen=True, slots=True)
class ContinueWatchingItem:
    kind: ItemKind
    title: TitleInfo
    episode: EpisodeInfo | None
    position_seconds: float
    duration_seconds: float | None
    percent: float
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class _Choice:
    """What a title's entry will be, before its title is looked up."""

    kind: ItemKind
    # The item to look up: the one to resume, or the finished episode whose next comes up.
    lookup: tuple[uuid.UUID, uuid.UUID | None]
    progress: Progress | None  # the resume point (None: next up, found by the lookup)
    updated_at: datetime


def _choices(rows: Sequence[Progress], settings: Settings) -> list[_Choice]:
    """One choice per title, newest title first (rows come newest first)."""
    by_title: dict[uuid.UUID, list[Progress]] = {}
    for row in rows:
        by_title.setdefault(row.content_id, []).append(row)
    choices = []
    for content_id, items in by_title.items():
        latest = items[0]
        if is_resume_point(latest, settings):
            choices.append(
                _Choice(ItemKind.RESUME, (content_id, latest.episode_id), latest, latest.updated_at)
            )
            continue
        finished = next(
            (p for p in items if p.episode_id is not None and is_finished(p, settings)), None
        )
        if finished is not None:
            lookup = (content_id, finished.episode_id)
            choices.append(_Choice(ItemKind.NEXT_UP, lookup, None, latest.updated_at))
    return choices


async def continue_watching(
    *,
    store: ActivityStore,
    db: AsyncSession,
    settings: Settings,
    viewer: Viewer,
    profile_id: uuid.UUID,
    limit: int,
) -> list[ContinueWatchingItem]:
    window = max(CONTINUE_WATCHING_WINDOW, _WINDOW_PER_TITLE * limit)
    rows = await store.continue_watching(profile_id=profile_id, limit=window)
    choices = _choices(rows, settings)
    own = {(row.content_id, row.episode_id): row for row in rows}
    items: list[ContinueWatchingItem] = []
    # Titles are looked up `limit` at a time: one statement, unless some are not visible now.
    for start in range(0, len(choices), limit):
        chunk = choices[start : start + limit]
        titles = await describe(db=db, viewer=viewer, items=[c.lookup for c in chunk])
        for choice in chunk:
            item = _item(choice, titles.get(choice.lookup), own, settings)
            if item is not None:
                items.append(item)
                if len(items) == limit:
                    return items
    return items


def _item(
    choice: _Choice,
    title: TitleInfo | None,
    own: dict[tuple[uuid.UUID, uuid.UUID | None], Progress],
    settings: Settings,
) -> ContinueWatchingItem | None:
    """The entry a choice makes, or None: its title is not visible now, the episode is no
    longer the title's, or nothing follows the finished episode."""
    if title is None:
        return None
    if choice.progress is not None:
        if choice.lookup[1] is not None and title.episode is None:
            return None
        return _resume_item(title, title.episode, choice.progress)
    following = title.next_episode
    if following is None:
        return None
    resume = own.get((title.content_id, following.id))
    if resume is not None and is_resume_point(resume, settings):
        return _resume_item(title, following, resume)
    return ContinueWatchingItem(
        kind=ItemKind.NEXT_UP,
        title=title,
        episode=following,
        position_seconds=0.0,
        duration_seconds=following.duration_seconds,
        percent=0.0,
        updated_at=choice.updated_at,
    )


def _resume_item(
    title: TitleInfo, episode: EpisodeInfo | None, progress: Progress
) -> ContinueWatchingItem:
    return ContinueWatchingItem(
        kind=ItemKind.RESUME,
        title=title,
        episode=episode,
        position_seconds=progress.position_seconds,
        duration_seconds=progress.duration_seconds,
        percent=round(progress.percent, 2),
        updated_at=progress.updated_at,
    )


async def hide_from_continue_watching(
    *, store: ActivityStore, profile_id: uuid.UUID, content_id: uuid.UUID
) -> None:
    await store.hide_from_continue_watching(
        profile_id=profile_id, content_id=content_id, at=to_millis(datetime.now(UTC))
    )


# History


@dataclass(frozen=True, slots=True)
class HistoryItem:
    entry: HistoryEntry
    title: TitleInfo
    episode: EpisodeInfo | None


async def history(
    *,
    store: ActivityStore,
    db: AsyncSession,
    viewer: Viewer,
    profile_id: uuid.UUID,
    limit: int,
    after: HistoryPosition | None,
) -> tuple[list[HistoryItem], HistoryPosition | None]:
    """A page of history (titles not visible now left out) and where the next page starts."""
    entries = await store.history(profile_id=profile_id, limit=limit + 1, after=after)
    page, more = entries[:limit], len(entries) > limit
    titles = await describe(
        db=db, viewer=viewer, items=[(e.content_id, e.episode_id) for e in page]
    )
    items = [
        HistoryItem(e, title, title.episode)
        for e in page
        if (title := titles.get((e.content_id, e.episode_id))) is not None
    ]
    following = HistoryPosition(page[-1].watched_at, page[-1].session_id) if more else None
    return items, following


# The watchlist


async def add_to_watchlist(
    *,
    store: ActivityStore,
    sessions: async_sessionmaker[AsyncSession],
    viewer: Viewer,
    user_id: uuid.UUID,
    profile_id: uuid.UUID,
    content_id: uuid.UUID,
) -> tuple[WatchlistEntry, TitleInfo, bool]:
    """The entry, its title and whether it is new; NotFound for a title the profile may not
    see now (its existence does not leak)."""
    # The catalog's connection is given back before the store takes one of its own.
    async with sessions() as db:
        visible = await visible_titles(db=db, viewer=viewer, content_ids=[content_id])
    title = visible.get(content_id)
    if title is None:
        raise NotFound("No such title", code="title_not_found")
    entry, created = await store.add_to_watchlist(
        user_id=user_id,
        profile_id=profile_id,
        content_id=content_id,
        at=to_millis(datetime.now(UTC)),
    )
    return entry, title, created


async def watchlist(
    *, store: ActivityStore, db: AsyncSession, viewer: Viewer, profile_id: uuid.UUID
) -> list[tuple[WatchlistEntry, TitleInfo]]:
    entries = await store.watchlist(profile_id=profile_id, limit=WATCHLIST_LIMIT)
    titles = await visible_titles(db=db, viewer=viewer, content_ids=[e.content_id for e in entries])
    return [(e, titles[e.content_id]) for e in entries if e.content_id in titles]
