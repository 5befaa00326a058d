"""Benchmark: ad decisions (VMAP, then the pre-roll's VAST) and tracking pings of the ad
service, through the gateway of `ott serve`, with the bare hello app measured in the same run
as the ceiling.

    .venv/bin/python bench/ads.py                            # the issue's run
    .venv/bin/python bench/ads.py --viewers 20 --rate 20 --duration 3 --warmup 1 \\
        --tracking-rate 50 --tracking-duration 3 --source-seconds 4   # a smoke test

What it does:

1. fresh stores, `ott serve` (production settings, BCRYPT_ROUNDS=4, its in-process media
   worker with the ultrafast preset) and the hello app; --titles generated titles through the
   CMS bulk import;
2. inventory as an admin would make it (the admin from `ott create-admin`, then through the
   API): for each of --campaigns campaigns an advertiser, the campaign (no caps, no goals, no
   targeting, skippable after 5 s) and a creative from a --source-seconds test pattern
   uploaded with tus (`/api/cms/uploads`) and transcoded by the server's worker, then the
   campaign activated; a pod of up to ADS_POD_SIZE (2) ads per break;
3. --viewers free (ad-supported) accounts signed up, each watching as its profile;
4. (a) decisions, open loop at --rate: decision i is due at start + i / rate; it is
   `GET /api/ads/vmap?content_id=...` for a film (viewers and films in turn), then, on the same
   connection's pool, `GET` of the pre-roll's AdTagURI from that VMAP (the VAST of the break).
   Measured: the VMAP (from its due time), the VAST (from its own send) and the pair (from the
   decision's due time to the VAST's last byte; target p95 < 20 ms); the hello app as a pair
   of GET /hello at the same rate;
5. (b) tracking: the Impression and start/quartile/complete URLs of the VAST documents of (a)
   (and more fetched if needed), each event id sent once, --replays of them sent again,
   shuffled, open loop at --tracking-rate (target p95 < 5 ms); the hello app at that rate;
   then the campaigns' counts (`GET /api/ads/campaigns/{id}/stats`, and the durable table
   after a flush) must equal the distinct events answered 204, per event type.

Exits non-zero when something failed (set-up, non-2xx answers, a count), not when a latency
target is missed. Raw JSON: bench/results/ads-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import itertools
import json
import random
import re
import secrets
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import uvloop
from sqlalchemy import select, text

from catalog_load import anonymous_viewer, load_catalog
from loadgen import ConnectionPool, Response, RunResult, constant_rate, render_request
from ott.catalog.visibility import VISIBLE, locked
from ott.content.models import Content, ContentType
from ott.media.encoding.ffmpeg import resolve_ffmpeg
from platform_setup import (
    TIMEOUT_S,
    CpuWatch,
    Phase,
    Platform,
    Viewer,
    measure,
    running_platform,
    sign_up,
)
from processes import ott_command, print_failure
from report_format import RESULTS_DIR, machine_description

ADS = "/api/ads"
TARGET_DECISION_P95_MS = 20.0
TARGET_TRACKING_P95_MS = 5.0
PINGED = ("start", "firstQuartile", "midpoint", "thirdQuartile", "complete")
ADMIN_PASSWORD = "Bench-Ads-Admin-42"

_TAG_URI = re.compile(rb"<vmap:AdTagURI[^>]*><!\[CDATA\[(.*?)\]\]>")
_IMPRESSION = re.compile(rb"<Impression><!\[CDATA\[(.*?)\]\]></Impression>")
_TRACKING = re.compile(rb'<Tracking event="(\w+)"><!\[CDATA\[(.*?)\]\]></Tracking>')


# --------------------------------------------------------------------------- set-up


def make_source(folder: Path, seconds: float) -> Path:
    """A 640x360 test pattern with a tone: a two-rung ladder, quick to transcode."""
    path = folder / f"creative_{seconds:g}s.mp4"
    subprocess.run(
        [
            resolve_ffmpeg(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size=640x360:rate=25:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25",
            "-c:a", "aac", str(path),
        ],
        check=True,
        timeout=600,
    )  # fmt: skip
    return path


async def admin_token(platform: Platform) -> str:
    """An admin made as an operator makes one (`ott create-admin`), signed in."""
    email = f"ads-admin-{secrets.token_hex(3)}@example.com"
    env = platform.stores.server_env()
    done = await asyncio.to_thread(
        subprocess.run,
        [
            *ott_command(),
            "create-admin",
            email,
            "--password",
            ADMIN_PASSWORD,
            "--data-dir",
            str(platform.stores.data_dir),
        ],
        cwd=platform.scratch,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"ott create-admin: {done.stdout}{done.stderr}")
    tokens = await platform.call_json(
        "POST", "/api/auth/login", body={"email": email, "password": ADMIN_PASSWORD}
    )
    return str(tokens["access_token"])


async def upload(platform: Platform, token: str, path: Path) -> str:
    """The file as one tus creation-with-upload, under a name of its own; the upload's id."""
    data = await asyncio.to_thread(path.read_bytes)
    name = f"{path.stem}-{secrets.token_hex(4)}{path.suffix}"

    def b64(value: str) -> str:
        return base64.b64encode(value.encode()).decode()

    response = await platform.call(
        "POST",
        "/api/cms/uploads",
        token=token,
        headers=[
            ("Tus-Resumable", "1.0.0"),
            ("Upload-Length", str(len(data))),
            ("Upload-Metadata", f"kind {b64('video')},filename {b64(name)}"),
            ("Content-Type", "application/offset+octet-stream"),
        ],
        raw_body=data,
    )
    if response.status != 201:
        raise RuntimeError(f"tus upload: HTTP {response.status} {response.body[:300]!r}")
    # Its id is in the Location header, which the lean client does not keep: found by name.
    async with platform.resources.engine.connect() as conn:
        found = await conn.scalar(
            text("SELECT id FROM media_uploads WHERE filename = :name"), {"name": name}
        )
    if found is None:
        raise RuntimeError("the upload is not in the uploads table")
    return str(found)


