"""Events of the CMS, read from the bus as a subscriber would: one per committed change,
published after the commit, none for refused requests; and scheduled publishing, announced by
the scheduler (exactly once, with several replicas) when the time comes."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from ott.cms.app import create_app
from ott.cms.scheduler import PublishScheduler
from ott.core.app_context import AppContext
from ott.core.event_types import CONTENT_CHANGES, ContentChange
from ott.core.events import Event, EventConsumer
from ott.core.settings import Settings
from tests.cms.conftest import CMS, Staff, act, create, movie, to_state
from tests.conftest import assert_error, settings_with


def payload(event: Event) -> dict[str, Any]:
    """The event's payload as JSON, as it travelled."""
    return event.payload.model_dump(mode="json")


class Subscriber:
    """A consumer group of its own on the content streams; remembers what it saw and what
    the database said at that moment."""

    def __init__(self, resources: AppContext) -> None:
        self.resources = resources
        self.seen: list[tuple[Event, dict[str, Any] | None]] = []
        self.consumer = EventConsumer(
            resources.events,
            group=f"cms-test-{uuid.uuid4().hex[:8]}",
            consumer="c1",
            handlers=dict.fromkeys(CONTENT_CHANGES, self._handle),
            block_ms=50,
            batch_size=500,
        )

    async def _handle(self, event: Event) -> None:
        assert isinstance(event.payload, ContentChange)
        content_id = event.payload.content_id
        row = None
        if content_id:
            async with self.resources.sessionmaker() as db:
                result = await db.execute(
                    text(
                        "SELECT workflow_state::text AS state, version FROM content WHERE id = :id"
                    ),
                    {"id": content_id},
                )
                found = result.first()
                row = dict(found._mapping) if found else None
        self.seen.append((event, row))

    def of(self, content_id: str) -> list[tuple[Event, dict[str, Any] | None]]:
        """This title's events in version order (each type has its own stream, so arrival
        order across types is not the order of the changes)."""
        mine = [(e, r) for e, r in self.seen if payload(e)["content_id"] == content_id]
        return sorted(mine, key=lambda pair: (payload(pair[0])["version"], pair[0].occurred_at))

    async def drain(self, seconds: float = 0.5) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await self.consumer.run_once()

    async def wait_for(
        self, content_id: str, count: int = 1, within: float = 15.0
    ) -> list[tuple[Event, dict[str, Any] | None]]:
        deadline = time.monotonic() + within
        while len(self.of(content_id)) < count and time.monotonic() < deadline:
            await self.consumer.run_once()
        return self.of(content_id)


@pytest.fixture
async def subscriber(resources: AppContext) -> Subscriber:
    sub = Subscriber(resources)
    await sub.consumer.run_once()  # create the groups; history before this is read too
    await sub.drain(0.2)
    return sub


async def test_each_change_announces_one_event_after_its_commit(
    api: httpx.AsyncClient, staff: Staff, subscriber: Subscriber
) -> None:
    body = movie()
    view = await create(api, staff.editor, body)
    cid = view["id"]
    edited = await api.put(
        f"{CMS}/{cid}", json={**body, "title": "Edited", "version": 1}, headers=staff.editor.headers
    )
    assert edited.status_code == 200
    for action, user in [
        ("submit-review", staff.editor),
        ("approve", staff.reviewer),
        ("publish", staff.admin),
        ("archive", staff.admin),
    ]:
        assert (await act(api, user, cid, action)).status_code == 200

    seen = await subscriber.wait_for(cid, count=6)
    await subscriber.drain()
    seen = subscriber.of(cid)
    assert [(e.type, payload(e)) for e, _ in seen] == [
        ("content.updated", {"content_id": cid, "workflow_state": "draft", "version": 1}),
        ("content.updated", {"content_id": cid, "workflow_state": "draft", "version": 2}),
        ("content.updated", {"content_id": cid, "workflow_state": "pending_review", "version": 3}),
        ("content.updated", {"content_id": cid, "workflow_state": "approved", "version": 4}),
        ("content.published", {"content_id": cid, "workflow_state": "published", "version": 5}),
        ("content.archived", {"content_id": cid, "workflow_state": "archived", "version": 6}),
    ]
    # The first event was read while the title existed: it was published after the commit.
    assert seen[0][1] is not None
    assert all(e.correlation_id for e, _ in seen)


async def test_an_edit_of_a_live_title_is_announced_as_updated(
    api: httpx.AsyncClient, staff: Staff, subscriber: Subscriber
) -> None:
    body = movie()
    view = await to_state(api, staff, body, "published")
    response = await api.put(
        f"{CMS}/{view['id']}",
        json={**body, "description": "Better words", "version": view["version"]},
        headers=staff.admin.headers,
    )
    assert response.status_code == 200, response.text
    await subscriber.wait_for(view["id"], count=5)
    await subscriber.drain()
    events = [(e.type, payload(e)["version"]) for e, _ in subscriber.of(view["id"])]
    assert events[-2:] == [("content.published", 4), ("content.updated", 5)]


async def test_refused_requests_announce_nothing(
    api: httpx.AsyncClient, staff: Staff, subscriber: Subscriber
) -> None:
    body = movie()
    view = await create(api, staff.editor, body)
    await subscriber.wait_for(view["id"])
    assert_error(await act(api, staff.admin, view["id"], "publish"), 409)
    assert_error(await act(api, staff.reviewer, view["id"], "archive"), 403)
    stale = await api.put(
        f"{CMS}/{view['id']}", json={**body, "version": 9}, headers=staff.editor.headers
    )
    assert_error(stale, 409)
    await subscriber.drain()
    assert len(subscriber.of(view["id"])) == 1


