"""Test stores and clients.

Tests talk to a real PostgreSQL and Redis: the servers on 127.0.0.1 (5432, 6379) when they
answer, otherwise the embedded ones the platform itself uses. Each run gets its own database
and its own Redis key prefix, so runs never see each other's data; each test makes its own
accounts, so tests need no clean-up between them.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from ott.core import migrate
from ott.core.embedded import start_embedded_postgres, start_embedded_redis
from ott.core.settings import Environment, Settings

LOCAL_PG = ("127.0.0.1", 5432)
LOCAL_REDIS = ("127.0.0.1", 6379)
TEST_PASSWORD = "Streaming-Tests-42"
FAST_BCRYPT_ROUNDS = 4  # production uses 12 (tested on its own); 4 keeps hundreds of sign-ups fast


def _answers(address: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(address, timeout=0.5):
            return True
    except OSError:
        return False


def _admin_pg_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def run_sql(url: str, statement: str) -> None:
    """Run one statement on a fresh connection (for set-up outside the event loop)."""
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(url)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ott-data")


@pytest.fixture(scope="session")
def database_url(data_dir: Path) -> Iterator[str]:
    if os.environ.get("TEST_POSTGRES_URL") or _answers(LOCAL_PG):
        name = f"ott_test_{uuid.uuid4().hex[:12]}"
        admin = _admin_pg_url()
        run_sql(admin, f'CREATE DATABASE "{name}"')
        yield admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
        run_sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield start_embedded_postgres(data_dir)


@pytest.fixture(scope="session")
def redis_url(data_dir: Path) -> str:
    if os.environ.get("TEST_REDIS_URL"):
        return os.environ["TEST_REDIS_URL"]
    if _answers(LOCAL_REDIS):
        return "redis://127.0.0.1:6379/0"
    return start_embedded_redis(data_dir)


@pytest.fixture(scope="session")
def key_prefix(redis_url: str) -> Iterator[str]:
    prefix = f"ott-test-{uuid.uuid4().hex[:8]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}*", count=1000):
        client.delete(key)
    client.close()


@pytest.fixture(scope="session")
def settings(database_url: str, redis_url: str, key_prefix: str, data_dir: Path) -> Settings:
    """Settings of the platform under test; migrated once per run."""
    config = Settings(
        _env_file=None,
        ott_env=Environment.TEST,
        jwt_secret=secrets.token_urlsafe(48),
        database_url=database_url,
        redis_url=redis_url,
        redis_key_prefix=key_prefix,
        data_dir=data_dir,
        bcrypt_rounds=FAST_BCRYPT_ROUNDS,
        rate_limit_per_minute=100_000,
        log_json=True,
        log_level="WARNING",
    )
    migrate.upgrade(config)
    return config


def settings_with(settings: Settings, **changes: Any) -> Settings:
    return settings.model_copy(update=changes)


async def start_gateway(settings: Settings) -> tuple[httpx.AsyncClient, Any]:
    """An in-process gateway (all services behind it) and a client that calls it over ASGI."""
    from ott.gateway.app import create_app

    app = create_app(settings)
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 5555)),
        base_url="http://testserver",
    )
    return client, lifespan


@pytest.fixture(scope="session")
async def api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The platform as a client sees it: through the gateway."""
    client, lifespan = await start_gateway(settings)
    yield client
    await client.aclose()
    await lifespan.__aexit__(None, None, None)


def unique_email(tag: str = "viewer") -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.com"


async def register(
    api: httpx.AsyncClient, email: str | None = None, password: str = TEST_PASSWORD
) -> dict[str, Any]:
    response = await api.post(
        "/api/auth/register", json={"email": email or unique_email(), "password": password}
    )
    assert response.status_code == 201, response.text
    return response.json()


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is an error in the platform's format, with this status (and code)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "details"} <= set(body["error"]), body
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
