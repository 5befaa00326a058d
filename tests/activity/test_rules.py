"""The rules on their own: resume points, watched, the resume position the streaming service
asks for, abandoned sessions, and the session life cycle."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ott.activity import service
from ott.activity.records import Progress, to_millis
from ott.activity.status import IllegalTransition, SessionEvent, SessionState, next_state
from ott.activity.store import ActivityStore
from ott.core.event_types import EngagementType
from ott.core.settings import Settings
from tests.activity.conftest import playback


def progress(percent: float, *, duration: float = 3600.0, completed: bool = False) -> Progress:
    return Progress(
        profile_id=uuid.uuid4(),
        content_id=uuid.uuid4(),
        episode_id=None,
        position_seconds=duration * percent / 100,
        duration_seconds=duration,
        completed=completed,
        updated_at=datetime.now(UTC),
    )


@pytest.mark.parametrize(
    ("percent", "duration", "completed", "resumes", "finished"),
    [
        (4.99, 3600, False, False, False),
        (5.0, 3600, False, True, False),
        (50, 3600, False, True, False),
        (89.99, 3600, False, True, False),
        (90.0, 3600, False, False, True),
        (100, 3600, False, False, True),
        (50, 3600, True, False, True),  # marked complete by the viewer
        (50, 299.9, False, False, False),  # shorter than 5 minutes
        (50, 300, False, True, False),
        (50, 0, False, False, False),  # no duration known
    ],
)
def test_resume_and_watched_rules(
    settings: Settings,
    percent: float,
    duration: float,
    completed: bool,
    resumes: bool,
    finished: bool,
) -> None:
    item = progress(percent, duration=duration, completed=completed)
    assert service.is_resume_point(item, settings) is resumes
    assert service.is_finished(item, settings) is finished


def test_the_rules_follow_the_settings(settings: Settings) -> None:
    lenient = settings.model_copy(
        update={
            "activity_resume_min_percent": 1.0,
            "activity_watched_percent": 99.0,
            "activity_min_resume_seconds": 60.0,
        }
    )
    assert service.is_resume_point(progress(2, duration=120), lenient)
    assert service.is_resume_point(progress(95), lenient)
    assert not service.is_finished(progress(95), lenient)


async def test_resume_position_for_the_streaming_service(
    store: ActivityStore, settings: Settings
) -> None:
    half = playback(position=1800, duration=3600)
    await store.apply_playback([half])

    async def position(duration: float, **item: object) -> float:
        keys = {
            "profile_id": half.profile_id,
            "content_id": half.content_id,
            "episode_id": None,
        } | item
        return await service.resume_position(
            store=store,
            settings=settings,
            duration_seconds=duration,
            **keys,  # type: ignore[arg-type]
        )

    assert await position(3600) == 1800
    # Judged against the video's duration now: a longer cut makes it an early position.
    assert await position(3600 * 30) == 0.0
    assert await position(3600, episode_id=uuid.uuid4()) == 0.0
    assert await position(3600, profile_id=uuid.uuid4()) == 0.0
    assert await position(3600, content_id=uuid.uuid4()) == 0.0

    done = replace(
        half, sequence=2, position_seconds=3300, occurred_at=half.occurred_at + timedelta(seconds=1)
    )
    await store.apply_playback([done])
    assert await position(3600) == 0.0  # watched: starts from the beginning


async def test_stopped_heartbeats_become_one_abandon(
    store: ActivityStore, settings: Settings
) -> None:
    now = to_millis(datetime.now(UTC) + timedelta(days=3650))  # later than any other test's
    gone = playback(when=now - timedelta(seconds=121), position=777, sequence=4)
    watching = playback(when=now - timedelta(seconds=30))
    finished = playback(when=now - timedelta(seconds=500), event=SessionEvent.COMPLETED)
    stopped = playback(when=now - timedelta(seconds=500), event=SessionEvent.STOPPED)
    await store.apply_playback([gone, watching, finished, stopped])

    assert await service.abandon_stale_sessions(store=store, settings=settings, now=now) >= 1
    assert await service.abandon_stale_sessions(store=store, settings=settings, now=now) == 0
    [abandon] = await store.engagements(profile_id=gone.profile_id, limit=10)
    assert abandon.event_type is EngagementType.ABANDON
    assert (abandon.position_seconds, abandon.session_id) == (777, gone.session_id)
    assert abandon.timestamp == gone.occurred_at
    for other in (watching, finished, stopped):
        assert await store.engagements(profile_id=other.profile_id, limit=10) == []
    session = await store.session(watching.session_id)
    assert session is not None
    assert session.state is SessionState.ACTIVE

    # Heartbeats come back, then stop again: still one abandon for the session.
    await store.apply_playback(
        [replace(gone, sequence=5, occurred_at=now - timedelta(seconds=200))]
    )
    assert await service.abandon_stale_sessions(store=store, settings=settings, now=now) >= 1
    assert len(await store.engagements(profile_id=gone.profile_id, limit=10)) == 1


def test_the_session_life_cycle() -> None:
    assert next_state(None, SessionEvent.STARTED) is SessionState.ACTIVE
    assert next_state(SessionState.COMPLETED, SessionEvent.POSITION) is SessionState.ACTIVE
    assert next_state(SessionState.ACTIVE, SessionEvent.COMPLETED) is SessionState.COMPLETED
    assert next_state(SessionState.ACTIVE, SessionEvent.STOPPED) is SessionState.STOPPED
    assert next_state(SessionState.ACTIVE, SessionEvent.ABANDON) is SessionState.ABANDONED
    for state in (None, SessionState.COMPLETED, SessionState.STOPPED, SessionState.ABANDONED):
        with pytest.raises(IllegalTransition):
            next_state(state, SessionEvent.ABANDON)
