"""Catalog tests run on a database of their own, so titles made by other suites never show up
in their listings; each test also gets a country of its own, and its titles are available only
there, so tests never see each other's titles either."""

from __future__ import annotations

import itertools
import string
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from ott.content.indexing import reindex, sort_title
from ott.content.models import (
    AudioTrack,
    AvailabilityRule,
    Content,
    ContentType,
    Episode,
    Genre,
    Season,
    Subtitle,
    VideoVariant,
    WorkflowState,
)
from ott.core.app_context import AppContext
from ott.core.maturity import MaturityRating
from ott.core.settings import Settings
from ott.media.models import Encoding, EncodingStatus
from tests.conftest import bearer, own_database, register, start_gateway, subscribe

COUNTRIES: Iterator[str] = (a + b for a, b in itertools.product(string.ascii_uppercase, repeat=2))


@pytest.fixture(scope="package")
def catalog_settings(settings: Settings) -> Iterator[Settings]:
    with own_database(
        settings,
        "catalog",
        redis_key_prefix=f"{settings.redis_key_prefix}cat:",
        catalog_cache_seconds=10.0,
        catalog_summary_seconds=0.0,
    ) as own:
        yield own


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

    async def episode_ids(self, content_id: uuid.UUID) -> list[uuid.UUID]:
        """The title's episodes, season by season."""
        async with self.resources.sessionmaker() as db:
            rows = await db.scalars(
                select(Episode.id)
                .join(Season, Season.id == Episode.season_id)
                .where(Season.content_id == content_id)
                .order_by(Season.season_number, Episode.episode_number)
            )
            return list(rows)

    async def video(
        self,
        content_id: uuid.UUID,
        *,
        episode_id: uuid.UUID | None = None,
        status: EncodingStatus = EncodingStatus.SUCCEEDED,
        seconds: float = 24.0,
        audio: Sequence[str] = ("en",),
        subtitles: Sequence[str] = (),
        finished_at: datetime | None = None,
    ) -> uuid.UUID:
        """An encoding of the title (or episode) as the pipeline leaves it: for a succeeded
        one, its result and the owner's media rows replaced, in one transaction."""
        encoding_id = uuid.uuid4()
        folder = f"/media/videos/{episode_id or content_id}/{encoding_id}"
        succeeded = status is EncodingStatus.SUCCEEDED
        result = {
            "master_playlist_url": f"{folder}/master.m3u8",
            "dash_manifest_url": f"{folder}/manifest.mpd",
            "poster_url": f"{folder}/poster.jpg",
            "thumbnails_url": f"{folder}/thumbnails.vtt",
            "duration_seconds": seconds,
        }
        owner = {"content_id": None if episode_id else content_id, "episode_id": episode_id}
        async with self.resources.sessionmaker() as db, db.begin():
            db.add(
                Encoding(
                    id=encoding_id,
                    content_id=content_id,
                    episode_id=episode_id,
                    status=status,
                    source_key=f"sources/{encoding_id}/source.mp4",
                    result=result if succeeded else None,
                    finished_at=(finished_at or datetime.now(UTC)) if succeeded else None,
                )
            )
            if succeeded:
                for table in (VideoVariant, AudioTrack, Subtitle):
                    column = table.episode_id if episode_id else table.content_id
                    for row in await db.scalars(
                        select(table).where(column == (episode_id or content_id))
                    ):
                        await db.delete(row)
                db.add(VideoVariant(**owner, quality="144p", hls_url=f"{folder}/v0.m3u8"))
                for language in audio:
                    db.add(
                        AudioTrack(**owner, language=language, url=f"{folder}/a_{language}.m3u8")
                    )
                for language in subtitles:
                    db.add(Subtitle(**owner, language=language, url=f"{folder}/s_{language}.vtt"))
        return encoding_id

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
) -> dict[str, Any]:
    """Tokens of a viewer watching as a profile with this rating and language."""
    tokens = await register(capi)
    if premium:
        await subscribe(capi, bearer(tokens))
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