@dataclass
class Inventory:
    campaign_ids: list[str]
    creative_ids: list[str]


async def make_inventory(
    platform: Platform, token: str, source: Path, campaigns: int, *, within: float = 600.0
) -> Inventory:
    made = Inventory([], [])
    for n in range(campaigns):
        # One upload per creative: an upload becomes the creative's source once.
        upload_id = await upload(platform, token, source)
        advertiser = await platform.call_json(
            "POST",
            f"{ADS}/advertisers",
            expect=201,
            token=token,
            body={"name": f"Bench Advertiser {n} {secrets.token_hex(2)}", "domain": "acme.example"},
        )
        campaign = await platform.call_json(
            "POST",
            f"{ADS}/campaigns",
            expect=201,
            token=token,
            body={
                "advertiser_id": advertiser["id"],
                "name": f"Bench Campaign {n}",
                "starts_at": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
                "pacing": "asap",
                "skippable": True,
                "skip_offset_seconds": 5,
                "click_through_url": "https://acme.example/offer",
            },
        )
        creative = await platform.call_json(
            "POST",
            f"{ADS}/campaigns/{campaign['id']}/creatives",
            expect=201,
            token=token,
            body={"title": f"Bench creative {n}", "source_upload_id": upload_id},
        )
        made.campaign_ids.append(campaign["id"])
        made.creative_ids.append(creative["id"])
    print(f"  transcoding {campaigns} creatives in the server's worker…", flush=True)
    started = time.perf_counter()
    for creative_id in made.creative_ids:
        while True:
            body = await platform.call_json("GET", f"{ADS}/creatives/{creative_id}", token=token)
            if body["status"] == "ready":
                break
            if body["status"] == "failed":
                raise RuntimeError(f"creative {creative_id} failed: {body.get('error')}")
            if time.perf_counter() - started > within:
                raise RuntimeError(f"creative {creative_id} not ready within {within:.0f} s")
            await asyncio.sleep(0.5)
    print(f"  creatives ready in {time.perf_counter() - started:.1f} s", flush=True)
    for campaign_id in made.campaign_ids:
        await platform.call_json(
            "POST", f"{ADS}/campaigns/{campaign_id}/actions/activate", token=token
        )
    return made


