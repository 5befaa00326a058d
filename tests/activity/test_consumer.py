"""The activity consumer on real Redis and PostgreSQL: batches, replays, late events, a consumer
killed in the middle of a batch, a poison event, the flush interval and a Redis restart."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from ott.activity.consumer import CONSUMER_GROUP, activity_consumer
from ott.activity.records import PlaybackUpdate, ViewingSession
from ott.activity.status import SessionState
from ott.activity.store import ActivityStore
from ott.activity.store_postgres import PostgresActivityStore
from ott.core.app_context import AppContext
from ott.core.event_types import (
    EngagementRecorded,
    EngagementType,
    PlaybackCompleted,
    PlaybackEvent,
    PlaybackPosition,
    PlaybackStarted,
)
from ott.core.events import EventBus, EventConsumer
from ott.core.redis import KeySpace
from ott.core.settings import Settings
from tests.gateway.conftest import StoppableRedis, stoppable_redis  # noqa: F401


@pytest.fixture
async def bus(resources: AppContext) -> AsyncIterator[EventBus]:
    """A bus of the test's own key space, so no other consumer takes its events."""
    keys = KeySpace(f"test-activity-{uuid.uuid4().hex[:8]}:")
    yield EventBus(resources.redis, keys)
    async for key in resources.redis.scan_iter(match=f"{keys.prefix}*"):
        await resources.redis.delete(key)


@pytest.fixture
def pg_store(resources: AppContext) -> PostgresActivityStore:
    return PostgresActivityStore(resources.sessionmaker)


@dataclass
class Viewing:
    """One playback session's events, as the streaming service would publish them."""

    duration: float = 3600.0
    session_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    user_id: uuid.UUID = field(default_factory=uuid.uuid4)
    profile_id: uuid.UUID = field(default_factory=uuid.uuid4)
    content_id: uuid.UUID = field(default_factory=uuid.uuid4)
    device_type: str = "web"
    start: datetime = field(default_factory=lambda: datetime.now(UTC))

    def event(self, model: type[PlaybackEvent], sequence: int, position: float) -> PlaybackEvent:
        return model(
            session_id=self.session_id,
            user_id=self.user_id,
            profile_id=self.profile_id,
            content_id=self.content_id,
            device_type=self.device_type,
            position_seconds=position,
            duration_seconds=self.duration,
            sequence=sequence,
            occurred_at=self.start + timedelta(seconds=sequence),
        )

    def watched_through(self) -> list[PlaybackEvent]:
        """Started, four heartbeats, completed."""
        return [
            self.event(PlaybackStarted, 1, 0.0),
            *(self.event(PlaybackPosition, s, s * 600.0) for s in range(2, 6)),
            self.event(PlaybackCompleted, 6, self.duration),
        ]


@asynccontextmanager
async def running(consumer: EventConsumer) -> AsyncIterator[asyncio.Task[None]]:
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        yield task
    finally:
        stop.set()
        if not task.done():
            await asyncio.wait_for(task, 5)


