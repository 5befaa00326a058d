"""The transcoding worker: claims jobs from the queue and runs them to the end.

One attempt of a job: fetch the inputs from storage into a scratch folder, transcode, upload
every output, then register the catalog rows and the job's success in one transaction
(registration.py). Meanwhile a heartbeat renews the lease about every second, records
progress, and watches for an editor's cancel; a lost lease (the job was taken over or
deleted) stops the attempt without another write. A bad input fails the job at once; any
other error sends it back to the queue with a growing delay, until its attempts are spent.
After a success has committed, the worker announces the title's change on the event bus
(announce.py), so cached catalog answers show the new video at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import tempfile
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any

import structlog
from sqlalchemy.exc import SQLAlchemyError
from structlog.typing import FilteringBoundLogger

from ott.core.events import EventBus
from ott.core.storage import Storage
from ott.media.encoding.transcoder import (
    InvalidSource,
    TrackInput,
    TranscodeError,
    Transcoder,
    TranscodeRequest,
)
from ott.media.jobs import metrics
from ott.media.jobs.announce import announce_success
from ott.media.jobs.queue import Job, JobQueue, Lease
from ott.media.jobs.registration import (
    delete_uploaded,
    output_files,
    output_prefix,
    register,
    upload,
)
from ott.media.jobs.status import EncodingStatus

log = structlog.get_logger(__name__)

# Share of the progress bar the transcode itself fills; uploading and registering the rest.
_TRANSCODE_SHARE = 0.95
_UPLOADED_PROGRESS = 98.0


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    RETRY = "retry"  # failed, queued again
    FAILED = "failed"
    CANCELLED = "cancelled"
    LOST = "lost"  # the lease was lost; someone else owns the job now (or nobody: deleted)
    RELEASED = "released"  # handed back at shutdown


def default_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class _Progress:
    value: float = 0.0
    # Set once the outputs are stored and the outcome is being recorded (registration.py).
    registering: bool = False

    async def transcoding(self, percent: float) -> None:
        self.value = max(self.value, min(percent, 100.0) * _TRANSCODE_SHARE)


class Worker:
    def __init__(
        self,
        *,
        queue: JobQueue,
        storage: Storage,
        transcoder: Transcoder,
        work_dir: Path,
        concurrency: int = 1,
        poll_seconds: float = 2.0,
        name: str | None = None,
        events: EventBus | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("a worker runs at least one job at a time")
        self.queue = queue
        self.storage = storage
        self.transcoder = transcoder
        self.work_dir = work_dir
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        self.events = events  # None: no announcements (the catalog's cache expires instead)
        self.name = name or default_name()
        self.heartbeat_seconds = min(1.0, queue.lease_seconds / 3)
        self.log = log.bind(worker=self.name)

    # --- the loop ---------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Run jobs, `concurrency` at a time, until `stop` is set; a job still running then
        is stopped (its FFmpeg killed) and handed back to the queue."""
        self.log.info("worker started", concurrency=self.concurrency)
        await asyncio.to_thread(remove_stale_scratch, self.work_dir)
        async with asyncio.TaskGroup() as group:
            for _ in range(self.concurrency):
                group.create_task(self._slot(stop))
        self.log.info("worker stopped")

    async def _slot(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            job = await self._claim()
            if job is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.poll_seconds)
                continue
            work = asyncio.create_task(self.process(job), name=f"encoding-{job.id}")
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({work, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not work.done():
                work.cancel()
                await asyncio.wait({work})
            if not work.cancelled() and work.exception() is not None:
                # Recording the outcome failed (the database is unreachable, say): the lease
                # runs out and a worker takes the job over; this one goes on.
                self.log.error(
                    "job attempt could not be recorded",
                    encoding_id=str(job.id),
                    exc_info=work.exception(),
                )

    async def _claim(self) -> Job | None:
        try:
            return await self.queue.claim(owner=self.name)
        except (SQLAlchemyError, OSError) as exc:
            self.log.warning("could not claim a job; will retry", error=repr(exc))
            return None

    async def run_once(self) -> Outcome | None:
        """Claim one job and run it (None if there was none)."""
        job = await self._claim()
        return await self.process(job) if job else None

    # --- one attempt ------------------------------------------------------------------

    async def process(self, job: Job) -> Outcome:
        """Run one attempt of a claimed job and record how it ended."""
        job_log = self.log.bind(encoding_id=str(job.id), attempt=job.attempts)
        metrics.JOBS_STARTED.inc()
        started = time.monotonic()
        outcome = Outcome.LOST
        try:
            outcome = await self._attempt(job, job_log)
            return outcome
        except asyncio.CancelledError:
            outcome = Outcome.RELEASED
            raise
        finally:
            metrics.JOB_SECONDS.labels(outcome.value).observe(time.monotonic() - started)
            job_log.info("job attempt ended", outcome=outcome.value)

    async def _attempt(self, job: Job, job_log: FilteringBoundLogger) -> Outcome:
        if job.cancel_requested:
            # Asked to cancel while its previous worker was gone.
            await self.queue.cancelled(job_id=job.id, owner=self.name)
            return Outcome.CANCELLED
        if job.attempts > job.max_attempts:
            # Only a worker that died mid-job leaves attempts beyond the limit.
            await self.queue.fail(
                job_id=job.id,
                owner=self.name,
                error=f"Stopped: the worker running this job stopped {job.max_attempts} times",
                log_tail=None,
                retry=False,
            )
            metrics.JOBS_FAILED.labels("true").inc()
            return Outcome.FAILED
        job_log.info("job started")
        progress = _Progress()
        work = asyncio.create_task(self._run(job, progress))
        try:
            lease = await self._watch(job, work, progress)
        except asyncio.CancelledError:
            await _stop(work)
            try:
                await self.queue.release(job_id=job.id, owner=self.name)
            except Exception as exc:  # the lease will expire instead
                job_log.warning("could not release the job", error=repr(exc))
            raise
        if lease is Lease.LOST:
            await _stop(work)
            return self._lost(job_log)
        if lease is Lease.CANCEL_REQUESTED:
            await _stop(work)
            return await self._cancelled(job)
        return await self._conclude(job, work, job_log)

    async def _watch(self, job: Job, work: asyncio.Task[Lease], progress: _Progress) -> Lease:
        """Renew the lease while `work` runs; stop watching when it ends or must be stopped."""
        renewed = time.monotonic()
        while True:
            done, _ = await asyncio.wait({work}, timeout=self.heartbeat_seconds)
            if done:
                return Lease.HELD
            try:
                lease = await self.queue.heartbeat(
                    job_id=job.id, owner=self.name, progress=progress.value
                )
                renewed = time.monotonic()
            except (SQLAlchemyError, OSError) as exc:
                self.log.warning("heartbeat failed", encoding_id=str(job.id), error=repr(exc))
                if time.monotonic() - renewed < self.queue.lease_seconds:
                    continue
                lease = Lease.LOST  # another worker may own it by now
            if lease is not Lease.HELD:
                if progress.registering:
                    # A heartbeat that waited for the registration's row lock finds the job
                    # succeeded, or its lease taken: the registration checked the lease itself
                    # under that lock, so its answer (the attempt's result) is the one to keep.
                    await asyncio.wait({work})
                    return Lease.HELD
                return lease

    async def _conclude(
        self, job: Job, work: asyncio.Task[Lease], job_log: FilteringBoundLogger
    ) -> Outcome:
        error = work.exception()
        if error is None:
            lease = work.result()
            if lease is Lease.HELD:
                metrics.JOBS_SUCCEEDED.inc()
                if self.events is not None:
                    await announce_success(
                        events=self.events, sessionmaker=self.queue.sessionmaker, job=job
                    )
                return Outcome.SUCCEEDED
            if lease is Lease.CANCEL_REQUESTED:
                return await self._cancelled(job)
            return self._lost(job_log)
        retry = not isinstance(error, InvalidSource)
        message = str(error) if isinstance(error, TranscodeError) else _describe(error)
        log_tail = error.log_tail if isinstance(error, TranscodeError) else None
        if not isinstance(error, TranscodeError):
            job_log.error("job attempt failed", exc_info=error)
        status = await self.queue.fail(
            job_id=job.id, owner=self.name, error=message, log_tail=log_tail, retry=retry
        )
        if status is None:
            return self._lost(job_log)
        final = status is not EncodingStatus.QUEUED
        metrics.JOBS_FAILED.labels(str(final).lower()).inc()
        job_log.warning("job attempt failed", error=message, status=status.value)
        if status is EncodingStatus.CANCELLED:
            return Outcome.CANCELLED
        return Outcome.FAILED if final else Outcome.RETRY

    async def _cancelled(self, job: Job) -> Outcome:
        await self.queue.cancelled(job_id=job.id, owner=self.name)
        metrics.JOBS_CANCELLED.inc()
        return Outcome.CANCELLED

    def _lost(self, job_log: FilteringBoundLogger) -> Outcome:
        metrics.JOBS_LOST.inc()
        job_log.warning("lease lost: the job was taken over, finished or deleted; abandoned")
        return Outcome.LOST

    async def _run(self, job: Job, progress: _Progress) -> Lease:
        """Fetch, transcode, upload, register; what registration said (HELD = done)."""
        await asyncio.to_thread(self.work_dir.mkdir, parents=True, exist_ok=True)
        scratch = Path(
            await asyncio.to_thread(
                tempfile.mkdtemp, prefix=f"{os.getpid()}-job-{job.id}-", dir=self.work_dir
            )
        )
        try:
            request = await self._fetch_inputs(job, scratch / "in")
            out_dir = scratch / "out"
            await asyncio.to_thread(out_dir.mkdir)
            try:
                result = await self.transcoder.transcode(
                    request, out_dir, on_progress=progress.transcoding
                )
            except TranscodeError as error:
                raise _named(error, request) from error
            if not result.video:
                raise TranscodeError("The transcoder produced no video rendition")
            uploaded: list[str] = []
            try:
                urls = await upload(
                    storage=self.storage,
                    out_dir=out_dir,
                    files=output_files(result, out_dir),
                    prefix=output_prefix(job),
                    uploaded=uploaded,
                )
                progress.value = _UPLOADED_PROGRESS
                progress.registering = True
                async with self.queue.sessionmaker() as db, db.begin() as transaction:
                    lease = await register(
                        db=db, job=job, owner=self.name, result=result, urls=urls, log_tail=None
                    )
                    if lease is not Lease.HELD:
                        await transaction.rollback()
            except BaseException:
                await delete_uploaded(storage=self.storage, keys=uploaded)
                raise
            if lease is not Lease.HELD:
                await delete_uploaded(storage=self.storage, keys=uploaded)
            return lease
        finally:
            await asyncio.to_thread(shutil.rmtree, scratch, ignore_errors=True)

    async def _fetch_inputs(self, job: Job, folder: Path) -> TranscodeRequest:
        await asyncio.to_thread(folder.mkdir, parents=True)

        async def fetch(key: str, name: str) -> Path:
            path = folder / f"{name}{PurePosixPath(key).suffix}"
            await self.storage.fetch_file(key, path)
            return path

        async def track(item: dict[str, Any], local_name: str) -> TrackInput:
            path = await fetch(item["key"], local_name)
            return TrackInput(path, item["language"], item.get("label"), item.get("filename"))

        source = await fetch(job.source_key, "source")
        audio = [await track(a, f"audio-{i}") for i, a in enumerate(job.audio_inputs)]
        subtitles = [await track(s, f"subtitle-{i}") for i, s in enumerate(job.subtitle_inputs)]
        return TranscodeRequest(
            source=source,
            audio=tuple(audio),
            subtitles=tuple(subtitles),
            source_filename=job.source_filename,
        )


def remove_stale_scratch(work_dir: Path) -> None:
    """Delete the scratch folders of worker processes that are gone (killed mid-job); each
    folder's name starts with the id of the process that made it."""
    if not work_dir.is_dir():
        return
    for folder in work_dir.iterdir():
        pid, _, _ = folder.name.partition("-")
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass  # alive, another user's


async def _stop(task: asyncio.Task[Lease]) -> None:
    """Cancel the attempt (the transcoder kills FFmpeg) and wait until it has cleaned up."""
    task.cancel()
    await asyncio.wait({task})


def _named(error: TranscodeError, request: TranscodeRequest) -> TranscodeError:
    """The error as an editor reads it: the worker's copies of the inputs (FFmpeg names them by
    their paths) called by the uploaded files' names."""
    names = {str(request.source.absolute()): request.source_name}
    names |= {str(t.path.absolute()): t.name for t in (*request.audio, *request.subtitles)}

    def rename(text: str) -> str:
        for path, name in names.items():
            text = text.replace(path, name)
        return text

    renamed = type(error)(rename(str(error)), log_tail=rename(error.log_tail))
    return error if str(renamed) == str(error) and renamed.log_tail == error.log_tail else renamed


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"