async def films(platform: Platform, count: int) -> list[uuid.UUID]:
    """Films a free viewer with the default profile may play (series need an episode)."""
    viewer = anonymous_viewer()
    async with platform.resources.sessionmaker() as db:
        rows = await db.scalars(
            select(Content.id)
            .where(VISIBLE, Content.type == ContentType.MOVIE, ~locked(False))
            .order_by(Content.id)
            .limit(count),
            viewer.params,
        )
        return list(rows)


# --------------------------------------------------------------------------- (a) decisions


def vmap_request(authority: str, viewer: Viewer, content_id: uuid.UUID) -> bytes:
    return render_request(
        "GET",
        f"{ADS}/vmap?content_id={content_id}",
        authority,
        headers=[("Authorization", f"Bearer {viewer.access_token}")],
    )


def preroll_request(authority: str, vmap: bytes) -> bytes:
    found = _TAG_URI.search(vmap)
    if found is None:
        raise ValueError("no AdTagURI in the VMAP")
    return render_request("GET", found.group(1).decode().replace("&amp;", "&"), authority)


@dataclass
class Pairs:
    first: RunResult
    second: RunResult
    pair: RunResult


async def constant_rate_pairs(
    pool: ConnectionPool,
    firsts: Sequence[bytes],
    then: Callable[[Response], bytes],
    *,
    rate: float,
    duration: float,
    keep: Callable[[Response], None] | None = None,
) -> Pairs:
    """Open loop as loadgen.constant_rate, each item two requests one after the other: the
    first from `firsts` (cycled) at its due time, the second made by `then` from its answer."""
    loop = asyncio.get_running_loop()
    total = int(rate * duration)
    runs = Pairs(*(RunResult(target_rate=rate, scheduled=total) for _ in range(3)))
    pending: set[asyncio.Task[None]] = set()
    start = time.perf_counter() + 0.01
    for run in (runs.first, runs.second, runs.pair):
        run.started_at = start

    def ok(run: RunResult, response: Response, began: float, due: float) -> bool:
        if 200 <= response.status < 300:
            run.latencies.append(time.perf_counter() - began)
            run.sent_at.append(due - start)
            return True
        run.statuses[str(response.status)] += 1
        return False

    async def one(raw: bytes, due: float) -> None:
        stage = runs.first
        try:
            answer = await pool.request(raw, timeout_s=TIMEOUT_S)
            if not ok(runs.first, answer, due, due):
                runs.second.statuses["not sent"] += 1
                runs.pair.statuses[f"first {answer.status}"] += 1
                return
            stage = runs.second
            sent = time.perf_counter()
            second = await pool.request(then(answer), timeout_s=TIMEOUT_S)
            if ok(runs.second, second, sent, due):
                runs.pair.latencies.append(time.perf_counter() - due)
                runs.pair.sent_at.append(due - start)
                if keep is not None:
                    keep(second)
            else:
                runs.pair.statuses[f"second {second.status}"] += 1
        except Exception as exc:  # counted; the run goes on
            stage.statuses[type(exc).__name__] += 1
            runs.pair.statuses[type(exc).__name__] += 1

    cycle = itertools.cycle(firsts)
    interval = 1.0 / rate
    for index in range(total):
        due = start + index * interval
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        lag = time.perf_counter() - due
        for run in (runs.first, runs.second, runs.pair):
            run.send_lag_max = max(run.send_lag_max, lag)
            run.send_lag_over_1ms += lag > 0.001
        task = loop.create_task(one(next(cycle), due))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.gather(*pending)
    ended = time.perf_counter() - start
    for run in (runs.first, runs.second, runs.pair):
        run.duration = max(ended, total * interval)
    return runs


