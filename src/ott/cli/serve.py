"""`ott serve` (the whole platform) and `ott service NAME` (one service alone)."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Annotated

import httpx
import typer
from fastapi import FastAPI

from ott.cli.common import (
    DataDir,
    Prepared,
    command_settings,
    console,
    prepare,
    run_server,
    run_with_context,
)
from ott.cli.supervise import Supervisor
from ott.core.app_context import AppContext
from ott.core.settings import Settings
from ott.registry import SERVICES

_SERVICE_READY_TIMEOUT_S = 60.0
_PR_SET_PDEATHSIG = 1

Port = Annotated[int | None, typer.Option(help="Port. [default: the service's *_PORT]")]
Host = Annotated[str, typer.Option(help="Interface to listen on.")]


def serve(
    port: Annotated[
        int | None, typer.Option(help="Gateway port. [default: API_GATEWAY_PORT or 3000]")
    ] = None,
    host: Host = "127.0.0.1",
    data_dir: DataDir = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo/--no-demo",
            help="Load the demo catalog when the catalog is empty, and give a few demo titles "
            "a generated video and free viewers a demo pre-roll (in the background; once).",
        ),
    ] = True,
    split: Annotated[
        bool,
        typer.Option(
            "--split",
            help="One process per service on its own port; the gateway proxies over HTTP.",
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Processes sharing the gateway's port, each running every service (not with "
            "--split); up to one per core.",
        ),
    ] = 1,
) -> None:
    """Run the whole platform behind the API gateway, with one transcoding worker in the
    media service (RUN_WORKER_IN_PROCESS=false leaves transcoding to `ott worker` processes).
    Embedded stores and, with --split, service processes that stop are started again."""
    from ott.cli.demo import InBackground
    from ott.gateway.app import Mode, create_app

    if split and workers > 1:
        console.print("[red]--workers runs the services in each gateway process: not with --split")
        raise typer.Exit(code=2)
    prepared = prepare(data_dir, api_gateway_port=port)
    settings = prepared.settings
    videos = InBackground(settings) if demo else None
    if demo:
        _seed_if_empty(settings)
    children = _start_services(settings) if split else []
    supervisor = Supervisor([*prepared.stores, *children])
    supervisor.start()
    if videos is not None:
        videos.start()
    try:
        mode = Mode.SPLIT if split else Mode.IN_PROCESS
        gateway_port = settings.api_gateway_port
        console.print(
            f"[bold green]OTT platform[/bold green] ({mode.value}) on http://{host}:{gateway_port}"
            f"  · API docs: http://{host}:{gateway_port}/api/docs"
        )
        if workers > 1:
            # Each worker process builds its own app from the environment (stores resolved).
            os.environ.update(_child_env(settings))
            run_server(
                "ott.cli.serve:gateway_worker_app", host=host, port=gateway_port, workers=workers
            )
        else:
            run_server(create_app(settings, mode=mode), host=host, port=gateway_port)
    finally:
        if videos is not None:
            videos.stop()
        supervisor.stop()
        _stop(children)


def gateway_worker_app() -> FastAPI:
    """The app of one `ott serve --workers N` process: the gateway with every service in it,
    its settings from the environment the parent prepared (stores, secret, data folder)."""
    from ott.gateway.app import Mode, create_app

    _stop_when_orphaned()
    return create_app(command_settings(), mode=Mode.IN_PROCESS)


def _stop_when_orphaned(poll_seconds: float = 1.0) -> None:
    """Stop this worker (gracefully, as SIGTERM does) once its parent is gone, even a parent
    killed outright: a worker must not keep serving the port on its own. (The parent-death
    signal does not reach workers that uvicorn restarts.)"""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="stop-when-orphaned", daemon=True).start()


def service(
    name: Annotated[str, typer.Argument(help=f"gateway or one of: {', '.join(SERVICES)}")],
    port: Port = None,
    host: Host = "127.0.0.1",
    data_dir: DataDir = None,
    migrate: Annotated[bool, typer.Option(help="Apply migrations before starting.")] = True,
) -> None:
    """Run one service alone on its port (the gateway proxies to the others over HTTP)."""
    if name != "gateway" and name not in SERVICES:
        console.print(
            f"[red]unknown service {name!r}[/red]; choose gateway or {', '.join(SERVICES)}"
        )
        raise typer.Exit(code=2)
    prepared = prepare(data_dir, migrate=migrate)
    settings = prepared.settings
    if name == "gateway":
        from ott.gateway.app import Mode, create_app

        app = create_app(settings, mode=Mode.SPLIT)
    else:
        app = SERVICES[name].load()(settings, None)
    _supervised(
        prepared,
        lambda: run_server(app, host=host, port=port or settings.service_port(name)),
    )


def _supervised(prepared: Prepared, run: Callable[[], None]) -> None:
    supervisor = Supervisor(prepared.stores)
    supervisor.start()
    try:
        run()
    finally:
        supervisor.stop()


class ServiceProcess:
    """One `ott service NAME` child of `ott serve --split`."""

    def __init__(self, service: str, env: dict[str, str]) -> None:
        self.service = service
        self.name = f"service {service}"
        self.env = env
        self.process = self._spawn()

    def alive(self) -> bool:
        return self.process.poll() is None

    def restart(self) -> None:
        self.process = self._spawn()

    def terminate(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()

    def wait(self) -> None:
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "ott", "service", self.service, "--no-migrate"],
            env=self.env,
            preexec_fn=_DIE_WITH_PARENT,
        )


def _parent_death_signal() -> Callable[[], None] | None:
    """A pre-exec hook asking Linux to stop the child when the thread that started it ends
    (the main thread, or the supervisor's for a restarted service: both last until
    shutdown). libc is loaded here, not in the forked child, where that is unsafe."""
    if sys.platform != "linux":
        return None
    prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl

    def set_signal() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)

    return set_signal


_DIE_WITH_PARENT = _parent_death_signal()


def _child_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": settings.database_url or "",
            "REDIS_URL": settings.redis_url or "",
            "JWT_SECRET": settings.resolved_jwt_secret(),
            "DATA_DIR": str(settings.data_dir),
            "API_GATEWAY_PORT": str(settings.api_gateway_port),
        }
    )
    return env


def _wait_until_healthy(child: ServiceProcess, url: str) -> None:
    deadline = time.monotonic() + _SERVICE_READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if not child.alive():
            console.print(f"[red]{child.name} exited with code {child.process.returncode}[/red]")
            raise typer.Exit(code=1)
        try:
            if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    console.print(f"[red]{child.name} did not become healthy at {url}[/red]")
    raise typer.Exit(code=1)


def _start_services(settings: Settings) -> list[ServiceProcess]:
    env = _child_env(settings)
    children = [ServiceProcess(name, env) for name in SERVICES]
    try:
        for child in children:
            url = settings.service_url(child.service)
            _wait_until_healthy(child, url)
            console.print(f"[green]✓[/green] {child.service} on {url} (pid {child.process.pid})")
    except BaseException:
        _stop(children)
        raise
    return children


def _stop(children: list[ServiceProcess]) -> None:
    for child in children:
        child.terminate()
    for child in children:
        child.wait()


def _seed_if_empty(settings: Settings) -> None:
    from ott.seed.load import catalog_is_empty, seed_demo_catalog

    async def work(context: AppContext) -> int | None:
        if not await catalog_is_empty(context):
            return None
        return (await seed_demo_catalog(context)).created

    with console.status("Loading the demo catalog…"):
        created = run_with_context(settings, work)
    if created is not None:
        console.print(f"[green]✓[/green] demo catalog: {created} titles")
