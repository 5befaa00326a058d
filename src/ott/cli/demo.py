"""The demo videos as the commands show them: a Rich progress table in `ott seed`, and lines
on the console from a background thread in `ott serve` (so the platform is up at once and its
worker starts on the first video while the others are still being made)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading

from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn

from ott.cli.common import console, run_with_context
from ott.core.app_context import AppContext
from ott.core.settings import Settings
from ott.seed.demo_ads import DemoAdsResult, seed_demo_ads
from ott.seed.demo_videos import DemoResult, DemoVideo, Outcome, queue_demo_videos

_STOP_TIMEOUT_S = 10.0
_NAME_WIDTH = 40
_NICENESS = 10
_MARKS = {Outcome.QUEUED: "[green]✓[/green]", Outcome.SKIPPED: "·", Outcome.FAILED: "[red]✗[/red]"}
_SAID = {Outcome.QUEUED: "queued", Outcome.SKIPPED: "has a video", Outcome.FAILED: "failed"}


class ProgressTable:
    """A bar per demo video while its source is rendered; then what became of it."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[DemoVideo, TaskID] = {}

    def planned(self, videos: list[DemoVideo]) -> None:
        for video in videos:
            name = f"{video.kind.value} {video.spec.height}p · {video.title}"
            if len(name) > _NAME_WIDTH:
                name = name[: _NAME_WIDTH - 1] + "…"
            self.tasks[video] = self.progress.add_task(name, total=100, status="")

    def rendering(self, video: DemoVideo, percent: float) -> None:
        self.progress.update(self.tasks[video], completed=percent, status="rendering")

    def finished(self, video: DemoVideo, outcome: Outcome, detail: str) -> None:
        completed = 100 if outcome is not Outcome.FAILED else None
        status = f"{_MARKS[outcome]} {_SAID[outcome]}" + (
            f": {detail}" if outcome is Outcome.FAILED else ""
        )
        self.progress.update(self.tasks[video], completed=completed, status=status)


class ConsoleLines:
    """One line per demo video once it is queued, skipped or failed."""

    def planned(self, videos: list[DemoVideo]) -> None:
        if videos:
            console.print(f"Preparing {len(videos)} demo videos in the background…")

    def rendering(self, video: DemoVideo, percent: float) -> None:
        pass

    def finished(self, video: DemoVideo, outcome: Outcome, detail: str) -> None:
        if outcome is Outcome.QUEUED:
            console.print(f"{_MARKS[outcome]} demo video queued for transcoding: {video.label}")
        elif outcome is Outcome.FAILED:
            console.print(f"{_MARKS[outcome]} demo video not made: {video.label}: {detail}")


def queue_with_progress(settings: Settings) -> DemoResult:
    """`ott seed`: make and queue the demo videos, showing a progress table."""
    columns = (
        TextColumn(f"{{task.description:<{_NAME_WIDTH}}}"),
        BarColumn(bar_width=16),
        TaskProgressColumn(),
        TextColumn("{task.fields[status]}"),
    )
    with Progress(*columns, console=console) as progress:
        table = ProgressTable(progress)

        async def work(context: AppContext) -> DemoResult:
            return await queue_demo_videos(context, reporter=table)

        return run_with_context(settings, work)


def seed_ads(settings: Settings) -> DemoAdsResult:
    """`ott seed`: the demo ad inventory (before the demo videos, so its creatives are
    transcoded first)."""
    with console.status("Making the demo ads…"):
        return run_with_context(settings, seed_demo_ads)


def ads_line(result: DemoAdsResult) -> str:
    return f"{_MARKS[result.outcome]} {result.summary}"


def summary(result: DemoResult) -> str:
    queued, skipped = result.count(Outcome.QUEUED), result.count(Outcome.SKIPPED)
    failed = result.count(Outcome.FAILED)
    if not result.planned:
        return "demo videos: no demo titles to give videos to"
    text = f"demo videos: {queued} queued, {skipped} had one already"
    text += f", {failed} failed" if failed else ""
    if queued:
        text += " (the worker of `ott serve`, or `ott worker`, transcodes them)"
    return text


class InBackground:
    """`ott serve`: the demo ads (first: their creatives are short) and the demo videos made
    and queued in a thread of their own, on their own pools, while the platform serves. Its
    FFmpeg runs at a lower priority (on Linux), so the worker transcoding the first video is
    not slowed down by the making of the others. `stop` cancels what is left (FFmpeg is killed)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.thread = threading.Thread(target=self._run, name="demo-videos", daemon=True)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[DemoResult] | None = None
        self._stopping = False

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            if self._loop is not None and self._task is not None:
                self._loop.call_soon_threadsafe(self._task.cancel)
        if self.thread.is_alive():
            self.thread.join(_STOP_TIMEOUT_S)

    def _run(self) -> None:
        if sys.platform == "linux":  # a thread's nice value; its child processes inherit it
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), _NICENESS)
        loop = asyncio.new_event_loop()
        try:
            with self._lock:
                if self._stopping:
                    return
                self._loop = loop
                self._task = loop.create_task(self._work())
            with contextlib.suppress(asyncio.CancelledError):
                result = loop.run_until_complete(self._task)
                console.print(f"[green]✓[/green] {summary(result)}")
        except Exception as error:
            console.print(f"[red]demo videos: stopped by an error:[/red] {error!r}")
        finally:
            with self._lock:
                self._loop = self._task = None
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _work(self) -> DemoResult:
        context = AppContext.open(self.settings)
        try:
            ads = await seed_demo_ads(context)
            if ads.outcome is not Outcome.SKIPPED:
                console.print(ads_line(ads))
            return await queue_demo_videos(context, reporter=ConsoleLines())
        finally:
            await context.close()
