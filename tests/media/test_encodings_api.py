"""The encodings API, through the gateway: create, read, list, cancel, retry."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from ott.core.app_context import AppContext
from ott.core.errors import NotFound
from ott.core.identity import Identity, Role
from ott.core.settings import Settings
from ott.core.storage import LocalStorage
from ott.media import service
from ott.media.jobs.worker import Outcome, Worker
from ott.media.models import EncodingStatus, UploadKind
from ott.media.schemas import EncodingIn, TrackIn
from tests.cms.conftest import User, create, make_user, movie
from tests.conftest import assert_error, settings_with, start_gateway
from tests.media import sources
from tests.media.conftest import (
    RunningWorker,
    add_upload,
    job_row,
    media_rows,
    signed_url,
    wait_for_status,
)

CMS = "/api/cms"


@pytest.fixture
async def uploads(
    media_resources: AppContext,
    media_settings: Settings,
    editor: User,
    source: Path,
    source_dir: Path,
) -> dict[str, str]:
    """Finished uploads of a video, an audio track and a subtitle file."""
    made = {
        "video": await add_upload(
            media_resources, media_settings, source, UploadKind.VIDEO, editor.id
        ),
        "audio": await add_upload(
            media_resources,
            media_settings,
            sources.make_audio(source_dir),
            UploadKind.AUDIO,
            editor.id,
        ),
        "subtitle": await add_upload(
            media_resources,
            media_settings,
            sources.make_srt(source_dir),
            UploadKind.SUBTITLE,
            editor.id,
        ),
    }
    return {kind: str(upload.id) for kind, upload in made.items()}


def _body(uploads: dict[str, str], **changes: Any) -> dict[str, Any]:
    return {
        "source_upload_id": uploads["video"],
        "audio": [{"upload_id": uploads["audio"], "language": "hi", "label": "हिन्दी"}],
        "subtitles": [{"upload_id": uploads["subtitle"], "language": "en", "label": "English"}],
        **changes,
    }


async def _encode(
    api: httpx.AsyncClient, user: User, content_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    response = await api.post(
        f"{CMS}/content/{content_id}/encodings", json=body, headers=user.headers
    )
    assert response.status_code == 202, response.text
    return response.json()


async def _encodings_of(api: httpx.AsyncClient, user: User, content_id: str) -> list[Any]:
    response = await api.get(f"{CMS}/content/{content_id}/encodings", headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _staged_folders(storage: LocalStorage) -> set[str]:
    folder = storage.root / "sources"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


async def test_an_editor_queues_an_encoding_and_follows_it_to_the_end(
    api: httpx.AsyncClient,
    editor: User,
    title: dict[str, Any],
    uploads: dict[str, str],
    storage: LocalStorage,
    make_worker: Callable[..., Worker],
    media_resources: AppContext,
    settings: Settings,
) -> None:
    created = await _encode(api, editor, title["id"], _body(uploads))
    assert created["status"] == "queued"
    assert created["content_id"] == title["id"]
    assert created["episode_id"] is None
    assert (created["progress"], created["attempts"], created["max_attempts"]) == (0, 0, 3)
    assert created["created_by"] == editor.id
    assert created["result"] is None

    # The uploads were copied into storage, where any worker can fetch them.
    row = await job_row(media_resources, created["id"])
    assert row["source_key"] == f"sources/{created['id']}/source.mp4"
    assert (storage.root / row["source_key"]).stat().st_size > 0
    # Staged sources are inputs, never served (unlike the renditions beside them).
    assert (await api.get(f"/media/{row['source_key']}")).status_code == 404
    assert [a["language"] for a in row["audio_inputs"]] == ["hi"]
    assert row["subtitle_inputs"][0]["key"] == f"sources/{created['id']}/subtitle-0.srt"

    assert await make_worker().run_once() is Outcome.SUCCEEDED
    response = await api.get(f"{CMS}/encodings/{created['id']}", headers=editor.headers)
    assert response.status_code == 200, response.text
    done = response.json()
    assert (done["status"], done["progress"], done["attempts"]) == ("succeeded", 100, 1)
    assert done["started_at"] is not None
    assert done["finished_at"] is not None
    assert done["result"]["master_playlist_url"].endswith("master.m3u8")
    master = await api.get(signed_url(settings, done["result"]["master_playlist_url"]))
    assert master.status_code == 200
    assert "#EXT-X-STREAM-INF" in master.text

    second = await _encode(api, editor, title["id"], _body(uploads, audio=[], subtitles=[]))
    listed = await _encodings_of(api, editor, title["id"])
    assert [e["id"] for e in listed] == [second["id"], created["id"]]


async def test_a_series_encodes_per_episode(
    api: httpx.AsyncClient,
    editor: User,
    series: dict[str, Any],
    title: dict[str, Any],
    uploads: dict[str, str],
    make_worker: Callable[..., Worker],
    media_resources: AppContext,
) -> None:
    url = f"{CMS}/content/{series['id']}/encodings"
    body = _body(uploads, audio=[], subtitles=[])
    assert_error(await api.post(url, json=body, headers=editor.headers), 422, "episode_required")
    other = await api.post(
        f"{CMS}/content/{title['id']}/encodings",
        json={**body, "episode_id": str(uuid.uuid4())},
        headers=editor.headers,
    )
    assert_error(other, 422, "episode_not_found")
    episode_id = series["seasons"][0]["episodes"][1]["id"]
    elsewhere = await api.post(
        f"{CMS}/content/{title['id']}/encodings",
        json={**body, "episode_id": episode_id},
        headers=editor.headers,
    )
    assert_error(elsewhere, 422, "episode_not_found")

    created = await _encode(api, editor, series["id"], {**body, "episode_id": episode_id})
    assert created["episode_id"] == episode_id
    assert await make_worker().run_once() is Outcome.SUCCEEDED
    rows = await media_rows(media_resources, episode_id)
    assert len(rows["video_variants"]) == 1
    assert rows["video_variants"][0]["episode_id"] == uuid.UUID(episode_id)
    assert rows["video_variants"][0]["content_id"] is None
    assert f"/videos/{episode_id}/{created['id']}/" in rows["video_variants"][0]["hls_url"]


async def test_editors_and_admins_change_encodings_reviewers_read_them(
    api: httpx.AsyncClient,
    editor: User,
    title: dict[str, Any],
    uploads: dict[str, str],
    media_resources: AppContext,
) -> None:
    """Editors and admins queue, cancel and retry; reviewers only read (to follow and preview
    what they review); viewers nothing."""
    created = await _encode(api, editor, title["id"], _body(uploads, audio=[], subtitles=[]))
    viewer = await make_user(api, media_resources, tag="viewer")
    reviewer = await make_user(api, media_resources, Role.REVIEWER, tag="reviewer")
    admin = await make_user(api, media_resources, Role.ADMIN, tag="admin")
    reads = [
        ("GET", f"{CMS}/content/{title['id']}/encodings", None),
        ("GET", f"{CMS}/encodings/{created['id']}", None),
    ]
    changes = [
        ("POST", f"{CMS}/content/{title['id']}/encodings", _body(uploads)),
        ("POST", f"{CMS}/encodings/{created['id']}/cancel", None),
        ("POST", f"{CMS}/encodings/{created['id']}/retry", None),
    ]
    for method, url, body in reads + changes:
        assert_error(await api.request(method, url, json=body), 401)
        assert_error(await api.request(method, url, json=body, headers=viewer.headers), 403)
    for method, url, body in changes:
        assert_error(await api.request(method, url, json=body, headers=reviewer.headers), 403)
    for method, url, body in reads:
        read = await api.request(method, url, json=body, headers=reviewer.headers)
        assert read.status_code == 200, read.text
    assert (await job_row(media_resources, created["id"]))["status"] == "queued"
    assert len(await _encodings_of(api, admin, title["id"])) == 1
    cancelled = await api.post(f"{CMS}/encodings/{created['id']}/cancel", headers=admin.headers)
    assert cancelled.status_code == 200, cancelled.text


def _as(user: User, *roles: Role) -> Identity:
    return Identity(
        user_id=uuid.UUID(user.id), session_id="test", roles=frozenset(r.value for r in roles)
    )


async def test_an_editor_encodes_only_their_own_uploads(
    api: httpx.AsyncClient,
    editor: User,
    title: dict[str, Any],
    uploads: dict[str, str],
    media_resources: AppContext,
    media_settings: Settings,
    storage: LocalStorage,
    source: Path,
) -> None:
    other = await make_user(api, media_resources, Role.EDITOR, tag="other-editor")
    own_title = await create(api, other, movie())
    own_video = await add_upload(
        media_resources, media_settings, source, UploadKind.VIDEO, other.id
    )
    staged_before = _staged_folders(storage)
    url = f"{CMS}/content/{own_title['id']}/encodings"
    mine = {"source_upload_id": str(own_video.id)}
    theirs = [
        {"source_upload_id": uploads["video"]},
        {**mine, "audio": [{"upload_id": uploads["audio"], "language": "hi"}]},
        {**mine, "subtitles": [{"upload_id": uploads["subtitle"], "language": "en"}]},
    ]
    for body in theirs:
        # Another user's upload looks like an unknown one.
        assert_error(await api.post(url, json=body, headers=other.headers), 404, "not_found")
    assert await _encodings_of(api, other, own_title["id"]) == []
    assert _staged_folders(storage) == staged_before

    admin = await make_user(api, media_resources, Role.ADMIN, tag="admin")
    created = await _encode(api, admin, title["id"], _body(uploads))
    assert created["created_by"] == admin.id


async def test_queue_encoding_takes_only_the_callers_uploads(
    api: httpx.AsyncClient,
    editor: User,
    title: dict[str, Any],
    uploads: dict[str, str],
    media_resources: AppContext,
    media_settings: Settings,
    storage: LocalStorage,
    source: Path,
) -> None:
    other = await make_user(api, media_resources, Role.EDITOR, tag="other-editor")
    own_video = await add_upload(
        media_resources, media_settings, source, UploadKind.VIDEO, other.id
    )

    async def queue(identity: Identity, body: EncodingIn) -> uuid.UUID:
        async with media_resources.sessionmaker() as db, db.begin():
            encoding = await service.queue_encoding(
                db=db,
                storage=storage,
                settings=media_settings,
                identity=identity,
                content_id=uuid.UUID(title["id"]),
                body=body,
            )
            return encoding.id

    def track(kind: str) -> list[TrackIn]:
        return [TrackIn(upload_id=uuid.UUID(uploads[kind]), language="en")]

    stranger = _as(other, Role.EDITOR)
    for body in (
        EncodingIn(source_upload_id=uuid.UUID(uploads["video"])),
        EncodingIn(source_upload_id=own_video.id, audio=track("audio")),
        EncodingIn(source_upload_id=own_video.id, subtitles=track("subtitle")),
    ):
        with pytest.raises(NotFound) as refused:
            await queue(stranger, body)
        assert refused.value.details["upload_id"] in uploads.values()
    assert await queue(stranger, EncodingIn(source_upload_id=own_video.id))
    theirs = EncodingIn(
        source_upload_id=uuid.UUID(uploads["video"]),
        audio=track("audio"),
        subtitles=track("subtitle"),
    )
    assert await queue(_as(editor, Role.EDITOR), theirs)
    assert await queue(_as(other, Role.ADMIN), theirs)  # an admin takes anyone's


async def test_unknown_ids_and_bad_bodies_are_refused_and_change_nothing(
    api: httpx.AsyncClient,
    editor: User,
    title: dict[str, Any],
    uploads: dict[str, str],
    media_resources: AppContext,
    media_settings: Settings,
    storage: LocalStorage,
    source: Path,
) -> None:
    missing = str(uuid.uuid4())
    url = f"{CMS}/content/{title['id']}/encodings"
    staged_before = _staged_folders(storage)

    assert_error(
        await api.post(
            f"{CMS}/content/{missing}/encodings", json=_body(uploads), headers=editor.headers
        ),
        404,
    )
    assert_error(await api.get(f"{CMS}/content/{missing}/encodings", headers=editor.headers), 404)
    for path in ("", "/cancel", "/retry"):
        method = "GET" if not path else "POST"
        response = await api.request(
            method, f"{CMS}/encodings/{missing}{path}", headers=editor.headers
        )
        assert_error(response, 404, "encoding_not_found")
    assert_error(await api.get(f"{CMS}/encodings/not-a-uuid", headers=editor.headers), 422)

    bad_bodies = [
        {},
        {"source_upload_id": "nope"},
        _body(uploads, extra=True),
        _body(uploads, audio=[{"upload_id": uploads["audio"], "language": "Hindi!"}]),
        _body(uploads, subtitles=[{"language": "en"}]),
        _body(uploads, audio="hi"),
        # A track's label goes into JSONB, which cannot hold a NUL (was a 500).
        _body(uploads, audio=[{"upload_id": uploads["audio"], "language": "hi", "label": "\x00"}]),
    ]
    for body in bad_bodies:
        assert_error(await api.post(url, json=body, headers=editor.headers), 422)

    unfinished = await add_upload(
        media_resources, media_settings, source, UploadKind.VIDEO, editor.id, complete=False
    )
    gone = await add_upload(media_resources, media_settings, source, UploadKind.VIDEO, editor.id)
    (media_settings.data_dir / gone.path).unlink()
    refused = [
        (_body(uploads, source_upload_id=missing), 404, None),
        (_body(uploads, source_upload_id=str(unfinished.id)), 409, "upload_incomplete"),
        (_body(uploads, source_upload_id=uploads["audio"]), 409, "wrong_upload_kind"),
        (
            _body(uploads, subtitles=[{"upload_id": uploads["video"], "language": "en"}]),
            409,
            "wrong_upload_kind",
        ),
        (
            _body(uploads, audio=[{"upload_id": missing, "language": "hi"}]),
            404,
            None,
        ),
        (_body(uploads, source_upload_id=str(gone.id)), 409, "upload_gone"),
    ]
    for body, status, code in refused:
        assert_error(await api.post(url, json=body, headers=editor.headers), status, code)

    assert await _encodings_of(api, editor, title["id"]) == []
    assert _staged_folders(storage) == staged_before


async def test_cancel_and_retry(
    api: httpx.AsyncClient,
    editor: User,
    title: dict[str, Any],
    uploads: dict[str, str],
    media_resources: AppContext,
    media_settings: Settings,
    make_worker: Callable[..., Worker],
    source_dir: Path,
) -> None:
    created = await _encode(api, editor, title["id"], _body(uploads, audio=[], subtitles=[]))
    encoding = f"{CMS}/encodings/{created['id']}"

    assert_error(await api.post(f"{encoding}/retry", headers=editor.headers), 409)
    response = await api.post(f"{encoding}/cancel", headers=editor.headers)
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["cancel_requested"]) == (
        "cancelled",
        True,
    )
    assert response.json()["finished_at"] is not None
    assert_error(await api.post(f"{encoding}/cancel", headers=editor.headers), 409, "finished")
    assert await make_worker().run_once() is None  # nothing to do

    retried = await api.post(f"{encoding}/retry", headers=editor.headers)
    assert retried.status_code == 202, retried.text
    body = retried.json()
    assert (body["status"], body["attempts"], body["cancel_requested"]) == ("queued", 0, False)
    assert body["finished_at"] is None
    assert await make_worker().run_once() is Outcome.SUCCEEDED
    assert_error(await api.post(f"{encoding}/cancel", headers=editor.headers), 409, "finished")
    assert_error(await api.post(f"{encoding}/retry", headers=editor.headers), 409)

    # A failed job (a text file named .mp4) can be retried too; it fails again the same way.
    notes = await add_upload(
        media_resources,
        media_settings,
        sources.make_text_as_mp4(source_dir),
        UploadKind.VIDEO,
        editor.id,
    )
    bad = await _encode(api, editor, title["id"], {"source_upload_id": str(notes.id)})
    assert await make_worker().run_once() is Outcome.FAILED
    failed = (await api.get(f"{CMS}/encodings/{bad['id']}", headers=editor.headers)).json()
    assert failed["status"] == "failed"
    assert failed["error"]
    retried = await api.post(f"{CMS}/encodings/{bad['id']}/retry", headers=editor.headers)
    assert retried.status_code == 202
    assert (retried.json()["error"], retried.json()["attempts"]) == (None, 0)


async def test_a_failed_encoding_names_the_uploaded_files(
    api: httpx.AsyncClient,
    editor: User,
    title: dict[str, Any],
    media_resources: AppContext,
    media_settings: Settings,
    make_worker: Callable[..., Worker],
    source: Path,
    source_dir: Path,
) -> None:
    async def upload(path: Path, kind: UploadKind, filename: str) -> str:
        made = await add_upload(
            media_resources, media_settings, path, kind, editor.id, filename=filename
        )
        return str(made.id)

    async def error_of(body: dict[str, Any]) -> str:
        created = await _encode(api, editor, title["id"], body)
        assert await make_worker().run_once() is Outcome.FAILED
        response = await api.get(f"{CMS}/encodings/{created['id']}", headers=editor.headers)
        return str(response.json()["error"])

    empty = sources.make_empty(source_dir)
    error = await error_of(
        {"source_upload_id": await upload(empty, UploadKind.VIDEO, "Monsoon (final cut).mp4")}
    )
    assert error.startswith("Monsoon (final cut).mp4 is empty"), error
    assert "source" not in error  # the worker's copy is source.mp4

    video = await upload(source, UploadKind.VIDEO, "monsoon.mp4")
    subtitles = await upload(empty, UploadKind.SUBTITLE, "Hindi subtitles.srt")
    error = await error_of(
        {"source_upload_id": video, "subtitles": [{"upload_id": subtitles, "language": "hi"}]}
    )
    assert "Hindi subtitles.srt is empty" in error, error
    assert "subtitle-0" not in error


async def test_cancelling_a_running_encoding_through_the_api(
    api: httpx.AsyncClient,
    editor: User,
    title: dict[str, Any],
    media_resources: AppContext,
    media_settings: Settings,
    start_worker: Callable[..., RunningWorker],
    source_dir: Path,
) -> None:
    long = sources.make_source(source_dir, width=640, height=360, seconds=16)
    upload = await add_upload(media_resources, media_settings, long, UploadKind.VIDEO, editor.id)
    created = await _encode(api, editor, title["id"], {"source_upload_id": str(upload.id)})
    start_worker(transcode_preset="veryslow")  # still running when the cancel comes
    await wait_for_status(media_resources, created["id"], EncodingStatus.RUNNING)
    response = await api.post(f"{CMS}/encodings/{created['id']}/cancel", headers=editor.headers)
    assert response.status_code == 200, response.text
    assert response.json()["cancel_requested"] is True
    row = await wait_for_status(media_resources, created["id"], EncodingStatus.CANCELLED, within=10)
    assert row["result"] is None
    assert (await media_rows(media_resources, title["id"]))["video_variants"] == []


async def test_the_media_app_runs_a_worker_in_process(
    media_settings: Settings,
    media_resources: AppContext,
    editor: User,
    title: dict[str, Any],
    uploads: dict[str, str],
) -> None:
    client, lifespan = await start_gateway(
        settings_with(media_settings, run_worker_in_process=True)
    )
    try:
        created = await _encode(client, editor, title["id"], _body(uploads))
        row = await wait_for_status(
            media_resources, created["id"], EncodingStatus.SUCCEEDED, within=60
        )
        assert row["attempts"] == 1
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)
    rows = await media_rows(media_resources, title["id"])
    assert (len(rows["video_variants"]), len(rows["audio_tracks"]), len(rows["subtitles"])) == (
        1,
        2,
        1,
    )
