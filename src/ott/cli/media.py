"""`ott worker` (transcoding workers), `ott transcode FILE` (one file, with a progress bar) and
`ott nginx-config` (Nginx serving the videos in production).

A worker needs the database (DATABASE_URL) and the media store's settings, so it runs on
this machine or another; with Redis (REDIS_URL, or the embedded one beside the embedded
database) it also announces each finished video, so cached catalog answers show it at once.
SIGTERM or SIGINT stops it cleanly: running jobs are stopped (their FFmpeg killed) and handed
back to the queue for another worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from pathlib import Path
from typing import Annotated

import typer
from prometheus_client import start_http_server
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from ott.cli.common import DataDir, command_settings, console
from ott.cli.supervise import Supervisor
from ott.core.database import create_engine, create_sessionmaker
from ott.core.embedded import (
    EmbeddedPostgres,
    EmbeddedRedis,
    EmbeddedStore,
    configured_database_url,
)
from ott.core.events import EventBus
from ott.core.redis import KeySpace, create_redis
from ott.core.settings import Settings
from ott.core.storage import create_storage
from ott.media.encoding.transcoder import (
    InvalidSource,
    TrackInput,
    TranscodeError,
    TranscodeRequest,
    TranscodeResult,
)
from ott.media.jobs.factory import create_transcoder, create_worker
from ott.streaming import nginx

EXIT_INVALID_SOURCE = 2
EXIT_FAILED = 1


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
    """Run transcoding workers (here or on another machine: they need DATABASE_URL and the
    media store's settings; REDIS_URL to announce finished videos). SIGTERM stops them
    cleanly; running jobs go back to the queue."""
    settings = command_settings(data_dir)
    stores: list[EmbeddedStore] = []
    if not configured_database_url(settings):  # a laptop: the platform's embedded servers
        postgres = EmbeddedPostgres(settings.data_dir)
        with console.status("Starting PostgreSQL…"):
            settings = settings.model_copy(update={"database_url": postgres.start()})
        stores.append(postgres)
        if not settings.redis_url:
            cache = EmbeddedRedis(settings.data_dir)
            with console.status("Starting Redis…"):
                settings = settings.model_copy(update={"redis_url": cache.start()})
            stores.append(cache)
    if not settings.redis_url:
        console.print(
            "[yellow]REDIS_URL is not set: finished videos are not announced; cached catalog "
            "answers show them when they expire (CATALOG_CACHE_SECONDS).[/yellow]"
        )
    console.print(
        f"[bold green]transcoding worker[/bold green] "
        f"(concurrency {concurrency or settings.worker_concurrency})"
    )
    supervisor = Supervisor(stores)
    supervisor.start()
    try:
        asyncio.run(run_workers(settings, concurrency=concurrency, metrics_port=metrics_port))
    finally:
        supervisor.stop()


async def run_workers(
    settings: Settings, *, concurrency: int | None = None, metrics_port: int | None = None
) -> None:
    if metrics_port:
        start_http_server(metrics_port, addr=settings.service_host)
    engine = create_engine(settings)
    storage = create_storage(settings)
    client = create_redis(settings) if settings.redis_url else None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        worker = create_worker(
            settings=settings,
            sessionmaker=create_sessionmaker(engine),
            storage=storage,
            concurrency=concurrency,
            events=EventBus(client, KeySpace(settings.redis_key_prefix)) if client else None,
        )
        await worker.run(stop)
    finally:
        if client is not None:
            await client.aclose()
        await storage.aclose()
        await engine.dispose()


def parse_track(value: str) -> TrackInput:
    """ "hi=hindi.m4a" or "hi:हिन्दी=hindi.m4a" (language, optional label, file)."""
    spec, separator, path = value.partition("=")
    if not separator or not spec or not path:
        raise typer.BadParameter(f"{value!r}: use LANG=FILE or LANG:LABEL=FILE, e.g. hi=hindi.m4a")
    language, _, label = spec.partition(":")
    return TrackInput(Path(path), language.strip(), label.strip() or None)


def _summary(result: TranscodeResult, out: Path, wall: float) -> Table:
    duration = result.source.duration_seconds
    table = Table(title=f"{out}/{result.master_playlist} and {result.dash_manifest}")
    for column in ("Rung", "Size", "Peak kb/s", "Average kb/s", "Codecs"):
        table.add_column(column, justify="right" if "kb/s" in column else "left")
    for video in result.video:
        table.add_row(
            video.quality,
            f"{video.width}x{video.height}",
            f"{video.bandwidth / 1000:,.0f}",
            f"{video.average_bandwidth / 1000:,.0f}",
            video.codecs,
        )
    audio = ", ".join(f"{a.language}{' (default)' if a.default else ''}" for a in result.audio)
    subtitles = ", ".join(s.language for s in result.subtitles)
    table.caption = (
        f"audio: {audio or 'none'} · subtitles: {subtitles or 'none'} · "
        f"duration {duration:.1f} s · wall time {wall:.1f} s · "
        f"{duration / wall:.2f}x real time · {len(result.files)} files"
    )
    return table


async def _run(
    request: TranscodeRequest, out: Path, *, settings: Settings, preset: str | None
) -> TranscodeResult:
    columns = (
        TextColumn("Transcoding"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("transcode", total=100)

        async def on_progress(percent: float) -> None:
            progress.update(task, completed=percent)

        transcoder = create_transcoder(settings=settings, preset=preset)
        return await transcoder.transcode(request, out, on_progress=on_progress)


def transcode(
    file: Annotated[Path, typer.Argument(help="The source video.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Empty or new output folder. [default: ./FILE-NAME]"),
    ] = None,
    audio: Annotated[
        list[str] | None,
        typer.Option(help="Extra audio language: LANG=FILE or LANG:LABEL=FILE (repeatable)."),
    ] = None,
    subtitle: Annotated[
        list[str] | None,
        typer.Option(help="SRT subtitles: LANG=FILE or LANG:LABEL=FILE (repeatable)."),
    ] = None,
    preset: Annotated[
        str | None, typer.Option(help="x264 preset. [default: TRANSCODE_PRESET or veryfast]")
    ] = None,
) -> None:
    """Encode FILE into an adaptive ladder (HLS + DASH, CMAF segments), poster and thumbnails."""
    request = TranscodeRequest(
        source=file,
        audio=tuple(parse_track(value) for value in audio or ()),
        subtitles=tuple(parse_track(value) for value in subtitle or ()),
    )
    target = out if out is not None else Path(file.stem)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        console.print(f"[red]{target} exists and is not an empty folder.[/red]")
        raise typer.Exit(EXIT_FAILED)
    created = not target.exists()
    target.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        result = asyncio.run(_run(request, target, settings=command_settings(), preset=preset))
    except (InvalidSource, TranscodeError, KeyboardInterrupt) as error:
        if created:  # the transcoder removed what it wrote; leave no empty folder behind
            with contextlib.suppress(OSError):
                target.rmdir()
        if isinstance(error, InvalidSource):
            console.print(f"[red]Cannot transcode {file.name}:[/red] {error}")
            raise typer.Exit(EXIT_INVALID_SOURCE) from None
        if isinstance(error, TranscodeError):
            console.print(f"[red]Transcoding failed:[/red] {error}")
            if error.log_tail:
                console.print(error.log_tail, style="dim", markup=False, highlight=False)
            raise typer.Exit(EXIT_FAILED) from None
        raise
    Console().print(_summary(result, target, time.perf_counter() - started))


def nginx_config(
    listen: Annotated[str, typer.Option(help="Nginx's port or host:port.")] = "80",
    gateway: Annotated[str, typer.Option(help="The API gateway, host:port.")] = "127.0.0.1:3000",
    template: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help="The configuration template.")
    ] = Path("deploy/nginx/ott.conf.template"),
    media_root: Annotated[
        Path | None, typer.Option(help="The media folder. [default: DATA_DIR/media]")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Print the Nginx configuration (an http-level include) that serves signed video from the
    media folder and proxies everything else to the gateway. It holds the signing secret:
    keep the file private."""
    settings = command_settings(data_dir)
    settings = settings.model_copy(update={"jwt_secret": settings.resolved_jwt_secret()})
    try:
        config = nginx.render_for(
            template.read_text(encoding="utf-8"),
            settings,
            listen=listen,
            gateway=gateway,
            media_root=media_root,
        )
    except nginx.TemplateError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(EXIT_FAILED) from None
    typer.echo(config, nl=False)
