"""Playback sessions and stream leases in Redis, changed only by atomic Lua scripts.

Per account (the hash tag keeps an account's keys in one Redis Cluster slot):
  stream:{<user>}:leases          sorted set: session id -> when its lease lapses (ms)
  stream:{<user>}:session:<id>    hash: the session's fixed facts and where it stands
and per profile and watched item (episode, or else title):
  stream:resume:<profile>:<item>  the last applied position, for `start`'s resume point

A lease is a member of the account's sorted set; one whose time has passed is free, whatever
happened to the player (start drops lapsed ones before counting). Sessions and leases live in
Redis only, so a restarted streaming process finds every open stream where it was. The scripts
use only commands Redis 6.2 and 7 answer alike.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from redis.asyncio import Redis

from ott.core.events import StreamEntry
from ott.core.redis import KeySpace
from ott.streaming.status import SessionEvent, SessionStatus, next_status, sources

RETAIN_SECONDS = 24 * 3600  # an idle or ended session's hash is kept this long (then 404)
RESUME_SECONDS = 30 * 24 * 3600  # the durable activity store keeps positions beyond this


@dataclass(frozen=True)
class SessionRecord:
    """A session as stored. Everything but status, position, sequence and updated_ms is fixed
    when the session starts, so a process may keep those parts (see `fixed`)."""

    session_id: str
    user_id: uuid.UUID
    profile_id: uuid.UUID
    content_id: uuid.UUID
    episode_id: uuid.UUID | None
    device_id: str
    device_type: str
    device_name: str | None
    title: str
    episode_title: str | None
    format: str
    encoding_id: uuid.UUID
    owner_id: uuid.UUID
    folder: str  # the encoding's folder: what its tokens are scoped to
    master_file: str  # the HLS master playlist, relative to the folder
    mpd_file: str  # the DASH manifest, relative to the folder
    duration_seconds: float
    started_ms: int
    status: SessionStatus = SessionStatus.ACTIVE
    position_seconds: float = 0.0
    sequence: int = 0
    updated_ms: int = 0
    lease_until_ms: int | None = field(default=None, compare=False)

    @property
    def item_id(self) -> uuid.UUID:
        """The watched item: the episode, or else the title."""
        return self.episode_id or self.content_id

    @property
    def started_at(self) -> datetime:
        return _datetime(self.started_ms)

    def to_hash(self) -> dict[str, str]:
        return {
            "user_id": str(self.user_id),
            "profile_id": str(self.profile_id),
            "content_id": str(self.content_id),
            "episode_id": str(self.episode_id) if self.episode_id else "",
            "device_id": self.device_id,
            "device_type": self.device_type,
            "device_name": self.device_name or "",
            "title": self.title,
            "episode_title": self.episode_title or "",
            "format": self.format,
            "encoding_id": str(self.encoding_id),
            "owner_id": str(self.owner_id),
            "folder": self.folder,
            "master_file": self.master_file,
            "mpd_file": self.mpd_file,
            "duration": repr(self.duration_seconds),
            "started_ms": str(self.started_ms),
            "status": self.status.value,
            "position": repr(self.position_seconds),
            "sequence": str(self.sequence),
            "updated_ms": str(self.updated_ms),
        }

    @classmethod
    def from_hash(cls, session_id: str, values: Mapping[str, str]) -> SessionRecord:
        return cls(
            session_id=session_id,
            user_id=uuid.UUID(values["user_id"]),
            profile_id=uuid.UUID(values["profile_id"]),
            content_id=uuid.UUID(values["content_id"]),
            episode_id=uuid.UUID(values["episode_id"]) if values.get("episode_id") else None,
            device_id=values["device_id"],
            device_type=values["device_type"],
            device_name=values.get("device_name") or None,
            title=values["title"],
            episode_title=values.get("episode_title") or None,
            format=values["format"],
            encoding_id=uuid.UUID(values["encoding_id"]),
            owner_id=uuid.UUID(values["owner_id"]),
            folder=values["folder"],
            master_file=values["master_file"],
            mpd_file=values["mpd_file"],
            duration_seconds=float(values["duration"]),
            started_ms=int(values["started_ms"]),
            status=SessionStatus(values["status"]),
            position_seconds=float(values.get("position") or 0),
            sequence=int(values.get("sequence") or 0),
            updated_ms=int(values.get("updated_ms") or 0),
        )

    def fixed(self) -> SessionRecord:
        """The parts that never change, with the rest reset (what a process may cache)."""
        return replace(self, status=SessionStatus.ACTIVE, position_seconds=0.0, sequence=0)


def _datetime(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def now_ms() -> int:
    return int(time.time() * 1000)


# KEYS: leases, new session. ARGV: now, lease until, limit, device id, session id, prefix of
# the account's session keys, retain seconds, replaced status, statuses `replace` starts from,
# then the new session's fields and values.
_START = """
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local replaced = {}
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local key = ARGV[6] .. member
  if redis.call('HGET', key, 'device_id') == ARGV[4] then
    redis.call('ZREM', KEYS[1], member)
    if redis.call('HGET', key, 'status') == ARGV[9] then
      redis.call('HSET', key, 'status', ARGV[8])
      redis.call('HINCRBY', key, 'sequence', 1)
    end
    redis.call('EXPIRE', key, ARGV[7])
    replaced[#replaced + 1] = member
  end
end
local holders = redis.call('ZRANGE', KEYS[1], 0, -1)
if #holders >= tonumber(ARGV[3]) then
  return {'full', holders, replaced}
end
local fields = {}
for i = 10, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[2], unpack(fields))
redis.call('EXPIRE', KEYS[2], ARGV[7])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[5])
redis.call('PEXPIRE', KEYS[1], (tonumber(ARGV[2]) - now) * 2)
return {'started', holders, replaced}
"""

# KEYS: session, leases, resume, the position events' stream. ARGV: session id, now, lease
# until, position, sequence, retain seconds, resume seconds, stream length cap, active
# status, expired status, then the event's fields and values (appended only if applied).
_POSITION = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'missing'} end
if status ~= ARGV[9] then return {'ended', status} end
local now = tonumber(ARGV[2])
local lease = redis.call('ZSCORE', KEYS[2], ARGV[1])
if (not lease) or tonumber(lease) <= now then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('HSET', KEYS[1], 'status', ARGV[10])
  return {'ended', ARGV[10]}
end
local last = tonumber(redis.call('HGET', KEYS[1], 'sequence'))
if tonumber(ARGV[5]) <= last then
  return {'stale', redis.call('HGET', KEYS[1], 'sequence'),
          redis.call('HGET', KEYS[1], 'position'), lease}
end
redis.call('HSET', KEYS[1], 'position', ARGV[4], 'sequence', ARGV[5], 'updated_ms', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('PEXPIRE', KEYS[2], (tonumber(ARGV[3]) - now) * 2)
redis.call('SET', KEYS[3], ARGV[4], 'EX', ARGV[7])
local fields = {}
for i = 11, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[8], '*', unpack(fields))
return {'applied', ARGV[3]}
"""

