"""Benchmark: entitlement checks and payment-webhook intake of the subscription service, through
the gateway of `ott serve`, with the bare hello app measured in the same run as the ceiling.

    .venv/bin/python bench/billing.py                        # the issue's run
    .venv/bin/python bench/billing.py --viewers 20 --rate 50 --duration 3 --warmup 1 \\
        --events 200 --subscriptions 50 --video-seconds 4    # a smoke test, about a minute

One server, with the Stripe-style provider (PAYMENT_PROVIDER=stripe, STRIPE_WEBHOOK_SECRETS set
by the run), for both parts: an entitlement check does not depend on the provider, and a
viewer subscribes the way a Stripe deployment makes one: `POST /api/subscriptions/checkout`
(the service asks Stripe's API for a Checkout Session: here a stub of that one call on
loopback, STRIPE_API_BASE_URL), then Stripe's signed `checkout.session.completed` webhook.
So every row is written by the service itself and no checkout is inserted behind its back.

What it does:

1. fresh stores, `ott serve` (production settings, BCRYPT_ROUNDS=4) and the hello app;
2. (a) --viewers accounts subscribed to premium-monthly as above (set-up); then, open loop at
   --rate for --duration s after a --warmup that asks for every account once (so every answer
   is in the Redis cache, ENTITLEMENT_CACHE_SECONDS at most 60: each account misses at most
   once a minute, as in production):
   - `GET /api/subscriptions/entitlements` (target p95 < 5 ms),
   - the hello app at the same rate,
   - `PUT /api/stream/playback/position` of those viewers (the streaming service reads the
     entitlement from the same cache on every update), on a film of --video-seconds made with
     bench/streaming.py's publish_film; --video-seconds 0 skips it;
3. (b) webhook intake: --subscriptions further accounts each with a checkout made through the
   API; --events distinct Stripe events (per account its checkout.session.completed and
   invoice.paid for each of the next periods), --duplicates of them sent a second time, all
   shuffled and sent --concurrency at a time, each signed (HMAC-SHA256 of f"{t}.{body}") as it
   goes out; then, from the database: one inbox row per distinct event, every event applied
   once (none left parked, none rejected), one paid invoice per (subscription, period), every
   subscription's period moved to its last paid one; throughput and p95 of the intake.

Exits non-zero when something failed (set-up, non-2xx answers, a check), not when a latency
target is missed. Raw JSON: bench/results/billing-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import random
import secrets
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import uvicorn
import uvloop
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from loadgen import ConnectionPool, percentile, render_request
from ott.subscriptions.periods import add_interval
from ott.subscriptions.plans import BillingInterval
from platform_setup import (
    CpuWatch,
    Phase,
    Platform,
    Viewer,
    measure,
    running_platform,
    sign_up,
)
from processes import free_port, print_failure
from report_format import RESULTS_DIR, machine_description
from streaming import POSITION_PATH, START_PATH, publish_film

PLAN = "premium-monthly"
CURRENCY = "INR"
ENTITLEMENTS_PATH = "/api/subscriptions/entitlements"
WEBHOOK_PATH = "/api/subscriptions/webhooks/stripe"
TARGET_ENTITLEMENT_P95_MS = 5.0


# --------------------------------------------------------------------------- Stripe's API


@contextlib.asynccontextmanager
async def stripe_api_stub() -> AsyncIterator[str]:
    """The one call of Stripe's API a checkout makes (POST /v1/checkout/sessions), answered on
    loopback in this process: its base URL."""

    async def create_session(request: Request) -> JSONResponse:
        form = await request.form()
        session = f"cs_test_{secrets.token_hex(12)}"
        reference = form.get("client_reference_id")
        return JSONResponse(
            {
                "id": session,
                "object": "checkout.session",
                "client_reference_id": reference,
                "url": f"https://checkout.stripe.test/c/pay/{session}",
            }
        )

    app = Starlette(routes=[Route("/v1/checkout/sessions", create_session, methods=["POST"])])
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


# --------------------------------------------------------------------------- Stripe's events


@dataclass
class Subscriber:
    viewer: Viewer
    reference: str  # the checkout's
    stripe_subscription: str
    stripe_customer: str


def _sign(secret: str, body: bytes) -> str:
    t = int(time.time())
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def checkout_completed(sub: Subscriber, amount_minor: int) -> tuple[str, bytes]:
    event_id = f"evt_{secrets.token_hex(12)}"
    body = {
        "id": event_id,
        "object": "event",
        "type": "checkout.session.completed",
        "created": int(time.time()),
        "data": {
            "object": {
                "id": f"cs_test_{secrets.token_hex(8)}",
                "object": "checkout.session",
                "mode": "subscription",
                "client_reference_id": sub.reference,
                "metadata": {"checkout_reference": sub.reference},
                "customer": sub.stripe_customer,
                "subscription": sub.stripe_subscription,
                "payment_status": "paid",
                "amount_total": amount_minor,
                "currency": CURRENCY.lower(),
            }
        },
    }
    return event_id, json.dumps(body).encode()


def invoice_paid(
    sub: Subscriber, start: datetime, end: datetime, amount_minor: int, payment: str
) -> tuple[str, bytes]:
    event_id = f"evt_{secrets.token_hex(12)}"
    body = {
        "id": event_id,
        "object": "event",
        "type": "invoice.paid",
        "created": int(time.time()),
        "data": {
            "object": {
                "id": f"in_{secrets.token_hex(8)}",
                "object": "invoice",
                "billing_reason": "subscription_cycle",
                "customer": sub.stripe_customer,
                "currency": CURRENCY.lower(),
                "amount_paid": amount_minor,
                "parent": {
                    "type": "subscription_details",
                    "subscription_details": {
                        "subscription": sub.stripe_subscription,
                        "metadata": {"checkout_reference": sub.reference},
                    },
                },
                "lines": {
                    "data": [
                        {"period": {"start": int(start.timestamp()), "end": int(end.timestamp())}}
                    ]
                },
                "payments": {
                    "data": [{"payment": {"type": "payment_intent", "payment_intent": payment}}]
                },
            }
        },
    }
    return event_id, json.dumps(body).encode()


@dataclass
class Renewal:
    subscription: str  # Stripe's id
    start: datetime
    end: datetime


# --------------------------------------------------------------------------- set-up


async def price_minor(platform: Platform) -> int:
    plans = await platform.call_json("GET", "/api/subscriptions/plans")
    for plan in plans["plans"]:
        if plan["code"] == PLAN:
            return int(Decimal(str(plan["prices"][CURRENCY])) * 100)
    raise RuntimeError(f"no plan {PLAN} in {plans}")


async def open_checkouts(
    platform: Platform, viewers: list[Viewer], *, concurrency: int = 16
) -> list[Subscriber]:
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int, viewer: Viewer) -> Subscriber:
        async with gate:
            made = await platform.call_json(
                "POST",
                "/api/subscriptions/checkout",
                expect=201,
                token=viewer.access_token,
                body={"plan_code": PLAN, "currency": CURRENCY, "trial": False},
            )
        tag = f"{index}_{secrets.token_hex(4)}"
        return Subscriber(viewer, made["reference"], f"sub_bench_{tag}", f"cus_bench_{tag}")

    return list(await asyncio.gather(*(one(i, v) for i, v in enumerate(viewers))))


async def send_webhook(pool: ConnectionPool, authority: str, secret: str, body: bytes) -> Any:
    raw = render_request(
        "POST",
        WEBHOOK_PATH,
        authority,
        headers=[("Content-Type", "application/json"), ("Stripe-Signature", _sign(secret, body))],
        body=body,
    )
    return await pool.request(raw, timeout_s=30.0)


async def subscribe_all(
    platform: Platform, viewers: list[Viewer], secret: str, amount: int
) -> list[Subscriber]:
    """Each viewer subscribed: a checkout through the API, then its completed webhook."""
    subscribers = await open_checkouts(platform, viewers)
    api = platform.api
    pool = api.pool(16)
    gate = asyncio.Semaphore(16)

    async def complete(sub: Subscriber) -> None:
        _, body = checkout_completed(sub, amount)
        async with gate:
            response = await send_webhook(pool, api.authority, secret, body)
        answer = json.loads(response.body)
        if response.status != 200 or answer.get("outcome") != "applied":
            raise RuntimeError(f"checkout.session.completed: {response.status} {answer}")

    try:
        await asyncio.gather(*(complete(s) for s in subscribers))
    finally:
        pool.close()
    check = await platform.call_json("GET", ENTITLEMENTS_PATH, token=viewers[0].access_token)
    if check["tier"] != "premium" or check["reason"] != "paid":
        raise RuntimeError(f"a subscribed viewer's entitlement: {check}")
    return subscribers


# --------------------------------------------------------------------------- (a) entitlements


async def entitlement_phases(
    platform: Platform, viewers: list[Viewer], args: argparse.Namespace
) -> list[Phase]:
    cpu = CpuWatch(platform)
    api, hello = platform.api, platform.hello_endpoint
    checks = [
        render_request(
            "GET",
            ENTITLEMENTS_PATH,
            api.authority,
            headers=[("Authorization", f"Bearer {v.access_token}")],
        )
        for v in viewers
    ]
    # Every account once first (fills the cache), then the warm-up proper.
    warm = max(args.warmup, len(checks) / args.rate)
    phases = []
    pool = api.pool()
    try:
        phases.append(
            await measure(
                "entitlements (cached)",
                pool,
                checks,
                rate=args.rate,
                duration=args.duration,
                warmup=warm,
                cpu=cpu,
                target_ms=TARGET_ENTITLEMENT_P95_MS,
            )
        )
    finally:
        pool.close()
    hello_pool = hello.pool()
    try:
        phases.append(
            await measure(
                "hello (ceiling)",
                hello_pool,
                [render_request("GET", "/hello", hello.authority)],
                rate=args.rate,
                duration=args.duration,
                warmup=args.warmup,
                cpu=cpu,
            )
        )
    finally:
        hello_pool.close()
    if args.video_seconds > 0:
        phases.append(await position_phase(platform, viewers, args, cpu))
    return phases


async def position_phase(
    platform: Platform, viewers: list[Viewer], args: argparse.Namespace, cpu: CpuWatch
) -> Phase:
    """Position updates of the subscribed viewers: each reads the entitlement (the tier decides
    what the viewer may still play) from the cache streaming shares with subscriptions."""
    print(f"transcoding a {args.video_seconds:g} s film for the position updates…", flush=True)
    media_root = platform.stores.data_dir / "media"
    media_root.mkdir(exist_ok=True)
    film = await publish_film(platform.resources, media_root, platform.scratch, args.video_seconds)
    api = platform.api
    sessions: list[tuple[Viewer, str]] = []
    for index, viewer in enumerate(viewers):
        started = await platform.call_json(
            "POST",
            START_PATH,
            expect=201,
            token=viewer.access_token,
            body={
                "content_id": str(film.content_id),
                "format": "hls",
                "device": {"id": f"bench-{index}", "type": "web"},
            },
        )
        sessions.append((viewer, started["session_id"]))
    # Update k of a viewer: sequence k, the position moving on and held below the end.
    total = int(args.rate * (args.duration + args.warmup)) + len(sessions)
    updates = []
    for k in range(total):
        viewer, session = sessions[k % len(sessions)]
        sequence = k // len(sessions) + 1
        position = min(sequence * 1.0, max(0.0, film.duration - 1.0))
        updates.append(
            render_request(
                "PUT",
                POSITION_PATH,
                api.authority,
                headers=[
                    ("Authorization", f"Bearer {viewer.access_token}"),
                    ("Content-Type", "application/json"),
                ],
                body=json.dumps(
                    {"session_id": session, "position_seconds": position, "sequence": sequence}
                ).encode(),
            )
        )
    warm = int(args.rate * args.warmup)
    pool = api.pool()
    try:
        return await measure(
            "position updates (entitlement read)",
            pool,
            updates[warm:],
            rate=args.rate,
            duration=args.duration,
            warmup=args.warmup,
            cpu=cpu,
            warmup_requests=updates[:warm] or updates[:1],
        )
    finally:
        pool.close()


# --------------------------------------------------------------------------- (b) webhooks


@dataclass
class Intake:
    sent: int
    distinct: int
    copies: int
    seconds: float
    latencies: list[float]
    statuses: Counter[str]
    duplicate_answers: int
    outcomes: Counter[str]
    redelivered: int
    undelivered: int
    cpu: dict[str, float]

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        return {
            "sent": self.sent,
            "distinct_events": self.distinct,
            "copies": self.copies,
            "seconds": round(self.seconds, 3),
            "throughput_per_s": round(self.sent / self.seconds, 1) if self.seconds else None,
            "p50_ms": round(percentile(ordered, 0.5) * 1000, 2),
            "p95_ms": round(percentile(ordered, 0.95) * 1000, 2),
            "max_ms": round(ordered[-1] * 1000, 2) if ordered else None,
            "statuses": dict(self.statuses),
            "answered_duplicate": self.duplicate_answers,
            "answered_outcomes": dict(self.outcomes),
            "redelivered": self.redelivered,
            "undelivered": self.undelivered,
            "cpu_cores": {k: round(v, 3) for k, v in self.cpu.items()},
        }


async def webhook_intake(
    platform: Platform,
    subscribers: list[Subscriber],
    secret: str,
    amount: int,
    args: argparse.Namespace,
) -> tuple[Intake, dict[str, Any]]:
    renewals_each = max(0, args.events // len(subscribers) - 1)
    now = datetime.now(UTC).replace(microsecond=0)  # Stripe's times are whole seconds
    events: list[tuple[str, bytes]] = []
    renewals: list[Renewal] = []
    for index, sub in enumerate(subscribers):
        events.append(checkout_completed(sub, amount))
        # The server starts the first period at the checkout's completion (about now); the
        # provider's renewals follow it, within the hour the service allows for clocks.
        start = add_interval(now, BillingInterval.MONTH)
        for k in range(renewals_each):
            end = add_interval(start, BillingInterval.MONTH)
            payment = f"pi_bench_{index}_{k}_{secrets.token_hex(4)}"
            events.append(invoice_paid(sub, start, end, amount, payment))
            renewals.append(Renewal(sub.stripe_subscription, start, end))
            start = end
    rng = random.Random(args.seed)
    copies = rng.sample(events, round(len(events) * args.duplicates))
    deliveries = [body for _, body in events] + [body for _, body in copies]
    rng.shuffle(deliveries)
    print(
        f"webhook intake: {len(events)} distinct events ({len(subscribers)} checkouts completed, "
        f"{renewals_each} renewals each), {len(copies)} sent twice, {len(deliveries)} deliveries, "
        f"{args.concurrency} at a time…",
        flush=True,
    )
    api = platform.api
    pool = api.pool(args.concurrency)
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    duplicates = 0
    failed: list[bytes] = []

    async def deliver(queue: list[bytes]) -> None:
        nonlocal duplicates
        while queue:
            body = queue.pop()
            began = time.perf_counter()
            try:
                response = await send_webhook(pool, api.authority, secret, body)
            except Exception as exc:  # counted, and delivered again as a provider would
                statuses[type(exc).__name__] += 1
                failed.append(body)
                continue
            if response.status != 200:
                statuses[str(response.status)] += 1
                failed.append(body)
                continue
            latencies.append(time.perf_counter() - began)
            answer = json.loads(response.body)
            if answer.get("duplicate"):
                duplicates += 1
            else:
                outcomes[str(answer.get("outcome"))] += 1

    cpu = CpuWatch(platform)
    queue = list(reversed(deliveries))
    started = time.perf_counter()
    try:
        async with cpu.measure() as used:
            await asyncio.gather(*(deliver(queue) for _ in range(args.concurrency)))
        seconds = time.perf_counter() - started
        # Stripe delivers again what was not answered 2xx (after a while, with backoff).
        redelivered = 0
        for _ in range(5):
            if not failed:
                break
            await asyncio.sleep(1.0)
            queue, failed = list(failed), []
            redelivered += len(queue)
            await asyncio.gather(*(deliver(queue) for _ in range(args.concurrency)))
    finally:
        pool.close()
    intake = Intake(
        sent=len(deliveries),
        distinct=len(events),
        copies=len(copies),
        seconds=seconds,
        latencies=latencies,
        statuses=statuses,
        duplicate_answers=duplicates,
        outcomes=outcomes,
        redelivered=redelivered,
        undelivered=len(failed),
        cpu=used,
    )
    checks = await check_applied_once(
        platform,
        {event_id: json.loads(body)["type"] for event_id, body in events},
        subscribers,
        renewals,
        len(copies),
    )
    # Each distinct event answered once as received (applied, parked...), every other 2xx
    # answer a duplicate.
    checks["answered_once_each"] = sum(outcomes.values()) == len(events) and not failed
    return intake, checks


async def check_applied_once(
    platform: Platform,
    types: dict[str, str],
    subscribers: list[Subscriber],
    renewals: list[Renewal],
    copies: int,
) -> dict[str, Any]:
    """What the database says happened."""
    ids = sorted(types)
    stripe_ids = [s.stripe_subscription for s in subscribers]
    async with platform.resources.engine.connect() as conn:
        inbox = (
            await conn.execute(
                text(
                    "SELECT event_id, outcome::text AS outcome, count(*) AS n FROM webhook_inbox "
                    "WHERE provider = 'stripe' AND event_id = ANY(:ids) "
                    "GROUP BY event_id, outcome"
                ),
                {"ids": ids},
            )
        ).all()
        rejected = await conn.scalar(
            text("SELECT count(*) FROM webhook_inbox WHERE outcome = 'rejected'")
        )
        subscriptions = {
            row.provider_subscription_id: row
            for row in (
                await conn.execute(
                    text(
                        "SELECT id, provider_subscription_id, status::text AS status, "
                        "current_period_start, current_period_end FROM subscriptions "
                        "WHERE provider = 'stripe' AND provider_subscription_id = ANY(:ids)"
                    ),
                    {"ids": stripe_ids},
                )
            ).all()
        }
        invoices = (
            await conn.execute(
                text(
                    "SELECT s.provider_subscription_id AS sub, i.period_start, i.period_end, "
                    "i.status::text AS status, count(*) AS n FROM invoices i "
                    "JOIN subscriptions s ON s.id = i.subscription_id "
                    "WHERE s.provider_subscription_id = ANY(:ids) "
                    "GROUP BY 1, 2, 3, 4"
                ),
                {"ids": stripe_ids},
            )
        ).all()
    rows_per_event = Counter[str]()
    outcome_of: dict[str, str] = {}
    for row in inbox:
        rows_per_event[row.event_id] += row.n
        outcome_of[row.event_id] = row.outcome
    outcomes = Counter(outcome_of.values())
    parked = [event_id for event_id, outcome in outcome_of.items() if outcome != "applied"]
    not_applied = Counter(f"{types[e]}: {outcome_of[e]}" for e in parked)
    paid = {(row.sub, row.period_start): row for row in invoices if row.status == "paid"}
    renewal_invoices_paid = sum(
        1
        for r in renewals
        if (found := paid.get((r.subscription, r.start))) is not None and found.n == 1
    )
    last_end: dict[str, datetime] = {}
    for r in renewals:
        last_end[r.subscription] = max(last_end.get(r.subscription, r.end), r.end)
    moved = sum(
        1
        for sub, end in last_end.items()
        if sub in subscriptions and subscriptions[sub].current_period_end == end
    )
    result = {
        "inbox_rows": sum(rows_per_event.values()),
        "distinct_events": len(ids),
        "events_missing": len(set(ids) - set(rows_per_event)),
        "events_with_more_than_one_row": sum(1 for n in rows_per_event.values() if n > 1),
        "outcomes": dict(outcomes),
        "not_applied_by_type": dict(not_applied),
        "rejected_rows": rejected,
        "copies_sent": copies,
        "subscriptions_made": len(subscriptions),
        "subscriptions_expected": len(subscribers),
        "invoices_per_period_max": max((row.n for row in invoices), default=0),
        "renewals": len(renewals),
        "renewal_invoices_paid_once": renewal_invoices_paid,
        "subscriptions_at_last_paid_period": moved,
        "subscriptions_with_renewals": len(last_end),
        "statuses": dict(Counter(row.status for row in subscriptions.values())),
    }
    result["ok"] = (
        result["inbox_rows"] == len(ids)
        and result["events_missing"] == 0
        and result["events_with_more_than_one_row"] == 0
        and not rejected
        and outcomes.get("unknown_subscription", 0) == 0
        and outcomes.get("ignored", 0) == 0
        and len(subscriptions) == len(subscribers)
        and result["invoices_per_period_max"] <= 1
        and renewal_invoices_paid == len(renewals)
        and moved == len(last_end)
    )
    return result


# --------------------------------------------------------------------------- the run


async def run(args: argparse.Namespace) -> tuple[int, dict[str, Any]]:
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine_description(),
        "args": vars(args),
    }
    failures: list[str] = []
    secret = f"whsec_{secrets.token_urlsafe(24)}"
    try:
        async with stripe_api_stub() as stripe_url:
            env = {
                "PAYMENT_PROVIDER": "stripe",
                "STRIPE_WEBHOOK_SECRETS": secret,
                "STRIPE_API_KEY": "sk_test_bench",
                "STRIPE_API_BASE_URL": stripe_url,
                "OTT_ENV": args.env,
            }
            async with running_platform(
                "ott-bench-billing-", env, stores_kind=args.stores, keep=args.keep
            ) as platform:
                amount = await price_minor(platform)
                print(f"subscribing {args.viewers} viewers (checkout + webhook; set-up)…")
                viewers = await sign_up(platform, args.viewers)
                await subscribe_all(platform, viewers, secret, amount)
                phases = await entitlement_phases(platform, viewers, args)
                report["phases"] = [p.as_dict() for p in phases]
                failures += [
                    f"{p.name}: {dict(p.result.statuses)}" for p in phases if p.result.errors
                ]

                print(f"signing up {args.subscriptions} accounts for the webhooks (set-up)…")
                payers = await sign_up(platform, args.subscriptions)
                subscribers = await open_checkouts(platform, payers)
                intake, checks = await webhook_intake(platform, subscribers, secret, amount, args)
                s = intake.summary()
                print(
                    f"intake: {s['sent']} webhooks in {s['seconds']} s = "
                    f"{s['throughput_per_s']}/s; p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, "
                    f"max {s['max_ms']} ms; errors {s['statuses'] or 'none'} (delivered again: "
                    f"{intake.redelivered}); answered duplicate {s['answered_duplicate']} "
                    f"(copies sent {intake.copies}); CPU server {intake.cpu['server']:.2f}, "
                    f"postgres {intake.cpu['postgres']:.2f}, "
                    f"other {intake.cpu['others']:.2f} cores"
                )
                print(f"database: {json.dumps(checks, default=str)}")
                print(
                    "every event applied once: "
                    + ("PASS" if checks["ok"] and checks["answered_once_each"] else "FAIL")
                )
                report["webhooks"] = {"intake": s, "checks": checks}
                if intake.statuses:
                    failures.append(f"webhooks: {dict(intake.statuses)}")
                if not (checks["ok"] and checks["answered_once_each"]):
                    failures.append("webhooks: not every event applied exactly once")
                if failures:
                    print(f"--- ott serve log (tail) ---\n{platform.server.log_tail(40)}")
    except Exception as exc:
        failures.append(repr(exc))
        print_failure(repr(exc))
    report["failures"] = failures
    return (1 if failures else 0), report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=200, help="subscribed accounts asking")
    parser.add_argument("--rate", type=float, default=500.0, help="entitlement checks per second")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before measuring")
    parser.add_argument(
        "--video-seconds",
        type=float,
        default=8.0,
        help="the film of the position updates (0: no position phase)",
    )
    parser.add_argument("--events", type=int, default=1000, help="distinct webhook events")
    parser.add_argument(
        "--subscriptions", type=int, default=250, help="accounts the webhook events are about"
    )
    parser.add_argument("--duplicates", type=float, default=0.1, help="share sent twice")
    parser.add_argument("--concurrency", type=int, default=50, help="webhooks in flight")
    parser.add_argument("--seed", type=int, default=11, help="the shuffle's")
    parser.add_argument("--env", choices=("production", "development"), default="production")
    parser.add_argument("--stores", choices=("auto", "local", "embedded"), default="auto")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument(
        "--json-out",
        default=str(RESULTS_DIR / f"billing-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"),
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