async def decision_phases(
    platform: Platform,
    viewers: list[Viewer],
    titles: list[uuid.UUID],
    args: argparse.Namespace,
    vasts: list[bytes],
) -> list[Phase]:
    cpu = CpuWatch(platform)
    api, hello = platform.api, platform.hello_endpoint
    # Viewer i with film i mod F, then the next film: every (viewer, film) pair in turn.
    firsts = [
        vmap_request(api.authority, viewer, titles[(i + k) % len(titles)])
        for k in range(len(titles))
        for i, viewer in enumerate(viewers)
    ]

    def vast_of(vmap: Response) -> bytes:
        return preroll_request(api.authority, vmap.body)

    def keep(vast: Response) -> None:
        if len(vasts) < args.keep_vasts:
            vasts.append(vast.body)

    phases: list[Phase] = []
    pool = api.pool()
    try:
        if args.warmup > 0:
            await constant_rate_pairs(pool, firsts, vast_of, rate=args.rate, duration=args.warmup)
        gc.collect()
        async with cpu.measure() as used:
            runs = await constant_rate_pairs(
                pool, firsts, vast_of, rate=args.rate, duration=args.duration, keep=keep
            )
    finally:
        pool.close()
    phases += [
        Phase("decision: VMAP", runs.first, used),
        Phase("decision: VAST of the pre-roll", runs.second, used),
        Phase("decision: VMAP + VAST", runs.pair, used, TARGET_DECISION_P95_MS),
    ]
    hello_get = render_request("GET", "/hello", hello.authority)
    pool = hello.pool()
    try:
        if args.warmup > 0:
            await constant_rate_pairs(
                pool, [hello_get], lambda _: hello_get, rate=args.rate, duration=args.warmup
            )
        gc.collect()
        async with cpu.measure() as used:
            hello_runs = await constant_rate_pairs(
                pool, [hello_get], lambda _: hello_get, rate=args.rate, duration=args.duration
            )
    finally:
        pool.close()
    phases.append(Phase("hello pair (ceiling)", hello_runs.pair, used))
    for phase in phases:
        print(phase.line(), flush=True)
    return phases


# --------------------------------------------------------------------------- (b) tracking


@dataclass(frozen=True)
class Ping:
    path: str
    event: str
    campaign: str
    event_id: str


def pings_of(vast: bytes) -> list[Ping]:
    """The impression and linear-progress tracking URLs of a VAST document."""
    found: list[tuple[str, str]] = [("impression", m.decode()) for m in _IMPRESSION.findall(vast)]
    found += [(e.decode(), u.decode()) for e, u in _TRACKING.findall(vast) if e.decode() in PINGED]
    pings = []
    for event, url in found:
        token = url.rsplit("/", 1)[1].split("?", 1)[0]
        claims = _token_claims(token)
        pings.append(Ping(url, event, str(claims["c"]), str(claims["i"])))
    return pings


def _token_claims(token: str) -> dict[str, Any]:
    """The claims part of a tracking token (read, not verified: the server verifies)."""
    body = token.split(".")[0]
    return dict(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))


async def more_vasts(
    platform: Platform, viewers: list[Viewer], titles: list[uuid.UUID], count: int
) -> list[bytes]:
    """`count` VAST documents fetched one decision at a time (set-up)."""
    api = platform.api
    pool = api.pool(16)
    gate = asyncio.Semaphore(16)

    async def one(index: int) -> bytes:
        viewer = viewers[index % len(viewers)]
        async with gate:
            vmap = await pool.request(
                vmap_request(api.authority, viewer, titles[index % len(titles)]), timeout_s=30
            )
            vast = await pool.request(preroll_request(api.authority, vmap.body), timeout_s=30)
        return vast.body

    try:
        return list(await asyncio.gather(*(one(i) for i in range(count))))
    finally:
        pool.close()


