"""The `ott` command line: run the platform, one service, migrations and admin tasks."""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import httpx
import typer
import uvicorn
from rich.console import Console

from ott.cms.schemas import BulkResult
from ott.core import migrate as migrations
from ott.core.embedded import configured_database_url, resolve_stores
from ott.core.errors import AppError
from ott.core.observability import configure_logging
from ott.core.resources import Resources
from ott.core.settings import Settings, get_settings
from ott.media import transcode_command
from ott.registry import SERVICES

T = TypeVar("T")

app = typer.Typer(
    help="OTT platform: run the services and workers, transcode, migrate, manage accounts.",
    rich_markup_mode="markdown",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)

_SERVICE_READY_TIMEOUT_S = 60.0

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Folder for embedded databases, media and mail. [default: ./.ott]"
    ),
]


def _prepare(data_dir: Path | None, *, migrate: bool = True) -> Settings:
    """Settings with stores resolved (embedded ones started if none configured), migrated."""
    settings = get_settings()
    if data_dir is not None:
        settings.data_dir = data_dir
    configure_logging(settings)
    settings.resolved_jwt_secret()
    with console.status("Starting stores…"):
        resolve_stores(settings)
    if migrate:
        with console.status("Migrating the database…"):
            migrations.upgrade(settings)
    return settings


def _exit_cleanly(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _serve(app_obj: object, host: str, port: int) -> None:
    # Uvicorn re-raises SIGTERM after its graceful shutdown. Turning it into SystemExit lets
    # finally blocks and atexit run, which stop child services and the embedded stores.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run(app_obj, host=host, port=port, log_config=None, access_log=False)  # type: ignore[arg-type]


def _child_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": settings.database_url or "",
            "REDIS_URL": settings.redis_url or "",
            "JWT_SECRET": settings.resolved_jwt_secret(),
            "DATA_DIR": str(settings.data_dir),
        }
    )
    return env


def _die_with_parent() -> None:
    """Runs in a child before exec: ask Linux to stop it when the supervisor dies."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def _wait_until_healthy(name: str, url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _SERVICE_READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            console.print(f"[red]service {name} exited with code {process.returncode}[/red]")
            raise typer.Exit(code=1)
        try:
            if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    console.print(f"[red]service {name} did not become healthy at {url}[/red]")
    raise typer.Exit(code=1)


def _start_services(settings: Settings) -> list[subprocess.Popen[bytes]]:
    env = _child_env(settings)
    processes: list[subprocess.Popen[bytes]] = []
    for name in SERVICES:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "ott", "service", name, "--no-migrate"],
            env=env,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        processes.append(process)
    for name, process in zip(SERVICES, processes, strict=True):
        _wait_until_healthy(name, settings.service_url(name), process)
        console.print(
            f"[green]✓[/green] {name} on {settings.service_url(name)} (pid {process.pid})"
        )
    return processes


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@app.command()
def serve(
    port: Annotated[
        int | None, typer.Option(help="Gateway port. [default: API_GATEWAY_PORT or 3000]")
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    data_dir: DataDir = None,
    demo: Annotated[
        bool,
        typer.Option("--demo/--no-demo", help="Load the demo catalog when the catalog is empty."),
    ] = True,
    split: Annotated[
        bool,
        typer.Option(
            "--split",
            help="One process per service on its own port; the gateway proxies over HTTP.",
        ),
    ] = False,
) -> None:
    """Run the whole platform behind the API gateway, with one transcoding worker in the CMS
    (RUN_WORKER_IN_PROCESS=false leaves transcoding to `ott worker` processes)."""
    from ott.gateway.app import Mode, create_app

    settings = _prepare(data_dir)
    if demo:
        _seed_if_empty(settings)
    if port is not None:
        settings.api_gateway_port = port
    gateway_port = settings.api_gateway_port
    processes = _start_services(settings) if split else []
    try:
        mode = Mode.SPLIT if split else Mode.IN_PROCESS
        console.print(
            f"[bold green]OTT platform[/bold green] ({mode.value}) on http://{host}:{gateway_port}"
            f"  · API docs: http://{host}:{gateway_port}/api/docs"
        )
        _serve(create_app(settings, mode=mode), host, gateway_port)
    finally:
        _stop(processes)


@app.command()
def worker(
    concurrency: Annotated[
        int | None,
        typer.Option(min=1, help="Jobs run at once. [default: WORKER_CONCURRENCY or 1]"),
    ] = None,
    metrics_port: Annotated[
        int | None, typer.Option(help="Serve Prometheus metrics on this port.")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Run transcoding workers (here or on another machine: they need only DATABASE_URL and
    the media store's settings). SIGTERM stops them cleanly; running jobs go back to the
    queue."""
    from ott.core.embedded import start_embedded_postgres
    from ott.media.worker_command import run_workers

    settings = get_settings()
    if data_dir is not None:
        settings.data_dir = data_dir
    configure_logging(settings)
    if not configured_database_url(settings):  # a laptop: the platform's embedded server
        with console.status("Starting PostgreSQL…"):
            settings.database_url = start_embedded_postgres(settings.data_dir)
    console.print(
        f"[bold green]transcoding worker[/bold green] "
        f"(concurrency {concurrency or settings.worker_concurrency})"
    )
    asyncio.run(run_workers(settings, concurrency=concurrency, metrics_port=metrics_port))


