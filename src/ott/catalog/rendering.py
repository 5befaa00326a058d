"""Catalog answers rendered as JSON by PostgreSQL while it reads the rows.

Decoding rows into Python objects, validating them into pydantic models and dumping those to
JSON again cost more CPU than everything else in a listing request. PostgreSQL builds the
same JSON in C as it reads the rows, so Python only joins the pieces. The shapes are the
response models of `schemas.py` (which document the API); the tests validate every kind of
answer against them, and the localisation rules match `localized()`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    ScalarSelect,
    Text,
    and_,
    case,
    cast,
    func,
    literal_column,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from ott.catalog import videos
from ott.catalog.visibility import locked
from ott.content.models import AudioTrack, Content, Episode, Genre, Season, Subtitle, content_genres
from ott.core.locale import Language

_EMPTY_ARRAY = text("'[]'::json")


class JsonText(str):
    """Text that is already a JSON document: sent as it is."""

    __slots__ = ()


def localized(english: str | None, hindi: str | None, language: Language) -> str | None:
    """The text in the viewer's language, else in the other one (empty counts as missing)."""
    if language is Language.HI:
        return hindi or english
    return english or hindi


def _localized(english: Any, hindi: Any, language: Language) -> ColumnElement[Any]:
    """`localized()` in SQL."""
    first, second = (hindi, english) if language is Language.HI else (english, hindi)
    return func.coalesce(func.nullif(first, ""), second)


def json_object(**fields: Any) -> ColumnElement[Any]:
    """json_build_object with these keys, in this order."""
    arguments: list[Any] = []
    for name, value in fields.items():
        arguments += [literal_column(f"'{name}'"), value]
    return func.json_build_object(*arguments)


def as_text(document: ColumnElement[Any]) -> ColumnElement[str]:
    """The JSON as text, so the driver hands it over without decoding it."""
    return cast(document, Text)


def _json_array(item: ColumnElement[Any], order: Any) -> ColumnElement[Any]:
    return func.coalesce(func.json_agg(aggregate_order_by(item, order)), _EMPTY_ARRAY)


def _genres(language: Language) -> ScalarSelect[Any]:
    name = _localized(Genre.name, Genre.name_hi, language)
    return (
        select(_json_array(json_object(slug=Genre.slug, name=name), Genre.name))
        .select_from(content_genres.join(Genre, Genre.id == content_genres.c.genre_id))
        .where(content_genres.c.content_id == Content.id)
        .scalar_subquery()
    )


def _title_fields(language: Language) -> dict[str, ColumnElement[Any]]:
    if language is Language.EN:  # title is never empty
        return {"title": Content.title.expression, "original_title": Content.title_hi.expression}
    has_own_hindi = func.nullif(Content.title_hi, "").is_not(None)
    return {
        "title": _localized(Content.title, Content.title_hi, language),
        "original_title": case(
            (and_(has_own_hindi, Content.title_hi != Content.title), Content.title),
            else_=Content.title_hi,
        ),
    }


def summary_fields(language: Language, premium: bool) -> dict[str, Any]:
    """The fields of `ContentSummary`, in its order (`locked` as for a viewer on this plan).
    Whether there is a video, and the poster's fallback, cost a lookup of the title's
    encodings each (for the rows of the page only)."""
    return {
        "id": Content.id,
        "type": Content.type,
        **_title_fields(language),
        "description": _localized(Content.description, Content.description_hi, language),
        "original_language": Content.original_language,
        "release_date": Content.release_date,
        "release_year": cast(func.extract("year", Content.release_date), Integer),
        "duration_minutes": Content.duration_minutes,
        "maturity_rating": Content.maturity_rating,
        "genres": _genres(language),
        "poster_url": videos.title_poster(),
        "thumbnail_url": Content.thumbnail_url,
        "tier_requirement": Content.tier_requirement,
        "locked": locked(premium),
        "playable": videos.title_playable(),
    }


def summary(language: Language, premium: bool) -> ColumnElement[Any]:
    """A `ContentSummary` as JSON."""
    return json_object(**summary_fields(language, premium))


def seasons(language: Language) -> ScalarSelect[Any]:
    """A title's seasons (a list of `SeasonOut`) as JSON."""
    episode_count = (
        select(func.count(Episode.id)).where(Episode.season_id == Season.id).scalar_subquery()
    )
    season = json_object(
        id=Season.id,
        season_number=Season.season_number,
        title=_localized(Season.title, Season.title_hi, language),
        release_date=Season.release_date,
        episode_count=episode_count,
    )
    return (
        select(_json_array(season, Season.season_number))
        .where(Season.content_id == Content.id)
        .scalar_subquery()
    )


def detail(language: Language, premium: bool) -> ColumnElement[Any]:
    """A `ContentDetail` as JSON."""
    return json_object(
        **summary_fields(language, premium),
        duration_seconds=videos.seconds(videos.film_result()),
        audio_languages=videos.title_languages(AudioTrack),
        subtitle_languages=videos.title_languages(Subtitle),
        thumbnails_url=videos.field(videos.film_result(), "thumbnails_url"),
        people=Content.people,
        trailer_url=Content.trailer_url,
        available_until=Content.available_until,
        seasons=seasons(language),
    )


def episodes(language: Language) -> ScalarSelect[Any]:
    """A season's episodes (a list of `EpisodeOut`) as JSON, each with its video's facts (one
    lookup of its newest encoding, joined laterally) and a frame of it as the thumbnail when
    none was uploaded."""
    video = videos.episode_video()
    result = video.c.result
    episode = json_object(
        id=Episode.id,
        episode_number=Episode.episode_number,
        title=func.coalesce(_localized(Episode.title, Episode.title_hi, language), Episode.title),
        description=_localized(Episode.description, Episode.description_hi, language),
        duration_minutes=Episode.duration_minutes,
        thumbnail_url=func.coalesce(
            func.nullif(Episode.thumbnail_url, ""), videos.field(result, "poster_url")
        ),
        playable=result.is_not(None),
        duration_seconds=videos.seconds(result),
        audio_languages=videos.episode_languages(AudioTrack),
        subtitle_languages=videos.episode_languages(Subtitle),
        thumbnails_url=videos.field(result, "thumbnails_url"),
    )
    return (
        select(_json_array(episode, Episode.episode_number))
        .select_from(Episode)
        .outerjoin(video, true())
        .where(Episode.season_id == Season.id)
        .scalar_subquery()
    )


def json_list(items: list[str]) -> str:
    return "[" + ",".join(items) + "]"
