"""The platform behind its gateway on a database of its own (the job tests move the clock
far ahead: no other suite's subscriptions should be due), and the subscription service's
runtime, to run its job with an injected clock and to put in a provider of the test's own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from ott.core.app_context import app_context
from ott.core.settings import Settings
from ott.subscriptions.dependencies import SubscriptionsRuntime
from tests.conftest import (
    bearer,
    own_database,
    register,
)
from tests.conftest import subscribe as subscribe_through


@dataclass
class Platform:
    api: httpx.AsyncClient
    runtime: SubscriptionsRuntime
    settings: Settings


@pytest.fixture(scope="package")
def subscription_settings(settings: Settings) -> Iterator[Settings]:
    # The job loop of the app itself waits an hour: the tests run the job themselves.
    with own_database(settings, "subs", subscription_job_interval_seconds=3600.0) as own:
        yield own


@pytest.fixture(scope="package")
async def platform(subscription_settings: Settings) -> AsyncIterator[Platform]:
    from ott.gateway.app import create_app

    app = create_app(subscription_settings)
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 5555)),
        base_url="http://testserver",
    )
    service_app = app_context(app).local_apps["subscriptions"]
    yield Platform(client, service_app.state.subscriptions, subscription_settings)
    await client.aclose()
    await lifespan.__aexit__(None, None, None)


async def viewer(platform: Platform) -> dict[str, str]:
    """A new account's authorization headers."""
    return bearer(await register(platform.api))


async def subscribe(platform: Platform, headers: dict[str, str], **options: Any) -> dict[str, Any]:
    """Check out and pay with the development provider (tests.conftest.subscribe)."""
    return await subscribe_through(platform.api, headers, **options)
