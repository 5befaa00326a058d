"""Demo videos: which titles get one, that each is queued once through the media pipeline
(sources uploaded where uploads go, staged, jobs in order), and that a real one transcodes
into a title the catalog says is playable, with its second language and subtitles."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from ott.catalog import service as catalog
from ott.catalog.visibility import viewer_for
from ott.core.app_context import AppContext
from ott.core.settings import Settings
from ott.core.tiers import SubscriptionTier
from ott.media.jobs.factory import create_worker
from ott.media.jobs.worker import Outcome as JobOutcome
from ott.media.models import Encoding, EncodingStatus, Upload, UploadKind
from ott.seed.demo_sources import subtitle_cues
from ott.seed.demo_videos import DemoVideo, Kind, Outcome, plan, queue_demo_videos
from ott.seed.load import SEED_AUTHOR
from tests.conftest import fetch_sql, free_port
from tests.processes.running import platform_env, spawn, stop, wait_ready
from tests.seed.conftest import DEMO_SECONDS

KINDS = [Kind.FILM, Kind.FILM, Kind.EPISODE, Kind.EPISODE, Kind.SPORTS, Kind.PREMIUM_FILM]


async def _detail(context: AppContext, content_id: uuid.UUID, *, premium: bool = False) -> Any:
    """The title as the catalog shows an anonymous viewer (or a premium one) in the default
    country."""
    viewer = viewer_for(identity=None, country=None, default_country="IN")
    if premium:
        viewer = dataclasses.replace(viewer, tier=SubscriptionTier.PREMIUM)
    async with context.sessionmaker() as db:
        return json.loads(await catalog.get_detail(db=db, viewer=viewer, content_id=content_id))


async def _encodings(context: AppContext) -> list[Encoding]:
    async with context.sessionmaker() as db:
        return list(await db.scalars(select(Encoding).order_by(Encoding.created_at)))


async def _uploads(context: AppContext) -> list[Upload]:
    async with context.sessionmaker() as db:
        return list(await db.scalars(select(Upload).where(Upload.created_by == SEED_AUTHOR)))


async def _plan(context: AppContext) -> list[DemoVideo]:
    async with context.sessionmaker() as db:
        return await plan(db, settings=context.settings)


async def test_the_plan_picks_free_titles_a_series_a_match_and_a_premium_film(
    demo: AppContext,
) -> None:
    videos = await _plan(demo)
    assert [video.kind for video in videos] == KINDS
    first, second, pilot, next_episode, match, premium = videos
    # The first is the short one with the extra languages, the second the 1080p one.
    assert (first.languages, first.spec.height, first.spec.seconds) == (True, 720, 20)
    assert (second.languages, second.spec.height) == (False, 1080)
    assert not any(video.languages for video in videos[1:])
    assert all(video.spec.seconds >= 20 for video in videos)  # a few tens of seconds
    assert len({video.spec.look.name for video in videos}) == len(videos)  # a look each
    assert len({video.spec.look.tone_hz for video in videos}) == len(videos)
    # Two episodes of one series, in order.
    assert pilot.content_id == next_episode.content_id
    assert None not in (pilot.episode_id, next_episode.episode_id)
    assert pilot.episode_id != next_episode.episode_id
    assert "episode 1" in pilot.spec.card
    assert "episode 2" in next_episode.spec.card
    # What a new viewer may play at once, and the premium one.
    for video in (first, second, pilot, match):
        detail = await _detail(demo, video.content_id)
        assert (detail["locked"], detail["tier_requirement"]) == (False, "free")
        assert video.title.startswith(detail["title"])
    assert (await _detail(demo, match.content_id))["type"] == "sports"
    assert (await _detail(demo, premium.content_id))["locked"] is True
    assert (await _detail(demo, premium.content_id, premium=True))["locked"] is False
    # The title card names the title.
    assert first.spec.card.splitlines()[0] in first.title
    # A length for tests shortens them all.
    async with demo.sessionmaker() as db:
        short = await plan(db, settings=demo.settings, seconds=3)
    assert {video.spec.seconds for video in short} == {3}


def test_subtitles_fit_in_the_video() -> None:
    for seconds in (2.0, 20.0, 24.0):
        cues = subtitle_cues(seconds, "A Title")
        assert cues
        assert all(0 <= start < end <= seconds for start, end, _ in cues)
        assert all(a[1] < b[0] for a, b in itertools.pairwise(cues))


async def test_seeding_queues_each_video_once(demo: AppContext) -> None:
    first = await queue_demo_videos(demo)
    assert [first.outcomes[video] for video in first.planned] == [Outcome.QUEUED] * 6
    encodings = await _encodings(demo)
    # Queued in the plan's order, so the first film is the first a worker takes.
    assert [e.id for e in encodings] == [first.encodings[video] for video in first.planned]
    assert [(e.content_id, e.episode_id) for e in encodings] == [
        (video.content_id, video.episode_id) for video in first.planned
    ]
    assert all(e.status is EncodingStatus.QUEUED for e in encodings)
    assert all(e.created_by == SEED_AUTHOR for e in encodings)
    # The sources went through the tus uploads (finished, hashed, in DATA_DIR/uploads) and
    # were staged in storage for any worker, like an editor's.
    uploads = await _uploads(demo)
    assert len(uploads) == 6 + 2  # and the first film's Hindi audio and English subtitles
    assert all(upload.completed_at and upload.sha256 for upload in uploads)
    assert all((demo.settings.data_dir / upload.path).is_file() for upload in uploads)
    assert {upload.kind for upload in uploads} == set(UploadKind)
    storage = demo.settings.data_dir / "media"
    for encoding in encodings:
        assert encoding.source_key.startswith(f"sources/{encoding.id}/")
        assert (storage / encoding.source_key).is_file()
    assert [(a["language"], a["label"]) for a in encodings[0].audio_inputs] == [("hi", "हिन्दी")]
    assert [s["language"] for s in encodings[0].subtitle_inputs] == ["en"]
    assert all(not e.audio_inputs and not e.subtitle_inputs for e in encodings[1:])

    again = await queue_demo_videos(demo)
    assert set(again.outcomes.values()) == {Outcome.SKIPPED}
    assert len(await _encodings(demo)) == 6
    assert len(await _uploads(demo)) == 8

    # An owner whose encoding failed gets a new one; the others are left alone.
    failed = encodings[3].id
    async with demo.sessionmaker() as db, db.begin():
        await db.execute(
            update(Encoding).where(Encoding.id == failed).values(status=EncodingStatus.FAILED)
        )
    third = await queue_demo_videos(demo)
    assert [third.outcomes[video] for video in third.planned] == [Outcome.SKIPPED] * 3 + [
        Outcome.QUEUED
    ] + [Outcome.SKIPPED] * 2
    assert len(await _encodings(demo)) == 7


async def test_two_seeds_at_once_queue_each_video_once(demo: AppContext) -> None:
    results = await asyncio.gather(queue_demo_videos(demo), queue_demo_videos(demo))
    encodings = await _encodings(demo)
    owners = [(e.content_id, e.episode_id) for e in encodings]
    assert len(owners) == len(set(owners)) == 6
    queued = sum(result.count(Outcome.QUEUED) for result in results)
    assert queued == 6
    # The loser's uploads, inputs of nothing, were removed.
    async with demo.sessionmaker() as db:
        count = await db.scalar(select(func.count()).select_from(Upload))
    assert count == 8


async def test_a_demo_video_transcodes_into_a_playable_title(demo: AppContext) -> None:
    result = await queue_demo_videos(demo)
    first = result.planned[0]
    assert first.languages
    worker = create_worker(
        settings=demo.settings,
        sessionmaker=demo.sessionmaker,
        storage=demo.storage,
        events=demo.events,
    )
    assert await worker.run_once() is JobOutcome.SUCCEEDED  # the first film is taken first
    encodings = await _encodings(demo)
    assert encodings[0].id == result.encodings[first]
    assert encodings[0].status is EncodingStatus.SUCCEEDED
    assert [e.status for e in encodings[1:]] == [EncodingStatus.QUEUED] * 5
    assert [r["quality"] for r in encodings[0].result["renditions"]][-1] == "720p"

    detail = await _detail(demo, first.content_id)
    assert detail["playable"] is True
    assert detail["duration_seconds"] == pytest.approx(DEMO_SECONDS, abs=0.2)
    assert (detail["audio_languages"], detail["subtitle_languages"]) == (["en", "hi"], ["en"])
    assert detail["poster_url"] == encodings[0].result["poster_url"]
    poster = demo.settings.data_dir / "media" / detail["poster_url"].removeprefix("/media/")
    assert poster.read_bytes()[:2] == b"\xff\xd8"
    # The others are not playable yet.
    assert (await _detail(demo, result.planned[1].content_id))["playable"] is False


async def test_a_video_that_cannot_be_made_is_reported_and_nothing_is_left(
    demo: AppContext, tmp_path: Path
) -> None:
    broken = tmp_path / "ffmpeg"
    broken.write_text("#!/bin/sh\necho 'not an encoder' >&2\nexit 3\n")
    broken.chmod(0o755)
    context = AppContext.open(demo.settings.model_copy(update={"ffmpeg_binary": str(broken)}))
    try:
        result = await queue_demo_videos(context)
    finally:
        await context.close()
    assert set(result.outcomes.values()) == {Outcome.FAILED}
    assert len(result.outcomes) == 6
    assert await _encodings(demo) == []
    assert await _uploads(demo) == []
    assert list((demo.settings.data_dir / "demo-work").iterdir()) == []


def _seed(settings: Settings, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = platform_env(settings, data_dir, DEMO_VIDEO_SECONDS=str(DEMO_SECONDS))
    return subprocess.run(
        [sys.executable, "-m", "ott", "seed", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_ott_seed_queues_the_demo_videos_once_and_no_demo_skips_them(
    demo_settings: Settings, tmp_path: Path
) -> None:
    skipped = _seed(demo_settings, tmp_path, "--no-demo")
    assert skipped.returncode == 0, skipped.stderr
    assert "240 created" in skipped.stderr
    assert "demo videos" not in skipped.stderr
    first = _seed(demo_settings, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "demo videos: 6 queued, 0 had one already" in first.stderr
    assert "premium film 720p" in first.stderr  # a row of the progress table
    second = _seed(demo_settings, tmp_path)
    assert second.returncode == 0, second.stderr
    assert "demo videos: 0 queued, 6 had one already" in second.stderr


def _playable(url: str, ids: set[str]) -> set[str]:
    found = set()
    for content_id in ids:
        response = httpx.get(f"{url}/api/catalog/content/{content_id}", timeout=5)
        if response.status_code == 200 and response.json()["playable"]:
            found.add(content_id)
    return found


def _encodings_of(settings: Settings) -> list[tuple[str, str]]:
    """(encoding id, title id) of every title's encoding (not the demo ads'), oldest first."""
    rows = fetch_sql(
        str(settings.database_url),
        "SELECT id, content_id FROM encodings WHERE content_id IS NOT NULL ORDER BY created_at",
    )
    return [(str(row["id"]), str(row["content_id"])) for row in rows]


def test_ott_serve_makes_the_demo_videos_in_the_background_once(
    demo_settings: Settings, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = platform_env(
        demo_settings,
        tmp_path,
        DEMO_VIDEO_SECONDS=str(DEMO_SECONDS),
        TRANSCODE_PRESET="ultrafast",
        TRANSCODE_POLL_SECONDS="0.2",
        RUN_WORKER_IN_PROCESS="true",  # this package turns it off for the session's gateway
    )
    process = spawn(["serve", "--port", str(port)], env)
    deadline = time.monotonic() + 180
    try:
        wait_ready(url, process)
        titles: set[str] = set()
        while len(titles) < 5 and time.monotonic() < deadline:
            time.sleep(0.5)
            titles = {title for _, title in _encodings_of(demo_settings)}
        assert len(titles) == 5  # two films, a series (two episodes), a match, a premium film
        while _playable(url, titles) != titles and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _playable(url, titles) == titles
    finally:
        stop(process)
    encodings = _encodings_of(demo_settings)
    assert len(encodings) == 6
    # A second start finds every demo title with its video and queues nothing.
    process = spawn(["serve", "--port", str(port)], env)
    try:
        wait_ready(url, process)
        time.sleep(3)  # the background check takes well under a second
    finally:
        stop(process)
    assert _encodings_of(demo_settings) == encodings
