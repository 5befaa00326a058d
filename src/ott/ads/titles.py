"""What the ad service knows of a title: whether the viewer may play it (the catalog's one
visibility rule, ott.catalog.visibility), what targeting looks at (genres, language, rating,
type) and how long its current video is (where the mid-rolls go).

Kept in the process for CATALOG_CACHE_SECONDS, the staleness the catalog's own answers may
have, so a decision for a title seen recently reads no table.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.catalog.visibility import VISIBLE, Viewer, locked
from ott.content.models import Content, ContentType, Episode, Season
from ott.core.errors import Forbidden, NotFound, ValidationFailed
from ott.core.memo import TtlCache
from ott.media.current import current_video

_MAX_ENTRIES = 50_000


@dataclass(frozen=True)
class TitleFacts:
    """What targeting matches on."""

    content_id: uuid.UUID
    type: str
    language: str
    rating: str
    genres: frozenset[str]


@dataclass(frozen=True)
class Playable:
    facts: TitleFacts
    episode_id: uuid.UUID | None
    duration_seconds: float  # of the current video; 0 when it has none


_FACTS = select(
    Content.id,
    Content.type,
    Content.original_language,
    Content.maturity_rating,
    Content.genre_slugs,
).where(Content.id == bindparam("content_id"))


def _visible(premium: bool):  # type: ignore[no-untyped-def]
    return select(Content.id, locked(premium).label("locked")).where(
        Content.id == bindparam("content_id"), VISIBLE
    )


_VISIBLE = {premium: _visible(premium) for premium in (False, True)}
_EPISODE = (
    select(Episode.id)
    .join(Season, Season.id == Episode.season_id)
    .where(Episode.id == bindparam("episode_id"), Season.content_id == bindparam("content_id"))
)


class Titles:
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], *, ttl_seconds: float
    ) -> None:
        self.sessionmaker = sessionmaker
        self._facts: TtlCache[uuid.UUID, tuple[TitleFacts | None]] = TtlCache(
            ttl_seconds=ttl_seconds, max_entries=_MAX_ENTRIES
        )
        self._playable: TtlCache[tuple[uuid.UUID, uuid.UUID | None, str], Playable] = TtlCache(
            ttl_seconds=ttl_seconds, max_entries=_MAX_ENTRIES
        )

    async def facts(self, content_id: uuid.UUID) -> TitleFacts | None:
        if (cached := self._facts.get(content_id)) is not None:
            return cached[0]
        async with self.sessionmaker() as db:
            found = await self._read_facts(db, content_id)
        self._facts.put(content_id, (found,))
        return found

    @staticmethod
    async def _read_facts(db: AsyncSession, content_id: uuid.UUID) -> TitleFacts | None:
        row = (await db.execute(_FACTS, {"content_id": content_id})).first()
        if row is None:
            return None
        return TitleFacts(
            content_id=row.id,
            type=row.type.value,
            language=row.original_language.value,
            rating=row.maturity_rating,
            genres=frozenset(row.genre_slugs or ()),
        )

    async def playable(
        self, *, content_id: uuid.UUID, episode_id: uuid.UUID | None, viewer: Viewer
    ) -> Playable:
        """The title as this viewer would play it: 404 if they may not see it (or it has no
        such episode), 403 premium_required if it is locked for their plan, 422 for an
        episode missing from a series (or given for a film)."""
        key = (content_id, episode_id, viewer.cache_scope)
        if (cached := self._playable.get(key)) is not None:
            return cached
        async with self.sessionmaker() as db:
            row = (
                await db.execute(
                    _VISIBLE[viewer.premium], viewer.params | {"content_id": content_id}
                )
            ).first()
            if row is None:
                raise NotFound("No such title")
            if row.locked:
                raise Forbidden("This title needs a premium plan", code="premium_required")
            facts = await self._read_facts(db, content_id)
            assert facts is not None
            await _check_episode(db, facts, episode_id)
            video = await current_video(db, content_id=content_id, episode_id=episode_id)
        playable = Playable(facts, episode_id, video.duration_seconds if video else 0.0)
        return self._playable.put(key, playable)


async def _check_episode(db: AsyncSession, facts: TitleFacts, episode_id: uuid.UUID | None) -> None:
    series = facts.type == ContentType.TV_SHOW.value
    if not series and episode_id is not None:
        raise ValidationFailed(
            "Only a series has episodes; leave episode_id out",
            code="not_a_series",
            details=[{"field": "episode_id", "message": "this title is not a series"}],
        )
    if series and episode_id is None:
        raise ValidationFailed(
            "A series plays one of its episodes: name the episode_id",
            code="episode_required",
            details=[{"field": "episode_id", "message": "required for a series"}],
        )
    if episode_id is not None:
        found = await db.scalar(
            _EPISODE, {"episode_id": episode_id, "content_id": facts.content_id}
        )
        if found is None:
            raise NotFound("No such episode of this title", code="episode_not_found")
