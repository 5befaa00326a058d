"""A started server exempts what start-up made from garbage collection (core/heap.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from ott.core.settings import Settings
from tests.conftest import settings_with


@pytest.fixture
def unfrozen_after() -> Iterator[None]:
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("unfrozen_after")
async def test_the_gateway_freezes_the_heap_once_every_service_has_started(
    settings: Settings,
) -> None:
    from ott.gateway.app import create_app

    gc.unfreeze()
    app = create_app(settings_with(settings, gc_freeze_after_startup=True))
    async with app.router.lifespan_context(app):
        # Every service app (modules, routes, models) is in there.
        assert gc.get_freeze_count() > 50_000


@pytest.mark.usefixtures("unfrozen_after")
async def test_tests_and_tools_can_leave_the_heap_alone(settings: Settings) -> None:
    from ott.gateway.app import create_app

    gc.unfreeze()
    app = create_app(settings_with(settings, gc_freeze_after_startup=False))
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() == 0
