"""Activity stores for the tests: PostgreSQL (the suite's database), mongomock behind an async
adapter, and a real MongoDB when MONGODB_URI is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from ott.activity.records import PlaybackUpdate, to_millis
from ott.activity.status import SessionEvent
from ott.activity.store import ActivityStore
from ott.activity.store_mongo import MongoActivityStore
from ott.activity.store_postgres import PostgresActivityStore
from ott.core.app_context import AppContext
from ott.core.observability import configure_logging
from ott.core.settings import Settings
from tests.activity.mongomock_async import mongomock_database

BACKENDS = ["postgres", "mongomock", "mongodb"]


@pytest.fixture(scope="package", autouse=True)
def _logging(settings: Settings) -> None:
    """Log as `ott serve` does (JSON): the consumer's failure tests log tracebacks that the
    unconfigured development renderer takes seconds each to draw."""
    configure_logging(settings)


@pytest.fixture(scope="package")
async def resources(settings: Settings) -> AsyncIterator[AppContext]:
    opened = AppContext.open(settings)
    yield opened
    await opened.close()


@pytest.fixture(params=BACKENDS)
async def store(
    request: pytest.FixtureRequest, resources: AppContext
) -> AsyncIterator[ActivityStore]:
    if request.param == "postgres":
        yield PostgresActivityStore(resources.sessionmaker)
    elif request.param == "mongomock":
        mock = MongoActivityStore(mongomock_database())  # type: ignore[arg-type]
        await mock.prepare()
        yield mock
    else:
        uri = os.environ.get("MONGODB_URI")
        if not uri:
            pytest.skip("MONGODB_URI is not set: no MongoDB server to run the contract on")
        from pymongo import AsyncMongoClient

        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(uri, tz_aware=True)
        name = f"ott_activity_test_{uuid.uuid4().hex[:8]}"
        real = MongoActivityStore(client[name])
        await real.prepare()
        yield real
        await client.drop_database(name)
        await client.close()


# A day ahead: the abandon sweeper of a gateway that other tests started in this process
# abandons sessions whose last event is two minutes old; these never are.
T0 = to_millis(datetime.now(UTC) + timedelta(days=1))


def at(seconds: float) -> datetime:
    return to_millis(T0 + timedelta(seconds=seconds))


def playback(
    *,
    session_id: str | None = None,
    profile_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    content_id: uuid.UUID | None = None,
    episode_id: uuid.UUID | None = None,
    position: float = 600.0,
    duration: float = 3600.0,
    sequence: int = 1,
    when: datetime | None = None,
    event: SessionEvent = SessionEvent.POSITION,
    device: str = "web",
) -> PlaybackUpdate:
    return PlaybackUpdate(
        session_id=session_id or uuid.uuid4().hex,
        user_id=user_id or uuid.uuid4(),
        profile_id=profile_id or uuid.uuid4(),
        content_id=content_id or uuid.uuid4(),
        episode_id=episode_id,
        device_type=device,
        position_seconds=position,
        duration_seconds=duration,
        sequence=sequence,
        occurred_at=when or at(sequence * 10),
        event=event,
    )