async def tracking_phases(
    platform: Platform,
    viewers: list[Viewer],
    titles: list[uuid.UUID],
    vasts: list[bytes],
    args: argparse.Namespace,
) -> tuple[list[Phase], dict[str, Counter[str]], int]:
    """Returns the phases, the distinct events answered 204 per campaign and event, and how
    many pings were replays."""
    total_warm = int(args.tracking_rate * args.warmup)
    total = int(args.tracking_rate * args.tracking_duration)
    distinct_needed = total_warm + total - round(total * args.replays)
    pings: list[Ping] = [p for vast in vasts for p in pings_of(vast)]
    if len(pings) < distinct_needed:
        per_vast = max(1, len(pings) // max(1, len(vasts))) if vasts else 6
        extra = (distinct_needed - len(pings)) // per_vast + 1
        print(f"  fetching {extra} more VAST documents for their tracking URLs…", flush=True)
        for vast in await more_vasts(platform, viewers, titles, extra):
            pings += pings_of(vast)
    if len(pings) < distinct_needed:
        raise RuntimeError(f"only {len(pings)} tracking URLs for {distinct_needed} events")
    rng = random.Random(args.seed)
    warm_pings = pings[:total_warm]
    distinct = pings[total_warm:distinct_needed]
    replays = rng.choices(distinct, k=total - len(distinct))
    measured = distinct + replays
    rng.shuffle(measured)
    api, hello = platform.api, platform.hello_endpoint
    answered: dict[str, Counter[str]] = {}
    counted_ids: set[str] = set()

    def requests_of(sequence: list[Ping]) -> list[bytes]:
        return [render_request("GET", p.path, api.authority) for p in sequence]

    def on_response(sequence: list[Ping]) -> Callable[[int, Response], None]:
        def seen(index: int, response: Response) -> None:
            ping = sequence[index % len(sequence)]
            if response.status == 204 and ping.event_id not in counted_ids:
                counted_ids.add(ping.event_id)
                answered.setdefault(ping.campaign, Counter())[ping.event] += 1

        return seen

    cpu = CpuWatch(platform)
    phases = []
    pool = api.pool()
    try:
        if warm_pings:
            await constant_rate(
                pool,
                requests_of(warm_pings),
                rate=args.tracking_rate,
                duration=args.warmup,
                on_response=on_response(warm_pings),
            )
        gc.collect()
        async with cpu.measure() as used:
            result = await constant_rate(
                pool,
                requests_of(measured),
                rate=args.tracking_rate,
                duration=args.tracking_duration,
                on_response=on_response(measured),
                timeout_s=TIMEOUT_S,
            )
    finally:
        pool.close()
    phase = Phase("tracking pings", result, used, TARGET_TRACKING_P95_MS)
    print(phase.line(), flush=True)
    phases.append(phase)
    hello_pool = hello.pool()
    try:
        phases.append(
            await measure(
                "hello (ceiling)",
                hello_pool,
                [render_request("GET", "/hello", hello.authority)],
                rate=args.tracking_rate,
                duration=args.tracking_duration,
                warmup=args.warmup,
                cpu=cpu,
            )
        )
    finally:
        hello_pool.close()
    return phases, answered, len(replays)


async def check_counts(
    platform: Platform,
    token: str,
    campaign_ids: list[str],
    answered: dict[str, Counter[str]],
    flush_wait: float,
) -> dict[str, Any]:
    """The campaigns' counts (API: flushed plus pending; then the table alone) against the
    distinct events answered 204."""
    expected = {c: dict(sorted(answered.get(c, Counter()).items())) for c in campaign_ids}
    api_totals = {}
    for campaign_id in campaign_ids:
        stats = await platform.call_json("GET", f"{ADS}/campaigns/{campaign_id}/stats", token=token)
        api_totals[campaign_id] = stats["totals"]
    await asyncio.sleep(flush_wait)
    durable: dict[str, dict[str, int]] = {c: {} for c in campaign_ids}
    async with platform.resources.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT campaign_id::text AS c, event, sum(count) AS n "
                "FROM ad_campaign_daily_counts GROUP BY 1, 2 ORDER BY 1, 2"
            )
        )
        for row in rows:
            durable.setdefault(row.c, {})[row.event] = int(row.n)
    return {
        "expected": expected,
        "api_totals": api_totals,
        "durable_after_flush": durable,
        "api_ok": api_totals == expected,
        "durable_ok": durable == expected,
    }


# --------------------------------------------------------------------------- the run


