"""Request and response bodies of the ad service's inventory routes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from ott.ads.models import CampaignKind, Pacing
from ott.ads.status import CampaignStatus, CreativeStatus
from ott.content.models import ContentType
from ott.core.locale import Language
from ott.core.maturity import MaturityRating
from ott.streaming.schemas import DeviceType

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Domain = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9.-]+\.[a-z]{2,}$", max_length=255),
]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
GenreSlug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,100}$")]


def _url(value: AnyHttpUrl | None) -> str | None:
    return str(value) if value is not None else None


class AdvertiserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    domain: Domain | None = None


class AdvertiserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    domain: Domain | None = None


class AdvertiserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    domain: str | None
    created_at: datetime
    updated_at: datetime


class Targeting(BaseModel):
    """Who and what a campaign serves; an empty list admits any."""

    model_config = ConfigDict(extra="forbid")

    genres: list[GenreSlug] = Field(default_factory=list, max_length=50)
    languages: list[Language] = Field(default_factory=list)
    countries: list[Country] = Field(default_factory=list, max_length=250)
    maturity_ratings: list[MaturityRating] = Field(default_factory=list)
    content_types: list[ContentType] = Field(default_factory=list)
    devices: list[DeviceType] = Field(default_factory=list)

    def columns(self) -> dict[str, list[str]]:
        return {
            "target_genres": sorted(set(self.genres)),
            "target_languages": sorted({v.value for v in self.languages}),
            "target_countries": sorted(set(self.countries)),
            "target_ratings": sorted({v.value for v in self.maturity_ratings}),
            "target_content_types": sorted({v.value for v in self.content_types}),
            "target_devices": sorted({v.value for v in self.devices}),
        }


class _CampaignFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    daily_goal: int | None = Field(None, gt=0)
    total_goal: int | None = Field(None, gt=0)
    priority: int | None = Field(None, ge=1, le=10, description="10 serves first")
    pacing: Pacing | None = None
    skippable: bool | None = None
    skip_offset_seconds: int | None = Field(None, ge=0, le=600)
    click_through_url: AnyHttpUrl | None = None
    vast_tag_url: AnyHttpUrl | None = Field(
        None, description="A wrapper campaign's third-party VAST (VASTAdTagURI)"
    )
    targeting: Targeting | None = None
    cap_per_day: int | None = Field(None, gt=0, description="Impressions per profile per day")
    cap_per_hour: int | None = Field(None, gt=0, description="Impressions per profile per hour")

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give a time zone (e.g. 2026-12-01T00:00:00Z)")
        return value

    def columns(self) -> dict[str, Any]:
        """The columns this body sets (only the fields it names)."""
        values = self.model_dump(exclude_unset=True, exclude={"targeting"})
        for name in ("click_through_url", "vast_tag_url"):
            if name in values:
                values[name] = _url(getattr(self, name))
        if "targeting" in self.model_fields_set and self.targeting is not None:
            values |= self.targeting.columns()
        return values


class CampaignIn(_CampaignFields):
    advertiser_id: uuid.UUID
    name: Name
    kind: CampaignKind = CampaignKind.INLINE
    starts_at: datetime

    @model_validator(mode="after")
    def _consistent(self) -> CampaignIn:
        if self.kind is CampaignKind.WRAPPER and self.vast_tag_url is None:
            raise ValueError("a wrapper campaign needs its vast_tag_url")
        if self.kind is CampaignKind.INLINE and self.vast_tag_url is not None:
            raise ValueError("only a wrapper campaign has a vast_tag_url")
        return self

    def columns(self) -> dict[str, Any]:
        values = super().columns()
        values["kind"] = self.kind
        values["advertiser_id"] = self.advertiser_id
        return values


class CampaignPatch(_CampaignFields):
    """The fields to change (kind and advertiser are fixed); status changes by its own routes."""


class CampaignOut(BaseModel):
    id: uuid.UUID
    advertiser_id: uuid.UUID
    name: str
    kind: CampaignKind
    status: CampaignStatus
    starts_at: datetime
    ends_at: datetime | None
    daily_goal: int | None
    total_goal: int | None
    priority: int
    pacing: Pacing
    skippable: bool
    skip_offset_seconds: int | None
    click_through_url: str | None
    vast_tag_url: str | None
    targeting: Targeting
    cap_per_day: int | None
    cap_per_hour: int | None
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, campaign: Any) -> CampaignOut:
        return cls(
            **{name: getattr(campaign, name) for name in cls.model_fields if name != "targeting"},
            targeting=Targeting(
                genres=campaign.target_genres,
                languages=campaign.target_languages,
                countries=campaign.target_countries,
                maturity_ratings=campaign.target_ratings,
                content_types=campaign.target_content_types,
                devices=campaign.target_devices,
            ),
        )


class CreativeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Name
    source_upload_id: uuid.UUID = Field(
        description="A finished video upload (tus, /api/cms/uploads) of the caller's"
    )


class MediaFileOut(BaseModel):
    url: str  # inside the creative's folder
    width: int
    height: int
    bitrate: int
    type: str
    delivery: str
    codec: str | None = None


class CreativeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    campaign_id: uuid.UUID
    title: str
    status: CreativeStatus
    encoding_id: uuid.UUID | None
    duration_seconds: float | None
    media_files: list[MediaFileOut]
    error: str | None
    created_at: datetime
    updated_at: datetime


class DayCounts(BaseModel):
    day: date
    counts: dict[str, int]  # by tracking event: impression, start, complete, click...


class CampaignStats(BaseModel):
    campaign_id: uuid.UUID
    days: list[DayCounts]
    totals: dict[str, int]
