"""The event bus against a real Redis: delivery, re-delivery, idempotency and dead-lettering."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC
from typing import Any
from uuid import uuid4

import pytest
import structlog
from pydantic import ConfigDict
from redis.asyncio import Redis

from ott.core.context import correlation_id, current_correlation_id
from ott.core.event_types import ContentPublished, EventPayload
from ott.core.events import AutoClaim, Event, EventBus, EventConsumer, parse_autoclaim
from ott.core.redis import KeySpace


class Published(EventPayload):
    """A test event whose payload is whatever the test gives it."""

    model_config = ConfigDict(frozen=True, extra="allow")
    name = "test.published"


class Deleted(Published):
    name = "test.deleted"


PUBLISHED = Published.name


@pytest.fixture(params=["suite", "redis-6.2"])
async def redis(request: pytest.FixtureRequest) -> AsyncIterator[Redis]:
    """The suite's Redis (7 on the machines' server) and the embedded Redis 6.2: XAUTOCLAIM
    answers two values on 6.2 and three on 7, and the consumer must work on both."""
    fixture = "redis_url" if request.param == "suite" else "redis62_url"
    client = Redis.from_url(request.getfixturevalue(fixture), decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
async def keys(redis: Redis) -> AsyncIterator[KeySpace]:
    prefix = f"test-{uuid4().hex}:"
    yield KeySpace(prefix)
    async for key in redis.scan_iter(match=f"{prefix}*"):
        await redis.delete(key)


@pytest.fixture
def bus(redis: Redis, keys: KeySpace) -> EventBus:
    return EventBus(redis, keys)


def recorder() -> tuple[list[Event], Callable[[Event], Awaitable[None]]]:
    received: list[Event] = []

    async def handle(event: Event) -> None:
        received.append(event)

    return received, handle


def consumer(bus: EventBus, handlers: dict[str, Any], **options: Any) -> EventConsumer:
    options = {"group": "g", "consumer": "c1", "block_ms": 20, **options}
    return EventConsumer(bus, handlers=handlers, **options)


async def pending(redis: Redis, keys: KeySpace, group: str = "g") -> int:
    return (await redis.xpending(keys("events", PUBLISHED), group))["pending"]


async def test_publish_then_consume(redis: Redis, keys: KeySpace, bus: EventBus) -> None:
    received, handle = recorder()
    sub = consumer(bus, {Published: handle})
    assert await sub.run_once() == 0  # creates the group

    token = correlation_id.set("corr-123")
    try:
        event_id = await bus.publish(Published(**{"content_id": 42, "title": "Dune"}))
    finally:
        correlation_id.reset(token)

    assert await sub.run_once() == 1
    [event] = received
    assert event.id == event_id
    assert event.type == PUBLISHED
    assert event.payload.model_dump() == {"content_id": 42, "title": "Dune"}
    assert event.correlation_id == "corr-123"
    assert event.occurred_at.tzinfo == UTC
    assert event.delivery_count == 1
    assert event.stream_id
    assert await pending(redis, keys) == 0
    assert await sub.run_once() == 0


async def test_event_published_before_the_group_exists_is_delivered(
    redis: Redis, keys: KeySpace, bus: EventBus
) -> None:
    event_id = await bus.publish(Published(**{"content_id": 1}))
    received, handle = recorder()

    assert await consumer(bus, {Published: handle}).run_once() == 1
    assert [event.id for event in received] == [event_id]
    assert received[0].correlation_id is None


async def test_handler_runs_with_the_event_correlation_id(keys: KeySpace, bus: EventBus) -> None:
    seen: list[tuple[str | None, Any]] = []

    async def handle(event: Event) -> None:
        seen.append((current_correlation_id(), structlog.contextvars.get_contextvars()))

    token = correlation_id.set("corr-abc")
    try:
        await bus.publish(Published(**{}))
    finally:
        correlation_id.reset(token)

    await consumer(bus, {Published: handle}).run_once()
    [(corr, log_context)] = seen
    assert corr == "corr-abc"
    assert log_context["correlation_id"] == "corr-abc"
    assert current_correlation_id() is None
    assert "correlation_id" not in structlog.contextvars.get_contextvars()


async def test_each_event_type_goes_to_its_handler(bus: EventBus) -> None:
    published, on_published = recorder()
    deleted, on_deleted = recorder()
    sub = consumer(bus, {Published: on_published, Deleted: on_deleted})

    await bus.publish(Published(**{"n": 1}))
    await bus.publish(Deleted(**{"n": 2}))

    assert await sub.run_once() == 2
    assert [e.payload.model_dump() for e in published] == [{"n": 1}]
    assert [e.payload.model_dump() for e in deleted] == [{"n": 2}]


async def test_message_of_a_dead_consumer_is_reclaimed(
    redis: Redis, keys: KeySpace, bus: EventBus
) -> None:
    received, handle = recorder()
    survivor = consumer(bus, {Published: handle}, consumer="b", claim_idle_ms=50)
    await survivor.run_once()  # creates the group
    event_id = await bus.publish(Published(**{"content_id": 7}))

    # Consumer "a" reads the message and dies before acking it.
    read = await redis.xreadgroup("g", "a", {keys("events", PUBLISHED): ">"})
    assert len(read[0][1]) == 1
    assert await survivor.run_once() == 0  # not idle long enough yet

    await asyncio.sleep(0.1)
    assert await survivor.run_once() == 1
    [event] = received
    assert event.id == event_id
    assert event.delivery_count == 2
    assert await pending(redis, keys) == 0


async def test_a_consumer_restarted_under_its_name_handles_its_own_pending_at_once(
    redis: Redis, keys: KeySpace, bus: EventBus
) -> None:
    received, handle = recorder()
    await consumer(bus, {Published: handle}).run_once()  # creates the group
    await bus.publish(Published(**{"content_id": 7}))
    # The earlier process of "c1" read the message and died before handling it.
    await redis.xreadgroup("g", "c1", {keys("events", PUBLISHED): ">"})

    restarted = consumer(bus, {Published: handle}, claim_idle_ms=60_000)
    assert await restarted.run_once() == 1  # not after the minute of claim_idle_ms
    assert [event.payload.model_dump()["content_id"] for event in received] == [7]
    assert await pending(redis, keys) == 0


async def test_a_read_whose_answer_was_lost_is_handled_after_reconnecting(
    redis: Redis, keys: KeySpace, bus: EventBus
) -> None:
    received: list[Event] = []
    handled = asyncio.Event()

    async def handle(event: Event) -> None:
        received.append(event)
        handled.set()

    # The consumer's own client, named, so that only its connections are cut (the server may
    # be shared with other test runs).
    name = f"consumer-{uuid4().hex[:8]}"
    pool = redis.connection_pool
    own = Redis(
        connection_pool=type(pool)(
            connection_class=pool.connection_class,
            **{**pool.connection_kwargs, "client_name": name},
        )
    )
    sub = consumer(EventBus(own, keys), {Published: handle}, claim_idle_ms=60_000, block_ms=200)
    await sub.run_once()
    await bus.publish(Published(**{"content_id": 8}))
    # Redis delivers to "c1" but the answer never arrives: the connection dies with it.
    await redis.xreadgroup("g", "c1", {keys("events", PUBLISHED): ">"})
    stop = asyncio.Event()
    running = asyncio.create_task(sub.run(stop))
    try:
        await asyncio.sleep(0.3)  # blocked in a read that finds nothing new
        assert not received
        for client in await redis.client_list():
            if client.get("name") == name:
                await redis.client_kill_filter(_id=client["id"])
        # Generous: under a loaded CI run the reconnect and its backoff took over 10 s once.
        await asyncio.wait_for(handled.wait(), 30)
    finally:
        stop.set()
        await running
        await own.aclose()
    assert await pending(redis, keys) == 0


async def test_lost_ack_does_not_run_the_handler_twice(
    redis: Redis, keys: KeySpace, bus: EventBus
) -> None:
    received, handle = recorder()
    sub = consumer(bus, {Published: handle}, claim_idle_ms=50)
    await bus.publish(Published(**{"content_id": 7}))
    assert await sub.run_once() == 1

    # Put the handled message back into the pending list, as if its ack had never arrived.
    stream = keys("events", PUBLISHED)
    await redis.xgroup_setid(stream, "g", "0")
    await redis.xreadgroup("g", "a", {stream: ">"})
    assert await pending(redis, keys) == 1

    await asyncio.sleep(0.1)
    assert await sub.run_once() == 1  # acked as a duplicate
    assert len(received) == 1
    assert await pending(redis, keys) == 0


async def test_republished_event_id_is_handled_once(bus: EventBus) -> None:
    received, handle = recorder()
    sub = consumer(bus, {Published: handle})

    await bus.publish(Published(**{"content_id": 7}), event_id="evt-1")
    await bus.publish(Published(**{"content_id": 7}), event_id="evt-1")

    assert await sub.run_once() == 2
    assert [event.id for event in received] == ["evt-1"]


async def test_failing_handler_is_dead_lettered_after_max_deliveries(
    redis: Redis, keys: KeySpace, bus: EventBus
) -> None:
    attempts: list[int] = []

    async def handle(event: Event) -> None:
        attempts.append(event.delivery_count)
        raise RuntimeError("transcoder unavailable")

    sub = consumer(bus, {Published: handle}, group="billing", claim_idle_ms=20, max_deliveries=3)
    event_id = await bus.publish(Published(**{"content_id": 9}))

    dead_key = keys("events", "dead", "billing")
    async with asyncio.timeout(15):  # generous: a loaded CI machine, 3 s was seen to expire
        while not await redis.xlen(dead_key):
            await sub.run_once()
            await asyncio.sleep(0.03)

    assert attempts == [1, 2, 3]
    [(_, dead)] = await redis.xrange(dead_key)
    assert dead["id"] == event_id
    assert dead["type"] == PUBLISHED
    assert dead["payload"] == '{"content_id":9}'
    assert dead["stream"] == keys("events", PUBLISHED)
    assert dead["delivery_count"] == "3"
    assert "transcoder unavailable" in dead["error"]
    assert await pending(redis, keys, "billing") == 0
    await asyncio.sleep(0.03)
    assert await sub.run_once() == 0
    assert attempts == [1, 2, 3]


async def test_message_that_keeps_killing_consumers_is_dead_lettered(
    redis: Redis, keys: KeySpace, bus: EventBus
) -> None:
    received, handle = recorder()
    sub = consumer(bus, {Published: handle}, claim_idle_ms=20, max_deliveries=1)
    await sub.run_once()
    await bus.publish(Published(**{"content_id": 9}))
    await redis.xreadgroup("g", "a", {keys("events", PUBLISHED): ">"})  # "a" crashes on it

    await asyncio.sleep(0.05)
    assert await sub.run_once() == 1
    assert received == []
    [(_, dead)] = await redis.xrange(keys("events", "dead", "g"))
    assert "delivered 2 times" in dead["error"]
    assert await pending(redis, keys) == 0


async def test_consumers_of_one_group_split_the_messages(bus: EventBus) -> None:
    first, on_first = recorder()
    second, on_second = recorder()
    c1 = consumer(bus, {Published: on_first}, consumer="c1", batch_size=5)
    c2 = consumer(bus, {Published: on_second}, consumer="c2", batch_size=5)
    ids = [await bus.publish(Published(**{"n": n})) for n in range(20)]

    for _ in range(2):
        assert await c1.run_once() == 5
        assert await c2.run_once() == 5
    assert await c1.run_once() == 0
    assert await c2.run_once() == 0

    handled = [event.id for event in first + second]
    assert sorted(handled) == sorted(ids)
    assert first
    assert second


async def test_every_group_gets_every_message(bus: EventBus) -> None:
    search, on_search = recorder()
    email, on_email = recorder()
    ids = [await bus.publish(Published(**{"n": n})) for n in range(5)]

    assert await consumer(bus, {Published: on_search}, group="search").run_once() == 5
    assert await consumer(bus, {Published: on_email}, group="email").run_once() == 5
    assert [e.id for e in search] == ids
    assert [e.id for e in email] == ids


async def test_run_survives_a_failing_handler_and_stops_on_request(bus: EventBus) -> None:
    handled: list[tuple[int, int]] = []
    both_handled = asyncio.Event()

    async def handle(event: Event) -> None:
        if event.payload.model_dump()["n"] == 0 and event.delivery_count == 1:
            raise RuntimeError("first attempt fails")
        handled.append((event.payload.model_dump()["n"], event.delivery_count))
        if len(handled) == 2:
            both_handled.set()

    sub = consumer(bus, {Published: handle}, claim_idle_ms=50)
    stop = asyncio.Event()
    task = asyncio.create_task(sub.run(stop))
    await bus.publish(Published(**{"n": 0}))
    await bus.publish(Published(**{"n": 1}))

    await asyncio.wait_for(both_handled.wait(), 3)
    assert sorted(handled) == [(0, 2), (1, 1)]
    stop.set()
    await asyncio.wait_for(task, 1)


async def test_run_recovers_when_its_stream_disappears(
    redis: Redis, keys: KeySpace, bus: EventBus
) -> None:
    arrivals: asyncio.Queue[Event] = asyncio.Queue()
    sub = consumer(bus, {Published: arrivals.put})
    stop = asyncio.Event()
    task = asyncio.create_task(sub.run(stop))
    await bus.publish(Published(**{"n": 1}))
    assert (await asyncio.wait_for(arrivals.get(), 3)).payload.model_dump() == {"n": 1}

    # Deleting the stream drops the group too; reads then fail with NOGROUP until it is recreated.
    await redis.delete(keys("events", PUBLISHED))
    await asyncio.sleep(0.05)
    await bus.publish(Published(**{"n": 2}))

    assert (await asyncio.wait_for(arrivals.get(), 3)).payload.model_dump() == {"n": 2}
    assert not task.done()
    stop.set()
    await asyncio.wait_for(task, 1)


async def test_claimed_messages_that_left_the_stream_are_acked(
    redis: Redis, keys: KeySpace, bus: EventBus
) -> None:
    """A message trimmed (or deleted) while pending: Redis 6.2 claims it as a nil entry without
    its id, Redis 7 names it apart; either way it must leave the pending list, and the
    messages around it must still be handled."""
    received, handle = recorder()
    survivor = consumer(bus, {Published: handle}, consumer="b", claim_idle_ms=20)
    await survivor.run_once()  # creates the group
    first = await bus.publish(Published(**{"n": 1}))
    await bus.publish(Published(**{"n": 2}))
    last = await bus.publish(Published(**{"n": 3}))
    stream = keys("events", PUBLISHED)
    [(_, entries)] = await redis.xreadgroup("g", "a", {stream: ">"})  # "a" dies holding them
    await redis.xdel(stream, entries[1][0])

    await asyncio.sleep(0.05)
    assert await survivor.run_once() == 2
    assert [event.id for event in received] == [first, last]
    assert await pending(redis, keys) == 0
    await asyncio.sleep(0.05)
    assert await survivor.run_once() == 0


def test_autoclaim_answers_of_both_redis_versions_read_alike() -> None:
    fields = {"id": "e1", "type": PUBLISHED}
    redis62 = ["0-0", [(None, None), ("1-1", fields)]]
    redis7 = ["0-0", [("1-1", fields)], ["1-0"]]
    redis7_nil_fields = ["0-0", [("1-0", None), ("1-1", fields)], []]
    assert parse_autoclaim(redis62) == AutoClaim("0-0", [("1-1", fields)], [], 1)
    assert parse_autoclaim(redis7) == AutoClaim("0-0", [("1-1", fields)], ["1-0"], 0)
    assert parse_autoclaim(redis7_nil_fields) == AutoClaim("0-0", [("1-1", fields)], ["1-0"], 0)
    with pytest.raises(ValueError, match="XAUTOCLAIM"):
        parse_autoclaim(["0-0"])


async def test_a_payload_its_model_refuses_is_dead_lettered_not_handled(
    redis: Redis, keys: KeySpace, bus: EventBus
) -> None:
    # A publisher that sends what the registry's model does not accept (an older or buggy
    # one) must not reach the handler with half a payload, nor block the stream.
    received, handle = recorder()
    sub = consumer(bus, {ContentPublished: handle}, group="typed")
    await sub.run_once()
    await redis.xadd(
        bus.stream_key(ContentPublished.name),
        {
            "id": "bad-1",
            "type": ContentPublished.name,
            "payload": '{"content_id": "not-a-uuid", "version": "one"}',
            "correlation_id": "",
            "occurred_at": "2026-12-01T00:00:00+00:00",
        },
    )
    good = ContentPublished(content_id=uuid4(), workflow_state="published", version=2)
    await bus.publish(good)

    assert await sub.run_once() == 2
    assert [event.payload for event in received] == [good]
    [(_, dead)] = await redis.xrange(keys("events", "dead", "typed"))
    assert dead["id"] == "bad-1"
    assert "malformed event" in dead["error"]


# Batch handlers: every event of one read of a stream at once.


def batch_recorder() -> tuple[list[list[Event]], Callable[[Any], Awaitable[None]]]:
    calls: list[list[Event]] = []

    async def handle(events: Any) -> None:
        calls.append(list(events))

    return calls, handle


async def test_a_batch_handler_gets_one_read_of_its_stream_at_once(
    redis: Redis, keys: KeySpace, bus: EventBus
) -> None:
    calls, handle = batch_recorder()
    received, on_deleted = recorder()
    sub = EventConsumer(
        bus,
        group="g",
        consumer="c1",
        block_ms=20,
        handlers={Deleted: on_deleted},
        batch_handlers={Published: handle},
    )
    ids = [await bus.publish(Published(**{"n": n})) for n in range(5)]
    await bus.publish(Deleted(**{"n": 9}))

    assert await sub.run_once() == 6
    assert [[e.id for e in call] for call in calls] == [ids]
    assert [e.payload.model_dump() for e in received] == [{"n": 9}]
    assert await pending(redis, keys) == 0
    for event_id in ids:
        assert await redis.exists(keys("events", "done", "g", event_id))
    assert await sub.run_once() == 0
    assert len(calls) == 1


async def test_a_batch_handles_each_event_id_once(
    redis: Redis, keys: KeySpace, bus: EventBus
) -> None:
    calls, handle = batch_recorder()
    sub = consumer(bus, {}, batch_handlers={Published: handle}, claim_idle_ms=50)
    await bus.publish(Published(**{"n": 1}), event_id="evt-1")
    await bus.publish(Published(**{"n": 1}), event_id="evt-1")
    await bus.publish(Published(**{"n": 2}), event_id="evt-2")
    assert await sub.run_once() == 3
    assert [[e.id for e in call] for call in calls] == [["evt-1", "evt-2"]]

    # A lost ack: the messages come back, and are acked as duplicates without a handler call.
    stream = keys("events", PUBLISHED)
    await redis.xgroup_setid(stream, "g", "0")
    await redis.xreadgroup("g", "a", {stream: ">"})
    await asyncio.sleep(0.1)
    assert await sub.run_once() == 3
    assert len(calls) == 1
    assert await pending(redis, keys) == 0


async def test_a_batch_that_fails_once_is_tried_again_whole(
    redis: Redis, keys: KeySpace, bus: EventBus
) -> None:
    calls: list[list[int]] = []

    async def handle(events: Any) -> None:
        calls.append([e.payload.model_dump()["n"] for e in events])
        if len(calls) == 1:
            raise RuntimeError("connection reset")

    sub = consumer(bus, {}, batch_handlers={Published: handle})
    for n in range(3):
        await bus.publish(Published(**{"n": n}))
    assert await sub.run_once() == 3
    assert calls == [[0, 1, 2], [0, 1, 2]]
    assert await pending(redis, keys) == 0


async def test_a_poison_event_is_dead_lettered_alone(
    redis: Redis, keys: KeySpace, bus: EventBus
) -> None:
    calls: list[list[int]] = []
    stored: list[int] = []

    async def handle(events: Any) -> None:
        numbers = [e.payload.model_dump()["n"] for e in events]
        calls.append(numbers)
        if 2 in numbers:
            raise ValueError("cannot store n=2")
        stored.extend(numbers)

    sub = consumer(bus, {}, batch_handlers={Published: handle}, claim_idle_ms=30, max_deliveries=2)
    poison = None
    for n in range(5):
        event_id = await bus.publish(Published(**{"n": n}))
        poison = event_id if n == 2 else poison

    # Whole twice, then one by one: all but the poison event are acked.
    assert await sub.run_once() == 4
    assert calls == [[0, 1, 2, 3, 4], [0, 1, 2, 3, 4], [0], [1], [2], [3], [4]]
    assert stored == [0, 1, 3, 4]
    assert await pending(redis, keys) == 1
    assert not await redis.xlen(keys("events", "dead", "g"))

    await asyncio.sleep(0.06)
    assert await sub.run_once() == 1  # its second (and last) delivery fails: dead-lettered
    assert stored == [0, 1, 3, 4]
    [(_, dead)] = await redis.xrange(keys("events", "dead", "g"))
    assert dead["id"] == poison
    assert dead["delivery_count"] == "2"
    assert await pending(redis, keys) == 0


async def test_a_malformed_event_in_a_batch_is_dead_lettered_and_the_rest_handled(
    redis: Redis, keys: KeySpace, bus: EventBus
) -> None:
    calls, handle = batch_recorder()
    sub = consumer(bus, {}, group="typed", batch_handlers={ContentPublished: handle})
    await sub.run_once()
    await redis.xadd(
        bus.stream_key(ContentPublished.name),
        {"id": "bad-1", "type": ContentPublished.name, "payload": "{}", "occurred_at": "x"},
    )
    good = ContentPublished(content_id=uuid4(), workflow_state="published", version=2)
    await bus.publish(good)
    assert await sub.run_once() == 2
    assert [[e.payload for e in call] for call in calls] == [[good]]
    [(_, dead)] = await redis.xrange(keys("events", "dead", "typed"))
    assert dead["id"] == "bad-1"


def test_one_event_type_has_one_kind_of_handler(bus: EventBus) -> None:
    _, handle = recorder()
    _, handle_batch = batch_recorder()
    with pytest.raises(ValueError, match="one handler per event type"):
        EventConsumer(
            bus,
            group="g",
            consumer="c",
            handlers={Published: handle},
            batch_handlers={Published: handle_batch},
        )
    with pytest.raises(ValueError, match="at least one handler"):
        EventConsumer(bus, group="g", consumer="c")
