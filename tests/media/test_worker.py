"""The worker end to end: real FFmpeg, real storage, real database, real processes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from sqlalchemy import text

from ott.core.app_context import AppContext
from ott.core.settings import Settings
from ott.core.storage import LocalStorage
from ott.media.encoding.transcoder import (
    InvalidSource,
    TrackInput,
    TranscodeError,
    TranscodeRequest,
)
from ott.media.jobs.worker import Outcome, Worker, _named
from ott.media.models import EncodingStatus
from tests.cms.conftest import User, create, movie
from tests.media import sources
from tests.media.conftest import (
    LEASE_SECONDS,
    RunningWorker,
    enqueue,
    job_row,
    media_rows,
    signed_url,
    stored_files,
    wait_for,
    wait_for_status,
)


@pytest.fixture(scope="module")
def long_source(source_dir: Path) -> Path:
    """Two rungs, 16 s: with SLOW, FFmpeg runs long enough to be caught at work."""
    return sources.make_source(source_dir, width=640, height=360, seconds=16)


# x264's slowest preset, for the tests that must catch a job while FFmpeg runs.
SLOW = "veryslow"


def _ffmpeg_children(job_id: uuid.UUID | None = None) -> list[psutil.Process]:
    """FFmpeg processes this test process started (for one job: working in its folder)."""
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if "ffmpeg" not in child.name().lower() or child.status() == psutil.STATUS_ZOMBIE:
                continue
            if job_id is None or str(job_id) in child.cwd():
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


def _ffmpeg_of(pid: int) -> list[psutil.Process]:
    return [
        child
        for child in psutil.Process(pid).children(recursive=True)
        if "ffmpeg" in child.name().lower()
    ]


def _gone(processes: list[psutil.Process]) -> bool:
    for process in processes:
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            continue
    return True


async def test_a_job_registers_every_rendition_and_its_files_are_served(
    make_worker: Callable[..., Worker],
    media_resources: AppContext,
    media_settings: Settings,
    storage: LocalStorage,
    source: Path,
    source_dir: Path,
    title: dict[str, Any],
    api: httpx.AsyncClient,
) -> None:
    job_id = await enqueue(
        media_resources,
        storage,
        source,
        content_id=title["id"],
        audio=[(sources.make_audio(source_dir), "hi", "हिन्दी")],
        subtitles=[(sources.make_srt(source_dir), "en", "English")],
    )
    worker = make_worker()
    assert await worker.run_once() is Outcome.SUCCEEDED

    row = await job_row(media_resources, job_id)
    assert (row["status"], row["progress"], row["attempts"]) == ("succeeded", 100, 1)
    assert row["lease_owner"] is None
    assert row["finished_at"] is not None
    result = row["result"]
    prefix = f"/media/videos/{title['id']}/{job_id}/"
    assert result["master_playlist_url"].startswith(prefix)
    assert result["dash_manifest_url"].startswith(prefix)
    assert result["poster_url"].startswith(prefix)
    assert result["thumbnails_url"].startswith(prefix)
    assert 3.5 < result["duration_seconds"] < 4.5
    assert [r["quality"] for r in result["renditions"]] == ["144p"]

    rows = await media_rows(media_resources, title["id"])
    [variant] = rows["video_variants"]
    assert variant["quality"] == "144p"
    assert variant["hls_url"] == result["renditions"][0]["playlist_url"]
    assert variant["dash_url"] == result["dash_manifest_url"]
    assert variant["bitrate_kbps"] > 0
    assert variant["content_id"] == uuid.UUID(title["id"])
    assert {(a["language"], a["label"]) for a in rows["audio_tracks"]} == {
        ("en", None),
        ("hi", "हिन्दी"),
    }
    [subtitle] = rows["subtitles"]
    assert (subtitle["language"], subtitle["label"]) == ("en", "English")

    # Every URL is served under a token for its folder, with what it should hold (and not
    # without one: the title is a draft, so not even its poster is public).
    def signed(url: str) -> str:
        return signed_url(media_settings, url)

    assert (await api.get(result["master_playlist_url"])).status_code == 403
    assert (await api.get(result["poster_url"])).status_code == 404
    master = await api.get(signed(result["master_playlist_url"]))
    assert master.status_code == 200
    assert master.text.startswith("#EXTM3U")
    assert (await api.get(signed(result["dash_manifest_url"]))).text.lstrip().startswith("<?xml")
    assert (await api.get(signed(result["poster_url"]))).content[:2] == b"\xff\xd8"
    assert (await api.get(signed(result["thumbnails_url"]))).text.startswith("WEBVTT")
    assert (await api.get(signed(subtitle["url"]))).text.startswith("WEBVTT")
    for url in [signed(variant["hls_url"]), *(signed(a["url"]) for a in rows["audio_tracks"])]:
        playlist = await api.get(url)
        assert playlist.status_code == 200
        segment = next(
            line
            for line in playlist.text.splitlines()
            if line.endswith(".m4s") and "init" not in line
        )
        base = url.rsplit("/", 1)[0]
        assert (await api.get(f"{base}/{segment}")).status_code == 200
    # Nothing is left in the scratch folder.
    scratch = media_settings.data_dir / "transcode-work"
    assert [p for p in scratch.iterdir() if str(job_id) in p.name] == []


async def test_bad_inputs_fail_at_once_with_a_reason_and_the_worker_goes_on(
    make_worker: Callable[..., Worker],
    media_resources: AppContext,
    storage: LocalStorage,
    source: Path,
    source_dir: Path,
    title: dict[str, Any],
) -> None:
    bad = [
        sources.make_empty(source_dir),
        sources.make_text_as_mp4(source_dir),
        sources.make_audio_only(source_dir),
    ]
    bad_jobs = [
        await enqueue(media_resources, storage, path, content_id=title["id"]) for path in bad
    ]
    good = await enqueue(media_resources, storage, source, content_id=title["id"])
    worker = make_worker()
    outcomes = [await worker.run_once() for _ in range(4)]
    assert outcomes == [Outcome.FAILED, Outcome.FAILED, Outcome.FAILED, Outcome.SUCCEEDED]
    for job_id in bad_jobs:
        row = await job_row(media_resources, job_id)
        assert (row["status"], row["attempts"]) == ("failed", 1)
        assert row["error"]
        assert row["result"] is None
        assert stored_files(storage, f"videos/{title['id']}/{job_id}") == []
    errors = [(await job_row(media_resources, j))["error"] for j in bad_jobs]
    assert "empty" in errors[0]
    assert "video" in errors[1] or "decod" in errors[1] or "not" in errors[1]
    assert "no video stream" in errors[2]
    assert (await job_row(media_resources, good))["status"] == "succeeded"
    assert len((await media_rows(media_resources, title["id"]))["video_variants"]) == 1


def test_ffmpeg_errors_call_the_inputs_by_the_uploaded_files_names(tmp_path: Path) -> None:
    local = tmp_path / "in"
    request = TranscodeRequest(
        source=local / "source.mp4",
        audio=(TrackInput(local / "audio-0.m4a", "hi", None, "Hindi dub.m4a"),),
        subtitles=(TrackInput(local / "subtitle-0.srt", "en"),),  # an older job: no name
        source_filename="Film.mp4",
    )
    failed = TranscodeError(
        f"FFmpeg exited with code 1: {local}/audio-0.m4a: Invalid data found",
        log_tail=f"{local}/source.mp4: moov atom not found\n{local}/subtitle-0.srt: bad",
    )
    named = _named(failed, request)
    assert type(named) is TranscodeError
    assert str(named) == "FFmpeg exited with code 1: Hindi dub.m4a: Invalid data found"
    assert named.log_tail == "Film.mp4: moov atom not found\nsubtitle-0.srt: bad"
    bad = InvalidSource("Film.mp4 has no video stream")
    assert _named(bad, request) is bad


async def test_other_failures_are_retried_with_backoff_until_attempts_run_out(
    start_worker: Callable[..., RunningWorker],
    media_resources: AppContext,
    storage: LocalStorage,
    source: Path,
    title: dict[str, Any],
) -> None:
    job_id = await enqueue(media_resources, storage, source, content_id=title["id"])
    row = await job_row(media_resources, job_id)
    await storage.delete(row["source_key"])  # the store lost the source: worth retrying
    start_worker()
    row = await wait_for_status(media_resources, job_id, EncodingStatus.FAILED, within=30)
    assert row["attempts"] == 3
    assert "no object" in row["error"]
    assert row["lease_owner"] is None
    # Three attempts, the second 0.3 s and the third 0.6 s after the one before.
    span = (row["finished_at"] - row["created_at"]).total_seconds()
    assert span >= 0.9
    assert await media_rows(media_resources, title["id"]) == {
        "video_variants": [],
        "audio_tracks": [],
        "subtitles": [],
    }


async def test_registration_is_all_or_nothing(
    make_worker: Callable[..., Worker],
    media_resources: AppContext,
    storage: LocalStorage,
    source: Path,
    source_dir: Path,
    title: dict[str, Any],
) -> None:
    first = await enqueue(media_resources, storage, source, content_id=title["id"])
    assert await make_worker().run_once() is Outcome.SUCCEEDED
    registered = await media_rows(media_resources, title["id"])

    # The subtitle's label is longer than its column: the insert fails after the video and
    # audio rows went in, in the same transaction.
    broken = await enqueue(
        media_resources,
        storage,
        source,
        content_id=title["id"],
        subtitles=[(sources.make_srt(source_dir), "en", "L" * 60)],
        max_attempts=1,
    )
    assert await make_worker().run_once() is Outcome.FAILED
    row = await job_row(media_resources, broken)
    assert row["status"] == "failed"
    assert "too long" in row["error"]
    assert await media_rows(media_resources, title["id"]) == registered  # the first one's
    assert stored_files(storage, f"videos/{title['id']}/{broken}") == []
    assert stored_files(storage, f"videos/{title['id']}/{first}") != []


async def test_a_title_deleted_mid_job_leaves_nothing_behind(
    start_worker: Callable[..., RunningWorker],
    media_resources: AppContext,
    storage: LocalStorage,
    long_source: Path,
    title: dict[str, Any],
) -> None:
    job_id = await enqueue(media_resources, storage, long_source, content_id=title["id"])
    start_worker(transcode_preset=SLOW)
    await wait_for(lambda: asyncio.sleep(0, _ffmpeg_children(job_id)), within=60)
    async with media_resources.sessionmaker() as db, db.begin():
        await db.execute(text("DELETE FROM content WHERE id = :id"), {"id": uuid.UUID(title["id"])})

    async def abandoned() -> bool:
        return not _ffmpeg_children() and not stored_files(storage, f"videos/{title['id']}")

    await wait_for(abandoned, within=20)
    assert await media_rows(media_resources, title["id"]) == {
        "video_variants": [],
        "audio_tracks": [],
        "subtitles": [],
    }


async def test_cancelling_a_running_job_kills_ffmpeg_and_registers_nothing(
    start_worker: Callable[..., RunningWorker],
    media_resources: AppContext,
    storage: LocalStorage,
    long_source: Path,
    title: dict[str, Any],
) -> None:
    job_id = await enqueue(media_resources, storage, long_source, content_id=title["id"])
    start_worker(transcode_preset=SLOW)
    ffmpeg = await wait_for(lambda: asyncio.sleep(0, _ffmpeg_children(job_id)), within=60)

    async def progressing() -> bool:
        return (await job_row(media_resources, job_id))["progress"] > 0

    await wait_for(progressing, within=10)  # the heartbeat records FFmpeg's progress
    async with media_resources.sessionmaker() as db, db.begin():
        await db.execute(
            text("UPDATE encodings SET cancel_requested = true WHERE id = :id"), {"id": job_id}
        )
    row = await wait_for_status(media_resources, job_id, EncodingStatus.CANCELLED, within=10)
    assert row["finished_at"] is not None
    assert row["result"] is None
    await wait_for(lambda: asyncio.sleep(0, _gone(ffmpeg)), within=5)
    assert await media_rows(media_resources, title["id"]) == {
        "video_variants": [],
        "audio_tracks": [],
        "subtitles": [],
    }
    assert stored_files(storage, f"videos/{title['id']}") == []


# --- worker processes ---------------------------------------------------------------------


def _worker_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTGRES_")}
    env.update(
        OTT_ENV="test",
        DATABASE_URL=str(settings.database_url),
        REDIS_URL=str(settings.redis_url),
        JWT_SECRET=settings.resolved_jwt_secret(),
        DATA_DIR=str(settings.data_dir),
        LOG_LEVEL="WARNING",
        TRANSCODE_LEASE_SECONDS=str(LEASE_SECONDS),
        TRANSCODE_POLL_SECONDS="0.1",
        TRANSCODE_PRESET=SLOW,
    )
    return env


@pytest.fixture
def worker_process(media_settings: Settings) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def spawn() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "ott", "worker", "--concurrency", "1"],
            env=_worker_env(media_settings),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        return process

    yield spawn
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(10)


async def _running_in(media_resources: AppContext, job_id: uuid.UUID, pid: int) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        row = await job_row(media_resources, job_id)
        owner = row["lease_owner"] or ""
        return row if row["status"] == "running" and f":{pid}:" in owner else None

    return await wait_for(check, within=60)


async def test_a_killed_worker_process_job_is_taken_over_after_its_lease(
    worker_process: Callable[[], subprocess.Popen[bytes]],
    start_worker: Callable[..., RunningWorker],
    media_resources: AppContext,
    media_settings: Settings,
    storage: LocalStorage,
    long_source: Path,
    title: dict[str, Any],
) -> None:
    job_id = await enqueue(media_resources, storage, long_source, content_id=title["id"])
    process = worker_process()
    await _running_in(media_resources, job_id, process.pid)
    ffmpeg = await wait_for(lambda: asyncio.sleep(0, _ffmpeg_of(process.pid)), within=30)
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    lease_ran_until = (await job_row(media_resources, job_id))["lease_expires_at"]
    # Its FFmpeg does not outlive it for long (its progress pipe breaks).
    await wait_for(lambda: asyncio.sleep(0, _gone(ffmpeg)), within=10)

    scratch = media_settings.data_dir / "transcode-work"
    assert [p for p in scratch.iterdir() if p.name.startswith(f"{process.pid}-job-{job_id}")]
    start_worker(name="survivor")
    row = await wait_for_status(media_resources, job_id, EncodingStatus.SUCCEEDED, within=120)
    # The new worker removed the dead one's scratch folder.
    assert [p for p in scratch.iterdir() if p.name.startswith(f"{process.pid}-")] == []
    assert row["started_at"] >= lease_ran_until  # taken over only once the lease ran out
    assert row["attempts"] == 2
    assert len((await media_rows(media_resources, title["id"]))["video_variants"]) == 2


async def test_sigterm_stops_a_worker_process_and_hands_its_job_back(
    worker_process: Callable[[], subprocess.Popen[bytes]],
    media_resources: AppContext,
    storage: LocalStorage,
    long_source: Path,
    title: dict[str, Any],
) -> None:
    job_id = await enqueue(media_resources, storage, long_source, content_id=title["id"])
    process = worker_process()
    await _running_in(media_resources, job_id, process.pid)
    ffmpeg = await wait_for(lambda: asyncio.sleep(0, _ffmpeg_of(process.pid)), within=30)
    process.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(process.wait, 20) == 0
    row = await job_row(media_resources, job_id)
    assert (row["status"], row["attempts"], row["lease_owner"]) == ("queued", 0, None)
    assert _gone(ffmpeg)


async def test_two_workers_share_the_queue_and_run_each_job_once(
    start_worker: Callable[..., RunningWorker],
    media_resources: AppContext,
    storage: LocalStorage,
    source: Path,
    api: httpx.AsyncClient,
    editor: User,
) -> None:
    titles = [await create(api, editor, movie()) for _ in range(4)]
    jobs = [await enqueue(media_resources, storage, source, content_id=t["id"]) for t in titles]
    start_worker(name="worker-a")
    start_worker(name="worker-b")
    for job_id in jobs:
        row = await wait_for_status(media_resources, job_id, EncodingStatus.SUCCEEDED)
        assert row["attempts"] == 1
    async with media_resources.sessionmaker() as db:
        owners = (
            await db.execute(
                text("SELECT count(*) FROM video_variants WHERE content_id = ANY(:ids)"),
                {"ids": [uuid.UUID(t["id"]) for t in titles]},
            )
        ).scalar_one()
    assert owners == 4
