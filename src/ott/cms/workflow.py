"""The editorial workflow: which action may move a title from which state, and who may do it.

    draft ──submit_review──▶ pending_review ──approve──▶ approved ──publish──▶ published
      ▲                            │
      └───────────reject───────────┘            (any state but archived) ──archive──▶ archived

Editing (`edit`: PUT, restore of a version, a new poster or thumbnail) keeps the state: editors
edit drafts, admins also approved and published titles (a fix goes live at once); a title
under review or archived cannot be edited. Importing a bulk file as published
(`import_publish`) is an admin's shortcut past review. Roles come from the identity
(`Identity.has_role`; an admin holds every role). An editor edits and submits only the drafts
they created; admins any. A rejection says why (a comment).

Approving needs a second person: the approver must not be an **author** of the title, that
is anyone who made one of its versions other than by reviewing it: who created it, edited or
restored its metadata, imported it, uploaded its poster, thumbnail or video, or submitted it
for review. A reviewer who rejected it earlier may approve it; an admin who fixed a typo in
it may not. (A title is approved at most once: nothing leads back from approved to review,
so its authors are everyone who ever wrote a version of it.) For one-person teams
CMS_ALLOW_SELF_APPROVAL=true lifts the rule; the caller then passes no authors.

`transition` is the only place that decides; everything that changes a title's state or
metadata asks it first.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from ott.content.models import WorkflowState
from ott.core.errors import Conflict, Forbidden, ValidationFailed
from ott.core.identity import Identity, Role, edits_titles_of

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
    second_person: bool = False  # not by an author of the title (see above)
    needs_comment: bool = False  # the caller says why


# The actions of reviewers and publishers: taking one does not make you an author.
REVIEWING = frozenset({Action.APPROVE, Action.REJECT, Action.PUBLISH, Action.ARCHIVE})


TRANSITIONS: dict[tuple[WorkflowState, Action], Rule] = {
    (DRAFT, Action.EDIT): Rule(DRAFT, Role.EDITOR, own_only=True),
    (APPROVED, Action.EDIT): Rule(APPROVED, Role.ADMIN),
    (PUBLISHED, Action.EDIT): Rule(PUBLISHED, Role.ADMIN),
    (DRAFT, Action.SUBMIT_REVIEW): Rule(PENDING_REVIEW, Role.EDITOR, own_only=True),
    (PENDING_REVIEW, Action.APPROVE): Rule(APPROVED, Role.REVIEWER, second_person=True),
    (PENDING_REVIEW, Action.REJECT): Rule(DRAFT, Role.REVIEWER, needs_comment=True),
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
    *,
    state: WorkflowState,
    action: Action,
    identity: Identity,
    created_by: uuid.UUID | None,
    authors: Collection[uuid.UUID] | None = None,
    comment: str | None = None,
) -> WorkflowState:
    """The state `action` leads to from `state`, if `identity` may take it.

    `authors` (for approving) are the title's authors, or empty when self-approval is allowed.
    Raises Conflict (409, `illegal_transition`) when the action is not possible from this
    state, Forbidden (403) when the caller lacks the role, does not own the draft
    (`not_owner`) or would approve their own work (`self_approval`), ValidationFailed (422)
    when a comment is needed and missing.
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
    if rule.own_only and not edits_titles_of(identity, created_by):
        raise Forbidden(
            "Editors may change only the drafts they created",
            code="not_owner",
            details={"action": action.value},
        )
    if rule.second_person:
        if authors is None:
            raise TypeError(f"{action.value} needs the title's authors")
        if identity.user_id in authors:
            raise Forbidden(
                "A title needs a second person to approve it: you wrote or submitted it",
                code="self_approval",
                details={"action": action.value},
            )
    if rule.needs_comment and not comment:
        raise ValidationFailed(
            f"A comment saying why is required to {action.value.replace('_', ' ')} a title",
            details=[{"field": "comment", "message": "required", "type": "missing"}],
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
