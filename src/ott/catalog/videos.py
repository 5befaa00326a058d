"""What the catalog says about a title's or an episode's video, as SQL for rendering.py.

The pipeline registers a finished encoding in one transaction: the job's `result` (manifests,
duration, poster frame, thumbnails track) and the owner's video_variants, audio_tracks and
subtitles rows (media/jobs/registration.py). So a title or an episode is playable when it has
a succeeded encoding, and its video is the newest one; the languages come from the rows. A
series has no encoding of its own: its episodes' encodings name it as their title too.

The catalog only reads these tables. Each expression is a scalar subquery served by the partial
indexes of succeeded encodings (newest first, by title and by episode), run for the rows an
answer returns (after a listing's LIMIT), never a hashed subplan over the whole table.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Numeric,
    ScalarSelect,
    Select,
    cast,
    false,
    func,
    literal_column,
    select,
    true,
    union,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.selectable import LateralFromClause

from ott.content.models import AudioTrack, Content, Episode, Season, Subtitle
from ott.media.models import Encoding, EncodingStatus

_SUCCEEDED = Encoding.status == EncodingStatus.SUCCEEDED
_EMPTY_ARRAY: ColumnElement[Any] = literal_column("'[]'::json")

MediaTable = type[AudioTrack] | type[Subtitle]


def newest_result(*owner: ColumnElement[bool]) -> Select[Any]:
    """The `result` of the owner's newest succeeded encoding (one row at most)."""
    return (
        select(Encoding.result.label("result"))
        .where(*owner, _SUCCEEDED)
        .order_by(Encoding.finished_at.desc())
        .limit(1)
    )


def film_result() -> ScalarSelect[Any]:
    """The `result` of the title's own video (a film's or a sports title's)."""
    return newest_result(
        Encoding.content_id == Content.id, Encoding.episode_id.is_(None)
    ).scalar_subquery()


def episode_video() -> LateralFromClause:
    """The episode's newest succeeded encoding (its `result` column), to join laterally."""
    return newest_result(Encoding.episode_id == Episode.id).lateral("video")


def title_playable() -> ColumnElement[bool]:
    """Whether the title (for a series: any of its episodes) has a succeeded encoding. A
    scalar subquery with LIMIT 1, which PostgreSQL cannot turn into a hash of every succeeded
    encoding as it may an EXISTS."""
    found = select(true()).where(Encoding.content_id == Content.id, _SUCCEEDED).limit(1)
    return func.coalesce(found.scalar_subquery(), false())


def title_poster() -> ColumnElement[Any]:
    """The uploaded poster, else a frame of the title's video (for a series: of its newest
    encoded episode). Inside COALESCE the subquery runs only when no poster was uploaded."""
    # A film's encodings are all its own, a series' all its episodes'.
    frame = (
        select(Encoding.result["poster_url"].astext)
        .where(Encoding.content_id == Content.id, _SUCCEEDED)
        .order_by(Encoding.finished_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(func.nullif(Content.poster_url, ""), frame)


def field(result: Any, name: str) -> ColumnElement[Any]:
    """A text field of a `result` (JSONB)."""
    return result.op("->>")(literal_column(f"'{name}'"))


def seconds(result: Any) -> ColumnElement[Any]:
    """`result.duration_seconds`, rounded to the millisecond (so always written with decimals)."""
    return func.round(cast(field(result, "duration_seconds"), Numeric), 3)


def _sorted_languages(languages: Select[Any] | CompoundSelect) -> ScalarSelect[Any]:
    """The values of a one-column (`language`) select, in order, as a JSON array."""
    rows = languages.subquery()
    column = rows.c.language
    return (
        select(func.coalesce(func.json_agg(aggregate_order_by(column, column)), _EMPTY_ARRAY))
        .select_from(rows)
        .scalar_subquery()
    )


def title_languages(table: MediaTable) -> ScalarSelect[Any]:
    """The audio (or subtitle) languages of the title's video; for a series, of all its
    episodes' videos together."""
    # Correlated by hand: a select inside FROM is not correlated to the title by itself.
    own = select(table.language).where(table.content_id == Content.id).correlate(Content)
    of_episodes = (
        select(table.language)
        .join(Episode, Episode.id == table.episode_id)
        .join(Season, Season.id == Episode.season_id)
        .where(Season.content_id == Content.id)
        .correlate(Content)
    )
    return _sorted_languages(union(own, of_episodes))


def episode_languages(table: MediaTable) -> ScalarSelect[Any]:
    """The audio (or subtitle) languages of the episode's video."""
    own = select(table.language).where(table.episode_id == Episode.id).correlate(Episode)
    return _sorted_languages(own.distinct())
