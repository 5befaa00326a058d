"""ServiceClient and CircuitBreaker against a real HTTP server (uvicorn in a thread)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ott.core.client import CircuitBreaker, CircuitState, ServiceClient
from ott.core.context import CORRELATION_HEADER, correlation_id
from ott.core.errors import ServiceUnavailable

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


# --- the scripted server ---------------------------------------------------------------------


def build_app(calls: Counter[str]) -> Starlette:
    """Routes whose behaviour tests script through the path; every call is counted by path."""

    async def flaky(request: Request) -> Response:
        """Answer 503 to the first `failures` calls, then 200."""
        calls[request.url.path] += 1
        if calls[request.url.path] <= int(request.path_params["failures"]):
            return JSONResponse({"error": "not yet"}, status_code=503)
        return JSONResponse({"ok": True, "calls": calls[request.url.path]})

    async def status(request: Request) -> Response:
        """Always answer with the given status."""
        calls[request.url.path] += 1
        return JSONResponse({"status": "scripted"}, status_code=int(request.path_params["code"]))

    async def slow(request: Request) -> Response:
        """Sleep `seconds` before answering 200."""
        calls[request.url.path] += 1
        await asyncio.sleep(float(request.path_params["seconds"]))
        return JSONResponse({"ok": True})

    async def echo(request: Request) -> Response:
        calls[request.url.path] += 1
        return JSONResponse(
            {
                "method": request.method,
                "correlation_id": request.headers.get(CORRELATION_HEADER),
                "query": dict(request.query_params),
                "body": (await request.body()).decode(),
            }
        )

    return Starlette(
        routes=[
            Route("/flaky/{failures:int}", flaky, methods=METHODS),
            Route("/status/{code:int}", status, methods=METHODS),
            Route("/slow/{seconds:float}", slow, methods=METHODS),
            Route("/echo", echo, methods=METHODS),
        ]
    )


@dataclass
class ScriptedServer:
    url: str
    calls: Counter[str]


@pytest.fixture(scope="module")
def _server_thread() -> Iterator[ScriptedServer]:
    """One uvicorn server per module, on a socket bound to a free port before it starts."""
    calls: Counter[str] = Counter()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        build_app(calls), log_level="warning", lifespan="off", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    yield ScriptedServer(f"http://127.0.0.1:{port}", calls)
    server.should_exit = True
    thread.join(timeout=5)
    sock.close()


@pytest.fixture
def server(_server_thread: ScriptedServer) -> ScriptedServer:
    """The module's server with its call counters reset for this test."""
    _server_thread.calls.clear()
    return _server_thread


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def fast_client(url: str, **kwargs: Any) -> ServiceClient:
    kwargs.setdefault("backoff_initial", 0.01)
    kwargs.setdefault("backoff_max", 0.02)
    # The scripted server shares this process (and its GIL) with the test; on a loaded machine
    # a connect took over the default second, which made the retry counts of these tests flaky.
    kwargs.setdefault("connect_timeout", 10.0)
    return ServiceClient("catalog", url, **kwargs)


# --- retries ---------------------------------------------------------------------------------


async def test_retries_a_503_then_succeeds(server: ScriptedServer) -> None:
    async with fast_client(server.url, retries=2) as client:
        response = await client.get("/flaky/2")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "calls": 3}
    assert server.calls["/flaky/2"] == 3
    assert client.breaker.state is CircuitState.CLOSED


async def test_gives_up_after_the_retries(server: ScriptedServer) -> None:
    async with fast_client(server.url, retries=2) as client:
        with pytest.raises(ServiceUnavailable) as caught:
            await client.get("/flaky/5")
    assert server.calls["/flaky/5"] == 3
    error = caught.value
    assert error.status_code == 503
    assert error.code == "service_unavailable"
    assert "catalog" in error.message
    assert error.details == {
        "service": "catalog",
        "error": "HTTP 503 Service Unavailable",
        "attempts": 3,
    }


async def test_put_and_delete_are_retried(server: ScriptedServer) -> None:
    async with fast_client(server.url, retries=1) as client:
        assert (await client.put("/flaky/1", json={"a": 1})).status_code == 200
        assert (await client.delete("/flaky/1")).status_code == 200
    assert server.calls["/flaky/1"] == 3  # PUT: 503 then 200; DELETE: 200


@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_non_idempotent_methods_are_not_retried_on_a_503(
    server: ScriptedServer, method: str
) -> None:
    async with fast_client(server.url, retries=3) as client:
        with pytest.raises(ServiceUnavailable) as caught:
            await client.request(method, "/flaky/1", json={"title": "x"})
    assert server.calls["/flaky/1"] == 1
    assert caught.value.details["attempts"] == 1


