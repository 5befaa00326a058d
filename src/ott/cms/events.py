"""The events the CMS announces, and announcing them once the transaction has committed.

Every change that makes a new version announces exactly one event, payload
`{"content_id", "workflow_state", "version"}`: `content.published` when the title went live
with it (published now, or a scheduled title made live by an edit), `content.archived` when it
was archived, `content.updated` for everything else (creation, edits, submit, approve, reject,
scheduling a publication, a new video). A change that makes no new version (an edit that
changes nothing, a refused request) announces nothing.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

from ott.cms.schedule import is_scheduled
from ott.content.models import WorkflowState
from ott.core.event_types import ContentArchived, ContentChange, ContentPublished, ContentUpdated
from ott.core.events import EventBus

_PUBLISH_CONCURRENCY = 64


def event_for(
    *,
    before: Any,
    state: WorkflowState,
    published_at: datetime | None,
    now: datetime,
    content_id: uuid.UUID,
    version: int,
) -> ContentChange:
    """The one event a change announces. `before` is the row before the change (anything
    with its workflow_state, published_at and updated_at), None for a new title."""
    kind: type[ContentChange] = ContentUpdated
    if state is WorkflowState.ARCHIVED:
        kind = ContentArchived
    elif state is WorkflowState.PUBLISHED and published_at is not None and published_at <= now:
        was_live = (
            before is not None
            and before.workflow_state is WorkflowState.PUBLISHED
            and not is_scheduled(before)
        )
        if not was_live:
            kind = ContentPublished
    return kind(content_id=content_id, workflow_state=state.value, version=version)


async def publish_events(bus: EventBus, events: list[ContentChange]) -> None:
    """Announce committed changes (run as a background task, after the commit)."""
    for start in range(0, len(events), _PUBLISH_CONCURRENCY):
        await asyncio.gather(
            *(bus.publish(event) for event in events[start : start + _PUBLISH_CONCURRENCY])
        )
