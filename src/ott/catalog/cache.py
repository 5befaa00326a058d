"""Hot catalog answers cached in Redis, dropped as soon as content changes.

Every cache key carries the catalog's generation number; a content event (published,
updated, archived) bumps it, so every answer cached before the edit stops being found at once.
Entries also expire after a few seconds, which bounds how late an availability window that
opens or closes with no edit is noticed. A finished encoding announces its title like an edit
(media/jobs/announce.py), so whether a title has a video changes the generation too. Keys also
carry the shape of the answers (`ANSWER_SHAPE`), so processes of two releases sharing a Redis
never serve each other's answers. Without Redis the answers are simply built each time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

import redis.exceptions
import structlog
from pydantic import BaseModel, TypeAdapter
from redis.asyncio import Redis

from ott.catalog.rendering import JsonText
from ott.core.redis import KeySpace

log = structlog.get_logger(__name__)

_REDIS_ERRORS = (redis.exceptions.RedisError, OSError)
# Raised whenever the fields of an answer change (2: playable, the video's facts).
ANSWER_SHAPE = 2


class CatalogCache:
    def __init__(self, redis_client: Redis, keys: KeySpace, ttl_seconds: float) -> None:
        self.redis = redis_client
        self.keys = keys
        self.ttl_ms = int(ttl_seconds * 1000)
        self.generation_key = keys("catalog", "generation")

    async def answer(self, scope: str, build: Callable[[str | None], Awaitable[object]]) -> str:
        """The JSON answer for `scope` (the request and what the viewer may see), from the cache
        or built and stored. `build` is given the catalog's generation (None when Redis cannot
        say), read once per request."""
        if self.ttl_ms <= 0:  # caching switched off (CATALOG_CACHE_SECONDS=0)
            return _to_json(await build(await self.generation()))
        digest = hashlib.sha256(scope.encode()).hexdigest()[:32]
        try:
            generation = _text(await self.redis.get(self.generation_key)) or "0"
            key = self.keys("catalog", "answer", ANSWER_SHAPE, generation, digest)
            cached = _text(await self.redis.get(key))
        except _REDIS_ERRORS as exc:
            log.warning("catalog_cache_unavailable", error=repr(exc))
            return _to_json(await build(None))
        if cached is not None:
            return cached
        answer = _to_json(await build(generation))
        try:
            await self.redis.set(key, answer, px=self.ttl_ms)
        except _REDIS_ERRORS as exc:
            log.warning("catalog_cache_unavailable", error=repr(exc))
        return answer

    async def generation(self) -> str | None:
        """The catalog's generation, or None when Redis cannot say."""
        try:
            return _text(await self.redis.get(self.generation_key)) or "0"
        except _REDIS_ERRORS:
            return None

    async def invalidate(self) -> None:
        await self.redis.incr(self.generation_key)


def _to_json(value: object) -> str:
    if isinstance(value, JsonText):
        return value
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    return TypeAdapter(type(value)).dump_json(value).decode()


def _text(value: bytes | str | None) -> str | None:
    """A Redis reply as text (the platform's clients decode replies; a raw client may not)."""
    return value.decode() if isinstance(value, bytes) else value
