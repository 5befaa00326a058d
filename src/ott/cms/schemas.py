"""Request and response bodies of the CMS.

`TitleIn` is the one description of a title: the body of POST/PUT /api/cms/content and each
item of a bulk file. Lengths follow the columns of the content model. Text is stored exactly
as written (markup included): it is data, returned in JSON, never interpreted by the CMS.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ott.content.models import ContentType, WorkflowState
from ott.core.locale import Language
from ott.core.maturity import MaturityRating
from ott.core.text import MultiLine, SingleLine, has_control_characters
from ott.core.tiers import SubscriptionTier

MAX_DESCRIPTION = 20_000
MAX_PEOPLE = 200
MAX_GENRES = 20
MAX_RULES = 50
MAX_SEASONS = 200
MAX_EPISODES = 1_000
MAX_DURATION_MINUTES = 100_000
MAX_COMMENT = 450  # a version's change note holds 500


class Input(BaseModel):
    """Every request body refuses fields it does not know."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _empty_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _safe_url(value: str) -> str:
    if not (value.startswith(("https://", "http://")) or value.startswith("/")):
        raise ValueError("must be an http(s) URL or a path starting with /")
    if any(ch in value for ch in "<>\"' \\") or has_control_characters(value):
        raise ValueError("must not contain spaces, quotes, angle brackets or control characters")
    return value


