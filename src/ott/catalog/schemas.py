"""Query parameters and answers of the catalog service."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ott.content.models import ContentType
from ott.core.locale import Language
from ott.core.maturity import MaturityRating
from ott.core.text import SingleLine
from ott.core.tiers import SubscriptionTier

MAX_PAGE_SIZE = 100


class SortOrder(StrEnum):
    NEWEST = "newest"
    TITLE = "title"
    POPULARITY = "popularity"


class ContentFilters(BaseModel):
    """Filters of a listing; unknown parameters are refused."""

    model_config = ConfigDict(extra="forbid")

    type: ContentType | None = None
    genre: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,100}$")] | None = None
    language: Language | None = None
    year: Annotated[int, Field(ge=1888, le=2100)] | None = None
    year_from: Annotated[int, Field(ge=1888, le=2100)] | None = None
    year_to: Annotated[int, Field(ge=1888, le=2100)] | None = None
    maturity: MaturityRating | None = Field(None, description="Up to this rating")
    tier: SubscriptionTier | None = None
    sort: SortOrder = SortOrder.NEWEST
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = 20
    cursor: Annotated[str, StringConstraints(max_length=500)] | None = None

    @model_validator(mode="after")
    def _year_range(self) -> ContentFilters:
        if self.year_from and self.year_to and self.year_from > self.year_to:
            raise ValueError("year_from must not be after year_to")
        return self


class SearchQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SingleLine
    ]
    type: ContentType | None = None
    limit: Annotated[int, Field(ge=1, le=50)] = 20


class GenreOut(BaseModel):
    slug: str
    name: str


class ContentSummary(BaseModel):
    """A title as a shelf or a search result shows it, in the viewer's language."""

    id: uuid.UUID
    type: ContentType
    title: str
    original_title: str | None = Field(description="The title in the other language, if any")
    description: str | None
    original_language: Language
    release_date: date | None
    release_year: int | None
    duration_minutes: int | None
    maturity_rating: MaturityRating
    genres: list[GenreOut]
    poster_url: str | None = Field(
        description="The uploaded poster, else a frame of the title's video (if it has one)"
    )
    thumbnail_url: str | None
    tier_requirement: SubscriptionTier
    locked: bool = Field(description="True when the viewer's plan does not include it")
    playable: bool = Field(
        description="Whether there is a video to play (for a series: for some episode)"
    )


class VideoFacts(BaseModel):
    """What a title's or an episode's video offers, once it has one."""

    duration_seconds: float | None = Field(description="The video's length; None without one")
    audio_languages: list[str] = Field(description="Language tags of its audio tracks")
    subtitle_languages: list[str] = Field(description="Language tags of its subtitles")
    thumbnails_url: str | None = Field(
        description="A WebVTT track of preview images for seeking (sprite regions)"
    )


class EpisodeOut(VideoFacts):
    id: uuid.UUID
    episode_number: int
    title: str
    description: str | None
    duration_minutes: int | None
    thumbnail_url: str | None = Field(
        description="The uploaded image, else a frame of the episode's video (if it has one)"
    )
    playable: bool = Field(description="Whether the episode has a video to play")


class SeasonOut(BaseModel):
    id: uuid.UUID
    season_number: int
    title: str | None
    release_date: date | None
    episode_count: int


class ContentDetail(VideoFacts, ContentSummary):
    """A title's page. For a series the video facts are its episodes' (see the episodes
    endpoint): no duration or thumbnails track, and the languages of all its episodes."""

    people: list[str]
    trailer_url: str | None
    available_until: datetime | None
    seasons: list[SeasonOut]


class ContentPage(BaseModel):
    items: list[ContentSummary]
    next_cursor: str | None


class SearchResults(BaseModel):
    query: str
    items: list[ContentSummary]
    typo_tolerant: bool = Field(description="Whether near-miss spellings were matched")
