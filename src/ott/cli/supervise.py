"""Keeps what a command started running: the embedded stores and, in `ott serve --split`, the
service processes.

A thread looks at each twice a second. One that died is started again at once; while it keeps
dying, the next attempts wait 0.5 s, 1 s, 2 s … up to 30 s, and a minute alive resets that.
Every death, attempt and recovery is logged.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import structlog

from ott.core.background import Backoff

log = structlog.get_logger(__name__)


class Supervised(Protocol):
    name: str

    def alive(self) -> bool: ...

    def restart(self) -> None: ...


@dataclass
class _Watch:
    item: Supervised
    backoff: Backoff
    started_at: float = field(default_factory=time.monotonic)
    down_since: float | None = None
    next_attempt: float = 0.0


class Supervisor:
    def __init__(
        self,
        items: Sequence[Supervised],
        *,
        interval: float = 0.5,
        backoff: tuple[float, float] = (0.5, 30.0),
        stable_after: float = 60.0,
    ) -> None:
        self.interval = interval
        self.stable_after = stable_after
        self._watches = [_Watch(item, Backoff(*backoff)) for item in items]
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="ott-supervisor", daemon=True)

    def start(self) -> None:
        if self._watches:
            self._thread.start()

    def stop(self) -> None:
        """Stop restarting (before the supervised things are stopped on purpose)."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stopping.wait(self.interval):
            self.check()

    def check(self) -> None:
        """One round: restart whatever is due."""
        for watch in self._watches:
            if self._stopping.is_set():
                return
            self._check(watch)

    def _check(self, watch: _Watch) -> None:
        name = watch.item.name
        now = time.monotonic()
        try:
            alive = watch.item.alive()
        except Exception:
            log.exception("supervisor: cannot tell whether it runs", name=name)
            return
        if alive:
            if now - watch.started_at >= self.stable_after:
                watch.backoff.reset()
            return
        if watch.down_since is None:
            watch.down_since = now
            log.error("supervisor: stopped running; restarting", name=name)
        if now < watch.next_attempt:
            return
        delay = watch.backoff.next_delay()  # before the next attempt, if this one fails
        try:
            watch.item.restart()
        except Exception as exc:
            log.warning(
                "supervisor: restart failed", name=name, error=repr(exc), retry_in_seconds=delay
            )
        else:
            log.warning(
                "supervisor: restarted",
                name=name,
                down_seconds=round(time.monotonic() - watch.down_since, 2),
            )
            watch.down_since = None
            watch.started_at = time.monotonic()
        watch.next_attempt = time.monotonic() + delay
