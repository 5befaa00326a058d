"""How bench/catalog.py measures one scenario on a running server: a closed-loop capacity
probe, a warm-up and an open-loop run at the target rate (bench/loadgen.py), the CPU of the
server and of its PostgreSQL backends meanwhile, and the backlog drained afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from catalog_workload import Gateway, Target
from cpu_meter import QUIET_CORES, cpu_cores, cpu_snapshot, wait_for_quiet
from loadgen import RunResult, constant_rate, rotated
from ott.core.app_context import AppContext
from processes import Server

P95_TARGET_MS = 30.0
_REQUEST_TIMEOUT_S = 30.0


# --------------------------------------------------------------------------- CPU accounting


class Meter:
    """CPU of the server under test, of its PostgreSQL backends (found through
    pg_stat_activity, so a shared PostgreSQL's other databases are not counted), of this
    generator and of the whole machine, in cores."""

    def __init__(self, server: Server, resources: AppContext) -> None:
        self.server_pid = server.pid
        self.resources = resources

    async def _backends(self) -> list[int]:
        async with self.resources.engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                )
            )
            return [int(r[0]) for r in rows]

    async def _transactions(self) -> int:
        async with self.resources.engine.connect() as conn:
            await conn.execute(text("SELECT pg_stat_clear_snapshot()"))
            value = await conn.scalar(
                text(
                    "SELECT xact_commit + xact_rollback FROM pg_stat_database "
                    "WHERE datname = current_database()"
                )
            )
            return int(value or 0)

    async def snapshot(self) -> dict[str, Any]:
        backends = await self._backends()
        return {
            "transactions": await self._transactions(),
            "cpu": cpu_snapshot({"server": [self.server_pid], "db": backends}),
        }

    def usage(self, before: dict[str, Any], after: dict[str, Any]) -> dict[str, float]:
        cores = cpu_cores(before["cpu"], after["cpu"])
        return {
            # The meter's own three queries per snapshot are transactions too.
            "transactions": max(0, after["transactions"] - before["transactions"] - 3),
            "wall": cores.wall,
            "server": cores.groups["server"],
            "db": cores.groups["db"],
            "generator": cores.generator,
            "machine": cores.machine,
            "others": cores.others,
        }


# --------------------------------------------------------------------------- scenarios


@dataclass
class Scenario:
    name: str
    targets: list[Target]
    duration: float
    target: bool = True  # held to the p95 target


@dataclass
class Measured:
    config: str
    scenario: Scenario
    result: RunResult
    cpu: dict[str, float]
    rate: float = 0.0
    capacity: float = math.nan
    overloaded: bool = False
    duration: float = 0.0
    offset: int = 0  # the measured run's first request was targets[offset]
    warmup_errors: Counter[str] = field(default_factory=Counter)

    @property
    def failed(self) -> bool:
        """Errors (non-2xx answers, timeouts) from a server that was keeping up; those of an
        overloaded one are what the overload did."""
        return bool(self.result.errors or self.warmup_errors) and not self.overloaded

    @property
    def server_ms_per_request(self) -> float:
        answered = self.result.ok + self.result.errors
        if not answered:
            return math.nan
        return self.cpu["server"] * self.cpu["wall"] / answered * 1000

    @property
    def transactions_per_request(self) -> float:
        """PostgreSQL transactions of the benchmark's database per answered request, from
        pg_stat_database (flushed by backends about once a second, so approximate): 1 when
        every request reaches PostgreSQL, less when answers come from the cache."""
        answered = self.result.ok + self.result.errors
        return self.cpu["transactions"] / answered if answered else math.nan

    @property
    def p95_ms(self) -> float:
        return self.result.quantile(0.95) * 1000

    def by_label(self) -> dict[str, list[float]]:
        """Latencies per request class: request i was the (i mod n)-th target."""
        interval = 1.0 / self.result.target_rate
        targets = self.scenario.targets
        out: dict[str, list[float]] = {}
        for sent, latency in zip(self.result.sent_at, self.result.latencies, strict=True):
            label = targets[(self.offset + round(sent / interval)) % len(targets)].label
            out.setdefault(label, []).append(latency)
        return out

    def slowest(self, count: int = 5) -> list[tuple[float, str]]:
        interval = 1.0 / self.result.target_rate
        targets = self.scenario.targets
        pairs = sorted(zip(self.result.latencies, self.result.sent_at, strict=True), reverse=True)[
            :count
        ]
        return [
            (lat * 1000, targets[(self.offset + round(s / interval)) % len(targets)].path)
            for lat, s in pairs
        ]


async def capacity(
    gateway: Gateway, raws: Sequence[bytes], seconds: float, in_flight: int
) -> tuple[float, Counter[str], int]:
    """Closed loop: `in_flight` requests always outstanding for `seconds`; the answers per
    second are what the server can do at most (its capacity), whatever the offered rate."""
    pool = gateway.new_pool()
    errors: Counter[str] = Counter()
    ok = 0
    started = time.perf_counter()
    stop_at = started + seconds

    async def worker(first: int) -> None:
        nonlocal ok
        index = first
        while time.perf_counter() < stop_at:
            try:
                response = await pool.request(raws[index % len(raws)], timeout_s=_REQUEST_TIMEOUT_S)
            except Exception as exc:
                errors["timeout" if isinstance(exc, TimeoutError) else type(exc).__name__] += 1
            else:
                if 200 <= response.status < 300:
                    ok += 1
                else:
                    errors[str(response.status)] += 1
            index += in_flight

    try:
        await asyncio.gather(*(worker(i) for i in range(in_flight)))
    finally:
        pool.close()
    return ok / (time.perf_counter() - started), errors, ok + sum(errors.values())


async def drain(resources: AppContext, within: float = 120.0) -> float:
    """Wait until no query of the benchmark's database is running (twice in a row, 0.5 s
    apart), so an overloaded phase's backlog is not measured in the next one."""
    started = time.perf_counter()
    quiet = 0
    while quiet < 2 and time.perf_counter() - started < within:
        async with resources.engine.connect() as conn:
            active = await conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state <> 'idle' AND pid <> pg_backend_pid()"
                )
            )
        quiet = quiet + 1 if not active else 0
        await asyncio.sleep(0.5)
    return time.perf_counter() - started


