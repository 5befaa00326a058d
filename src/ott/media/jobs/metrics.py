"""Prometheus metrics of the transcoding workers (served with the others at /metrics, or by
`ott worker --metrics-port`)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

JOBS_STARTED = Counter("transcode_jobs_started", "Transcoding attempts a worker began")
JOBS_SUCCEEDED = Counter("transcode_jobs_succeeded", "Transcoding jobs finished and registered")
JOBS_FAILED = Counter(
    "transcode_jobs_failed",
    "Transcoding attempts that failed (final: no retry left, or a bad input)",
    ["final"],
)
JOBS_CANCELLED = Counter("transcode_jobs_cancelled", "Transcoding jobs cancelled while running")
JOBS_LOST = Counter(
    "transcode_jobs_lost", "Transcoding attempts abandoned because their lease was lost"
)
JOB_SECONDS = Histogram(
    "transcode_job_seconds",
    "Time a worker spent on one attempt of a job, by outcome",
    ["outcome"],
    buckets=(1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400),
)
