"""Background tasks: a task that fails is logged at once and restarted with backoff; one that
keeps failing makes /ready say so, also through the gateway that runs the service in process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
import structlog
from fastapi import FastAPI

from ott.core.app_factory import create_service_app
from ott.core.background import BackgroundHealth, Backoff, reporting_to, running_in_background
from ott.core.events import EventConsumer
from ott.core.settings import Settings
from tests.conftest import start_gateway

QUICK = Backoff(0.01, 0.05)


async def wait_for(condition: Callable[[], object]) -> None:
    """Poll `condition` for up to 3 seconds."""
    for _ in range(300):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in 3 s")


async def test_a_failing_task_is_logged_at_once_and_restarted() -> None:
    runs: list[int] = []
    recovered = asyncio.Event()

    async def flaky(stop: asyncio.Event) -> None:
        runs.append(len(runs))
        if len(runs) <= 2:
            raise RuntimeError(f"boom {len(runs)}")
        recovered.set()
        await stop.wait()

    with structlog.testing.capture_logs() as logs:
        async with running_in_background("flaky", flaky, backoff=QUICK) as health:
            await wait_for(lambda: any(e["event"] == "background task failed" for e in logs))
            # Logged while the task's block is still running, not when it ends.
            failure = next(e for e in logs if e["event"] == "background task failed")
            assert failure["task"] == "flaky"
            assert failure["log_level"] == "error"
            assert failure.get("exc_info")
            await asyncio.wait_for(recovered.wait(), 3)
            assert health.restarts == 2
            assert health.last_error == "RuntimeError('boom 2')"
            assert health.healthy  # two failures, fewer than failing_after
    assert len(runs) == 3
    assert [e["event"] for e in logs].count("restarting background task") == 2


async def test_a_task_that_returns_early_is_restarted_and_stops_on_request() -> None:
    runs = 0

    async def quits(_: asyncio.Event) -> None:
        nonlocal runs
        runs += 1

    async with running_in_background("quits", quits, backoff=QUICK):
        await wait_for(lambda: runs >= 3)
    stopped_at = runs
    await asyncio.sleep(0.1)
    assert runs == stopped_at


async def test_a_task_counts_as_failing_until_a_run_lasts() -> None:
    async def fails_three_times(stop: asyncio.Event) -> None:
        if health.restarts < 3:
            raise RuntimeError("store down")
        await stop.wait()

    registry = BackgroundHealth()
    with reporting_to(registry):
        context = running_in_background(
            "sweeper", fails_three_times, backoff=QUICK, stable_after=0.2, failing_after=3
        )
        health = await context.__aenter__()
    try:
        await wait_for(lambda: registry.failing() == [health])
        assert health.failures == 3
        await wait_for(lambda: health.healthy)  # the fourth run has lasted 0.2 s
        assert registry.failing() == []
    finally:
        await context.__aexit__(None, None, None)
    assert registry.tasks() == []


async def test_a_stuck_task_is_cancelled_after_the_stop_timeout() -> None:
    cancelled = asyncio.Event()

    async def ignores_stop(_: asyncio.Event) -> None:
        try:
            await asyncio.sleep(60)
        finally:
            cancelled.set()

    async with running_in_background("stuck", ignores_stop, stop_timeout=0.05):
        await asyncio.sleep(0)
    assert cancelled.is_set()


async def test_ready_reports_a_background_task_that_keeps_failing(settings: Settings) -> None:
    @asynccontextmanager
    async def broken_task(_: FastAPI) -> AsyncIterator[None]:
        async def run(_: asyncio.Event) -> None:
            raise RuntimeError("cannot reach the store")

        async with running_in_background("broken", run, backoff=QUICK):
            yield

    app = create_service_app("probe", settings=settings, routers=[], lifespan_hooks=[broken_task])
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        await wait_for(lambda: app.state.background.failing())
        response = await client.get("/ready")
        assert response.status_code == 503
        error = response.json()["error"]
        assert error["code"] == "not_ready"
        assert "broken keeps failing" in error["message"]
        task = error["details"]["tasks"]["broken"]
        assert task["healthy"] is False
        assert task["failures"] >= 3
        assert task["last_error"] == "RuntimeError('cannot reach the store')"
        assert error["details"]["checks"] == {"postgres": True, "redis": True}


async def test_the_gateway_reports_a_failing_task_of_a_service_it_runs_in_process(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def dies(self: EventConsumer, stop: asyncio.Event) -> None:
        raise ValueError("not enough values to unpack")

    monkeypatch.setattr(EventConsumer, "run", dies)
    client, lifespan = await start_gateway(settings)
    try:
        assert (await client.get("/ready")).status_code == 200  # one failure is not "failing"
        for _ in range(100):
            response = await client.get("/ready")
            if response.status_code != 200:
                break
            await asyncio.sleep(0.1)
        assert response.status_code == 503
        details = response.json()["error"]["details"]
        assert details["tasks"]["catalog-cache-consumer"]["failures"] >= 3
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)
