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

This file is the command line and the order of the run; the steps' work is in catalog_stores.py
(stores and server), catalog_load.py (the catalog), catalog_workload.py (the requests),
catalog_measure.py (one scenario), catalog_plans.py (EXPLAIN) and catalog_report.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import secrets
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from random import Random
from urllib.parse import parse_qs, urlsplit

import uvloop

from catalog_load import anonymous_viewer, load_catalog, visible_titles
from catalog_measure import Measured, Meter, Scenario, measure
from catalog_plans import PlanCase, collect_plans
from catalog_report import Findings, publish
from catalog_stores import (
    ServerConfig,
    Stores,
    close_stores,
    local_postgres_answers,
    open_resources,
    open_stores,
    server_configs,
    serving,
)
from catalog_workload import (
    SORTS,
    Gateway,
    RequestMix,
    Target,
    add_cursor_pages,
    count_search_hits,
    request_mix,
    walk_cursor,
)
from ott.core.app_context import AppContext
from processes import print_failure, scratch_folder
from report_format import RESULTS_DIR, machine_description

DEEP_PAGE = 1000


# --------------------------------------------------------------------------- the run


async def run(args: argparse.Namespace) -> int:
    started_at = datetime.now(UTC)
    rng = Random(args.seed)
    kind = args.stores
    if kind == "auto":
        kind = "local" if local_postgres_answers() else "embedded"
    failures: list[str] = []
    with scratch_folder("ott-bench-catalog-", keep=args.keep_scratch) as scratch:
        stores: Stores | None = None
        resources: AppContext | None = None
        try:
            machine = machine_description()
            print(f"machine: {machine}", flush=True)
            print(f"stores: {kind}; scratch {scratch}", flush=True)
            stores = await open_stores(kind, scratch, secrets.token_hex(4))
            resources, server_version = await open_resources(stores)
            loaded = await load_catalog(resources, args.titles)
            mix = await make_requests(resources, rng, args)
            measured = await measure_servers(args, stores, resources, scratch, mix, rng, failures)
            cases = await explain_plans(args, stores, resources, mix)
            found = Findings(
                started_at, machine, stores, server_version, loaded, mix, measured, cases, failures
            )
            publish(Path(args.markdown_out), args, found)
        except Exception as exc:
            failures.append(f"set-up: {exc!r}")
            print_failure(repr(exc))
        finally:
            await close(stores, resources)
    if failures:
        print("\nERRORS:\n  " + "\n  ".join(failures), file=sys.stderr)
    return 1 if failures else 0


async def make_requests(resources: AppContext, rng: Random, args: argparse.Namespace) -> RequestMix:
    """The requests of every scenario, made of what the viewer may see in the catalog."""
    visible, genres = await visible_titles(resources)
    return request_mix(
        rng,
        visible,
        genres,
        detail_ids=args.detail_ids,
        search_queries=args.search_queries,
        listing_urls=args.listing_urls,
    )


async def measure_servers(
    args: argparse.Namespace,
    stores: Stores,
    resources: AppContext,
    scratch: Path,
    mix: RequestMix,
    rng: Random,
    failures: list[str],
) -> list[Measured]:
    """Each server configuration in turn: `ott serve` started, its scenarios measured, stopped.
    The first (no cache) also runs the set-up pass and the cursor pages."""
    secret = secrets.token_urlsafe(48)
    measured: list[Measured] = []
    for index, config in enumerate(server_configs(args.info_log)):
        first = index == 0
        async with serving(config, stores, scratch, secret, args.env) as server:
            parts = urlsplit(server.url)
            gateway = Gateway(parts.hostname or "127.0.0.1", parts.port or 80)
            with contextlib.closing(gateway):
                meter = Meter(server, resources)
                if first:
                    await setup_pass(gateway, mix, rng, args)
                scenarios = plan_scenarios(config, mix, args, cursor_pages=first)
                gc.collect()
                gc.freeze()
                runs = await measure_all(config, scenarios, gateway, meter, args, failures)
                measured += runs
                if first:
                    measured += await cursor_pages_again(
                        config, runs, gateway, meter, args, failures
                    )
    return measured