@app.command()
def service(
    name: Annotated[str, typer.Argument(help=f"gateway or one of: {', '.join(SERVICES)}")],
    port: Annotated[int | None, typer.Option(help="Port. [default: the service's *_PORT]")] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    data_dir: DataDir = None,
    migrate: Annotated[bool, typer.Option(help="Apply migrations before starting.")] = True,
) -> None:
    """Run one service alone on its port (the gateway proxies to the others over HTTP)."""
    if name != "gateway" and name not in SERVICES:
        console.print(
            f"[red]unknown service {name!r}[/red]; choose gateway or {', '.join(SERVICES)}"
        )
        raise typer.Exit(code=2)
    settings = _prepare(data_dir, migrate=migrate)
    if name == "gateway":
        from ott.gateway.app import Mode, create_app

        _serve(create_app(settings, mode=Mode.SPLIT), host, port or settings.api_gateway_port)
        return
    factory = SERVICES[name].load()
    _serve(factory(settings, None), host, port or settings.service_port(name))


def _run_with_resources(settings: Settings, work: Callable[[Resources], Awaitable[T]]) -> T:
    async def run() -> T:
        resources = Resources.open(settings)
        try:
            return await work(resources)
        finally:
            await resources.close()

    return asyncio.run(run())


def _seed_if_empty(settings: Settings) -> None:
    from ott.seed.load import catalog_is_empty, seed_demo_catalog

    async def work(resources: Resources) -> int | None:
        if not await catalog_is_empty(resources):
            return None
        return (await seed_demo_catalog(resources)).created

    with console.status("Loading the demo catalog…"):
        created = _run_with_resources(settings, work)
    if created is not None:
        console.print(f"[green]✓[/green] demo catalog: {created} titles")


@app.command()
def seed(
    count: Annotated[int, typer.Option(min=1, max=100_000, help="How many titles.")] = 240,
    random_seed: Annotated[int, typer.Option("--seed", help="Seed of the generator.")] = 7,
    data_dir: DataDir = None,
) -> None:
    """Load (or refresh) the generated demo catalog: films, series and sports in English and
    Hindi, published. Running it again updates the same titles instead of adding copies."""
    from ott.seed.load import seed_demo_catalog

    settings = _prepare(data_dir)

    async def work(resources: Resources) -> BulkResult:
        return await seed_demo_catalog(resources, count=count, seed=random_seed)

    with console.status(f"Generating and importing {count} titles…"):
        result = _run_with_resources(settings, work)
    console.print(
        f"[green]✓[/green] {result.total} titles: {result.created} created, "
        f"{result.updated} updated, {result.unchanged} unchanged"
    )


@app.command()
def migrate(data_dir: DataDir = None) -> None:
    """Apply every database migration (Alembic upgrade to head)."""
    _prepare(data_dir)
    console.print("[green]✓[/green] database is at the latest migration")


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Argument(help="Email of the admin account.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="OTT_ADMIN_PASSWORD",
            help="Password for a new account (ignored if the account exists).",
        ),
    ],
    data_dir: DataDir = None,
) -> None:
    """Create an admin account, or give an existing account the admin role."""
    from ott.auth import service as auth_service

    settings = _prepare(data_dir)

    async def work(resources: Resources) -> str:
        async with resources.sessionmaker() as db, db.begin():
            user = await auth_service.create_admin(
                db=db, settings=settings, email=email, password=password
            )
            return str(user.id)

    try:
        user_id = _run_with_resources(settings, work)
    except AppError as error:
        console.print(f"[red]{error.message}[/red]")
        for detail in error.details or []:
            console.print(f"  · {detail.get('message', detail)}")
        raise typer.Exit(code=1) from error
    console.print(f"[green]✓[/green] {email} is an admin (user id {user_id})")


app.command("transcode")(transcode_command.transcode)
