"""The ad service's counters in Redis, shared by every replica.

- A tracking event is counted once per event id: one Lua script (one round trip, all or
  nothing) sets the event id's key with NX and, only if it was new, adds the event to the
  counts hash. An impression also increments the viewer's frequency counters for the day and
  the hour, the campaign's deliveries today and in total (goals and pacing), and marks its
  break seen for the profile and title (resume).
- Frequency caps are counted per profile (the person watching; an account's kids profile does
  not use up its parents' caps) when the impression is tracked, not reserved when the VAST is
  answered: a VAST the player never plays (the viewer left, the player fell back) must not
  use up a cap or a goal. A decision reads the counters of every candidate with one MGET, so
  a viewer can exceed a cap only by the ads of VASTs fetched before their impressions came.
- The counts hash is moved to PostgreSQL by `flush` (durable, exactly once): a script renames
  it to a flush key with a batch id (or resumes a flush a crashed process left); the batch is
  added to the daily counts in one transaction that also records the batch id, so a batch
  applied twice (two replicas, or a crash before the clean-up) counts once; then the flush
  key is deleted if it is still that batch. Only RENAME, HINCRBY and plain keys: Redis 6.2.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.ads.decision import Counts
from ott.core.redis import KeySpace

IMPRESSION = "impression"

_TRACK = """
-- KEYS: event id, counts hash [, viewer day, viewer hour, delivered day, delivered total,
--        break seen]
-- ARGV: event id ttl, counts field, impression? [, break memory seconds]
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return 0
end
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
if ARGV[3] == '1' then
  if redis.call('INCR', KEYS[3]) == 1 then redis.call('EXPIRE', KEYS[3], 172800) end
  if redis.call('INCR', KEYS[4]) == 1 then redis.call('EXPIRE', KEYS[4], 7200) end
  if redis.call('INCR', KEYS[5]) == 1 then redis.call('EXPIRE', KEYS[5], 259200) end
  redis.call('INCR', KEYS[6])
  if KEYS[7] and tonumber(ARGV[4]) > 0 then
    redis.call('SET', KEYS[7], '1', 'EX', ARGV[4])
  end
