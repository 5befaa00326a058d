"""The activity service's background work: the event consumer (playback and engagement
events, applied in batches) and the abandon sweeper."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Sequence

import structlog

from ott.activity import service
from ott.activity.store import ActivityStore
from ott.core.background import BackgroundRun
from ott.core.event_types import PLAYBACK_EVENTS, EngagementRecorded, PlaybackEvent
from ott.core.events import Event, EventBus, EventConsumer
from ott.core.settings import Settings

log = structlog.get_logger(__name__)

CONSUMER_GROUP = "activity"
# One read takes up to this many events of each stream (a batch is one statement per table).
BATCH_SIZE = 1000
# Below the Redis client's socket timeout (2 s), and well below the flush interval.
_MAX_BLOCK_MS = 1000


def block_ms(settings: Settings) -> int:
    """How long a read waits for events: under half the flush interval, so a position is
    stored within ACTIVITY_FLUSH_SECONDS of being published."""
    return max(10, min(_MAX_BLOCK_MS, int(settings.activity_flush_seconds * 1000 / 2)))


def activity_consumer(
    bus: EventBus,
    store: ActivityStore,
    settings: Settings,
    *,
    consumer: str | None = None,
    claim_idle_ms: int = 30_000,
) -> EventConsumer:
    async def on_playback(events: Sequence[Event]) -> None:
        payloads = [e.payload for e in events if isinstance(e.payload, PlaybackEvent)]
        await service.apply_playback_events(store=store, settings=settings, payloads=payloads)

    async def on_engagement(events: Sequence[Event]) -> None:
        payloads = [e.payload for e in events if isinstance(e.payload, EngagementRecorded)]
        await service.record_engagement_events(store=store, payloads=payloads)

    return EventConsumer(
        bus,
        group=CONSUMER_GROUP,
        consumer=consumer or f"{socket.gethostname()}-{os.getpid()}",
        batch_handlers={
            **dict.fromkeys(PLAYBACK_EVENTS, on_playback),
            EngagementRecorded: on_engagement,
        },
        block_ms=block_ms(settings),
        batch_size=BATCH_SIZE,
        claim_idle_ms=claim_idle_ms,
    )


def sweep_interval(settings: Settings) -> float:
    """A quarter of the abandon delay, at most a minute: a session is abandoned within 125%."""
    return max(0.05, min(60.0, settings.activity_abandon_after_seconds / 4))


def abandon_sweeper(store: ActivityStore, settings: Settings) -> BackgroundRun:
    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            abandoned = await service.abandon_stale_sessions(store=store, settings=settings)
            if abandoned:
                log.info("abandoned sessions", count=abandoned)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), sweep_interval(settings))

    return run
