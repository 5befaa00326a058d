"""The application context: what a service process holds for its whole life (settings, the
PostgreSQL engine and sessions, Redis, the event bus, the media store, the mailer), opened in
the lifespan and shared by every service of the process (`ott serve` runs them all in one).

Routes reach it through the `Annotated` dependencies of ott.core.dependencies; lifespan hooks
through `app_context(app)`. Nothing is created lazily on first use."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from functools import cached_property

import httpx
import redis.exceptions
import structlog
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ott.core.client import CircuitBreaker, ServiceClient
from ott.core.database import create_engine, create_read_sessionmaker, create_sessionmaker
from ott.core.events import EventBus
from ott.core.mailer import Mailer, create_mailer
from ott.core.redis import KeySpace, create_redis
from ott.core.settings import Settings
from ott.core.storage import Storage, create_storage

_CHECK_TIMEOUT_S = 2.0
log = structlog.get_logger(__name__)


@dataclass
class AppContext:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: redis.asyncio.Redis
    keys: KeySpace
    events: EventBus
    storage: Storage
    mailer: Mailer
    # The service apps this process runs itself (`ott serve`: all of them), by service name:
    # a call to one of them goes straight into its app instead of over the network.
    local_apps: dict[str, FastAPI] = field(default_factory=dict)
    _clients: dict[str, ServiceClient] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: Settings) -> AppContext:
        """Create the pools and clients; connections are made when first needed."""
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
            storage=create_storage(settings),
            mailer=create_mailer(settings),
        )

    @cached_property
    def read_sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        """Sessions for read-only requests (core/database.py), on the same pool."""
        return create_read_sessionmaker(self.engine)

    def service_client(self, name: str) -> ServiceClient:
        """The client this process calls service `name` with: into its app when this process
        runs it, else over HTTP at its SERVICE_HOST port. One per service, closed with the
        context."""
        client = self._clients.get(name)
        if client is None:
            local = self.local_apps.get(name)
            client = ServiceClient(
                name,
                "http://in-process" if local is not None else self.settings.service_url(name),
                timeout=self.settings.service_timeout_seconds,
                breaker=CircuitBreaker(name, reset_timeout=self.settings.circuit_reset_seconds),
                transport=httpx.ASGITransport(app=local) if local is not None else None,
            )
            self._clients[name] = client
        return client

    async def close(self) -> None:
        """Close the pools; a store that is slow or gone must not stop a shutdown."""
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
        try:
            await self.redis.aclose()
        except (redis.exceptions.RedisError, OSError, TimeoutError) as exc:
            log.warning("redis_close_failed", error=repr(exc))
        await self.storage.aclose()
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


def app_context(app: FastAPI) -> AppContext:
    """The context of a running app (set by its lifespan)."""
    context = getattr(app.state, "context", None)
    if not isinstance(context, AppContext):
        raise RuntimeError(f"{app.title}: the app's lifespan has not opened its context")
    return context
