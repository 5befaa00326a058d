"""The editorial view round-trips: what GET answers, PUT accepts back (read-only fields
ignored), and PATCH takes a JSON merge patch naming the version it is based on."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ott.core.app_context import AppContext
from tests.cms.conftest import CMS, Staff, create, fetch, show, title_rows, to_state
from tests.conftest import assert_error

MERGE_PATCH = "application/merge-patch+json"


async def _history(api: httpx.AsyncClient, staff: Staff, content_id: str) -> list[Any]:
    response = await api.get(f"{CMS}/{content_id}/versions", headers=staff.editor.headers)
    assert response.status_code == 200, response.text
    return response.json()["versions"]


async def _patch(
    api: httpx.AsyncClient,
    user: Any,
    content_id: str,
    body: Any,
    content_type: str = MERGE_PATCH,
) -> httpx.Response:
    return await api.patch(
        f"{CMS}/{content_id}",
        content=httpx.Request("POST", "/", json=body).content,
        headers={**user.headers, "content-type": content_type},
    )


async def test_get_change_a_field_put_it_back(api: httpx.AsyncClient, staff: Staff) -> None:
    created = await create(api, staff.editor, show(seasons=2, episodes=2))
    view = await fetch(api, staff.editor, created["id"])
    view["title"] = "Sacred Games: Director's Cut"
    response = await api.put(f"{CMS}/{view['id']}", json=view, headers=staff.editor.headers)
    assert response.status_code == 200, response.text
    updated = response.json()
    assert (updated["title"], updated["version"]) == ("Sacred Games: Director's Cut", 2)
    # Seasons and episodes are the same rows (matched by number), not new ones.
    assert [s["id"] for s in updated["seasons"]] == [s["id"] for s in view["seasons"]]
    assert updated["seasons"][1]["episodes"][0]["id"] == view["seasons"][1]["episodes"][0]["id"]
    latest = (await _history(api, staff, view["id"]))[0]
    assert [c["field"] for c in latest["changes"]] == ["title"]

    # The view as it is now, sent back unchanged, makes no new version.
    again = await api.put(f"{CMS}/{view['id']}", json=updated, headers=staff.editor.headers)
    assert again.status_code == 200, again.text
    assert again.json()["version"] == 2


async def test_put_of_the_view_still_checks_what_matters(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    view = await create(api, staff.editor, show(seasons=1, episodes=1))
    other = await create(api, staff.editor, show(seasons=1, episodes=1))
    before = await title_rows(resources, view["id"])
    other_before = await title_rows(resources, other["id"])
    url = f"{CMS}/{view['id']}"
    headers = staff.editor.headers
    error = assert_error(
        await api.put(url, json={**view, "id": other["id"]}, headers=headers), 422, "id_mismatch"
    )
    assert error["details"][0]["field"] == "id"
    stale = {**view, "version": 7}
    assert_error(await api.put(url, json=stale, headers=headers), 409, "stale_version")
    assert_error(await api.put(url, json={**view, "titel": "typo"}, headers=headers), 422)
    no_version = {k: v for k, v in view.items() if k != "version"}
    assert_error(await api.put(url, json=no_version, headers=headers), 422)
    # Read-only values are ignored, whatever they say.
    forged = {**view, "workflow_state": "published", "created_by": staff.other_editor.id}
    forged["seasons"][0]["id"] = other["seasons"][0]["id"]
    response = await api.put(url, json=forged, headers=headers)
    assert response.status_code == 200, response.text
    assert await title_rows(resources, view["id"]) == before  # nothing editable changed
    assert await title_rows(resources, other["id"]) == other_before


@pytest.mark.parametrize("content_type", [MERGE_PATCH, "application/json"])
async def test_a_merge_patch_changes_only_what_it_names(
    api: httpx.AsyncClient, staff: Staff, content_type: str
) -> None:
    view = await create(api, staff.editor, show(seasons=2, episodes=2))
    patch = {
        "version": 1,
        "title": "Sacred Games (2018)",
        "description": None,  # removed: no description
        "people": ["Saif Ali Khan"],  # lists are replaced whole
        "workflow_state": "published",  # read-only: ignored
    }
    response = await _patch(api, staff.editor, view["id"], patch, content_type)
    assert response.status_code == 200, response.text
    patched = response.json()
    assert (patched["version"], patched["workflow_state"]) == (2, "draft")
    assert patched["title"] == "Sacred Games (2018)"
    assert patched["description"] is None
    assert patched["people"] == ["Saif Ali Khan"]
    untouched = {"title_hi", "genres", "seasons", "maturity_rating"}
    assert {k: patched[k] for k in untouched} == {k: view[k] for k in untouched}
    # Rules are replaced on every edit (new ids), with the same content.
    assert [{**r, "id": None} for r in patched["availability_rules"]] == [
        {**r, "id": None} for r in view["availability_rules"]
    ]
    changes = (await _history(api, staff, view["id"]))[0]["changes"]
    assert sorted(c["field"] for c in changes) == ["description", "people", "title"]


async def test_a_patch_may_replace_the_seasons(api: httpx.AsyncClient, staff: Staff) -> None:
    view = await create(api, staff.editor, show(seasons=2, episodes=2))
    seasons = view["seasons"][:1]  # as the view has them, ids and all
    seasons[0]["episodes"][0]["title"] = "Ashwatthama"
    response = await _patch(api, staff.editor, view["id"], {"version": 1, "seasons": seasons})
    assert response.status_code == 200, response.text
    patched = response.json()
    assert [s["season_number"] for s in patched["seasons"]] == [1]
    assert patched["seasons"][0]["episodes"][0]["title"] == "Ashwatthama"
    assert patched["seasons"][0]["id"] == view["seasons"][0]["id"]


async def test_refused_patches_change_nothing(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    view = await create(api, staff.editor, show(seasons=1, episodes=1))
    before = await title_rows(resources, view["id"])
    cases: list[tuple[Any, str, Any, int, str | None]] = [
        (staff.editor, MERGE_PATCH, {"title": "No version"}, 422, "validation_error"),
        (staff.editor, MERGE_PATCH, {"version": "1", "title": "x"}, 422, "validation_error"),
        (staff.editor, MERGE_PATCH, {"version": 2, "title": "Stale"}, 409, "stale_version"),
        (staff.editor, MERGE_PATCH, [{"op": "replace"}], 422, "validation_error"),
        (staff.editor, MERGE_PATCH, {"version": 1, "title": ""}, 422, "validation_error"),
        (staff.editor, MERGE_PATCH, {"version": 1, "type": "movie"}, 422, "validation_error"),
        (staff.editor, MERGE_PATCH, {"version": 1, "titel": "typo"}, 422, "validation_error"),
        (staff.editor, MERGE_PATCH, {"version": 1, "genres": ["nope"]}, 422, "unknown_genre"),
        (staff.editor, "text/plain", {"version": 1}, 415, "unsupported_media_type"),
        (staff.other_editor, MERGE_PATCH, {"version": 1, "title": "Mine"}, 403, "not_owner"),
        (staff.reviewer, MERGE_PATCH, {"version": 1, "title": "Mine"}, 403, "forbidden"),
    ]
    for user, content_type, body, status, code in cases:
        response = await _patch(api, user, view["id"], body, content_type)
        assert_error(response, status, code)
    error = assert_error(
        await _patch(api, staff.editor, view["id"], {"version": 1, "title": ""}), 422
    )
    assert error["details"][0]["field"] == "body.title"
    malformed = await api.patch(
        f"{CMS}/{view['id']}",
        content=b'{"version": 1,',
        headers={**staff.editor.headers, "content-type": MERGE_PATCH},
    )
    assert_error(malformed, 400, "malformed_json")
    assert await title_rows(resources, view["id"]) == before

    pending = await to_state(api, staff, show(seasons=1, episodes=1), "pending_review")
    response = await _patch(api, staff.admin, pending["id"], {"version": 2, "title": "x"})
    assert_error(response, 409, "illegal_transition")


async def test_concurrent_patches_from_one_version_exactly_one_wins(
    api: httpx.AsyncClient, staff: Staff
) -> None:
    import asyncio

    view = await create(api, staff.editor, show(seasons=1, episodes=1))
    responses = await asyncio.gather(
        *(
            _patch(api, staff.editor, view["id"], {"version": 1, "title": f"Title {i}"})
            for i in range(4)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409, 409, 409]
    assert (await fetch(api, staff.editor, view["id"]))["version"] == 2
