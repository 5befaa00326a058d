"""`ott transcode FILE`: run the local transcoder on one file, with a progress bar and a summary.

The lead registers `transcode` on the `ott` Typer app (src/ott/cli.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from ott.core.settings import get_settings
from ott.media.encoding.transcoder import (
    InvalidSource,
    TrackInput,
    TranscodeError,
    TranscodeRequest,
    TranscodeResult,
)
from ott.media.jobs.factory import create_transcoder

EXIT_INVALID_SOURCE = 2
EXIT_FAILED = 1
console = Console(stderr=True)


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


async def _run(request: TranscodeRequest, out: Path, preset: str | None) -> TranscodeResult:
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

        transcoder = create_transcoder(settings=get_settings(), preset=preset)
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
        result = asyncio.run(_run(request, target, preset))
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