def _fell_behind(run: RunResult, rate: float) -> bool:
    """Whether an open-loop run left a backlog: answers came slower than requests were sent,
    the typical request waited for a second, or in its last second it waited far longer than
    the target allows (a queue growing a little every second)."""
    answered = run.ok + run.errors
    timeline = run.timeline()
    last_p50 = timeline[-1]["p50_ms"] if timeline else 0.0
    return (
        answered / max(run.duration, 1e-9) < 0.95 * rate
        or run.quantile(0.5) > 1.0
        or last_p50 > 8 * P95_TARGET_MS
    )


async def measure(
    config: str,
    scenario: Scenario,
    *,
    gateway: Gateway,
    meter: Meter,
    args: argparse.Namespace,
    rate: float | None = None,
) -> Measured:
    rate = rate or args.rate
    if args.quiet_wait > 0:
        busy = await wait_for_quiet(args.quiet_wait)
        if busy >= QUIET_CORES:
            print(f"  (machine still busy: {busy:.2f} cores used before this phase)")
    raws = [gateway.raw(t.path) for t in scenario.targets]
    # Closed-loop probe first: bounded work even when the server is far too slow, and it warms
    # connections, statement caches and buffers.
    most, probe_errors, offset = await capacity(
        gateway, raws, args.capacity_seconds, args.in_flight
    )
    await drain(meter.resources)
    overloaded = most < 0.5 * rate
    warm = None
    pool = gateway.new_pool()
    try:
        if args.warmup > 0 and not overloaded:
            # Each run goes on where the previous one stopped in the cycle of requests.
            warm = await constant_rate(
                pool,
                rotated(raws, offset),
                rate=rate,
                duration=args.warmup,
                timeout_s=_REQUEST_TIMEOUT_S,
            )
            offset += warm.scheduled
            if _fell_behind(warm, rate):
                overloaded = True
                await drain(meter.resources)
        duration = (
            min(scenario.duration, args.overload_duration) if overloaded else scenario.duration
        )
        gc.collect()
        before = await meter.snapshot()
        # Overloaded, every request would wait for the backlog: give up on each sooner.
        timeout = args.overload_timeout if overloaded else _REQUEST_TIMEOUT_S
        result = await constant_rate(
            pool, rotated(raws, offset), rate=rate, duration=duration, timeout_s=timeout
        )
        after = await meter.snapshot()
    finally:
        pool.close()
    m = Measured(
        config,
        scenario,
        result,
        meter.usage(before, after),
        rate=rate,
        capacity=most,
        overloaded=overloaded,
        duration=duration,
        offset=offset % len(raws),
    )
    m.warmup_errors = probe_errors + (warm.statuses if warm is not None else Counter())
    s = result.summary()
    print(
        f"  {config} · {scenario.name} at {rate:g} req/s: capacity {most:.0f} req/s"
        f"{' (OVERLOADED: measured ' + format(duration, 'g') + ' s only)' if overloaded else ''}; "
        f"{s['throughput_rps']} req/s, p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, "
        f"p99 {s['p99_ms']} ms, max {s['max_ms']} ms, errors {s['errors'] or 0}; "
        f"CPU server {m.cpu['server']:.2f} ({m.server_ms_per_request:.1f} ms/request), "
        f"PostgreSQL {m.cpu['db']:.2f}, others {m.cpu['others']:.2f} cores",
        flush=True,
    )
    waited = await drain(meter.resources)
    if waited > 2:
        print(f"  (waited {waited:.0f} s for the server's backlog to drain)")
    return m
