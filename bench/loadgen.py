"""An open-loop, constant-rate HTTP/1.1 load generator on asyncio streams (uvloop + httptools).

Request *i* of a run is scheduled at ``start + i / rate`` and sent then, whether or not earlier
requests have been answered, on an idle keep-alive connection or a new one. Its latency is
measured from the *scheduled* time to the end of the response, so a stalled server (or a
stalled generator) shows up in the figures instead of silently lowering the offered load
("coordinated omission").

The client is deliberately minimal: pre-rendered request bytes, a C response parser
(httptools), no per-request objects beyond one future. It shares the machine with the server
under test, so every microsecond it spends is a microsecond the server does not get; see
``python bench/loadgen.py --help`` to measure it on its own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import math
import resource
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import cast
from urllib.parse import urlsplit

import httptools

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_CONNECTIONS = 256
# uvicorn closes a keep-alive connection after 5 s idle; reusing one at that moment races its
# close and fails the request, so the pool drops connections idle for longer than this.
DEFAULT_MAX_IDLE_S = 4.0


class HttpResponseError(Exception):
    """The connection broke or the response could not be parsed."""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes


def render_request(
    method: str,
    path: str,
    host: str,
    *,
    headers: Sequence[tuple[str, str]] = (),
    body: bytes = b"",
) -> bytes:
    """The bytes of one HTTP/1.1 keep-alive request."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines.extend(f"{name}: {value}" for name, value in headers)
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class _Connection(asyncio.Protocol):
    """One keep-alive connection; one request in flight at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[Response] | None = None
        self.body: list[bytes] = []
        self.keep_alive = True
        self.closed = False
        self.idle_since = 0.0

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(HttpResponseError(f"bad response: {exc}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(HttpResponseError(f"connection lost: {exc!r}" if exc else "connection closed"))

    # httptools callbacks
    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.keep_alive = self.parser.should_keep_alive()
        response = Response(self.parser.get_status_code(), b"".join(self.body))
        self.body = []
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(response)

    def _fail(self, exc: Exception) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    @property
    def reusable(self) -> bool:
        return not self.closed and self.keep_alive and self.waiter is None

    def send(self, raw: bytes) -> asyncio.Future[Response]:
        assert self.transport is not None
        assert self.waiter is None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return self.waiter

    def close(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.close()
        self.closed = True


class ConnectionPool:
    """Keep-alive connections to one host: reuse an idle one, else open one (up to a limit,
    after which senders queue; the queueing counts in their latency)."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        local_host: str | None = None,
        max_idle_s: float = DEFAULT_MAX_IDLE_S,
    ) -> None:
        self.host = host
        self.port = port
        self.max_connections = max_connections
        self.max_idle_s = max_idle_s
        self.local_host = local_host
        self._idle: list[_Connection] = []
        self._open = 0
        self._waiters: list[asyncio.Future[None]] = []
        self.opened_total = 0

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        local_addr = (self.local_host, 0) if self.local_host else None
        _, connection = await loop.create_connection(
            _Connection, self.host, self.port, local_addr=local_addr
        )
        self.opened_total += 1
        return connection

    async def acquire(self) -> _Connection:
        while True:
            while self._idle:
                connection = self._idle.pop()
                if connection.reusable:
                    if time.perf_counter() - connection.idle_since < self.max_idle_s:
                        return connection
                    connection.close()
                self._open -= 1
            if self._open < self.max_connections:
                self._open += 1
                try:
                    return await self._connect()
                except BaseException:
                    self._open -= 1
                    self._wake_one()
                    raise
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            await waiter

    def release(self, connection: _Connection) -> None:
        if connection.reusable:
            connection.idle_since = time.perf_counter()
            self._idle.append(connection)
        else:
            connection.close()
            self._open -= 1
        self._wake_one()

    def _wake_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.pop(0)
            if not waiter.done():
                waiter.set_result(None)
                return

    async def request(self, raw: bytes, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> Response:
        connection = await self.acquire()
        try:
            async with asyncio.timeout(timeout_s):
                return await connection.send(raw)
        except BaseException:
            connection.close()
            raise
        finally:
            self.release(connection)

    @property
    def open_connections(self) -> int:
        return self._open

    def close(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()
        self._open = 0


async def one_shot(
    host: str,
    port: int,
    raw: bytes,
    *,
    local_host: str | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> Response:
    """One request on a connection of its own (e.g. from a chosen loopback source address)."""
    pool = ConnectionPool(host, port, max_connections=1, local_host=local_host)
    try:
        return await pool.request(raw, timeout_s=timeout_s)
    finally:
        pool.close()


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted sequence (nan when empty)."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass
class RunResult:
    """What one constant-rate run measured. Times are in seconds."""

    target_rate: float
    scheduled: int
    duration: float = 0.0  # first scheduled send to last completion
    started_at: float = 0.0  # time.perf_counter() of the first scheduled send
    latencies: list[float] = field(default_factory=list)  # successful (2xx) requests only
    sent_at: list[float] = field(default_factory=list)  # their scheduled times, from started_at
    statuses: Counter[str] = field(default_factory=Counter)  # non-2xx statuses and exceptions
    send_lag_max: float = 0.0  # how late the generator itself sent a request
    send_lag_over_1ms: int = 0
    connections_opened: int = 0
    generator_cpu: float = 0.0  # CPU seconds this process used during the run

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def errors(self) -> int:
        return sum(self.statuses.values())

    @property
    def throughput(self) -> float:
        return self.ok / self.duration if self.duration > 0 else 0.0

    def quantile(self, fraction: float) -> float:
        return percentile(sorted(self.latencies), fraction)

    def timeline(self, bucket: float = 1.0) -> list[dict[str, float]]:
        """Per `bucket` seconds of scheduled send time: count, p50, p95 and max latency (ms)."""
        buckets: dict[int, list[float]] = {}
        for sent, latency in zip(self.sent_at, self.latencies, strict=True):
            buckets.setdefault(int(sent // bucket), []).append(latency)
        rows = []
        for index in sorted(buckets):
            ordered = sorted(buckets[index])
            rows.append(
                {
                    "t": index * bucket,
                    "n": len(ordered),
                    "p50_ms": round(percentile(ordered, 0.5) * 1000, 2),
                    "p95_ms": round(percentile(ordered, 0.95) * 1000, 2),
                    "max_ms": round(ordered[-1] * 1000, 2),
                }
            )
        return rows

    def summary(self) -> dict[str, object]:
        ordered = sorted(self.latencies)
        return {
            "target_rps": self.target_rate,
            "scheduled": self.scheduled,
            "ok": self.ok,
            "errors": dict(self.statuses),
            "throughput_rps": round(self.throughput, 1),
            "p50_ms": round(percentile(ordered, 0.50) * 1000, 2),
            "p95_ms": round(percentile(ordered, 0.95) * 1000, 2),
            "p99_ms": round(percentile(ordered, 0.99) * 1000, 2),
            "max_ms": round((ordered[-1] if ordered else math.nan) * 1000, 2),
            "send_lag_max_ms": round(self.send_lag_max * 1000, 2),
            "send_lag_over_1ms": self.send_lag_over_1ms,
            "connections_opened": self.connections_opened,
            "generator_cpu_s": round(self.generator_cpu, 3),
        }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def constant_rate(
    pool: ConnectionPool,
    requests: Sequence[bytes],
    *,
    rate: float,
    duration: float,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    on_response: Callable[[int, Response], None] | None = None,
) -> RunResult:
    """Send ``rate * duration`` requests at fixed times, cycling through ``requests``;
    ``on_response(index, response)`` sees each answer (e.g. to keep the ids a run created)."""
    loop = asyncio.get_running_loop()
    total = int(rate * duration)
    result = RunResult(target_rate=rate, scheduled=total)
    pending: set[asyncio.Task[None]] = set()
    last_done = 0.0
    opened_before = pool.opened_total
    cpu_before = _cpu_seconds()

    async def send(index: int, raw: bytes, scheduled_at: float) -> None:
        nonlocal last_done
        try:
            response = await pool.request(raw, timeout_s=timeout_s)
        except TimeoutError:
            result.statuses["timeout"] += 1
        except Exception as exc:  # counted, never fatal: the run goes on
            result.statuses[type(exc).__name__] += 1
        else:
            done = time.perf_counter()
            if on_response is not None:
                on_response(index, response)
            last_done = max(last_done, done)
            if 200 <= response.status < 300:
                result.latencies.append(done - scheduled_at)
                result.sent_at.append(scheduled_at - start)
            else:
                result.statuses[str(response.status)] += 1

    # time.perf_counter, not loop.time(): uvloop's clock has a 1 ms resolution.
    start = result.started_at = time.perf_counter() + 0.01
    interval = 1.0 / rate
    cycle = itertools.cycle(requests)
    for index in range(total):
        scheduled_at = start + index * interval
        delay = scheduled_at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        lag = time.perf_counter() - scheduled_at
        if lag > result.send_lag_max:
            result.send_lag_max = lag
        if lag > 0.001:
            result.send_lag_over_1ms += 1
        task = loop.create_task(send(index, next(cycle), scheduled_at))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.gather(*pending)
    result.duration = max(last_done, start + total * interval) - start
    result.connections_opened = pool.opened_total - opened_before
    result.generator_cpu = _cpu_seconds() - cpu_before
    return result


def rotated(requests: Sequence[bytes], start: int) -> list[bytes]:
    """The cycle of `requests` starting at `start` (modulo their number): a run that goes on
    where the previous one stopped does not replay what the previous one just put in a cache,
    and over many runs every request gets its even share."""
    start %= len(requests)
    return [*requests[start:], *requests[:start]]


def format_result(name: str, result: RunResult) -> str:
    s = result.summary()
    return (
        f"{name}: {s['ok']}/{s['scheduled']} ok at {s['throughput_rps']} req/s "
        f"(target {s['target_rps']}); p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, "
        f"p99 {s['p99_ms']} ms, max {s['max_ms']} ms; errors {s['errors'] or 'none'}; "
        f"send lag max {s['send_lag_max_ms']} ms; generator CPU {s['generator_cpu_s']} s"
    )


async def _main(args: argparse.Namespace) -> int:
    url = urlsplit(args.url)
    host = url.hostname or "127.0.0.1"
    port = url.port or 80
    path = (url.path or "/") + (f"?{url.query}" if url.query else "")
    headers = [tuple(h.split(":", 1)) for h in args.header]
    raw = render_request(
        "GET", path, f"{host}:{port}", headers=[(k.strip(), v.strip()) for k, v in headers]
    )
    pool = ConnectionPool(host, port, max_connections=args.max_connections)
    try:
        if args.warmup > 0:
            await constant_rate(pool, [raw], rate=args.rate, duration=args.warmup)
        result = await constant_rate(pool, [raw], rate=args.rate, duration=args.duration)
    finally:
        pool.close()
    print(format_result(args.url, result))
    return 1 if result.errors else 0


def main() -> None:
    parser = argparse.ArgumentParser(description="Open-loop constant-rate GET load on one URL.")
    parser.add_argument("url")
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds sent, not measured")
    parser.add_argument("--header", action="append", default=[], help="'Name: value'")
    parser.add_argument("--max-connections", type=int, default=DEFAULT_MAX_CONNECTIONS)
    args = parser.parse_args()
    import uvloop

    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(uvloop.run(_main(args)))


if __name__ == "__main__":
    main()
