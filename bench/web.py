"""Benchmark: the web app's speed in Debian's Chromium, against a bare Video.js page.

    .venv/bin/python bench/web.py               # 10 runs of everything: about 10 minutes
    .venv/bin/python bench/web.py --runs 2      # a smoke test

What it does:

1. builds the web app when its sources changed (scripts/_env.sh's `ensure_web`, as
   scripts/run does) and starts `ott serve` on fresh stores with the demo catalog and videos,
   serving web/out; waits until the demo videos are transcoded (the first free film, 20 s at
   720p, is what plays);
2. `home`: the home page of a signed-in viewer, in a new browser context each run (a cold
   cache), at desktop and phone sizes: largest contentful paint (target < 1.5 s), cumulative
   layout shift (< 0.1), and the JavaScript the page loaded, as sent (gzipped) against the aim
   of 200 kB;
3. `first-frame`: from pressing play to the first video frame (requestVideoFrameCallback),
   in the web app (the title page's Play button: the watch page, its playback start, the
   player's code, the manifest through the API, the segments) and in a bare Video.js page the
   benchmark serves (web_bare.py: the same video.js release, the same signed master
   playlist), alternately, a new context each run: target p95 < 1 s, and the app's median
   within 1.5x the bare player's;
4. `quality`: on the app's watch page after a few seconds of playback, the rung furthest from
   the one playing chosen in the quality menu, until frames of that height show (target
   p95 < 500 ms).

The first-frame phase also prints the medians of the app's own User Timing marks
(web/src/player/marks.ts); with OTT_BENCH_TRACE=<file> set, each app run of that phase is
recorded as a Chromium trace into that file, which keeps the last (use --runs 1; open it in
the browser's performance panel).

The browser runs in bench/web_browser.mjs (playwright-core from web/node_modules); for each
phase the CPU used by the server, its stores, the browser and everything else on the machine
is reported ("other CPU": a phase marked (*) was disturbed, rerun it before drawing
conclusions). Exits non-zero when something failed (set-up, a run that errored), not when a
target is missed. Results (JSON) go to bench/results/web-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from auth_profiles import DISTURBED_CORES
from catalog_stores import Stores, close_stores, local_postgres_answers, open_resources, open_stores
from cpu_meter import CpuSnapshot, TreeSampler, cpu_cores, cpu_snapshot, wait_for_quiet
from loadgen import percentile
from ott.core.app_context import AppContext
from processes import (
    Server,
    print_failure,
    processes_mentioning,
    scratch_folder,
    stop_server,
    with_descendants,
)
from report_format import RESULTS_DIR, machine_description
from web_bare import BarePage
from web_platform import (
    WEB_DIR,
    Api,
    SetupError,
    Viewer,
    check_playable,
    ensure_web,
    sign_up,
    signed_master,
    start_platform,
    wait_for_demo_videos,
)

BROWSER_SCRIPT = Path(__file__).resolve().parent / "web_browser.mjs"
TARGET_FIRST_FRAME_MS = 1000.0
TARGET_BARE_RATIO = 1.5
TARGET_SWITCH_MS = 500.0
TARGET_LCP_MS = 1500.0
TARGET_CLS = 0.1
AIM_JS_BYTES = 200_000  # gzipped, as sent
APP_DEVICE = "web-bench-app"  # one device: each start replaces the run before's stream
BARE_DEVICE = "web-bench-bare"
PLAYER_VIEWPORT = {"name": "desktop", "size": {"width": 1280, "height": 720}, "scale": 1}
HOME_VIEWPORTS = [
    {"name": "desktop", "size": {"width": 1440, "height": 900}, "scale": 1, "mobile": False},
    {"name": "phone", "size": {"width": 390, "height": 844}, "scale": 2, "mobile": True},
]
PHASES = ("home", "first-frame", "quality")
# A Next.js page's own chunk (app/<route>/page-<hash>.js) of a page other than the home page's
# (app/page-<hash>.js): loaded because a link to that page was in view (Link prefetching).
OTHER_PAGE_CHUNK = re.compile(r"/_next/static/chunks/app/.+/page-[^/]*\.js$")
SCRIPT_IN_HTML = re.compile(r"/_next/static/chunks/[^\"'\s]+\.js")


def chunks_of_other_pages(out: Path) -> set[str]:
    """The scripts other pages' HTML names and the home page's does not: chunks that only
    other pages need (shared by several of them), which the home page loads when it prefetches
    them (web/out, as built)."""
    home = set(SCRIPT_IN_HTML.findall((out / "index.html").read_text()))
    others: set[str] = set()
    for page in out.rglob("index.html"):
        if page.parent != out:
            others.update(SCRIPT_IN_HTML.findall(page.read_text()))
    return others - home


def prefetched(path: str, other_pages: set[str]) -> bool:
    return bool(OTHER_PAGE_CHUNK.search(path)) or path in other_pages


# --------------------------------------------------------------------------- CPU


@dataclass
class PhaseCpu:
    """Cores used during a phase (1.0 = one core busy the whole time)."""

    server: float
    stores: float
    browser: float  # Node and Chromium (sampled: TreeSampler)
    generator: float
    machine: float
    others: float

    @property
    def disturbed(self) -> bool:
        return self.others > DISTURBED_CORES

    def line(self) -> str:
        mark = " (*)" if self.disturbed else ""
        return (
            f"  CPU (cores): server {self.server:.2f}, stores {self.stores:.2f}, "
            f"browser {self.browser:.2f}, this script {self.generator:.2f}, "
            f"other processes {self.others:.2f}{mark}"
        )


class Meter:
    """CPU snapshots of `ott serve` (with its children), its stores (the embedded servers of
    the data folder, or this database's backends on a shared PostgreSQL), and the machine."""

    def __init__(self, server: Server, stores: Stores, resources: AppContext) -> None:
        self.server = server
        self.stores = stores
        self.resources = resources

    async def _store_pids(self, server_pids: set[int]) -> list[int]:
        if self.stores.kind == "embedded":
            roots = set(processes_mentioning(str(self.stores.data_dir))) - server_pids
            return [pid for pid in with_descendants(roots) if pid not in server_pids]
        async with self.resources.engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                )
            )
            return [int(row[0]) for row in rows]

    async def snapshot(self) -> CpuSnapshot:
        server_pids = set(with_descendants({self.server.pid})) if self.server.pid else set()
        stores = await self._store_pids(server_pids)
        return cpu_snapshot({"server": server_pids, "stores": stores})

    @staticmethod
    def usage(before: CpuSnapshot, after: CpuSnapshot, browser_seconds: float) -> PhaseCpu:
        cores = cpu_cores(before, after)
        browser = browser_seconds / cores.wall
        return PhaseCpu(
            server=cores.groups["server"],
            stores=cores.groups["stores"],
            browser=browser,
            generator=cores.generator,
            machine=cores.machine,
            others=max(0.0, cores.others - browser),
        )