async def setup_pass(
    gateway: Gateway, mix: RequestMix, rng: Random, args: argparse.Namespace
) -> None:
    """Through the first server, one request at a time (set-up, not measured): every listing URL
    once, adding later pages reached by next_cursor; a few search queries of each kind; a walk
    of next_cursor to --deep-page for each sort. Their timings are the unloaded latency."""
    print("checking the listing URLs once and following cursors (set-up)…")
    t0 = time.perf_counter()
    mix.listing, mix.setup_stats = await add_cursor_pages(
        gateway, mix.listing_firsts, rng, args.cursor_share
    )
    rng.shuffle(mix.listing)
    mix.search_hits = await count_search_hits(gateway, mix.search, args.search_check)
    print(
        f"  {mix.setup_stats['first_pages']} first pages ({mix.setup_stats['empty']} "
        f"empty), {mix.setup_stats['cursor_pages']} cursor pages, "
        f"{sum(n for n, _ in mix.search_hits.values())} of the {len(mix.search)} "
        f"queries in {time.perf_counter() - t0:.1f} s"
    )
    mix.setup_timings.update(gateway.timings)
    print(f"walking next_cursor to page {args.deep_page:,} for each sort…")
    done = await asyncio.gather(*(walk_cursor(gateway, sort, args.deep_page) for sort in SORTS))
    mix.walks = {w.sort: w for w in done}
    for w in done:
        print(
            f"  {w.sort}: page {w.deep_page:,} reached in {w.seconds:.1f} s, "
            f"{w.distinct_ids:,} distinct titles"
        )


def plan_scenarios(
    config: ServerConfig, mix: RequestMix, args: argparse.Namespace, *, cursor_pages: bool
) -> list[Scenario]:
    """What is measured on a server: listing, detail and search; the hot listing where the
    cache is on (alone with the INFO log); page 1 against page N of each cursor walk."""
    scenarios = [
        Scenario("listing with filters", mix.listing, args.duration),
        Scenario("detail", mix.detail, args.duration),
        Scenario("search", mix.search, args.duration),
    ]
    hot = Scenario(f"listing, {len(mix.hot)} hot URLs", mix.hot, args.duration, False)
    if config.cache_seconds > 0:
        scenarios.append(hot)  # every answer from the cache: the cheapest path
    if config.log_level == "INFO":
        scenarios = [hot]
    if cursor_pages:
        for sort in SORTS:
            walk = mix.walks[sort]
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
    return scenarios


async def measure_all(
    config: ServerConfig,
    scenarios: list[Scenario],
    gateway: Gateway,
    meter: Meter,
    args: argparse.Namespace,
    failures: list[str],
) -> list[Measured]:
    runs = []
    for scenario in scenarios:
        m = await measure(config.name, scenario, gateway=gateway, meter=meter, args=args)
        runs.append(m)
        if m.failed:
            failures.append(
                f"{config.name} · {scenario.name}: {dict(m.result.statuses)} "
                f"(capacity probe and warm-up: {dict(m.warmup_errors)})"
            )
    return runs


async def cursor_pages_again(
    config: ServerConfig,
    runs: list[Measured],
    gateway: Gateway,
    meter: Meter,
    args: argparse.Namespace,
    failures: list[str],
) -> list[Measured]:
    """At a rate the server cannot keep up with, both cursor pages measure the queue: compare
    them again where it can, at half the smallest capacity seen."""
    cursor_runs = [m for m in runs if m.scenario.name.startswith("cursor ")]
    if not any(m.overloaded for m in cursor_runs):
        return []
    slower = max(10, int(min(m.capacity for m in cursor_runs) * 0.5 // 10 * 10))
    print(f"cursor pages overloaded at {args.rate:g} req/s; again at {slower}")
    again = []
    for m in cursor_runs:
        m2 = await measure(
            config.name, m.scenario, gateway=gateway, meter=meter, args=args, rate=slower
        )
        again.append(m2)
        if m2.failed:
            failures.append(
                f"{config.name} · {m.scenario.name} at {slower} req/s: {dict(m2.result.statuses)}"
            )
    return again


async def explain_plans(
    args: argparse.Namespace, stores: Stores, resources: AppContext, mix: RequestMix
) -> list[PlanCase]:
    """EXPLAIN the service's own SQL for what was measured: the deep cursor pages, a series'
    detail, the slowest listing of the set-up pass, and the --plan-* queries."""
    print("explaining the service's own SQL…", flush=True)
    deep_cursors = {
        sort: (parse_qs(urlsplit(w.deep_path).query)["cursor"][0], w.deep_page)
        for sort, w in mix.walks.items()
        if w.deep_page > 1
    }
    rows = mix.detail_rows
    series = next((r.id for r in rows if r.type.value == "tv_show"), rows[0].id)
    timings = mix.setup_timings
    slowest = max(
        (t for t in mix.listing if "cursor" not in t.label and t.path in timings),
        key=lambda t: timings[t.path],
        default=None,
    )
    slowest_params = (
        {k: v[0] for k, v in parse_qs(urlsplit(slowest.path).query).items()} if slowest else None
    )
    return await collect_plans(
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


async def close(stores: Stores | None, resources: AppContext | None) -> None:
    """Everything the run opened, whatever happened: connections, database, Redis keys."""
    if resources is not None:
        with contextlib.suppress(Exception):
            await resources.close()
    if stores is not None:
        for problem in await close_stores(stores):
            print(f"clean-up: {problem}", file=sys.stderr)


# --------------------------------------------------------------------------- command line


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
    parser.add_argument("--markdown-out", default=str(RESULTS_DIR / "catalog.md"))
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
