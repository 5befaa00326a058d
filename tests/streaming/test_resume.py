"""Resuming on another device: from the position Redis keeps, and from the user activity store
when Redis no longer has it."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from ott.core.app_context import AppContext
from tests.catalog.conftest import Catalog
from tests.streaming.conftest import COMPLETE, Videos, report, started, watcher


async def _in_continue_watching(
    sapi: httpx.AsyncClient, headers: dict[str, str], film: str
) -> float:
    """The position continue watching shows for `film`, once the activity store has it."""
    for _ in range(100):
        listed = await sapi.get("/api/activity/continue-watching", headers=headers)
        assert listed.status_code == 200, listed.text
        for item in listed.json()["items"]:
            if item["content_id"] == film:
                return float(item["position_seconds"])
        await asyncio.sleep(0.1)
    raise AssertionError(f"{film} never reached continue watching")


async def test_another_device_resumes_where_the_first_stopped(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos, resources: AppContext
) -> None:
    film = await catalog.title(f"Film {uuid.uuid4().hex[:6]}")
    await videos.add(film)
    who = await watcher(sapi, catalog)
    first = await started(sapi, who, film, on="phone-1")
    assert first["resume_position_seconds"] == 0
    assert (await report(sapi, who, first["session_id"], 2.0, 1)).status_code == 200
    assert (
        await sapi.delete(f"/api/stream/sessions/{first['session_id']}", headers=who.headers)
    ).status_code == 204

    # From Redis, at once.
    second = await started(sapi, who, film, on="tv-1")
    assert second["resume_position_seconds"] == 2.0
    await sapi.delete(f"/api/stream/sessions/{second['session_id']}", headers=who.headers)

    # Redis loses the position (a restart of a Redis that keeps nothing): the activity store,
    # which the playback events reached within the flush interval, still has it.
    assert await _in_continue_watching(sapi, who.headers, str(film)) == 2.0
    pattern = resources.keys("stream", "resume", "*", film)  # leases.StreamStore.resume_key
    keys = [key async for key in resources.redis.scan_iter(match=pattern)]
    assert len(keys) == 1, "the position was kept in Redis"
    await resources.redis.delete(*keys)
    third = await started(sapi, who, film, on="laptop-1")
    assert third["resume_position_seconds"] == 2.0


async def test_a_finished_title_starts_from_the_beginning(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos
) -> None:
    film = await catalog.title(f"Film {uuid.uuid4().hex[:6]}")
    await videos.add(film)
    who = await watcher(sapi, catalog)
    first = await started(sapi, who, film)
    assert (await report(sapi, who, first["session_id"], 3.9, 1)).status_code == 200
    done = await sapi.post(COMPLETE, headers=who.headers, json={"session_id": first["session_id"]})
    assert done.status_code == 200, done.text
    again = await started(sapi, who, film, on="tv-1")
    assert again["resume_position_seconds"] == 0