# --------------------------------------------------------------------------- the browser


def run_browser(job: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """One phase in bench/web_browser.mjs (its progress lines pass through to stderr): its
    result, and the CPU seconds Node and Chromium used."""
    process = subprocess.Popen(
        ["node", str(BROWSER_SCRIPT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    sampler = TreeSampler(process.pid)
    sampler.start()
    try:
        out, _ = process.communicate(json.dumps(job).encode(), timeout=1800)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        seconds = sampler.stop()
    if process.returncode != 0:
        raise RuntimeError(f"web_browser.mjs ({job['phase']}) exited with {process.returncode}")
    result: dict[str, Any] = json.loads(out)
    return result, seconds


# --------------------------------------------------------------------------- figures


def quantiles(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "runs": len(ordered),
        "p50": percentile(ordered, 0.50),
        "p95": percentile(ordered, 0.95),
        "min": ordered[0] if ordered else float("nan"),
        "max": ordered[-1] if ordered else float("nan"),
    }


def verdict(ok: bool, target: str) -> str:
    return f"{'PASS' if ok else 'FAIL'} (target {target})"


def ms_line(name: str, q: dict[str, float]) -> str:
    return f"{name:<34} p50 {q['p50']:>7.0f} ms  p95 {q['p95']:>7.0f} ms  ({q['runs']} runs)"


def ok_runs(runs: list[dict[str, Any]], **match: object) -> list[dict[str, Any]]:
    return [r for r in runs if "error" not in r and all(r.get(k) == v for k, v in match.items())]


def errors_of(runs: list[dict[str, Any]]) -> list[str]:
    return [
        f"{r.get('player') or r.get('viewport') or 'run'} {r['index'] + 1}: {r['error']}"
        for r in runs
        if "error" in r
    ]


def home_figures(runs: list[dict[str, Any]]) -> tuple[list[str], dict[str, Any]]:
    lines: list[str] = []
    summary: dict[str, Any] = {}
    for viewport in HOME_VIEWPORTS:
        name = str(viewport["name"])
        good = ok_runs(runs, viewport=name)
        lcps = [float(r["lcpMs"]) for r in good if r.get("lcpMs") is not None]
        if not lcps:
            lines.append(f"home, {name}: no largest contentful paint measured")
            continue
        q = quantiles(lcps)
        cls = max(float(r["cls"]) for r in good)
        elements = sorted({f"{r['lcpElement']} {r['lcpUrl'] or ''}".strip() for r in good})
        lines.append(
            ms_line(f"home LCP, {name} (cold cache)", q)
            + "  "
            + verdict(q["p95"] < TARGET_LCP_MS, f"p95 < {TARGET_LCP_MS:g} ms")
        )
        lines.append(f"  largest element: {'; '.join(elements)}")
        steps = {
            "first contentful paint": "fcpMs",
            "API answers before the image": "apiBeforeImageMs",
            "image requested": "lcpImageStartMs",
            "image loaded": "lcpImageEndMs",
        }
        medians = {
            label: statistics.median(values)
            for label, key in steps.items()
            if (values := [float(r[key]) for r in good if r.get(key) is not None])
        }
        if medians:
            said = ", ".join(f"{label} {value:.0f}" for label, value in medians.items())
            lines.append(f"  from the navigation (medians): {said} ms")
        lines.append(
            f"{'home CLS, ' + name:<34} max {cls:.4f}  "
            + verdict(cls < TARGET_CLS, f"< {TARGET_CLS:g}")
        )
        summary[name] = {
            "lcp_ms": q,
            "cls_max": cls,
            "lcp_elements": elements,
            "steps_ms_median": medians,
        }
    desktop = ok_runs(runs, viewport="desktop")
    if desktop:
        scripts = desktop[0]["scripts"]
        other_pages = chunks_of_other_pages(WEB_DIR / "out")
        own = [s for s in scripts if not prefetched(s["path"], other_pages)]
        sent = statistics.median(sum(s["encoded"] for s in r["scripts"]) for r in desktop)
        own_sent = statistics.median(
            sum(s["encoded"] for s in r["scripts"] if not prefetched(s["path"], other_pages))
            for r in desktop
        )
        raw = sum(s["decoded"] for s in own)
        lines.append(
            f"{'home JavaScript (gzipped, as sent)':<34} {own_sent / 1000:.1f} kB in {len(own)} "
            f"files ({raw / 1000:.1f} kB uncompressed)  "
            + verdict(own_sent < AIM_JS_BYTES, f"aim < {AIM_JS_BYTES / 1000:g} kB")
        )
        lines.append(
            f"  and {(sent - own_sent) / 1000:.1f} kB of chunks only other pages need, which "
            f"its links prefetched ({len(scripts) - len(own)} files): "
            f"{sent / 1000:.1f} kB loaded in all"
        )
        summary["javascript"] = {
            "home_encoded_bytes": own_sent,
            "home_decoded_bytes": raw,
            "all_encoded_bytes": sent,
            "files": scripts,
        }
    return lines, summary


def _milestone(run: dict[str, Any], test: Callable[[dict[str, Any]], bool]) -> float | None:
    ends = [float(r["end"]) for r in run["requests"] if test(r)]
    return min(ends) if ends else None


MILESTONES: dict[str, Callable[[dict[str, Any]], bool]] = {
    "playback start": lambda r: r["path"].startswith("/api/stream/playback/start"),
    "manifest": lambda r: "/manifest" in r["path"] or r["path"].startswith("/master.m3u8"),
    "media playlist": lambda r: r["path"].startswith("/media/") and r["path"].endswith(".m3u8"),
    "first segment": lambda r: r["path"].startswith("/media/") and r["path"].endswith(".m4s"),
}


def timeline(runs: list[dict[str, Any]]) -> str:
    """The median time of each step after the press, as the page's resource timing saw it."""
    parts = []
    for name, test in MILESTONES.items():
        times = [t for t in (_milestone(r, test) for r in runs) if t is not None]
        if times:
            parts.append(f"{name} {statistics.median(times):.0f}")
    scripts = [
        max(float(q["end"]) for q in r["requests"] if q["path"].endswith(".js"))
        for r in runs
        if any(q["path"].endswith(".js") for q in r["requests"])
    ]
    if scripts:
        parts.append(f"last script {statistics.median(scripts):.0f}")
    parts.append(f"frame {statistics.median(float(r['ms']) for r in runs):.0f}")
    return ", ".join(parts) + " ms" + _steps(runs)


def _steps(runs: list[dict[str, Any]]) -> str:
    """The medians of the app's own marks (web/src/player/marks.ts), in the order they came."""
    times: dict[str, list[float]] = {}
    for run in runs:
        for mark in run.get("marks", []):
            times.setdefault(mark["name"], []).append(float(mark["at"]))
    if not times:
        return ""
    medians = sorted((statistics.median(at), name) for name, at in times.items())
    steps = ", ".join(f"{name} {at:.0f}" for at, name in medians)
    return f"\n  the app's steps (medians): {steps} ms"


def first_frame_figures(runs: list[dict[str, Any]]) -> tuple[list[str], dict[str, Any]]:
    bare = ok_runs(runs, player="bare")
    app = ok_runs(runs, player="app")
    lines: list[str] = []
    summary: dict[str, Any] = {}
    if bare:
        q = quantiles([float(r["ms"]) for r in bare])
        summary["bare"] = q
        lines.append(ms_line("first frame, bare Video.js", q))
        lines.append(f"  after the press (medians): {timeline(bare)}")
    if app:
        q = quantiles([float(r["ms"]) for r in app])
        summary["app"] = q
        lines.append(
            ms_line("first frame, web app", q)
            + "  "
            + verdict(q["p95"] < TARGET_FIRST_FRAME_MS, f"p95 < {TARGET_FIRST_FRAME_MS:g} ms")
        )
        lines.append(f"  after the press (medians): {timeline(app)}")
    if bare and app:
        ratio = summary["app"]["p50"] / summary["bare"]["p50"]
        summary["ratio_p50"] = ratio
        lines.append(
            f"{'first frame, app / bare':<34} {ratio:.2f}x (p50s)  "
            + verdict(ratio <= TARGET_BARE_RATIO, f"<= {TARGET_BARE_RATIO:g}x")
        )
    checks = [r for r in bare + app if not r["advanced"] or r["contrast"] < 16]
    if checks:
        lines.append(
            f"  WARNING: {len(checks)} runs whose first frame was uniform or whose video did "
            "not advance: " + ", ".join(f"{r['player']} {r['index'] + 1}" for r in checks)
        )
    return lines, summary


def quality_figures(runs: list[dict[str, Any]]) -> tuple[list[str], dict[str, Any]]:
    good = ok_runs(runs)
    if not good:
        return ["quality switch: no run measured"], {}
    shown = [r for r in good if r["ms"] is not None]
    missed = len(good) - len(shown)
    switches = sorted({f"{r['from']}p -> {r['to']}p" for r in good})
    summary: dict[str, Any] = {"switches": switches, "not_shown": missed}
    name = "quality switch (menu to new rung)"
    if shown:
        q = quantiles([float(r["ms"]) for r in shown])
        summary["switch_ms"] = q
        line = ms_line(name, q) + "  "
    else:
        line = f"{name:<34} "
    ok = missed == 0 and bool(shown) and summary["switch_ms"]["p95"] < TARGET_SWITCH_MS
    lines = [line + verdict(ok, f"p95 < {TARGET_SWITCH_MS:g} ms")]
    if missed:
        lines.append(
            f"  {missed} of {len(good)} runs showed no frame of the chosen rung within 10 s "
            "(the rung's frames must show without waiting for the buffer to run out)"
        )
    lines.append(f"  switches: {', '.join(switches)}")
    if shown:
        chosen = statistics.median(float(r["chosenAtMediaTime"]) for r in shown)
        first = statistics.median(float(r["atMediaTime"]) for r in shown)
        lines.append(
            f"  chosen at media time {chosen:.2f} s, first frame of the rung at {first:.2f} s "
            "(medians)"
        )
    return lines, summary


FIGURES = {"home": home_figures, "first-frame": first_frame_figures, "quality": quality_figures}


# --------------------------------------------------------------------------- the run


def check_tools(chromium: str) -> None:
    if not Path(chromium).exists():
        raise SetupError(
            f"no Chromium at {chromium}: install Debian's (`apt-get install -y chromium`) or "
            "name one with --chromium; the benchmark never downloads a browser"
        )
    if not (WEB_DIR / "node_modules" / "playwright-core").exists():
        raise SetupError("web/node_modules has no playwright-core: run `npm ci` in web/")


async def measure_phase(
    phase: str, job: dict[str, Any], meter: Meter, args: argparse.Namespace
) -> dict[str, Any]:
    busy = await wait_for_quiet(args.quiet_wait)
    print(f"\n{phase} ({args.runs} runs; the machine was {busy:.2f} cores busy before)", flush=True)
    before = await meter.snapshot()
    result, browser_seconds = await asyncio.to_thread(run_browser, job)
    cpu = Meter.usage(before, await meter.snapshot(), browser_seconds)
    lines, summary = FIGURES[phase](result["runs"])
    for line in lines:
        print(line)
    print(cpu.line())
    errors = errors_of(result["runs"])
    for error in errors:
        print(f"  ERROR {error}")
    return {
        "browser": result["browser"],
        "summary": summary,
        "cpu_cores": cpu.__dict__ | {"disturbed": cpu.disturbed},
        "errors": errors,
        "runs": result["runs"],
    }


async def run(args: argparse.Namespace) -> int:
    try:
        ensure_web()
        check_tools(args.chromium)
    except SetupError as exc:
        print_failure(str(exc))
        return 1
    kind = args.stores or ("local" if local_postgres_answers() else "embedded")
    report: dict[str, Any] = {"machine": machine_description(), "args": vars(args), "stores": kind}
    failures = 0
    bare = BarePage(WEB_DIR / "node_modules" / "video.js" / "dist")
    bare.start()
    with scratch_folder("ott-bench-web-", keep=args.keep) as scratch:
        stores = await open_stores(kind, scratch, secrets.token_hex(4))
        resources, _ = await open_resources(stores)
        server: Server | None = None
        try:
            server = await start_platform(stores, scratch, extra_origins=[bare.origin])
            print(f"ott serve up on {server.url}; waiting for the demo videos…", flush=True)
            film = await wait_for_demo_videos(resources, stores, within=args.video_wait)
            api = Api(server.url)
            app_viewer, bare_viewer = await sign_up(api, "app"), await sign_up(api, "bare")
            tokens = await app_viewer.tokens(api)
            detail = await check_playable(api, tokens["accessToken"], film.content_id)
            print(f"playing {detail['title']!r} ({film.label})")
            report["film"] = {"content_id": str(film.content_id), "label": film.label}
            meter = Meter(server, stores, resources)
            base_job = {
                "webDir": str(WEB_DIR),
                "chromium": args.chromium,
                "base": server.url,
                "runs": args.runs,
                "contentId": str(film.content_id),
                "deviceId": APP_DEVICE,
                "viewport": PLAYER_VIEWPORT,
            }
            report["phases"] = {}
            for phase in args.phases:
                job = base_job | {"phase": phase, "tokens": await app_viewer.tokens(api)}
                if phase == "home":
                    job["viewports"] = HOME_VIEWPORTS
                else:
                    start, master = await bare_master(api, bare_viewer, film.content_id)
                    bare.set_master(master, media_origin=server.url)
                    job |= {
                        "bare": bare.origin + "/",
                        "qualities": start["qualities"],
                        "switchAfterSeconds": args.switch_after,
                    }
                measured = await measure_phase(phase, job, meter, args)
                failures += len(measured["errors"])
                report["phases"][phase] = measured
        except (SetupError, RuntimeError, OSError) as exc:
            print_failure(str(exc), server)
            failures += 1
        finally:
            if server is not None:
                stop_server(server, None)
            bare.stop()
            await resources.close()
            for problem in await close_stores(stores):
                print(f"clean-up: {problem}", file=sys.stderr)
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"web-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"\nresults: {out}")
    return 1 if failures else 0


async def bare_master(api: Api, viewer: Viewer, content_id: Any) -> tuple[dict[str, Any], str]:
    """A fresh session of the bare page's own viewer: its signed master playlist, valid for
    the phase (STREAM_TOKEN_SECONDS, 10 minutes)."""
    tokens = await viewer.tokens(api)
    return await signed_master(api, tokens["accessToken"], content_id, BARE_DEVICE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each measurement")
    parser.add_argument(
        "--phases",
        type=lambda value: [p for p in value.split(",") if p],
        default=list(PHASES),
        help=f"comma-separated, of {','.join(PHASES)}",
    )
    parser.add_argument(
        "--switch-after",
        type=float,
        default=4.0,
        help="seconds of playback before the quality switch",
    )
    parser.add_argument("--chromium", default=os.environ.get("OTT_CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=120.0,
        help="longest wait for an idle machine before each phase (s)",
    )
    parser.add_argument(
        "--video-wait", type=float, default=900.0, help="longest wait for the demo videos (s)"
    )
    parser.add_argument("--stores", choices=("local", "embedded"), default=None)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    unknown = set(args.phases) - set(PHASES)
    if unknown or args.runs < 1:
        parser.error(f"unknown phases {sorted(unknown)}" if unknown else "--runs must be >= 1")
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
