"""Login sessions in Redis, and the rotating refresh tokens that keep them alive.

A refresh token is a signed JWT naming its session and a generation number. Each refresh
moves the session to the next generation; presenting a token of an earlier generation means
it was copied, so the whole session is revoked (token theft detection).

A session also keeps what signed in (its User-Agent), when, and when it was last used: signed
in, refreshed or switched to a profile. Access tokens are checked against the session on every
request but do not touch it (that would be a write per API call), so "last used" is accurate
to an access token's lifetime (JWT_EXPIRES_IN, 15 minutes).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt
from redis.asyncio import Redis

from ott.core.errors import Unauthorized
from ott.core.identity import session_key
from ott.core.redis import KeySpace
from ott.core.settings import Settings

REFRESH_AUDIENCE = "ott-refresh"
_ALGORITHM = "HS256"

# Moves a session to its next generation. ARGV[1] is the generation the caller presented, or ''
# when the caller proved the session another way (a valid access token).
# Returns {generation, profile_id} on success, -1 for an unknown session, -2 for reuse.
_ROTATE = """
local gen = redis.call('HGET', KEYS[1], 'gen')
if not gen then return -1 end
if ARGV[1] ~= '' and gen ~= ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[2])
  return -2
end
local new_gen = redis.call('HINCRBY', KEYS[1], 'gen', 1)
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'profile_id', ARGV[4]) end
redis.call('HSET', KEYS[1], 'last_used_at', ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return {new_gen, redis.call('HGET', KEYS[1], 'profile_id')}
"""


@dataclass(frozen=True)
class SessionInfo:
    session_id: str
    user_agent: str | None
    created_at: datetime
    last_used_at: datetime


@dataclass(frozen=True)
class RefreshGrant:
    session_id: str
    user_id: uuid.UUID
    profile_id: uuid.UUID | None
    refresh_token: str


class SessionStore:
    def __init__(self, redis: Redis, keys: KeySpace, settings: Settings) -> None:
        self.redis = redis
        self.keys = keys
        self.settings = settings
        self.ttl = int(settings.refresh_token_ttl.total_seconds())
        self._rotate = redis.register_script(_ROTATE)

    def _user_sessions_key(self, user_id: uuid.UUID) -> str:
        return self.keys("auth", "user-sessions", user_id)

    def _refresh_token(self, session_id: str, user_id: uuid.UUID, generation: int) -> str:
        now = datetime.now(UTC)
        claims = {
            "typ": "refresh",
            "sub": str(user_id),
            "sid": session_id,
            "gen": generation,
            "aud": REFRESH_AUDIENCE,
            "iss": self.settings.jwt_issuer,
            "iat": now,
            "exp": now + self.settings.refresh_token_ttl,
        }
        return jwt.encode(claims, self.settings.resolved_jwt_secret(), algorithm=_ALGORITHM)

    async def create(
        self, *, user_id: uuid.UUID, profile_id: uuid.UUID | None, user_agent: str | None = None
    ) -> RefreshGrant:
        session_id = uuid.uuid4().hex
        key = session_key(self.keys, session_id)
        now = datetime.now(UTC).isoformat()
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                key,
                mapping={
                    "user_id": str(user_id),
                    "profile_id": str(profile_id) if profile_id else "",
                    "gen": 1,
                    "created_at": now,
                    "last_used_at": now,
                    "user_agent": user_agent or "",
                },
            )
            pipe.expire(key, self.ttl)
            pipe.sadd(self._user_sessions_key(user_id), session_id)
            pipe.expire(self._user_sessions_key(user_id), self.ttl)
            await pipe.execute()
        token = self._refresh_token(session_id, user_id, 1)
        return RefreshGrant(session_id, user_id, profile_id, token)

    def _decode(self, token: str) -> dict[str, object]:
        try:
            claims = jwt.decode(
                token,
                self.settings.resolved_jwt_secret(),
                algorithms=[_ALGORITHM],
                audience=REFRESH_AUDIENCE,
                issuer=self.settings.jwt_issuer,
                options={"require": ["exp", "sub", "sid", "gen", "typ"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The refresh token has expired", code="token_expired") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthorized("The refresh token is invalid", code="invalid_token") from exc
        if claims.get("typ") != "refresh":
            raise Unauthorized("Not a refresh token", code="invalid_token")
        return claims

    async def rotate(self, *, token: str) -> RefreshGrant:
        """Exchange a refresh token for the next one."""
        claims = self._decode(token)
        return await self._advance(
            str(claims["sid"]), uuid.UUID(str(claims["sub"])), presented=str(claims["gen"])
        )

    async def switch_profile(
        self, *, session_id: str, user_id: uuid.UUID, profile_id: uuid.UUID
    ) -> RefreshGrant:
        """Bind a session to a profile; earlier refresh tokens of the session stop working."""
        return await self._advance(session_id, user_id, presented="", profile_id=profile_id)

    async def _advance(
        self,
        session_id: str,
        user_id: uuid.UUID,
        *,
        presented: str,
        profile_id: uuid.UUID | None = None,
    ) -> RefreshGrant:
        result = await self._rotate(
            keys=[session_key(self.keys, session_id), self._user_sessions_key(user_id)],
            args=[
                presented,
                session_id,
                self.ttl,
                str(profile_id or ""),
                datetime.now(UTC).isoformat(),
            ],
        )
        if result == -1:
            raise Unauthorized("The session has ended; log in again", code="session_revoked")
        if result == -2:
            raise Unauthorized(
                "This refresh token was already used; the session has been revoked",
                code="refresh_token_reused",
            )
        generation, bound_profile = int(result[0]), result[1]
        return RefreshGrant(
            session_id,
            user_id,
            uuid.UUID(bound_profile) if bound_profile else None,
            self._refresh_token(session_id, user_id, generation),
        )

    async def active(self, *, user_id: uuid.UUID) -> list[SessionInfo]:
        """The account's live sessions, last used first. Ids of sessions that expired on their
        own are dropped from the account's set on the way."""
        user_key = self._user_sessions_key(user_id)
        session_ids = sorted(str(s) for s in await self.redis.smembers(user_key))
        async with self.redis.pipeline(transaction=False) as pipe:
            for session_id in session_ids:
                pipe.hgetall(session_key(self.keys, session_id))
            found = await pipe.execute()
        sessions: list[SessionInfo] = []
        expired: list[str] = []
        for session_id, fields in zip(session_ids, found, strict=True):
            if not fields or fields.get("user_id") != str(user_id):
                expired.append(session_id)
                continue
            created = datetime.fromisoformat(fields["created_at"])
            used = fields.get("last_used_at")
            sessions.append(
                SessionInfo(
                    session_id=session_id,
                    user_agent=fields.get("user_agent") or None,
                    created_at=created,
                    last_used_at=datetime.fromisoformat(used) if used else created,
                )
            )
        if expired:
            await self.redis.srem(user_key, *expired)
        return sorted(sessions, key=lambda s: s.last_used_at, reverse=True)

    async def owner(self, *, session_id: str) -> uuid.UUID | None:
        """The account a live session belongs to, if it is alive."""
        user_id = await self.redis.hget(session_key(self.keys, session_id), "user_id")
        return uuid.UUID(str(user_id)) if user_id else None

    async def revoke(self, *, session_id: str, user_id: uuid.UUID) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(session_key(self.keys, session_id))
            pipe.srem(self._user_sessions_key(user_id), session_id)
            await pipe.execute()

    async def revoke_all(self, *, user_id: uuid.UUID, keep: str | None = None) -> int:
        """End every session of the account but `keep` (a session id); how many ended."""
        user_key = self._user_sessions_key(user_id)
        session_ids = {str(s) for s in await self.redis.smembers(user_key) if str(s) != keep}
        async with self.redis.pipeline(transaction=True) as pipe:
            for session_id in session_ids:  # str: the client decodes responses
                pipe.delete(session_key(self.keys, session_id))
            if keep is None:
                pipe.delete(user_key)
            elif session_ids:
                pipe.srem(user_key, *session_ids)
            await pipe.execute()
        return len(session_ids)
