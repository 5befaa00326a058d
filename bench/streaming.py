"""Benchmark: the streaming service through the gateway of `ott serve --workers N`.

    .venv/bin/python bench/streaming.py                      # the issue's run: long
    .venv/bin/python bench/streaming.py --viewers 50 --duration 5 --start-rate 50 \\
        --manifest-duration 1 --manifest-rate 40 --segment-duration 1 --segment-rate 20 \\
        --segment-files 4 --video-seconds 8 --flush-wait 0   # a smoke test: about 20 s

What it does:

1. fresh stores (a database of its own on the local PostgreSQL, or embedded ones), `ott serve`
   on them (BCRYPT_ROUNDS=4: sign-ups are set-up here, not what is measured);
2. one published film with real video: a generated source of --video-seconds transcoded by the
   local transcoder, stored and registered as the pipeline does;
3. --viewers accounts, signed up (not measured);
4. (b) `POST /api/stream/playback/start` for every viewer, open loop at --start-rate, then
   `GET /api/stream/{id}/manifest` at --manifest-rate: p50/p95 (target p95 < 20 ms);
5. (a) every viewer reports its position every --interval seconds (5,000 viewers: 500
   updates/s) for --duration seconds: throughput and p95 (target < 30 ms); afterwards, after
   --flush-wait seconds, how many viewers' last position reached the durable activity store
   (`count_durable_positions`: the one function to adjust to the activity service's table);
6. (c) --segment-size files (2 MB) fetched under signed URLs through the development server
   (the gateway's /media) and through Nginx serving the same folder with the configuration
   of deploy/nginx, in the same run: throughput (MB/s) and p95. Skipped if nginx is missing.

Exits non-zero when something failed (set-up, non-2xx answers), not when a target is missed.
Results (JSON) go to bench/results/streaming-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import secrets
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import uvloop
from sqlalchemy import text

from auth_profiles import Platform, User, register_users
from catalog_stores import close_stores, local_postgres_answers, open_resources, open_stores
from loadgen import ConnectionPool, Response, RunResult, constant_rate, render_request
from ott.content.indexing import sort_title
from ott.content.models import Content, ContentType, WorkflowState
from ott.core.app_context import AppContext
from ott.core.signing import MediaSigner
from ott.core.storage import LocalStorage
from ott.media.encoding.ffmpeg import resolve_ffmpeg
from ott.media.encoding.local import LocalTranscoder
from ott.media.encoding.transcoder import TranscodeRequest
from ott.media.jobs.registration import output_files, result_document, upload
from ott.media.models import Encoding, EncodingStatus
from ott.streaming.nginx import render
from processes import (
    Server,
    free_port,
    ott_command,
    print_failure,
    scratch_folder,
    start_process,
    stop_server,
    wait_healthy,
)
from report_format import RESULTS_DIR, machine_description

BENCH_DIR = Path(__file__).resolve().parent
TEMPLATE = BENCH_DIR.parent / "deploy" / "nginx" / "ott.conf.template"
START_PATH = "/api/stream/playback/start"
POSITION_PATH = "/api/stream/playback/position"
TARGET_POSITION_P95_MS = 30.0
TARGET_START_P95_MS = 20.0
_TIMEOUT_S = 30.0


# --------------------------------------------------------------------------- set-up


@dataclass
class Film:
    content_id: uuid.UUID
    encoding_id: uuid.UUID
    folder: str  # videos/<title>/<encoding>
    duration: float


def make_source(folder: Path, seconds: float) -> Path:
    """A 320x180 test pattern with a tone (small, so transcoding it is quick)."""
    path = folder / f"source_{seconds:g}s.mp4"
    subprocess.run(
        [
            resolve_ffmpeg(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size=320x180:rate=25:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25",
            "-c:a", "aac", str(path),
        ],
        check=True,
        timeout=600,
    )  # fmt: skip
    return path


async def publish_film(
    resources: AppContext, media_root: Path, scratch: Path, seconds: float
) -> Film:
    """A published film whose video is a real transcode, registered as the pipeline does."""
    source = await asyncio.to_thread(make_source, scratch, seconds)
    out = scratch / "encoded"
    out.mkdir()
    result = await LocalTranscoder(preset="ultrafast").transcode(TranscodeRequest(source), out)
    content_id, encoding_id = uuid.uuid4(), uuid.uuid4()
    folder = f"videos/{content_id}/{encoding_id}"
    urls = await upload(
        storage=LocalStorage(media_root),
        out_dir=out,
        files=output_files(result, out),
        prefix=folder,
        uploaded=[],
    )
    async with resources.sessionmaker() as db, db.begin():
        db.add(
            Content(
                id=content_id,
                type=ContentType.MOVIE,
                title="Benchmark Film",
                sort_title=sort_title("Benchmark Film"),
                workflow_state=WorkflowState.PUBLISHED,
                release_date=date(2024, 1, 1),
                maturity_rating="PG",
                maturity_level=1,
            )
        )
        await db.flush()
        db.add(
            Encoding(
                id=encoding_id,
                content_id=content_id,
                status=EncodingStatus.SUCCEEDED,
                progress=100,
                source_key=f"sources/{encoding_id}/source.mp4",
                result=result_document(result, urls),
                finished_at=datetime.now(UTC),
            )
        )
    return Film(content_id, encoding_id, folder, result.source.duration_seconds)


def write_segments(media_root: Path, film: Film, *, count: int, size: int) -> list[str]:
    """`count` files of `size` bytes in the film's folder (what 2 MB segments cost to serve
    does not depend on what they hold)."""
    names = []
    for index in range(count):
        name = f"bench_{index:03d}.m4s"
        (media_root / film.folder / name).write_bytes(os.urandom(size))
        names.append(name)
    return names


# --------------------------------------------------------------------------- measuring


def _json_request(
    method: str, path: str, authority: str, token: str, body: dict[str, Any]
) -> bytes:
    return render_request(
        method,
        path,
        authority,
        headers=[("Authorization", f"Bearer {token}"), ("Content-Type", "application/json")],
        body=json.dumps(body).encode(),
    )


def line(name: str, result: RunResult, *, target_ms: float | None = None) -> str:
    s = result.summary()
    verdict = ""
    if target_ms is not None:
        verdict = " PASS" if s["p95_ms"] < target_ms and not result.errors else " FAIL"
        verdict += f" (target p95 < {target_ms:g} ms)"
    return (
        f"{name:<28} {s['ok']:>7}/{s['scheduled']:<7} {s['throughput_rps']:>8} req/s  "
        f"p50 {s['p50_ms']:>7} ms  p95 {s['p95_ms']:>7} ms  p99 {s['p99_ms']:>7} ms  "
        f"errors {s['errors'] or 'none'}{verdict}"
    )


async def start_sessions(
    pool: ConnectionPool,
    authority: str,
    users: list[User],
    film: Film,
    rate: float,
    *,
    warmup: float,
) -> tuple[RunResult, dict[int, str]]:
    """(b) one playback start per viewer, open loop; the session ids by viewer. The first
    `warmup` seconds' worth of viewers start once before, unmeasured (pools and caches warm
    up; their measured start then replaces that session, as the same device starting again)."""
    requests = [
        _json_request(
            "POST",
            START_PATH,
            authority,
            user.access_token,
            {
                "content_id": str(film.content_id),
                "format": "hls",
                "device": {"id": f"bench-{index}", "type": "web"},
            },
        )
        for index, user in enumerate(users)
    ]
    sessions: dict[int, str] = {}

    def keep(index: int, response: Response) -> None:
        if response.status == 201:
            sessions[index] = json.loads(response.body)["session_id"]

    early = requests[: min(len(requests), int(rate * warmup))]
    if early:
        await constant_rate(pool, early, rate=rate, duration=len(early) / rate)
    result = await constant_rate(
        pool, requests, rate=rate, duration=len(requests) / rate, on_response=keep
    )
    return result, sessions


def lease_seconds(args: argparse.Namespace) -> int:
    """Longer than the start phase and a manifest phase after it, at least the default 60."""
    return max(60, math.ceil(args.viewers / args.start_rate + args.warmup) * 2 + 60)


def position_requests(
    authority: str,
    users: list[User],
    sessions: dict[int, str],
    *,
    updates: int,
    interval: float,
    duration: float,
) -> tuple[list[bytes], dict[int, float]]:
    """Update k goes to viewer k mod N as its (k div N + 1)-th; each viewer's last position."""
    viewers = sorted(sessions)
    if not viewers:
        raise RuntimeError("no playback session was started")
    requests, last = [], {}
    for k in range(updates):
        viewer = viewers[k % len(viewers)]
        sequence = k // len(viewers) + 1
        position = min(sequence * interval, max(0.0, duration - 1.0))
        last[viewer] = position
        requests.append(
            _json_request(
                "PUT",
                POSITION_PATH,
                authority,
                users[viewer].access_token,
                {
                    "session_id": sessions[viewer],
                    "position_seconds": position,
                    "sequence": sequence,
                },
            )
        )
    return requests, last


