"""Continue watching through the gateway for a profile with a long history.

Set-up (timed, not measured): fresh stores, `--titles` generated titles through the CMS bulk
import, `ott serve` on them, one account signed up through the gateway (its profile chosen),
then `--history` watched items (films and episodes) and `--resume` titles stopped partway,
applied to the durable store as the activity service's consumer applies playback events.
Measured: `GET /api/activity/continue-watching` at `--rate` for `--duration` seconds, open
loop (bench/loadgen.py); the target is p95 under 30 ms. Raw JSON goes to
bench/results/activity.json.

    .venv/bin/python bench/activity.py                       # 1,000 history entries, 50 req/s
    .venv/bin/python bench/activity.py --titles 200 --history 300 --duration 5 --warmup 1
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import secrets
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from itertools import zip_longest
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import uvloop
from sqlalchemy import select, text

from catalog_load import anonymous_viewer, load_catalog
from catalog_stores import (
    ServerConfig,
    Stores,
    close_stores,
    local_postgres_answers,
    open_resources,
    open_stores,
    serving,
)
from loadgen import ConnectionPool, constant_rate, format_result, one_shot, render_request
from ott.activity import service
from ott.activity.store_postgres import PostgresActivityStore
from ott.catalog.visibility import VISIBLE
from ott.content.models import Content, ContentType, Episode, Season
from ott.core.app_context import AppContext
from ott.core.event_types import PlaybackCompleted, PlaybackEvent, PlaybackPosition
from processes import print_failure, scratch_folder
from report_format import RESULTS_DIR, machine_description

PATH = "/api/activity/continue-watching"
TARGET_P95_MS = 30.0
APPLY_BATCH = 500


async def visible_items(
    resources: AppContext, history: int, resume: int
) -> tuple[list[tuple[uuid.UUID, uuid.UUID | None]], list[tuple[uuid.UUID, uuid.UUID | None]]]:
    """(title, episode) items an Indian viewer with the default profile may watch: `history`
    to finish (films and episodes alternately, the episodes of the series taken round-robin,
    so many series stop midway and have a "next up"), and `resume` items of other titles."""
    viewer = anonymous_viewer()
    wanted = 2 * (history + resume)
    films = (
        select(Content.id)
        .where(VISIBLE, Content.type != ContentType.TV_SHOW)
        .order_by(Content.id)
        .limit(wanted)
    )
    episodes = (
        select(Season.content_id, Episode.id)
        .join(Episode, Episode.season_id == Season.id)
        .join(Content, Content.id == Season.content_id)
        .where(VISIBLE)
        .order_by(Season.content_id, Season.season_number, Episode.episode_number)
        .limit(wanted)
    )
    async with resources.sessionmaker() as db:
        film_items = [(row.id, None) for row in await db.execute(films, viewer.params)]
        by_series: dict[uuid.UUID, list[uuid.UUID]] = {}
        for row in await db.execute(episodes, viewer.params):
            by_series.setdefault(row.content_id, []).append(row.id)
    rounds = zip_longest(*by_series.values())
    episode_items = [
        (series, episode)
        for round_ in rounds
        for series, episode in zip(by_series, round_, strict=True)
        if episode is not None
    ]
    mixed = [
        item for pair in zip_longest(film_items, episode_items) for item in pair if item is not None
    ]
    finished = mixed[:history]
    used = {content for content, _ in finished}
    partway: list[tuple[uuid.UUID, uuid.UUID | None]] = []
    for content, episode in mixed[history:]:
        if content not in used and len(partway) < resume:
            partway.append((content, episode))
            used.add(content)
    return finished, partway


async def sign_up(host: str, port: int) -> dict[str, Any]:
    body = json.dumps(
        {"email": f"bench-{secrets.token_hex(4)}@example.com", "password": "Bench-Activity-42"}
    ).encode()
    raw = render_request(
        "POST",
        "/api/auth/register",
        f"{host}:{port}",
        headers=[("Content-Type", "application/json")],
        body=body,
    )
    response = await one_shot(host, port, raw, timeout_s=30)
    if response.status != 201:
        raise RuntimeError(f"register: HTTP {response.status} {response.body[:300]!r}")
    return dict(json.loads(response.body))


async def record_activity(
    resources: AppContext,
    account: dict[str, Any],
    finished: list[tuple[uuid.UUID, uuid.UUID | None]],
    partway: list[tuple[uuid.UUID, uuid.UUID | None]],
) -> None:
    """The `finished` items watched to the end, then the `partway` ones stopped (newest)."""
    store = PostgresActivityStore(resources.sessionmaker)
    settings = resources.settings
    user_id = uuid.UUID(account["user"]["id"])
    profile_id = uuid.UUID(account["profile_id"])
    moment = datetime.now(UTC) - timedelta(days=30)
    events: list[PlaybackEvent] = []
    for index, (content_id, episode_id) in enumerate([*finished, *partway]):
        done = index < len(finished)
        model = PlaybackCompleted if done else PlaybackPosition
        moment += timedelta(minutes=1)
        events.append(
            model(
                session_id=uuid.uuid4().hex,
                user_id=user_id,
                profile_id=profile_id,
                content_id=content_id,
                episode_id=episode_id,
                device_type="bench",
                position_seconds=2400.0 if done else 900.0,
                duration_seconds=2400.0,
                sequence=1,
                occurred_at=moment,
            )
        )
    for start in range(0, len(events), APPLY_BATCH):
        await service.apply_playback_events(
            store=store, settings=settings, payloads=events[start : start + APPLY_BATCH]
        )
    async with resources.engine.connect() as conn:
        entries = await conn.scalar(
            text("SELECT count(*) FROM watch_history WHERE profile_id = :p"), {"p": profile_id}
        )
        await conn.execute(text("ANALYZE watch_progress, watch_history, continue_watching_hidden"))
        await conn.commit()
    print(f"  {entries} history entries, {len(partway)} titles partway", flush=True)


async def run(args: argparse.Namespace) -> tuple[int, dict[str, Any]]:
    kind = args.stores
    if kind == "auto":
        kind = "local" if local_postgres_answers() else "embedded"
    failures: list[str] = []
    report: dict[str, Any] = {"started_at": datetime.now(UTC).isoformat(), "args": vars(args)}
    with scratch_folder("ott-bench-activity-", keep=args.keep_scratch) as scratch:
        stores: Stores | None = None
        resources: AppContext | None = None
        try:
            report["machine"] = machine_description()
            print(f"machine: {report['machine']}\nstores: {kind}; scratch {scratch}", flush=True)
            stores = await open_stores(kind, scratch, secrets.token_hex(4))
            resources, report["postgres"] = await open_resources(stores)
            await load_catalog(resources, args.titles)
            finished, partway = await visible_items(resources, args.history, args.resume)
            if len(finished) < args.history or len(partway) < args.resume:
                raise RuntimeError(
                    f"only {len(finished)} + {len(partway)} visible items for {args.history} + "
                    f"{args.resume}: raise --titles"
                )
            config = ServerConfig("activity", 10.0, "WARNING")
            async with serving(
                config, stores, scratch, secrets.token_urlsafe(48), args.env
            ) as server:
                parts = urlsplit(server.url)
                host, port = parts.hostname or "127.0.0.1", parts.port or 80
                account = await sign_up(host, port)
                t0 = time.perf_counter()
                await record_activity(resources, account, finished, partway)
                report["setup_activity_s"] = round(time.perf_counter() - t0, 2)
                request = render_request(
                    "GET",
                    f"{PATH}?limit={args.limit}",
                    f"{host}:{port}",
                    headers=[("Authorization", f"Bearer {account['access_token']}")],
                )
                check = await one_shot(host, port, request, timeout_s=10)
                answer = json.loads(check.body)
                if check.status != 200 or not answer.get("items"):
                    raise RuntimeError(f"sanity check: HTTP {check.status} {check.body[:300]!r}")
                kinds = [item["kind"] for item in answer["items"]]
                print(
                    f"  continue watching answers {len(kinds)} items: {kinds.count('resume')} "
                    f"resume, {kinds.count('next_up')} next up",
                    flush=True,
                )
                pool = ConnectionPool(host, port)
                try:
                    gc.collect()
                    gc.freeze()
                    if args.warmup:
                        await constant_rate(pool, [request], rate=args.rate, duration=args.warmup)
                    result = await constant_rate(
                        pool, [request], rate=args.rate, duration=args.duration
                    )
                finally:
                    pool.close()
            print(format_result("continue watching", result), flush=True)
            summary = result.summary()
            report["continue_watching"] = summary
            verdict = summary["p95_ms"] < TARGET_P95_MS
            report["target_met"] = verdict
            print(
                f"p95 {summary['p95_ms']} ms: target {TARGET_P95_MS:g} ms "
                f"{'met' if verdict else 'NOT met'}"
            )
        except Exception as exc:
            failures.append(f"{exc!r}")
            print_failure(repr(exc))
        finally:
            if resources is not None:
                with contextlib.suppress(Exception):
                    await resources.close()
            if stores is not None:
                for problem in await close_stores(stores):
                    print(f"clean-up: {problem}", file=sys.stderr)
    report["failures"] = failures
    return (1 if failures else 0), report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", choices=("auto", "local", "embedded"), default="auto")
    parser.add_argument("--titles", type=int, default=1500, help="generated catalog size")
    parser.add_argument("--history", type=int, default=1000, help="watched items of the profile")
    parser.add_argument("--resume", type=int, default=40, help="titles stopped partway")
    parser.add_argument("--limit", type=int, default=20, help="items asked for")
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before measuring")
    parser.add_argument("--env", choices=("production", "development"), default="production")
    parser.add_argument("--keep-scratch", action="store_true")
    parser.add_argument("--json-out", default=str(RESULTS_DIR / "activity.json"))
    args = parser.parse_args()
    code, report = uvloop.run(run(args))
    out = Path(args.json_out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"raw results: {out}")
    sys.exit(code)


if __name__ == "__main__":
    main()
