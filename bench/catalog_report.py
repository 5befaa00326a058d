"""The report of bench/catalog.py: its figures as Markdown (printed, and written to
`--markdown-out`) and as raw JSON beside it, written first so a fault in the report cannot lose
a run.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from catalog_load import Loaded
from catalog_measure import P95_TARGET_MS, Measured
from catalog_plans import Explained, PlanCase, generic_chosen
from catalog_stores import RATE_LIMIT, Stores
from catalog_workload import RequestMix, Target, Walk
from loadgen import percentile
from report_format import error_counts, ms, table_head


def latency_table(measured: Sequence[Measured]) -> list[str]:
    head = (
        "| server | scenario | URLs | capacity req/s | target req/s | s | achieved req/s | ok "
        "| errors | p50 ms | p95 ms | p99 ms | max ms | server CPU | server CPU ms/req "
        "| PostgreSQL CPU | PG xact/req | other CPU | p95 < 30 ms |"
    )
    lines = table_head(head)
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
            f"| {s['ok']} | {error_counts(m.result.statuses)} "
            f"| {ms(s['p50_ms'])} | {ms(s['p95_ms'])} | {ms(s['p99_ms'])} | {ms(s['max_ms'])} "
            f"| {m.cpu['server']:.2f} | {ms(m.server_ms_per_request)} | {m.cpu['db']:.2f} "
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
    lines = table_head(head)
    for sort, first, deep in depth_pairs(measured, walks):
        p1, pn = first.p95_ms, deep.p95_ms
        ok = pn <= max(p1 * 1.2, p1 + 2.0)
        verdict = "PASS" if ok else "FAIL"
        if first.overloaded or deep.overloaded:
            verdict = f"({verdict}: overloaded, the queue decides)"
        lines.append(
            f"| {first.config} | {sort} | {first.rate:g} "
            f"| {ms(first.result.quantile(0.5) * 1000)} | {ms(p1)} "
            f"| {walks[sort].deep_page:,} | {ms(deep.result.quantile(0.5) * 1000)} | {ms(pn)} "
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
        lines.append(f"| {label} | {n} | {ms(p50)} | {ms(p95)} |")
    return lines


def _stats_row(name: str, seconds: Sequence[float]) -> str:
    ordered = sorted(seconds)
    return (
        f"| {name} | {len(ordered)} | {ms(percentile(ordered, 0.5) * 1000)} "
        f"| {ms(percentile(ordered, 0.95) * 1000)} "
        f"| {ms(ordered[-1] * 1000 if ordered else math.nan)} |"
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
    lines = table_head(head)
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


def search_targets_of(measured: Sequence[Measured]) -> list[Target]:
    return next((m.scenario.targets for m in measured if m.scenario.name == "search"), [])


@dataclass
class Findings:
    """Everything a run found, as the report tells it."""

    started_at: datetime
    machine: dict[str, str]
    stores: Stores
    server_version: str
    loaded: Loaded
    mix: RequestMix
    measured: Sequence[Measured]
    cases: Sequence[PlanCase]
    failures: Sequence[str]


def render_report(args: argparse.Namespace, found: Findings) -> str:
    loaded, stores, machine, mix = found.loaded, found.stores, found.machine, found.mix
    measured, walks, setup_stats = found.measured, mix.walks, mix.setup_stats
    server_version, cases, failures = found.server_version, found.cases, found.failures
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
        f"- date: {found.started_at:%Y-%m-%d %H:%M} UTC; command: `{command}`",
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
        "results: "
        + ", ".join(f"{kind} {hits}/{n}" for kind, (n, hits) in mix.search_hits.items()),
        "",
    ]
    lines += [
        "### One request at a time (set-up pass through the gateway, no cache)",
        "",
        "What a single request costs, apart from any queue: each listing URL and a sample of "
        "the search queries fetched once, and every page of the cursor walks (three walks in "
        "parallel).",
        "",
        *unloaded_lines(mix.setup_timings, mix.listing, mix.search, walks),
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


def write_json(out: Path, found: Findings) -> Path:
    """The raw figures, beside the Markdown report: every run with its 1-second timeline."""
    path = out.with_suffix(".json")
    path.parent.mkdir(parents=True, exist_ok=True)
    details = {
        "started_at": found.started_at.isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "machine": found.machine,
        "stores": found.stores.kind,
        "titles": found.loaded.titles,
        "load": {k: v for k, v in found.loaded.__dict__.items()},
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
            for m in found.measured
        ],
        "setup_seconds": {url: round(sec, 4) for url, sec in found.mix.setup_timings.items()},
    }
    path.write_text(json.dumps(details, indent=1, default=str))
    return path


def publish(out: Path, args: argparse.Namespace, found: Findings) -> None:
    """Write the raw figures first (a fault in the report below must not lose the run), then
    print the Markdown report and write it to `out`."""
    json_path = write_json(out, found)
    report = render_report(args, found)
    print()
    print(report)
    out.write_text(report)
    print(f"\nwritten to {out} (and {json_path.name})")
