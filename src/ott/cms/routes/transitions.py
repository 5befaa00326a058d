"""The workflow's actions as routes: one route per action of `PATHS`, all made by
`_transition_route` (ott.cms.workflow decides everything, including that a rejection needs
a comment)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Body, Request

from ott.cms import service
from ott.cms.dependencies import Staff
from ott.cms.routes.common import announced
from ott.cms.schemas import ContentView, TransitionRequest
from ott.cms.workflow import Action
from ott.core.dependencies import AppSettings, DbSession
from ott.core.openapi import error_responses

router = APIRouter(tags=["cms"])

# The public path of each action, and what it does.
PATHS: dict[Action, tuple[str, str]] = {
    Action.SUBMIT_REVIEW: ("submit-review", "Send a draft to review"),
    Action.APPROVE: ("approve", "Approve a title under review (by a second person)"),
    Action.REJECT: ("reject", "Send a title under review back to draft, with why (`comment`)"),
    Action.PUBLISH: (
        "publish",
        "Publish an approved title (scheduled if its available_from is in the future)",
    ),
    Action.ARCHIVE: ("archive", "Archive a title"),
}

OptionalTransition = Annotated[TransitionRequest | None, Body()]


def _transition_route(action: Action) -> Callable[..., Awaitable[ContentView]]:
    async def take(
        content_id: uuid.UUID,
        db: DbSession,
        identity: Staff,
        settings: AppSettings,
        request: Request,
        background: BackgroundTasks,
        body: OptionalTransition = None,
    ) -> ContentView:
        outcome = await service.act(
            db=db,
            identity=identity,
            content_id=content_id,
            action=action,
            request=body or TransitionRequest(),
            allow_self_approval=settings.cms_allow_self_approval,
        )
        return announced(request, background, outcome)

    return take


for _action, (_path, _summary) in PATHS.items():
    router.add_api_route(
        f"/content/{{content_id}}/{_path}",
        _transition_route(_action),
        methods=["POST"],
        name=_action.value,
        summary=_summary,
        response_model=ContentView,
        responses=error_responses(409),
    )
