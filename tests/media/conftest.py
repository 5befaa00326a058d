"""Helpers of the pipeline's tests: short leases, workers on the test database, titles,
finished uploads, jobs put straight on the queue, and views of what got registered.

The session's shared gateway (`api`) must not run a worker of its own: it would compete with
the workers these tests start. Settings are read from the environment when that gateway is
built, after every conftest has been imported.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from ott.core.app_context import AppContext
from ott.core.identity import Role
from ott.core.settings import Settings
from ott.core.signing import MediaSigner
from ott.core.storage import LocalStorage
from ott.media.jobs.factory import create_worker
from ott.media.jobs.queue import JobQueue
from ott.media.jobs.worker import Worker
from ott.media.models import Encoding, EncodingStatus, Upload, UploadKind
from tests.cms.conftest import User, create, make_user, movie, show
from tests.conftest import settings_with
from tests.media import sources

LEASE_SECONDS = 2.0
RETRY_SECONDS = 0.3


@pytest.fixture(scope="session")
def media_settings(settings: Settings) -> Settings:
    return settings_with(
        settings,
        transcode_lease_seconds=LEASE_SECONDS,
        transcode_retry_seconds=RETRY_SECONDS,
        transcode_poll_seconds=0.1,
        transcode_preset="ultrafast",
        run_worker_in_process=False,
    )


@pytest.fixture(scope="session")
async def media_resources(settings: Settings) -> AsyncIterator[AppContext]:
    opened = AppContext.open(settings)
    yield opened
    await opened.close()


@pytest.fixture(scope="session")
def storage(settings: Settings) -> LocalStorage:
    """The store the gateway serves at /media."""
    return LocalStorage(settings.data_dir / "media")


@pytest.fixture(scope="session")
def source_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sources")


@pytest.fixture(scope="session")
def queue(media_settings: Settings, media_resources: AppContext) -> JobQueue:
    return JobQueue(
        media_resources.sessionmaker,
        lease_seconds=media_settings.transcode_lease_seconds,
        retry_seconds=media_settings.transcode_retry_seconds,
    )


@pytest.fixture
def make_worker(
    media_settings: Settings, media_resources: AppContext, storage: LocalStorage
) -> Callable[..., Worker]:
    def build(name: str | None = None, **changes: Any) -> Worker:
        config = settings_with(media_settings, **changes) if changes else media_settings
        return create_worker(
            settings=config, sessionmaker=media_resources.sessionmaker, storage=storage, name=name
        )

    return build


@pytest.fixture(autouse=True)
async def empty_queue(media_resources: AppContext) -> None:
    """Each test starts with no runnable job: those other tests left are cancelled."""
    async with media_resources.sessionmaker() as db, db.begin():
        await db.execute(
            text(
                "UPDATE encodings SET status = 'cancelled', lease_owner = NULL "
                "WHERE status IN ('queued', 'running')"
            )
        )


@pytest.fixture
async def editor(api: httpx.AsyncClient, media_resources: AppContext) -> User:
    return await make_user(api, media_resources, Role.EDITOR, tag="media-editor")


@pytest.fixture
async def title(api: httpx.AsyncClient, editor: User) -> dict[str, Any]:
    """A film (a draft) made by `editor`."""
    return await create(api, editor, movie())


@pytest.fixture
async def series(api: httpx.AsyncClient, editor: User) -> dict[str, Any]:
    return await create(api, editor, show(seasons=1, episodes=2))


@pytest.fixture(scope="session")
def source(source_dir: Path) -> Path:
    """A 4-second 320x180 video with sound (one 144p rung)."""
    return sources.make_source(source_dir)


# --- uploads and jobs -----------------------------------------------------------------


async def add_upload(
    resources: AppContext,
    settings: Settings,
    path: Path,
    kind: UploadKind,
    user_id: str,
    *,
    complete: bool = True,
    filename: str | None = None,
) -> Upload:
    """A finished (or not) tus upload of `path` (named `filename`, default the path's name),
    as the tus endpoints leave it."""
    upload_id = uuid.uuid4()
    relative = f"uploads/{upload_id}"
    target = settings.data_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
    size = target.stat().st_size
    upload = Upload(
        id=upload_id,
        kind=kind,
        length=size if complete else size + 100,
        received_bytes=size,
        filename=filename or path.name,
        upload_metadata={},
        path=relative,
        sha256=hashlib.sha256(target.read_bytes()).hexdigest() if complete else None,
        created_by=uuid.UUID(user_id),
        completed_at=datetime.now(UTC) if complete else None,
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )
    async with resources.sessionmaker() as db, db.begin():
        db.add(upload)
    return upload


async def enqueue(
    resources: AppContext,
    storage: LocalStorage,
    source: Path,
    *,
    content_id: str | uuid.UUID,
    episode_id: str | uuid.UUID | None = None,
    audio: list[tuple[Path, str, str | None]] = (),  # type: ignore[assignment]
    subtitles: list[tuple[Path, str, str | None]] = (),  # type: ignore[assignment]
    max_attempts: int = 3,
) -> uuid.UUID:
    """A queued job whose inputs are staged in storage, as the API would leave it."""
    job_id = uuid.uuid4()
    folder = f"sources/{job_id}"
    await storage.put_file(f"{folder}/source{source.suffix}", source, "video/mp4")
    audio_inputs, subtitle_inputs = [], []
    for i, (path, language, label) in enumerate(audio):
        key = f"{folder}/audio-{i}{path.suffix}"
        await storage.put_file(key, path, "audio/mp4")
        audio_inputs.append({"key": key, "language": language, "label": label})
    for i, (path, language, label) in enumerate(subtitles):
        key = f"{folder}/subtitle-{i}{path.suffix}"
        await storage.put_file(key, path, "text/plain")
        subtitle_inputs.append({"key": key, "language": language, "label": label})
    async with resources.sessionmaker() as db, db.begin():
        db.add(
            Encoding(
                id=job_id,
                content_id=uuid.UUID(str(content_id)),
                episode_id=uuid.UUID(str(episode_id)) if episode_id else None,
                source_key=f"{folder}/source{source.suffix}",
                audio_inputs=audio_inputs,
                subtitle_inputs=subtitle_inputs,
                max_attempts=max_attempts,
            )
        )
    return job_id


async def job_row(resources: AppContext, job_id: uuid.UUID | str) -> dict[str, Any]:
    async with resources.sessionmaker() as db:
        row = (
            await db.execute(
                text("SELECT * FROM encodings WHERE id = :id"), {"id": uuid.UUID(str(job_id))}
            )
        ).first()
    assert row is not None
    return dict(row._mapping)


async def media_rows(resources: AppContext, owner_id: str | uuid.UUID) -> dict[str, list[Any]]:
    """The video_variants, audio_tracks and subtitles rows of a title or episode."""
    owner = uuid.UUID(str(owner_id))
    out = {}
    async with resources.sessionmaker() as db:
        for table in ("video_variants", "audio_tracks", "subtitles"):
            result = await db.execute(
                text(
                    f"SELECT * FROM {table} WHERE content_id = :id OR episode_id = :id "  # noqa: S608
                    "ORDER BY 1"
                ),
                {"id": owner},
            )
            out[table] = [dict(row._mapping) for row in result]
    return out


def signed_url(settings: Settings, url: str) -> str:
    """A URL of an encoding's result (/media/videos/<owner>/<encoding>/<file>) under a token
    for its folder, as a viewer's player gets it: unsigned, video files are not served."""
    _, owner, encoding, rest = url.removeprefix("/media/").split("/", 3)
    return MediaSigner.from_settings(settings).sign(f"videos/{owner}/{encoding}").url(rest)


def stored_files(storage: LocalStorage, prefix: str) -> list[str]:
    folder = storage.root / prefix
    if not folder.exists():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


async def wait_for(
    check: Callable[[], Awaitable[Any]], *, within: float = 60.0, interval: float = 0.05
) -> Any:
    """Poll `check` until it returns something truthy; that value."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        value = await check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {check}")
        await asyncio.sleep(interval)


async def wait_for_status(
    resources: AppContext,
    job_id: uuid.UUID | str,
    *statuses: EncodingStatus,
    within: float = 90.0,
) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        row = await job_row(resources, job_id)
        return row if row["status"] in {s.value for s in statuses} else None

    return await wait_for(check, within=within)


@dataclass
class RunningWorker:
    worker: Worker
    stop: asyncio.Event
    task: asyncio.Task[None]

    async def close(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 30)


@pytest.fixture
async def start_worker(
    make_worker: Callable[..., Worker],
) -> AsyncIterator[Callable[..., RunningWorker]]:
    """Start workers running in the background; all stopped at the end of the test."""
    running: list[RunningWorker] = []

    def start(name: str | None = None, **changes: Any) -> RunningWorker:
        worker = make_worker(name, **changes)
        stop = asyncio.Event()
        handle = RunningWorker(worker, stop, asyncio.create_task(worker.run(stop)))
        running.append(handle)
        return handle

    yield start
    for handle in running:
        await handle.close()
