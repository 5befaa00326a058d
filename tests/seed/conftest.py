"""The demo videos' tests each run on a database of their own with the demo catalog loaded,
so the titles they pick and the jobs they queue are theirs alone. Generated sources last
DEMO_SECONDS (the real ones 20-24 s), which keeps rendering and transcoding quick."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from ott.core.app_context import AppContext
from ott.core.settings import Settings
from ott.seed.load import seed_demo_catalog
from tests.conftest import own_database

DEMO_SECONDS = 2.0


@pytest.fixture
def demo_settings(settings: Settings) -> Iterator[Settings]:
    with own_database(
        settings,
        "demo",
        redis_key_prefix=f"{settings.redis_key_prefix}demo:",
        demo_video_seconds=DEMO_SECONDS,
        transcode_preset="ultrafast",
        run_worker_in_process=False,
    ) as own:
        yield own


@pytest.fixture
async def demo(demo_settings: Settings) -> AsyncIterator[AppContext]:
    """The platform's context on a database holding the demo catalog (240 titles)."""
    context = AppContext.open(demo_settings)
    try:
        await seed_demo_catalog(context)
        yield context
    finally:
        await context.close()
