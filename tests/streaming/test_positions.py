"""Position updates, completion and player events: applied once, in order, only for the
session's own profile and only while the viewer may still watch."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text

from ott.core.app_context import AppContext
from tests.catalog.conftest import Catalog
from tests.conftest import assert_error
from tests.streaming.conftest import (
    COMPLETE,
    EVENTS,
    POSITION,
    SESSIONS,
    Videos,
    other_profile,
    report,
    started,
    stream_events,
    watcher,
)


async def _playing(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos, **kwargs: Any
) -> tuple[uuid.UUID, Any, dict[str, Any]]:
    film = await catalog.title(f"Film {uuid.uuid4().hex[:6]}", **kwargs)
    await videos.add(film)
    who = await watcher(sapi, catalog)
    return film, who, await started(sapi, who, film)


async def test_positions_apply_once_in_order_and_renew_the_lease(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos, resources: AppContext
) -> None:
    film, who, body = await _playing(sapi, catalog, videos)
    session = body["session_id"]

    first = await report(sapi, who, session, 1.0, 1)
    assert first.status_code == 200, first.text
    answer = first.json()
    assert (answer["applied"], answer["position_seconds"], answer["sequence"]) == (True, 1.0, 1)
    assert answer["media"]["base_url"].endswith(body["media"]["base_url"].split("/", 5)[5])
    assert answer["lease_expires_at"] >= body["lease_expires_at"]

    replayed = (await report(sapi, who, session, 2.0, 1)).json()
    assert (replayed["applied"], replayed["position_seconds"], replayed["sequence"]) == (
        False,
        1.0,
        1,
    )
    assert (await report(sapi, who, session, 3.0, 3)).json()["applied"] is True
    late = (await report(sapi, who, session, 2.0, 2)).json()
    assert (late["applied"], late["position_seconds"], late["sequence"]) == (False, 3.0, 3)
    assert (await report(sapi, who, session, 3.5, 0)).json()["applied"] is False

    events = await stream_events(resources, "playback.position", session)
    assert [(e["sequence"], e["position_seconds"]) for e in events] == [(1, 1.0), (3, 3.0)]
    assert {e["duration_seconds"] for e in events} == {body["duration_seconds"]}

    listed = (await sapi.get(SESSIONS, headers=who.headers)).json()["streams"]
    assert [(s["session_id"], s["position_seconds"]) for s in listed] == [(session, 3.0)]

    # The same device starting again resumes where it was, and ends the old session.
    again = await started(sapi, who, film)
    assert again["resume_position_seconds"] == 3.0
    assert again["replaced_session_ids"] == [session]
    assert_error(await report(sapi, who, session, 3.5, 4), 410, "stream_ended")
    [stopped] = await stream_events(resources, "playback.stopped", session)
    assert stopped["position_seconds"] == 3.0


async def test_a_position_past_the_end_is_clamped_within_the_tolerance(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos
) -> None:
    _, who, body = await _playing(sapi, catalog, videos)
    duration = body["duration_seconds"]
    answer = (await report(sapi, who, body["session_id"], duration + 1, 1)).json()
    assert answer["position_seconds"] == duration


async def test_bad_positions_are_refused_and_change_nothing(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos, resources: AppContext
) -> None:
    _, who, body = await _playing(sapi, catalog, videos)
    session = body["session_id"]
    duration = body["duration_seconds"]
    assert_error(await report(sapi, who, session, -1, 1), 422)
    assert_error(await report(sapi, who, session, duration + 60, 1), 422, "position_out_of_range")
    assert_error(await report(sapi, who, session, 1e308, 1), 422)
    for raw in (
        f'{{"session_id": "{session}", "position_seconds": NaN, "sequence": 1}}',
        f'{{"session_id": "{session}", "position_seconds": Infinity, "sequence": 1}}',
        f'{{"session_id": "{session}", "position_seconds": 1, "sequence": -1}}',
        f'{{"session_id": "{session}", "position_seconds": 1, "sequence": 1.5}}',
        f'{{"session_id": "{session}", "position_seconds": 1}}',
        '{"session_id": "../../etc", "position_seconds": 1, "sequence": 1}',
    ):
        response = await sapi.put(
            POSITION, content=raw, headers=who.headers | {"content-type": "application/json"}
        )
        assert_error(response, 422)

    assert_error(await report(sapi, who, "A" * 24, 1, 1), 404, "session_not_found")
    sibling = await other_profile(sapi, who)
    assert_error(await report(sapi, sibling, session, 1, 1), 404, "session_not_found")
    stranger = await watcher(sapi, catalog)
    assert_error(await report(sapi, stranger, session, 1, 1), 404, "session_not_found")

    assert await stream_events(resources, "playback.position", session) == []
    listed = (await sapi.get(SESSIONS, headers=who.headers)).json()["streams"]
    assert [(s["session_id"], s["position_seconds"]) for s in listed] == [(session, 0.0)]


async def test_complete_ends_the_session_once(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos, resources: AppContext
) -> None:
    film, who, body = await _playing(sapi, catalog, videos)
    session = body["session_id"]
    assert (await report(sapi, who, session, 2.0, 1)).status_code == 200

    sibling = await other_profile(sapi, who)
    response = await sapi.post(COMPLETE, json={"session_id": session}, headers=sibling.headers)
    assert_error(response, 404, "session_not_found")

    done = await sapi.post(COMPLETE, json={"session_id": session}, headers=who.headers)
    assert done.status_code == 200, done.text
    assert done.json() == {"session_id": session, "completed": True, "position_seconds": 2.0}
    again = await sapi.post(COMPLETE, json={"session_id": session}, headers=who.headers)
    assert again.json() == done.json()
    [completed] = await stream_events(resources, "playback.completed", session)
    assert (completed["position_seconds"], completed["sequence"]) == (2.0, 2)

    assert (await sapi.get(SESSIONS, headers=who.headers)).json()["streams"] == []
    assert_error(await report(sapi, who, session, 3.0, 5), 410, "stream_ended")
    # Watched: the next start begins at the beginning.
    assert (await started(sapi, who, film))["resume_position_seconds"] == 0

    assert_error(await sapi.post(COMPLETE, json={"session_id": "nope"}, headers=who.headers), 422)


async def test_a_title_that_can_no_longer_be_watched_stops_its_stream(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos, resources: AppContext
) -> None:
    film, who, body = await _playing(sapi, catalog, videos)
    session = body["session_id"]
    assert (await report(sapi, who, session, 1.0, 1)).status_code == 200
    await _set(resources, film, "workflow_state = 'archived'")
    assert_error(await report(sapi, who, session, 2.0, 2), 403, "no_longer_available")
    assert (await sapi.get(SESSIONS, headers=who.headers)).json()["streams"] == []
    [stopped] = await stream_events(resources, "playback.stopped", session)
    assert stopped["position_seconds"] == 1.0
    assert [
        e["sequence"] for e in await stream_events(resources, "playback.position", session)
    ] == [1]
    manifest = await sapi.get(body["manifest_url"], headers=who.headers)
    assert_error(manifest, 410, "stream_ended")

    # Moved to premium while a free viewer watches.
    film, who, body = await _playing(sapi, catalog, videos)
    await _set(resources, film, "tier_requirement = 'premium'")
    response = await report(sapi, who, body["session_id"], 1.0, 1)
    assert_error(response, 403, "premium_required")
    assert (await sapi.get(SESSIONS, headers=who.headers)).json()["streams"] == []


async def test_player_events_are_published_with_stable_ids(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos, resources: AppContext
) -> None:
    _, who, body = await _playing(sapi, catalog, videos)
    session = body["session_id"]
    batch = {
        "session_id": session,
        "events": [
            {"event_id": "e1", "type": "pause", "position_seconds": 1.5},
            {
                "event_id": "e2",
                "type": "seek",
                "position_seconds": 3.0,
                "metadata": {"from_seconds": 1.5, "reason": "scrub"},
            },
            {
                "event_id": "e3",
                "type": "rewind",
                "position_seconds": 0.5,
                "occurred_at": (datetime.now(UTC) - timedelta(seconds=5)).isoformat(),
            },
        ],
    }
    response = await sapi.post(EVENTS, json=batch, headers=who.headers)
    assert response.status_code == 202, response.text
    assert response.json() == {"accepted": 3}
    recorded = await stream_events(resources, "engagement.recorded", session)
    assert [(e["event_id"], e["event_type"]) for e in recorded] == [
        (f"{session}:e1", "pause"),
        (f"{session}:e2", "seek"),
        (f"{session}:e3", "rewind"),
    ]
    assert recorded[1]["metadata"] == {"from_seconds": 1.5, "reason": "scrub"}
    assert recorded[0]["profile_id"] == who.tokens["profile_id"]


async def test_bad_player_events_are_refused_whole(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos, resources: AppContext
) -> None:
    _, who, body = await _playing(sapi, catalog, videos)
    session = body["session_id"]
    good = {"event_id": "ok", "type": "pause", "position_seconds": 1.0}
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    for events in (
        [],
        [good] * 51,
        [good, good | {"type": "abandon"}],
        [good, good | {"position_seconds": body["duration_seconds"] + 60}],
        [good, good | {"occurred_at": future}],
        [good, good | {"event_id": "has space"}],
        [good, good | {"metadata": {"nested": {"a": 1}}}],
        [good, good | {"metadata": {"note": "a\x00b"}}],
        [good, good | {"metadata": {f"k{i}": i for i in range(17)}}],
    ):
        response = await sapi.post(
            EVENTS, json={"session_id": session, "events": events}, headers=who.headers
        )
        assert_error(response, 422)
    sibling = await other_profile(sapi, who)
    response = await sapi.post(
        EVENTS, json={"session_id": session, "events": [good]}, headers=sibling.headers
    )
    assert_error(response, 404, "session_not_found")
    assert await stream_events(resources, "engagement.recorded", session) == []


async def _set(resources: AppContext, content_id: uuid.UUID, assignment: str) -> None:
    async with resources.engine.begin() as connection:
        await connection.execute(
            text(f"UPDATE content SET {assignment} WHERE id = :id"),  # noqa: S608 - test's own
            {"id": content_id},
        )
