"""Running FFmpeg: which binary, progress from `-progress pipe:1`, the log tail, cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

from ott.media.encoding.transcoder import ProgressCallback, TranscodeError

LOG_TAIL_LINES = 60
PROGRESS_INTERVAL_SECONDS = 0.5  # at most ~2 callbacks a second


def _death_signal_setter() -> Callable[[], None] | None:
    """On Linux, what makes a child get SIGKILL when the process that started it dies.

    FFmpeg ignores SIGPIPE, so when its worker is killed it does not stop at the broken
    progress pipe: it would encode to the end with nobody reading. prctl is looked up here,
    before any fork, so the child only makes the call."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def set_death_signal() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)

    return set_death_signal


_PR_SET_PDEATHSIG = 1
_SET_DEATH_SIGNAL = _death_signal_setter()


def resolve_ffmpeg(configured: str | None = None) -> str:
    """The FFmpeg to run: `configured` (FFMPEG_BINARY), else the static build imageio-ffmpeg
    ships."""
    if configured:
        return configured
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


class _Progress:
    """Turns FFmpeg's `out_time_us` into a throttled percentage of `duration`."""

    def __init__(self, duration: float, callback: ProgressCallback | None) -> None:
        self._duration_us = max(duration, 1e-3) * 1_000_000
        self._callback = callback
        self._sent = -1.0
        self._sent_at = 0.0
        self._latest = 0.0

    async def line(self, text: str) -> None:
        key, _, value = text.partition("=")
        if key == "out_time_us" and value.strip().lstrip("-").isdigit():
            percent = min(100.0, max(0.0, int(value) / self._duration_us * 100))
            self._latest = max(self._latest, percent)
            await self._emit(force=False)
        elif key == "progress" and value.strip() == "end":
            self._latest = 100.0
            await self._emit(force=True)

    async def _emit(self, *, force: bool) -> None:
        if self._callback is None or self._latest <= self._sent:
            return
        now = time.monotonic()
        if force or now - self._sent_at >= PROGRESS_INTERVAL_SECONDS:
            self._sent, self._sent_at = self._latest, now
            await self._callback(round(self._latest, 1))


def _kill_group(process: asyncio.subprocess.Process) -> None:
    # FFmpeg runs in its own session, so killing the group also reaches anything it spawned.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        process.kill()


async def run_ffmpeg(
    args: Sequence[str],
    *,
    ffmpeg: str,
    duration: float,
    cwd: Path | None = None,
    on_progress: ProgressCallback | None = None,
) -> str:
    """Run the binary `ffmpeg` with `args` and return its log tail.

    `on_progress` gets the percentage of `duration` done, at most ~2 times a second and once
    at 100 when FFmpeg finishes. Raises TranscodeError (with the log tail) on a non-zero
    exit. Cancelling the caller kills FFmpeg and re-raises CancelledError.
    """
    command = [
        ffmpeg,
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "warning",
        "-nostats",
        "-progress",
        "pipe:1",
        "-y",
        *args,
    ]
    tail: deque[str] = deque(maxlen=LOG_TAIL_LINES)
    progress = _Progress(duration, on_progress)
    try:
        process = await asyncio.create_subprocess_exec(
            *command,
            cwd=cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
            # One foreign call in the child, looked up before the fork: safe beside threads.
            preexec_fn=_SET_DEATH_SIGNAL,
        )
    except OSError as error:
        raise TranscodeError(f"cannot start FFmpeg ({command[0]}): {error}") from error
    assert process.stdout is not None
    assert process.stderr is not None
    stdout, stderr = process.stdout, process.stderr

    async def read_progress() -> None:
        async for raw in stdout:
            await progress.line(raw.decode(errors="replace").strip())

    async def read_log() -> None:
        async for raw in stderr:
            tail.append(raw.decode(errors="replace").rstrip())

    try:
        await asyncio.gather(read_progress(), read_log())
        code = await process.wait()
    except BaseException:
        _kill_group(process)
        with contextlib.suppress(ProcessLookupError):
            # Reap it so no zombie is left; shielded so a second cancel cannot skip this.
            await asyncio.shield(process.wait())
        raise
    log_tail = "\n".join(tail)
    if code != 0:
        last = tail[-1] if tail else "no output"
        raise TranscodeError(f"FFmpeg exited with code {code}: {last}", log_tail=log_tail)
    return log_tail
