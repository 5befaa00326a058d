"""Whether a viewer may play a title now, decided with the catalog's one visibility rule
(ott.catalog.visibility: published, in its window, in the viewer's country, up to the
profile's rating; `locked` for a plan below the title's).

The answer per (title, kind of viewer) is kept in the process for CATALOG_CACHE_SECONDS, the
same staleness the catalog's own answers may have: a position update re-checks from memory,
and a title that is unpublished or moved to premium stops its streams within that time plus
one update interval (well inside a token's lifetime).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.catalog.visibility import VISIBLE, Viewer, locked
from ott.content.models import Content, ContentType, Episode, Season
from ott.core.errors import Forbidden, NotFound, ValidationFailed
from ott.core.memo import TtlCache

_MAX_ENTRIES = 50_000


@dataclass(frozen=True)
class Title:
    id: uuid.UUID
    type: ContentType
    title: str
    locked: bool


@dataclass(frozen=True)
class EpisodeRef:
    id: uuid.UUID
    title: str


def _title_statement(premium: bool) -> Select[uuid.UUID, ContentType, str, bool]:
    return select(Content.id, Content.type, Content.title, locked(premium).label("locked")).where(
        Content.id == bindparam("content_id"), VISIBLE
    )


# Built once per plan: the viewer's values are bind parameters (visibility.Viewer.params).
_TITLE = {premium: _title_statement(premium) for premium in (False, True)}

_CacheKey = tuple[uuid.UUID, str, int, str]


class Entitlements:
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], *, ttl_seconds: float
    ) -> None:
        self.sessionmaker = sessionmaker
        # One-tuples, so a cached "not visible" (None) differs from a miss.
        self._cache: TtlCache[_CacheKey, tuple[Title | None]] = TtlCache(
            ttl_seconds=ttl_seconds, max_entries=_MAX_ENTRIES
        )

    async def visible_title(
        self, *, content_id: uuid.UUID, viewer: Viewer, db: AsyncSession | None = None
    ) -> Title | None:
        """The title if the viewer may see it now (maybe locked for their plan), else None.
        Uses `db` if given, else a short session of its own."""
        key = (content_id, viewer.country, viewer.max_rating.level, viewer.tier.value)
        if (cached := self._cache.get(key)) is not None:
            return cached[0]
        params = viewer.params | {"content_id": content_id}
        if db is not None:
            row = (await db.execute(_TITLE[viewer.premium], params)).first()
        else:
            async with self.sessionmaker() as session:
                row = (await session.execute(_TITLE[viewer.premium], params)).first()
        title = Title(row.id, row.type, row.title, bool(row.locked)) if row is not None else None
        self._cache.put(key, (title,))
        return title


def require_playable(title: Title | None) -> Title:
    """The title, or the error a viewer gets: 404 if they may not see it (its existence does
    not leak), 403 premium_required if their plan is below it."""
    if title is None:
        raise NotFound("No such title")
    if title.locked:
        raise Forbidden("This title needs a premium plan", code="premium_required")
    return title


async def episode_of(
    db: AsyncSession, *, title: Title, episode_id: uuid.UUID | None
) -> EpisodeRef | None:
    """The episode to play: required for a series (and one of its own), refused otherwise."""
    if title.type is not ContentType.TV_SHOW:
        if episode_id is not None:
            raise ValidationFailed(
                "Only a series has episodes; leave episode_id out",
                code="not_a_series",
                details=[{"field": "episode_id", "message": "this title is not a series"}],
            )
        return None
    if episode_id is None:
        raise ValidationFailed(
            "A series plays one of its episodes: name the episode_id",
            code="episode_required",
            details=[{"field": "episode_id", "message": "required for a series"}],
        )
    row = (
        await db.execute(
            select(Episode.id, Episode.title)
            .join(Season, Season.id == Episode.season_id)
            .where(Episode.id == episode_id, Season.content_id == title.id)
        )
    ).first()
    if row is None:
        raise NotFound("No such episode of this title", code="episode_not_found")
    return EpisodeRef(row.id, row.title)