def _utc(value: datetime) -> datetime:
    """Datetimes without a zone are read as UTC; every datetime is kept in UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


EmptyIsNone = BeforeValidator(_empty_to_none)  # an empty or blank string means none

Str200 = Annotated[str, StringConstraints(min_length=1, max_length=200), SingleLine]
Str255 = Annotated[str, StringConstraints(min_length=1, max_length=255), SingleLine]
Str500 = Annotated[str, StringConstraints(min_length=1, max_length=500), SingleLine]
OptStr255 = Annotated[Str255 | None, EmptyIsNone]
OptStr500 = Annotated[Str500 | None, EmptyIsNone]
_Description = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_DESCRIPTION), MultiLine
]
LongText = Annotated[_Description | None, EmptyIsNone]
Comment = Annotated[str, StringConstraints(min_length=1, max_length=MAX_COMMENT), MultiLine]
OptComment = Annotated[Comment | None, EmptyIsNone]

Url = Annotated[
    Annotated[str, StringConstraints(max_length=500), AfterValidator(_safe_url)] | None,
    EmptyIsNone,
]
CountryCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Z]{2}$", strip_whitespace=False, max_length=2)
]
UtcDatetime = Annotated[datetime, AfterValidator(_utc)]
OptionalDatetime = Annotated[UtcDatetime | None, EmptyIsNone]
OptionalDate = Annotated[date | None, EmptyIsNone]
Duration = Annotated[int | None, Field(gt=0, le=MAX_DURATION_MINUTES)]
GenreSlug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,100}$")]
ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=200), SingleLine]


def _sorted_unique(values: list[str]) -> list[str]:
    return sorted(set(values))


class AvailabilityRuleIn(Input):
    allowed_countries: Annotated[
        list[CountryCode] | None,
        Field(max_length=300),
        AfterValidator(lambda v: _sorted_unique(v) if v is not None else None),
    ] = Field(None, description="Only these countries (ISO 3166 alpha-2); null: everywhere")
    blocked_countries: Annotated[
        list[CountryCode], Field(max_length=300), AfterValidator(_sorted_unique)
    ] = Field(default_factory=list)
    starts_at: OptionalDatetime = None
    ends_at: OptionalDatetime = None
    tier: SubscriptionTier | None = None

    @field_validator("ends_at")
    @classmethod
    def _ends_after_start(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        starts = info.data.get("starts_at")
        if value is not None and starts is not None and value <= starts:
            raise ValueError("must be after starts_at")
        return value


class EpisodeIn(Input):
    episode_number: Annotated[int, Field(ge=0, le=100_000)]
    title: Str255
    title_hi: OptStr255 = None
    description: LongText = None
    description_hi: LongText = None
    duration_minutes: Duration = None
    thumbnail_url: Url = None


class SeasonIn(Input):
    season_number: Annotated[int, Field(ge=0, le=10_000)]
    title: OptStr255 = None
    title_hi: OptStr255 = None
    release_date: OptionalDate = None
    episodes: Annotated[list[EpisodeIn], Field(max_length=MAX_EPISODES)] = Field(
        default_factory=list
    )

    @field_validator("episodes")
    @classmethod
    def _unique_episode_numbers(cls, episodes: list[EpisodeIn]) -> list[EpisodeIn]:
        numbers = [e.episode_number for e in episodes]
        repeated = sorted({n for n in numbers if numbers.count(n) > 1})
        if repeated:
            raise ValueError(f"episode numbers must be unique in a season; repeated: {repeated}")
        return sorted(episodes, key=lambda e: e.episode_number)


class TitleIn(Input):
    """A title with everything the CMS keeps about it (the bulk file's item format)."""

    external_id: ExternalId | None = Field(
        None, description="Your own id of the title; makes bulk imports idempotent"
    )
    type: ContentType
    title: Str500
    title_hi: OptStr500 = None
    description: LongText = None
    description_hi: LongText = None
    original_language: Language = Language.EN
    release_date: OptionalDate = None
    duration_minutes: Duration = None
    maturity_rating: MaturityRating = MaturityRating.PG_13
    genres: Annotated[
        list[GenreSlug], Field(max_length=MAX_GENRES), AfterValidator(_sorted_unique)
    ] = Field(default_factory=list, description="Genre slugs; each must exist")
    people: Annotated[list[Str200], Field(max_length=MAX_PEOPLE)] = Field(default_factory=list)
    tier_requirement: SubscriptionTier = SubscriptionTier.FREE
    available_from: OptionalDatetime = None
    available_until: OptionalDatetime = None
    availability_rules: Annotated[list[AvailabilityRuleIn], Field(max_length=MAX_RULES)] = Field(
        default_factory=list
    )
    poster_url: Url = None
    thumbnail_url: Url = None
    trailer_url: Url = None
    popularity: Annotated[float, Field(ge=0), AfterValidator(_finite)] = 0.0
    seasons: Annotated[list[SeasonIn], Field(max_length=MAX_SEASONS)] = Field(default_factory=list)

    @field_validator("available_until")
    @classmethod
    def _until_after_from(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        starts = info.data.get("available_from")
        if value is not None and starts is not None and value <= starts:
            raise ValueError("must be after available_from")
        return value

    @field_validator("seasons")
    @classmethod
    def _seasons_of_shows(cls, seasons: list[SeasonIn], info: ValidationInfo) -> list[SeasonIn]:
        kind = info.data.get("type")
        if seasons and kind is not None and kind is not ContentType.TV_SHOW:
            raise ValueError(f"only tv_show titles have seasons, not {kind.value}")
        numbers = [s.season_number for s in seasons]
        repeated = sorted({n for n in numbers if numbers.count(n) > 1})
        if repeated:
            raise ValueError(f"season numbers must be unique; repeated: {repeated}")
        return sorted(seasons, key=lambda s: s.season_number)

    @property
    def maturity_level(self) -> int:
        return self.maturity_rating.level


class BulkTitleIn(TitleIn):
    """An item of a bulk file: the external id is required (it makes re-imports idempotent)."""

    external_id: ExternalId


class TitleUpdate(TitleIn):
    """PUT replaces the whole description; `version` is the version the edit was based on.

    The editorial view (what GET answers) is accepted as it is: its read-only fields
    (`READ_ONLY_FIELDS`: state, timestamps, created_by, the review, the ids of rules, seasons
    and episodes, which are matched by number) are ignored, and `id`, if given, must be the
    title's own."""

    version: Annotated[int, Field(ge=1)]
    id: uuid.UUID | None = Field(None, description="Read-only; if given, must be the title's")

    @model_validator(mode="before")
    @classmethod
    def _ignore_read_only(cls, data: Any) -> Any:
        return without_read_only(data)

    def title_in(self) -> TitleIn:
        return TitleIn.model_validate(self.model_dump(exclude={"version", "id"}))


class TransitionRequest(Input):
    version: Annotated[int, Field(ge=1)] | None = Field(
        None, description="If given, the action applies only if the title is still this version"
    )
    comment: OptComment = Field(None, description="Required to reject: why")


# --- answers ------------------------------------------------------------------------------


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class AvailabilityRuleOut(Output):
    id: uuid.UUID
    allowed_countries: list[str] | None
    blocked_countries: list[str]
    starts_at: datetime | None
    ends_at: datetime | None
    tier: SubscriptionTier | None


class EpisodeOut(Output):
    id: uuid.UUID
    episode_number: int
    title: str
    title_hi: str | None
    description: str | None
    description_hi: str | None
    duration_minutes: int | None
    thumbnail_url: str | None


class SeasonOut(Output):
    id: uuid.UUID
    season_number: int
    title: str | None
    title_hi: str | None
    release_date: date | None
    episodes: list[EpisodeOut]


class ReviewNote(BaseModel):
    action: str
    comment: str | None
    by: uuid.UUID | None
    at: datetime
    version: int


class ContentSummary(Output):
    id: uuid.UUID
    external_id: str | None
    type: ContentType
    title: str
    title_hi: str | None
    workflow_state: WorkflowState
    version: int
    created_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    scheduled_publish_at: datetime | None = Field(
        None, description="Published, but goes live only at this time"
    )
    poster_url: str | None


class ContentView(ContentSummary):
    """The editorial view of a title: everything, in every workflow state."""

    description: str | None
    description_hi: str | None
    original_language: Language
    release_date: date | None
    duration_minutes: int | None
    maturity_rating: MaturityRating
    maturity_level: int
    genres: list[str]
    people: list[str]
    tier_requirement: SubscriptionTier
    available_from: datetime | None
    available_until: datetime | None
    availability_rules: list[AvailabilityRuleOut]
    thumbnail_url: str | None
    trailer_url: str | None
    popularity: float
    seasons: list[SeasonOut]
    last_review: ReviewNote | None = Field(
        None, description="The latest approval or rejection, with the reviewer's comment"
    )


class ContentPage(BaseModel):
    items: list[ContentSummary]
    next_cursor: str | None


class FieldChange(BaseModel):
    field: str
    before: Any
    after: Any


class VersionOut(BaseModel):
    version: int
    action: str
    note: str | None
    workflow_state: str | None
    changed_by: uuid.UUID | None
    changed_at: datetime
    changes: list[FieldChange] = Field(description="What differs from the previous version")
    metadata: dict[str, Any] | None = Field(
        None, description="The full snapshot (with include_metadata=true)"
    )


class VersionHistory(BaseModel):
    content_id: uuid.UUID
    current_version: int
    versions: list[VersionOut] = Field(description="Newest first")


class BulkTitleResult(BaseModel):
    external_id: str
    id: uuid.UUID
    status: str = Field(
        description="created; updated; published (same metadata, now published); unchanged"
    )
    workflow_state: WorkflowState
    version: int


class BulkResult(BaseModel):
    total: int
    created: int
    updated: int
    unchanged: int
    titles: list[BulkTitleResult]


# What the editorial view shows that an edit cannot set: an edit that sends the view back
# leaves these out (`id` and `version` are handled by the edit itself).
READ_ONLY_FIELDS = frozenset(set(ContentView.model_fields) - set(TitleIn.model_fields)) - {
    "id",
    "version",
}
_READ_ONLY_CHILD_FIELDS = {
    "availability_rules": frozenset(
        set(AvailabilityRuleOut.model_fields) - set(AvailabilityRuleIn.model_fields)
    ),
    "seasons": frozenset(set(SeasonOut.model_fields) - set(SeasonIn.model_fields)),
}
_READ_ONLY_EPISODE_FIELDS = frozenset(set(EpisodeOut.model_fields) - set(EpisodeIn.model_fields))


def without_read_only(document: Any) -> Any:
    """A title document (a view, a PUT body or a merge patch) without the view's read-only
    fields, at every level; anything that is not an object is left to validation."""
    if not isinstance(document, dict):
        return document
    out = {k: v for k, v in document.items() if k not in READ_ONLY_FIELDS}
    for name, read_only in _READ_ONLY_CHILD_FIELDS.items():
        children = out.get(name)
        if isinstance(children, list):
            out[name] = [_without(child, read_only) for child in children]
    seasons = out.get("seasons")
    if isinstance(seasons, list):
        for season in seasons:
            if isinstance(season, dict) and isinstance(season.get("episodes"), list):
                season["episodes"] = [
                    _without(e, _READ_ONLY_EPISODE_FIELDS) for e in season["episodes"]
                ]
    return out


def _without(child: Any, names: frozenset[str]) -> Any:
    if not isinstance(child, dict):
        return child
    return {k: v for k, v in child.items() if k not in names}


class AssetOut(BaseModel):
    kind: str
    urls: dict[str, str] = Field(description="One URL per size, e.g. {'600x900': '/media/...'}")
    content: ContentView