async def test_a_500_is_not_retried_but_fails(server: ScriptedServer) -> None:
    async with fast_client(server.url, retries=3) as client:
        with pytest.raises(ServiceUnavailable) as caught:
            await client.get("/status/500")
    assert server.calls["/status/500"] == 1
    assert caught.value.details["error"] == "HTTP 500 Internal Server Error"


async def test_a_4xx_is_returned_and_counts_as_a_success(server: ScriptedServer) -> None:
    breaker = CircuitBreaker("catalog", failure_threshold=2)
    async with fast_client(server.url, retries=2, breaker=breaker) as client:
        with pytest.raises(ServiceUnavailable):
            await client.post("/status/500")
        assert breaker.failures == 1
        response = await client.get("/status/404")
        assert response.status_code == 404
        assert breaker.failures == 0
        with pytest.raises(ServiceUnavailable):
            await client.post("/status/500")
    assert server.calls["/status/404"] == 1
    assert breaker.state is CircuitState.CLOSED


async def test_connection_refused_fails_fast_with_the_defaults() -> None:
    async with ServiceClient("ghost", f"http://127.0.0.1:{closed_port()}") as client:
        started = time.perf_counter()
        with pytest.raises(ServiceUnavailable) as caught:
            await client.get("/anything")
        elapsed = time.perf_counter() - started
    assert elapsed < 1.0
    assert caught.value.code == "service_unavailable"
    assert "ghost" in caught.value.message
    assert caught.value.details["attempts"] == 3
    assert caught.value.details["error"].startswith("ConnectError")


async def test_post_is_retried_when_the_connection_is_refused() -> None:
    async with fast_client(f"http://127.0.0.1:{closed_port()}", retries=2) as client:
        with pytest.raises(ServiceUnavailable) as caught:
            await client.post("/things", json={"a": 1})
    assert caught.value.details["attempts"] == 3


async def test_read_timeout_is_retried_for_get(server: ScriptedServer) -> None:
    async with fast_client(server.url, timeout=0.1, retries=1) as client:
        with pytest.raises(ServiceUnavailable) as caught:
            await client.get("/slow/0.5")
    assert caught.value.details["error"].startswith("ReadTimeout")
    assert server.calls["/slow/0.5"] == 2


async def test_read_timeout_is_not_retried_for_post(server: ScriptedServer) -> None:
    async with fast_client(server.url, timeout=0.1, retries=3) as client:
        started = time.perf_counter()
        with pytest.raises(ServiceUnavailable) as caught:
            await client.post("/slow/0.5", json={})
        assert time.perf_counter() - started < 0.4
    assert caught.value.details == {
        "service": "catalog",
        "error": "ReadTimeout",
        "attempts": 1,
    }
    assert server.calls["/slow/0.5"] == 1


# --- request shaping -------------------------------------------------------------------------


async def test_forwards_the_correlation_id(server: ScriptedServer) -> None:
    token = correlation_id.set("corr-123")
    try:
        async with fast_client(server.url) as client:
            forwarded = (await client.get("/echo")).json()
            overridden = (
                await client.get("/echo", headers={"X-Correlation-ID": "caller-wins"})
            ).json()
    finally:
        correlation_id.reset(token)
    assert forwarded["correlation_id"] == "corr-123"
    assert overridden["correlation_id"] == "caller-wins"


async def test_no_correlation_header_without_a_context(server: ScriptedServer) -> None:
    async with fast_client(server.url) as client:
        body = (await client.get("/echo")).json()
    assert body["correlation_id"] is None


async def test_passes_params_and_bodies(server: ScriptedServer) -> None:
    async with fast_client(server.url) as client:
        got = (await client.get("/echo", params={"page": 2})).json()
        posted = (await client.post("/echo", json={"title": "Heat"})).json()
        put = (await client.put("/echo", content=b"raw")).json()
    assert got["query"] == {"page": "2"}
    assert (posted["method"], posted["body"]) == ("POST", '{"title":"Heat"}')
    assert (put["method"], put["body"]) == ("PUT", "raw")


# --- circuit breaker through the client ------------------------------------------------------


async def test_breaker_opens_and_rejects_without_calling_the_server(
    server: ScriptedServer,
) -> None:
    breaker = CircuitBreaker("catalog", failure_threshold=3, reset_timeout=60)
    async with fast_client(server.url, retries=0, breaker=breaker) as client:
        for _ in range(3):
            with pytest.raises(ServiceUnavailable) as caught:
                await client.get("/status/500")
            assert caught.value.code == "service_unavailable"
        assert breaker.state is CircuitState.OPEN
        for _ in range(5):
            with pytest.raises(ServiceUnavailable) as caught:
                await client.get("/status/500")
            assert caught.value.code == "circuit_open"
            assert "catalog" in caught.value.message
    assert server.calls["/status/500"] == 3


