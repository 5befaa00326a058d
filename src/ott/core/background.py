"""Background tasks that live as long as an app (schedulers, sweepers, consumers, workers):
started from a lifespan hook, asked to stop through an event at shutdown, waited for, and
cancelled if they overrun."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import structlog

log = structlog.get_logger(__name__)


@asynccontextmanager
async def running_in_background(
    name: str, run: Callable[[asyncio.Event], Awaitable[None]], *, stop_timeout: float = 10.0
) -> AsyncIterator[None]:
    """Run `run(stop)` as a task while the block runs; at its end set `stop` and wait for the
    task up to `stop_timeout` seconds (then it is cancelled)."""
    stop = asyncio.Event()
    task = asyncio.create_task(run(stop), name=name)
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=stop_timeout)
        except TimeoutError:
            log.warning("background task did not stop in time; cancelled", task=name)
        except Exception:
            log.exception("background task failed", task=name)
