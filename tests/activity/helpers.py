"""Making viewers, titles and playback for the activity API tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from ott.activity import service
from ott.activity.store_postgres import PostgresActivityStore
from ott.content.models import Episode, Season
from ott.core.app_context import AppContext
from ott.core.event_types import PlaybackCompleted, PlaybackEvent, PlaybackPosition
from ott.core.settings import Settings
from tests.catalog.conftest import Catalog, viewer
from tests.conftest import bearer


@dataclass
class Profile:
    """A signed-in viewer watching as one profile."""

    tokens: dict[str, Any]
    catalog: Catalog

    @property
    def user_id(self) -> uuid.UUID:
        return uuid.UUID(self.tokens["user"]["id"])

    @property
    def profile_id(self) -> uuid.UUID:
        return uuid.UUID(self.tokens["profile_id"])

    @property
    def headers(self) -> dict[str, str]:
        return self.catalog.headers(self.tokens)


async def new_profile(api: httpx.AsyncClient, catalog: Catalog, **options: Any) -> Profile:
    return Profile(await viewer(api, **options), catalog)


async def sibling_of(api: httpx.AsyncClient, profile: Profile) -> Profile:
    """Another profile of the same account."""
    created = await api.post(
        "/api/auth/profiles",
        headers=bearer(profile.tokens),
        json={"name": f"Sibling {uuid.uuid4().hex[:4]}", "maturity_rating": "PG-13"},
    )
    assert created.status_code == 201, created.text
    selected = await api.post(
        f"/api/auth/profiles/{created.json()['id']}/select", headers=bearer(profile.tokens)
    )
    assert selected.status_code == 200, selected.text
    return Profile(selected.json(), profile.catalog)


async def episodes_of(resources: AppContext, content_id: uuid.UUID) -> list[uuid.UUID]:
    """The series' episodes in order (season, then episode)."""
    async with resources.sessionmaker() as db:
        found = await db.scalars(
            select(Episode.id)
            .join(Season, Season.id == Episode.season_id)
            .where(Season.content_id == content_id)
            .order_by(Season.season_number, Episode.episode_number)
        )
        return list(found)


class Player:
    """Plays titles for profiles by applying playback events as the consumer would."""

    def __init__(self, resources: AppContext, settings: Settings) -> None:
        self.store = PostgresActivityStore(resources.sessionmaker)
        self.settings = settings
        self.clock = datetime.now(UTC)

    def _tick(self) -> datetime:
        """Now, always later than the last tick (to the millisecond, as stored)."""
        self.clock = max(self.clock + timedelta(milliseconds=2), datetime.now(UTC))
        return self.clock

    async def watch(
        self,
        profile: Profile,
        content_id: uuid.UUID,
        *,
        to_percent: float,
        duration: float = 3600.0,
        episode_id: uuid.UUID | None = None,
        complete: bool = False,
    ) -> str:
        """A session of the profile that stops at `to_percent` (completing when asked)."""
        session_id = uuid.uuid4().hex
        model: type[PlaybackEvent] = PlaybackCompleted if complete else PlaybackPosition
        event = model(
            session_id=session_id,
            user_id=profile.user_id,
            profile_id=profile.profile_id,
            content_id=content_id,
            episode_id=episode_id,
            device_type="web",
            position_seconds=duration * to_percent / 100,
            duration_seconds=duration,
            sequence=1,
            occurred_at=self._tick(),
        )
        await service.apply_playback_events(
            store=self.store, settings=self.settings, payloads=[event]
        )
        return session_id
