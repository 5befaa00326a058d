"""What the commands share: the console, the --data-dir option, settings with the stores
resolved, running a web server, and running async work with the platform's pools."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import uvicorn
from fastapi import FastAPI
from rich.console import Console

from ott.core import migrate as migrations
from ott.core.app_context import AppContext
from ott.core.embedded import EmbeddedStore, resolve_stores
from ott.core.observability import configure_logging
from ott.core.settings import Settings, get_settings

T = TypeVar("T")

console = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Folder for embedded databases, media and mail. [default: ./.ott]"
    ),
]


@dataclass(frozen=True)
class Prepared:
    settings: Settings
    stores: list[EmbeddedStore]  # embedded servers this command started (or joined)


def command_settings(data_dir: Path | None = None, **options: Any) -> Settings:
    """The environment's settings with the command's options (those given) applied.

    A copy: `get_settings()` is cached and shared, so it is never changed.
    """
    changes = {name: value for name, value in options.items() if value is not None}
    if data_dir is not None:
        changes["data_dir"] = data_dir
    settings = get_settings().model_copy(update=changes)
    configure_logging(settings)
    return settings


def prepare(data_dir: Path | None, *, migrate: bool = True, **options: Any) -> Prepared:
    """Settings with the stores resolved (embedded ones started if none are configured) and
    the signing secret read, the database migrated."""
    settings = command_settings(data_dir, **options)
    settings = settings.model_copy(update={"jwt_secret": settings.resolved_jwt_secret()})
    with console.status("Starting stores…"):
        resolved = resolve_stores(settings)
    if migrate:
        with console.status("Migrating the database…"):
            migrations.upgrade(resolved.settings)
    return Prepared(resolved.settings, resolved.embedded)


def _exit_cleanly(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def run_server(app: FastAPI | str, *, host: str, port: int, workers: int = 1) -> None:
    """Serve `app`; with several workers, `app` is the "module:function" that builds it in
    each worker process (uvicorn restarts a worker that dies)."""
    # Uvicorn re-raises SIGTERM after its graceful shutdown. Turning it into SystemExit lets
    # finally blocks and atexit run, which stop child services and the embedded stores.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run(
        app,
        host=host,
        port=port,
        factory=isinstance(app, str),
        workers=workers if workers > 1 else None,
        log_config=None,
        access_log=False,
        # Uvicorn would rewrite the client address from X-Forwarded-For sent from 127.0.0.1;
        # whether that header is trusted is the gateway's decision (TRUST_FORWARDED_FOR).
        proxy_headers=False,
    )


def run_with_context(settings: Settings, work: Callable[[AppContext], Awaitable[T]]) -> T:
    async def run() -> T:
        context = AppContext.open(settings)
        try:
            return await work(context)
        finally:
            await context.close()

    return asyncio.run(run())
