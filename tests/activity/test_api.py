"""The activity API through the gateway: continue watching, history and the watchlist, per
profile, only with titles the profile may see now, and every kind of bad input."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from ott.core.app_context import AppContext
from ott.core.event_types import PlaybackPosition
from ott.core.settings import Settings
from tests.activity.helpers import Player, Profile, episodes_of, new_profile, sibling_of
from tests.catalog.conftest import COUNTRIES, Catalog
from tests.conftest import TEST_PASSWORD, assert_error, bearer, register, unique_email

CONTINUE = "/api/activity/continue-watching"
HISTORY = "/api/activity/history"
WATCHLIST = "/api/activity/watchlist"


@pytest.fixture
def catalog(resources: AppContext) -> Catalog:
    return Catalog(resources, next(COUNTRIES))


@pytest.fixture
def player(resources: AppContext, settings: Settings) -> Player:
    return Player(resources, settings)


@pytest.fixture
async def profile(api: httpx.AsyncClient, catalog: Catalog) -> Profile:
    return await new_profile(api, catalog)


async def get_json(api: httpx.AsyncClient, url: str, profile: Profile, **params: Any) -> Any:
    response = await api.get(url, headers=profile.headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def continue_watching(api: httpx.AsyncClient, profile: Profile) -> list[dict[str, Any]]:
    return (await get_json(api, CONTINUE, profile))["items"]


async def test_continue_watching_is_newest_first_with_resume_points(
    api: httpx.AsyncClient, catalog: Catalog, player: Player, profile: Profile
) -> None:
    first = await catalog.title("First Film", poster_url="/media/p/first.jpg")
    second = await catalog.title("Second Film")
    await player.watch(profile, first, to_percent=50)
    await player.watch(profile, second, to_percent=30, duration=1000)

    items = await continue_watching(api, profile)
    assert [(i["title"], i["kind"]) for i in items] == [
        ("Second Film", "resume"),
        ("First Film", "resume"),
    ]
    latest, older = items
    assert latest["position_seconds"] == 300.0
    assert latest["duration_seconds"] == 1000.0
    assert latest["percent"] == 30.0
    assert older["poster_url"] == "/media/p/first.jpg"
    assert older["content_id"] == str(first)
    assert older["episode_id"] is None
    assert older["content_type"] == "movie"
    assert older["locked"] is False
    assert latest["updated_at"] > older["updated_at"]

    # Watching the older one again brings it to the front.
    await player.watch(profile, first, to_percent=55)
    assert [i["title"] for i in await continue_watching(api, profile)] == [
        "First Film",
        "Second Film",
    ]
    limited = await get_json(api, CONTINUE, profile, limit=1)
    assert [i["title"] for i in limited["items"]] == ["First Film"]


async def test_a_title_without_a_poster_shows_a_frame_of_its_video(
    api: httpx.AsyncClient,
    catalog: Catalog,
    player: Player,
    profile: Profile,
    resources: AppContext,
) -> None:
    film = await catalog.title("Only A Video")
    film_video = await catalog.video(film)
    series = await catalog.title("Only Episodes", seasons=[["Pilot", "Second"]])
    pilot, _ = await episodes_of(resources, series)
    pilot_video = await catalog.video(series, episode_id=pilot)
    bare = await catalog.title("Nothing To Show")
    await player.watch(profile, film, to_percent=40)
    await player.watch(profile, series, episode_id=pilot, to_percent=40)
    await player.watch(profile, bare, to_percent=40)

    posters = {i["title"]: i["poster_url"] for i in await continue_watching(api, profile)}
    assert posters == {
        "Only A Video": f"/media/videos/{film}/{film_video}/poster.jpg",
        "Only Episodes": f"/media/videos/{pilot}/{pilot_video}/poster.jpg",
        "Nothing To Show": None,
    }


async def test_what_resumes_follows_the_percent_and_length_rules(
    api: httpx.AsyncClient, catalog: Catalog, player: Player, profile: Profile, settings: Settings
) -> None:
    barely = await catalog.title("Barely Started")
    almost = await catalog.title("Almost Done")
    finished = await catalog.title("Finished")
    short = await catalog.title("Short")
    kept = await catalog.title("Kept")
    await player.watch(profile, barely, to_percent=4.9)
    await player.watch(profile, almost, to_percent=90)
    await player.watch(profile, finished, to_percent=40, complete=True)
    await player.watch(profile, short, to_percent=50, duration=299)
    await player.watch(profile, kept, to_percent=5, duration=300)

    assert [i["title"] for i in await continue_watching(api, profile)] == ["Kept"]
    history = (await get_json(api, HISTORY, profile))["items"]
    assert [(h["title"], h["completion_rate"]) for h in history] == [
        ("Finished", 40.0),
        ("Almost Done", 90.0),
    ]
    assert settings.activity_watched_percent == 90.0


async def test_next_up_follows_a_finished_episode(
    api: httpx.AsyncClient,
    catalog: Catalog,
    player: Player,
    profile: Profile,
    resources: AppContext,
) -> None:
    series = await catalog.title("The Series", seasons=[["Pilot", "Second"], ["Return"]])
    pilot, second, comeback = await episodes_of(resources, series)

    await player.watch(profile, series, episode_id=pilot, to_percent=95, duration=2400)
    [item] = await continue_watching(api, profile)
    assert item["kind"] == "next_up"
    assert (item["episode_id"], item["episode_title"]) == (str(second), "Second")
    assert (item["season_number"], item["episode_number"]) == (1, 2)
    assert (item["position_seconds"], item["percent"]) == (0.0, 0.0)
    assert item["duration_seconds"] == 2400.0  # 40 minutes
    assert item["title"] == "The Series"

    # The end of a season leads to the first episode of the next.
    await player.watch(profile, series, episode_id=second, to_percent=100, duration=2400)
    [item] = await continue_watching(api, profile)
    assert (item["kind"], item["episode_id"]) == ("next_up", str(comeback))
    assert (item["season_number"], item["episode_number"]) == (2, 1)

    # Partway through an episode: that episode resumes.
    await player.watch(profile, series, episode_id=comeback, to_percent=25, duration=2400)
    [item] = await continue_watching(api, profile)
    assert (item["kind"], item["episode_id"], item["position_seconds"]) == (
        "resume",
        str(comeback),
        600.0,
    )

    # The last episode finished: nothing comes next.
    await player.watch(profile, series, episode_id=comeback, to_percent=97, duration=2400)
    assert await continue_watching(api, profile) == []


async def test_next_up_uses_the_next_episodes_own_resume_point(
    api: httpx.AsyncClient,
    catalog: Catalog,
    player: Player,
    profile: Profile,
    resources: AppContext,
) -> None:
    series = await catalog.title("Rewatched", seasons=[["One", "Two", "Three"]])
    one, two, _ = await episodes_of(resources, series)
    await player.watch(profile, series, episode_id=two, to_percent=40, duration=2400)
    await player.watch(profile, series, episode_id=one, to_percent=100, duration=2400)
    [item] = await continue_watching(api, profile)
    assert (item["kind"], item["episode_id"], item["position_seconds"]) == (
        "resume",
        str(two),
        960.0,
    )
    # Opening the next episode for a moment (no resume point yet) keeps it "next up".
    await player.watch(profile, series, episode_id=two, to_percent=1, duration=2400)
    [item] = await continue_watching(api, profile)
    assert (item["kind"], item["episode_id"]) == ("next_up", str(two))


async def test_a_removed_title_is_not_marked_watched_and_comes_back(
    api: httpx.AsyncClient, catalog: Catalog, player: Player, profile: Profile
) -> None:
    film = await catalog.title("Removed")
    other = await catalog.title("Stays")
    await player.watch(profile, film, to_percent=50)
    await player.watch(profile, other, to_percent=50)

    for _ in range(2):  # idempotent
        response = await api.delete(f"{CONTINUE}/{film}", headers=profile.headers)
        assert response.status_code == 204, response.text
    assert [i["title"] for i in await continue_watching(api, profile)] == ["Stays"]
    assert (await get_json(api, HISTORY, profile))["items"] == []

    await asyncio.sleep(0.01)
    await player.watch(profile, film, to_percent=52)
    assert [i["title"] for i in await continue_watching(api, profile)] == ["Removed", "Stays"]
    # Removing a title the profile never watched changes nothing.
    response = await api.delete(f"{CONTINUE}/{uuid.uuid4()}", headers=profile.headers)
    assert response.status_code == 204


async def test_profiles_never_see_each_others_activity(
    api: httpx.AsyncClient, catalog: Catalog, player: Player, profile: Profile
) -> None:
    sibling = await sibling_of(api, profile)
    stranger = await new_profile(api, catalog)
    film = await catalog.title("Mine Only")
    await player.watch(profile, film, to_percent=50)
    await player.watch(profile, await catalog.title("Mine Watched"), to_percent=99)
    added = await api.post(WATCHLIST, headers=profile.headers, json={"content_id": str(film)})
    assert added.status_code == 201, added.text

    assert len(await continue_watching(api, profile)) == 1
    for other in (sibling, stranger):
        assert await continue_watching(api, other) == []
        assert (await get_json(api, HISTORY, other))["items"] == []
        assert (await get_json(api, WATCHLIST, other))["items"] == []
    # The sibling's own removal does not touch the profile's list.
    await api.delete(f"{CONTINUE}/{film}", headers=sibling.headers)
    await api.delete(f"{WATCHLIST}/{film}", headers=sibling.headers)
    assert len(await continue_watching(api, profile)) == 1
    assert len((await get_json(api, WATCHLIST, profile))["items"]) == 1


async def test_only_titles_the_profile_may_see_now_are_listed(
    api: httpx.AsyncClient,
    catalog: Catalog,
    player: Player,
    resources: AppContext,
) -> None:
    kid = await new_profile(api, catalog, kids=True)
    grown = await new_profile(api, catalog, rating="R")
    adult = await catalog.title("Adults Only", maturity_rating="R")
    family = await catalog.title("For Everyone", maturity_rating="G")
    withdrawn = await catalog.title("Withdrawn")
    for who in (kid, grown):
        for title in (adult, family, withdrawn):
            await player.watch(who, title, to_percent=50)
    async with resources.engine.begin() as connection:
        await connection.execute(
            text("UPDATE content SET workflow_state = 'archived' WHERE id = :id"),
            {"id": withdrawn},
        )
    assert [i["title"] for i in await continue_watching(api, kid)] == ["For Everyone"]
    assert [i["title"] for i in await continue_watching(api, grown)] == [
        "For Everyone",
        "Adults Only",
    ]
    # In a country where the titles are not offered, none is shown.
    abroad = {**grown.headers, "X-Viewer-Country": next(COUNTRIES)}
    response = await api.get(CONTINUE, headers=abroad)
    assert response.json()["items"] == []

    assert_error(
        await api.post(WATCHLIST, headers=kid.headers, json={"content_id": str(adult)}),
        404,
        "title_not_found",
    )
    assert_error(
        await api.post(WATCHLIST, headers=grown.headers, json={"content_id": str(withdrawn)}),
        404,
        "title_not_found",
    )
    assert_error(
        await api.post(WATCHLIST, headers=grown.headers, json={"content_id": str(uuid.uuid4())}),
        404,
    )
    assert (await get_json(api, WATCHLIST, kid))["items"] == []


async def test_the_watchlist_is_idempotent_and_shows_what_is_visible_now(
    api: httpx.AsyncClient, catalog: Catalog, profile: Profile, resources: AppContext
) -> None:
    first = await catalog.title("Listed First")
    second = await catalog.title("Listed Second")
    created = await api.post(WATCHLIST, headers=profile.headers, json={"content_id": str(first)})
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["content_id"], body["title"]) == (str(first), "Listed First")
    again = await api.post(WATCHLIST, headers=profile.headers, json={"content_id": str(first)})
    assert again.status_code == 200, again.text
    assert again.json()["added_at"] == body["added_at"]
    await asyncio.sleep(0.01)
    await api.post(WATCHLIST, headers=profile.headers, json={"content_id": str(second)})

    items = (await get_json(api, WATCHLIST, profile))["items"]
    assert [i["title"] for i in items] == ["Listed Second", "Listed First"]

    async with resources.engine.begin() as connection:
        await connection.execute(
            text("UPDATE content SET workflow_state = 'archived' WHERE id = :id"), {"id": second}
        )
    assert [i["title"] for i in (await get_json(api, WATCHLIST, profile))["items"]] == [
        "Listed First"
    ]
    for _ in range(2):
        removed = await api.delete(f"{WATCHLIST}/{first}", headers=profile.headers)
        assert removed.status_code == 204
    assert (await get_json(api, WATCHLIST, profile))["items"] == []


async def test_history_pages_with_a_cursor(
    api: httpx.AsyncClient, catalog: Catalog, player: Player, profile: Profile
) -> None:
    titles = [await catalog.title(f"Watched {n}") for n in range(5)]
    for title in titles:
        await player.watch(profile, title, to_percent=100)
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = await get_json(api, HISTORY, profile, **params)
        seen += [item["title"] for item in page["items"]]
        assert all(item["completion_rate"] == 100.0 for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"Watched {n}" for n in reversed(range(5))]


async def test_every_call_needs_a_signed_in_profile(
    api: httpx.AsyncClient, catalog: Catalog
) -> None:
    calls = [
        ("GET", CONTINUE, None),
        ("DELETE", f"{CONTINUE}/{uuid.uuid4()}", None),
        ("GET", HISTORY, None),
        ("GET", WATCHLIST, None),
        ("POST", WATCHLIST, {"content_id": str(uuid.uuid4())}),
        ("DELETE", f"{WATCHLIST}/{uuid.uuid4()}", None),
    ]
    # An account with two profiles that logs in has chosen none yet.
    email = unique_email()
    first = await register(api, email)
    created = await api.post("/api/auth/profiles", headers=bearer(first), json={"name": "Second"})
    assert created.status_code == 201, created.text
    login = await api.post("/api/auth/login", json={"email": email, "password": TEST_PASSWORD})
    assert login.status_code == 200, login.text
    account = login.json()
    assert account["profile_id"] is None
    for method, url, body in calls:
        assert_error(await api.request(method, url, json=body), 401)
        assert_error(
            await api.request(method, url, json=body, headers=bearer(account)),
            403,
            "profile_required",
        )


async def test_bad_input_is_a_clear_4xx(
    api: httpx.AsyncClient, catalog: Catalog, profile: Profile
) -> None:
    headers = profile.headers
    for params in ({"limit": 0}, {"limit": 51}, {"limit": "many"}, {"color": "red"}):
        assert_error(await api.get(CONTINUE, headers=headers, params=params), 422)
    for params in ({"limit": 0}, {"limit": 101}, {"cursor": "x" * 501}, {"sort": "old"}):
        assert_error(await api.get(HISTORY, headers=headers, params=params), 422)
    for cursor in ("not-a-cursor!", "e30", "eyJ3IjoxLCJzIjoyfQ", "eyJ3IjoieCIsInMiOiJ5In0"):
        assert_error(
            await api.get(HISTORY, headers=headers, params={"cursor": cursor}),
            422,
            "invalid_cursor",
        )
    for url in (f"{CONTINUE}/not-a-uuid", f"{WATCHLIST}/42"):
        assert_error(await api.delete(url, headers=headers), 422)
    for body in ({}, {"content_id": "nope"}, {"content_id": str(uuid.uuid4()), "x": 1}, [1]):
        assert_error(await api.post(WATCHLIST, headers=headers, json=body), 422)
    malformed = await api.post(
        WATCHLIST, headers={**headers, "Content-Type": "application/json"}, content=b"{oops"
    )
    assert_error(malformed, 400, "malformed_json")
    assert (await get_json(api, WATCHLIST, profile))["items"] == []


async def test_published_positions_reach_continue_watching(
    api: httpx.AsyncClient,
    catalog: Catalog,
    profile: Profile,
    resources: AppContext,
    settings: Settings,
) -> None:
    """End to end: the gateway's own consumer applies what the streaming service publishes."""
    film = await catalog.title("Streamed")
    published = time.monotonic()
    await resources.events.publish(
        PlaybackPosition(
            session_id=uuid.uuid4().hex,
            user_id=profile.user_id,
            profile_id=profile.profile_id,
            content_id=film,
            device_type="tv",
            position_seconds=1200.0,
            duration_seconds=3600.0,
            sequence=3,
            occurred_at=datetime.now(UTC),
        )
    )
    while not (items := await continue_watching(api, profile)):
        assert time.monotonic() - published < settings.activity_flush_seconds
        await asyncio.sleep(0.05)
    assert [(i["title"], i["position_seconds"]) for i in items] == [("Streamed", 1200.0)]
