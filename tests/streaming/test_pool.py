"""Requests that read the catalog and then use the activity store give their connection back
first: with a pool of one connection they still succeed (holding it while waiting for the
store's own deadlocked the pool under load: every start answered 503 in the benchmark)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from ott.core.settings import Settings
from tests.catalog.conftest import Catalog
from tests.conftest import settings_with, start_gateway
from tests.streaming.conftest import Videos, start, watcher


@pytest.fixture
async def one_connection(stream_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    client, lifespan = await start_gateway(
        settings_with(stream_settings, db_pool_size=1, db_pool_timeout_seconds=10.0)
    )
    yield client
    await client.aclose()
    await lifespan.__aexit__(None, None, None)


async def test_a_start_with_one_connection_looks_up_the_resume_point(
    one_connection: httpx.AsyncClient, catalog: Catalog, videos: Videos
) -> None:
    film = await catalog.title(f"Film {uuid.uuid4().hex[:6]}")
    await videos.add(film)
    who = await watcher(one_connection, catalog)
    # A first start: Redis has no resume point, so the activity store is asked.
    response = await start(one_connection, who, film)
    assert response.status_code == 201, response.text
    assert response.json()["resume_position_seconds"] == 0


async def test_a_watchlist_add_with_one_connection(
    one_connection: httpx.AsyncClient, catalog: Catalog
) -> None:
    film = await catalog.title(f"Film {uuid.uuid4().hex[:6]}")
    who = await watcher(one_connection, catalog)
    added = await one_connection.post(
        "/api/activity/watchlist", headers=who.headers, json={"content_id": str(film)}
    )
    assert added.status_code == 201, added.text