async def eventually(check: Any, timeout: float = 5.0) -> Any:  # noqa: ASYNC109
    """`await check()` until it answers something true."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {check}")
        await asyncio.sleep(0.02)


async def pending(bus: EventBus) -> int:
    total = 0
    for model in (PlaybackStarted, PlaybackPosition, PlaybackCompleted):
        info = await bus.redis.xpending(bus.stream_key(model.name), CONSUMER_GROUP)
        total += info["pending"]
    return total


async def publish(bus: EventBus, events: Sequence[Any]) -> None:
    for event in events:
        await bus.publish(event)


async def test_a_watched_title_leaves_its_session_history_and_engagement(
    bus: EventBus, pg_store: PostgresActivityStore, settings: Settings
) -> None:
    viewing = Viewing()
    consumer = activity_consumer(bus, pg_store, settings, consumer="c1")
    async with running(consumer):
        await publish(bus, viewing.watched_through())

        async def completed() -> ViewingSession | None:
            session = await pg_store.session(viewing.session_id)
            return session if session and session.sequence == 6 else None

        session = await eventually(completed)
    assert session.state is SessionState.COMPLETED
    assert session.position_seconds == viewing.duration
    [entry] = await pg_store.history(profile_id=viewing.profile_id, limit=10)
    assert entry.session_id == viewing.session_id
    assert entry.completion_rate == 100.0
    assert entry.watch_duration_seconds == viewing.duration
    kinds = [
        e.event_type for e in await pg_store.engagements(profile_id=viewing.profile_id, limit=10)
    ]
    assert kinds == [EngagementType.COMPLETE, EngagementType.PLAY]


async def test_positions_reach_the_store_within_the_flush_interval(
    bus: EventBus, pg_store: PostgresActivityStore, settings: Settings
) -> None:
    viewing = Viewing()
    consumer = activity_consumer(bus, pg_store, settings, consumer="c1")
    async with running(consumer):
        await consumer.run_once()  # the groups exist before the first publish
        for sequence in (1, 2, 3):
            published = time.monotonic()
            await bus.publish(viewing.event(PlaybackPosition, sequence, sequence * 60.0))

            async def stored(sequence: int = sequence) -> bool:
                session = await pg_store.session(viewing.session_id)
                return session is not None and session.sequence == sequence

            await eventually(stored, timeout=settings.activity_flush_seconds)
            assert time.monotonic() - published < settings.activity_flush_seconds


async def test_replayed_and_out_of_order_events_change_nothing(
    bus: EventBus, pg_store: PostgresActivityStore, settings: Settings
) -> None:
    viewing = Viewing()
    events = viewing.watched_through()
    # Late, replayed and repeated: the highest sequence still wins, history and engagement once.
    shuffled = [events[3], events[5], events[0], events[4], events[1], events[5], events[2]]
    consumer = activity_consumer(bus, pg_store, settings, consumer="c1")
    await publish(bus, shuffled)
    while await consumer.run_once():
        pass
    await publish(bus, [viewing.event(PlaybackPosition, 3, 42.0), events[0]])
    while await consumer.run_once():
        pass

    session = await pg_store.session(viewing.session_id)
    assert session is not None
    assert (session.sequence, session.state, session.position_seconds) == (
        6,
        SessionState.COMPLETED,
        viewing.duration,
    )
    assert len(await pg_store.history(profile_id=viewing.profile_id, limit=10)) == 1
    assert len(await pg_store.engagements(profile_id=viewing.profile_id, limit=10)) == 2
    progress = await pg_store.progress(
        profile_id=viewing.profile_id, content_id=viewing.content_id, episode_id=None
    )
    assert progress is not None
    assert progress.completed


class Interrupted:
    """A store whose playback write never returns: the consumer is killed there, before or
    after the write reached the database."""

    def __init__(self, store: ActivityStore, *, after_write: bool) -> None:
        self.store = store
        self.after_write = after_write
        self.reached = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    async def apply_playback(self, updates: Sequence[PlaybackUpdate]) -> list[ViewingSession]:
        if self.after_write:
            await self.store.apply_playback(updates)
        self.reached.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


@pytest.mark.parametrize("after_write", [False, True], ids=["before-write", "after-write"])
async def test_a_consumer_killed_mid_batch_loses_nothing_and_applies_once(
    bus: EventBus, pg_store: PostgresActivityStore, settings: Settings, after_write: bool
) -> None:
    viewing = Viewing()
    stuck = Interrupted(pg_store, after_write=after_write)
    first = activity_consumer(bus, stuck, settings, consumer="a", claim_idle_ms=200)  # type: ignore[arg-type]
    await first.run_once()
    await publish(bus, viewing.watched_through())
    killed = asyncio.create_task(first.run(asyncio.Event()))
    await asyncio.wait_for(stuck.reached.wait(), 5)
    killed.cancel()
    with pytest.raises(asyncio.CancelledError):
        await killed
    assert await pending(bus) == 6  # read, none acknowledged
    written = await pg_store.session(viewing.session_id)
    assert (written is not None) is after_write

    # After a restart, another consumer of the group takes the idle messages over.
    second = activity_consumer(bus, pg_store, settings, consumer="b", claim_idle_ms=200)
    async with running(second):

        async def drained() -> bool:
            return await pending(bus) == 0

        await eventually(drained)
    session = await pg_store.session(viewing.session_id)
    assert session is not None
    assert (session.sequence, session.state) == (6, SessionState.COMPLETED)
    assert len(await pg_store.history(profile_id=viewing.profile_id, limit=10)) == 1
    kinds = [
        e.event_type for e in await pg_store.engagements(profile_id=viewing.profile_id, limit=10)
    ]
    assert kinds == [EngagementType.COMPLETE, EngagementType.PLAY]


async def test_a_poison_event_is_dead_lettered_and_its_batch_stored(
    bus: EventBus, pg_store: PostgresActivityStore, settings: Settings
) -> None:
    good = [Viewing() for _ in range(3)]
    # A device name longer than the column holds: PostgreSQL refuses the whole statement.
    poison = Viewing(device_type="x" * 80)
    consumer = activity_consumer(bus, pg_store, settings, consumer="c1", claim_idle_ms=30)
    consumer.max_deliveries = 2
    await consumer.run_once()
    await publish(
        bus,
        [
            good[0].event(PlaybackPosition, 1, 600.0),
            poison.event(PlaybackPosition, 1, 600.0),
            good[1].event(PlaybackPosition, 1, 600.0),
            good[2].event(PlaybackPosition, 1, 600.0),
        ],
    )
    dead_key = bus.keys("events", "dead", CONSUMER_GROUP)

    async def dead_lettered() -> bool:
        await consumer.run_once()
        return bool(await bus.redis.xlen(dead_key))

    await eventually(dead_lettered, timeout=20)
    for viewing in good:
        assert await pg_store.session(viewing.session_id) is not None
    assert await pg_store.session(poison.session_id) is None
    [(_, dead)] = await bus.redis.xrange(dead_key)
    assert poison.session_id in dead["payload"]
    assert dead["delivery_count"] == str(consumer.max_deliveries)
    assert await pending(bus) == 0


async def test_engagement_events_are_stored_once_per_event_id(
    bus: EventBus, pg_store: PostgresActivityStore, settings: Settings
) -> None:
    profile = uuid.uuid4()

    def engagement(event_id: str, kind: EngagementType) -> EngagementRecorded:
        return EngagementRecorded(
            event_id=event_id,
            user_id=uuid.uuid4(),
            profile_id=profile,
            content_id=uuid.uuid4(),
            session_id="s1",
            event_type=kind,
            position_seconds=12.5,
            occurred_at=datetime.now(UTC),
            metadata={"from_seconds": 30},
        )

    consumer = activity_consumer(bus, pg_store, settings, consumer="c1")
    events = [
        engagement("p1", EngagementType.PAUSE),
        engagement("s1", EngagementType.SEEK),
        engagement("r1", EngagementType.REWIND),
    ]
    await publish(bus, [*events, events[0]])
    while await consumer.run_once():
        pass
    stored = await pg_store.engagements(profile_id=profile, limit=10)
    assert sorted(e.event_id for e in stored) == ["p1", "r1", "s1"]
    assert {e.metadata["from_seconds"] for e in stored} == {30}


async def test_a_redis_restart_loses_nothing_already_flushed(
    stoppable_redis: StoppableRedis,  # noqa: F811
    pg_store: PostgresActivityStore,
    settings: Settings,
) -> None:
    client = Redis.from_url(stoppable_redis.url, decode_responses=True, socket_timeout=2.0)
    bus = EventBus(client, KeySpace("restart:"))
    viewing = Viewing()
    consumer = activity_consumer(bus, pg_store, settings, consumer="c1")
    try:
        async with running(consumer):
            await publish(bus, viewing.watched_through()[:4])

            async def flushed() -> bool:
                session = await pg_store.session(viewing.session_id)
                return session is not None and session.sequence == 4

            await eventually(flushed, timeout=settings.activity_flush_seconds)
            # Redis comes back empty (no persistence): streams, groups and pending lists gone.
            await client.flushall()
            await asyncio.sleep(0.1)
            await publish(bus, viewing.watched_through()[4:])

            async def caught_up() -> bool:
                session = await pg_store.session(viewing.session_id)
                return session is not None and session.sequence == 6

            await eventually(caught_up, timeout=10)
        session = await pg_store.session(viewing.session_id)
        assert session is not None
        assert session.state is SessionState.COMPLETED
        assert session.first_position_seconds == 0.0
    finally:
        await client.aclose()
