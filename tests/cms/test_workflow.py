"""The editorial workflow through the gateway: the happy path, every illegal transition, the
roles each action needs, ownership of drafts, and refused input that must change nothing."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from ott.cms.workflow import TRANSITIONS, Action
from ott.content.models import WorkflowState
from ott.core.app_context import AppContext
from tests.cms.conftest import (
    CMS,
    Staff,
    act,
    create,
    fetch,
    movie,
    show,
    table_counts,
    title_rows,
    to_state,
)
from tests.conftest import assert_error

ROUTE = {
    Action.SUBMIT_REVIEW: "submit-review",
    Action.APPROVE: "approve",
    Action.REJECT: "reject",
    Action.PUBLISH: "publish",
    Action.ARCHIVE: "archive",
}


async def test_the_whole_workflow_from_draft_to_archive(
    api: httpx.AsyncClient, staff: Staff
) -> None:
    body = show()
    draft = await create(api, staff.editor, body)
    assert draft["workflow_state"] == "draft"
    assert draft["version"] == 1
    assert draft["created_by"] == staff.editor.id
    assert draft["maturity_level"] == 3  # R
    assert draft["genres"] == ["crime", "thriller"]
    assert [s["season_number"] for s in draft["seasons"]] == [1, 2]
    assert [e["episode_number"] for e in draft["seasons"][0]["episodes"]] == [1, 2, 3]
    assert draft["availability_rules"][0]["allowed_countries"] == ["IN", "US"]
    assert draft["published_at"] is None
    assert draft["last_review"] is None

    submitted = (await act(api, staff.editor, draft["id"], "submit-review")).json()
    assert (submitted["workflow_state"], submitted["version"]) == ("pending_review", 2)

    rejected = await act(
        api, staff.reviewer, draft["id"], "reject", comment="Fix the <i>Hindi</i> title"
    )
    assert rejected.status_code == 200, rejected.text
    rejected = rejected.json()
    assert (rejected["workflow_state"], rejected["version"]) == ("draft", 3)
    assert rejected["last_review"]["action"] == "reject"
    assert rejected["last_review"]["comment"] == "Fix the <i>Hindi</i> title"
    assert rejected["last_review"]["by"] == staff.reviewer.id

    edited = await api.put(
        f"{CMS}/{draft['id']}",
        json={**body, "title_hi": "सेक्रेड गेम्स (2018)", "version": 3},
        headers=staff.editor.headers,
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["version"], edited.json()["title_hi"]) == (4, "सेक्रेड गेम्स (2018)")

    assert (await act(api, staff.editor, draft["id"], "submit-review")).status_code == 200
    approved = await act(api, staff.reviewer, draft["id"], "approve", comment="Looks good")
    assert approved.status_code == 200, approved.text
    assert approved.json()["workflow_state"] == "approved"
    assert approved.json()["last_review"]["action"] == "approve"

    published = (await act(api, staff.admin, draft["id"], "publish")).json()
    assert published["workflow_state"] == "published"
    assert published["published_at"] is not None
    assert published["scheduled_publish_at"] is None
    assert published["version"] == 7

    archived = (await act(api, staff.admin, draft["id"], "archive")).json()
    assert (archived["workflow_state"], archived["version"]) == ("archived", 8)
    assert await fetch(api, staff.reviewer, draft["id"]) == archived


def _illegal_pairs() -> list[tuple[str, Action]]:
    return [
        (state.value, action)
        for state in WorkflowState
        for action in ROUTE
        if (state, action) not in TRANSITIONS
    ]


@pytest.mark.parametrize(("state", "action"), _illegal_pairs())
async def test_every_illegal_transition_is_409_and_changes_nothing(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext, state: str, action: Action
) -> None:
    view = await to_state(api, staff, movie(), state)
    before = await title_rows(resources, view["id"])
    body = {"comment": "because"} if action is Action.REJECT else {}
    response = await act(api, staff.admin, view["id"], ROUTE[action], **body)
    error = assert_error(response, 409, "illegal_transition")
    assert error["details"]["from_state"] == state
    assert error["details"]["action"] == action.value
    assert await title_rows(resources, view["id"]) == before


@pytest.mark.parametrize("state", ["pending_review", "archived"])
async def test_editing_a_title_under_review_or_archived_is_409(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext, state: str
) -> None:
    body = movie()
    view = await to_state(api, staff, body, state)
    before = await title_rows(resources, view["id"])
    response = await api.put(
        f"{CMS}/{view['id']}",
        json={**body, "title": "Changed", "version": view["version"]},
        headers=staff.admin.headers,
    )
    error = assert_error(response, 409, "illegal_transition")
    assert error["details"] == {
        "from_state": state,
        "action": "edit",
        "allowed_actions": error["details"]["allowed_actions"],
    }
    assert await title_rows(resources, view["id"]) == before


@pytest.mark.parametrize(
    ("state", "action", "who"),
    [
        ("draft", Action.SUBMIT_REVIEW, "reviewer"),
        ("pending_review", Action.APPROVE, "editor"),
        ("pending_review", Action.REJECT, "editor"),
        ("approved", Action.PUBLISH, "editor"),
        ("approved", Action.PUBLISH, "reviewer"),
        ("published", Action.ARCHIVE, "editor"),
        ("published", Action.ARCHIVE, "reviewer"),
        ("draft", Action.ARCHIVE, "editor"),
    ],
)
async def test_each_action_needs_its_role(
    api: httpx.AsyncClient,
    staff: Staff,
    resources: AppContext,
    state: str,
    action: Action,
    who: str,
) -> None:
    view = await to_state(api, staff, movie(), state)
    before = await title_rows(resources, view["id"])
    body = {"comment": "no"} if action is Action.REJECT else {}
    response = await act(api, getattr(staff, who), view["id"], ROUTE[action], **body)
    assert_error(response, 403, "forbidden")
    assert await title_rows(resources, view["id"]) == before


@pytest.mark.parametrize("state", ["approved", "published"])
async def test_editors_cannot_edit_approved_or_published_titles_but_admins_can(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext, state: str
) -> None:
    body = movie()
    view = await to_state(api, staff, body, state)
    before = await title_rows(resources, view["id"])
    change = {**body, "title": "Fixed typo", "version": view["version"]}
    refused = await api.put(f"{CMS}/{view['id']}", json=change, headers=staff.editor.headers)
    assert_error(refused, 403, "forbidden")
    assert await title_rows(resources, view["id"]) == before
    done = await api.put(f"{CMS}/{view['id']}", json=change, headers=staff.admin.headers)
    assert done.status_code == 200, done.text
    assert (done.json()["title"], done.json()["workflow_state"]) == ("Fixed typo", state)


async def test_a_viewer_and_an_anonymous_caller_cannot_use_the_cms(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    view = await create(api, staff.editor, movie())
    counts = await table_counts(resources)
    for method, path, body in [
        ("POST", CMS, movie()),
        ("GET", CMS, None),
        ("GET", f"{CMS}/{view['id']}", None),
        ("PUT", f"{CMS}/{view['id']}", {**movie(), "version": 1}),
        ("POST", f"{CMS}/{view['id']}/submit-review", None),
        ("GET", f"{CMS}/{view['id']}/versions", None),
    ]:
        response = await api.request(method, path, json=body, headers=staff.viewer.headers)
        assert_error(response, 403, "forbidden")
        anonymous = await api.request(method, path, json=body)
        assert_error(anonymous, 401)
    assert await table_counts(resources) == counts


async def test_a_reviewer_cannot_create_titles(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    counts = await table_counts(resources)
    response = await api.post(CMS, json=movie(), headers=staff.reviewer.headers)
    assert_error(response, 403, "forbidden")
    assert await table_counts(resources) == counts


async def test_an_editor_cannot_edit_or_submit_another_editors_draft(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    body = movie()
    view = await create(api, staff.editor, body)
    before = await title_rows(resources, view["id"])
    response = await api.put(
        f"{CMS}/{view['id']}",
        json={**body, "title": "Mine now", "version": 1},
        headers=staff.other_editor.headers,
    )
    assert_error(response, 403, "not_owner")
    assert_error(await act(api, staff.other_editor, view["id"], "submit-review"), 403, "not_owner")
    assert await title_rows(resources, view["id"]) == before
    # An admin may edit anyone's draft.
    response = await api.put(
        f"{CMS}/{view['id']}",
        json={**body, "title": "Edited by admin", "version": 1},
        headers=staff.admin.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["created_by"] == staff.editor.id


async def test_unknown_titles_are_404(api: httpx.AsyncClient, staff: Staff) -> None:
    missing = uuid.uuid4()
    assert_error(await api.get(f"{CMS}/{missing}", headers=staff.admin.headers), 404)
    assert_error(await act(api, staff.admin, str(missing), "publish"), 404)
    response = await api.put(
        f"{CMS}/{missing}", json={**movie(), "version": 1}, headers=staff.admin.headers
    )
    assert_error(response, 404)
    assert_error(await api.get(f"{CMS}/{missing}/versions", headers=staff.admin.headers), 404)
    assert_error(await api.get(f"{CMS}/not-a-uuid", headers=staff.admin.headers), 422)


async def test_reject_needs_a_comment(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    view = await to_state(api, staff, movie(), "pending_review")
    before = await title_rows(resources, view["id"])
    for body in [None, {}, {"comment": "   "}, {"comment": "x" * 451}]:
        response = await api.post(
            f"{CMS}/{view['id']}/reject", json=body, headers=staff.reviewer.headers
        )
        assert_error(response, 422, "validation_error")
    assert await title_rows(resources, view["id"]) == before


async def test_a_transition_naming_a_stale_version_is_409(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    view = await to_state(api, staff, movie(), "pending_review")
    before = await title_rows(resources, view["id"])
    response = await act(api, staff.reviewer, view["id"], "approve", version=1)
    error = assert_error(response, 409, "stale_version")
    assert error["details"] == {"current_version": 2, "your_version": 1}
    assert await title_rows(resources, view["id"]) == before
    ok = await act(api, staff.reviewer, view["id"], "approve", version=2)
    assert ok.status_code == 200, ok.text


# --- the list by state --------------------------------------------------------------------


async def test_the_list_filters_by_state_and_pages_with_a_cursor(
    api: httpx.AsyncClient, staff: Staff
) -> None:
    mine = [await create(api, staff.other_editor, movie(title=f"Page {i}")) for i in range(5)]
    for view in mine[:3]:
        assert (await act(api, staff.other_editor, view["id"], "submit-review")).status_code == 200
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"state": "pending_review", "limit": 2, "mine": "true"}
        if cursor:
            params["cursor"] = cursor
        response = await api.get(CMS, params=params, headers=staff.other_editor.headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= 2
        assert all(item["workflow_state"] == "pending_review" for item in page["items"])
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [v["id"] for v in reversed(mine[:3])]  # most recently changed first

    drafts = await api.get(
        CMS, params={"state": "draft", "mine": "true"}, headers=staff.other_editor.headers
    )
    assert [i["id"] for i in drafts.json()["items"]] == [v["id"] for v in reversed(mine[3:])]


@pytest.mark.parametrize(
    "params",
    [{"state": "live"}, {"limit": 0}, {"limit": 101}, {"type": "podcast"}],
)
async def test_bad_list_parameters_are_422(
    api: httpx.AsyncClient, staff: Staff, params: dict[str, Any]
) -> None:
    assert_error(await api.get(CMS, params=params, headers=staff.editor.headers), 422)


async def test_a_forged_or_empty_cursor_is_422(api: httpx.AsyncClient, staff: Staff) -> None:
    # The same rule as the catalog's listings: a cursor that is not one we handed out is 422.
    for cursor in ["", "garbage", "bm90LWEtY3Vyc29y", "MjAyNi0wMS0wMXxub3QtYS11dWlk", "e30"]:
        response = await api.get(CMS, params={"cursor": cursor}, headers=staff.editor.headers)
        assert_error(response, 422, "invalid_cursor")
