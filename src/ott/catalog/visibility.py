"""What a viewer may see, decided in one place.

Every listing, search and detail of the catalog (and, through the catalog's API, the streaming
service) filters with `VISIBLE` and marks titles with `locked(viewer.premium)`, executed with
`viewer.params`:
- only published titles, inside their availability window (available_from/until);
- only where the viewer's country is allowed: a title without availability rules is shown
  everywhere; with rules, at least one rule must admit the country at this moment;
- only up to the profile's maturity rating (a kids profile is capped at PG by the auth service);
- premium titles are listed to free viewers, marked locked. A rule that names a tier admits its
  country only for that tier or above; a title whose matching rules all need premium is locked.
Anything not visible answers 404 on its detail, so its existence does not leak.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    SmallInteger,
    String,
    and_,
    any_,
    bindparam,
    exists,
    false,
    not_,
    or_,
    select,
)

from ott.content.models import AvailabilityRule, Content, WorkflowState
from ott.core.identity import Identity
from ott.core.locale import Language
from ott.core.maturity import DEFAULT_PROFILE_RATING, MaturityRating
from ott.core.tiers import SubscriptionTier

_COUNTRY = re.compile(r"^[A-Z]{2}$")


# The viewer's values enter every statement as these bind parameters (`Viewer.params`), so a
# statement is built once per shape and reused for every viewer (see service.py).
_VIEWER_COUNTRY = bindparam("viewer_country", type_=String)
_VIEWER_NOW = bindparam("viewer_now", type_=DateTime(timezone=True))
_VIEWER_MAX_LEVEL = bindparam("viewer_max_level", type_=SmallInteger)


@dataclass(frozen=True)
class Viewer:
    country: str
    max_rating: MaturityRating
    tier: SubscriptionTier
    language: Language
    now: datetime

    @property
    def cache_scope(self) -> str:
        """What makes two viewers see different answers (the clock aside)."""
        return f"{self.country}:{self.max_rating.level}:{self.tier.value}:{self.language.value}"

    @property
    def premium(self) -> bool:
        return self.tier is SubscriptionTier.PREMIUM

    @property
    def params(self) -> dict[str, Any]:
        """The values of the bind parameters of `VISIBLE` and `locked(...)`."""
        return {
            _VIEWER_COUNTRY.key: self.country,
            _VIEWER_NOW.key: self.now,
            _VIEWER_MAX_LEVEL.key: self.max_rating.level,
        }


def _rule_admits() -> ColumnElement[bool]:
    rule = AvailabilityRule
    return and_(
        rule.content_id == Content.id,
        # Redundant (callers test it first), but an outer column outside the join key stops
        # PostgreSQL from turning the EXISTS into a hashed subplan, which reads the whole
        # rules table on every query; this way it looks up the few titles that have rules.
        Content.has_availability_rules,
        or_(rule.allowed_countries.is_(None), any_(rule.allowed_countries) == _VIEWER_COUNTRY),
        not_(any_(rule.blocked_countries) == _VIEWER_COUNTRY),
        or_(rule.starts_at.is_(None), rule.starts_at <= _VIEWER_NOW),
        or_(rule.ends_at.is_(None), rule.ends_at > _VIEWER_NOW),
    )


VISIBLE: ColumnElement[bool] = and_(
    Content.workflow_state == WorkflowState.PUBLISHED,
    or_(Content.available_from.is_(None), Content.available_from <= _VIEWER_NOW),
    or_(Content.available_until.is_(None), Content.available_until > _VIEWER_NOW),
    Content.maturity_level <= _VIEWER_MAX_LEVEL,
    or_(
        not_(Content.has_availability_rules),
        exists(select(AvailabilityRule.id).where(_rule_admits())),
    ),
)
"""The titles the viewer whose `params` the statement is executed with may see."""

LISTED: ColumnElement[bool] = and_(
    Content.workflow_state == WorkflowState.PUBLISHED, not_(Content.awaiting_go_live)
)
"""The titles listings walk: published and not waiting for a scheduled go-live.

A title published ahead of its available_from is hidden until then anyway; leaving it out of
listings until the CMS scheduler announces it (within CMS_PUBLISH_INTERVAL_SECONDS of going
live) keeps it out of the listing indexes, where upcoming titles would otherwise sit at the
head of "newest" and be stepped over by every first page. Details and search use the exact
time. Must match `models.LISTED`, the predicate of the listing indexes.
"""

_LOCKED_FOR_FREE: ColumnElement[bool] = or_(
    Content.tier_requirement == SubscriptionTier.PREMIUM,
    and_(
        Content.has_availability_rules,
        not_(
            exists(
                select(AvailabilityRule.id).where(
                    _rule_admits(),
                    or_(
                        AvailabilityRule.tier.is_(None),
                        AvailabilityRule.tier == SubscriptionTier.FREE,
                    ),
                )
            )
        ),
    ),
)


def locked(premium: bool) -> ColumnElement[bool]:
    """Whether a visible title is locked for a viewer on this plan (same `params`)."""
    return false() if premium else _LOCKED_FOR_FREE


def viewer_for(
    *,
    identity: Identity | None,
    country: str | None,
    default_country: str,
    prefers_hindi: bool = False,
    now: datetime | None = None,
    tier: SubscriptionTier | None = None,
) -> Viewer:
    """The viewer a caller is: the profile's rating, plan and language when signed in (an
    anonymous caller is a free viewer with the default rating), in `country` when it is a
    two-letter code, else in `default_country`. `tier` overrides the access token's (a
    service that asked the entitlements knows better than a token of minutes ago)."""
    rating, language = DEFAULT_PROFILE_RATING, Language.EN
    token_tier = SubscriptionTier.FREE
    if identity is not None:
        token_tier = SubscriptionTier(identity.tier)
        if identity.maturity_rating:
            rating = MaturityRating(identity.maturity_rating)
        if identity.language:
            language = Language(identity.language)
    elif prefers_hindi:
        language = Language.HI
    code = (country or "").strip().upper()
    return Viewer(
        country=code if _COUNTRY.match(code) else default_country,
        max_rating=rating,
        tier=tier or token_tier,
        language=language,
        now=now or datetime.now(UTC),
    )
