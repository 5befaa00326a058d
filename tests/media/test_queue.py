"""The queue on PostgreSQL: claims with SKIP LOCKED, leases, guarded finishes, backoff."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import text

from ott.core.app_context import AppContext
from ott.core.storage import LocalStorage
from ott.media.jobs.queue import JobQueue, Lease
from ott.media.models import EncodingStatus
from tests.media.conftest import LEASE_SECONDS, RETRY_SECONDS, enqueue, job_row


async def _queue_jobs(
    resources: AppContext, storage: LocalStorage, source: Path, title: dict[str, Any], count: int
) -> list[uuid.UUID]:
    return [await enqueue(resources, storage, source, content_id=title["id"]) for _ in range(count)]


async def test_competing_workers_never_take_the_same_job(
    queue: JobQueue,
    media_resources: AppContext,
    storage: LocalStorage,
    source: Path,
    title: dict[str, Any],
) -> None:
    jobs = await _queue_jobs(media_resources, storage, source, title, 3)

    claims = await asyncio.gather(*(queue.claim(owner=f"worker-{i}") for i in range(5)))
    taken = [job.id for job in claims if job is not None]
    assert sorted(taken) == sorted(jobs)  # each job once, the extra workers got nothing
    assert claims.count(None) == 2

    for i, job in enumerate(claims):
        if job is None:
            continue
        row = await job_row(media_resources, job.id)
        assert row["status"] == "running"
        assert row["lease_owner"] == f"worker-{i}"
        assert row["attempts"] == 1
        assert row["started_at"] is not None
        lease = (row["lease_expires_at"] - row["started_at"]).total_seconds()
        assert abs(lease - LEASE_SECONDS) < 0.5


async def test_claims_skip_a_locked_job_instead_of_waiting(
    queue: JobQueue,
    media_resources: AppContext,
    storage: LocalStorage,
    source: Path,
    title: dict[str, Any],
) -> None:
    first, second = await _queue_jobs(media_resources, storage, source, title, 2)
    async with media_resources.sessionmaker() as db, db.begin():
        # Another worker is in the middle of claiming the oldest job.
        await db.execute(text("SELECT id FROM encodings WHERE id = :id FOR UPDATE"), {"id": first})
        job = await asyncio.wait_for(queue.claim(owner="worker-b"), timeout=5)
        assert job is not None
        assert job.id == second
    job = await queue.claim(owner="worker-a")
    assert job is not None
    assert job.id == first


async def test_the_oldest_job_goes_first_and_future_retries_wait(
    queue: JobQueue,
    media_resources: AppContext,
    storage: LocalStorage,
    source: Path,
    title: dict[str, Any],
) -> None:
    first, second = await _queue_jobs(media_resources, storage, source, title, 2)
    async with media_resources.sessionmaker() as db, db.begin():
        await db.execute(
            text("UPDATE encodings SET run_after = now() + interval '1 hour' WHERE id = :id"),
            {"id": first},
        )
    job = await queue.claim(owner="w")
    assert job is not None
    assert job.id == second
    assert await queue.claim(owner="w") is None


async def test_an_expired_lease_is_taken_over_and_the_old_owner_locked_out(
    queue: JobQueue,
    media_resources: AppContext,
    storage: LocalStorage,
    source: Path,
    title: dict[str, Any],
) -> None:
    (job_id,) = await _queue_jobs(media_resources, storage, source, title, 1)
    job = await queue.claim(owner="dead-worker")
    assert job is not None
    assert await queue.heartbeat(job_id=job_id, owner="dead-worker", progress=12.0) is Lease.HELD
    assert await queue.claim(owner="other") is None  # the lease still runs

    await asyncio.sleep(LEASE_SECONDS + 0.3)  # the first worker stopped renewing
    taken = await queue.claim(owner="other")
    assert taken is not None
    assert taken.id == job_id
    assert taken.attempts == 2
    row = await job_row(media_resources, job_id)
    assert row["lease_owner"] == "other"
    assert row["progress"] == 0  # the attempt starts again from scratch

    # The worker that lost its lease can no longer renew, fail, cancel or release the job.
    assert await queue.heartbeat(job_id=job_id, owner="dead-worker", progress=50.0) is Lease.LOST
    assert (
        await queue.fail(
            job_id=job_id, owner="dead-worker", error="boom", log_tail=None, retry=True
        )
        is None
    )
    assert not await queue.cancelled(job_id=job_id, owner="dead-worker")
    assert not await queue.release(job_id=job_id, owner="dead-worker")
    async with media_resources.sessionmaker() as db, db.begin():
        assert (
            await JobQueue.lock_for_finish(db=db, job_id=job_id, owner="dead-worker") is Lease.LOST
        )
        assert not await JobQueue.succeed(
            db=db, job_id=job_id, owner="dead-worker", result_json="{}", log_tail=None
        )
    row = await job_row(media_resources, job_id)
    assert (row["status"], row["lease_owner"], row["error"]) == ("running", "other", None)


async def test_heartbeats_renew_the_lease_record_progress_and_see_cancels(
    queue: JobQueue,
    media_resources: AppContext,
    storage: LocalStorage,
    source: Path,
    title: dict[str, Any],
) -> None:
    (job_id,) = await _queue_jobs(media_resources, storage, source, title, 1)
    await queue.claim(owner="w")
    before = (await job_row(media_resources, job_id))["lease_expires_at"]
    await asyncio.sleep(0.2)
    assert await queue.heartbeat(job_id=job_id, owner="w", progress=42.5) is Lease.HELD
    row = await job_row(media_resources, job_id)
    assert row["lease_expires_at"] > before
    assert row["progress"] == 42.5
    async with media_resources.sessionmaker() as db, db.begin():
        await db.execute(
            text("UPDATE encodings SET cancel_requested = true WHERE id = :id"), {"id": job_id}
        )
    assert await queue.heartbeat(job_id=job_id, owner="w", progress=50) is Lease.CANCEL_REQUESTED
    assert await queue.cancelled(job_id=job_id, owner="w")
    row = await job_row(media_resources, job_id)
    assert row["status"] == "cancelled"
    assert row["finished_at"] is not None
    assert row["lease_owner"] is None


async def test_failures_are_retried_with_growing_delays_then_fail(
    queue: JobQueue,
    media_resources: AppContext,
    storage: LocalStorage,
    source: Path,
    title: dict[str, Any],
) -> None:
    job_id = await enqueue(media_resources, storage, source, content_id=title["id"])
    delays = []
    for attempt in range(1, 4):
        job = None
        for _ in range(100):
            job = await queue.claim(owner="w")
            if job is not None:
                break
            await asyncio.sleep(0.05)
        assert job is not None
        assert job.attempts == attempt
        status = await queue.fail(
            job_id=job_id, owner="w", error=f"boom {attempt}", log_tail="log line", retry=True
        )
        row = await job_row(media_resources, job_id)
        if attempt < 3:
            assert status is EncodingStatus.QUEUED
            delays.append((row["run_after"] - row["updated_at"]).total_seconds())
        else:
            assert status is EncodingStatus.FAILED
    assert [round(d, 1) for d in delays] == [RETRY_SECONDS, RETRY_SECONDS * 2]
    row = await job_row(media_resources, job_id)
    assert (row["status"], row["attempts"], row["error"], row["log_tail"]) == (
        "failed",
        3,
        "boom 3",
        "log line",
    )
    assert row["finished_at"] is not None
    assert await queue.claim(owner="w") is None


async def test_a_bad_input_fails_without_retry(
    queue: JobQueue,
    media_resources: AppContext,
    storage: LocalStorage,
    source: Path,
    title: dict[str, Any],
) -> None:
    job_id = await enqueue(media_resources, storage, source, content_id=title["id"])
    await queue.claim(owner="w")
    status = await queue.fail(
        job_id=job_id, owner="w", error="not a video", log_tail=None, retry=False
    )
    assert status is EncodingStatus.FAILED
    assert (await job_row(media_resources, job_id))["attempts"] == 1


async def test_a_released_job_is_at_once_runnable_and_keeps_its_attempts(
    queue: JobQueue,
    media_resources: AppContext,
    storage: LocalStorage,
    source: Path,
    title: dict[str, Any],
) -> None:
    job_id = await enqueue(media_resources, storage, source, content_id=title["id"])
    await queue.claim(owner="stopping")
    assert await queue.release(job_id=job_id, owner="stopping")
    job = await queue.claim(owner="next")
    assert job is not None
    assert job.id == job_id
    assert job.attempts == 1