end
return 1
"""

_TAKE_BATCH = """
-- KEYS: counts hash, flush hash, flush batch id; ARGV: a new batch id
local batch = redis.call('GET', KEYS[3])
if batch then return batch end
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('SET', KEYS[3], ARGV[1])
return ARGV[1]
"""

_DROP_BATCH = """
-- KEYS: flush hash, flush batch id; ARGV: the batch id that was applied
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 1
end
return 0
"""

_APPLY_BATCH = text(
    "INSERT INTO ad_count_flushes (id) VALUES (:id) ON CONFLICT DO NOTHING RETURNING id"
)
_BATCH_APPLIED = text("SELECT 1 FROM ad_count_flushes WHERE id = :id")
_ADD_COUNTS = text(
    """
    INSERT INTO ad_campaign_daily_counts (campaign_id, day, event, count)
    SELECT c.campaign_id, c.day, c.event, c.count
    FROM unnest(CAST(:campaigns AS uuid[]), CAST(:days AS date[]), CAST(:events AS text[]),
                CAST(:counts AS bigint[])) AS c(campaign_id, day, event, count)
    WHERE EXISTS (SELECT 1 FROM ad_campaigns WHERE id = c.campaign_id)
    ON CONFLICT (campaign_id, day, event)
    DO UPDATE SET count = ad_campaign_daily_counts.count + EXCLUDED.count
    """
)


def _field(campaign_id: uuid.UUID | str, day: date, event: str) -> str:
    return f"{campaign_id}|{day.isoformat()}|{event}"


def parse_field(name: str) -> tuple[uuid.UUID, date, str] | None:
    parts = name.split("|")
    if len(parts) != 3:
        return None
    try:
        return uuid.UUID(parts[0]), date.fromisoformat(parts[1]), parts[2]
    except ValueError:
        return None


@dataclass(frozen=True)
class TrackedEvent:
    event_id: str
    campaign_id: str
    event: str
    ttl_seconds: int  # how long the event id is remembered (the token's remaining life)
    # Impressions only:
    viewer: str | None = None
    break_key: str | None = None  # profile:content:episode:break, marked seen


class Counters:
    def __init__(
        self,
        redis: Redis,
        keys: KeySpace,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        break_memory_seconds: int,
    ) -> None:
        self.redis = redis
        self.keys = keys
        self.sessionmaker = sessionmaker
        self.break_memory_seconds = break_memory_seconds
        self._track = redis.register_script(_TRACK)
        self._take = redis.register_script(_TAKE_BATCH)
        self._drop = redis.register_script(_DROP_BATCH)

    # --- keys ---------------------------------------------------------------------------

    @property
    def counts_key(self) -> str:
        return self.keys("ads", "counts")

    @property
    def flush_key(self) -> str:
        return self.keys("ads", "counts", "flushing")

    @property
    def flush_batch_key(self) -> str:
        return self.keys("ads", "counts", "flushing", "batch")

    def _viewer_day(self, viewer: str, campaign: str, now: datetime) -> str:
        return self.keys("ads", "cap", viewer, campaign, now.strftime("%Y%m%d"))

    def _viewer_hour(self, viewer: str, campaign: str, now: datetime) -> str:
        return self.keys("ads", "cap", viewer, campaign, now.strftime("%Y%m%d%H"))

    def _delivered_day(self, campaign: str, now: datetime) -> str:
        return self.keys("ads", "delivered", campaign, now.strftime("%Y%m%d"))

    def _delivered_total(self, campaign: str) -> str:
        return self.keys("ads", "delivered", campaign, "total")

    def seen_key(self, break_key: str) -> str:
        return self.keys("ads", "seen", break_key)

    # --- tracking -----------------------------------------------------------------------

    async def track(self, event: TrackedEvent, now: datetime) -> bool:
        """Count the event unless its id was counted before; whether it was counted now."""
        keys = [self.keys("ads", "event", event.event_id), self.counts_key]
        args: list[str | int] = [
            max(1, event.ttl_seconds),
            _field(event.campaign_id, now.date(), event.event),
            0,
        ]
        if event.event == IMPRESSION and event.viewer is not None:
            campaign = event.campaign_id
            keys += [
                self._viewer_day(event.viewer, campaign, now),
                self._viewer_hour(event.viewer, campaign, now),
                self._delivered_day(campaign, now),
                self._delivered_total(campaign),
            ]
            args[2] = 1
            if event.break_key is not None:
                keys.append(self.seen_key(event.break_key))
                args.append(self.break_memory_seconds)
        return bool(await self._track(keys=keys, args=args))

    # --- decisions ----------------------------------------------------------------------

    async def counts(self, viewer: str, campaigns: Sequence[str], now: datetime) -> list[Counts]:
        """Each campaign's counters for this viewer now, in one round trip."""
        if not campaigns:
            return []
        keys = []
        for campaign in campaigns:
            keys += [
                self._viewer_day(viewer, campaign, now),
                self._viewer_hour(viewer, campaign, now),
                self._delivered_day(campaign, now),
                self._delivered_total(campaign),
            ]
        values = [int(v or 0) for v in await self.redis.mget(keys)]
        return [Counts(*values[i : i + 4]) for i in range(0, len(values), 4)]

    async def seen(self, break_keys: Sequence[str]) -> list[bool]:
        if not break_keys or self.break_memory_seconds <= 0:
            return [False] * len(break_keys)
        values = await self.redis.mget([self.seen_key(k) for k in break_keys])
        return [v is not None for v in values]

    # --- counts -------------------------------------------------------------------------

    async def pending(self, campaign_id: uuid.UUID) -> dict[tuple[date, str], int]:
        """What Redis holds for the campaign and PostgreSQL does not have yet (a flush batch
        already applied but not yet deleted is left out)."""
        totals: dict[tuple[date, str], int] = {}
        sources = [self.counts_key]
        batch = await self.redis.get(self.flush_batch_key)
        if batch is not None and not await self._applied(str(batch)):
            sources.append(self.flush_key)
        for key in sources:
            async for name, value in self.redis.hscan_iter(key, match=f"{campaign_id}|*"):
                parsed = parse_field(str(name))
                if parsed is not None:
                    _, day, event = parsed
                    totals[(day, event)] = totals.get((day, event), 0) + int(value)
        return totals

    async def _applied(self, batch: str) -> bool:
        async with self.sessionmaker() as db:
            found = await db.scalar(_BATCH_APPLIED, {"id": uuid.UUID(batch)})
        return found is not None

    async def flush(self) -> int:
        """Move the counts to PostgreSQL; how many counts the batch added (0: nothing to do,
        or another replica applied it)."""
        batch = await self._take(
            keys=[self.counts_key, self.flush_key, self.flush_batch_key], args=[str(uuid.uuid4())]
        )
        if batch is None:
            return 0
        fields = await self.redis.hgetall(self.flush_key)
        campaigns, days, events, counts = [], [], [], []
        for name, value in fields.items():
            parsed = parse_field(str(name))
            if parsed is None:
                continue
            campaign_id, day, event = parsed
            campaigns.append(campaign_id)
            days.append(day)
            events.append(event)
            counts.append(int(value))
        added = 0
        async with self.sessionmaker() as db, db.begin():
            if await db.scalar(_APPLY_BATCH, {"id": uuid.UUID(batch)}) is not None and campaigns:
                await db.execute(
                    _ADD_COUNTS,
                    {"campaigns": campaigns, "days": days, "events": events, "counts": counts},
                )
                added = sum(counts)
        await self._drop(keys=[self.flush_key, self.flush_batch_key], args=[batch])
        return added