async def count_durable_positions(
    resources: AppContext, film: Film, last: dict[str, float]
) -> dict[str, Any]:
    """How many playback sessions' last acknowledged position (`last`: session id → position)
    is in the durable activity store: the user activity service's PostgreSQL table of viewing
    sessions (the spec's viewing_sessions; the benchmark runs without MONGODB_URI). Matched by
    session, not by profile: a viewer started twice (the warm-up) has two sessions."""
    async with resources.engine.connect() as conn:
        exists = await conn.scalar(text("SELECT to_regclass('viewing_sessions') IS NOT NULL"))
        if not exists:
            return {"store": None, "note": "no viewing_sessions table: no activity service here"}
        rows = (
            await conn.execute(
                text(
                    "SELECT session_id, position_seconds FROM viewing_sessions "
                    "WHERE content_id = :content_id"
                ),
                {"content_id": film.content_id},
            )
        ).all()
    stored = {str(row.session_id): float(row.position_seconds) for row in rows}
    matching = sum(1 for session, position in last.items() if stored.get(session) == position)
    return {
        "store": "viewing_sessions",
        "sessions": len(last),
        "last_position_stored": matching,
        "lost": len(last) - matching,
    }


def nginx_binary() -> str | None:
    found = shutil.which("nginx")
    if found is None and Path("/usr/sbin/nginx").exists():
        found = "/usr/sbin/nginx"
    return found


