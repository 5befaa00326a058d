"""The connections a service process holds: opened once at start-up, shared by its services."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

import redis.exceptions
import structlog
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ott.core.database import create_engine, create_sessionmaker
from ott.core.events import EventBus
from ott.core.redis import KeySpace, create_redis
from ott.core.settings import Settings

_CHECK_TIMEOUT_S = 2.0
log = structlog.get_logger(__name__)


@dataclass
class Resources:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: redis.asyncio.Redis
    keys: KeySpace
    events: EventBus

    @classmethod
    def open(cls, settings: Settings) -> Resources:
        """Create the pools; connections are made lazily on first use."""
        engine = create_engine(settings)
        client = create_redis(settings)
        keys = KeySpace(settings.redis_key_prefix)
        return cls(
            settings=settings,
            engine=engine,
            sessionmaker=create_sessionmaker(engine),
            redis=client,
            keys=keys,
            events=EventBus(client, keys),
        )

    async def close(self) -> None:
        """Close the pools; a store that is slow or gone must not stop a shutdown."""
        try:
            await self.redis.aclose()
        except (redis.exceptions.RedisError, OSError, TimeoutError) as exc:
            log.warning("redis_close_failed", error=repr(exc))
        await self.engine.dispose()

    async def check(self) -> dict[str, bool]:
        database, cache = await asyncio.gather(self._database_ok(), self._redis_ok())
        return {"postgres": database, "redis": cache}

    async def _database_ok(self) -> bool:
        with contextlib.suppress(SQLAlchemyError, OSError, TimeoutError):
            async with asyncio.timeout(_CHECK_TIMEOUT_S), self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
                return True
        return False

    async def _redis_ok(self) -> bool:
        with contextlib.suppress(redis.exceptions.RedisError, OSError, TimeoutError):
            async with asyncio.timeout(_CHECK_TIMEOUT_S):
                return bool(await self.redis.ping())
        return False
