"""Loading the demo catalog into the platform, through the CMS's own bulk importer."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import exists, select

from ott.cms import bulk
from ott.cms.events import publish_events
from ott.cms.schemas import BulkResult
from ott.content.models import Content
from ott.core.app_context import AppContext
from ott.core.identity import Identity, Role
from ott.seed.catalog import generate_catalog

DEMO_TITLES = 240
# Versions written by the seed name this user as their author.
SEED_AUTHOR = uuid.UUID("00000000-0000-4000-8000-000000005eed")


def seed_identity() -> Identity:
    """Who the seed acts as: an admin, so it may publish titles and encode their videos."""
    return Identity(
        user_id=SEED_AUTHOR,
        session_id="seed",
        roles=frozenset({Role.ADMIN.value, Role.EDITOR.value, Role.VIEWER.value}),
    )


async def catalog_is_empty(context: AppContext) -> bool:
    async with context.sessionmaker() as db:
        return not await db.scalar(select(exists().where(Content.id.is_not(None))))


async def seed_demo_catalog(
    context: AppContext, *, count: int = DEMO_TITLES, seed: int = 7
) -> BulkResult:
    """Import (or refresh) `count` generated titles as published; idempotent by external id."""
    document = json.dumps(generate_catalog(count, seed=seed)).encode()
    parsed = bulk.parse_json(document)
    async with context.sessionmaker() as db, db.begin():
        result, events = await bulk.import_titles(
            db=db, identity=seed_identity(), parsed=parsed, publish=True
        )
    await publish_events(context.events, events)
    return result