async def test_breaker_opening_stops_the_retries(server: ScriptedServer) -> None:
    breaker = CircuitBreaker("catalog", failure_threshold=2, reset_timeout=60)
    async with fast_client(server.url, retries=5, breaker=breaker) as client:
        with pytest.raises(ServiceUnavailable) as caught:
            await client.get("/status/503")
    assert caught.value.code == "circuit_open"
    assert server.calls["/status/503"] == 2


async def test_half_open_trial_success_closes_the_circuit(server: ScriptedServer) -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("catalog", failure_threshold=1, reset_timeout=10, clock=clock)
    async with fast_client(server.url, retries=0, breaker=breaker) as client:
        with pytest.raises(ServiceUnavailable):
            await client.get("/flaky/1")
        assert breaker.state is CircuitState.OPEN
        clock.advance(9.9)
        with pytest.raises(ServiceUnavailable, match="circuit open"):
            await client.get("/flaky/1")
        assert server.calls["/flaky/1"] == 1

        clock.advance(0.1)
        assert breaker.state is CircuitState.HALF_OPEN
        assert (await client.get("/flaky/1")).status_code == 200
        assert breaker.state is CircuitState.CLOSED
        assert (await client.get("/flaky/1")).status_code == 200
    assert server.calls["/flaky/1"] == 3


async def test_half_open_trial_failure_reopens_the_circuit(server: ScriptedServer) -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("catalog", failure_threshold=2, reset_timeout=10, clock=clock)
    async with fast_client(server.url, retries=3, breaker=breaker) as client:
        with pytest.raises(ServiceUnavailable):
            await client.get("/status/503")  # two attempts, then the circuit opens
        assert server.calls["/status/503"] == 2
        clock.advance(10)
        with pytest.raises(ServiceUnavailable) as caught:
            await client.get("/status/503")  # the trial fails; its retry is rejected
        assert caught.value.code == "circuit_open"
        assert server.calls["/status/503"] == 3
        assert breaker.state is CircuitState.OPEN
        with pytest.raises(ServiceUnavailable, match="circuit open"):
            await client.get("/status/503")
    assert server.calls["/status/503"] == 3


async def test_half_open_lets_only_one_concurrent_trial_through(server: ScriptedServer) -> None:
    breaker = CircuitBreaker("catalog", failure_threshold=1, reset_timeout=0.05)
    async with fast_client(server.url, retries=0, breaker=breaker) as client:
        with pytest.raises(ServiceUnavailable):
            await client.get("/status/500")
        await asyncio.sleep(0.06)
        results = await asyncio.gather(
            client.get("/slow/0.1"),
            client.get("/slow/0.1"),
            client.get("/slow/0.1"),
            return_exceptions=True,
        )
    assert server.calls["/slow/0.1"] == 1
    answered = [r for r in results if not isinstance(r, BaseException)]
    rejected = [r for r in results if isinstance(r, ServiceUnavailable)]
    assert len(answered) == 1
    assert answered[0].status_code == 200
    assert [r.code for r in rejected] == ["circuit_open", "circuit_open"]
    assert breaker.state is CircuitState.CLOSED


async def test_a_cancelled_trial_frees_the_trial_slot(server: ScriptedServer) -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("catalog", failure_threshold=1, reset_timeout=1, clock=clock)
    async with fast_client(server.url, retries=0, breaker=breaker) as client:
        with pytest.raises(ServiceUnavailable):
            await client.get("/status/500")
        clock.advance(1)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(client.get("/slow/0.5"), timeout=0.05)
        assert breaker.state is CircuitState.HALF_OPEN
        assert (await client.get("/echo")).status_code == 200
    assert breaker.state is CircuitState.CLOSED


# --- circuit breaker on its own --------------------------------------------------------------


def test_breaker_counts_consecutive_failures_only() -> None:
    breaker = CircuitBreaker("ads", failure_threshold=3)
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state is CircuitState.CLOSED
    breaker.before_call()
    breaker.record_failure()
    assert breaker.state is CircuitState.OPEN


def test_breaker_cycle_with_a_fake_clock() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("ads", failure_threshold=1, reset_timeout=5, clock=clock)
    breaker.record_failure()
    with pytest.raises(ServiceUnavailable) as caught:
        breaker.before_call()
    assert caught.value.code == "circuit_open"
    assert "ads" in caught.value.message

    clock.advance(5)
    breaker.before_call()  # the trial
    assert breaker.state is CircuitState.HALF_OPEN
    with pytest.raises(ServiceUnavailable):
        breaker.before_call()  # a second caller while the trial runs
    breaker.record_failure()
    assert breaker.state is CircuitState.OPEN

    clock.advance(4.9)
    with pytest.raises(ServiceUnavailable):
        breaker.before_call()  # re-opened for a full reset_timeout
    clock.advance(0.1)
    breaker.before_call()
    breaker.record_success()
    assert breaker.state is CircuitState.CLOSED
    breaker.before_call()
    breaker.before_call()
