"""The durable job queue: the `encodings` table itself, on PostgreSQL.

A worker claims the oldest runnable job (queued and due, or running under a lease that has
expired because its worker died) with `FOR UPDATE SKIP LOCKED`, so competing workers never
take the same job and never wait for each other. The claim sets a lease (owner + expiry) that
the worker renews while it works. Every later write of the worker is guarded by
`lease_owner = :owner AND status = running`: a worker that lost its lease (it stalled, and
another worker took the job over) can no longer change the job.

This module is the only writer of a job's status; each statement's target status comes from
`status.next_status`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.core.database import db_now
from ott.media.jobs.status import QUEUED, RUNNING, EncodingStatus, JobEvent, next_status
from ott.media.models import Encoding

LOG_TAIL_CHARS = 8000
ERROR_CHARS = 2000

_CLAIM = text(
    """
    WITH next AS (
        SELECT id FROM encodings
        WHERE (status = :queued AND run_after <= now())
           OR (status = :running AND lease_expires_at < now())
        ORDER BY run_after, created_at
        LIMIT 1
        FOR UPDATE SKIP LOCKED
    )
    UPDATE encodings AS e
    SET status = :status,
        lease_owner = :owner,
        lease_expires_at = now() + make_interval(secs => :lease),
        attempts = e.attempts + 1,
        started_at = now(),
        progress = 0,
        updated_at = now()
    FROM next
    WHERE e.id = next.id
    RETURNING e.id, e.content_id, e.episode_id, e.source_key, e.source_filename,
              e.audio_inputs, e.subtitle_inputs, e.attempts, e.max_attempts, e.cancel_requested,
              e.creative_id
    """
)

# Every write of a worker: the job is still running under its lease.
_HELD = "id = :id AND lease_owner = :owner AND status = :running"

_HEARTBEAT = text(
    f"""
    UPDATE encodings
    SET lease_expires_at = now() + make_interval(secs => :lease),
        progress = GREATEST(progress, :progress),
        updated_at = now()
    WHERE {_HELD}
    RETURNING cancel_requested
    """  # noqa: S608 - a constant guard
)

_LOCK_HELD = text(
    f"SELECT cancel_requested, attempts, max_attempts FROM encodings WHERE {_HELD} FOR UPDATE"  # noqa: S608
)

_BACK_OFF = text(
    f"""
    UPDATE encodings
    SET status = :status, run_after = now() + make_interval(secs => :delay),
        finished_at = NULL, lease_owner = NULL, lease_expires_at = NULL,
        error = :error, log_tail = :log_tail, updated_at = now()
    WHERE {_HELD}
    """  # noqa: S608 - a constant guard
)

# Failed or cancelled while its worker held it.
_STOP = text(
    f"""
    UPDATE encodings
    SET status = :status, finished_at = now(), lease_owner = NULL, lease_expires_at = NULL,
        error = COALESCE(:error, error), log_tail = COALESCE(:log_tail, log_tail),
        updated_at = now()
    WHERE {_HELD}
    RETURNING id
    """  # noqa: S608 - a constant guard
)

# The interrupted attempt does not count.
_RELEASE = text(
    f"""
    UPDATE encodings
    SET status = :status, run_after = now(), lease_owner = NULL, lease_expires_at = NULL,
        attempts = GREATEST(attempts - 1, 0), progress = 0, updated_at = now()
    WHERE {_HELD}
    RETURNING id
    """  # noqa: S608 - a constant guard
)

_SUCCEED = text(
    f"""
    UPDATE encodings
    SET status = :status, progress = 100, result = CAST(:result AS jsonb), error = NULL,
        log_tail = :log_tail, finished_at = now(), lease_owner = NULL, lease_expires_at = NULL,
        updated_at = now()
    WHERE {_HELD}
    RETURNING id
    """  # noqa: S608 - a constant guard
)

_CANCEL_NOW = text(
    """
    UPDATE encodings
    SET status = :status, cancel_requested = true, finished_at = now(), lease_owner = NULL,
        lease_expires_at = NULL, updated_at = now()
    WHERE id = :id
    """
)

_ASK_TO_CANCEL = text(
    "UPDATE encodings SET cancel_requested = true, updated_at = now() WHERE id = :id"
)

# A fresh start: nothing of the earlier attempts is kept but the inputs.
_REQUEUE = text(
    """
    UPDATE encodings
    SET status = :status, attempts = 0, cancel_requested = false, progress = 0, error = NULL,
        log_tail = NULL, result = NULL, run_after = now(), started_at = NULL,
        finished_at = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
    WHERE id = :id
    """
)


@dataclass(frozen=True)
class Job:
    """A claimed job: what the worker needs to run it."""

    id: uuid.UUID
    content_id: uuid.UUID | None
    episode_id: uuid.UUID | None
    source_key: str
    source_filename: str | None  # the uploaded file's name, which errors use
    audio_inputs: list[dict[str, Any]]
    subtitle_inputs: list[dict[str, Any]]
    attempts: int
    max_attempts: int
    cancel_requested: bool
    creative_id: uuid.UUID | None = None  # an ad creative's video (ott.ads)

    @property
    def owner_id(self) -> uuid.UUID:
        """The episode the video is for, or else the title (or the ad creative)."""
        owner = self.episode_id or self.content_id or self.creative_id
        assert owner is not None  # the table's check constraint
        return owner


class Lease(StrEnum):
    HELD = "held"
    CANCEL_REQUESTED = "cancel_requested"
    LOST = "lost"  # taken over, finished or deleted: this worker must stop touching the job


def tail(text_: str | None, limit: int = LOG_TAIL_CHARS) -> str | None:
    if text_ is None:
        return None
    return text_[-limit:]


def _held(job_id: uuid.UUID, owner: str) -> dict[str, Any]:
    return {"id": job_id, "owner": owner, "running": RUNNING}


class JobQueue:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        lease_seconds: float,
        retry_seconds: float,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.lease_seconds = lease_seconds
        self.retry_seconds = retry_seconds

    async def claim(self, *, owner: str) -> Job | None:
        """Take the oldest runnable job under a fresh lease, or None when there is none."""
        params = {
            "queued": QUEUED,
            "running": RUNNING,
            "status": next_status(QUEUED, JobEvent.CLAIM),
            "owner": owner,
            "lease": self.lease_seconds,
        }
        async with self.sessionmaker() as db, db.begin():
            row = (await db.execute(_CLAIM, params)).first()
        return Job(**row._mapping) if row else None

    async def heartbeat(self, *, job_id: uuid.UUID, owner: str, progress: float) -> Lease:
        """Renew the lease and record progress; say whether to go on."""
        async with self.sessionmaker() as db, db.begin():
            cancel = await db.scalar(
                _HEARTBEAT,
                {
                    **_held(job_id, owner),
                    "lease": self.lease_seconds,
                    "progress": min(max(progress, 0.0), 100.0),
                },
            )
        if cancel is None:
            return Lease.LOST
        return Lease.CANCEL_REQUESTED if cancel else Lease.HELD

    async def fail(
        self,
        *,
        job_id: uuid.UUID,
        owner: str,
        error: str,
        log_tail: str | None,
        retry: bool,
    ) -> EncodingStatus | None:
        """Record a failed attempt: queued again after a delay that doubles with each attempt,
        unless the input is bad (`retry` false), the attempts are spent, or an editor asked
        to cancel meanwhile. The job's new status, or None if the lease was lost."""
        async with self.sessionmaker() as db, db.begin():
            row = (await db.execute(_LOCK_HELD, _held(job_id, owner))).first()
            if row is None:
                return None
            if row.cancel_requested:
                event = JobEvent.CANCEL
            elif retry and row.attempts < row.max_attempts:
                event = JobEvent.BACK_OFF
            else:
                event = JobEvent.FAIL
            status = next_status(RUNNING, event)
            params = {
                **_held(job_id, owner),
                "status": status,
                "error": error[:ERROR_CHARS],
                "log_tail": tail(log_tail),
            }
            if event is JobEvent.BACK_OFF:
                delay = self.retry_seconds * 2 ** max(row.attempts - 1, 0)
                await db.execute(_BACK_OFF, {**params, "delay": delay})
            else:
                await db.execute(_STOP, params)
        return status

    async def cancelled(
        self, *, job_id: uuid.UUID, owner: str, log_tail: str | None = None
    ) -> bool:
        """The worker stopped the job at an editor's request."""
        params = {
            **_held(job_id, owner),
            "status": next_status(RUNNING, JobEvent.CANCEL),
            "error": None,
            "log_tail": tail(log_tail),
        }
        async with self.sessionmaker() as db, db.begin():
            return await db.scalar(_STOP, params) is not None

    async def release(self, *, job_id: uuid.UUID, owner: str) -> bool:
        """A worker shutting down hands its job back at once rather than letting the lease
        run out."""
        params = {**_held(job_id, owner), "status": next_status(RUNNING, JobEvent.RELEASE)}
        async with self.sessionmaker() as db, db.begin():
            return await db.scalar(_RELEASE, params) is not None

    @staticmethod
    async def lock_for_finish(*, db: AsyncSession, job_id: uuid.UUID, owner: str) -> Lease:
        """Inside the registration transaction: lock the job row (a cancel waits for the
        outcome) and say whether this worker may still finish it."""
        row = (await db.execute(_LOCK_HELD, _held(job_id, owner))).first()
        if row is None:
            return Lease.LOST
        return Lease.CANCEL_REQUESTED if row.cancel_requested else Lease.HELD

    @staticmethod
    async def succeed(
        *, db: AsyncSession, job_id: uuid.UUID, owner: str, result_json: str, log_tail: str | None
    ) -> bool:
        params = {
            **_held(job_id, owner),
            "status": next_status(RUNNING, JobEvent.SUCCEED),
            "result": result_json,
            "log_tail": tail(log_tail),
        }
        return await db.scalar(_SUCCEED, params) is not None


async def cancel(*, db: AsyncSession, job: Encoding) -> None:
    """An editor's cancel, with the job's row locked by the caller: a queued job (or one whose
    worker is gone) is cancelled at once; a running one when its worker next renews its lease
    (within about a second). IllegalTransition once it has finished."""
    target = next_status(job.status, JobEvent.CANCEL)
    now = await db_now(db)
    worker_gone = job.lease_expires_at is None or job.lease_expires_at < now
    if job.status == QUEUED or worker_gone:
        await db.execute(_CANCEL_NOW, {"id": job.id, "status": target})
    else:
        await db.execute(_ASK_TO_CANCEL, {"id": job.id})
    await db.refresh(job)


async def requeue(*, db: AsyncSession, job: Encoding) -> None:
    """An editor's retry of a failed or cancelled job, with fresh attempts (row locked by the
    caller). IllegalTransition from any other status."""
    await db.execute(_REQUEUE, {"id": job.id, "status": next_status(job.status, JobEvent.REQUEUE)})
    await db.refresh(job)
