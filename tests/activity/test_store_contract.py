"""One contract for every activity store: PostgreSQL, mongomock (the MongoDB backend's code on a
fake; see README), and a real MongoDB when MONGODB_URI is set."""

from __future__ import annotations

import uuid
from dataclasses import replace

from ott.activity.records import Engagement, HistoryEntry, HistoryPosition
from ott.activity.status import SessionEvent, SessionState
from ott.activity.store import ActivityStore
from ott.core.event_types import EngagementType
from tests.activity.conftest import at, playback


async def test_a_session_keeps_its_newest_update(store: ActivityStore) -> None:
    first = playback(sequence=1, position=0, event=SessionEvent.STARTED)
    [session] = await store.apply_playback([first])
    assert session.state is SessionState.ACTIVE
    assert (session.sequence, session.position_seconds) == (1, 0)
    assert session.created_at == first.occurred_at

    later = [
        replace(
            first,
            sequence=s,
            position_seconds=s * 10.0,
            event=SessionEvent.POSITION,
            occurred_at=at(s * 10),
        )
        for s in (2, 3)
    ]
    [session] = await store.apply_playback(later)
    assert (session.sequence, session.position_seconds) == (3, 30.0)
    assert session.last_updated == at(30)
    assert session.first_position_seconds == 0
    assert session.furthest_position_seconds == 30.0
    assert session.created_at == first.occurred_at
    assert await store.session(first.session_id) == session


async def test_replayed_and_late_updates_change_nothing(store: ActivityStore) -> None:
    start = playback(sequence=1, position=100)
    updates = [
        replace(start, sequence=s, position_seconds=100.0 + s, occurred_at=at(s)) for s in (1, 2, 5)
    ]
    [applied] = await store.apply_playback(updates)

    # The same batch again, and an update older than the newest one.
    assert await store.apply_playback(updates) == [applied]
    late = replace(start, sequence=4, position_seconds=3000.0, occurred_at=at(4))
    [after] = await store.apply_playback([late])
    assert (after.sequence, after.position_seconds, after.last_updated) == (5, 105.0, at(5))
    # The furthest position counts every update, late ones too.
    assert after.furthest_position_seconds == 3000.0
    progress = await store.progress(
        profile_id=start.profile_id, content_id=start.content_id, episode_id=None
    )
    assert progress is not None
    assert (progress.position_seconds, progress.updated_at) == (105.0, at(5))


async def test_updates_in_any_order_end_alike(store: ActivityStore) -> None:
    base = playback(sequence=1)
    updates = [
        replace(base, sequence=s, position_seconds=s * 60.0, occurred_at=at(s * 10))
        for s in range(1, 7)
    ]
    other = replace(base, session_id=uuid.uuid4().hex, profile_id=uuid.uuid4())
    shuffled = [
        replace(u, session_id=other.session_id, profile_id=other.profile_id)
        for u in reversed(updates)
    ]
    await store.apply_playback(updates[3:] + updates[:3])
    for single in shuffled:
        await store.apply_playback([single])
    a = await store.session(base.session_id)
    b = await store.session(other.session_id)
    assert a is not None
    assert b is not None
    assert (a.sequence, a.position_seconds, a.first_position_seconds) == (6, 360.0, 60.0)
    assert (b.sequence, b.position_seconds, b.first_position_seconds) == (6, 360.0, 60.0)
    assert a.created_at == b.created_at == at(10)


async def test_the_state_follows_the_newest_event(store: ActivityStore) -> None:
    base = playback(sequence=1)
    [done] = await store.apply_playback(
        [base, replace(base, sequence=2, event=SessionEvent.COMPLETED, occurred_at=at(20))]
    )
    assert done.state is SessionState.COMPLETED
    [stopped] = await store.apply_playback(
        [replace(base, sequence=3, event=SessionEvent.STOPPED, occurred_at=at(30))]
    )
    assert stopped.state is SessionState.STOPPED
    progress = await store.progress(
        profile_id=base.profile_id, content_id=base.content_id, episode_id=None
    )
    assert progress is not None
    assert not progress.completed


