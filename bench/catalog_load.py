"""The catalog bench/catalog.py measures: `--titles` generated titles loaded through the CMS
bulk import (set-up: timed and reported, not part of the latency figures), and what of it an
anonymous viewer in India may see.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text

from ott.catalog.visibility import VISIBLE, Viewer
from ott.cms.bulk import import_titles, parse_json
from ott.content.models import Content, Genre
from ott.core.app_context import AppContext
from ott.core.identity import Identity
from ott.core.locale import Language
from ott.core.maturity import DEFAULT_PROFILE_RATING
from ott.core.tiers import SubscriptionTier
from ott.seed import generate_catalog


@dataclass
class Loaded:
    titles: int
    seasons: int
    episodes: int
    generate_s: float
    document_mb: float
    import_s: float
    analyze_s: float
    visible: int
    database_mb: float
    created: int

    @property
    def titles_per_s(self) -> float:
        return self.titles / self.import_s if self.import_s else math.nan


def anonymous_viewer() -> Viewer:
    """The viewer the gateway makes of an anonymous request with X-Viewer-Country: IN."""
    return Viewer(
        country="IN",
        max_rating=DEFAULT_PROFILE_RATING,
        tier=SubscriptionTier.FREE,
        language=Language.EN,
        now=datetime.now(UTC),
    )


async def load_catalog(resources: AppContext, count: int) -> Loaded:
    """Generate `count` titles, import them published in one transaction, VACUUM ANALYZE."""
    print(f"loading {count:,} titles through the CMS bulk import (set-up)…", flush=True)
    started = time.perf_counter()
    document = await asyncio.to_thread(generate_catalog, count)
    seasons = sum(len(t.get("seasons") or ()) for t in document["titles"])
    episodes = sum(
        len(s.get("episodes") or ()) for t in document["titles"] for s in t.get("seasons") or ()
    )
    body = json.dumps(document).encode()
    del document
    generated = time.perf_counter()
    print(
        f"  generated {count:,} titles ({seasons:,} seasons, {episodes:,} episodes; "
        f"{len(body) / 1e6:.0f} MB of JSON) in {generated - started:.1f} s",
        flush=True,
    )
    identity = Identity(
        user_id=uuid.uuid4(), session_id="bench", roles=frozenset({"admin", "viewer"})
    )
    parsed = parse_json(body)
    async with resources.sessionmaker() as db, db.begin():
        result, _events = await import_titles(db=db, identity=identity, parsed=parsed, publish=True)
    imported = time.perf_counter()
    # The import's content events are not published: no server is running yet, so no cached
    # answer or spelling vocabulary can predate the catalog.
    # VACUUM too: otherwise autovacuum takes up the fresh table during the first scenario and
    # its CPU is counted as the scenario's (and the visibility map it sets is what a catalog
    # that has been running a while has).
    autocommit = resources.engine.execution_options(isolation_level="AUTOCOMMIT")
    async with autocommit.connect() as conn:
        await conn.execute(text("VACUUM ANALYZE"))
    async with resources.engine.connect() as conn:
        database_mb = (
            await conn.scalar(text("SELECT pg_database_size(current_database())")) or 0
        ) / 1e6
    analyzed = time.perf_counter()
    async with resources.sessionmaker() as db:
        visible = await db.scalar(
            select(text("count(*)")).select_from(Content).where(VISIBLE),
            anonymous_viewer().params,
        )
    loaded = Loaded(
        titles=count,
        seasons=seasons,
        episodes=episodes,
        generate_s=generated - started,
        document_mb=len(body) / 1e6,
        import_s=imported - generated,
        analyze_s=analyzed - imported,
        visible=int(visible or 0),
        database_mb=database_mb,
        created=result.created,
    )
    print(
        f"  imported {loaded.created:,} titles in {loaded.import_s:.1f} s "
        f"({loaded.titles_per_s:,.0f} titles/s), VACUUM ANALYZE {loaded.analyze_s:.1f} s; "
        f"{loaded.visible:,} visible to an anonymous viewer in India; database "
        f"{loaded.database_mb:,.0f} MB",
        flush=True,
    )
    return loaded


async def visible_titles(resources: AppContext) -> tuple[Sequence[Any], list[str]]:
    """The titles the anonymous viewer may see (id, type, titles and people, by id) and the
    genres' slugs: what the requests are made of."""
    async with resources.sessionmaker() as db:
        visible = (
            await db.execute(
                select(Content.id, Content.type, Content.title, Content.title_hi, Content.people)
                .where(VISIBLE)
                .order_by(Content.id),
                anonymous_viewer().params,
            )
        ).all()
        genres = sorted(await db.scalars(select(Genre.slug)))
    return visible, genres
