"""Background tasks that live as long as an app (schedulers, sweepers, consumers, workers):
started from a lifespan hook, restarted with backoff when they fail, asked to stop through an
event at shutdown, waited for, and cancelled if they overrun.

A task that raises (or returns before it was asked to stop) is logged at once and started
again after a capped exponential delay. Its health goes to the `BackgroundHealth` registries of
the apps whose lifespan started it (`reporting_to`): the app itself and, in `ott serve`, the
gateway that runs it in process. `/ready` reports a task that keeps failing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import structlog

log = structlog.get_logger(__name__)

BackgroundRun = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


@dataclass
class Backoff:
    """Capped exponential delays between attempts: `initial`, twice that, … up to `maximum`."""

    initial: float = 0.5
    maximum: float = 30.0
    _next: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._next = self.initial

    def next_delay(self) -> float:
        delay = self._next
        self._next = min(delay * 2, self.maximum)
        return delay

    def reset(self) -> None:
        self._next = self.initial


@dataclass
class TaskHealth:
    name: str
    failing_after: int = 3
    failures: int = 0  # in a row: a run that lasts `stable_after` seconds resets it
    restarts: int = 0
    last_error: str | None = None

    @property
    def healthy(self) -> bool:
        return self.failures < self.failing_after

    def report(self) -> dict[str, object]:
        return {
            "healthy": self.healthy,
            "failures": self.failures,
            "restarts": self.restarts,
            "last_error": self.last_error,
        }


class BackgroundHealth:
    """The running background tasks of an app (and of the services it runs in process)."""

    def __init__(self) -> None:
        self._tasks: list[TaskHealth] = []

    def track(self, task: TaskHealth) -> None:
        self._tasks.append(task)

    def forget(self, task: TaskHealth) -> None:
        with contextlib.suppress(ValueError):
            self._tasks.remove(task)

    def tasks(self) -> list[TaskHealth]:
        return list(self._tasks)

    def failing(self) -> list[TaskHealth]:
        return [task for task in self._tasks if not task.healthy]


_registries: ContextVar[tuple[BackgroundHealth, ...]] = ContextVar("background_health", default=())


@contextmanager
def reporting_to(registry: BackgroundHealth) -> Iterator[None]:
    """Background tasks started in this block report to `registry`, and to the registries of
    any enclosing blocks (an in-process service's lifespan runs inside the gateway's)."""
    current = _registries.get()
    token = _registries.set(current if registry in current else (*current, registry))
    try:
        yield
    finally:
        _registries.reset(token)


@asynccontextmanager
async def running_in_background(
    name: str,
    run: BackgroundRun,
    *,
    stop_timeout: float = 10.0,
    backoff: Backoff | None = None,
    stable_after: float = 60.0,
    failing_after: int = 3,
) -> AsyncIterator[TaskHealth]:
    """Run `run(stop)` as a task while the block runs, restarting it whenever it fails; at the
    block's end set `stop` and wait for the task up to `stop_timeout` seconds (then it is
    cancelled). After `failing_after` failures in a row it counts as failing until a run lasts
    `stable_after` seconds."""
    health = TaskHealth(name, failing_after=failing_after)
    registries = _registries.get()
    for registry in registries:
        registry.track(health)
    stop = asyncio.Event()
    supervisor = _Supervisor(name, run, stop, health, backoff or Backoff(), stable_after)
    task = asyncio.create_task(supervisor.run(), name=name)
    try:
        yield health
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=stop_timeout)
        except TimeoutError:
            log.warning("background task did not stop in time; cancelled", task=name)
        finally:
            for registry in registries:
                registry.forget(health)


@dataclass
class _Supervisor:
    name: str
    work: BackgroundRun
    stop: asyncio.Event
    health: TaskHealth
    backoff: Backoff
    stable_after: float

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self.stop.is_set():
            stable = loop.call_later(self.stable_after, self._ran_stably)
            try:
                await self.work(self.stop)
            except Exception as exc:
                error = repr(exc)
                log.exception("background task failed", task=self.name)
            else:
                if self.stop.is_set():
                    return
                error = "returned before it was asked to stop"
                log.error("background task ended on its own", task=self.name)
            finally:
                stable.cancel()
            if self.stop.is_set():
                return
            self.health.failures += 1
            self.health.last_error = error
            delay = self.backoff.next_delay()
            log.warning(
                "restarting background task",
                task=self.name,
                in_seconds=delay,
                failures_in_a_row=self.health.failures,
                failing=not self.health.healthy,
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), delay)
            if self.stop.is_set():
                return
            self.health.restarts += 1

    def _ran_stably(self) -> None:
        self.health.failures = 0
        self.backoff.reset()
