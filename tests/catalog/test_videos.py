"""What the catalog says about a title's video: whether there is one to play, its length, its
audio and subtitle languages, its thumbnails track, and its frame as the poster (or an
episode's thumbnail) when no image was uploaded. A finished encoding shows within a second.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import TypeAdapter
from sqlalchemy import select, text

from ott.catalog.schemas import ContentDetail, ContentPage, ContentSummary, EpisodeOut
from ott.content.models import Episode
from ott.core.app_context import AppContext
from ott.core.settings import Settings
from ott.core.storage import LocalStorage
from ott.media.jobs.factory import create_worker
from ott.media.models import EncodingStatus
from tests.catalog.conftest import Catalog
from tests.conftest import assert_error, settings_with
from tests.media import sources
from tests.media.conftest import enqueue, wait_for_status

CONTENT = "/api/catalog/content"
UPLOADED_POSTER = "https://cdn.example/posters/uploaded.jpg"
UPLOADED_THUMBNAIL = "https://cdn.example/thumbnails/uploaded.jpg"


async def _detail(capi: httpx.AsyncClient, catalog: Catalog, content_id: uuid.UUID) -> Any:
    response = await capi.get(f"{CONTENT}/{content_id}", headers=catalog.headers())
    assert response.status_code == 200, response.text
    return TypeAdapter(ContentDetail).validate_json(response.content)


async def _episodes(
    capi: httpx.AsyncClient, catalog: Catalog, content_id: uuid.UUID
) -> list[EpisodeOut]:
    seasons = (await capi.get(f"{CONTENT}/{content_id}/seasons", headers=catalog.headers())).json()
    response = await capi.get(
        f"/api/catalog/seasons/{seasons[0]['id']}/episodes", headers=catalog.headers()
    )
    assert response.status_code == 200, response.text
    return TypeAdapter(list[EpisodeOut]).validate_json(response.content)


def _frame(encoding_id: uuid.UUID, owner: uuid.UUID, name: str = "poster.jpg") -> str:
    return f"/media/videos/{owner}/{encoding_id}/{name}"


async def test_a_title_without_a_video_says_so(capi: httpx.AsyncClient, catalog: Catalog) -> None:
    film = await catalog.title("Nothing Yet")
    await catalog.video(film, status=EncodingStatus.FAILED)
    await catalog.video(film, status=EncodingStatus.RUNNING)
    await catalog.video(film, status=EncodingStatus.QUEUED)
    detail = await _detail(capi, catalog, film)
    assert detail.playable is False
    assert (detail.duration_seconds, detail.thumbnails_url, detail.poster_url) == (None, None, None)
    assert (detail.audio_languages, detail.subtitle_languages) == ([], [])


async def test_a_films_detail_describes_its_newest_video(
    capi: httpx.AsyncClient, catalog: Catalog
) -> None:
    film = await catalog.title("Two Cuts")
    earlier = datetime.now(UTC) - timedelta(hours=1)
    await catalog.video(film, seconds=90.0, audio=["en"], finished_at=earlier)
    newest = await catalog.video(film, seconds=23.48, audio=["hi", "en"], subtitles=["en"])
    detail = await _detail(capi, catalog, film)
    assert detail.playable is True
    assert detail.duration_seconds == pytest.approx(23.48)
    assert detail.audio_languages == ["en", "hi"]
    assert detail.subtitle_languages == ["en"]
    assert detail.poster_url == _frame(newest, film)
    assert detail.thumbnails_url == _frame(newest, film, "thumbnails.vtt")
    assert detail.thumbnail_url is None  # the landscape image stays the uploaded one only

    uploaded = await catalog.title("Has A Poster", poster_url=UPLOADED_POSTER)
    await catalog.video(uploaded)
    detail = await _detail(capi, catalog, uploaded)
    assert (detail.playable, detail.poster_url) == (True, UPLOADED_POSTER)

    # A title whose poster was cleared to empty falls back too.
    cleared = await catalog.title("Cleared Poster", poster_url="")
    encoding = await catalog.video(cleared)
    assert (await _detail(capi, catalog, cleared)).poster_url == _frame(encoding, cleared)


async def test_a_series_and_its_episodes(capi: httpx.AsyncClient, catalog: Catalog) -> None:
    show = await catalog.title("Rain Diaries", seasons=[["Pilot", "Storm", "Calm"]])
    pilot, storm, calm = await catalog.episode_ids(show)
    pilot_video = await catalog.video(
        show, episode_id=pilot, seconds=41.0, audio=["en", "hi"], subtitles=["en"]
    )
    storm_video = await catalog.video(show, episode_id=storm, seconds=38.5, audio=["ta"])
    async with catalog.resources.sessionmaker() as db, db.begin():
        episode = await db.get(Episode, storm)
        assert episode is not None
        episode.thumbnail_url = UPLOADED_THUMBNAIL

    detail = await _detail(capi, catalog, show)
    assert detail.playable is True
    # A series' length and thumbnails are its episodes'; its languages are all of theirs.
    assert (detail.duration_seconds, detail.thumbnails_url) == (None, None)
    assert detail.audio_languages == ["en", "hi", "ta"]
    assert detail.subtitle_languages == ["en"]
    assert detail.poster_url in {_frame(pilot_video, pilot), _frame(storm_video, storm)}

    episodes = {e.id: e for e in await _episodes(capi, catalog, show)}
    first = episodes[pilot]
    assert (first.playable, first.duration_seconds) == (True, pytest.approx(41.0))
    assert (first.audio_languages, first.subtitle_languages) == (["en", "hi"], ["en"])
    assert first.thumbnail_url == _frame(pilot_video, pilot)
    assert first.thumbnails_url == _frame(pilot_video, pilot, "thumbnails.vtt")
    assert first.duration_minutes == 40  # the editorial length stays as it was
    second = episodes[storm]
    assert (second.playable, second.thumbnail_url) == (True, UPLOADED_THUMBNAIL)
    assert second.audio_languages == ["ta"]
    third = episodes[calm]
    assert (third.playable, third.duration_seconds, third.thumbnail_url) == (False, None, None)
    assert (third.audio_languages, third.subtitle_languages, third.thumbnails_url) == ([], [], None)

    bare = await catalog.title("Dry Season", seasons=[["Dust"]])
    assert (await _detail(capi, catalog, bare)).playable is False


async def test_listings_trending_and_search_carry_playable_and_the_poster_frame(
    capi: httpx.AsyncClient, catalog: Catalog
) -> None:
    encoded = await catalog.title("Glasshouse Encoded", popularity=30.0)
    video = await catalog.video(encoded)
    uploaded = await catalog.title(
        "Glasshouse Uploaded", poster_url=UPLOADED_POSTER, popularity=20.0
    )
    await catalog.video(uploaded)
    plain = await catalog.title("Glasshouse Plain", popularity=10.0)
    show = await catalog.title("Glasshouse Series", seasons=[["One"]], popularity=5.0)
    (episode,) = await catalog.episode_ids(show)
    episode_video = await catalog.video(show, episode_id=episode)
    expected = {
        encoded: (True, _frame(video, encoded)),
        uploaded: (True, UPLOADED_POSTER),
        plain: (False, None),
        show: (True, _frame(episode_video, episode)),
    }

    def seen(items: list[ContentSummary]) -> dict[uuid.UUID, tuple[bool, str | None]]:
        return {item.id: (item.playable, item.poster_url) for item in items}

    for params in ({}, {"sort": "title"}, {"sort": "popularity"}, {"type": "tv_show"}):
        response = await capi.get(CONTENT, params=params, headers=catalog.headers())
        page = TypeAdapter(ContentPage).validate_json(response.content)
        wanted = {show: expected[show]} if "type" in params else expected
        assert seen(page.items) == wanted, params
    trending = await capi.get("/api/catalog/trending", headers=catalog.headers())
    assert seen(TypeAdapter(list[ContentSummary]).validate_json(trending.content)) == expected
    search = await capi.get(
        "/api/catalog/search", params={"q": "glasshouse"}, headers=catalog.headers()
    )
    assert seen(TypeAdapter(list[ContentSummary]).validate_python(search.json()["items"])) == (
        expected
    )


async def test_episodes_of_a_hidden_or_unknown_season_are_not_found(
    capi: httpx.AsyncClient, catalog: Catalog
) -> None:
    hidden = await catalog.title(
        "Elsewhere", seasons=[["Far"]], rules=[{"allowed_countries": ["ZZ"]}]
    )
    (episode,) = await catalog.episode_ids(hidden)
    await catalog.video(hidden, episode_id=episode)
    async with catalog.resources.sessionmaker() as db:
        season_id = await db.scalar(select(Episode.season_id).where(Episode.id == episode))
    response = await capi.get(
        f"/api/catalog/seasons/{season_id}/episodes", headers=catalog.headers()
    )
    assert_error(response, 404)
    unknown = uuid.uuid4()
    response = await capi.get(f"/api/catalog/seasons/{unknown}/episodes", headers=catalog.headers())
    assert_error(response, 404)


# --- a real encoding, announced ----------------------------------------------------------

FRESHNESS_S = 1.0


@pytest.fixture
async def catalog_worker(
    catalog_settings: Settings, resources: AppContext
) -> AsyncIterator[LocalStorage]:
    """A transcoding worker on the catalog's database announcing on its event bus, like the
    one `ott serve` runs (the jobs other tests left runnable, which have no inputs, are
    cancelled first)."""
    async with resources.sessionmaker() as db, db.begin():
        await db.execute(
            text("UPDATE encodings SET status = 'cancelled' WHERE status IN ('queued', 'running')")
        )
    settings = settings_with(
        catalog_settings, transcode_preset="ultrafast", transcode_poll_seconds=0.1
    )
    storage = LocalStorage(catalog_settings.data_dir / "media")
    worker = create_worker(
        settings=settings,
        sessionmaker=resources.sessionmaker,
        storage=storage,
        events=resources.events,
        name="catalog-test-worker",
    )
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    yield storage
    stop.set()
    await asyncio.wait_for(task, 30)


async def test_a_finished_encoding_shows_in_cached_answers_within_a_second(
    capi: httpx.AsyncClient,
    catalog: Catalog,
    resources: AppContext,
    catalog_worker: LocalStorage,
) -> None:
    film = await catalog.title("Fresh Print")
    before = await _detail(capi, catalog, film)  # cached now, for CATALOG_CACHE_SECONDS=10
    assert (before.playable, before.poster_url, before.duration_seconds) == (False, None, None)
    listing = await capi.get(CONTENT, headers=catalog.headers())
    assert [item["playable"] for item in listing.json()["items"]] == [False]

    source = sources.make_source(sources.session_dir())
    subtitles = sources.make_srt(sources.session_dir())
    job = await enqueue(
        resources, catalog_worker, source, content_id=film, subtitles=[(subtitles, "en", None)]
    )
    await wait_for_status(resources, job, EncodingStatus.SUCCEEDED, within=120)

    loop = asyncio.get_running_loop()
    started = loop.time()
    while True:
        detail = await _detail(capi, catalog, film)
        if detail.playable:
            break
        assert loop.time() - started < FRESHNESS_S, "the cached detail did not change in a second"
        await asyncio.sleep(0.02)
    assert detail.duration_seconds == pytest.approx(4.0, abs=0.2)
    assert (detail.audio_languages, detail.subtitle_languages) == (["en"], ["en"])
    assert detail.poster_url is not None
    assert detail.poster_url.endswith(f"/{job}/poster.jpg")
    assert detail.thumbnails_url is not None
    assert detail.thumbnails_url.endswith("thumbnails.vtt")
    # The frame is a real file of the encoding.
    assert (catalog_worker.root / detail.poster_url.removeprefix("/media/")).is_file()
    listing = await capi.get(CONTENT, headers=catalog.headers())
    assert [item["playable"] for item in listing.json()["items"]] == [True]
