"""Keeps Python's cyclic garbage collector from pausing a server for long.

A full (generation 2) collection walks every tracked object, and after start-up a server holds
a few hundred thousand of them that live as long as the process (modules, FastAPI routes,
pydantic and SQLAlchemy models, the merged API document). Such a pass held the event loop for
about 120 ms on a 2-core machine, a pause every request in flight waits out (measured with
`bench/auth_profiles.py`, docs/benchmarks.md). Moving what start-up made into the permanent
generation (`gc.freeze`) takes it out of every later pass: collections then walk only what
was made since.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from ott.core.settings import Settings


def freeze_startup_objects(settings: Settings) -> None:
    """Collect what start-up left behind, then exempt every surviving object from later
    collections (unless GC_FREEZE_AFTER_STARTUP is off). Call once the server has started."""
    if settings.gc_freeze_after_startup:
        gc.collect()
        gc.freeze()


def frozen_after_startup(settings: Settings) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """A lifespan hook for the outermost app: its last one, so that the others have started."""

    @asynccontextmanager
    async def hook(_app: Any) -> AsyncIterator[None]:
        freeze_startup_objects(settings)
        yield

    return hook
