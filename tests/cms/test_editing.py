"""Creating and editing titles: every field kept, bad input refused with nothing written,
optimistic concurrency without lost updates, and the version history with diffs and restore."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import httpx
import pytest

from ott.core.app_context import AppContext
from tests.cms.conftest import (
    CMS,
    Staff,
    act,
    create,
    episode,
    fetch,
    movie,
    show,
    table_counts,
    title_rows,
    to_state,
)
from tests.conftest import assert_error

EDITABLE = [
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
    "poster_url",
    "thumbnail_url",
    "trailer_url",
    "popularity",
]


def _strip_ids(seasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **{k: v for k, v in s.items() if k not in ("id", "episodes")},
            "episodes": [{k: v for k, v in e.items() if k != "id"} for e in s["episodes"]],
        }
        for s in seasons
    ]


async def test_a_created_title_keeps_every_field(api: httpx.AsyncClient, staff: Staff) -> None:
    body = show(
        description="Line one\nLine two\twith a tab",
        description_hi="पहली पंक्ति",
        available_from="2026-03-01T10:00:00+05:30",
        available_until="2027-03-01T00:00:00Z",
        tier_requirement="premium",
        trailer_url="/media/trailers/sg.mp4",
        thumbnail_url="http://cdn.example.com/t.jpg",
    )
    view = await create(api, staff.editor, body)
    assert await fetch(api, staff.editor, view["id"]) == view
    for name in EDITABLE:
        if name in ("available_from", "available_until"):
            continue
        assert view[name] == body[name], name
    assert view["available_from"] == "2026-03-01T04:30:00Z"  # kept in UTC
    assert view["available_until"] == "2027-03-01T00:00:00Z"
    assert _strip_ids(view["seasons"]) == body["seasons"]
    rule = view["availability_rules"][0]
    assert rule["allowed_countries"] == ["IN", "US"]
    assert rule["starts_at"] == "2026-01-01T00:00:00Z"


@pytest.mark.parametrize(
    ("rating", "level"), [("G", 0), ("PG", 1), ("PG-13", 2), ("R", 3), ("NC-17", 4)]
)
async def test_the_maturity_level_follows_the_rating(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext, rating: str, level: int
) -> None:
    view = await create(api, staff.editor, movie(maturity_rating=rating))
    assert (view["maturity_rating"], view["maturity_level"]) == (rating, level)
    assert (await title_rows(resources, view["id"]))["content"][0]["maturity_level"] == level


async def test_markup_is_stored_as_text(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    title = '<script>alert("x")</script> & <b>Bold</b>'
    view = await create(api, staff.editor, movie(title=title, description="<img src=x onerror=1>"))
    response = await api.get(f"{CMS}/{view['id']}", headers=staff.editor.headers)
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["title"] == title
    assert response.json()["description"] == "<img src=x onerror=1>"
    row = (await title_rows(resources, view["id"]))["content"][0]
    assert row["title"] == title
    assert row["sort_title"] == title.casefold()


def _bad(**changes: Any) -> dict[str, Any]:
    body = show()
    for path, value in changes.items():
        target: Any = body
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is _DELETE:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return body


_DELETE = object()

BAD_BODIES = {
    "no title": (_bad(title=_DELETE), "title"),
    "empty title": (_bad(title="   "), "title"),
    "title too long": (_bad(title="x" * 501), "title"),
    "hindi title too long": (_bad(title_hi="क" * 501), "title_hi"),
    "control character": (_bad(title="Bad\x00title"), "title"),
    "unknown type": (_bad(type="podcast"), "type"),
    "unknown rating": (_bad(maturity_rating="X"), "maturity_rating"),
    "unknown language": (_bad(original_language="fr"), "original_language"),
    "unknown tier": (_bad(tier_requirement="gold"), "tier_requirement"),
    "bad date": (_bad(release_date="2020-13-01"), "release_date"),
    "zero duration": (_bad(duration_minutes=0), "duration_minutes"),
    "negative popularity": (_bad(popularity=-1), "popularity"),
    "script url": (_bad(poster_url="javascript:alert(1)"), "poster_url"),
    "url too long": (_bad(trailer_url="https://x.example/" + "a" * 500), "trailer_url"),
    "person too long": (_bad(people=["x" * 201]), "people.0"),
    "external id too long": (_bad(external_id="x" * 201), "external_id"),
    "unknown field": (_bad(rating_stars=5), "rating_stars"),
    "lower-case country": (_bad(availability_rules__0__allowed_countries=["in"]), "0"),
    "three-letter country": (_bad(availability_rules__0__blocked_countries=["IND"]), "0"),
    "rule ends before it starts": (
        _bad(availability_rules__0__ends_at="2025-12-31T00:00:00Z"),
        "ends_at",
    ),
    "until before from": (
        _bad(available_from="2026-02-01T00:00:00Z", available_until="2026-01-01T00:00:00Z"),
        "available_until",
    ),
    "unknown rule field": (_bad(availability_rules__0__region="EU"), "region"),
    "repeated season": (_bad(seasons__1__season_number=1), "seasons"),
    "repeated episode": (_bad(seasons__0__episodes__2__episode_number=1), "episodes"),
    "episode without title": (_bad(seasons__0__episodes__0__title=_DELETE), "title"),
    "negative season": (_bad(seasons__0__season_number=-1), "season_number"),
    "seasons on a movie": (_bad(type="movie"), "seasons"),
    "genres not a list": (_bad(genres="drama"), "genres"),
}


@pytest.mark.parametrize("case", list(BAD_BODIES))
async def test_bad_input_is_422_and_nothing_is_written(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext, case: str
) -> None:
    body, field = BAD_BODIES[case]
    counts = await table_counts(resources)
    response = await api.post(CMS, json=body, headers=staff.editor.headers)
    error = assert_error(response, 422, "validation_error")
    assert any(d["field"].endswith(field) for d in error["details"]), error
    assert await table_counts(resources) == counts


async def test_an_unknown_genre_is_422(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    counts = await table_counts(resources)
    response = await api.post(
        CMS, json=movie(genres=["drama", "space-opera"]), headers=staff.editor.headers
    )
    error = assert_error(response, 422, "unknown_genre")
    assert error["details"] == [{"field": "genres", "message": "unknown genre 'space-opera'"}]
    assert await table_counts(resources) == counts


async def test_malformed_json_is_400(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    counts = await table_counts(resources)
    response = await api.post(
        CMS,
        content=b'{"title": "x",',
        headers={**staff.editor.headers, "content-type": "application/json"},
    )
    assert_error(response, 400, "malformed_json")
    assert await table_counts(resources) == counts


async def test_an_external_id_belongs_to_one_title(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    first = await create(api, staff.editor, movie())
    counts = await table_counts(resources)
    response = await api.post(
        CMS, json=movie(external_id=first["external_id"]), headers=staff.editor.headers
    )
    error = assert_error(response, 409, "external_id_taken")
    assert error["details"]["content_id"] == first["id"]
    assert await table_counts(resources) == counts

    other = movie()
    second = await create(api, staff.editor, other)
    before = await title_rows(resources, second["id"])
    response = await api.put(
        f"{CMS}/{second['id']}",
        json={**other, "external_id": first["external_id"], "version": 1},
        headers=staff.editor.headers,
    )
    assert_error(response, 409, "external_id_taken")
    assert await title_rows(resources, second["id"]) == before


async def test_a_title_without_optional_fields_gets_the_defaults(
    api: httpx.AsyncClient, staff: Staff
) -> None:
    view = await create(api, staff.editor, {"type": "sports", "title": "Final"})
    assert view["external_id"] is None
    assert view["maturity_rating"] == "PG-13"
    assert view["tier_requirement"] == "free"
    assert view["original_language"] == "en"
    assert (view["genres"], view["people"], view["seasons"]) == ([], [], [])
    assert view["popularity"] == 0.0


# --- edits and concurrency ----------------------------------------------------------------


async def test_an_update_names_its_version_and_a_stale_one_is_409(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    body = movie()
    view = await create(api, staff.editor, body)
    first = await api.put(
        f"{CMS}/{view['id']}",
        json={**body, "title": "One", "version": 1},
        headers=staff.editor.headers,
    )
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 2
    before = await title_rows(resources, view["id"])
    stale = await api.put(
        f"{CMS}/{view['id']}",
        json={**body, "title": "Two", "version": 1},
        headers=staff.editor.headers,
    )
    error = assert_error(stale, 409, "stale_version")
    assert error["details"] == {"current_version": 2, "your_version": 1}
    assert await title_rows(resources, view["id"]) == before

    missing = await api.put(
        f"{CMS}/{view['id']}", json={**body, "title": "Three"}, headers=staff.editor.headers
    )
    assert_error(missing, 422, "validation_error")
    assert await title_rows(resources, view["id"]) == before


async def test_concurrent_updates_from_one_version_exactly_one_wins(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    body = show(seasons=1, episodes=2)
    view = await create(api, staff.editor, body)
    bodies = [{**body, "title": f"Racer {i}", "version": 1} for i in range(6)]
    responses = await asyncio.gather(
        *(api.put(f"{CMS}/{view['id']}", json=b, headers=staff.editor.headers) for b in bodies)
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 5, [r.text for r in responses]
    winner = next(r.json() for r in responses if r.status_code == 200)
    for response in responses:
        if response.status_code == 409:
            assert_error(response, 409, "stale_version")
    rows = await title_rows(resources, view["id"])
    assert rows["content"][0]["title"] == winner["title"]
    assert rows["content"][0]["version"] == 2
    assert [v["version_number"] for v in rows["versions"]] == [1, 2]
    assert rows["versions"][1]["metadata"]["title"] == winner["title"]


async def test_an_update_that_changes_nothing_makes_no_version(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    body = show()
    view = await create(api, staff.editor, body)
    before = await title_rows(resources, view["id"])
    response = await api.put(
        f"{CMS}/{view['id']}", json={**body, "version": 1}, headers=staff.editor.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 1
    assert await title_rows(resources, view["id"]) == before


async def test_an_edit_keeps_the_ids_of_seasons_and_episodes_that_remain(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    body = show(seasons=2, episodes=3)
    view = await create(api, staff.editor, body)
    ids = {
        (s["season_number"], e["episode_number"]): e["id"]
        for s in view["seasons"]
        for e in s["episodes"]
    }
    changed = copy.deepcopy(body)
    changed["seasons"][0]["episodes"][1]["title"] = "Renamed"
    del changed["seasons"][0]["episodes"][2]
    changed["seasons"][0]["episodes"].append(episode(7))
    changed["seasons"][1] = {**changed["seasons"][1], "season_number": 3}
    response = await api.put(
        f"{CMS}/{view['id']}", json={**changed, "version": 1}, headers=staff.editor.headers
    )
    assert response.status_code == 200, response.text
    seasons = response.json()["seasons"]
    assert [s["season_number"] for s in seasons] == [1, 3]
    first = {e["episode_number"]: e for e in seasons[0]["episodes"]}
    assert sorted(first) == [1, 2, 7]
    assert first[1]["id"] == ids[(1, 1)]
    assert (first[2]["id"], first[2]["title"]) == (ids[(1, 2)], "Renamed")
    assert first[7]["id"] not in ids.values()
    assert all(e["id"] not in ids.values() for e in seasons[1]["episodes"])
    rows = await title_rows(resources, view["id"])
    assert len(rows["seasons"]) == 2
    assert len(rows["episodes"]) == 6
    assert _strip_ids(seasons) == changed["seasons"]


# --- versions -----------------------------------------------------------------------------


async def test_the_history_lists_each_version_with_its_changes(
    api: httpx.AsyncClient, staff: Staff
) -> None:
    body = show(seasons=1, episodes=2)
    view = await create(api, staff.editor, body)
    changed = copy.deepcopy(body)
    changed["title"] = "Sacred Games: Director's Cut"
    changed["genres"] = ["crime", "drama"]
    changed["seasons"][0]["episodes"][0]["duration_minutes"] = 50
    changed["seasons"][0]["episodes"].append(episode(3))
    response = await api.put(
        f"{CMS}/{view['id']}", json={**changed, "version": 1}, headers=staff.editor.headers
    )
    assert response.status_code == 200, response.text
    assert (await act(api, staff.editor, view["id"], "submit-review")).status_code == 200
    rejected = await act(api, staff.reviewer, view["id"], "reject", comment="Needs a poster")
    assert rejected.status_code == 200

    response = await api.get(f"{CMS}/{view['id']}/versions", headers=staff.reviewer.headers)
    assert response.status_code == 200, response.text
    history = response.json()
    assert history["current_version"] == 4
    versions = history["versions"]
    assert [v["version"] for v in versions] == [4, 3, 2, 1]
    assert [v["action"] for v in versions] == ["reject", "submit_review", "edit", "create"]
    assert [v["changed_by"] for v in versions] == [
        staff.reviewer.id,
        staff.editor.id,
        staff.editor.id,
        staff.editor.id,
    ]
    assert versions[0]["note"] == "Needs a poster"
    assert versions[0]["changes"] == [
        {"field": "workflow_state", "before": "pending_review", "after": "draft"}
    ]
    assert versions[1]["changes"] == [
        {"field": "workflow_state", "before": "draft", "after": "pending_review"}
    ]
    edit = {c["field"]: c for c in versions[2]["changes"]}
    assert edit["title"] == {
        "field": "title",
        "before": "Sacred Games",
        "after": "Sacred Games: Director's Cut",
    }
    assert edit["genres"]["before"] == ["crime", "thriller"]
    assert edit["genres"]["after"] == ["crime", "drama"]
    assert edit["seasons.1.episodes.1.duration_minutes"]["before"] == 45
    assert edit["seasons.1.episodes.1.duration_minutes"]["after"] == 50
    assert edit["seasons.1.episodes.3"]["before"] is None
    assert edit["seasons.1.episodes.3"]["after"]["title"] == "Episode 3"
    assert len(edit) == 4
    created = {c["field"]: c for c in versions[3]["changes"]}
    assert created["title"]["after"] == "Sacred Games"
    assert created["workflow_state"]["after"] == "draft"
    assert all(c["before"] is None for c in created.values())
    assert all(v["metadata"] is None for v in versions)

    full = await api.get(
        f"{CMS}/{view['id']}/versions",
        params={"include_metadata": "true"},
        headers=staff.editor.headers,
    )
    snapshot = full.json()["versions"][-1]["metadata"]
    assert snapshot["title"] == "Sacred Games"
    assert snapshot["workflow_state"] == "draft"
    assert len(snapshot["seasons"][0]["episodes"]) == 2
    assert "_action" not in snapshot


async def test_restoring_a_version_makes_a_new_version_with_its_metadata(
    api: httpx.AsyncClient, staff: Staff
) -> None:
    body = show(seasons=1, episodes=2)
    view = await create(api, staff.editor, body)
    changed = copy.deepcopy(body)
    changed["title"] = "Wrong title"
    changed["seasons"] = []
    changed["type"] = "movie"
    response = await api.put(
        f"{CMS}/{view['id']}", json={**changed, "version": 1}, headers=staff.editor.headers
    )
    assert response.status_code == 200, response.text

    restored = await api.post(
        f"{CMS}/{view['id']}/versions/1/restore", headers=staff.editor.headers
    )
    assert restored.status_code == 200, restored.text
    restored = restored.json()
    assert (restored["version"], restored["workflow_state"]) == (3, "draft")
    assert restored["title"] == "Sacred Games"
    assert restored["type"] == "tv_show"
    assert _strip_ids(restored["seasons"]) == body["seasons"]

    history = (
        await api.get(
            f"{CMS}/{view['id']}/versions",
            params={"include_metadata": "true"},
            headers=staff.editor.headers,
        )
    ).json()["versions"]
    assert history[0]["action"] == "restore"
    assert history[0]["note"] == "restored from version 1"
    assert history[0]["metadata"] == history[2]["metadata"]
    assert {c["field"] for c in history[0]["changes"]} == {"title", "type", "seasons.1"}


async def test_refused_restores_change_nothing(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    view = await to_state(api, staff, movie(), "draft")
    before = await title_rows(resources, view["id"])
    url = f"{CMS}/{view['id']}/versions"
    assert_error(await api.post(f"{url}/9/restore", headers=staff.editor.headers), 404)
    assert_error(await api.post(f"{url}/0/restore", headers=staff.editor.headers), 422)
    other = await api.post(f"{url}/1/restore", headers=staff.other_editor.headers)
    assert_error(other, 403, "not_owner")
    stale = await api.post(f"{url}/1/restore", json={"version": 5}, headers=staff.editor.headers)
    assert_error(stale, 409, "stale_version")
    assert await title_rows(resources, view["id"]) == before

    pending = await to_state(api, staff, movie(), "pending_review")
    before = await title_rows(resources, pending["id"])
    response = await api.post(
        f"{CMS}/{pending['id']}/versions/1/restore", headers=staff.admin.headers
    )
    assert_error(response, 409, "illegal_transition")
    assert await title_rows(resources, pending["id"]) == before


# --- scheduled publishing -----------------------------------------------------------------


async def test_publishing_before_available_from_schedules_the_title(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    view = await to_state(api, staff, movie(available_from="2099-01-01T00:00:00Z"), "approved")
    response = await act(api, staff.admin, view["id"], "publish")
    assert response.status_code == 200, response.text
    published = response.json()
    assert published["workflow_state"] == "published"
    assert published["published_at"] == "2099-01-01T00:00:00Z"
    assert published["scheduled_publish_at"] == "2099-01-01T00:00:00Z"
    row = (await title_rows(resources, view["id"]))["content"][0]
    assert row["published_at"] > row["updated_at"]  # waiting to be announced
