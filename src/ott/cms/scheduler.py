"""Scheduled publishing: titles published ahead of their `available_from` go live by themselves.

Design (no extra column): publishing an approved title whose available_from is in the future
stores it as `published` with `published_at = available_from`. The catalog already hides a
title before its available_from, so the title appears at the right moment without any write.
What remains is to announce it: `content.published` must go out when the time comes, for
every scheduled title that is due (both defined in ott.cms.schedule).

Every `interval` seconds each CMS replica runs one short transaction:

    SELECT id, version FROM content
     WHERE <scheduled: SCHEDULED_SQL> AND published_at <= now()
     ORDER BY published_at LIMIT :batch
     FOR UPDATE SKIP LOCKED

publishes `content.published` for those rows, sets their updated_at to now() (so they are no
longer waiting), and commits. SKIP LOCKED lets several replicas run at once without taking
the same title. The events are published before the commit, with an id derived from the
title and its go-live time: if the commit fails, the next run publishes them again with the
same ids, and consumers (which keep a done-marker per event id) handle each once.

The interval is the
setting CMS_PUBLISH_INTERVAL_SECONDS (5 s by default).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ott.cms.schedule import SCHEDULED_SQL
from ott.content.models import WorkflowState
from ott.core.app_context import AppContext, app_context
from ott.core.app_factory import LifespanHook
from ott.core.background import running_in_background
from ott.core.event_types import ContentPublished

log = structlog.get_logger(__name__)

BATCH = 500

_DUE = text(
    f"""
    SELECT id, version, published_at FROM content
    WHERE {SCHEDULED_SQL} AND published_at <= now()
    ORDER BY published_at
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
    """  # noqa: S608 (a constant, no input)
)
_ANNOUNCED = text("UPDATE content SET updated_at = now() WHERE id = ANY(:ids)")


class PublishScheduler:
    def __init__(self, context: AppContext, *, interval: float, batch: int = BATCH) -> None:
        if interval <= 0:
            raise ValueError("the publish interval must be positive")
        self.context = context
        self.interval = interval
        self.batch = batch

    async def run_once(self) -> list[uuid.UUID]:
        """Announce the titles that are due; return their ids."""
        announced: list[uuid.UUID] = []
        async with self.context.sessionmaker() as db, db.begin():
            while True:
                rows = (await db.execute(_DUE, {"batch": self.batch})).all()
                if not rows:
                    break
                for content_id, version, published_at in rows:
                    event = ContentPublished(
                        content_id=content_id,
                        workflow_state=WorkflowState.PUBLISHED.value,
                        version=version,
                    )
                    await self.context.events.publish(
                        event, event_id=f"{event.name}:{content_id}:{published_at.isoformat()}"
                    )
                ids = [row[0] for row in rows]
                await db.execute(_ANNOUNCED, {"ids": ids})
                announced += ids
                if len(rows) < self.batch:
                    break
        if announced:
            log.info("scheduled titles went live", count=len(announced))
        return announced

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except (SQLAlchemyError, RedisError, OSError) as exc:
                log.warning("publish scheduler: store error, retrying", error=repr(exc))
            except Exception:
                log.exception("publish scheduler failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval)


def scheduler_hook(interval: float) -> LifespanHook:
    """A lifespan hook running the scheduler for as long as the app runs."""

    @asynccontextmanager
    async def run_scheduler(app: FastAPI) -> AsyncIterator[None]:
        scheduler = PublishScheduler(app_context(app), interval=interval)
        async with running_in_background("cms-publish-scheduler", scheduler.run):
            yield

    return run_scheduler
