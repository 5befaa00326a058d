"""Who is calling: access tokens (issued by auth, checked by the gateway) and the identity the
gateway passes on to services.

The gateway turns a valid access token into a short-lived internal assertion signed with a key
derived from JWT_SECRET, so a service trusts the identity only when the gateway vouched for it;
a client cannot forge the header, and an access token is not accepted in its place.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request

from ott.core.app_context import app_context
from ott.core.errors import Forbidden, Unauthorized
from ott.core.redis import KeySpace
from ott.core.settings import Settings

IDENTITY_HEADER = "x-ott-identity"
ACCESS_AUDIENCE = "ott-api"
INTERNAL_AUDIENCE = "ott-internal"
_ALGORITHM = "HS256"
_INTERNAL_TTL = timedelta(seconds=60)


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    REVIEWER = "reviewer"
    ADMIN = "admin"


@dataclass(frozen=True)
class Identity:
    user_id: uuid.UUID
    session_id: str
    tier: str = "free"
    roles: frozenset[str] = field(default_factory=lambda: frozenset({Role.VIEWER.value}))
    profile_id: uuid.UUID | None = None
    maturity_rating: str | None = None
    language: str | None = None

    def has_role(self, *roles: Role) -> bool:
        return Role.ADMIN.value in self.roles or any(r.value in self.roles for r in roles)

    def claims(self) -> dict[str, Any]:
        return {
            "sub": str(self.user_id),
            "sid": self.session_id,
            "tier": self.tier,
            "roles": sorted(self.roles),
            "pid": str(self.profile_id) if self.profile_id else None,
            "mat": self.maturity_rating,
            "lang": self.language,
        }

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Identity:
        try:
            return cls(
                user_id=uuid.UUID(claims["sub"]),
                session_id=str(claims["sid"]),
                tier=str(claims.get("tier") or "free"),
                roles=frozenset(claims.get("roles") or ()),
                profile_id=uuid.UUID(claims["pid"]) if claims.get("pid") else None,
                maturity_rating=claims.get("mat"),
                language=claims.get("lang"),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise Unauthorized("The token's claims are malformed", code="invalid_token") from exc


def edits_titles_of(identity: Identity, created_by: uuid.UUID | None) -> bool:
    """Whether the caller's editing rights reach the titles `created_by` made: an admin's reach
    every title, an editor's the titles they created. (In which workflow states a title may be
    edited is the CMS's rule, ott.cms.workflow.)"""
    if identity.has_role(Role.ADMIN):
        return True
    return identity.has_role(Role.EDITOR) and created_by == identity.user_id


def previews_titles_of(identity: Identity, created_by: uuid.UUID | None) -> bool:
    """Whether the caller may watch the videos of titles `created_by` made before they are
    published: whoever may edit them, and reviewers (who approve every editor's titles)."""
    return edits_titles_of(identity, created_by) or identity.has_role(Role.REVIEWER)


def _internal_key(settings: Settings) -> bytes:
    return _derive_internal_key(settings.resolved_jwt_secret())


@lru_cache(maxsize=8)
def _derive_internal_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"ott-internal-identity", hashlib.sha256).digest()


def issue_access_token(identity: Identity, settings: Settings) -> tuple[str, int]:
    """An access JWT for the identity and its lifetime in seconds."""
    now = datetime.now(UTC)
    ttl = settings.access_token_ttl
    claims = {
        **identity.claims(),
        "typ": "access",
        "iss": settings.jwt_issuer,
        "aud": ACCESS_AUDIENCE,
        "iat": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.resolved_jwt_secret(), algorithm=_ALGORITHM), int(
        ttl.total_seconds()
    )


def verify_access_token(token: str, settings: Settings) -> tuple[Identity, float]:
    """The token's identity and its expiry (a POSIX timestamp), if its signature and claims hold."""
    try:
        claims = jwt.decode(
            token,
            settings.resolved_jwt_secret(),
            algorithms=[_ALGORITHM],
            audience=ACCESS_AUDIENCE,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "sub", "sid", "typ"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The access token has expired", code="token_expired") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthorized("The access token is invalid", code="invalid_token") from exc
    if claims.get("typ") != "access":
        raise Unauthorized("Not an access token", code="invalid_token")
    return Identity.from_claims(claims), float(claims["exp"])


def encode_internal_identity(identity: Identity, settings: Settings) -> str:
    now = datetime.now(UTC)
    claims = {**identity.claims(), "aud": INTERNAL_AUDIENCE, "iat": now, "exp": now + _INTERNAL_TTL}
    return jwt.encode(claims, _internal_key(settings), algorithm=_ALGORITHM)


def decode_internal_identity(value: str, settings: Settings) -> Identity:
    try:
        claims = jwt.decode(
            value, _internal_key(settings), algorithms=[_ALGORITHM], audience=INTERNAL_AUDIENCE
        )
    except jwt.InvalidTokenError as exc:
        raise Unauthorized("The caller's identity could not be verified") from exc
    return Identity.from_claims(claims)


# Where the gateway hands the identity to a service app running in its own process: the scope
# is the gateway's own object (no client can write into it), so no signed header is needed.
IN_PROCESS_IDENTITY_KEY = "ott.identity"


async def _optional_identity(request: Request) -> Identity | None:
    handed = request.scope.get(IN_PROCESS_IDENTITY_KEY)
    if isinstance(handed, Identity):
        return handed
    value = request.headers.get(IDENTITY_HEADER)
    if not value:
        return None
    return decode_internal_identity(value, app_context(request.app).settings)


async def _required_identity(
    identity: Annotated[Identity | None, Depends(_optional_identity)],
) -> Identity:
    if identity is None:
        raise Unauthorized()
    return identity


OptionalIdentity = Annotated[Identity | None, Depends(_optional_identity)]
CurrentIdentity = Annotated[Identity, Depends(_required_identity)]


class RoleCheck:
    """The dependency `require_roles` makes; a class, so API docs can tell it apart."""

    def __init__(self, roles: tuple[Role, ...]) -> None:
        self.roles = roles

    async def __call__(self, identity: CurrentIdentity) -> Identity:
        if not identity.has_role(*self.roles):
            raise Forbidden(f"This needs the role {' or '.join(r.value for r in self.roles)}")
        return identity


def require_roles(*roles: Role) -> Any:
    """A route dependency: the caller must hold one of `roles` (admins hold every role)."""
    return Depends(RoleCheck(roles))


def identity_use(call: object) -> str | None:
    """What a dependency does with the caller's identity: 'roles', 'required', 'optional', or
    None (for API docs: which routes can answer 401 or 403)."""
    if isinstance(call, RoleCheck):
        return "roles"
    if call is _required_identity:
        return "required"
    if call is _optional_identity:
        return "optional"
    return None


def session_key(keys: KeySpace, session_id: str) -> str:
    """The Redis key of a login session; it exists exactly while the session is valid."""
    return keys("auth", "session", session_id)


# Route parameters that say who may call: `identity: Editor` admits editors and admins,
# `identity: Staff` everyone with an editorial role (editors, reviewers, admins).
Editor = Annotated[Identity, require_roles(Role.EDITOR)]
StaffOnly = require_roles(Role.EDITOR, Role.REVIEWER)
Staff = Annotated[Identity, StaffOnly]
