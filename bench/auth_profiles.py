"""Benchmark: `GET /api/auth/profiles` through the gateway of `ott serve`, against a bare
Starlette "hello" app measured in the same run as the ceiling.

    .venv/bin/python bench/auth_profiles.py                  # defaults: 200 req/s, 30 s phases
    .venv/bin/python bench/auth_profiles.py --rate 200 --duration 30 --steps 100,200,400
    .venv/bin/python bench/auth_profiles.py --url http://127.0.0.1:3000   # an already running one

What it does:

1. starts `ott serve` on a free port with a fresh temporary --data-dir (embedded PostgreSQL and
   Redis: the default experience), unless --url is given;
2. starts bench/hello_app.py (uvicorn, uvloop + httptools, no access log) on a free port;
3. registers enough users that no one exceeds the gateway's rate limit (100 requests/min per
   user by default) over the whole run: setup, bcrypt-bound, not measured;
4. measures, open loop at a constant rate (see loadgen.py): (a) the hello app, (b) the profiles
   GET rotating over the users' tokens, (c) the same GET while waves of 20 concurrent logins run,
   and (d) optionally both endpoints at rising rates, to show where the gateway saturates;
5. prints a table, PASS/FAIL against the issue's targets, and stops both servers.

It exits non-zero only when something failed (setup, non-2xx answers, timeouts), not when a
target is missed. Anonymous calls (register, login) are rate-limited per client IP, so each is
sent from its own loopback source address (127.77.x.y) rather than loosening the gateway's
settings; with a non-loopback --url they all come from this machine's address.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import json
import math
import secrets
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import uvloop

from cpu_meter import (
    QUIET_CORES,
    CpuSnapshot,
    background_load,
    cpu_cores,
    cpu_snapshot,
    wait_for_quiet,
)
from loadgen import (
    ConnectionPool,
    Response,
    RunResult,
    constant_rate,
    one_shot,
    percentile,
    render_request,
    rotated,
)
from processes import (
    Server,
    free_port,
    ott_command,
    platform_env,
    print_failure,
    processes_mentioning,
    scratch_folder,
    start_process,
    stop_server,
    wait_healthy,
    with_descendants,
)
from report_format import RESULTS_DIR, error_counts, machine_description, ms, table_head

BENCH_DIR = Path(__file__).resolve().parent
PROFILES_PATH = "/api/auth/profiles"
RATE_LIMIT_PER_MINUTE = 100  # the gateway default this benchmark keeps
# Per user, the gateway's sliding-window estimate never exceeds the requests of the last two
# calendar minutes, so keeping every user under this many over any 120 s keeps them all admitted.
REQUESTS_PER_USER_PER_120S = 90
DISTURBED_CORES = 0.25  # a phase during which other processes used more is flagged
_REQUEST_TIMEOUT_S = 30.0


# --------------------------------------------------------------------------- CPU accounting


@dataclass
class CpuUsage:
    """CPU used during a phase, in cores (1.0 = one core busy the whole time)."""

    server: float | None
    stores: float | None
    hello: float | None
    generator: float
    machine: float
    others: float  # everything else on the machine: other tenants, the kernel's softirqs...

    def as_dict(self) -> dict[str, float | None]:
        return {k: (None if v is None else round(v, 3)) for k, v in self.__dict__.items()}


class CpuMeter:
    """Snapshots of the CPU time of the server under test, its stores, the hello app, this
    generator and the whole machine."""

    def __init__(self, server: Server | None, hello: Server, data_dir: Path | None) -> None:
        self.server_pid = server.pid if server else None
        self.hello_pid = hello.pid
        self.data_dir = data_dir

    def _store_pids(self) -> list[int]:
        """PostgreSQL and Redis of the data folder, and their children (PostgreSQL backends
        rewrite their command line, so they are found through their parent)."""
        if self.data_dir is None:
            return []
        roots = {p for p in processes_mentioning(str(self.data_dir)) if p != self.server_pid}
        return with_descendants(roots)

    def _snapshot(self) -> CpuSnapshot:
        return cpu_snapshot(
            {"server": [self.server_pid], "stores": self._store_pids(), "hello": [self.hello_pid]}
        )

    @contextlib.contextmanager
    def measure(self) -> Iterator[list[CpuUsage]]:
        out: list[CpuUsage] = []
        before = self._snapshot()
        yield out
        cores = cpu_cores(before, self._snapshot())
        out.append(
            CpuUsage(
                server=cores.groups["server"] if self.server_pid else None,
                stores=cores.groups["stores"] if self.data_dir else None,
                hello=cores.groups["hello"] if self.hello_pid else None,
                generator=cores.generator,
                machine=cores.machine,
                others=cores.others,
            )
        )


# --------------------------------------------------------------------------- the platform


class SourceAddresses:
    """Distinct loopback source addresses, one per anonymous call, so the per-IP rate limit of
    register and login never trips (the gateway's own settings stay untouched)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._counter = itertools.count()

    def next(self) -> str | None:
        if not self.enabled:
            return None
        n = next(self._counter) % (250 * 250)
        return f"127.77.{n // 250 + 1}.{n % 250 + 1}"


@dataclass(frozen=True)
class User:
    email: str
    password: str
    access_token: str


class Platform:
    """Talks to the gateway under test: JSON POSTs on connections of their own."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.authority = f"{self.host}:{self.port}"
        loopback = self.host == "localhost" or self.host.startswith("127.")
        self.sources = SourceAddresses(enabled=loopback)

    def post_json(self, path: str, payload: dict[str, str]) -> bytes:
        return render_request(
            "POST",
            path,
            self.authority,
            headers=[("Content-Type", "application/json")],
            body=json.dumps(payload).encode(),
        )

    async def call(self, raw: bytes) -> Response:
        return await one_shot(
            self.host, self.port, raw, local_host=self.sources.next(), timeout_s=_REQUEST_TIMEOUT_S
        )

    async def register(self, email: str, password: str) -> User:
        response = await self.call(
            self.post_json("/api/auth/register", {"email": email, "password": password})
        )
        if response.status != 201:
            raise RuntimeError(f"register {email}: HTTP {response.status} {response.body[:300]!r}")
        return User(email, password, json.loads(response.body)["access_token"])

    def profiles_request(self, token: str) -> bytes:
        return render_request(
            "GET", PROFILES_PATH, self.authority, headers=[("Authorization", f"Bearer {token}")]
        )


async def register_users(platform: Platform, count: int, concurrency: int) -> list[User]:
    run_id = secrets.token_hex(3)
    password = f"Bench-{secrets.token_urlsafe(9)}"
    semaphore = asyncio.Semaphore(concurrency)
    done = 0
    started = time.perf_counter()

    async def one(index: int) -> User:
        nonlocal done
        async with semaphore:
            user = await platform.register(f"loadtest-{run_id}-{index}@example.com", password)
        done += 1
        if done % 50 == 0 or done == count:
            rate = done / (time.perf_counter() - started)
            print(f"  registered {done}/{count} ({rate:.1f}/s)", flush=True)
        return user

    return list(await asyncio.gather(*(one(i) for i in range(count))))


# --------------------------------------------------------------------------- logins under load


@dataclass
class LoginStats:
    concurrency: int
    waves: int = 0
    latencies: list[float] = field(default_factory=list)
    wave_starts: list[float] = field(default_factory=list)  # time.perf_counter()
    wave_durations: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)

    @property
    def errors(self) -> int:
        return sum(self.statuses.values())

    def summary(self) -> dict[str, object]:
        ordered = sorted(self.latencies)
        waves = sorted(self.wave_durations)
        return {
            "concurrency": self.concurrency,
            "waves": self.waves,
            "logins_ok": len(ordered),
            "errors": dict(self.statuses),
            "login_p50_ms": round(percentile(ordered, 0.5) * 1000, 1),
            "login_p95_ms": round(percentile(ordered, 0.95) * 1000, 1),
            "login_max_ms": round((ordered[-1] if ordered else math.nan) * 1000, 1),
            "wave_mean_s": round(sum(waves) / len(waves), 2) if waves else math.nan,
            "wave_max_s": round(waves[-1], 2) if waves else math.nan,
        }


async def login_waves(
    platform: Platform, users: Sequence[User], concurrency: int, stop: asyncio.Event
) -> LoginStats:
    """Fire `concurrency` logins at once, wait for all of them, repeat until `stop`."""
    stats = LoginStats(concurrency)
    cycle = itertools.cycle(users)

    async def login(user: User) -> None:
        credentials = {"email": user.email, "password": user.password}
        raw = platform.post_json("/api/auth/login", credentials)
        started = time.perf_counter()
        try:
            response = await platform.call(raw)
        except Exception as exc:  # counted; the measurement goes on
            stats.statuses[type(exc).__name__] += 1
            return
        if response.status == 200:
            stats.latencies.append(time.perf_counter() - started)
        else:
            stats.statuses[str(response.status)] += 1

    while not stop.is_set():
        wave_started = time.perf_counter()
        stats.wave_starts.append(wave_started)
        await asyncio.gather(*(login(next(cycle)) for _ in range(concurrency)))
        stats.wave_durations.append(time.perf_counter() - wave_started)
        stats.waves += 1
    return stats


# --------------------------------------------------------------------------- the run


class Rotation:
    """Requests (one per user) taken in turn across all runs, so every user's share of the
    load stays even over the whole benchmark, not just within one phase."""

    def __init__(self, items: Sequence[bytes]) -> None:
        self.items = list(items)
        self.position = 0

    def take(self, count: int) -> list[bytes]:
        """The items rotated to start where the previous run stopped (`count` will be sent)."""
        start = self.position
        self.position += count
        return rotated(self.items, start)


@dataclass
class Phase:
    name: str
    target: str  # "hello" or "profiles"
    rate: float
    duration: float
    with_logins: bool = False
    retryable: bool = True  # measured again (--retries) when other processes disturbed it


@dataclass
class Measured:
    phase: Phase
    result: RunResult
    cpu: CpuUsage
    logins: LoginStats | None = None
    attempt: int = 1

    @property
    def disturbed(self) -> bool:
        """Whether something outside the benchmark competed for the CPU (known only when this
        script started the server, so that the server's own CPU is not counted as "other")."""
        return self.cpu.server is not None and self.cpu.others > DISTURBED_CORES


def plan(args: argparse.Namespace) -> list[Phase]:
    phases = [
        Phase("hello (ceiling)", "hello", args.rate, args.duration),
        Phase("profiles", "profiles", args.rate, args.duration),
    ]
    if args.logins > 0:
        name = f"profiles + {args.logins} logins"
        phases.append(Phase(name, "profiles", args.rate, args.duration, with_logins=True))
    for rate in args.steps:
        for target in ("hello", "profiles"):
            name = f"step {target} {rate:g}"
            phases.append(Phase(name, target, rate, args.step_duration, retryable=False))
    return phases


def users_needed(phases: Sequence[Phase], warmup: float, retries: int) -> int:
    """Enough users that, rotating over them, none sends more than REQUESTS_PER_USER_PER_120S
    profile GETs in any 120 s (every retry taken, phases back to back: an overestimate)."""
    segments: list[tuple[float, float]] = []  # (rate, seconds), in run order
    for phase in phases:
        rate = phase.rate if phase.target == "profiles" else 0.0
        repeats = 1 + (retries if phase.retryable else 0)
        segments.extend([(rate, warmup + phase.duration)] * repeats)
    edges = [0.0]
    for _, seconds in segments:
        edges.append(edges[-1] + seconds)

    def sent_before(t: float) -> float:
        total = 0.0
        for (rate, _), start, end in zip(segments, edges, edges[1:], strict=False):
            total += rate * max(0.0, min(t, end) - start)
        return total

    worst = max(sent_before(edge + 120.0) - sent_before(edge) for edge in edges)
    worst = max(worst, *(sent_before(edge) - sent_before(edge - 120.0) for edge in edges))
    return math.ceil(worst / REQUESTS_PER_USER_PER_120S)


async def run_phase(
    phase: Phase,
    *,
    pools: dict[str, ConnectionPool],
    requests: dict[str, Rotation],
    warmup: float,
    meter: CpuMeter,
    platform: Platform,
    users: Sequence[User],
    logins: int,
) -> Measured:
    pool, rotation = pools[phase.target], requests[phase.target]
    stop = asyncio.Event()
    login_task: asyncio.Task[LoginStats] | None = None
    if phase.with_logins:
        # Logins start before the warm-up, so the bcrypt pool is busy when measuring starts.
        login_task = asyncio.create_task(login_waves(platform, users, logins, stop))
    if warmup > 0:
        raws = rotation.take(int(phase.rate * warmup))
        await constant_rate(
            pool, raws, rate=phase.rate, duration=warmup, timeout_s=_REQUEST_TIMEOUT_S
        )
    gc.collect()
    raws = rotation.take(int(phase.rate * phase.duration))
    with meter.measure() as cpu:
        result = await constant_rate(
            pool, raws, rate=phase.rate, duration=phase.duration, timeout_s=_REQUEST_TIMEOUT_S
        )
    login_stats = None
    if login_task is not None:
        stop.set()
        login_stats = await login_task
    return Measured(phase, result, cpu[0], login_stats)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def render_table(measured: Sequence[Measured]) -> str:
    head = (
        "| scenario | target req/s | achieved req/s | ok | errors | p50 ms | p95 ms | p99 ms "
        "| max ms | server CPU | stores CPU | loadgen CPU | other CPU |"
    )
    lines = table_head(head)
    for m in measured:
        s = m.result.summary()
        server_cpu = m.cpu.hello if m.phase.target == "hello" else m.cpu.server
        stores_cpu = None if m.phase.target == "hello" else m.cpu.stores
        errors = error_counts(m.result.statuses)
        name = f"{m.phase.name} (*)" if m.disturbed else m.phase.name
        lines.append(
            f"| {name} | {m.phase.rate:g} | {s['throughput_rps']} | {s['ok']} | {errors} "
            f"| {ms(s['p50_ms'])} | {ms(s['p95_ms'])} | {ms(s['p99_ms'])} | {ms(s['max_ms'])} "
            f"| {_pct(server_cpu)} | {_pct(stores_cpu)} | {_pct(m.cpu.generator)} "
            f"| {_pct(m.cpu.others)} |"
        )
    if any(m.disturbed for m in measured):
        lines.append(
            f"\n(*) other processes used more than {DISTURBED_CORES:.0%} of a core during "
            "this phase: its latencies include waiting for the CPU; rerun on a quiet machine."
        )
    return "\n".join(lines)


def verdicts(
    measured: Sequence[Measured], rate: float, p95_ms: float, p95_logins_ms: float
) -> list[tuple[str, bool, str]]:
    out: list[tuple[str, bool, str]] = []
    for m in measured:
        if m.phase.target != "profiles" or m.phase.rate != rate or m.phase.name.startswith("step"):
            continue
        limit = p95_logins_ms if m.phase.with_logins else p95_ms
        p95 = m.result.quantile(0.95) * 1000
        kept_up = m.result.throughput >= 0.98 * rate and m.result.errors == 0
        label = f"p95 of GET {PROFILES_PATH} < {limit:g} ms at {rate:g} req/s" + (
            f" during {m.logins.concurrency} concurrent logins" if m.logins else ""
        )
        detail = f"p95 {p95:.1f} ms, {m.result.throughput:.1f} req/s, {m.result.errors} errors"
        if m.disturbed:
            detail += f"; disturbed: other processes used {m.cpu.others:.2f} cores"
        out.append((label, p95 < limit and kept_up, detail))
    return out


async def run(args: argparse.Namespace) -> int:
    with scratch_folder("ott-bench-", keep=args.keep_data) as scratch:
        return await run_in(scratch, args)


async def run_in(scratch: Path, args: argparse.Namespace) -> int:
    phases = plan(args)
    n_users = max(args.users or 0, users_needed(phases, args.warmup, args.retries))
    started_at = datetime.now(UTC)
    failures: list[str] = []
    data_dir: Path | None = None
    gateway: Server | None = None
    hello: Server | None = None
    try:
        print(f"machine: {machine_description()}", flush=True)
        idle_load = background_load()
        print(f"CPU busy before starting anything: {idle_load:.2f} cores", flush=True)
        env = platform_env()
        if args.url:
            gateway_url = args.url.rstrip("/")
        else:
            data_dir = scratch / "data"
            port = free_port()
            gateway_url = f"http://127.0.0.1:{port}"
            command = [
                *ott_command(),
                "serve",
                "--no-demo",  # no demo videos transcoded in the background during the run
                "--port",
                str(port),
                "--data-dir",
                str(data_dir),
            ]
            # cwd = the scratch folder, so a developer's .env does not change the settings.
            gateway = start_process("ott-serve", command, gateway_url, scratch, env)
        hello_port = free_port()
        hello = start_process(
            "hello",
            [sys.executable, str(BENCH_DIR / "hello_app.py"), "--port", str(hello_port)],
            f"http://127.0.0.1:{hello_port}",
            scratch,
            env,
        )
        t0 = time.perf_counter()
        await wait_healthy(hello)
        await wait_healthy(gateway or Server("gateway", gateway_url))
        print(f"gateway {gateway_url} and hello {hello.url} up in {time.perf_counter() - t0:.1f} s")

        platform_ = Platform(gateway_url)
        if not platform_.sources.enabled:
            print("warning: non-loopback --url: register/login share one client IP (rate limit)")
        print(f"registering {n_users} users (bcrypt cost 12 each; setup, not measured)…")
        t0 = time.perf_counter()
        users = await register_users(platform_, n_users, args.register_concurrency)
        setup_s = time.perf_counter() - t0
        print(f"  done in {setup_s:.1f} s", flush=True)

        check = await platform_.call(platform_.profiles_request(users[0].access_token))
        if check.status != 200 or not isinstance(json.loads(check.body), list):
            raise RuntimeError(f"profiles sanity check: HTTP {check.status} {check.body[:300]!r}")

        hello_parts = urlsplit(hello.url)
        hello_host = f"{hello_parts.hostname}:{hello_parts.port}"
        requests = {
            "hello": Rotation([render_request("GET", "/hello", hello_host)]),
            "profiles": Rotation([platform_.profiles_request(u.access_token) for u in users]),
        }
        pools = {
            "hello": ConnectionPool(hello_parts.hostname or "127.0.0.1", hello_parts.port or 80),
            "profiles": ConnectionPool(platform_.host, platform_.port),
        }
        meter = CpuMeter(gateway, hello, data_dir)
        gc.collect()
        gc.freeze()  # what setup allocated is never collected again: shorter GC pauses
        measured: list[Measured] = []
        quiet_budget = args.quiet_budget
        for phase in phases:
            attempts = 1 + (args.retries if phase.retryable else 0)
            best: Measured | None = None
            for attempt in range(1, attempts + 1):
                if quiet_budget > 0:
                    waited = time.monotonic()
                    busy = await wait_for_quiet(min(quiet_budget, args.quiet_wait))
                    quiet_budget -= time.monotonic() - waited
                    if busy >= QUIET_CORES:
                        print(f"  (machine busy: other processes use {busy:.2f} cores)")
                print(f"measuring {phase.name}: {phase.rate:g} req/s for {phase.duration:g} s…")
                m = await run_phase(
                    phase,
                    pools=pools,
                    requests=requests,
                    warmup=args.warmup,
                    meter=meter,
                    platform=platform_,
                    users=users,
                    logins=args.logins,
                )
                m.attempt = attempt
                s = m.result.summary()
                print(
                    f"  {s['throughput_rps']} req/s, p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, "
                    f"p99 {s['p99_ms']} ms, errors {s['errors'] or 0}; other processes used "
                    f"{m.cpu.others:.2f} cores",
                    flush=True,
                )
                if m.result.errors:
                    failures.append(f"{phase.name}: {dict(m.result.statuses)}")
                if m.logins and m.logins.errors:
                    failures.append(f"{phase.name} logins: {dict(m.logins.statuses)}")
                if best is None or m.cpu.others < best.cpu.others:
                    best = m
                await asyncio.sleep(args.pause)
                if not m.disturbed:
                    break
                if attempt < attempts:
                    print("  disturbed by other processes: measuring it again")
            assert best is not None
            measured.append(best)
        for pool in pools.values():
            pool.close()

        print()
        print(render_table(measured))
        for m in measured:
            if m.logins:
                ls = m.logins.summary()
                print(
                    f"\nlogins during '{m.phase.name}': {ls['waves']} waves of "
                    f"{ls['concurrency']} concurrent logins, {ls['logins_ok']} ok, errors "
                    f"{ls['errors'] or 0}; each login p50 {ls['login_p50_ms']} ms, p95 "
                    f"{ls['login_p95_ms']} ms, max {ls['login_max_ms']} ms; a wave took "
                    f"{ls['wave_mean_s']} s on average (max {ls['wave_max_s']} s)"
                )
        print()
        checks = verdicts(measured, args.rate, args.p95_target_ms, args.p95_logins_target_ms)
        for label, ok, detail in checks:
            print(f"{'PASS' if ok else 'FAIL'}  {label}  ({detail})")
        if failures:
            print("\nERRORS:\n  " + "\n  ".join(failures))

        report = {
            "started_at": started_at.isoformat(timespec="seconds"),
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "machine": machine_description(),
            "cpu_busy_before_start_cores": round(idle_load, 2),
            "gateway": gateway_url if args.url else "ott serve (embedded stores, fresh data dir)",
            "users": n_users,
            "registration_s": round(setup_s, 1),
            "warmup_s": args.warmup,
            "phases": [
                {
                    "name": m.phase.name,
                    **m.result.summary(),
                    "cpu_cores": m.cpu.as_dict(),
                    "disturbed": m.disturbed,
                    "attempt": m.attempt,
                    **({"logins": m.logins.summary()} if m.logins else {}),
                    **(
                        {
                            "login_wave_starts_s": [
                                round(t - m.result.started_at, 2) for t in m.logins.wave_starts
                            ]
                        }
                        if m.logins
                        else {}
                    ),
                    "timeline_1s": m.result.timeline(),
                }
                for m in measured
            ],
            "targets": [{"check": c, "pass": ok, "detail": d} for c, ok, d in checks],
        }
        if args.json_out:
            out = Path(args.json_out)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(report, indent=2, default=str))  # noqa: ASYNC240 - once
            print(f"\nresults written to {out}")
    except Exception as exc:
        failures.append(f"setup: {exc}")
        print_failure(str(exc), gateway)
    finally:
        for server, folder in ((hello, None), (gateway, data_dir)):
            if server is not None:
                leftovers = stop_server(server, folder)
                if leftovers:
                    print(f"note: stopped {len(leftovers)} leftover store process(es) of {folder}")
    return 1 if failures else 0


def _rates(text: str) -> list[float]:
    return [float(part) for part in text.split(",") if part.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(
        description="GET /api/auth/profiles through `ott serve`, with a bare Starlette ceiling.",
    )
    parser.add_argument("--rate", type=float, default=200.0, help="target requests per second")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per main phase")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds per phase")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between phases")
    parser.add_argument(
        "--steps", type=_rates, default=_rates("100,200,400"), help="step-up rates; '' to skip"
    )
    parser.add_argument("--step-duration", type=float, default=10.0, help="seconds per step")
    parser.add_argument(
        "--logins", type=int, default=20, help="concurrent logins per wave; 0 to skip"
    )
    parser.add_argument(
        "--users",
        type=int,
        help="register at least this many users [default: just enough for the rate limit]",
    )
    parser.add_argument("--register-concurrency", type=int, default=16)
    parser.add_argument("--url", help="measure this gateway instead of starting `ott serve`")
    parser.add_argument("--p95-target-ms", type=float, default=20.0)
    parser.add_argument("--p95-logins-target-ms", type=float, default=50.0)
    parser.add_argument(
        "--json-out",
        default=str(RESULTS_DIR / f"auth_profiles-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"),
        help="where to write the figures as JSON ('' for nowhere)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=30.0,
        help="before each phase, wait up to this many seconds for the machine to be idle",
    )
    parser.add_argument(
        "--quiet-budget",
        type=float,
        default=60.0,
        help="at most this many seconds of such waiting in the whole run",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=1,
        help="measure a main phase again (up to this many times) if other processes disturbed "
        "it; the least disturbed attempt is reported",
    )
    parser.add_argument("--keep-data", action="store_true", help="keep the temporary data dir")
    args = parser.parse_args()
    raise SystemExit(uvloop.run(run(args)))


if __name__ == "__main__":
    main()
