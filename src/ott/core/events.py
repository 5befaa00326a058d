"""Domain events on Redis Streams: one stream per event type, one consumer group per subscriber.

Delivery is at-least-once. A message stays pending in its group until its handler succeeds; a
message left pending (its handler raised, or its consumer died) is reclaimed by any consumer of the
group once it has been idle for `claim_idle_ms`. A done-marker per (group, event id), written just
before the ack, keeps a lost ack from running a handler twice; handlers should still tolerate the
rare re-run after a crash between the handler finishing and the marker being written.

A stream is handled event by event (`handlers`) or in batches (`batch_handlers`): a batch handler
receives every event of one read of its stream at once, so it can write them in one statement.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError
from redis.typing import EncodableT, FieldT

from ott.core.background import Backoff
from ott.core.context import correlation_id, current_correlation_id
from ott.core.event_types import EventPayload, PayloadModel
from ott.core.redis import KeySpace

log = structlog.get_logger(__name__)

DONE_MARKER_TTL_S = 7 * 24 * 3600
_MIN_BACKOFF_S = 0.1
_MAX_BACKOFF_S = 5.0
# How many of its own pending messages a consumer checks when Redis 6.2 hid which ones left.
_VANISHED_SCAN = 1000


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    type: str
    payload: EventPayload  # an instance of the model the consumer registered for this type
    correlation_id: str | None
    occurred_at: datetime
    # Delivery information: where the message sits in its stream, and how often it was delivered.
    stream_id: str
    delivery_count: int

    @classmethod
    def from_fields(
        cls,
        fields: Mapping[str, str],
        *,
        model: PayloadModel,
        stream_id: str,
        delivery_count: int,
    ) -> Event:
        """The message as an event; a payload its model refuses raises ValueError."""
        return cls(
            id=fields["id"],
            type=fields["type"],
            payload=model.model_validate_json(fields["payload"]),
            correlation_id=fields.get("correlation_id") or None,
            occurred_at=datetime.fromisoformat(fields["occurred_at"]),
            stream_id=stream_id,
            delivery_count=delivery_count,
        )


Handler = Callable[[Event], Awaitable[None]]
# Receives the events of one read of its stream, oldest first, each event id once.
BatchHandler = Callable[[Sequence[Event]], Awaitable[None]]


class EventBus:
    """Publishes events; the Redis client must use decode_responses=True, as `create_redis` does."""

    def __init__(self, redis: Redis, keys: KeySpace, *, maxlen: int = 100_000) -> None:
        self.redis = redis
        self.keys = keys
        self.maxlen = maxlen

    def stream_key(self, event_type: str) -> str:
        return self.keys("events", event_type)

    def entry(self, payload: EventPayload, *, event_id: str | None = None) -> StreamEntry:
        """The message `publish` appends for this payload, without appending it: for a Lua
        script that appends it atomically with the change it announces (then XADD it to
        `stream` with `MAXLEN ~ maxlen`)."""
        event_id = event_id or uuid.uuid4().hex
        fields = {
            "id": event_id,
            "type": payload.name,
            "payload": payload.model_dump_json(),
            "correlation_id": current_correlation_id() or "",
            "occurred_at": datetime.now(UTC).isoformat(),
        }
        return StreamEntry(self.stream_key(payload.name), event_id, fields)

    async def publish(self, payload: EventPayload, *, event_id: str | None = None) -> str:
        """Append an event to its type's stream (`payload.name`) and return its id.

        Pass `event_id` to make a retried publish of the same fact idempotent for consumers.
        """
        entry = self.entry(payload, event_id=event_id)
        await self.redis.xadd(entry.stream, entry.xadd_fields, maxlen=self.maxlen, approximate=True)
        return entry.event_id

    async def publish_many(self, payloads: Sequence[tuple[EventPayload, str | None]]) -> list[str]:
        """`publish` for each (payload, event id) in one round trip (a pipeline, not a
        transaction: each event is appended on its own); their ids."""
        entries = [self.entry(payload, event_id=event_id) for payload, event_id in payloads]
        if entries:
            async with self.redis.pipeline(transaction=False) as pipe:
                for entry in entries:
                    pipe.xadd(entry.stream, entry.xadd_fields, maxlen=self.maxlen, approximate=True)
                await pipe.execute()
        return [entry.event_id for entry in entries]


@dataclass(frozen=True, slots=True)
class StreamEntry:
    """One event as a stream message: where it goes, its id and its fields."""

    stream: str
    event_id: str
    fields: dict[str, str]

    @property
    def xadd_fields(self) -> dict[FieldT, EncodableT]:
        # redis-py's field mapping is invariant in its key type, so copy rather than cast.
        return {name: value for name, value in self.fields.items()}

    def flat(self) -> list[str]:
        """name, value, name, value... (the tail of an XADD command)."""
        return [part for pair in self.fields.items() for part in pair]


@dataclass(frozen=True, slots=True)
class _Message:
    stream: str
    stream_id: str
    fields: dict[str, str]
    delivery_count: int


@dataclass(frozen=True, slots=True)
class AutoClaim:
    """An XAUTOCLAIM answer, the same whichever Redis gave it."""

    cursor: str
    entries: list[tuple[str, dict[str, str]]]
    # Claimed messages that are no longer in the stream (trimmed or deleted).
    deleted: list[str]
    # Redis 6.2 answers each of those with a nil entry that does not even name it.
    unnamed_deleted: int


def parse_autoclaim(reply: Sequence[Any]) -> AutoClaim:
    """Redis 6.2 answers (cursor, entries), with a nil entry for a message that left the
    stream; Redis 7 answers (cursor, entries, deleted ids) and leaves such messages out."""
    if len(reply) not in (2, 3):
        raise ValueError(f"unexpected XAUTOCLAIM answer of {len(reply)} parts")
    entries: list[tuple[str, dict[str, str]]] = []
    deleted = [str(stream_id) for stream_id in reply[2]] if len(reply) == 3 else []
    unnamed = 0
    for stream_id, fields in _entries(reply[1], keep_deleted=True):
        if not stream_id:
            unnamed += 1
        elif not fields:  # XADD cannot write an entry without fields: this one is gone
            deleted.append(stream_id)
        else:
            entries.append((stream_id, fields))
    return AutoClaim(str(reply[0]), entries, deleted, unnamed)


def _entries(
    rows: Iterable[Any] | None, *, keep_deleted: bool = False
) -> Iterator[tuple[str, dict[str, str]]]:
    """(id, fields) of stream entries as redis-py parses them with decode_responses=True; a
    nil entry (a message deleted from the stream) is ("", {}) or, unless kept, left out."""
    for row in rows or ():
        stream_id, fields = (row[0], row[1]) if row is not None else (None, None)
        if (stream_id is None or not fields) and not keep_deleted:
            continue
        yield (str(stream_id or ""), {str(k): str(v) for k, v in (fields or {}).items()})


def _by_stream(messages: list[_Message]) -> Iterator[tuple[str, list[_Message]]]:
    """The messages of each stream, in the order they came."""
    grouped: dict[str, list[_Message]] = {}
    for message in messages:
        grouped.setdefault(message.stream, []).append(message)
    yield from grouped.items()


def _streams(response: Any) -> Iterator[tuple[str, Any]]:
    """(stream, entries) of an XREADGROUP answer: a list of pairs (RESP2) or a dict (RESP3)."""
    if isinstance(response, dict):
        yield from ((str(stream), entries) for stream, entries in response.items())
        return
    for stream, entries in response or ():
        yield str(stream), entries


class EventConsumer:
    """One consumer of a consumer group, reading every stream it has a handler for.

    Groups are created at id "0", not "$": a group sees everything still in the stream, so events
    published before the subscribing service first started (e.g. by a service deployed earlier)
    are not lost. The cost is that a group added later replays the retained history (bounded by
    the bus's maxlen), which the done-markers and idempotent handlers must absorb.

    A handler that fails on its `max_deliveries`-th delivery is dead-lettered to
    `keys("events", "dead", group)`; so is a message that reaches more deliveries than that without
    ever failing cleanly (its handler keeps killing the consumer).

    A batch that fails is tried once more at once (a lost connection, a deadlock), then event by
    event (each as a batch of one), so a poison event stays pending, and is dead-lettered, alone
    while the others of its batch are acknowledged. The done-markers and acks of a batch are
    written in one pipeline.

    `block_ms` must stay below the Redis client's socket timeout (2 s with `create_redis`).
    `claim_idle_ms` must exceed the longest handler run, or a slow message is handled twice.
    """

    def __init__(
        self,
        bus: EventBus,
        *,
        group: str,
        consumer: str,
        handlers: Mapping[PayloadModel, Handler] | None = None,
        batch_handlers: Mapping[PayloadModel, BatchHandler] | None = None,
        block_ms: int = 1000,
        batch_size: int = 32,
        claim_idle_ms: int = 30_000,
        max_deliveries: int = 5,
    ) -> None:
        handlers = handlers or {}
        batch_handlers = batch_handlers or {}
        if not handlers and not batch_handlers:
            raise ValueError("an event consumer needs at least one handler")
        if both := {model.name for model in handlers} & {m.name for m in batch_handlers}:
            raise ValueError(f"one handler per event type: {sorted(both)} has two")
        self.bus = bus
        self.redis = bus.redis
        self.group = group
        self.consumer = consumer
        self.block_ms = block_ms
        self.batch_size = batch_size
        self.claim_idle_ms = claim_idle_ms
        self.max_deliveries = max_deliveries
        self._handlers = {bus.stream_key(model.name): h for model, h in handlers.items()}
        self._batch_handlers = {
            bus.stream_key(model.name): h for model, h in batch_handlers.items()
        }
        self._models = {bus.stream_key(model.name): model for model in [*handlers, *batch_handlers]}
        self.dead_letter_key = bus.keys("events", "dead", group)
        self._groups_ready = False
        # Messages already delivered to this consumer's name but never handled: left by an
        # earlier process of the same name, or by a read whose answer was lost with its
        # connection (Redis counts them delivered). Read again at start and after an error,
        # not only after `claim_idle_ms`.
        self._reread_own_pending = True

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set, riding out Redis outages with a capped backoff."""
        backoff = Backoff(_MIN_BACKOFF_S, _MAX_BACKOFF_S)
        failures = 0
        while not stop.is_set():
            try:
                await self.run_once()
            except (RedisError, OSError) as exc:
                self._reread_own_pending = True
                delay = backoff.next_delay()
                failures += 1
                # One traceback per outage; each retry after that is one line.
                log.warning(
                    "event consumer: Redis error, backing off",
                    group=self.group,
                    consumer=self.consumer,
                    backoff_s=delay,
                    failures_in_a_row=failures,
                    error=repr(exc),
                    exc_info=failures == 1,
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
            else:
                failures = 0
                backoff.reset()

    async def run_once(self) -> int:
        """Reclaim stale messages, read new ones, handle them; return how many were acked."""
        try:
            if not self._groups_ready:
                await self._create_groups()
            messages = await self._claim_stale()
            if self._reread_own_pending:
                messages += await self._own_pending(skip={m.stream_id for m in messages})
                self._reread_own_pending = False
            messages += await self._read_new(block=not messages)
        except RedisError:
            # The stream may have been deleted with its group (NOGROUP): recreate on the next call.
            self._groups_ready = False
            raise
        acked = 0
        for stream, of_stream in _by_stream(messages):
            if stream in self._batch_handlers:
                acked += await self._process_batch(stream, of_stream)
                continue
            for message in of_stream:
                acked += await self._process(message)
        return acked

    async def _create_groups(self) -> None:
        for stream in self._models:
            try:
                await self.redis.xgroup_create(stream, self.group, id="0", mkstream=True)
            except RedisError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise
        self._groups_ready = True

    async def _claim_stale(self) -> list[_Message]:
        claimed: list[tuple[str, str, dict[str, str]]] = []
        for stream in self._models:
            reply = await self.redis.xautoclaim(
                stream, self.group, self.consumer, self.claim_idle_ms, count=self.batch_size
            )
            answer = parse_autoclaim(reply)
            claimed += [(stream, stream_id, fields) for stream_id, fields in answer.entries]
            gone = list(answer.deleted)
            if answer.unnamed_deleted:
                known = {stream_id for stream_id, _ in answer.entries}
                gone += await self._vanished(stream, known=known, up_to=answer.cursor)
            if gone:
                await self._ack_vanished(stream, gone)
        return await self._with_delivery_counts(claimed)

    async def _own_pending(self, *, skip: set[str]) -> list[_Message]:
        """Up to a batch per stream of the messages delivered to this consumer's name and not
        acknowledged (a read of id 0 answers them; one trimmed away comes with no fields and
        is left to `_claim_stale`)."""
        response = await self.redis.xreadgroup(
            self.group, self.consumer, dict.fromkeys(self._models, "0"), count=self.batch_size
        )
        own = [
            (stream, stream_id, fields)
            for stream, entries in _streams(response)
            for stream_id, fields in _entries(entries)
            if fields and stream_id not in skip
        ]
        return await self._with_delivery_counts(own)

    async def _with_delivery_counts(
        self, entries: list[tuple[str, str, dict[str, str]]]
    ) -> list[_Message]:
        if not entries:
            return []
        # XAUTOCLAIM and a read of pending history do not report delivery counts; XPENDING does.
        async with self.redis.pipeline(transaction=False) as pipe:
            for stream, stream_id, _ in entries:
                pipe.xpending_range(stream, self.group, stream_id, stream_id, 1)
            pending = await pipe.execute()
        return [
            _Message(stream, stream_id, fields, int(info[0]["times_delivered"]))
            for (stream, stream_id, fields), info in zip(entries, pending, strict=True)
            if info
        ]

    async def _vanished(self, stream: str, *, known: set[str], up_to: str) -> list[str]:
        """Ids of this consumer's pending messages that are no longer in the stream.

        Redis 6.2 answers a claimed message that was trimmed or deleted with a nil entry that
        does not name it; left pending, it would be claimed again and again, forever.
        """
        last = "+" if up_to in ("0-0", "0") else up_to
        pending = await self.redis.xpending_range(
            stream, self.group, "-", last, _VANISHED_SCAN, consumername=self.consumer
        )
        candidates = [str(p["message_id"]) for p in pending if str(p["message_id"]) not in known]
        if not candidates:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for stream_id in candidates:
                pipe.xrange(stream, stream_id, stream_id)
            found = await pipe.execute()
        return [stream_id for stream_id, rows in zip(candidates, found, strict=True) if not rows]

    async def _ack_vanished(self, stream: str, ids: list[str]) -> None:
        # Nothing is left to handle or dead-letter: the stream's length cap (or an XDEL)
        # removed these before this group got to them.
        log.warning(
            "event consumer: messages left the stream before they were handled",
            group=self.group,
            stream=stream,
            count=len(ids),
            ids=ids[:10],
        )
        await self.redis.xack(stream, self.group, *ids)

    async def _read_new(self, *, block: bool) -> list[_Message]:
        response = await self.redis.xreadgroup(
            self.group,
            self.consumer,
            dict.fromkeys(self._models, ">"),
            count=self.batch_size,
            block=self.block_ms if block else None,
        )
        return [
            _Message(stream, stream_id, fields, 1)
            for stream, entries in _streams(response)
            for stream_id, fields in _entries(entries)
        ]

    def _event(self, message: _Message) -> Event:
        """The message as an event; KeyError, TypeError or ValueError if it is malformed."""
        return Event.from_fields(
            message.fields,
            model=self._models[message.stream],
            stream_id=message.stream_id,
            delivery_count=message.delivery_count,
        )

    def _done_key(self, event_id: str) -> str:
        return self.bus.keys("events", "done", self.group, event_id)

    async def _process(self, message: _Message) -> bool:
        """Handle one message; True if it was acked (handled, a duplicate, or dead-lettered)."""
        try:
            event = self._event(message)
        except (KeyError, TypeError, ValueError) as exc:
            await self._dead_letter(message, f"malformed event: {exc!r}")
            return True

        done_key = self._done_key(event.id)
        if await self.redis.exists(done_key):
            await self.redis.xack(message.stream, self.group, message.stream_id)
            return True
        if event.delivery_count > self.max_deliveries:
            await self._dead_letter(
                message, f"delivered {event.delivery_count} times without completing"
            )
            return True

        token = correlation_id.set(event.correlation_id)
        try:
            with structlog.contextvars.bound_contextvars(
                correlation_id=event.correlation_id, event_id=event.id, event_type=event.type
            ):
                try:
                    await self._handlers[message.stream](event)
                except Exception as exc:
                    dead = event.delivery_count >= self.max_deliveries
                    log.exception(
                        "event handler failed",
                        group=self.group,
                        delivery_count=event.delivery_count,
                        dead_lettered=dead,
                    )
                    if dead:
                        await self._dead_letter(message, repr(exc))
                    return dead
        finally:
            correlation_id.reset(token)

        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(done_key, "1", ex=DONE_MARKER_TTL_S)
            pipe.xack(message.stream, self.group, message.stream_id)
            await pipe.execute()
        return True

    async def _process_batch(self, stream: str, messages: list[_Message]) -> int:
        """Handle one read of a batch stream; return how many messages were acked."""
        parsed: list[tuple[_Message, Event]] = []
        acked = 0
        for message in messages:
            try:
                parsed.append((message, self._event(message)))
            except (KeyError, TypeError, ValueError) as exc:
                await self._dead_letter(message, f"malformed event: {exc!r}")
                acked += 1
        if not parsed:
            return acked
        async with self.redis.pipeline(transaction=False) as pipe:
            for _, event in parsed:
                pipe.exists(self._done_key(event.id))
            done = await pipe.execute()

        # An event id published twice is handled once: its messages are acked together.
        batch: dict[str, tuple[Event, list[_Message]]] = {}
        duplicates: list[_Message] = []
        for (message, event), already in zip(parsed, done, strict=True):
            if already:
                duplicates.append(message)
            elif event.delivery_count > self.max_deliveries:
                await self._dead_letter(
                    message, f"delivered {event.delivery_count} times without completing"
                )
                acked += 1
            elif event.id in batch:
                batch[event.id][1].append(message)
            else:
                batch[event.id] = (event, [message])
        if duplicates:
            await self.redis.xack(stream, self.group, *[m.stream_id for m in duplicates])
            acked += len(duplicates)
        if not batch:
            return acked

        handler = self._batch_handlers[stream]
        entries = list(batch.values())
        for attempt in (1, 2):
            if await self._run_batch(handler, [event for event, _ in entries], attempt=attempt):
                return acked + await self._mark_done(stream, entries)
        # Twice failed: one event at a time, so that only the poison event stays behind.
        for entry in entries:
            event, of_event = entry
            if len(entries) > 1 and await self._run_batch(handler, [event], attempt=3, alone=True):
                acked += await self._mark_done(stream, [entry])
            elif event.delivery_count >= self.max_deliveries:
                for message in of_event:
                    await self._dead_letter(message, "its batch handler failed on it alone")
                acked += len(of_event)
        return acked

    async def _run_batch(
        self, handler: BatchHandler, events: list[Event], *, attempt: int, alone: bool = False
    ) -> bool:
        """Whether `handler` took the events; the correlation id is the event's when alone."""
        token = correlation_id.set(events[0].correlation_id if alone else None)
        try:
            with structlog.contextvars.bound_contextvars(
                correlation_id=events[0].correlation_id if alone else None,
                event_type=events[0].type,
                batch_size=len(events),
            ):
                try:
                    await handler(events)
                except Exception:
                    log.exception(
                        "event batch handler failed",
                        group=self.group,
                        attempt=attempt,
                        event_ids=[event.id for event in events[:10]],
                        delivery_count=max(event.delivery_count for event in events),
                    )
                    return False
                return True
        finally:
            correlation_id.reset(token)

    async def _mark_done(self, stream: str, entries: Sequence[tuple[Event, list[_Message]]]) -> int:
        """Write the done-markers of handled events and ack their messages, in one pipeline."""
        ids = [message.stream_id for _, messages in entries for message in messages]
        async with self.redis.pipeline(transaction=True) as pipe:
            for event, _ in entries:
                pipe.set(self._done_key(event.id), "1", ex=DONE_MARKER_TTL_S)
            pipe.xack(stream, self.group, *ids)
            await pipe.execute()
        return len(ids)

    async def _dead_letter(self, message: _Message, error: str) -> None:
        # redis-py's field mapping is invariant in its key type, so copy rather than unpack.
        record: dict[FieldT, EncodableT] = {k: v for k, v in message.fields.items()}
        record.update(
            {
                "stream": message.stream,
                "stream_id": message.stream_id,
                "group": self.group,
                "consumer": self.consumer,
                "delivery_count": message.delivery_count,
                "error": error,
                "failed_at": datetime.now(UTC).isoformat(),
            }
        )
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(self.dead_letter_key, record, maxlen=self.bus.maxlen, approximate=True)
            pipe.xack(message.stream, self.group, message.stream_id)
            await pipe.execute()
