"""What bench/billing.py and bench/ads.py share: `ott serve` on fresh stores with the settings a
run needs, the bare hello app beside it (the ceiling every run measures), viewers signed up
through the gateway, and one measured phase (warm-up, open-loop run, the CPU it took).

The gateway's rate limit is raised (as bench/catalog.py does): these runs send thousands of
requests a minute for a few hundred accounts, and what is measured is the service behind the
limiter, which still runs its checks on every request. BCRYPT_ROUNDS=4: sign-ups are set-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import json
import secrets
import sys
import time
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import text

from auth_profiles import SourceAddresses
from catalog_stores import (
    RATE_LIMIT,
    Stores,
    close_stores,
    local_postgres_answers,
    open_resources,
    open_stores,
)
from cpu_meter import cpu_cores, cpu_snapshot
from loadgen import ConnectionPool, Response, RunResult, constant_rate, one_shot, render_request
from ott.core.app_context import AppContext
from processes import (
    Server,
    free_port,
    ott_command,
    processes_mentioning,
    scratch_folder,
    start_process,
    stop_server,
    wait_healthy,
    with_descendants,
)

BENCH_DIR = Path(__file__).resolve().parent
TIMEOUT_S = 30.0


@dataclass
class Endpoint:
    """Where to send requests: host, port and the Host header."""

    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> Endpoint:
        parts = urlsplit(url)
        return cls(parts.hostname or "127.0.0.1", parts.port or 80)

    @property
    def authority(self) -> str:
        return f"{self.host}:{self.port}"

    def pool(self, max_connections: int = 256) -> ConnectionPool:
        return ConnectionPool(self.host, self.port, max_connections=max_connections)


@dataclass
class Platform:
    """A running `ott serve` and the hello app, the stores under them and the benchmark's own
    connections to those stores (for set-up and for checking what the services wrote)."""

    stores: Stores
    resources: AppContext
    scratch: Path
    server: Server
    hello: Server
    media_secret: str
    sources: SourceAddresses = field(default_factory=lambda: SourceAddresses(enabled=True))

    @property
    def api(self) -> Endpoint:
        return Endpoint.of(self.server.url)

    @property
    def hello_endpoint(self) -> Endpoint:
        return Endpoint.of(self.hello.url)

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        headers: Sequence[tuple[str, str]] = (),
        raw_body: bytes | None = None,
    ) -> Response:
        """One request on a connection of its own (set-up calls, not measured)."""
        api = self.api
        sent = list(headers)
        if token is not None:
            sent.append(("Authorization", f"Bearer {token}"))
        data = raw_body if raw_body is not None else b""
        if body is not None:
            sent.append(("Content-Type", "application/json"))
            data = json.dumps(body).encode()
        raw = render_request(method, path, api.authority, headers=sent, body=data)
        return await one_shot(
            api.host, api.port, raw, local_host=self.sources.next(), timeout_s=TIMEOUT_S
        )

    async def call_json(self, method: str, path: str, *, expect: int = 200, **kwargs: Any) -> Any:
        response = await self.call(method, path, **kwargs)
        if response.status != expect:
            raise RuntimeError(
                f"{method} {path}: HTTP {response.status} (expected {expect}) "
                f"{response.body[:400]!r}"
            )
        return json.loads(response.body) if response.body else None


@contextlib.asynccontextmanager
async def running_platform(
    prefix: str,
    env: Mapping[str, str],
    *,
    stores_kind: str = "auto",
    keep: bool = False,
    workers: int = 1,
) -> AsyncIterator[Platform]:
    """Fresh stores, migrated; `ott serve --no-demo` on them with `env` added to its settings
    (`--workers N` when N > 1: that many all-in-one processes on one port), and the hello app;
    everything stopped and dropped afterwards."""
    kind = stores_kind
    if kind == "auto":
        kind = "local" if local_postgres_answers() else "embedded"
    with scratch_folder(prefix, keep=keep) as scratch:
        stores = await open_stores(kind, scratch, secrets.token_hex(4))
        resources: AppContext | None = None
        server: Server | None = None
        hello: Server | None = None
        try:
            resources, version = await open_resources(stores)
            print(f"stores: {kind} (PostgreSQL {version}); scratch {scratch}", flush=True)
            jwt_secret = secrets.token_urlsafe(48)
            media_secret = hashlib.sha256(f"media:{jwt_secret}".encode()).hexdigest()
            server_env = stores.server_env()
            server_env.update(
                {
                    "OTT_ENV": "production",
                    "JWT_SECRET": jwt_secret,
                    "MEDIA_SIGNING_SECRET": media_secret,
                    "RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT),
                    "BCRYPT_ROUNDS": "4",
                    "LOG_LEVEL": "WARNING",
                    **env,
                }
            )
            port = free_port()
            command = [
                *ott_command(),
                "serve",
                "--no-demo",
                "--port",
                str(port),
                "--data-dir",
                str(stores.data_dir),
                *(["--workers", str(workers)] if workers > 1 else []),
            ]
            # cwd = the scratch folder, so a developer's .env does not change the settings.
            server = start_process(
                "ott-serve", command, f"http://127.0.0.1:{port}", scratch, server_env
            )
            hello_port = free_port()
            hello = start_process(
                "hello",
                [sys.executable, str(BENCH_DIR / "hello_app.py"), "--port", str(hello_port)],
                f"http://127.0.0.1:{hello_port}",
                scratch,
                stores.server_env(),
            )
            started = time.perf_counter()
            await wait_healthy(server)
            await wait_healthy(hello)
            print(
                f"ott serve up on {server.url}, hello on {hello.url} "
                f"({time.perf_counter() - started:.1f} s)",
                flush=True,
            )
            yield Platform(stores, resources, scratch, server, hello, media_secret)
        finally:
            for running in (hello, server):
                if running is not None:
                    stop_server(running, None)
            if resources is not None:
                with contextlib.suppress(Exception):
                    await resources.close()
            for problem in await close_stores(stores):
                print(f"clean-up: {problem}", file=sys.stderr)


# --------------------------------------------------------------------------- viewers


@dataclass(frozen=True)
class Viewer:
    email: str
    user_id: uuid.UUID
    profile_id: uuid.UUID
    access_token: str


async def sign_up(platform: Platform, count: int, *, concurrency: int = 16) -> list[Viewer]:
    """`count` accounts registered through the gateway, each watching as its default profile
    (the one registration selects)."""
    run = secrets.token_hex(3)
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int) -> Viewer:
        email = f"bench-{run}-{index}@example.com"
        async with gate:
            answer = await platform.call_json(
                "POST",
                "/api/auth/register",
                expect=201,
                body={"email": email, "password": f"Bench-{run}-Password"},
            )
        return Viewer(
            email,
            uuid.UUID(answer["user"]["id"]),
            uuid.UUID(answer["profile_id"]),
            answer["access_token"],
        )

    started = time.perf_counter()
    viewers = list(await asyncio.gather(*(one(i) for i in range(count))))
    print(f"  {count} viewers signed up in {time.perf_counter() - started:.1f} s", flush=True)
    return viewers


# --------------------------------------------------------------------------- measuring


@dataclass
class Phase:
    """One measured run: its figures and the CPU (in cores) the server, the hello app, this
    generator and everything else used meanwhile."""

    name: str
    result: RunResult
    cpu: dict[str, float]
    target_ms: float | None = None

    @property
    def passed(self) -> bool | None:
        if self.target_ms is None:
            return None
        return self.result.quantile(0.95) * 1000 < self.target_ms and not self.result.errors

    def line(self) -> str:
        s = self.result.summary()
        verdict = ""
        if self.target_ms is not None:
            verdict = f"  {'PASS' if self.passed else 'FAIL'} (p95 < {self.target_ms:g} ms)"
        return (
            f"{self.name:<34} {s['ok']:>6}/{s['scheduled']:<6} {s['throughput_rps']:>7} req/s  "
            f"p50 {s['p50_ms']:>6} ms  p95 {s['p95_ms']:>6} ms  p99 {s['p99_ms']:>6} ms  "
            f"max {s['max_ms']:>7} ms  errors {s['errors'] or 'none'}  "
            f"CPU server {self.cpu['server']:.2f} postgres {self.cpu['postgres']:.2f} "
            f"hello {self.cpu['hello']:.2f} "
            f"loadgen {self.cpu['generator']:.2f} other {self.cpu['others']:.2f}{verdict}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            **self.result.summary(),
            "target_p95_ms": self.target_ms,
            "pass": self.passed,
            "cpu_cores": {k: round(v, 3) for k, v in self.cpu.items()},
            "timeline_1s": self.result.timeline(),
        }


class CpuWatch:
    """CPU of the server (one process unless --workers), the hello app and the run's
    PostgreSQL backends (those connected to its database; embedded: every process of the data
    folder). Redis is left in "other": the local one is shared with other tenants."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.groups = {"server": [platform.server.pid], "hello": [platform.hello.pid]}

    async def _store_pids(self) -> list[int]:
        stores = self.platform.stores
        if stores.kind == "embedded":
            roots = set(processes_mentioning(str(stores.data_dir))) - {self.platform.server.pid}
            return with_descendants({p for p in roots if p})
        async with self.platform.resources.engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                )
            )
            return [int(row.pid) for row in rows]

    @contextlib.asynccontextmanager
    async def measure(self) -> AsyncIterator[dict[str, float]]:
        out: dict[str, float] = {}
        # The server's worker processes (`--workers`) are children of the one started.
        server = with_descendants(set(self.groups["server"]))
        groups = {**self.groups, "server": server, "postgres": await self._store_pids()}
        before = cpu_snapshot(groups)
        yield out
        cores = cpu_cores(before, cpu_snapshot(groups))
        out.update(
            server=cores.groups["server"],
            hello=cores.groups["hello"],
            postgres=cores.groups["postgres"],
            generator=cores.generator,
            others=cores.others,
        )


async def measure(
    name: str,
    pool: ConnectionPool,
    requests: Sequence[bytes],
    *,
    rate: float,
    duration: float,
    warmup: float,
    cpu: CpuWatch,
    target_ms: float | None = None,
    warmup_requests: Sequence[bytes] | None = None,
) -> Phase:
    """Warm-up (unmeasured), then `requests` cycled open loop at `rate` for `duration` s."""
    if warmup > 0:
        await constant_rate(
            pool, warmup_requests or requests, rate=rate, duration=warmup, timeout_s=TIMEOUT_S
        )
    gc.collect()
    async with cpu.measure() as used:
        result = await constant_rate(
            pool, requests, rate=rate, duration=duration, timeout_s=TIMEOUT_S
        )
    phase = Phase(name, result, used, target_ms)
    print(phase.line(), flush=True)
    return phase
