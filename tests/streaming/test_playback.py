"""Starting playback and the session's manifest: who may play what, and what a player gets."""

from __future__ import annotations

import time
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime

import httpx
import m3u8
from sqlalchemy import text

from ott.core.app_context import AppContext
from ott.core.tiers import SubscriptionTier
from tests.catalog.conftest import COUNTRIES, Catalog
from tests.conftest import TEST_PASSWORD, assert_error, bearer, register, unique_email
from tests.streaming.conftest import (
    COMPLETE,
    START,
    Videos,
    device,
    other_profile,
    start,
    started,
    stream_events,
    watcher,
)

MPD = "{urn:mpeg:dash:schema:mpd:2011}"


async def test_start_answers_what_a_player_needs(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos, resources: AppContext
) -> None:
    film = await catalog.title("Playable Film")
    video = await videos.add(film)
    who = await watcher(sapi, catalog, premium=True)
    body = await started(sapi, who, film)

    session = body["session_id"]
    assert body["content_id"] == str(film)
    assert body["episode_id"] is None
    assert body["format"] == "hls"
    assert body["resume_position_seconds"] == 0
    assert 3.5 < body["duration_seconds"] < 4.5
    assert body["manifest_url"] == f"/api/stream/{film}/manifest?session={session}"
    base = body["media"]["base_url"]
    assert base.startswith("/media/s/")
    assert base.endswith(f"/{video.folder}/")
    expires = datetime.fromisoformat(body["media"]["expires_at"])
    assert 590 < expires.timestamp() - time.time() <= 600
    lease = datetime.fromisoformat(body["lease_expires_at"])
    assert 55 < lease.timestamp() - time.time() <= 60
    assert [q["quality"] for q in body["qualities"]] == ["144p", "360p"]
    assert {(a["language"], a["label"]) for a in body["audio"]} == {("en", None), ("hi", "हिन्दी")}
    [subtitle] = body["subtitles"]
    assert (subtitle["language"], subtitle["label"]) == ("en", "English")
    assert subtitle["url"] == base + "sub_0_en.vtt"
    assert body["thumbnails_url"] == base + "thumbnails.vtt"
    assert body["drm"] is None
    assert body["replaced_session_ids"] == []

    vtt = await sapi.get(subtitle["url"])
    assert vtt.status_code == 200
    assert vtt.headers["content-type"].startswith("text/vtt")
    assert vtt.text.startswith("WEBVTT")
    thumbnails = await sapi.get(body["thumbnails_url"])
    assert thumbnails.status_code == 200
    sprite = thumbnails.text.split("\n\n")[1].splitlines()[1].split("#")[0]
    assert (await sapi.get(base + sprite)).content[:2] == b"\xff\xd8"  # resolves under the token

    [event] = await stream_events(resources, "playback.started", session)
    assert event["sequence"] == 0
    assert event["position_seconds"] == 0
    assert event["user_id"] == who.user_id
    assert event["profile_id"] == who.tokens["profile_id"]
    assert event["content_id"] == str(film)
    assert event["device_type"] == "web"