async def test_an_item_keeps_the_newest_update_of_any_session(store: ActivityStore) -> None:
    profile, content = uuid.uuid4(), uuid.uuid4()
    episode = uuid.uuid4()
    phone = playback(
        profile_id=profile,
        content_id=content,
        episode_id=episode,
        position=900,
        sequence=9,
        when=at(100),
        device="phone",
    )
    tv = playback(
        profile_id=profile,
        content_id=content,
        episode_id=episode,
        position=300,
        sequence=2,
        when=at(50),
        device="tv",
    )
    await store.apply_playback([phone, tv])
    progress = await store.progress(profile_id=profile, content_id=content, episode_id=episode)
    assert progress is not None
    assert (progress.position_seconds, progress.updated_at) == (900, at(100))
    assert progress.episode_id == episode
    # The same moment from the same session: the higher sequence is newer.
    await store.apply_playback(
        [replace(phone, sequence=10, position_seconds=950, event=SessionEvent.COMPLETED)]
    )
    progress = await store.progress(profile_id=profile, content_id=content, episode_id=episode)
    assert progress is not None
    assert (progress.position_seconds, progress.completed) == (950, True)
    # The title itself (not the episode) has no progress of its own.
    assert await store.progress(profile_id=profile, content_id=content, episode_id=None) is None
    assert (
        await store.progress(profile_id=uuid.uuid4(), content_id=content, episode_id=episode)
        is None
    )


async def test_continue_watching_is_newest_first_and_per_profile(store: ActivityStore) -> None:
    profile, sibling = uuid.uuid4(), uuid.uuid4()
    titles = [uuid.uuid4() for _ in range(4)]
    await store.apply_playback(
        [playback(profile_id=profile, content_id=t, when=at(i)) for i, t in enumerate(titles)]
        + [playback(profile_id=sibling, content_id=uuid.uuid4(), when=at(99))]
    )
    recent = await store.continue_watching(profile_id=profile, limit=3)
    assert [p.content_id for p in recent] == titles[::-1][:3]
    assert {p.profile_id for p in recent} == {profile}
    assert len(await store.continue_watching(profile_id=sibling, limit=10)) == 1
    assert await store.continue_watching(profile_id=uuid.uuid4(), limit=10) == []


async def test_a_hidden_title_comes_back_with_newer_activity(store: ActivityStore) -> None:
    profile = uuid.uuid4()
    series, film = uuid.uuid4(), uuid.uuid4()
    e1, e2 = uuid.uuid4(), uuid.uuid4()
    await store.apply_playback(
        [
            playback(profile_id=profile, content_id=series, episode_id=e1, when=at(1)),
            playback(profile_id=profile, content_id=series, episode_id=e2, when=at(2)),
            playback(profile_id=profile, content_id=film, when=at(3)),
        ]
    )
    await store.hide_from_continue_watching(profile_id=profile, content_id=series, at=at(10))
    await store.hide_from_continue_watching(profile_id=profile, content_id=series, at=at(5))
    assert [p.content_id for p in await store.continue_watching(profile_id=profile, limit=10)] == [
        film
    ]
    # Activity from before the removal (arriving late) keeps it hidden; newer brings it back.
    await store.apply_playback(
        [playback(profile_id=profile, content_id=series, episode_id=e1, when=at(9))]
    )
    assert len(await store.continue_watching(profile_id=profile, limit=10)) == 1
    await store.apply_playback(
        [playback(profile_id=profile, content_id=series, episode_id=e2, when=at(11))]
    )
    back = await store.continue_watching(profile_id=profile, limit=10)
    assert [(p.content_id, p.episode_id) for p in back] == [(series, e2), (film, None)]


async def test_stale_active_sessions_are_abandoned_once(store: ActivityStore) -> None:
    # Years back, where no other test's sessions are.
    past = -400_000_000
    stale = playback(sequence=3, when=at(past), position=1234)
    fresh = playback(sequence=3, when=at(past + 500))
    done = playback(sequence=3, when=at(past), event=SessionEvent.COMPLETED)
    await store.apply_playback([stale, fresh, done])

    marked = await store.abandon_stale_sessions(before=at(past + 100), limit=100)
    ours = [
        s for s in marked if s.session_id in {stale.session_id, fresh.session_id, done.session_id}
    ]
    assert [(s.session_id, s.state, s.position_seconds) for s in ours] == [
        (stale.session_id, SessionState.ABANDONED, 1234)
    ]
    again = await store.abandon_stale_sessions(before=at(past + 100), limit=100)
    assert stale.session_id not in {s.session_id for s in again}
    # A heartbeat after all makes it active again.
    [revived] = await store.apply_playback([replace(stale, sequence=4, occurred_at=at(past + 600))])
    assert revived.state is SessionState.ACTIVE


