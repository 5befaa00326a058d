"""A title's video is an edit of the title: queuing an encoding needs the same rights as a
metadata PUT (the same function decides), follows the workflow's states, and is recorded in
the title's version history in the same transaction."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text

from ott.core.app_context import AppContext
from ott.core.settings import Settings
from ott.media.models import Upload, UploadKind
from tests.cms.conftest import CMS, Staff, User, create, fetch, movie, show, to_state
from tests.conftest import assert_error


async def _upload(resources: AppContext, settings: Settings, user: User) -> str:
    """A finished video upload by `user` (its bytes are only staged here, never decoded)."""
    upload_id = uuid.uuid4()
    relative = f"uploads/{upload_id}"
    path = settings.data_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    data = b"not really a video, staged only" * 10
    path.write_bytes(data)
    async with resources.sessionmaker() as db, db.begin():
        db.add(
            Upload(
                id=upload_id,
                kind=UploadKind.VIDEO,
                length=len(data),
                received_bytes=len(data),
                filename="clip.mp4",
                upload_metadata={},
                path=relative,
                sha256=hashlib.sha256(data).hexdigest(),
                created_by=uuid.UUID(user.id),
                completed_at=datetime.now(UTC),
                expires_at=datetime.now(UTC) + timedelta(hours=1),
            )
        )
    return str(upload_id)


async def _encode(
    api: httpx.AsyncClient, user: User, content_id: str, upload_id: str, **body: Any
) -> httpx.Response:
    params = {"version": body.pop("version")} if "version" in body else None
    return await api.post(
        f"{CMS}/{content_id}/encodings",
        json={"source_upload_id": upload_id, **body},
        params=params,
        headers=user.headers,
    )


async def _encodings(resources: AppContext, content_id: str) -> list[Any]:
    async with resources.sessionmaker() as db:
        result = await db.execute(
            text("SELECT id FROM encodings WHERE content_id = :id"), {"id": uuid.UUID(content_id)}
        )
        return [row.id for row in result]


async def _versions(api: httpx.AsyncClient, user: User, content_id: str) -> list[Any]:
    response = await api.get(f"{CMS}/{content_id}/versions", headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()["versions"]


async def test_a_new_video_is_a_version_of_the_title(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext, settings: Settings
) -> None:
    view = await create(api, staff.editor, movie())
    upload_id = await _upload(resources, settings, staff.editor)
    response = await _encode(api, staff.editor, view["id"], upload_id, version=1)
    assert response.status_code == 202, response.text
    encoding = response.json()
    after = await fetch(api, staff.editor, view["id"])
    assert (after["version"], after["workflow_state"]) == (2, "draft")
    latest = (await _versions(api, staff.editor, view["id"]))[0]
    assert (latest["version"], latest["action"]) == (2, "video_encoding")
    assert encoding["id"] in latest["note"]
    [change] = latest["changes"]
    assert change["field"] == "video"
    assert change["before"] is None
    assert change["after"]["encoding_id"] == encoding["id"]
    assert change["after"]["source_upload_id"] == upload_id

    # A second video names the first as what it replaces.
    again = await _encode(
        api, staff.editor, view["id"], await _upload(resources, settings, staff.editor)
    )
    assert again.status_code == 202, again.text
    [change] = (await _versions(api, staff.editor, view["id"]))[0]["changes"]
    assert change["before"]["encoding_id"] == encoding["id"]
    assert change["after"]["encoding_id"] == again.json()["id"]
    listed = await api.get(f"{CMS}/{view['id']}/encodings", headers=staff.editor.headers)
    assert [e["id"] for e in listed.json()["items"]] == [again.json()["id"], encoding["id"]]


async def test_an_episode_video_names_the_episode(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext, settings: Settings
) -> None:
    view = await create(api, staff.editor, show(seasons=2, episodes=2))
    episode_id = view["seasons"][1]["episodes"][0]["id"]
    upload_id = await _upload(resources, settings, staff.editor)
    response = await _encode(api, staff.editor, view["id"], upload_id, episode_id=episode_id)
    assert response.status_code == 202, response.text
    [change] = (await _versions(api, staff.editor, view["id"]))[0]["changes"]
    assert change["field"] == "seasons.2.episodes.1.video"
    assert change["after"]["episode_id"] == episode_id


async def test_whoever_may_not_put_may_not_give_a_video(
    api: httpx.AsyncClient, staff: Staff, resources: AppContext, settings: Settings
) -> None:
    """The same answers as a PUT of the same title by the same user, and nothing changes."""
    draft = await create(api, staff.editor, movie())
    published = await to_state(api, staff, movie(), "published")
    pending = await to_state(api, staff, movie(), "pending_review")
    archived = await to_state(api, staff, movie(), "archived")
    cases = [
        (staff.other_editor, draft, 403, "not_owner"),
        (staff.editor, published, 403, "forbidden"),
        (staff.editor, pending, 409, "illegal_transition"),
        (staff.admin, pending, 409, "illegal_transition"),
        (staff.admin, archived, 409, "illegal_transition"),
    ]
    for user, title, status, code in cases:
        view = await fetch(api, staff.admin, title["id"])
        put = await api.put(
            f"{CMS}/{view['id']}", json={**view, "title": "Changed"}, headers=user.headers
        )
        assert_error(put, status, code)
        upload_id = await _upload(resources, settings, user)
        assert_error(await _encode(api, user, view["id"], upload_id), status, code)
        assert await _encodings(resources, view["id"]) == []
        assert (await fetch(api, staff.admin, view["id"]))["version"] == view["version"]
    stale = await _encode(
        api, staff.editor, draft["id"], await _upload(resources, settings, staff.editor), version=9
    )
    assert_error(stale, 409, "stale_version")
    assert await _encodings(resources, draft["id"]) == []

    # An admin may replace the video of a published title, as they may edit it.
    upload_id = await _upload(resources, settings, staff.admin)
    response = await _encode(api, staff.admin, published["id"], upload_id)
    assert response.status_code == 202, response.text
    assert (await fetch(api, staff.admin, published["id"]))["workflow_state"] == "published"


def test_the_video_pipeline_serves_no_content_routes() -> None:
    """media/ is becoming its own service: a title's routes are the CMS's."""
    from fastapi import FastAPI

    from ott.cms.router import router as cms
    from ott.media.router import router as media

    def paths(router: Any) -> set[str]:
        app = FastAPI()
        app.include_router(router)
        return set(app.openapi()["paths"])

    content_routes = {"/api/cms/content/{content_id}/encodings"}
    assert not content_routes & paths(media)
    assert content_routes <= paths(cms)
