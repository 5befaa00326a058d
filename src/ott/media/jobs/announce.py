"""Announcing a finished encoding: `content.updated` for its title, once the success committed.

Cached catalog answers (whether a title has a video, its duration, languages and poster) are
dropped on content events, so a new video shows within a second instead of when the cache
expires. The event names the title (for an episode, its series) with the title's current
workflow state and version, like the CMS's events. Announcing is best effort: the job has
succeeded whatever happens here, so a failure is logged and the cache catches up on expiry.
"""

from __future__ import annotations

import asyncio
import uuid

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.content.models import Content, Episode, Season
from ott.core.event_types import ContentUpdated
from ott.core.events import EventBus
from ott.media.jobs.queue import Job

log = structlog.get_logger(__name__)

ANNOUNCE_TIMEOUT_S = 5.0


def event_id(job: Job) -> str:
    """The same for every publish of one job's success, so consumers apply it once."""
    return f"encoding-succeeded:{job.id}"


async def title_event(db: AsyncSession, job: Job) -> ContentUpdated | None:
    """The event for the job's title as it is now; None if the title is gone."""
    if job.episode_id is not None:
        statement = (
            select(Content.id, Content.workflow_state, Content.version)
            .join(Season, Season.content_id == Content.id)
            .join(Episode, Episode.season_id == Season.id)
            .where(Episode.id == job.episode_id)
        )
    else:
        statement = select(Content.id, Content.workflow_state, Content.version).where(
            Content.id == job.content_id
        )
    row = (await db.execute(statement)).first()
    if row is None:
        return None
    return ContentUpdated(
        content_id=row.id, workflow_state=row.workflow_state.value, version=row.version
    )


async def announce_success(
    *, events: EventBus, sessionmaker: async_sessionmaker[AsyncSession], job: Job
) -> uuid.UUID | None:
    """Publish the job's title's `content.updated`; the title's id, or None if nothing was
    published (the title is gone, or the database or Redis failed: logged, never raised)."""
    try:
        async with asyncio.timeout(ANNOUNCE_TIMEOUT_S):
            async with sessionmaker() as db:
                event = await title_event(db, job)
            if event is None:
                return None
            await events.publish(event, event_id=event_id(job))
            return event.content_id
    except Exception as exc:
        log.warning(
            "could not announce a finished encoding; cached catalog answers catch up when "
            "they expire",
            encoding_id=str(job.id),
            error=repr(exc),
        )
        return None
