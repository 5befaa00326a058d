"""Approving needs a second person: nobody approves a title they wrote or submitted
(CMS_ALLOW_SELF_APPROVAL=true lifts the rule for one-person teams)."""

from __future__ import annotations

import httpx
import pytest

from ott.core.app_context import AppContext
from ott.core.identity import Role
from ott.core.settings import Settings
from tests.cms.conftest import CMS, Staff, User, act, create, make_user, movie, title_rows
from tests.conftest import assert_error, settings_with, start_gateway


@pytest.fixture
async def both(api: httpx.AsyncClient, resources: AppContext) -> User:
    """Someone who is editor and reviewer at once."""
    return await make_user(api, resources, Role.EDITOR, Role.REVIEWER, tag="both")


async def _submitted(api: httpx.AsyncClient, user: User) -> dict:
    view = await create(api, user, movie())
    response = await act(api, user, view["id"], "submit-review")
    assert response.status_code == 200, response.text
    return response.json()


async def test_an_editor_and_reviewer_cannot_approve_their_own_title(
    api: httpx.AsyncClient, staff: Staff, both: User, resources: AppContext
) -> None:
    view = await _submitted(api, both)
    before = await title_rows(resources, view["id"])
    error = assert_error(await act(api, both, view["id"], "approve"), 403, "self_approval")
    assert error["details"] == {"action": "approve"}
    assert await title_rows(resources, view["id"]) == before
    # Rejecting your own work is no risk; a second person approves.
    rejected = await act(api, both, view["id"], "reject", comment="not yet")
    assert rejected.status_code == 200, rejected.text
    await act(api, both, view["id"], "submit-review")
    approved = await act(api, staff.reviewer, view["id"], "approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["workflow_state"] == "approved"


async def test_everyone_who_wrote_the_title_is_barred_not_its_earlier_reviewers(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    """An admin who edited a draft, or who submitted it, may not approve it; a reviewer who
    rejected it earlier may."""
    view = await create(api, staff.editor, movie())
    edited = await api.put(
        f"{CMS}/{view['id']}",
        json={**movie(external_id=view["external_id"], title="Fixed by the admin"), "version": 1},
        headers=staff.admin.headers,
    )
    assert edited.status_code == 200, edited.text
    assert (await act(api, staff.editor, view["id"], "submit-review")).status_code == 200
    assert (await act(api, staff.reviewer, view["id"], "reject", comment="no")).status_code == 200
    assert (await act(api, staff.admin, view["id"], "submit-review")).status_code == 200
    assert_error(await act(api, staff.admin, view["id"], "approve"), 403, "self_approval")
    approved = await act(api, staff.reviewer, view["id"], "approve")
    assert approved.status_code == 200, approved.text


async def test_a_poster_makes_you_an_author(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext
) -> None:
    from tests.cms.test_assets import image_bytes, post_image

    view = await create(api, staff.editor, movie())
    poster = await post_image(api, staff.admin, view["id"], "poster", image_bytes((600, 900)))
    assert poster.status_code == 200, poster.text
    assert (await act(api, staff.editor, view["id"], "submit-review")).status_code == 200
    assert_error(await act(api, staff.admin, view["id"], "approve"), 403, "self_approval")


async def test_self_approval_can_be_allowed_for_one_person_teams(
    settings: Settings, both: User
) -> None:
    client, lifespan = await start_gateway(
        settings_with(settings, cms_allow_self_approval=True, run_worker_in_process=False)
    )
    try:
        view = await _submitted(client, both)
        approved = await act(client, both, view["id"], "approve")
        assert approved.status_code == 200, approved.text
        assert approved.json()["workflow_state"] == "approved"
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


def test_the_workflow_refuses_to_decide_an_approval_without_the_authors() -> None:
    """A caller that forgets the authors gets an error, not an approval nobody checked."""
    import uuid

    from ott.cms.workflow import Action, transition
    from ott.content.models import WorkflowState
    from ott.core.identity import Identity

    reviewer = Identity(user_id=uuid.uuid4(), session_id="s", roles=frozenset({"reviewer"}))
    with pytest.raises(TypeError):
        transition(
            state=WorkflowState.PENDING_REVIEW,
            action=Action.APPROVE,
            identity=reviewer,
            created_by=None,
        )
    approved = transition(
        state=WorkflowState.PENDING_REVIEW,
        action=Action.APPROVE,
        identity=reviewer,
        created_by=None,
        authors=frozenset({uuid.uuid4()}),
    )
    assert approved is WorkflowState.APPROVED
