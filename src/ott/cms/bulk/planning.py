"""What importing a validated file writes: per title, created, updated, published or left
unchanged, with its next state, version and go-live (no I/O)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from ott.cms.bulk.existing import Existing
from ott.cms.bulk.items import Item
from ott.cms.schedule import go_live_time, published_at_after_edit
from ott.cms.schemas import BulkTitleResult
from ott.cms.writer import TitleWrite
from ott.content.models import WorkflowState

ACTION = "bulk_import"


@dataclass
class Plan:
    """The writes of one chunk of titles, each with its row before the change (None: new)."""

    writes: list[tuple[TitleWrite, Existing | None]] = field(default_factory=list)


@dataclass
class Tally:
    results: list[BulkTitleResult] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def plan_chunk(
    *,
    chunk: list[Item],
    existing: dict[str, Existing],
    new_state: WorkflowState,
    publish: bool,
    author: uuid.UUID,
    now: datetime,
    tally: Tally,
) -> Plan:
    """`new_state` is the state of new titles (draft, or published when `publish`), as the
    workflow decided it."""
    plan = Plan()
    for item in chunk:
        title, snapshot = item.title, item.snapshot
        assert title is not None
        assert snapshot is not None
        old = existing.get(title.external_id)
        if old is None:
            write = TitleWrite(
                content_id=uuid.uuid4(),
                snapshot=snapshot,
                state=new_state,
                version=1,
                published_at=go_live_time(title.available_from, now) if publish else None,
                action=ACTION,
                title=title,
                created_by=author,
            )
            plan.writes.append((write, None))
            tally.created += 1
            tally.results.append(_result(title.external_id, write, "created"))
            continue
        to_publish = publish and old.workflow_state is not WorkflowState.PUBLISHED
        if not old.changed and not to_publish:
            tally.unchanged += 1
            tally.results.append(
                BulkTitleResult(
                    external_id=title.external_id,
                    id=old.content_id,
                    status="unchanged",
                    workflow_state=old.workflow_state,
                    version=old.version,
                )
            )
            continue
        published_at: datetime | None
        if to_publish:
            available_from = title.available_from if old.changed else old.available_from
            published_at = go_live_time(available_from, now)
        elif old.changed:
            published_at = published_at_after_edit(
                old, available_from=title.available_from, now=now
            )
        else:
            published_at = old.published_at
        write = TitleWrite(
            content_id=old.content_id,
            snapshot=snapshot,
            state=old.next_state,
            version=old.version + 1,
            published_at=published_at,
            action=ACTION,
            title=title if old.changed else None,
            existing=old.stored,
        )
        plan.writes.append((write, old))
        tally.updated += 1
        tally.results.append(
            _result(title.external_id, write, "updated" if old.changed else "published")
        )
    return plan


def _result(external_id: str, write: TitleWrite, status: str) -> BulkTitleResult:
    return BulkTitleResult(
        external_id=external_id,
        id=write.content_id,
        status=status,
        workflow_state=write.state,
        version=write.version,
    )
