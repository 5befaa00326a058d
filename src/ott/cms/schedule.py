"""When a published title goes live: the CMS's one definition of "scheduled".

Publishing a title whose `available_from` lies ahead stores it as `published` with
`published_at = available_from` (its go-live); publishing any other title sets `published_at`
to the moment of publishing. A published title is **scheduled** while its go-live has not
been announced yet, which the row itself records: exactly while `published_at > updated_at`
(publishing now sets both to the same transaction time, scheduling sets published_at later,
every CMS write sets updated_at to its time, and the scheduler's announcement bumps
updated_at). The content table stores the same condition as `awaiting_go_live`, and its index
`ix_content_publish_due` has it as predicate; `SCHEDULED_SQL` is that predicate.

A scheduled title is **due** once its go-live has come (`published_at <= now`); the scheduler
announces due titles (ott.cms.scheduler), and any CMS write to a due title announces it itself
(ott.cms.events.event_for).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ott.content.models import WorkflowState

# Written out as in the partial index ix_content_publish_due, so that PostgreSQL uses it.
SCHEDULED_SQL = "workflow_state = 'published' AND published_at > updated_at"


def go_live_time(available_from: datetime | None, now: datetime) -> datetime:
    """When a title published now goes live: now, or its available_from if that is later."""
    return available_from if available_from is not None and available_from > now else now


def is_scheduled(row: Any) -> bool:
    """Published, and its going live not announced yet (`row`: anything with workflow_state,
    published_at and updated_at)."""
    return (
        row.workflow_state is WorkflowState.PUBLISHED
        and row.published_at is not None
        and row.published_at > row.updated_at
    )


def scheduled_for(row: Any, now: datetime) -> datetime | None:
    """The go-live of a scheduled title that is not due yet; None for any other title."""
    if is_scheduled(row) and row.published_at > now:
        return row.published_at
    return None


def published_at_after_edit(
    row: Any, *, available_from: datetime | None, now: datetime
) -> datetime | None:
    """An edit of a title scheduled ahead moves its go-live with its available_from; a live
    (or due) title stays as it is."""
    if scheduled_for(row, now) is not None:
        return go_live_time(available_from, now)
    return row.published_at
