"""Importing a parsed bulk file: validate it whole, then write it in one transaction.

A file imports whole or not at all. Every item is validated first; any problem answers 422
`bulk_validation_failed` with one entry per problem and nothing is written. Otherwise the
whole file is written in the caller's transaction, in chunks of `CHUNK` titles (one statement
per table per chunk, one `reindex` per chunk).

Re-importing is idempotent: a title whose external_id exists is updated in place, and gets a
new version only if its metadata changed; an unchanged title is left as it is. By default new
titles are drafts of the importing editor; `publish=true` (admins only: the workflow's
`import_publish`) publishes every title of the file at once, skipping review (a title whose
available_from is in the future is scheduled, as with the publish action).
"""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ott.cms import workflow
from ott.cms.bulk import validation
from ott.cms.bulk.existing import CHUNK, lock_existing
from ott.cms.bulk.items import Parsed
from ott.cms.bulk.planning import Tally, plan_chunk
from ott.cms.checks import check_may_create, genre_ids
from ott.cms.events import event_for
from ott.cms.schemas import BulkResult
from ott.cms.workflow import Action
from ott.cms.writer import write_titles
from ott.content.models import WorkflowState
from ott.core.database import db_now
from ott.core.errors import Conflict
from ott.core.event_types import ContentChange
from ott.core.identity import Identity


def new_title_state(*, identity: Identity, publish: bool) -> WorkflowState:
    """The state the file's new titles get, if the caller may import at all (403 if not);
    cheap, so callers check it before reading a large file."""
    check_may_create(identity, doing="import titles")
    if not publish:
        return WorkflowState.DRAFT
    return workflow.transition(
        state=WorkflowState.DRAFT,
        action=Action.IMPORT_PUBLISH,
        identity=identity,
        created_by=identity.user_id,
    )


async def import_titles(
    *, db: AsyncSession, identity: Identity, parsed: Parsed, publish: bool
) -> tuple[BulkResult, list[ContentChange]]:
    """Validate the whole file, then write it in one transaction (the caller's)."""
    new_state = new_title_state(identity=identity, publish=publish)
    await asyncio.to_thread(validation.validate, parsed)
    items, report = parsed.items, parsed.report
    known = await genre_ids(db)
    validation.check_genres(parsed, known)
    # One import at a time: two files creating the same external ids cannot interleave.
    await db.execute(text("SELECT pg_advisory_xact_lock(hashtext('ott.cms.bulk-import'))"))
    existing = await lock_existing(
        db=db, identity=identity, items=items, publish=publish, report=report
    )
    report.raise_if_any()

    now = await db_now(db)
    tally = Tally()
    events: list[ContentChange] = []
    for start in range(0, len(items), CHUNK):
        plan = plan_chunk(
            chunk=items[start : start + CHUNK],
            existing=existing,
            new_state=new_state,
            publish=publish,
            author=identity.user_id,
            now=now,
            tally=tally,
        )
        try:
            await write_titles(
                db=db,
                writes=[write for write, _ in plan.writes],
                genre_ids=known,
                changed_by=identity.user_id,
                now=now,
            )
        except IntegrityError as exc:
            raise Conflict(
                "Another title took one of the file's external ids meanwhile; import again",
                code="external_id_taken",
            ) from exc
        for write, before in plan.writes:
            events.append(
                event_for(
                    before=before,
                    state=write.state,
                    published_at=write.published_at,
                    now=now,
                    content_id=write.content_id,
                    version=write.version,
                )
            )
        db.expunge_all()
    result = BulkResult(
        total=len(items),
        created=tally.created,
        updated=tally.updated,
        unchanged=tally.unchanged,
        titles=tally.results,
    )
    return result, events
