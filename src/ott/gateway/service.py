"""The gateway's rules: who is calling, whether their session is alive, and whether they are
within their request budget."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from enum import StrEnum

import redis.exceptions
import structlog
from redis.asyncio import Redis

from ott.core.errors import Unauthorized
from ott.core.identity import Identity, session_key, verify_access_token
from ott.core.redis import KeySpace
from ott.core.settings import Settings

log = structlog.get_logger(__name__)

WINDOW_SECONDS = 60
# Callers a replica counts on its own while Redis is down; past that, new ones wait.
LOCAL_MAX_CALLERS = 100_000

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


class SessionState(StrEnum):
    ANONYMOUS = "anonymous"  # no token, nothing to check
    ALIVE = "alive"
    ENDED = "ended"  # logged out, reset, roles changed or stolen refresh token
    UNVERIFIED = "unverified"  # Redis could not be asked


@dataclass(frozen=True)
class Budget:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds; 0 when allowed


@dataclass(frozen=True)
class Admission:
    budget: Budget
    session: SessionState


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Use an 'Authorization: Bearer <token>' header", code="invalid_token")
    return token.strip()


class TokenVerifier:
    """The caller's identity from its access token, remembering the tokens it has verified.

    A client presents the same token on every request until it refreshes it (a player every
    few seconds), and verifying a JWT (base64, JSON, HMAC, claims) cost more than all the
    gateway's other checks together. A remembered token is the exact string that was verified
    with this secret, and it is still refused once expired; whether its session is alive is
    asked on every request (Gatekeeper.admit), so a logout bites at once.
    """

    def __init__(self, settings: Settings, *, max_entries: int = 50_000) -> None:
        self.settings = settings
        self.max_entries = max_entries
        self._verified: OrderedDict[str, tuple[Identity, float]] = OrderedDict()

    def identity(self, authorization: str | None) -> Identity | None:
        """None for an anonymous caller; raises Unauthorized for a bad or expired token."""
        token = bearer_token(authorization)
        if not token:
            return None
        remembered = self._verified.get(token)
        if remembered is not None:
            identity, expires_at = remembered
            if time.time() < expires_at:
                self._verified.move_to_end(token)
                return identity
            del self._verified[token]
        identity, expires_at = verify_access_token(token, self.settings)
        self._verified[token] = (identity, expires_at)
        if len(self._verified) > self.max_entries:
            self._verified.popitem(last=False)
        return identity


def _window(now: float) -> tuple[int, float]:
    """This minute's number and how far into it `now` is (0..1)."""
    return int(now // WINDOW_SECONDS), (now % WINDOW_SECONDS) / WINDOW_SECONDS


def _budget(*, limit: int, allowed: bool, current: int, previous: int, elapsed: float) -> Budget:
    weighted = previous * (1 - elapsed) + current
    if allowed:
        return Budget(True, limit, max(0, math.floor(limit - weighted)), 0)
    return Budget(False, limit, 0, _retry_after(limit, current, previous, elapsed))


def _retry_after(limit: int, current: int, previous: int, elapsed: float) -> int:
    """Seconds until the weighted count drops below the limit, if no more requests come."""
    if current >= limit or previous == 0:
        return max(1, math.ceil((1 - elapsed) * WINDOW_SECONDS))
    fraction_needed = 1 - (limit - current) / previous
    return max(1, math.ceil((fraction_needed - elapsed) * WINDOW_SECONDS))


class LocalLimiter:
    """The same sliding window in this process's memory, for while Redis is unreachable: each
    replica then counts on its own (N replicas admit up to N times the limit), which is better
    than not counting at all."""

    def __init__(self, limit: int, *, max_callers: int = LOCAL_MAX_CALLERS) -> None:
        self.limit = limit
        self.max_callers = max_callers
        self._counts: dict[int, dict[str, int]] = {}

    def admit(self, *, subject: str, now: float) -> Budget:
        window, elapsed = _window(now)
        for old in [w for w in self._counts if w < window - 1]:
            del self._counts[old]
        counts = self._counts.setdefault(window, {})
        if subject not in counts and len(counts) >= self.max_callers:
            return Budget(False, self.limit, 0, max(1, math.ceil((1 - elapsed) * WINDOW_SECONDS)))
        previous = self._counts.get(window - 1, {}).get(subject, 0)
        current = counts.get(subject, 0)
        if previous * (1 - elapsed) + current >= self.limit:
            return _budget(
                limit=self.limit, allowed=False, current=current, previous=previous, elapsed=elapsed
            )
        counts[subject] = current + 1
        return _budget(
            limit=self.limit, allowed=True, current=current + 1, previous=previous, elapsed=elapsed
        )


class Gatekeeper:
    """Applies the per-caller rate limit and looks up the caller's session, in Redis, so every
    gateway replica shares one budget and sees every logout."""

    def __init__(self, redis: Redis, keys: KeySpace, limit_per_minute: int) -> None:
        self.keys = keys
        self.limit = limit_per_minute
        self._check = redis.register_script(_CHECK)
        self._local = LocalLimiter(limit_per_minute)

    async def admit(self, *, identity: Identity | None, client_address: str) -> Admission:
        subject = f"user:{identity.user_id}" if identity else f"ip:{client_address}"
        now = time.time()
        window, elapsed = _window(now)
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
            log.warning("gatekeeper_store_unavailable", error=repr(exc))
            return Admission(
                self._local.admit(subject=subject, now=now),
                SessionState.UNVERIFIED if identity else SessionState.ANONYMOUS,
            )
        budget = _budget(
            limit=self.limit,
            allowed=bool(allowed),
            current=int(current),
            previous=int(previous),
            elapsed=elapsed,
        )
        if identity is None:
            return Admission(budget, SessionState.ANONYMOUS)
        return Admission(budget, SessionState.ALIVE if alive else SessionState.ENDED)
