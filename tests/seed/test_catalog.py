"""The demo catalog generator: determinism, the mix of content, and the document's shape."""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import ott
from ott.seed import GENRE_SLUGS, MATURITY_RATINGS, generate_catalog
from ott.seed.words import REAL_TITLES

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
TODAY = date(2026, 11, 26)  # NOW in India
SEEDS = [7, 1, 2, 3, 42]

TITLE_KEYS = {
    "external_id",
    "type",
    "title",
    "title_hi",
    "description",
    "description_hi",
    "original_language",
    "release_date",
    "duration_minutes",
    "maturity_rating",
    "genres",
    "people",
    "tier_requirement",
    "available_from",
    "available_until",
    "availability_rules",
    "poster_url",
    "thumbnail_url",
    "trailer_url",
    "popularity",
    "seasons",
}
SEASON_KEYS = {"season_number", "title", "title_hi", "release_date", "episodes"}
EPISODE_KEYS = {
    "episode_number",
    "title",
    "title_hi",
    "description",
    "description_hi",
    "duration_minutes",
    "thumbnail_url",
}
RULE_KEYS = {"allowed_countries", "blocked_countries", "starts_at", "ends_at", "tier"}
DEVANAGARI = re.compile(r"[\u0900-\u097F]")


@pytest.fixture(scope="module", params=SEEDS, ids=lambda seed: f"seed{seed}")
def catalog(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    titles: list[dict[str, Any]] = generate_catalog(250, seed=request.param, now=NOW)["titles"]
    return titles


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    assert moment.tzinfo is not None, value
    return moment


def _is_optional_str(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value != "")


# -- determinism --------------------------------------------------------------------------------


def test_same_seed_gives_the_same_document() -> None:
    first = generate_catalog(250, seed=11, now=NOW)
    second = generate_catalog(250, seed=11, now=NOW)
    assert first == second
    assert json.dumps(first, ensure_ascii=False) == json.dumps(second, ensure_ascii=False)


def test_different_seeds_give_different_documents() -> None:
    first = generate_catalog(250, seed=1, now=NOW)["titles"]
    second = generate_catalog(250, seed=2, now=NOW)["titles"]
    assert first != second
    assert [t["title"] for t in first] != [t["title"] for t in second]
    # ...but the same external ids, so re-seeding with another seed replaces titles in place.
    assert [t["external_id"] for t in first] == [t["external_id"] for t in second]


def test_a_smaller_catalog_is_the_start_of_a_larger_one() -> None:
    small = generate_catalog(40, now=NOW)["titles"]
    large = generate_catalog(250, now=NOW)["titles"]
    assert large[:40] == small


def test_default_now_is_today() -> None:
    first = generate_catalog(60)
    assert first == generate_catalog(60)  # the same all day
    latest = max(date.fromisoformat(t["release_date"]) for t in first["titles"])
    assert latest <= datetime.now(UTC).date() + timedelta(days=61)


def test_small_and_empty_catalogs() -> None:
    assert generate_catalog(0) == {"titles": []}
    titles = generate_catalog(5, now=NOW)["titles"]
    assert [t["external_id"] for t in titles] == [f"demo-00000{n}" for n in range(1, 6)]
    with pytest.raises(ValueError, match="negative"):
        generate_catalog(-1)


# -- the mix ------------------------------------------------------------------------------------


def test_mix_of_types(catalog: list[dict[str, Any]]) -> None:
    types = Counter(t["type"] for t in catalog)
    assert set(types) == {"movie", "tv_show", "sports"}
    assert 0.50 <= types["movie"] / 250 <= 0.60
    assert 0.25 <= types["tv_show"] / 250 <= 0.35
    assert 0.10 <= types["sports"] / 250 <= 0.20


def test_languages(catalog: list[dict[str, Any]]) -> None:
    hindi = [t for t in catalog if t["original_language"] == "hi"]
    assert {t["original_language"] for t in catalog} == {"en", "hi"}
    assert 0.30 <= len(hindi) / 250 <= 0.50
    with_hindi = [t for t in catalog if t["title_hi"] is not None]
    assert len(with_hindi) >= 0.85 * 250  # most titles are bilingual...
    assert len(with_hindi) < 250  # ...a few are English only, for the fallback
    for title in with_hindi:
        assert DEVANAGARI.search(title["title_hi"]), title["title_hi"]
        assert DEVANAGARI.search(title["description_hi"]), title["description_hi"]
    for title in hindi:  # Hindi originals always carry their Hindi metadata
        assert title["title_hi"] is not None
        assert title["description_hi"] is not None
    for title in catalog:
        assert not DEVANAGARI.search(title["title"]), title["title"]
        assert not DEVANAGARI.search(title["description"] or ""), title["description"]


def test_genres_match_the_standard_list() -> None:
    path = Path(ott.__file__).parent / "migrations" / "versions" / "20261125_catalog_genres.py"
    spec = importlib.util.spec_from_file_location("catalog_genres_migration", path)
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert sorted(slug for _, _, slug in migration.GENRES) == sorted(GENRE_SLUGS)
    assert len(GENRE_SLUGS) == 23


def test_every_genre_is_used_by_several_titles(catalog: list[dict[str, Any]]) -> None:
    used = Counter(genre for t in catalog for genre in t["genres"])
    assert set(used) == set(GENRE_SLUGS)
    assert min(used.values()) >= 3, used
    for title in catalog:
        assert 1 <= len(title["genres"]) <= 3
        assert len(set(title["genres"])) == len(title["genres"])
        assert set(title["genres"]) <= set(GENRE_SLUGS)
        if title["type"] == "sports":
            assert "sports" in title["genres"]


def test_maturity_ratings(catalog: list[dict[str, Any]]) -> None:
    ratings = Counter(t["maturity_rating"] for t in catalog)
    assert set(ratings) == set(MATURITY_RATINGS)
    assert ratings["G"] + ratings["PG"] >= 0.3 * 250  # a good shelf for a kids profile
    kids_shelf = [t for t in catalog if t["maturity_rating"] in ("G", "PG")]
    assert {"movie", "tv_show", "sports"} <= {t["type"] for t in kids_shelf}
    for title in catalog:
        if "kids" in title["genres"]:
            assert title["maturity_rating"] in ("G", "PG"), title["title"]
        if "horror" in title["genres"]:
            assert title["maturity_rating"] not in ("G", "PG"), title["title"]


def test_premium_tier(catalog: list[dict[str, Any]]) -> None:
    premium = sum(t["tier_requirement"] == "premium" for t in catalog)
    assert 0.12 <= premium / 250 <= 0.38


def test_release_dates_and_upcoming_titles(catalog: list[dict[str, Any]]) -> None:
    released = [date.fromisoformat(t["release_date"]) for t in catalog]
    assert min(released).year <= 1985
    assert max(released) <= TODAY + timedelta(days=60)
    assert sum(d.year >= 2020 for d in released) >= 0.3 * 250  # a recent-heavy catalog
    upcoming = [t for t in catalog if date.fromisoformat(t["release_date"]) > TODAY]
    assert upcoming
    for title in upcoming:
        assert title["available_from"] is not None
        assert _moment(title["available_from"]) > NOW
    for title in catalog:
        if title["available_from"] is not None:
            assert date.fromisoformat(title["release_date"]) > TODAY
        if title["available_until"] is not None:
            assert _moment(title["available_until"]) > NOW


def test_availability_rules(catalog: list[dict[str, Any]]) -> None:
    ruled = [t for t in catalog if t["availability_rules"]]
    assert 0.03 * 250 <= len(ruled) <= 0.25 * 250
    rules = [rule for t in ruled for rule in t["availability_rules"]]
    assert any(rule["allowed_countries"] == ["IN"] for rule in rules)
    assert any("US" in rule["blocked_countries"] for rule in rules)
    assert any(rule["starts_at"] is not None for rule in rules)
    for title in ruled:
        for rule in title["availability_rules"]:
            if rule["starts_at"] is not None and rule["ends_at"] is not None:
                assert _moment(rule["starts_at"]) < _moment(rule["ends_at"])
            if rule["tier"] == "premium":  # premium in one country: free elsewhere
                (country,) = rule["allowed_countries"]
                assert title["tier_requirement"] == "free"
                others = [r for r in title["availability_rules"] if r is not rule]
                assert any(r["blocked_countries"] == [country] for r in others)


def test_rule_kinds_over_a_larger_catalog() -> None:
    titles = generate_catalog(2000, now=NOW)["titles"]
    rules = [rule for t in titles for rule in t["availability_rules"]]
    now = NOW
    assert any(r["ends_at"] and _moment(r["ends_at"]) < now for r in rules)  # window in the past
    assert any(r["starts_at"] and _moment(r["starts_at"]) > now for r in rules)  # in the future
    assert any(r["tier"] == "premium" for r in rules)
    assert any(r["allowed_countries"] and len(r["allowed_countries"]) > 1 for r in rules)


def test_people(catalog: list[dict[str, Any]]) -> None:
    everyone = Counter(name for t in catalog for name in t["people"])
    for title in catalog:
        assert 3 <= len(title["people"]) <= 8
        assert len(set(title["people"])) == len(title["people"])
        for name in title["people"]:
            assert re.fullmatch(r"[A-Z][a-z]+ [A-Z][A-Za-z']+", name), name
    assert len(everyone) >= 300  # a whole invented industry...
    assert everyone.most_common(1)[0][1] >= 5  # ...with a few familiar faces


def test_durations(catalog: list[dict[str, Any]]) -> None:
    for title in catalog:
        minutes = title["duration_minutes"]
        if title["type"] == "movie":
            assert 45 <= minutes <= 200, title  # documentaries can be short
        elif title["type"] == "tv_show":
            assert minutes is None or 10 <= minutes <= 75, title
            for season in title["seasons"]:
                for episode in season["episodes"]:
                    assert 5 <= episode["duration_minutes"] <= 90
        else:
            assert 8 <= minutes <= 480, title


def test_popularity_has_a_long_tail(catalog: list[dict[str, Any]]) -> None:
    values = sorted((t["popularity"] for t in catalog), reverse=True)
    assert all(isinstance(v, float) and v >= 0 for v in values)
    top_tenth = sum(values[:25])
    assert top_tenth > 0.5 * sum(values)
    assert values[125] < values[0] / 20


def test_titles_are_unique_and_invented(catalog: list[dict[str, Any]]) -> None:
    names = [t["title"] for t in catalog]
    assert len(set(names)) == len(names)
    assert not {n.lower() for n in names} & REAL_TITLES


def test_search_demonstration_titles() -> None:
    titles = [t["title"] for t in generate_catalog(20, now=NOW)["titles"]]
    assert any({"dark", "knight"} <= set(name.lower().split()) for name in titles), titles
    assert "The Last Monsoon" in titles
    assert "Midnight Express to Pune" in titles


# -- the document's shape -----------------------------------------------------------------------


def test_structure(catalog: list[dict[str, Any]]) -> None:
    ids = [t["external_id"] for t in catalog]
    assert ids == [f"demo-{n:06d}" for n in range(1, 251)]
    for title in catalog:
        assert set(title) == TITLE_KEYS
        assert title["type"] in ("movie", "tv_show", "sports")
        assert isinstance(title["title"], str)
        assert 0 < len(title["title"]) <= 500
        assert title["title_hi"] is None or 0 < len(title["title_hi"]) <= 500
        for key in ("title_hi", "description", "description_hi"):
            assert _is_optional_str(title[key]), key
        assert title["original_language"] in ("en", "hi")
        date.fromisoformat(title["release_date"])
        minutes = title["duration_minutes"]
        assert minutes is None or (isinstance(minutes, int) and minutes > 0)
        assert title["maturity_rating"] in MATURITY_RATINGS
        assert isinstance(title["genres"], list)
        assert isinstance(title["people"], list)
        assert all(isinstance(name, str) for name in title["people"])
        assert title["tier_requirement"] in ("free", "premium")
        for key in ("available_from", "available_until"):
            assert title[key] is None or _moment(title[key])
        assert title["poster_url"] is None
        assert title["thumbnail_url"] is None
        assert title["trailer_url"] is None
        assert isinstance(title["popularity"], float)
        for rule in title["availability_rules"]:
            assert set(rule) == RULE_KEYS
            allowed = rule["allowed_countries"]
            assert allowed is None or allowed
            assert all(re.fullmatch(r"[A-Z]{2}", c) for c in allowed or [])
            assert all(re.fullmatch(r"[A-Z]{2}", c) for c in rule["blocked_countries"])
            for key in ("starts_at", "ends_at"):
                assert rule[key] is None or _moment(rule[key])
            assert rule["tier"] in (None, "free", "premium")
        _check_seasons(title)
    json.dumps(catalog)  # plain JSON all the way down


def _check_seasons(title: dict[str, Any]) -> None:
    seasons = title["seasons"]
    if title["type"] != "tv_show":
        assert seasons == []
        return
    assert 1 <= len(seasons) <= 4
    assert [s["season_number"] for s in seasons] == list(range(1, len(seasons) + 1))
    first_release = date.fromisoformat(title["release_date"])
    previous = None
    for season in seasons:
        assert set(season) == SEASON_KEYS
        assert season["title"] is None or 0 < len(season["title"]) <= 255
        assert season["title_hi"] is None or 0 < len(season["title_hi"]) <= 255
        released = date.fromisoformat(season["release_date"])
        assert released >= first_release
        assert previous is None or released > previous
        previous = released
        episodes = season["episodes"]
        assert 4 <= len(episodes) <= 10
        assert [e["episode_number"] for e in episodes] == list(range(1, len(episodes) + 1))
        for episode in episodes:
            assert set(episode) == EPISODE_KEYS
            assert isinstance(episode["title"], str)
            assert 0 < len(episode["title"]) <= 255
            assert episode["title_hi"] is None or 0 < len(episode["title_hi"]) <= 255
            assert _is_optional_str(episode["description"])
            assert _is_optional_str(episode["description_hi"])
            assert isinstance(episode["duration_minutes"], int)
            assert episode["thumbnail_url"] is None
            if title["title_hi"] is None:  # English-only titles are English-only throughout
                assert episode["title_hi"] is None
                assert episode["description_hi"] is None
    released_seasons = [s for s in seasons if date.fromisoformat(s["release_date"]) <= TODAY]
    assert released_seasons or len(seasons) == 1


# -- the benchmark catalog ----------------------------------------------------------------------


def test_fifty_thousand_titles_are_distinct() -> None:
    # The benchmark's catalog size (its generation time is part of bench/catalog.py's import).
    titles = generate_catalog(50_000, seed=7, now=NOW)["titles"]
    assert len(titles) == 50_000
    assert len({t["external_id"] for t in titles}) == 50_000
    assert titles[-1]["external_id"] == "demo-050000"
    assert len({t["title"] for t in titles}) == 50_000
