"""The editorial workflow: which action may move a title from which state, and who may do it.

    draft ──submit_review──▶ pending_review ──approve──▶ approved ──publish──▶ published
      ▲                            │
      └───────────reject───────────┘            (any state but archived) ──archive──▶ archived

Editing (`edit`: PUT, restore of a version, a new poster or thumbnail) keeps the state: editors
edit drafts, admins also approved and published titles (a fix goes live at once); a title
under review or archived cannot be edited. Importing a bulk file as published
(`import_publish`) is an admin's shortcut past review. Roles come from the identity
(`Identity.has_role`; an admin holds every role). An editor edits and submits only the drafts
they created; admins any.

`transition` is the only place that decides; everything that changes a title's state or
metadata asks it first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from ott.content.models import WorkflowState
from ott.core.errors import Conflict, Forbidden
from ott.core.identity import Identity, Role

DRAFT = WorkflowState.DRAFT
PENDING_REVIEW = WorkflowState.PENDING_REVIEW
APPROVED = WorkflowState.APPROVED
PUBLISHED = WorkflowState.PUBLISHED
ARCHIVED = WorkflowState.ARCHIVED


class Action(StrEnum):
    EDIT = "edit"
    SUBMIT_REVIEW = "submit_review"
    APPROVE = "approve"
    REJECT = "reject"
    PUBLISH = "publish"
    ARCHIVE = "archive"
    IMPORT_PUBLISH = "import_publish"


@dataclass(frozen=True)
class Rule:
    target: WorkflowState
    role: Role
    own_only: bool = False  # an editor may do it only to titles they created


TRANSITIONS: dict[tuple[WorkflowState, Action], Rule] = {
    (DRAFT, Action.EDIT): Rule(DRAFT, Role.EDITOR, own_only=True),
    (APPROVED, Action.EDIT): Rule(APPROVED, Role.ADMIN),
    (PUBLISHED, Action.EDIT): Rule(PUBLISHED, Role.ADMIN),
    (DRAFT, Action.SUBMIT_REVIEW): Rule(PENDING_REVIEW, Role.EDITOR, own_only=True),
    (PENDING_REVIEW, Action.APPROVE): Rule(APPROVED, Role.REVIEWER),
    (PENDING_REVIEW, Action.REJECT): Rule(DRAFT, Role.REVIEWER),
    (APPROVED, Action.PUBLISH): Rule(PUBLISHED, Role.ADMIN),
    (DRAFT, Action.ARCHIVE): Rule(ARCHIVED, Role.ADMIN),
    (PENDING_REVIEW, Action.ARCHIVE): Rule(ARCHIVED, Role.ADMIN),
    (APPROVED, Action.ARCHIVE): Rule(ARCHIVED, Role.ADMIN),
    (PUBLISHED, Action.ARCHIVE): Rule(ARCHIVED, Role.ADMIN),
    (DRAFT, Action.IMPORT_PUBLISH): Rule(PUBLISHED, Role.ADMIN),
    (PENDING_REVIEW, Action.IMPORT_PUBLISH): Rule(PUBLISHED, Role.ADMIN),
    (APPROVED, Action.IMPORT_PUBLISH): Rule(PUBLISHED, Role.ADMIN),
}


def allowed_actions(state: WorkflowState) -> list[str]:
    return [action.value for (s, action) in TRANSITIONS if s is state]


def transition(
    state: WorkflowState,
    action: Action,
    identity: Identity,
    *,
    created_by: uuid.UUID | None,
) -> WorkflowState:
    """The state `action` leads to from `state`, if `identity` may take it.

    Raises Conflict (409, `illegal_transition`) when the action is not possible from this
    state, Forbidden (403) when the caller lacks the role or does not own the draft.
    """
    rule = TRANSITIONS.get((state, action))
    if rule is None:
        raise Conflict(
            f"A title in state {state.value} cannot be {_past(action)}",
            code="illegal_transition",
            details={
                "from_state": state.value,
                "action": action.value,
                "allowed_actions": allowed_actions(state),
            },
        )
    if not identity.has_role(rule.role):
        raise Forbidden(
            f"Only a user with the role {rule.role.value} may {action.value.replace('_', ' ')} "
            f"a title in state {state.value}",
            details={"required_role": rule.role.value, "action": action.value},
        )
    if rule.own_only and not identity.has_role(Role.ADMIN) and created_by != identity.user_id:
        raise Forbidden(
            "Editors may change only the drafts they created",
            code="not_owner",
            details={"action": action.value},
        )
    return rule.target


def _past(action: Action) -> str:
    return {
        Action.EDIT: "edited",
        Action.SUBMIT_REVIEW: "submitted for review",
        Action.APPROVE: "approved",
        Action.REJECT: "rejected",
        Action.PUBLISH: "published",
        Action.ARCHIVE: "archived",
        Action.IMPORT_PUBLISH: "published by import",
    }[action]