async def test_a_bulk_import_announces_each_title(
    api: httpx.AsyncClient, staff: Staff, subscriber: Subscriber
) -> None:
    titles = [movie(), movie()]
    response = await api.post(
        f"{CMS}/bulk-upload",
        json={"titles": titles},
        params={"publish": "true"},
        headers=staff.admin.headers,
    )
    assert response.status_code == 200, response.text
    for entry in response.json()["titles"]:
        seen = await subscriber.wait_for(entry["id"])
        assert [(e.type, payload(e)["version"]) for e, _ in seen] == [("content.published", 1)]
    again = await api.post(
        f"{CMS}/bulk-upload", json={"titles": titles}, headers=staff.admin.headers
    )
    assert again.json()["unchanged"] == 2
    await subscriber.drain()
    for entry in response.json()["titles"]:
        assert len(subscriber.of(entry["id"])) == 1


# --- scheduled publishing -----------------------------------------------------------------


@pytest.fixture
async def fast_replica(settings: Settings, resources: AppContext) -> AsyncIterator[None]:
    """Another CMS replica whose scheduler runs every 0.2 s (the gateway's own runs too)."""
    app = create_app(settings_with(settings, cms_publish_interval_seconds=0.2), resources)
    async with app.router.lifespan_context(app):
        yield


def _soon(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


async def test_a_scheduled_title_goes_live_by_itself(
    api: httpx.AsyncClient,
    staff: Staff,
    subscriber: Subscriber,
    resources: AppContext,
    fast_replica: None,
) -> None:
    view = await to_state(api, staff, movie(available_from=_soon(2)), "approved")
    published = (await act(api, staff.admin, view["id"], "publish")).json()
    assert published["scheduled_publish_at"] == published["available_from"]
    go_live = datetime.fromisoformat(published["available_from"])
    await subscriber.drain(0.3)
    assert [e.type for e, _ in subscriber.of(view["id"])] == ["content.updated"] * 4

    seen = await subscriber.wait_for(view["id"], count=5, within=20)
    event, _ = seen[-1]
    assert event.type == "content.published"
    assert payload(event) == {
        "content_id": view["id"],
        "workflow_state": "published",
        "version": published["version"],
    }
    assert event.occurred_at >= go_live
    after = await api.get(f"{CMS}/{view['id']}", headers=staff.admin.headers)
    assert after.json()["scheduled_publish_at"] is None
    assert after.json()["version"] == published["version"]
    await asyncio.sleep(0.6)  # more scheduler runs announce nothing more
    await subscriber.drain()
    assert [e.type for e, _ in subscriber.of(view["id"])].count("content.published") == 1


async def test_replicas_announce_each_due_title_exactly_once(
    api: httpx.AsyncClient, staff: Staff, subscriber: Subscriber, resources: AppContext
) -> None:
    ids = []
    for _ in range(8):
        view = await to_state(api, staff, movie(available_from=_soon(1.5)), "approved")
        assert (await act(api, staff.admin, view["id"], "publish")).status_code == 200
        ids.append(view["id"])
    due = datetime.fromisoformat(_soon(0)) + timedelta(seconds=1.6)
    await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()))

    replicas = [PublishScheduler(resources, interval=1, batch=3) for _ in range(4)]
    results = await asyncio.gather(*(r.run_once() for r in replicas))
    claimed = [str(i) for result in results for i in result]
    assert len(claimed) == len(set(claimed))  # no title taken by two replicas
    for content_id in ids:
        seen = await subscriber.wait_for(content_id, count=5)
        published = [e for e, _ in seen if e.type == "content.published"]
        assert len(published) == 1, content_id
    await subscriber.drain()
    for content_id in ids:
        assert [e.type for e, _ in subscriber.of(content_id)].count("content.published") == 1


async def test_an_edit_moving_available_from_to_now_publishes_at_once(
    api: httpx.AsyncClient, staff: Staff, subscriber: Subscriber
) -> None:
    body = movie(available_from="2099-01-01T00:00:00Z")
    view = await to_state(api, staff, body, "approved")
    published = (await act(api, staff.admin, view["id"], "publish")).json()
    assert published["scheduled_publish_at"] == "2099-01-01T00:00:00Z"
    response = await api.put(
        f"{CMS}/{view['id']}",
        json={**body, "available_from": None, "version": published["version"]},
        headers=staff.admin.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["scheduled_publish_at"] is None
    await subscriber.wait_for(view["id"], count=5)
    await subscriber.drain()
    assert [(e.type, payload(e)["version"]) for e, _ in subscriber.of(view["id"])][-2:] == [
        ("content.updated", 4),  # published, scheduled for 2099
        ("content.published", 5),  # the edit made it live
    ]


async def test_an_archived_scheduled_title_is_never_announced(
    api: httpx.AsyncClient, staff: Staff, subscriber: Subscriber, resources: AppContext
) -> None:
    view = await to_state(api, staff, movie(available_from=_soon(1)), "approved")
    assert (await act(api, staff.admin, view["id"], "publish")).status_code == 200
    assert (await act(api, staff.admin, view["id"], "archive")).status_code == 200
    await asyncio.sleep(1.2)
    assert str(view["id"]) not in [
        str(i) for i in await PublishScheduler(resources, interval=1).run_once()
    ]
    await subscriber.drain()
    assert [e.type for e, _ in subscriber.of(view["id"])][-1] == "content.archived"
    assert "content.published" not in [e.type for e, _ in subscriber.of(view["id"])]
