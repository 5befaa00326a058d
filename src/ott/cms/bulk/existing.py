"""The titles a bulk file already has in the CMS: locked, compared, and checked against the
workflow (the caller must be allowed to change or publish each of them)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession

from ott.cms import snapshots, workflow
from ott.cms.bulk.items import Item
from ott.cms.bulk.report import Report
from ott.cms.snapshots import among
from ott.cms.workflow import Action
from ott.content.models import Content, WorkflowState
from ott.core.errors import AppError
from ott.core.identity import Identity

CHUNK = 1_000


@dataclass
class Existing:
    content_id: uuid.UUID
    # What ott.cms.events.event_for and ott.cms.schedule read of the row before the change:
    workflow_state: WorkflowState
    published_at: datetime | None
    updated_at: datetime
    version: int
    available_from: datetime | None
    changed: bool
    stored: snapshots.Stored | None  # kept for changed titles: the update needs their rows
    next_state: WorkflowState  # what the workflow says the import makes of it


async def lock_existing(
    *,
    db: AsyncSession,
    identity: Identity,
    items: list[Item],
    publish: bool,
    report: Report,
) -> dict[str, Existing]:
    """Lock the titles of the file that exist, by external id, and check the caller may make
    the changes the file asks for (problems go to the report)."""
    by_external = {item.external_id: item for item in items if item.title is not None}
    existing: dict[str, Existing] = {}
    keys = list(by_external)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        found = select(Content.id).where(among(Content.external_id, chunk, item_type=String()))
        ids = list(await db.scalars(found))
        stored = await snapshots.load(db=db, ids=ids, lock=True)
        for content_id, entry in stored.items():
            row = entry.row
            item = by_external[row.external_id]
            changed = item.snapshot != entry.snapshot
            actions = []
            if changed:
                actions.append(Action.EDIT)
            if publish and row.workflow_state is not WorkflowState.PUBLISHED:
                actions.append(Action.IMPORT_PUBLISH)
            next_state = row.workflow_state
            for action in actions:
                try:
                    next_state = workflow.transition(
                        state=row.workflow_state,
                        action=action,
                        identity=identity,
                        created_by=row.created_by,
                    )
                except AppError as exc:
                    item.problem(report, "external_id", f"existing title: {exc}")
            existing[row.external_id] = Existing(
                content_id=content_id,
                workflow_state=row.workflow_state,
                published_at=row.published_at,
                updated_at=row.updated_at,
                version=row.version,
                available_from=row.available_from,
                changed=changed,
                stored=entry if changed else None,
                next_state=next_state,
            )
        db.expunge_all()
    return existing
