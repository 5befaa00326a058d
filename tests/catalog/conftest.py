"""Catalog tests run on a database of their own, so titles made by other suites never show up
in their listings; each test also gets a country of its own, and its titles are available only
there, so tests never see each other's titles either."""

from __future__ import annotations

import itertools
import string
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from ott.content.indexing import reindex, sort_title
from ott.content.models import (
    AvailabilityRule,
    Content,
    ContentType,
    Episode,
    Genre,
    Season,
    WorkflowState,
)
from ott.core import migrate
from ott.core.app_context import AppContext
from ott.core.maturity import MaturityRating
from ott.core.settings import Settings
from tests.conftest import (
    bearer,
    database_named,
    register,
    run_sql,
    settings_with,
    start_gateway,
)

COUNTRIES: Iterator[str] = (a + b for a, b in itertools.product(string.ascii_uppercase, repeat=2))


@pytest.fixture(scope="package")
def catalog_settings(settings: Settings) -> Iterator[Settings]:
    name = f"ott_catalog_{uuid.uuid4().hex[:8]}"
    admin = database_named(str(settings.database_url), "postgres", driver=None)
    run_sql(admin, f'CREATE DATABASE "{name}"')
    own = settings_with(
        settings,
        database_url=database_named(str(settings.database_url), name),
        redis_key_prefix=f"{settings.redis_key_prefix}cat:",
        catalog_cache_seconds=10.0,
        catalog_summary_seconds=0.0,
    )
    migrate.upgrade(own)
    yield own
    run_sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="package")
async def capi(catalog_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    client, lifespan = await start_gateway(catalog_settings)
    yield client
    await client.aclose()
    await lifespan.__aexit__(None, None, None)


@pytest.fixture(scope="package")
async def resources(catalog_settings: Settings) -> AsyncIterator[AppContext]:
    opened = AppContext.open(catalog_settings)
    yield opened
    await opened.close()


@pytest.fixture
def country() -> str:
    return next(COUNTRIES)


class Catalog:
    """Makes titles straight in the database, as the CMS would publish them."""

    def __init__(self, resources: AppContext, country: str) -> None:
        self.resources = resources
        self.country = country

    async def title(
        self,
        title: str = "A Title",
        *,
        rules: list[dict[str, Any]] | None = None,
        genres: list[str] = (),
        seasons: list[list[str]] = (),
        **fields: Any,
    ) -> uuid.UUID:
        rating = MaturityRating(fields.pop("maturity_rating", "PG"))
        values: dict[str, Any] = {
            "type": ContentType.TV_SHOW if seasons else ContentType.MOVIE,
            "workflow_state": WorkflowState.PUBLISHED,
            "release_date": date(2020, 1, 1),
            **fields,
        }
        async with self.resources.sessionmaker() as db, db.begin():
            content = Content(
                title=title,
                sort_title=sort_title(title),
                maturity_rating=rating.value,
                maturity_level=rating.level,
                **values,
            )
            if genres:
                content.genres = list(await db.scalars(select(Genre).where(Genre.slug.in_(genres))))
            for rule in [{"allowed_countries": [self.country]}] if rules is None else rules:
                content.availability_rules.append(AvailabilityRule(**rule))
            for number, episode_titles in enumerate(seasons, start=1):
                season = Season(season_number=number, title=f"Season {number}")
                season.episodes = [
                    Episode(episode_number=i, title=t, duration_minutes=40)
                    for i, t in enumerate(episode_titles, start=1)
                ]
                content.seasons.append(season)
            db.add(content)
            await db.flush()
            await reindex(db, [content.id])
            return content.id

    def headers(self, tokens: dict[str, Any] | None = None) -> dict[str, str]:
        base = {"X-Viewer-Country": self.country}
        return base | bearer(tokens) if tokens else base


@pytest.fixture
def catalog(resources: AppContext, country: str) -> Catalog:
    return Catalog(resources, country)


async def viewer(
    capi: httpx.AsyncClient,
    *,
    rating: str = "PG-13",
    language: str = "en",
    kids: bool = False,
    premium: bool = False,
    resources: AppContext | None = None,
) -> dict[str, Any]:
    """Tokens of a viewer watching as a profile with this rating and language."""
    tokens = await register(capi)
    if premium:
        assert resources is not None
        async with resources.engine.begin() as connection:
            await connection.execute(
                text("UPDATE users SET subscription_tier = 'premium' WHERE id = :id"),
                {"id": uuid.UUID(tokens["user"]["id"])},
            )
    body = {"name": "Watcher", "language_preference": language, "is_kids": kids}
    if not kids:
        body["maturity_rating"] = rating
    profile = await capi.post("/api/auth/profiles", headers=bearer(tokens), json=body)
    assert profile.status_code == 201, profile.text
    selected = await capi.post(
        f"/api/auth/profiles/{profile.json()['id']}/select", headers=bearer(tokens)
    )
    assert selected.status_code == 200, selected.text
    return selected.json()
