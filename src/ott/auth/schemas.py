"""Request and response bodies of the auth service."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from ott.core.identity import Role
from ott.core.locale import Language
from ott.core.maturity import MaturityRating
from ott.core.text import SingleLine
from ott.core.tiers import SubscriptionTier


class Input(BaseModel):
    """Every request body refuses fields it does not know."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _safe_url(value: str) -> str:
    if not (value.startswith(("https://", "http://")) or value.startswith("/")):
        raise ValueError("must be an http(s) URL or a path starting with /")
    if any(ch in value for ch in "<>\"' \\"):
        raise ValueError("must not contain spaces, quotes or angle brackets")
    return value


Password = Annotated[str, StringConstraints(min_length=1, max_length=256)]
ProfileName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, strip_whitespace=True),
    SingleLine,
]
AvatarUrl = Annotated[
    str,
    StringConstraints(max_length=500),
    SingleLine,
    AfterValidator(_safe_url),
]


class RegisterRequest(Input):
    email: EmailStr
    password: Password
    profile_name: ProfileName | None = None


class LoginRequest(Input):
    email: EmailStr
    password: Password


class RefreshRequest(Input):
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=4096)]


class PasswordResetRequest(Input):
    email: EmailStr


class PasswordResetConfirm(Input):
    token: Annotated[str, StringConstraints(min_length=16, max_length=256)]
    new_password: Password


class PasswordChange(Input):
    current_password: Password
    new_password: Password


class EmailChange(Input):
    email: EmailStr
    current_password: Password = Field(description="Changing the sign-in email needs it")


class ProfileCreate(Input):
    name: ProfileName
    avatar_url: AvatarUrl | None = None
    maturity_rating: MaturityRating | None = None
    language_preference: Language = Language.EN
    is_kids: bool = False


class ProfileUpdate(Input):
    name: ProfileName | None = None
    avatar_url: AvatarUrl | None = None
    maturity_rating: MaturityRating | None = None
    language_preference: Language | None = None
    is_kids: bool | None = None


class RolesUpdate(Input):
    roles: Annotated[list[Role], Field(min_length=1, max_length=4)]


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ProfileOut(Output):
    id: uuid.UUID
    name: str
    avatar_url: str | None
    maturity_rating: MaturityRating
    language_preference: Language
    is_kids: bool
    created_at: datetime


class UserOut(Output):
    id: uuid.UUID
    email: str
    subscription_tier: SubscriptionTier
    subscription_expires_at: datetime | None
    roles: list[Role]
    created_at: datetime


class SessionOut(BaseModel):
    id: str
    device: str = Field(description="What signed in, from its User-Agent: 'Chrome on Android'")
    user_agent: str | None
    created_at: datetime
    last_used_at: datetime = Field(
        description="The sign-in or the last token refresh or profile switch: an active "
        "session refreshes once per access token lifetime (15 minutes)"
    )
    current: bool = Field(description="The session of the token that asked")


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires")
    refresh_expires_in: int
    profile_id: uuid.UUID | None


class AuthResult(TokenPair):
    user: UserOut
