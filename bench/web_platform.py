"""The platform bench/web.py measures, as a user starts it: the web app built (scripts/_env.sh's
`ensure_web`), `ott serve` with its demo catalog and videos on fresh stores, the demo videos
transcoded, and the benchmark's viewers with their tokens and playback sessions.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from auth_profiles import Platform
from catalog_stores import RATE_LIMIT, Stores
from loadgen import render_request
from ott.core.app_context import AppContext
from ott.media.jobs.status import EncodingStatus
from ott.media.models import Encoding
from ott.seed.demo_videos import DemoVideo, Kind, plan
from processes import Server, free_port, ott_command, start_process, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
WEB_DIR = ROOT / "web"
WEB_OUT = WEB_DIR / "out"
_ACTIVE = {EncodingStatus.QUEUED, EncodingStatus.RUNNING}


class SetupError(RuntimeError):
    """The benchmark cannot run: what is missing and what to do about it."""


def ensure_web() -> None:
    """Build web/out the way scripts/run does (only when the web app's sources changed)."""
    script = ROOT / "scripts" / "_env.sh"
    done = subprocess.run(
        ["bash", "-c", 'source "$1" && ensure_web', "ensure_web", str(script)], cwd=ROOT
    )
    if done.returncode != 0 or not (WEB_OUT / "index.html").exists():
        raise SetupError(
            f"the web app is not built ({WEB_OUT}/index.html): `ensure_web` of "
            f"scripts/_env.sh failed (exit {done.returncode}, its output is above). Build it "
            "with `npm ci && npm run build` in web/, or run scripts/run once."
        )


async def start_platform(stores: Stores, scratch: Path, *, extra_origins: list[str]) -> Server:
    """`ott serve` with the demo catalog and videos, serving the built web app."""
    port = free_port()
    env = stores.server_env()
    origins = [f"http://127.0.0.1:{port}", f"http://localhost:{port}", *extra_origins]
    env.update(
        {
            "WEB_DIST_DIR": str(WEB_OUT),
            "CORS_ORIGINS": ",".join(origins),
            # A page load makes a dozen API calls and a run loads pages ten times a minute, all
            # as one viewer: the per-user budget of 100 a minute is not what is measured.
            "RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT),
            "BCRYPT_ROUNDS": "4",  # sign-ins are set-up here
            "LOG_LEVEL": "WARNING",
        }
    )
    command = [*ott_command(), "serve", "--port", str(port), "--data-dir", str(stores.data_dir)]
    server = start_process("ott-serve", command, f"http://127.0.0.1:{port}", scratch, env)
    await wait_healthy(server)
    return server


async def wait_for_demo_videos(
    resources: AppContext, stores: Stores, *, within: float
) -> DemoVideo:
    """Wait until every planned demo video is transcoded (or has failed): a transcode running
    during a phase would be measured as the platform's slowness. Returns the first free film's
    (720p, the one a new user plays first)."""
    settings = stores.settings()
    deadline = time.monotonic() + within
    said = ""
    while True:
        async with resources.sessionmaker() as db:
            videos = await plan(db, settings=settings)
            owners = {video.content_id for video in videos}
            rows = (
                await db.execute(
                    select(Encoding.content_id, Encoding.episode_id, Encoding.status).where(
                        Encoding.content_id.in_(owners)
                    )
                )
            ).all()
        statuses: dict[tuple[uuid.UUID | None, uuid.UUID | None], set[EncodingStatus]] = {}
        for row in rows:
            statuses.setdefault((row.content_id, row.episode_id), set()).add(row.status)
        done = [v for v in videos if EncodingStatus.SUCCEEDED in statuses.get(_owner(v), set())]
        waiting = [
            v for v in videos if not statuses.get(_owner(v)) or statuses[_owner(v)] & _ACTIVE
        ]
        films = [v for v in videos if v.kind is Kind.FILM]
        if videos and not films:
            raise SetupError("the demo catalog has no free film to play")
        now = f"demo videos: {len(done)}/{len(videos)} transcoded"
        if now != said:
            print(now, flush=True)
            said = now
        if videos and not waiting:
            if films[0] not in done:
                raise SetupError(f"the demo film's video failed: {films[0].label}")
            return films[0]
        if time.monotonic() > deadline:
            raise SetupError(f"the demo videos were not transcoded within {within:.0f} s ({now})")
        await asyncio.sleep(2.0)


def _owner(video: DemoVideo) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    return (video.content_id, video.episode_id)


class Api:
    """JSON calls to the gateway (set-up, not measured)."""

    def __init__(self, url: str) -> None:
        self.platform = Platform(url)
        self.url = url

    async def _send(self, method: str, path: str, token: str | None, body: object) -> bytes:
        headers = [("Content-Type", "application/json")] if body is not None else []
        if token:
            headers.append(("Authorization", f"Bearer {token}"))
        raw = render_request(
            method,
            path,
            self.platform.authority,
            headers=headers,
            body=b"" if body is None else json.dumps(body).encode(),
        )
        response = await self.platform.call(raw)
        if response.status >= 300:
            raise SetupError(f"{method} {path}: HTTP {response.status} {response.body[:300]!r}")
        return response.body

    async def call(
        self, method: str, path: str, *, token: str | None = None, body: object = None
    ) -> Any:
        answer = await self._send(method, path, token, body)
        return json.loads(answer) if answer else None

    async def text(self, path: str, *, token: str) -> str:
        return (await self._send("GET", path, token, None)).decode()


@dataclass
class Viewer:
    email: str
    password: str

    async def tokens(self, api: Api) -> dict[str, str]:
        """Fresh tokens of the account's one profile, as the web app keeps them."""
        result = await api.call(
            "POST", "/api/auth/login", body={"email": self.email, "password": self.password}
        )
        return {
            "accessToken": result["access_token"],
            "refreshToken": result["refresh_token"],
            "profileId": result["profile_id"],
        }


async def sign_up(api: Api, name: str) -> Viewer:
    viewer = Viewer(
        f"web-bench-{name}-{secrets.token_hex(4)}@example.com", secrets.token_urlsafe(12)
    )
    await api.call(
        "POST",
        "/api/auth/register",
        body={"email": viewer.email, "password": viewer.password, "profile_name": name},
    )
    return viewer


async def check_playable(api: Api, token: str, content_id: uuid.UUID) -> dict[str, Any]:
    detail: dict[str, Any] = await api.call(
        "GET", f"/api/catalog/content/{content_id}", token=token
    )
    if not detail.get("playable") or detail.get("locked"):
        raise SetupError(f"{detail.get('title')!r} is not playable for a free viewer: {detail}")
    return detail


async def signed_master(
    api: Api, token: str, content_id: uuid.UUID, device_id: str
) -> tuple[dict[str, Any], str]:
    """A playback session of the title (HLS) and its signed master playlist."""
    start: dict[str, Any] = await api.call(
        "POST",
        "/api/stream/playback/start",
        token=token,
        body={
            "content_id": str(content_id),
            "format": "hls",
            "device": {"id": device_id, "type": "web", "name": "web benchmark (bare)"},
        },
    )
    master = await api.text(start["manifest_url"], token=token)
    return start, master
