"""PostgreSQL access: one pooled async engine per process, one session per request."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, MetaData, func, select
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

from ott.core.embedded import configured_database_url
from ott.core.settings import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def pg_enum(enum_cls: type[StrEnum], name: str, *, create_type: bool = True) -> Enum:
    """A PostgreSQL enum type storing the members' values (not their Python names)."""
    return Enum(
        enum_cls,
        name=name,
        values_callable=lambda members: [m.value for m in members],
        create_type=create_type,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def database_url(settings: Settings) -> str:
    url = configured_database_url(settings)
    if not url:
        raise RuntimeError("no database configured: call resolve_stores() or set DATABASE_URL")
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


def create_engine(settings: Settings) -> AsyncEngine:
    return create_async_engine(
        database_url(settings),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        pool_recycle=1800,
        # Statements are prepared once per connection (asyncpg). After five runs PostgreSQL
        # may switch one to a generic plan that ignores the parameters' values; for the
        # catalog's LIMIT queries (is this genre big or small? this word common or rare?)
        # such plans were up to 20x slower, while planning these statements costs ~0.2 ms.
        connect_args={"server_settings": {"plan_cache_mode": settings.db_plan_cache_mode}},
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def create_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for requests that only read: each statement runs on its own (autocommit),
    without the BEGIN and COMMIT round trips around it. Under READ COMMITTED, the isolation
    every session here has, each statement of a transaction sees its own snapshot anyway, so
    a read-only request sees nothing different."""
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
    )


async def db_now(db: AsyncSession) -> datetime:
    """The transaction's time (PostgreSQL's now()), the clock of every write."""
    now = await db.scalar(select(func.now()))
    assert now is not None
    return now
