"""The durable job queue: the `encodings` table itself, on PostgreSQL.

A worker claims the oldest runnable job (queued and due, or running under a lease that has
expired because its worker died) with `FOR UPDATE SKIP LOCKED`, so competing workers never
take the same job and never wait for each other. The claim sets a lease (owner + expiry) that
the worker renews while it works. Every later write of the worker is guarded by
`lease_owner = :owner AND status = 'running'`: a worker that lost its lease (it stalled, and
another worker took the job over) can no longer change the job.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.media.models import EncodingStatus

LOG_TAIL_CHARS = 8000
ERROR_CHARS = 2000

_CLAIM = text(
    """
    WITH next AS (
        SELECT id FROM encodings
        WHERE (status = 'queued' AND run_after <= now())
           OR (status = 'running' AND lease_expires_at < now())
        ORDER BY run_after, created_at
        LIMIT 1
        FOR UPDATE SKIP LOCKED
    )
    UPDATE encodings AS e
    SET status = 'running',
        lease_owner = :owner,
        lease_expires_at = now() + make_interval(secs => :lease),
        attempts = e.attempts + 1,
        started_at = now(),
        progress = 0,
        updated_at = now()
    FROM next
    WHERE e.id = next.id
    RETURNING e.id, e.content_id, e.episode_id, e.source_key, e.audio_inputs,
              e.subtitle_inputs, e.attempts, e.max_attempts, e.cancel_requested
    """
)

_GUARD = "id = :id AND lease_owner = :owner AND status = 'running'"

_HEARTBEAT = text(
    f"""
    UPDATE encodings
    SET lease_expires_at = now() + make_interval(secs => :lease),
        progress = GREATEST(progress, :progress),
        updated_at = now()
    WHERE {_GUARD}
    RETURNING cancel_requested
    """  # noqa: S608 - a constant guard
)

# A failure: retried after a delay that doubles with each attempt, unless the input is bad,
# the attempts are spent, or an editor asked to cancel meanwhile.
_FAIL = text(
    f"""
    UPDATE encodings
    SET status = CASE
            WHEN cancel_requested THEN 'cancelled'
            WHEN :retry AND attempts < max_attempts THEN 'queued'
            ELSE 'failed' END::encoding_status,
        run_after = CASE
            WHEN :retry AND attempts < max_attempts AND NOT cancel_requested
            THEN now() + make_interval(secs => :backoff * power(2, attempts - 1))
            ELSE run_after END,
        finished_at = CASE
            WHEN :retry AND attempts < max_attempts AND NOT cancel_requested THEN NULL
            ELSE now() END,
        lease_owner = NULL,
        lease_expires_at = NULL,
        error = :error,
        log_tail = :log_tail,
        updated_at = now()
    WHERE {_GUARD}
    RETURNING status
    """  # noqa: S608 - a constant guard
)

_CANCELLED = text(
    f"""
    UPDATE encodings
    SET status = 'cancelled', finished_at = now(), lease_owner = NULL, lease_expires_at = NULL,
        log_tail = COALESCE(:log_tail, log_tail), updated_at = now()
    WHERE {_GUARD}
    RETURNING id
    """  # noqa: S608 - a constant guard
)

# A worker shutting down hands its job back at once rather than letting the lease run out;
# the interrupted attempt does not count.
_RELEASE = text(
    f"""
    UPDATE encodings
    SET status = 'queued', run_after = now(), lease_owner = NULL, lease_expires_at = NULL,
        attempts = GREATEST(attempts - 1, 0), progress = 0, updated_at = now()
    WHERE {_GUARD}
    RETURNING id
    """  # noqa: S608 - a constant guard
)

_LOCK_FOR_FINISH = text(f"SELECT cancel_requested FROM encodings WHERE {_GUARD} FOR UPDATE")  # noqa: S608

_SUCCEEDED = text(
    f"""
    UPDATE encodings
    SET status = 'succeeded', progress = 100, result = CAST(:result AS jsonb), error = NULL,
        log_tail = :log_tail, finished_at = now(), lease_owner = NULL, lease_expires_at = NULL,
        updated_at = now()
    WHERE {_GUARD}
    RETURNING id
    """  # noqa: S608 - a constant guard
)


@dataclass(frozen=True)
class Job:
    """A claimed job: what the worker needs to run it."""

    id: uuid.UUID
    content_id: uuid.UUID | None
    episode_id: uuid.UUID | None
    source_key: str
    audio_inputs: list[dict[str, Any]]
    subtitle_inputs: list[dict[str, Any]]
    attempts: int
    max_attempts: int
    cancel_requested: bool

    @property
    def owner_id(self) -> uuid.UUID:
        """The episode the video is for, or else the title."""
        owner = self.episode_id or self.content_id
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

    async def claim(self, owner: str) -> Job | None:
        """Take the oldest runnable job under a fresh lease, or None when there is none."""
        async with self.sessionmaker() as db, db.begin():
            row = (await db.execute(_CLAIM, {"owner": owner, "lease": self.lease_seconds})).first()
        return Job(**row._mapping) if row else None

    async def heartbeat(self, job_id: uuid.UUID, owner: str, progress: float) -> Lease:
        """Renew the lease and record progress; say whether to go on."""
        async with self.sessionmaker() as db, db.begin():
            cancel = await db.scalar(
                _HEARTBEAT,
                {
                    "id": job_id,
                    "owner": owner,
                    "lease": self.lease_seconds,
                    "progress": min(max(progress, 0.0), 100.0),
                },
            )
        if cancel is None:
            return Lease.LOST
        return Lease.CANCEL_REQUESTED if cancel else Lease.HELD

    async def fail(
        self,
        job_id: uuid.UUID,
        owner: str,
        error: str,
        log_tail: str | None,
        *,
        retry: bool,
    ) -> EncodingStatus | None:
        """Record a failure; the job's new status (queued again, failed or cancelled), or
        None if the lease was lost."""
        async with self.sessionmaker() as db, db.begin():
            status = await db.scalar(
                _FAIL,
                {
                    "id": job_id,
                    "owner": owner,
                    "retry": retry,
                    "backoff": self.retry_seconds,
                    "error": error[:ERROR_CHARS],
                    "log_tail": tail(log_tail),
                },
            )
        return EncodingStatus(status) if status else None

    async def cancelled(self, job_id: uuid.UUID, owner: str, log_tail: str | None = None) -> bool:
        async with self.sessionmaker() as db, db.begin():
            done = await db.scalar(
                _CANCELLED, {"id": job_id, "owner": owner, "log_tail": tail(log_tail)}
            )
        return done is not None

    async def release(self, job_id: uuid.UUID, owner: str) -> bool:
        async with self.sessionmaker() as db, db.begin():
            return await db.scalar(_RELEASE, {"id": job_id, "owner": owner}) is not None

    @staticmethod
    async def lock_for_finish(db: AsyncSession, job_id: uuid.UUID, owner: str) -> Lease:
        """Inside the registration transaction: lock the job row (a cancel waits for the
        outcome) and say whether this worker may still finish it."""
        cancel = await db.scalar(_LOCK_FOR_FINISH, {"id": job_id, "owner": owner})
        if cancel is None:
            return Lease.LOST
        return Lease.CANCEL_REQUESTED if cancel else Lease.HELD

    @staticmethod
    async def succeed(
        db: AsyncSession, job_id: uuid.UUID, owner: str, result_json: str, log_tail: str | None
    ) -> bool:
        done = await db.scalar(
            _SUCCEEDED,
            {"id": job_id, "owner": owner, "result": result_json, "log_tail": tail(log_tail)},
        )
        return done is not None
