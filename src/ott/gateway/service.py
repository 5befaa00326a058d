"""The gateway's rules: who is calling, and whether they are within their request budget."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import redis.exceptions
import structlog
from redis.asyncio import Redis

from ott.core.errors import Unauthorized
from ott.core.identity import Identity, decode_access_token, session_key
from ott.core.redis import KeySpace
from ott.core.settings import Settings

log = structlog.get_logger(__name__)

WINDOW_SECONDS = 60

# A sliding-window counter: the previous minute's count, weighted by how much of it still
# overlaps the last 60 s, plus this minute's. Rejected requests are not counted, so a client
# that backs off recovers. It also reports whether the caller's session still exists, so the
# whole check costs one round trip.
_CHECK = """
local session_alive = 1
if KEYS[3] ~= '' then session_alive = redis.call('EXISTS', KEYS[3]) end
local limit = tonumber(ARGV[1])
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local weighted = previous * (1 - tonumber(ARGV[3])) + current
if weighted >= limit then
  return {session_alive, 0, current, previous}
end
current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]) * 2) end
return {session_alive, 1, current, previous}
"""


@dataclass(frozen=True)
class Budget:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds; 0 when allowed


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Use an 'Authorization: Bearer <token>' header", code="invalid_token")
    return token.strip()


def authenticate(authorization: str | None, settings: Settings) -> Identity | None:
    """The caller's identity from its access token; None for an anonymous caller."""
    token = bearer_token(authorization)
    return decode_access_token(token, settings) if token else None


class Gatekeeper:
    """Applies the per-caller rate limit and rejects tokens of ended sessions, in Redis, so every
    gateway replica shares one budget."""

    def __init__(self, redis: Redis, keys: KeySpace, limit_per_minute: int) -> None:
        self.keys = keys
        self.limit = limit_per_minute
        self._check = redis.register_script(_CHECK)

    async def admit(self, identity: Identity | None, client_ip: str) -> Budget:
        subject = f"user:{identity.user_id}" if identity else f"ip:{client_ip}"
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        elapsed = (now % WINDOW_SECONDS) / WINDOW_SECONDS
        # The hash tag keeps both windows of a caller in one Redis Cluster slot.
        current_key = self.keys("ratelimit", f"{{{subject}}}", window)
        previous_key = self.keys("ratelimit", f"{{{subject}}}", window - 1)
        session = session_key(self.keys, identity.session_id) if identity else ""
        try:
            alive, allowed, current, previous = await self._check(
                keys=[current_key, previous_key, session],
                args=[self.limit, WINDOW_SECONDS, f"{elapsed:.4f}"],
            )
        except (redis.exceptions.RedisError, OSError) as exc:
            # Without Redis the gateway keeps serving: it cannot count or see revocations, and
            # says so in the logs rather than turning every request away.
            log.warning("rate_limit_unavailable", error=repr(exc))
            return Budget(True, self.limit, self.limit, 0)
        if not alive:
            raise Unauthorized("The session has ended; log in again", code="session_revoked")
        weighted = previous * (1 - elapsed) + current
        if allowed:
            return Budget(True, self.limit, max(0, math.floor(self.limit - weighted)), 0)
        return Budget(False, self.limit, 0, self._retry_after(current, previous, elapsed))

    def _retry_after(self, current: int, previous: int, elapsed: float) -> int:
        """Seconds until the weighted count drops below the limit, if no more requests come."""
        if current >= self.limit or previous == 0:
            return max(1, math.ceil((1 - elapsed) * WINDOW_SECONDS))
        fraction_needed = 1 - (self.limit - current) / previous
        return max(1, math.ceil((fraction_needed - elapsed) * WINDOW_SECONDS))