# KEYS: session, leases, resume. ARGV: session id, target status, retain seconds, resume value
# ('' leaves it), resume seconds, the caller's profile ('' any of the account), then the
# statuses the step may start from. Answers the session's fields after the step.
_END = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'missing'} end
if ARGV[6] ~= '' and redis.call('HGET', KEYS[1], 'profile_id') ~= ARGV[6] then
  return {'missing'}
end
local allowed = false
for i = 7, #ARGV do
  if status == ARGV[i] then allowed = true end
end
if not allowed then return {'ended', status, redis.call('HGETALL', KEYS[1])} end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[1], 'sequence', 1)
redis.call('HSET', KEYS[1], 'status', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
if ARGV[4] ~= '' then redis.call('SET', KEYS[3], ARGV[4], 'EX', ARGV[5]) end
return {'done', ARGV[2], redis.call('HGETALL', KEYS[1])}
"""


class StartResult(StrEnum):
    STARTED = "started"
    FULL = "full"


@dataclass(frozen=True)
class Started:
    result: StartResult
    holders: list[str]  # the account's other leased sessions (all of them when full)
    replaced: list[str]  # sessions of the same device this start ended


class PositionResult(StrEnum):
    APPLIED = "applied"
    STALE = "stale"  # replayed or out of order: nothing changed
    ENDED = "ended"
    MISSING = "missing"


@dataclass(frozen=True)
class PositionOutcome:
    result: PositionResult
    status: SessionStatus | None = None  # why it ended
    sequence: int | None = None  # the session's last applied (when stale)
    position_seconds: float | None = None  # the session's last applied (when stale)
    lease_until_ms: int | None = None


@dataclass(frozen=True)
class ResumeReset:
    profile_id: uuid.UUID
    item_id: uuid.UUID
    seconds: float


class EndResult(StrEnum):
    DONE = "done"
    ENDED = "ended"  # it had ended already, differently or the same way
    MISSING = "missing"


@dataclass(frozen=True)
class EndOutcome:
    result: EndResult
    record: SessionRecord | None = None  # after the step (or as it is, when ENDED)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _pairs(flat: Sequence[Any]) -> dict[str, str]:
    items = [_text(v) for v in flat]
    return dict(zip(items[::2], items[1::2], strict=True))


class StreamStore:
    def __init__(self, redis: Redis, keys: KeySpace, *, lease_seconds: float) -> None:
        self.redis = redis
        self.keys = keys
        self.lease_ms = int(lease_seconds * 1000)
        self._start = redis.register_script(_START)
        self._position = redis.register_script(_POSITION)
        self._end = redis.register_script(_END)

    # --- keys -------------------------------------------------------------------------

    def _account(self, user_id: uuid.UUID) -> str:
        return f"{{{user_id}}}"

    def leases_key(self, user_id: uuid.UUID) -> str:
        return self.keys("stream", self._account(user_id), "leases")

    def session_key(self, user_id: uuid.UUID, session_id: str) -> str:
        return self.keys("stream", self._account(user_id), "session", session_id)

    def resume_key(self, profile_id: uuid.UUID, item_id: uuid.UUID) -> str:
        return self.keys("stream", "resume", profile_id, item_id)

    # --- steps --------------------------------------------------------------------------

    async def start(self, record: SessionRecord, *, limit: int, now: int) -> Started:
        """Open `record`'s session with a lease, unless the account holds `limit` leases
        after lapsed ones and this device's own are dropped."""
        session_prefix = self.session_key(record.user_id, "")
        fields = [part for pair in record.to_hash().items() for part in pair]
        reply = await self._start(
            keys=[
                self.leases_key(record.user_id),
                self.session_key(record.user_id, record.session_id),
            ],
            args=[
                now,
                now + self.lease_ms,
                limit,
                record.device_id,
                record.session_id,
                session_prefix,
                RETAIN_SECONDS,
                next_status(SessionStatus.ACTIVE, SessionEvent.REPLACE).value,
                *sorted(sources(SessionEvent.REPLACE)),
                *fields,
            ],
        )
        return Started(
            StartResult(_text(reply[0])), [_text(m) for m in reply[1]], [_text(m) for m in reply[2]]
        )

    async def update_position(
        self,
        record: SessionRecord,
        *,
        position_seconds: float,
        sequence: int,
        event: StreamEntry,
        stream_maxlen: int,
        now: int,
    ) -> PositionOutcome:
        """Apply a position update (renewing the lease and appending `event` with it) unless
        the session ended, its lease lapsed (then it expires now) or `sequence` is not newer
        than the last applied one."""
        lease_until = now + self.lease_ms
        reply = await self._position(
            keys=[
                self.session_key(record.user_id, record.session_id),
                self.leases_key(record.user_id),
                self.resume_key(record.profile_id, record.item_id),
                event.stream,
            ],
            args=[
                record.session_id,
                now,
                lease_until,
                repr(position_seconds),
                sequence,
                RETAIN_SECONDS,
                RESUME_SECONDS,
                stream_maxlen,
                SessionStatus.ACTIVE.value,
                next_status(SessionStatus.ACTIVE, SessionEvent.EXPIRE).value,
                *event.flat(),
            ],
        )
        result = PositionResult(_text(reply[0]))
        if result is PositionResult.APPLIED:
            return PositionOutcome(result, lease_until_ms=int(_text(reply[1])))
        if result is PositionResult.ENDED:
            return PositionOutcome(result, status=SessionStatus(_text(reply[1])))
        if result is PositionResult.STALE:
            return PositionOutcome(
                result,
                sequence=int(_text(reply[1])),
                position_seconds=float(_text(reply[2])),
                lease_until_ms=int(float(_text(reply[3]))),
            )
        return PositionOutcome(result)

    async def end(
        self,
        *,
        user_id: uuid.UUID,
        session_id: str,
        event: SessionEvent,
        profile_id: uuid.UUID | None = None,
        resume: ResumeReset | None = None,
    ) -> EndOutcome:
        """Take the step `event` (complete, stop, revoke) and free the lease; `profile_id`
        limits it to that profile's sessions; `resume` sets the watched item's resume
        position in the same step."""
        starts_from = sorted(sources(event))
        target = next_status(SessionStatus(starts_from[0]), event)
        session_key = self.session_key(user_id, session_id)
        reply = await self._end(
            keys=[
                session_key,
                self.leases_key(user_id),
                self.resume_key(resume.profile_id, resume.item_id) if resume else session_key,
            ],
            args=[
                session_id,
                target.value,
                RETAIN_SECONDS,
                repr(resume.seconds) if resume else "",
                RESUME_SECONDS,
                str(profile_id) if profile_id else "",
                *starts_from,
            ],
        )
        result = EndResult(_text(reply[0]))
        if result is EndResult.MISSING:
            return EndOutcome(result)
        return EndOutcome(result, SessionRecord.from_hash(session_id, _pairs(reply[2])))

    # --- reads --------------------------------------------------------------------------

    async def record(self, *, user_id: uuid.UUID, session_id: str) -> SessionRecord | None:
        values = await self.redis.hgetall(self.session_key(user_id, session_id))
        if not values:
            return None
        return SessionRecord.from_hash(session_id, {_text(k): _text(v) for k, v in values.items()})

    async def lease_until(self, *, user_id: uuid.UUID, session_id: str) -> int | None:
        score = await self.redis.zscore(self.leases_key(user_id), session_id)
        return int(score) if score is not None else None

    async def records(
        self, *, user_id: uuid.UUID, session_ids: Sequence[str]
    ) -> list[SessionRecord]:
        """The sessions, each with its lease's end, in the order given (gone ones left out)."""
        if not session_ids:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for session_id in session_ids:
                pipe.hgetall(self.session_key(user_id, session_id))
                pipe.zscore(self.leases_key(user_id), session_id)
            replies = await pipe.execute()
        found = []
        for session_id, values, score in zip(session_ids, replies[::2], replies[1::2], strict=True):
            if values:
                record = SessionRecord.from_hash(
                    session_id, {_text(k): _text(v) for k, v in values.items()}
                )
                found.append(replace(record, lease_until_ms=int(score) if score else None))
        return found

    async def leased(self, *, user_id: uuid.UUID, now: int) -> list[SessionRecord]:
        """The account's sessions whose leases have not lapsed, oldest first."""
        members = await self.redis.zrangebyscore(self.leases_key(user_id), f"({now}", "+inf")
        records = await self.records(user_id=user_id, session_ids=[_text(m) for m in members])
        return sorted(records, key=lambda r: r.started_ms)

    async def resume_position(self, *, profile_id: uuid.UUID, item_id: uuid.UUID) -> float | None:
        value = await self.redis.get(self.resume_key(profile_id, item_id))
        return float(_text(value)) if value is not None else None
