"""The JSON PostgreSQL renders (catalog/rendering.py) is exactly what the response models
document, in both languages, and follows `localized()`'s fallback rules."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from pydantic import TypeAdapter

from ott.catalog.rendering import localized
from ott.catalog.schemas import (
    ContentDetail,
    ContentPage,
    ContentSummary,
    EpisodeOut,
    SearchResults,
    SeasonOut,
)
from ott.content.models import Episode
from ott.core.locale import Language
from tests.catalog.conftest import Catalog, viewer

CATALOG = "/api/catalog"
UNTIL = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)

# (title, title_hi, description, description_hi): every fallback case.
TEXTS = [
    ("Both Languages", "दोनों भाषाएँ", "English text.", "हिंदी पाठ।"),
    ("English Only", None, "Only English.", None),
    ("Empty Hindi", "", "", "केवल हिंदी।"),
    ("Same Title", "Same Title", None, None),
]


def _validated(model: Any, response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    adapter = TypeAdapter(model)
    parsed = adapter.validate_json(response.content)
    # Nothing undocumented, nothing missing: a round trip gives back the same fields.
    assert _shape(response.json()) == _shape(adapter.dump_python(parsed, mode="json"))
    return parsed


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value]
    return type(value).__name__


@pytest.fixture
async def shelf(catalog: Catalog) -> Catalog:
    for number, (title, title_hi, description, description_hi) in enumerate(TEXTS):
        await catalog.title(
            title,
            title_hi=title_hi,
            description=description,
            description_hi=description_hi,
            genres=["drama", "comedy"] if number == 0 else [],
            seasons=[["Pilot", "Second"], ["Return"]] if number == 0 else [],
            release_date=date(2019, 3, 4) if number == 0 else None,
            people=["Asha Rao", "Vikram Sethi"],
            trailer_url="https://cdn.example/trailer.m3u8",
            available_until=UNTIL,
            popularity=1000.0 - number,
            tier_requirement="premium" if number == 1 else "free",
        )
    return catalog


@pytest.mark.parametrize("language", ["en", "hi"])
async def test_every_answer_matches_its_model(
    capi: httpx.AsyncClient, shelf: Catalog, language: str
) -> None:
    headers = shelf.headers(await viewer(capi, language=language))
    lang = Language(language)
    page: ContentPage = _validated(
        ContentPage, await capi.get(f"{CATALOG}/content", params={"limit": 3}, headers=headers)
    )
    assert page.next_cursor is not None
    rest: ContentPage = _validated(
        ContentPage,
        await capi.get(
            f"{CATALOG}/content", params={"limit": 3, "cursor": page.next_cursor}, headers=headers
        ),
    )
    assert rest.next_cursor is None
    listed = page.items + rest.items
    assert len(listed) == len(TEXTS), [(i.title, i.release_date) for i in listed]
    by_popularity = []
    for title, title_hi, description, description_hi in TEXTS:
        shown = localized(title, title_hi, lang)
        item = next(i for i in listed if i.title == shown)
        by_popularity.append(item.id)
        expected_other = title if shown != title else title_hi
        assert item.original_title == expected_other
        assert item.description == localized(description, description_hi, lang)
        assert item.locked is (title == "English Only")
    first = next(i for i in listed if i.id == by_popularity[0])
    assert first.release_date == date(2019, 3, 4)
    assert first.release_year == 2019
    assert [g.slug for g in first.genres] == ["comedy", "drama"]  # by English name
    if lang is Language.HI:
        assert first.genres[0].name != "Comedy"  # named in Hindi

    detail: ContentDetail = _validated(
        ContentDetail, await capi.get(f"{CATALOG}/content/{first.id}", headers=headers)
    )
    assert detail.people == ["Asha Rao", "Vikram Sethi"]
    assert detail.available_until == UNTIL
    assert detail.trailer_url == "https://cdn.example/trailer.m3u8"
    assert [(s.season_number, s.episode_count) for s in detail.seasons] == [(1, 2), (2, 1)]
    assert ContentSummary.model_validate(detail.model_dump()) == first
    seasons = _validated(
        list[SeasonOut], await capi.get(f"{CATALOG}/content/{first.id}/seasons", headers=headers)
    )
    assert seasons == detail.seasons
    # Episodes, one of them with a video (its facts rendered as documented) and a Hindi title.
    pilot, second, _ = await shelf.episode_ids(first.id)
    await shelf.video(first.id, episode_id=pilot, seconds=41.5, audio=["hi", "en"])
    async with shelf.resources.sessionmaker() as db, db.begin():
        episode = await db.get(Episode, pilot)
        assert episode is not None
        episode.title_hi, episode.description_hi = "पायलट", "पहला एपिसोड।"
    episodes = _validated(
        list[EpisodeOut],
        await capi.get(f"{CATALOG}/seasons/{seasons[0].id}/episodes", headers=headers),
    )
    assert [e.id for e in episodes] == [pilot, second]
    assert episodes[0].title == localized("Pilot", "पायलट", lang)
    assert episodes[0].description == localized(None, "पहला एपिसोड।", lang)
    assert episodes[1].title == "Second"  # no Hindi title: the English one in both
    assert (episodes[0].playable, episodes[0].duration_seconds) == (True, 41.5)
    assert episodes[0].audio_languages == ["en", "hi"]
    assert (episodes[1].playable, episodes[1].audio_languages) == (False, [])
    no_seasons = await capi.get(f"{CATALOG}/content/{by_popularity[1]}", headers=headers)
    assert _validated(ContentDetail, no_seasons).seasons == []
    film = by_popularity[1]
    await shelf.video(film, seconds=20.0, subtitles=["en"])
    # Asked with another query: the answer above is cached, and a row written straight to the
    # database announces nothing (the pipeline's writes do).
    with_video = _validated(
        ContentDetail, await capi.get(f"{CATALOG}/content/{film}", params={"v": 1}, headers=headers)
    )
    assert (with_video.playable, with_video.duration_seconds) == (True, 20.0)
    assert with_video.subtitle_languages == ["en"]

    trending = _validated(
        list[ContentSummary], await capi.get(f"{CATALOG}/trending", headers=headers)
    )
    assert [t.id for t in trending] == by_popularity
    found: SearchResults = _validated(
        SearchResults,
        await capi.get(f"{CATALOG}/search", params={"q": 'Same "Title'}, headers=headers),
    )
    assert found.query == 'Same "Title'
    assert [item.title for item in found.items] == ["Same Title"]
