"""What activity shows of a title: read from the content tables with the catalog's one
visibility rule (`ott.catalog.visibility.VISIBLE`, executed with `viewer.params`), so a list
never names a title the profile may not see now.

One statement answers a whole list: for each (title, episode) asked about, the title if
visible, the episode, and the episode after it in the series (next in its season, else the
first of the next season), for "next up".
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import ARRAY, Select, Uuid, and_, bindparam, column, func, select, true, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ott.catalog.rendering import localized
from ott.catalog.videos import title_poster
from ott.catalog.visibility import VISIBLE, Viewer, locked
from ott.content.models import Content, ContentType, Episode, Season
from ott.core.locale import Language


@dataclass(frozen=True, slots=True)
class EpisodeInfo:
    id: uuid.UUID
    title: str
    season_number: int
    episode_number: int
    duration_seconds: float | None
    thumbnail_url: str | None


@dataclass(frozen=True, slots=True)
class TitleInfo:
    content_id: uuid.UUID
    type: ContentType
    title: str
    poster_url: str | None
    thumbnail_url: str | None
    locked: bool
    episode: EpisodeInfo | None
    next_episode: EpisodeInfo | None


_ASKED = (
    func.unnest(
        bindparam("content_ids", type_=ARRAY(Uuid)), bindparam("episode_ids", type_=ARRAY(Uuid))
    )
    .table_valued(column("content_id", Uuid), column("episode_id", Uuid))
    .render_derived(name="asked")
)


@lru_cache(maxsize=2)
def _statement(premium: bool) -> Select[Any]:
    later_season = aliased(Season)
    later = aliased(Episode)
    following = (
        select(
            later.id,
            later.title,
            later.title_hi,
            later.episode_number,
            later.duration_minutes,
            later.thumbnail_url,
            later_season.season_number,
        )
        .join(later_season, later_season.id == later.season_id)
        .where(
            later_season.content_id == Season.content_id,
            tuple_(later_season.season_number, later.episode_number)
            > tuple_(Season.season_number, Episode.episode_number),
        )
        .order_by(later_season.season_number, later.episode_number)
        .limit(1)
        .lateral("following")
    )
    return (
        select(
            _ASKED.c.content_id,
            _ASKED.c.episode_id,
            Content.type,
            Content.title,
            Content.title_hi,
            # The uploaded poster, else a frame of the title's video, as in the catalog.
            title_poster().label("poster_url"),
            Content.thumbnail_url,
            locked(premium).label("locked"),
            Episode.id.label("episode_found"),
            Episode.title.label("episode_title"),
            Episode.title_hi.label("episode_title_hi"),
            Episode.episode_number,
            Episode.duration_minutes,
            Episode.thumbnail_url.label("episode_thumbnail_url"),
            Season.season_number,
            following.c.id.label("next_id"),
            following.c.title.label("next_title"),
            following.c.title_hi.label("next_title_hi"),
            following.c.episode_number.label("next_episode_number"),
            following.c.duration_minutes.label("next_duration_minutes"),
            following.c.thumbnail_url.label("next_thumbnail_url"),
            following.c.season_number.label("next_season_number"),
        )
        .select_from(_ASKED)
        .join(Content, Content.id == _ASKED.c.content_id)
        .outerjoin(Episode, Episode.id == _ASKED.c.episode_id)
        .outerjoin(Season, and_(Season.id == Episode.season_id, Season.content_id == Content.id))
        .outerjoin(following, true())
        .where(VISIBLE)
    )


def _minutes(value: int | None) -> float | None:
    return value * 60.0 if value else None


def _episode(row: Any, prefix: str, language: Language) -> EpisodeInfo | None:
    get = row._mapping
    identifier = get[f"{prefix}id"] if prefix else get["episode_found"]
    season = get[f"{prefix}season_number"]
    if identifier is None or season is None:
        return None
    title_key = f"{prefix}title" if prefix else "episode_title"
    thumbnail_key = f"{prefix}thumbnail_url" if prefix else "episode_thumbnail_url"
    return EpisodeInfo(
        id=identifier,
        title=localized(get[title_key], get[f"{title_key}_hi"], language) or get[title_key],
        season_number=season,
        episode_number=get[f"{prefix}episode_number"],
        duration_seconds=_minutes(get[f"{prefix}duration_minutes"]),
        thumbnail_url=get[thumbnail_key],
    )


async def describe(
    *,
    db: AsyncSession,
    viewer: Viewer,
    items: Sequence[tuple[uuid.UUID, uuid.UUID | None]],
) -> dict[tuple[uuid.UUID, uuid.UUID | None], TitleInfo]:
    """The titles among `items` (title, episode or None) the viewer may see now, by item; an
    episode that is not one of its title's is left out (`episode` None)."""
    if not items:
        return {}
    params = viewer.params | {
        "content_ids": [content for content, _ in items],
        "episode_ids": [episode for _, episode in items],
    }
    rows = (await db.execute(_statement(viewer.premium), params)).all()
    language = viewer.language
    found = {}
    for row in rows:
        episode = _episode(row, "", language)
        found[(row.content_id, row.episode_id)] = TitleInfo(
            content_id=row.content_id,
            type=ContentType(row.type),
            title=localized(row.title, row.title_hi, language) or row.title,
            poster_url=row.poster_url,
            thumbnail_url=row.thumbnail_url,
            locked=bool(row.locked),
            episode=episode,
            next_episode=_episode(row, "next_", language) if episode else None,
        )
    return found


async def visible_titles(
    *, db: AsyncSession, viewer: Viewer, content_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, TitleInfo]:
    """The titles among `content_ids` the viewer may see now."""
    described = await describe(db=db, viewer=viewer, items=[(c, None) for c in content_ids])
    return {content_id: info for (content_id, _), info in described.items()}
