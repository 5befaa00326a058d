"""HTTP routes of the user activity service: every one is per profile (the caller's)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from ott.activity import service
from ott.activity.dependencies import CurrentWatcher, Store
from ott.activity.records import HistoryPosition, WatchlistEntry
from ott.activity.schemas import (
    ContinueWatching,
    ContinueWatchingItem,
    ContinueWatchingQuery,
    HistoryItem,
    HistoryPage,
    HistoryQuery,
    Watchlist,
    WatchlistAdd,
    WatchlistItem,
)
from ott.activity.titles import EpisodeInfo, TitleInfo
from ott.core.cursors import InvalidCursor, decode_cursor, encode_cursor
from ott.core.dependencies import AppSettings, DbSession, ReadSessionmaker
from ott.core.openapi import error_responses

router = APIRouter(prefix="/api/activity", tags=["activity"])

_CURSOR_FIELDS = frozenset({"w", "s"})
_PROFILE = error_responses(403)


def _title_fields(title: TitleInfo) -> dict[str, Any]:
    return {
        "content_id": title.content_id,
        "content_type": title.type,
        "title": title.title,
        "poster_url": title.poster_url,
        "thumbnail_url": title.thumbnail_url,
        "locked": title.locked,
    }


def _episode_fields(episode: EpisodeInfo | None) -> dict[str, Any]:
    return {
        "episode_id": episode.id if episode else None,
        "episode_title": episode.title if episode else None,
        "season_number": episode.season_number if episode else None,
        "episode_number": episode.episode_number if episode else None,
    }


def _history_cursor(position: HistoryPosition) -> str:
    return encode_cursor({"w": position.watched_at.isoformat(), "s": position.session_id})


def _history_position(cursor: str) -> HistoryPosition:
    position = decode_cursor(cursor, fields=_CURSOR_FIELDS)
    try:
        watched_at = datetime.fromisoformat(position["w"])
        session_id = position["s"]
    except (TypeError, ValueError) as exc:
        raise InvalidCursor from exc
    if watched_at.tzinfo is None or not isinstance(session_id, str):
        raise InvalidCursor
    return HistoryPosition(watched_at, session_id)


@router.get(
    "/continue-watching",
    summary="What the profile may go on watching, newest first",
    responses=_PROFILE,
)
async def continue_watching(
    query: Annotated[ContinueWatchingQuery, Query()],
    watcher: CurrentWatcher,
    store: Store,
    settings: AppSettings,
    db: DbSession,
) -> ContinueWatching:
    items = await service.continue_watching(
        store=store,
        db=db,
        settings=settings,
        viewer=watcher.viewer,
        profile_id=watcher.profile_id,
        limit=query.limit,
    )
    return ContinueWatching(
        items=[
            ContinueWatchingItem(
                **_title_fields(item.title),
                **_episode_fields(item.episode),
                kind=item.kind,
                position_seconds=item.position_seconds,
                duration_seconds=item.duration_seconds,
                percent=item.percent,
                updated_at=item.updated_at,
            )
            for item in items
        ]
    )


@router.delete(
    "/continue-watching/{content_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a title from continue watching (it is not marked watched)",
    responses=_PROFILE,
)
async def hide_from_continue_watching(
    content_id: uuid.UUID, watcher: CurrentWatcher, store: Store
) -> Response:
    await service.hide_from_continue_watching(
        store=store, profile_id=watcher.profile_id, content_id=content_id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/history", summary="What the profile watched, newest first", responses=_PROFILE)
async def history(
    query: Annotated[HistoryQuery, Query()], watcher: CurrentWatcher, store: Store, db: DbSession
) -> HistoryPage:
    after = _history_position(query.cursor) if query.cursor is not None else None
    items, following = await service.history(
        store=store,
        db=db,
        viewer=watcher.viewer,
        profile_id=watcher.profile_id,
        limit=query.limit,
        after=after,
    )
    return HistoryPage(
        items=[
            HistoryItem(
                **_title_fields(item.title),
                **_episode_fields(item.episode),
                watched_at=item.entry.watched_at,
                completion_rate=item.entry.completion_rate,
                watch_duration_seconds=item.entry.watch_duration_seconds,
            )
            for item in items
        ],
        next_cursor=_history_cursor(following) if following else None,
    )


def _watchlist_item(entry: WatchlistEntry, title: TitleInfo) -> WatchlistItem:
    return WatchlistItem(**_title_fields(title), added_at=entry.added_at)


@router.post(
    "/watchlist",
    status_code=status.HTTP_201_CREATED,
    summary="Add a title to the watchlist (201; 200 when it was there already)",
    responses={
        200: {"model": WatchlistItem, "description": "Already on the watchlist"},
        **error_responses(403, 404),
    },
)
async def add_to_watchlist(
    body: WatchlistAdd,
    watcher: CurrentWatcher,
    store: Store,
    sessions: ReadSessionmaker,
    response: Response,
) -> WatchlistItem:
    entry, title, created = await service.add_to_watchlist(
        store=store,
        sessions=sessions,
        viewer=watcher.viewer,
        user_id=watcher.user_id,
        profile_id=watcher.profile_id,
        content_id=body.content_id,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return _watchlist_item(entry, title)


@router.delete(
    "/watchlist/{content_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a title from the watchlist",
    responses=_PROFILE,
)
async def remove_from_watchlist(
    content_id: uuid.UUID, watcher: CurrentWatcher, store: Store
) -> Response:
    await store.remove_from_watchlist(profile_id=watcher.profile_id, content_id=content_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/watchlist", summary="The profile's watchlist, newest first", responses=_PROFILE)
async def watchlist(watcher: CurrentWatcher, store: Store, db: DbSession) -> Watchlist:
    entries = await service.watchlist(
        store=store, db=db, viewer=watcher.viewer, profile_id=watcher.profile_id
    )
    return Watchlist(items=[_watchlist_item(entry, title) for entry, title in entries])