async def test_the_hls_manifest_lists_the_rungs_the_plan_allows_under_the_token(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos
) -> None:
    film = await catalog.title("Two Rungs")
    await videos.add(film)
    free, premium = await watcher(sapi, catalog), await watcher(sapi, catalog, premium=True)

    free_start = await started(sapi, free, film)
    assert [q["quality"] for q in free_start["qualities"]] == ["144p"]
    response = await sapi.get(free_start["manifest_url"], headers=free.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.apple.mpegurl"
    assert response.headers["cache-control"] == "private, no-store"
    master = m3u8.loads(response.text)
    assert [p.stream_info.resolution for p in master.playlists] == [(256, 144)]
    base = free_start["media"]["base_url"]
    uris = [p.uri for p in master.playlists] + [m.uri for m in master.media]
    assert len(uris) == 4  # one variant, two audio renditions, one subtitle track
    assert all(uri.startswith(base) for uri in uris)
    assert {m.language for m in master.media if m.type == "AUDIO"} == {"en", "hi"}

    # The static media playlist's relative segment URIs resolve under the same token.
    variant = await sapi.get(master.playlists[0].uri)
    assert variant.status_code == 200
    media = m3u8.loads(variant.text)
    segment = await sapi.get(base + media.segments[0].uri)
    assert segment.status_code == 200
    assert segment.headers["content-type"] == "video/iso.segment"
    init = await sapi.get(base + media.segments[0].init_section.uri)
    assert init.status_code == 200

    premium_start = await started(sapi, premium, film)
    assert [q["quality"] for q in premium_start["qualities"]] == ["144p", "360p"]
    response = await sapi.get(premium_start["manifest_url"], headers=premium.headers)
    resolutions = [p.stream_info.resolution for p in m3u8.loads(response.text).playlists]
    assert sorted(resolutions) == [(256, 144), (640, 360)]


async def test_the_dash_manifest_has_a_signed_base_url_and_the_allowed_rungs(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos
) -> None:
    film = await catalog.title("Dash Film")
    await videos.add(film)
    who = await watcher(sapi, catalog)
    body = await started(sapi, who, film, format="dash")
    response = await sapi.get(body["manifest_url"], headers=who.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/dash+xml"
    root = ET.fromstring(response.text)  # noqa: S314 - our own answer
    assert root.tag == f"{MPD}MPD"
    assert [b.text for b in root.findall(f"{MPD}BaseURL")] == [body["media"]["base_url"]]
    heights = [
        int(r.get("height", 0))
        for a in root.iter(f"{MPD}AdaptationSet")
        for r in a.findall(f"{MPD}Representation")
        if r.get("height")
    ]
    assert heights == [144]
    types = [a.get("contentType") for a in root.iter(f"{MPD}AdaptationSet")]
    assert types.count("audio") == 2
    assert types.count("text") == 1
    template = root.find(f".//{MPD}SegmentTemplate")
    assert template is not None
    init = template.get("initialization", "").replace("$RepresentationID$", "0")
    assert (await sapi.get(body["media"]["base_url"] + init)).status_code == 200


async def test_an_episode_plays_its_own_video(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos, resources: AppContext
) -> None:
    series = await catalog.title("Series", seasons=[["Pilot", "Second"]])
    pilot, second = await _episodes(resources, series)
    video = await videos.add(series, pilot)
    who = await watcher(sapi, catalog)
    body = await started(sapi, who, series, episode_id=pilot)
    assert body["episode_id"] == str(pilot)
    assert body["media"]["base_url"].endswith(f"/{video.folder}/")
    # The second episode has no video yet.
    assert_error(await start(sapi, who, series, episode_id=second, on="web-2"), 409, "no_video")


async def test_titles_a_viewer_may_not_play_are_refused(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos
) -> None:
    who = await watcher(sapi, catalog)
    draft = await catalog.title("Draft", workflow_state="draft")
    elsewhere = await catalog.title("Elsewhere", rules=[{"allowed_countries": [next(COUNTRIES)]}])
    blocked = await catalog.title(
        "Blocked Here",
        rules=[{"allowed_countries": None, "blocked_countries": [catalog.country]}],
    )
    adult = await catalog.title("Rated R", maturity_rating="R")
    for title in (draft, elsewhere, blocked, adult):
        await videos.add(title)
        assert_error(await start(sapi, who, title), 404, "not_found")
    assert_error(await start(sapi, who, uuid.uuid4()), 404, "not_found")

    premium_only = await catalog.title("Premium Only", tier_requirement=SubscriptionTier.PREMIUM)
    await videos.add(premium_only)
    assert_error(await start(sapi, who, premium_only), 403, "premium_required")
    premium = await watcher(sapi, catalog, premium=True)
    assert (await start(sapi, premium, premium_only)).status_code == 201

    # A rule that admits the country only for premium locks it for free viewers.
    premium_here = await catalog.title(
        "Premium Here", rules=[{"allowed_countries": [catalog.country], "tier": "premium"}]
    )
    await videos.add(premium_here)
    assert_error(await start(sapi, who, premium_here, on="web-3"), 403, "premium_required")

    no_video = await catalog.title("No Video Yet")
    assert_error(await start(sapi, who, no_video), 409, "no_video")


async def test_series_and_episodes_must_match(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos, resources: AppContext
) -> None:
    who = await watcher(sapi, catalog)
    series = await catalog.title("A Series", seasons=[["One"]])
    other = await catalog.title("Another Series", seasons=[["Elsewhere"]])
    film = await catalog.title("A Film")
    await videos.add(film)
    [episode] = await _episodes(resources, series)
    [foreign] = await _episodes(resources, other)
    assert_error(await start(sapi, who, series), 422, "episode_required")
    assert_error(await start(sapi, who, series, episode_id=foreign), 404, "episode_not_found")
    assert_error(await start(sapi, who, series, episode_id=uuid.uuid4()), 404, "episode_not_found")
    assert_error(await start(sapi, who, film, episode_id=episode), 422, "not_a_series")


async def test_start_needs_a_signed_in_profile_and_a_valid_body(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos
) -> None:
    film = await catalog.title("Needs A Profile")
    await videos.add(film)
    body = {"content_id": str(film), "format": "hls", "device": device()}
    assert_error(await sapi.post(START, json=body), 401)
    # Signed in to an account of two profiles without choosing one.
    email = unique_email()
    first = await register(sapi, email)
    extra = await sapi.post("/api/auth/profiles", headers=bearer(first), json={"name": "Kid"})
    assert extra.status_code == 201, extra.text
    login = await sapi.post("/api/auth/login", json={"email": email, "password": TEST_PASSWORD})
    assert login.json()["profile_id"] is None
    response = await sapi.post(
        START, json=body, headers=bearer(login.json()) | {"X-Viewer-Country": catalog.country}
    )
    assert_error(response, 403, "profile_required")

    who = await watcher(sapi, catalog)
    for bad in (
        {"content_id": str(film), "format": "hls"},
        {"content_id": str(film), "format": "mp4", "device": device()},
        {"content_id": "not-a-uuid", "device": device()},
        {"content_id": str(film), "device": {"id": "x", "type": "toaster"}},
        {"content_id": str(film), "device": {"id": "", "type": "web"}},
        {"content_id": str(film), "device": {"id": "a\x00b", "type": "web"}},
        {"content_id": str(film), "device": device(), "extra": 1},
    ):
        assert_error(await sapi.post(START, json=bad, headers=who.headers), 422)
    assert_error(
        await sapi.post(
            START, content=b"{", headers=who.headers | {"content-type": "application/json"}
        ),
        400,
        "malformed_json",
    )
    # Nothing was started by any of those.
    listed = await sapi.get("/api/stream/sessions", headers=who.headers)
    assert listed.json()["streams"] == []


async def test_a_manifest_is_only_for_the_sessions_profile_title_and_lifetime(
    sapi: httpx.AsyncClient, catalog: Catalog, videos: Videos
) -> None:
    film, other_film = await catalog.title("Mine"), await catalog.title("Other")
    await videos.add(film)
    who = await watcher(sapi, catalog, premium=True)
    body = await started(sapi, who, film)
    session = body["session_id"]
    url = f"/api/stream/{film}/manifest"
    assert (
        await sapi.get(url, params={"session": session}, headers=who.headers)
    ).status_code == 200
    sibling = await other_profile(sapi, who)
    stranger = await watcher(sapi, catalog)
    for caller in (sibling, stranger):
        response = await sapi.get(url, params={"session": session}, headers=caller.headers)
        assert_error(response, 404, "session_not_found")
    response = await sapi.get(
        f"/api/stream/{other_film}/manifest", params={"session": session}, headers=who.headers
    )
    assert_error(response, 404, "session_not_found")
    unknown = await sapi.get(url, params={"session": "x" * 24}, headers=who.headers)
    assert_error(unknown, 404, "session_not_found")
    assert_error(await sapi.get(url, params={"session": "bad id!"}, headers=who.headers), 422)
    assert_error(await sapi.get(url, headers=who.headers), 422)

    done = await sapi.post(COMPLETE, json={"session_id": session}, headers=who.headers)
    assert done.status_code == 200, done.text
    response = await sapi.get(url, params={"session": session}, headers=who.headers)
    assert_error(response, 410, "stream_ended")


async def _episodes(resources: AppContext, series: uuid.UUID) -> list[uuid.UUID]:
    async with resources.sessionmaker() as db:
        rows = await db.execute(
            text(
                "SELECT e.id FROM episodes e JOIN seasons s ON s.id = e.season_id "
                "WHERE s.content_id = :id ORDER BY s.season_number, e.episode_number"
            ),
            {"id": series},
        )
        return [row.id for row in rows]