async def run(args: argparse.Namespace) -> tuple[int, dict[str, Any]]:
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine_description(),
        "args": vars(args),
    }
    failures: list[str] = []
    env = {
        "OTT_ENV": args.env,
        "TRANSCODE_PRESET": "ultrafast",
        "ADS_FLUSH_SECONDS": f"{args.flush_seconds:g}",
    }
    try:
        async with running_platform(
            "ott-bench-ads-", env, stores_kind=args.stores, keep=args.keep, workers=args.workers
        ) as platform:
            await load_catalog(platform.resources, args.titles)
            titles = await films(platform, args.films)
            if not titles:
                raise RuntimeError("no film a free viewer may play: raise --titles")
            print(f"  {len(titles)} films in the decisions", flush=True)
            admin = await admin_token(platform)
            source = await asyncio.to_thread(make_source, platform.scratch, args.source_seconds)
            inventory = await make_inventory(platform, admin, source, args.campaigns)
            viewers = await sign_up(platform, args.viewers)
            # The campaigns reach every process's inventory within ADS_INVENTORY_CACHE_SECONDS.
            deadline = time.monotonic() + 30
            while True:
                [vast] = await more_vasts(platform, viewers[:1], titles[:1], 1)
                ads = vast.count(b"<Ad ")
                if ads or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.5)
            if not ads:
                raise RuntimeError(f"no ad in the pre-roll's VAST: {vast[:400]!r}")
            print(f"  a pre-roll VAST holds {ads} ads, {len(vast)} bytes", flush=True)
            report["vast_bytes"] = len(vast)
            report["ads_per_break"] = ads

            vasts: list[bytes] = []
            phases = await decision_phases(platform, viewers, titles, args, vasts)
            tracking, answered, replays = await tracking_phases(
                platform, viewers, titles, vasts, args
            )
            phases += tracking
            report["phases"] = [p.as_dict() for p in phases]
            failures += [f"{p.name}: {dict(p.result.statuses)}" for p in phases if p.result.errors]
            counts = await check_counts(
                platform, admin, inventory.campaign_ids, answered, args.flush_seconds + 3
            )
            counts["replays_sent"] = replays
            report["counts"] = counts
            print(f"counts: {json.dumps(counts)}")
            verdict = counts["api_ok"] and counts["durable_ok"]
            print(f"tracked once per event id: {'PASS' if verdict else 'FAIL'}")
            if not verdict:
                failures.append("tracking counts differ from the distinct events sent")
            if failures:
                print(f"--- ott serve log (tail) ---\n{platform.server.log_tail(40)}")
    except Exception as exc:
        failures.append(repr(exc))
        print_failure(repr(exc))
    report["failures"] = failures
    return (1 if failures else 0), report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=200, help="free accounts asking")
    parser.add_argument("--titles", type=int, default=100, help="generated catalog size")
    parser.add_argument("--films", type=int, default=20, help="films the decisions are for")
    parser.add_argument("--campaigns", type=int, default=2, help="active campaigns (a pod of 2)")
    parser.add_argument("--source-seconds", type=float, default=6.0, help="the creatives' length")
    parser.add_argument("--rate", type=float, default=200.0, help="decisions per second")
    parser.add_argument(
        "--workers", type=int, default=2, help="gateway processes (`ott serve --workers`)"
    )
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of decisions")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before measuring")
    parser.add_argument("--tracking-rate", type=float, default=500.0, help="pings per second")
    parser.add_argument("--tracking-duration", type=float, default=30.0)
    parser.add_argument("--replays", type=float, default=0.1, help="share of pings replayed")
    parser.add_argument(
        "--keep-vasts", type=int, default=5000, help="VAST documents of (a) kept for (b)"
    )
    parser.add_argument("--flush-seconds", type=float, default=5.0, help="ADS_FLUSH_SECONDS")
    parser.add_argument("--seed", type=int, default=8, help="the shuffle's")
    parser.add_argument("--env", choices=("production", "development"), default="production")
    parser.add_argument("--stores", choices=("auto", "local", "embedded"), default="auto")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument(
        "--json-out", default=str(RESULTS_DIR / f"ads-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json")
    )
    args = parser.parse_args()
    code, report = uvloop.run(run(args))
    out = Path(args.json_out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"raw results: {out}")
    sys.exit(code)


if __name__ == "__main__":
    main()