async def test_history_is_one_entry_per_session_newest_first(store: ActivityStore) -> None:
    profile, user = uuid.uuid4(), uuid.uuid4()

    def entry(session: str, when: int, rate: float = 95.0) -> HistoryEntry:
        return HistoryEntry(
            session_id=session,
            user_id=user,
            profile_id=profile,
            content_id=uuid.uuid4(),
            episode_id=None,
            watched_at=at(when),
            completion_rate=rate,
            watch_duration_seconds=rate * 10,
        )

    entries = [entry(f"s{i:02d}", when=i // 2) for i in range(7)]  # pairs share a moment
    await store.record_history(entries)
    first = entries[0]
    await store.record_history(
        [replace(first, watched_at=at(50), completion_rate=100.0, watch_duration_seconds=5.0)]
    )
    await store.record_history([replace(entry("other", 3), profile_id=uuid.uuid4())])

    pages: list[list[str]] = []
    after: HistoryPosition | None = None
    while True:
        page = await store.history(profile_id=profile, limit=3, after=after)
        if not page:
            break
        pages.append([e.session_id for e in page])
        after = HistoryPosition(page[-1].watched_at, page[-1].session_id)
    assert pages == [["s06", "s05", "s04"], ["s03", "s02", "s01"], ["s00"]]
    [kept] = [e for e in await store.history(profile_id=profile, limit=10) if e.session_id == "s00"]
    assert (kept.watched_at, kept.completion_rate, kept.watch_duration_seconds) == (
        at(0),
        100.0,
        950.0,
    )


async def test_engagements_are_stored_once_per_profile_and_event_id(store: ActivityStore) -> None:
    profile, other = uuid.uuid4(), uuid.uuid4()

    def engagement(event_id: str, when: int, who: uuid.UUID = profile) -> Engagement:
        return Engagement(
            event_id=event_id,
            user_id=uuid.uuid4(),
            profile_id=who,
            content_id=uuid.uuid4(),
            episode_id=None,
            session_id="s1",
            event_type=EngagementType.PAUSE,
            timestamp=at(when),
            position_seconds=float(when),
            metadata={"from": 1.5},
        )

    batch = [engagement("e1", 1), engagement("e2", 2), engagement("e1", 1, other)]
    assert await store.record_engagements(batch) == 3
    assert await store.record_engagements([*batch, engagement("e3", 3)]) == 1
    mine = await store.engagements(profile_id=profile, limit=10)
    assert [(e.event_id, e.event_type, e.metadata) for e in mine] == [
        ("e3", EngagementType.PAUSE, {"from": 1.5}),
        ("e2", EngagementType.PAUSE, {"from": 1.5}),
        ("e1", EngagementType.PAUSE, {"from": 1.5}),
    ]
    assert mine[-1] == batch[0]
    assert len(await store.engagements(profile_id=other, limit=10)) == 1


async def test_the_watchlist_is_idempotent_and_newest_first(store: ActivityStore) -> None:
    user, profile = uuid.uuid4(), uuid.uuid4()
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for when, title in enumerate([a, b, c]):
        entry, new = await store.add_to_watchlist(
            user_id=user, profile_id=profile, content_id=title, at=at(when)
        )
        assert new
        assert entry.content_id == title
        assert entry.added_at == at(when)
    entry, new = await store.add_to_watchlist(
        user_id=user, profile_id=profile, content_id=a, at=at(10)
    )
    assert not new
    assert entry.added_at == at(0)
    assert [e.content_id for e in await store.watchlist(profile_id=profile, limit=10)] == [c, b, a]
    assert [e.content_id for e in await store.watchlist(profile_id=profile, limit=2)] == [c, b]

    await store.remove_from_watchlist(profile_id=profile, content_id=b)
    await store.remove_from_watchlist(profile_id=profile, content_id=b)
    await store.remove_from_watchlist(profile_id=uuid.uuid4(), content_id=a)
    assert [e.content_id for e in await store.watchlist(profile_id=profile, limit=10)] == [c, a]
    assert await store.watchlist(profile_id=uuid.uuid4(), limit=10) == []