@contextlib.asynccontextmanager
async def nginx_in_front(scratch: Path, media_root: Path, gateway: str, secret: str) -> Any:
    """Nginx with deploy/nginx's configuration serving `media_root`; its URL (None without
    nginx)."""
    binary = nginx_binary()
    if binary is None:
        yield None
        return
    folder = scratch / "nginx"
    folder.mkdir()
    port = free_port()
    (folder / "ott.conf").write_text(
        render(
            TEMPLATE.read_text(),
            listen=f"127.0.0.1:{port}",
            gateway=gateway,
            media_root=media_root,
            secret=secret,
            cors_origins=[],
        )
    )
    temp = " ".join(
        f"{k}_temp_path {folder / k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(
        f"daemon off; worker_processes 1; {user}\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\nevents {{ worker_connections 1024; }}\n"
        f"http {{ access_log off; {temp} include {folder / 'ott.conf'}; }}\n"
    )
    server = start_process(
        "nginx",
        [binary, "-p", str(folder), "-c", str(folder / "nginx.conf")],
        f"http://127.0.0.1:{port}",
        folder,
        dict(os.environ),
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            if time.monotonic() > deadline or (
                server.process and server.process.poll() is not None
            ):
                raise RuntimeError(f"nginx did not start:\n{server.log_tail()}")
            await asyncio.sleep(0.1)
        yield server.url
    finally:
        stop_server(server, None)


async def segment_runs(
    urls: dict[str, str],
    names: list[str],
    base_path: str,
    *,
    rate: float,
    duration: float,
    size: int,
) -> dict[str, RunResult]:
    """(c) the same signed files through each server, one after the other."""
    results = {}
    for label, url in urls.items():
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        requests = [render_request("GET", base_path + name, f"{host}:{port}") for name in names]
        pool = ConnectionPool(host, port, max_connections=64)
        try:
            await constant_rate(pool, requests, rate=rate, duration=min(2.0, duration))  # warm-up
            results[label] = await constant_rate(pool, requests, rate=rate, duration=duration)
        finally:
            pool.close()
        mb_s = results[label].throughput * size / 1e6
        print(line(f"segments via {label}", results[label]) + f"  {mb_s:.1f} MB/s")
    return results


# --------------------------------------------------------------------------- the run


async def run(args: argparse.Namespace) -> int:
    kind = args.stores or ("local" if local_postgres_answers() else "embedded")
    run_id = secrets.token_hex(4)
    failures = 0
    report: dict[str, Any] = {"machine": machine_description(), "args": vars(args), "stores": kind}
    with scratch_folder("ott-bench-streaming-", keep=args.keep) as scratch:
        stores = await open_stores(kind, scratch, run_id)
        resources, _ = await open_resources(stores)
        server: Server | None = None
        try:
            media_root = stores.data_dir / "media"
            media_root.mkdir(exist_ok=True)
            secret = secrets.token_urlsafe(36)
            print(f"transcoding a {args.video_seconds:g} s source…", flush=True)
            film = await publish_film(resources, media_root, scratch, args.video_seconds)
            names = write_segments(
                media_root, film, count=args.segment_files, size=args.segment_size
            )

            port = free_port()
            env = stores.server_env()
            env.update(
                {
                    "OTT_ENV": "production",
                    "JWT_SECRET": secrets.token_urlsafe(48),
                    "MEDIA_SIGNING_SECRET": secret,
                    "BCRYPT_ROUNDS": "4",
                    "RUN_WORKER_IN_PROCESS": "false",
                    # Starting every viewer takes viewers / start-rate seconds (100 s for the
                    # defaults) before the first position update renews anyone's lease; players
                    # renew every 10 s, so a lease that outlives the start phase measures the
                    # same steady state without the first viewers' streams lapsing meanwhile.
                    "STREAM_LEASE_SECONDS": str(lease_seconds(args)),
                    "LOG_LEVEL": "WARNING",
                }
            )
            command = [
                *ott_command(),
                "serve",
                "--no-demo",
                "--port",
                str(port),
                "--data-dir",
                str(stores.data_dir),
                "--workers",
                str(args.workers),
            ]
            server = start_process("ott-serve", command, f"http://127.0.0.1:{port}", scratch, env)
            await wait_healthy(server)
            print(
                f"gateway processes: {args.workers} (`ott serve --workers`, every service in each)"
            )
            report["gateway_processes"] = args.workers

            platform = Platform(server.url)
            print(f"signing up {args.viewers} viewers…", flush=True)
            users = await register_users(platform, args.viewers, concurrency=16)

            pool = ConnectionPool(
                platform.host, platform.port, max_connections=args.max_connections
            )
            try:
                started, sessions = await start_sessions(
                    pool, platform.authority, users, film, args.start_rate, warmup=args.warmup
                )
                print(line("start", started, target_ms=TARGET_START_P95_MS))
                failures += started.errors
                sample = sorted(sessions)[: max(1, min(len(sessions), 500))]
                manifests = [
                    render_request(
                        "GET",
                        f"/api/stream/{film.content_id}/manifest?session={sessions[i]}",
                        platform.authority,
                        headers=[("Authorization", f"Bearer {users[i].access_token}")],
                    )
                    for i in sample
                ]
                manifest = await constant_rate(
                    pool, manifests, rate=args.manifest_rate, duration=args.manifest_duration
                )
                print(line("manifest", manifest, target_ms=TARGET_START_P95_MS))
                failures += manifest.errors

                rate = len(sessions) / args.interval
                updates = int(rate * args.duration)
                requests, last = position_requests(
                    platform.authority,
                    users,
                    sessions,
                    updates=updates,
                    interval=args.interval,
                    duration=film.duration,
                )
                viewers = sorted(sessions)
                acknowledged: dict[int, tuple[int, float]] = {}

                def acknowledge(index: int, response: Response) -> None:
                    # What the server applied and said so: the position the store must hold.
                    if response.status != 200:
                        return
                    answer = json.loads(response.body)
                    viewer = viewers[index % len(viewers)]
                    applied = (int(answer["sequence"]), float(answer["position_seconds"]))
                    acknowledged[viewer] = max(acknowledged.get(viewer, applied), applied)

                positions = await constant_rate(
                    pool, requests, rate=rate, duration=args.duration, on_response=acknowledge
                )
                print(
                    line(
                        f"position ({len(sessions)} viewers)",
                        positions,
                        target_ms=TARGET_POSITION_P95_MS,
                    )
                )
                failures += positions.errors
            finally:
                pool.close()

            if args.flush_wait > 0:
                await asyncio.sleep(args.flush_wait)
            # Every session whose updates were answered at all: its last acknowledged position.
            by_session = {
                sessions[viewer]: position for viewer, (_, position) in acknowledged.items()
            }
            report["positions_sent_last"] = len(last)
            durable = await count_durable_positions(resources, film, by_session)
            print(f"durable store: {durable}")

            signed = MediaSigner(secret=secret, base_url="/media", token_seconds=3600).sign(
                film.folder
            )
            base_path = signed.base_url
            async with nginx_in_front(
                scratch, media_root, f"127.0.0.1:{port}", secret
            ) as nginx_url:
                targets = {"dev server (gateway /media)": server.url}
                if nginx_url:
                    targets["nginx"] = nginx_url
                else:
                    print("nginx not installed: only the development server is measured")
                segments = await segment_runs(
                    targets,
                    names,
                    base_path,
                    rate=args.segment_rate,
                    duration=args.segment_duration,
                    size=args.segment_size,
                )
            failures += sum(r.errors for r in segments.values())

            report.update(
                {
                    "start": started.summary(),
                    "manifest": manifest.summary(),
                    "positions": positions.summary(),
                    "durable": durable,
                    "segments": {
                        k: v.summary()
                        | {"mb_per_s": round(v.throughput * args.segment_size / 1e6, 1)}
                        for k, v in segments.items()
                    },
                }
            )
        except Exception as exc:
            print_failure(repr(exc), server)
            failures += 1
        finally:
            if server is not None:
                stop_server(server, None)
            await resources.close()
            for problem in await close_stores(stores):
                print(f"clean-up: {problem}", file=sys.stderr)
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"streaming-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"results: {out}")
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=5000)
    parser.add_argument(
        "--interval", type=float, default=10.0, help="seconds between a viewer's updates"
    )
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of position updates")
    parser.add_argument("--start-rate", type=float, default=50.0, help="starts per second")
    parser.add_argument(
        "--workers", type=int, default=2, help="gateway processes (`ott serve --workers`)"
    )
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="seconds of unmeasured starts first"
    )
    parser.add_argument("--manifest-rate", type=float, default=200.0)
    parser.add_argument("--manifest-duration", type=float, default=10.0)
    parser.add_argument("--video-seconds", type=float, default=150.0, help="the film's length")
    parser.add_argument(
        "--flush-wait", type=float, default=15.0, help="wait before counting the durable store"
    )
    parser.add_argument("--segment-size", type=int, default=2_000_000)
    parser.add_argument("--segment-files", type=int, default=20)
    parser.add_argument("--segment-rate", type=float, default=50.0, help="segment GETs per second")
    parser.add_argument("--segment-duration", type=float, default=10.0)
    parser.add_argument("--max-connections", type=int, default=256)
    parser.add_argument("--stores", choices=("local", "embedded"), default=None)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    uvloop.install()
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
