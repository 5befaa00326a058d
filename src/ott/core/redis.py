"""Redis: the hot store and the event bus. One client (with its own pool) per process."""

from __future__ import annotations

from redis.asyncio import Redis

from ott.core.settings import Settings


def create_redis(settings: Settings) -> Redis:
    if not settings.redis_url:
        raise RuntimeError("no Redis configured: call resolve_stores() or set REDIS_URL")
    return Redis.from_url(
        settings.redis_url,
        decode_responses=True,
        socket_timeout=2.0,
        socket_connect_timeout=2.0,
        health_check_interval=30,
        max_connections=100,
    )


class KeySpace:
    """Builds namespaced keys, so several deployments (or test runs) can share one Redis."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(self, *parts: object) -> str:
        return self.prefix + ":".join(str(part) for part in parts)
