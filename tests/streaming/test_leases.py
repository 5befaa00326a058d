"""Stream leases: concurrent streams per account by plan, freed when not renewed, replaced by
the same device, stopped from another device; kept across a restart of the service."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from ott.core.app_context import AppContext
from ott.core.settings import Settings
from tests.catalog.conftest import Catalog
from tests.conftest import assert_error, start_gateway
from tests.streaming.conftest import (
    SESSIONS,
    Videos,
    other_profile,
    report,
    start,
    started,
    stream_events,
    streaming_settings,
    watcher,
)


async def _film(catalog: Catalog, videos: Videos) -> uuid.UUID:
    film = await catalog.title(f"Leased {uuid.uuid4().hex[:6]}")
    await videos.add(film)
    return film


async def test_a_free_account_streams_on_one_device_and_may_stop_it_from_another(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos, resources: AppContext
) -> None:
    film = await _film(catalog, videos)
    tv_viewer = await watcher(sapi, catalog)
    phone_viewer = await other_profile(sapi, tv_viewer)  # the same account, another profile
    on_tv = await started(sapi, tv_viewer, film, on="tv-1")

    refused = await start(sapi, phone_viewer, film, on="phone-1")
    error = assert_error(refused, 409, "stream_limit_reached")
    assert error["details"]["limit"] == 1
    [holder] = error["details"]["streams"]
    assert holder["session_id"] == on_tv["session_id"]
    assert holder["device"] == {"id": "tv-1", "type": "web", "name": "Test tv-1"}
    assert holder["title"].startswith("Leased")
    assert holder["profile_id"] == tv_viewer.tokens["profile_id"]

    listed = (await sapi.get(SESSIONS, headers=phone_viewer.headers)).json()
    assert listed["limit"] == 1
    assert [s["session_id"] for s in listed["streams"]] == [on_tv["session_id"]]

    # Another account cannot see or stop it.
    stranger = await watcher(sapi, catalog)
    assert (await sapi.get(SESSIONS, headers=stranger.headers)).json()["streams"] == []
    response = await sapi.delete(f"{SESSIONS}/{on_tv['session_id']}", headers=stranger.headers)
    assert_error(response, 404, "session_not_found")
    assert_error(await sapi.delete(f"{SESSIONS}/bad!id", headers=phone_viewer.headers), 422)

    stopped = await sapi.delete(f"{SESSIONS}/{on_tv['session_id']}", headers=phone_viewer.headers)
    assert stopped.status_code == 204, stopped.text
    assert_error(
        await sapi.delete(f"{SESSIONS}/{on_tv['session_id']}", headers=phone_viewer.headers),
        410,
        "stream_ended",
    )
    [event] = await stream_events(resources, "playback.stopped", on_tv["session_id"])
    assert event["device_type"] == "web"
    assert_error(await report(sapi, tv_viewer, on_tv["session_id"], 1.0, 1), 410, "stream_ended")
    on_phone = await started(sapi, phone_viewer, film, on="phone-1")
    assert on_phone["replaced_session_ids"] == []


async def test_premium_accounts_get_more_streams(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos
) -> None:
    film = await _film(catalog, videos)
    who = await watcher(sapi, catalog, premium=True)  # two streams in this suite's settings
    await started(sapi, who, film, on="a")
    await started(sapi, who, film, on="b")
    error = assert_error(await start(sapi, who, film, on="c"), 409, "stream_limit_reached")
    assert {s["device"]["id"] for s in error["details"]["streams"]} == {"a", "b"}
    # The same device starting again is not a new stream.
    again = await started(sapi, who, film, on="b")
    assert len(again["replaced_session_ids"]) == 1


@pytest.fixture
async def short_leases(stream_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A gateway whose leases lapse after one second (same stores and key prefix)."""
    client, lifespan = await start_gateway(
        stream_settings.model_copy(update={"stream_lease_seconds": 1})
    )
    yield client
    await client.aclose()
    await lifespan.__aexit__(None, None, None)


async def test_a_lease_not_renewed_in_time_is_freed(
    short_leases: httpx.AsyncClient, catalog: Catalog, videos: Videos
) -> None:
    client = short_leases
    film = await _film(catalog, videos)
    who = await watcher(client, catalog)
    first = await started(client, who, film, on="crashed-app")
    assert_error(await start(client, who, film, on="other"), 409, "stream_limit_reached")
    renewed = await report(client, who, first["session_id"], 0.5, 1)
    assert renewed.status_code == 200, renewed.text

    await asyncio.sleep(1.3)  # the crashed app sends nothing more
    assert (await client.get(SESSIONS, headers=who.headers)).json()["streams"] == []
    second = await started(client, who, film, on="other")
    late = await report(client, who, first["session_id"], 1.0, 2)
    error = assert_error(late, 410, "stream_ended")
    assert error["details"] == {"status": "expired"}
    assert (await report(client, who, second["session_id"], 0.2, 1)).json()["applied"] is True


async def test_a_restarted_service_keeps_sessions_and_leases(
    settings: Settings, catalog: Catalog, videos: Videos
) -> None:
    own = streaming_settings(settings)
    client, lifespan = await start_gateway(own)
    try:
        film = await _film(catalog, videos)
        who = await watcher(client, catalog)
        body = await started(client, who, film, on="tv")
        assert (await report(client, who, body["session_id"], 1.0, 1)).status_code == 200
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)

    client, lifespan = await start_gateway(own)  # a new process: nothing in memory
    try:
        listed = (await client.get(SESSIONS, headers=who.headers)).json()["streams"]
        assert [(s["session_id"], s["position_seconds"]) for s in listed] == [
            (body["session_id"], 1.0)
        ]
        assert_error(await start(client, who, film, on="phone"), 409, "stream_limit_reached")
        replay = (await report(client, who, body["session_id"], 1.5, 1)).json()
        assert replay["applied"] is False
        applied = (await report(client, who, body["session_id"], 2.0, 2)).json()
        assert applied["applied"] is True
        manifest = await client.get(body["manifest_url"], headers=who.headers)
        assert manifest.status_code == 200
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)
