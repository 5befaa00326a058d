"""The activity store on MongoDB (when MONGODB_URI is set), through PyMongo's asyncio API.

The spec's collections: viewing_sessions, watch_history, engagement_events, user_preferences
(its watchlist), and two for continue watching: watch_progress (a profile's place in each item)
and continue_watching_hidden. Ids and UUIDs are stored as their canonical strings; a
document's `_id` is its natural key (a session id, "profile:item", "profile:event"), so every
write is an upsert by `_id` and a replay finds the document it made before.

Conditional updates ("only when the sequence is higher") are filters on plain operators
($set, $setOnInsert, $max, $min, $push, $pull): they mean the same on every server version.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from ott.activity.records import (
    Engagement,
    HistoryEntry,
    HistoryPosition,
    PlaybackUpdate,
    Progress,
    ViewingSession,
    WatchlistEntry,
    percent_of,
)
from ott.activity.reduce import progress_writes, session_writes
from ott.activity.status import SessionEvent, SessionState, next_state
from ott.core.event_types import EngagementType

Document = dict[str, Any]

# Each index serves one query below.
_INDEXES: dict[str, list[IndexModel]] = {
    # The abandon sweep: active sessions by their last event.
    "viewing_sessions": [IndexModel([("state", ASCENDING), ("last_updated", ASCENDING)])],
    # Continue watching: a profile's items, newest first.
    "watch_progress": [IndexModel([("profile_id", ASCENDING), ("updated_at", DESCENDING)])],
    # The titles a profile removed from continue watching.
    "continue_watching_hidden": [IndexModel([("profile_id", ASCENDING)])],
    # History pages, newest first, the session id (`_id`) breaking ties.
    "watch_history": [
        IndexModel([("profile_id", ASCENDING), ("watched_at", DESCENDING), ("_id", DESCENDING)])
    ],
    # A profile's engagement, newest first.
    "engagement_events": [IndexModel([("profile_id", ASCENDING), ("timestamp", DESCENDING)])],
}


def _id(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def _uuid(value: str | None) -> uuid.UUID | None:
    return uuid.UUID(value) if value is not None else None


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _session(doc: Document) -> ViewingSession:
    return ViewingSession(
        session_id=doc["_id"],
        user_id=uuid.UUID(doc["user_id"]),
        profile_id=uuid.UUID(doc["profile_id"]),
        content_id=uuid.UUID(doc["content_id"]),
        episode_id=_uuid(doc["episode_id"]),
        device_type=doc["device_type"],
        position_seconds=doc["position_seconds"],
        duration_seconds=doc["duration_seconds"],
        sequence=doc["sequence"],
        state=SessionState(doc["state"]),
        first_position_seconds=doc["first_position_seconds"],
        furthest_position_seconds=doc["furthest_position_seconds"],
        created_at=_utc(doc["created_at"]),
        last_updated=_utc(doc["last_updated"]),
    )


def _progress(doc: Document) -> Progress:
    return Progress(
        profile_id=uuid.UUID(doc["profile_id"]),
        content_id=uuid.UUID(doc["content_id"]),
        episode_id=_uuid(doc["episode_id"]),
        position_seconds=doc["position_seconds"],
        duration_seconds=doc["duration_seconds"],
        completed=doc["completed"],
        updated_at=_utc(doc["updated_at"]),
    )


def _history(doc: Document) -> HistoryEntry:
    return HistoryEntry(
        session_id=doc["_id"],
        user_id=uuid.UUID(doc["user_id"]),
        profile_id=uuid.UUID(doc["profile_id"]),
        content_id=uuid.UUID(doc["content_id"]),
        episode_id=_uuid(doc["episode_id"]),
        watched_at=_utc(doc["watched_at"]),
        completion_rate=doc["completion_rate"],
        watch_duration_seconds=doc["watch_duration_seconds"],
    )


def _engagement(doc: Document) -> Engagement:
    return Engagement(
        event_id=doc["event_id"],
        user_id=uuid.UUID(doc["user_id"]),
        profile_id=uuid.UUID(doc["profile_id"]),
        content_id=uuid.UUID(doc["content_id"]),
        episode_id=_uuid(doc["episode_id"]),
        session_id=doc["session_id"],
        event_type=EngagementType(doc["event_type"]),
        timestamp=_utc(doc["timestamp"]),
        position_seconds=doc["position_seconds"],
        metadata=doc["metadata"],
    )


def _progress_key(profile_id: uuid.UUID, item_id: uuid.UUID) -> str:
    return f"{profile_id}:{item_id}"


class MongoActivityStore:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._db = database
        self._sessions: AsyncCollection[Document] = database["viewing_sessions"]
        self._progress: AsyncCollection[Document] = database["watch_progress"]
        self._hidden: AsyncCollection[Document] = database["continue_watching_hidden"]
        self._history: AsyncCollection[Document] = database["watch_history"]
        self._engagements: AsyncCollection[Document] = database["engagement_events"]
        self._preferences: AsyncCollection[Document] = database["user_preferences"]

    async def prepare(self) -> None:
        """Create the indexes each query needs (a no-op when they exist)."""
        for name, indexes in _INDEXES.items():
            await self._db[name].create_indexes(indexes)

    async def apply_playback(self, updates: Sequence[PlaybackUpdate]) -> list[ViewingSession]:
        if not updates:
            return []
        session_ops: list[UpdateOne] = []
        for write in session_writes(updates):
            latest = write.latest
            newest = {
                "device_type": latest.device_type,
                "position_seconds": latest.position_seconds,
                "duration_seconds": latest.duration_seconds,
                "completed_percentage": write.completed_percentage,
                "sequence": latest.sequence,
                "state": write.state.value,
                "last_updated": latest.occurred_at,
            }
            first = {
                "first_sequence": write.first_sequence,
                "first_position_seconds": write.first_position_seconds,
            }
            owner = {
                "user_id": str(latest.user_id),
                "profile_id": str(latest.profile_id),
                "content_id": str(latest.content_id),
                "episode_id": _id(latest.episode_id),
            }
            key = latest.session_id
            session_ops += [
                UpdateOne(
                    {"_id": key},
                    {
                        "$setOnInsert": owner | newest | first,
                        "$max": {"furthest_position_seconds": write.furthest_position_seconds},
                        "$min": {"created_at": write.created_at},
                    },
                    upsert=True,
                ),
                UpdateOne({"_id": key, "sequence": {"$lt": latest.sequence}}, {"$set": newest}),
                UpdateOne(
                    {"_id": key, "first_sequence": {"$gt": write.first_sequence}}, {"$set": first}
                ),
            ]
        progress_ops: list[UpdateOne] = []
        for progress in progress_writes(updates):
            u = progress.update
            fields = {
                "profile_id": str(u.profile_id),
                "user_id": str(u.user_id),
                "content_id": str(u.content_id),
                "episode_id": _id(u.episode_id),
                "session_id": u.session_id,
                "sequence": u.sequence,
                "position_seconds": u.position_seconds,
                "duration_seconds": u.duration_seconds,
                "completed_percentage": percent_of(u.position_seconds, u.duration_seconds),
                "completed": u.event is SessionEvent.COMPLETED,
                "updated_at": u.occurred_at,
            }
            key = _progress_key(u.profile_id, u.item_id)
            older = [
                {"updated_at": {"$lt": u.occurred_at}},
                {
                    "updated_at": u.occurred_at,
                    "session_id": u.session_id,
                    "sequence": {"$lt": u.sequence},
                },
            ]
            progress_ops += [
                UpdateOne({"_id": key}, {"$setOnInsert": fields}, upsert=True),
                UpdateOne({"_id": key, "$or": older}, {"$set": fields}),
            ]
        await self._sessions.bulk_write(session_ops, ordered=True)
        await self._progress.bulk_write(progress_ops, ordered=True)
        ids = sorted({u.session_id for u in updates})
        found = await self._sessions.find({"_id": {"$in": ids}}).to_list(None)
        return [_session(doc) for doc in found]

    async def session(self, session_id: str) -> ViewingSession | None:
        doc = await self._sessions.find_one({"_id": session_id})
        return _session(doc) if doc else None

    async def abandon_stale_sessions(self, *, before: datetime, limit: int) -> list[ViewingSession]:
        stale = {"state": SessionState.ACTIVE.value, "last_updated": {"$lt": before}}
        candidates = (
            await self._sessions.find(stale, {"_id": 1})
            .sort("last_updated", ASCENDING)
            .limit(limit)
            .to_list(None)
        )
        abandoned = next_state(SessionState.ACTIVE, SessionEvent.ABANDON).value
        marked = []
        for candidate in candidates:
            # Compare and set: a heartbeat that arrived since keeps the session active.
            doc = await self._sessions.find_one_and_update(
                {"_id": candidate["_id"], **stale},
                {"$set": {"state": abandoned}},
                return_document=ReturnDocument.AFTER,
            )
            if doc is not None:
                marked.append(_session(doc))
        return marked

    async def progress(
        self, *, profile_id: uuid.UUID, content_id: uuid.UUID, episode_id: uuid.UUID | None
    ) -> Progress | None:
        key = _progress_key(profile_id, episode_id or content_id)
        doc = await self._progress.find_one({"_id": key, "content_id": str(content_id)})
        return _progress(doc) if doc else None

    async def continue_watching(self, *, profile_id: uuid.UUID, limit: int) -> list[Progress]:
        hidden = await self._hidden.find({"profile_id": str(profile_id)}).to_list(None)
        query: Document = {"profile_id": str(profile_id)}
        if hidden:
            query["$nor"] = [
                {"content_id": h["content_id"], "updated_at": {"$lte": h["hidden_at"]}}
                for h in hidden
            ]
        found = (
            await self._progress.find(query)
            .sort("updated_at", DESCENDING)
            .limit(limit)
            .to_list(None)
        )
        return [_progress(doc) for doc in found]

    async def hide_from_continue_watching(
        self, *, profile_id: uuid.UUID, content_id: uuid.UUID, at: datetime
    ) -> None:
        await self._hidden.update_one(
            {"_id": f"{profile_id}:{content_id}"},
            {
                "$setOnInsert": {"profile_id": str(profile_id), "content_id": str(content_id)},
                "$max": {"hidden_at": at},
            },
            upsert=True,
        )

    async def record_history(self, entries: Sequence[HistoryEntry]) -> None:
        if not entries:
            return
        ops = [
            UpdateOne(
                {"_id": e.session_id},
                {
                    "$setOnInsert": {
                        "user_id": str(e.user_id),
                        "profile_id": str(e.profile_id),
                        "content_id": str(e.content_id),
                        "episode_id": _id(e.episode_id),
                        "watched_at": e.watched_at,
                    },
                    "$max": {
                        "completion_rate": e.completion_rate,
                        "watch_duration_seconds": e.watch_duration_seconds,
                    },
                },
                upsert=True,
            )
            for e in sorted(entries, key=lambda e: e.session_id)
        ]
        await self._history.bulk_write(ops, ordered=False)

    async def history(
        self, *, profile_id: uuid.UUID, limit: int, after: HistoryPosition | None = None
    ) -> list[HistoryEntry]:
        query: Document = {"profile_id": str(profile_id)}
        if after is not None:
            query["$or"] = [
                {"watched_at": {"$lt": after.watched_at}},
                {"watched_at": after.watched_at, "_id": {"$lt": after.session_id}},
            ]
        found = (
            await self._history.find(query)
            .sort([("watched_at", DESCENDING), ("_id", DESCENDING)])
            .limit(limit)
            .to_list(None)
        )
        return [_history(doc) for doc in found]

    async def record_engagements(self, engagements: Sequence[Engagement]) -> int:
        if not engagements:
            return 0
        ops = [
            UpdateOne(
                {"_id": f"{e.profile_id}:{e.event_id}"},
                {
                    "$setOnInsert": {
                        "event_id": e.event_id,
                        "user_id": str(e.user_id),
                        "profile_id": str(e.profile_id),
                        "content_id": str(e.content_id),
                        "episode_id": _id(e.episode_id),
                        "session_id": e.session_id,
                        "event_type": e.event_type.value,
                        "timestamp": e.timestamp,
                        "position_seconds": e.position_seconds,
                        "metadata": e.metadata,
                    }
                },
                upsert=True,
            )
            for e in engagements
        ]
        result = await self._engagements.bulk_write(ops, ordered=False)
        return result.upserted_count

    async def engagements(self, *, profile_id: uuid.UUID, limit: int) -> list[Engagement]:
        found = (
            await self._engagements.find({"profile_id": str(profile_id)})
            .sort([("timestamp", DESCENDING), ("event_id", DESCENDING)])
            .limit(limit)
            .to_list(None)
        )
        return [_engagement(doc) for doc in found]

    async def add_to_watchlist(
        self, *, user_id: uuid.UUID, profile_id: uuid.UUID, content_id: uuid.UUID, at: datetime
    ) -> tuple[WatchlistEntry, bool]:
        key = str(profile_id)
        await self._preferences.update_one(
            {"_id": key},
            {
                "$setOnInsert": {
                    "user_id": str(user_id),
                    "profile_id": key,
                    "favorite_genres": [],
                    "disliked_content": [],
                    "watchlist": [],
                    "updated_at": at,
                }
            },
            upsert=True,
        )
        added = await self._preferences.update_one(
            {"_id": key, "watchlist.content_id": {"$ne": str(content_id)}},
            {
                "$push": {"watchlist": {"content_id": str(content_id), "added_at": at}},
                "$set": {"updated_at": at},
            },
        )
        if added.modified_count:
            return WatchlistEntry(content_id, at), True
        doc = await self._preferences.find_one({"_id": key}) or {}
        for entry in doc.get("watchlist", []):
            if entry["content_id"] == str(content_id):
                return WatchlistEntry(content_id, _utc(entry["added_at"])), False
        return WatchlistEntry(content_id, at), False

    async def remove_from_watchlist(self, *, profile_id: uuid.UUID, content_id: uuid.UUID) -> None:
        await self._preferences.update_one(
            {"_id": str(profile_id)},
            {"$pull": {"watchlist": {"content_id": str(content_id)}}},
        )

    async def watchlist(self, *, profile_id: uuid.UUID, limit: int) -> list[WatchlistEntry]:
        doc = await self._preferences.find_one({"_id": str(profile_id)}) or {}
        entries = [
            WatchlistEntry(uuid.UUID(e["content_id"]), _utc(e["added_at"]))
            for e in doc.get("watchlist", [])
        ]
        entries.sort(key=lambda e: (e.added_at, e.content_id), reverse=True)
        return entries[:limit]
