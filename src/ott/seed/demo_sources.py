"""The demo videos' sources, generated with FFmpeg: a moving test pattern (lavfi), a tone that
beeps every second, a title card over the first seconds and a running clock (drawtext, when
the FFmpeg has it), in H.264/AAC MP4; plus, for one title, a second audio language and an
English SRT.

Each look is a different lavfi source. The costly ones (the fractal, the cellular automata)
are computed small and scaled up, so a 20-second 720p source takes a few seconds; the sources
are encoded with x264's fastest preset and are inputs to the pipeline, not what viewers see.
Text reaches FFmpeg in a file beside the output (drawtext's `textfile`), so a title needs no
escaping for the filter graph.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import structlog

from ott.media.encoding.ffmpeg import run_ffmpeg
from ott.media.encoding.transcoder import ProgressCallback, TranscodeError

log = structlog.get_logger(__name__)

FRAME_RATE = 25
CARD_SECONDS = 5
_CARD_FILE = "card.txt"
_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


@dataclass(frozen=True)
class Look:
    """How one demo video looks and sounds."""

    name: str
    # A lavfi video source (a filter chain) with {w}x{h} (the picture), {r} (frames a second).
    pattern: str
    tone_hz: int

    def source(self, width: int, height: int) -> str:
        return self.pattern.format(w=width, h=height, r=FRAME_RATE)


LOOKS: dict[str, Look] = {
    look.name: look
    for look in (
        Look("testsrc2", "testsrc2=size={w}x{h}:rate={r}", 440),
        Look("smptehdbars", "smptehdbars=size={w}x{h}:rate={r}", 494),
        Look("testsrc", "testsrc=size={w}x{h}:rate={r}", 523),
        Look(
            "life",
            "life=size=320x180:rate={r}:mold=10:life_color=#00FF00:death_color=#C83232,"
            "scale={w}:{h}:flags=neighbor",
            587,
        ),
        Look(
            "cellauto", "cellauto=rule=110:size=640x360:rate={r},scale={w}:{h}:flags=neighbor", 659
        ),
        Look(
            "mandelbrot",
            "mandelbrot=size=480x270:rate=10:maxiter=256,scale={w}:{h},fps={r}",
            698,
        ),
    )
}


@dataclass(frozen=True)
class SourceSpec:
    """One source to generate."""

    look: Look
    width: int
    height: int
    seconds: float
    card: str  # the title card's text (may hold several lines)
    card_seconds: float = CARD_SECONDS  # how long the card shows, from the start


def _card_filters(spec: SourceSpec) -> str:
    font = f"fontfile={_FONT.as_posix()}:" if _FONT.is_file() else ""
    card = (
        f"drawtext={font}textfile={_CARD_FILE}:expansion=none:fontsize=h/14:fontcolor=white:"
        "line_spacing=12:box=1:boxcolor=black@0.6:boxborderw=28:"
        f"x=(w-text_w)/2:y=(h-text_h)/2:enable='lt(t,{spec.card_seconds:g})'"
    )
    clock = (
        f"drawtext={font}text='%{{pts\\:hms}}':fontsize=h/22:fontcolor=white:"
        "box=1:boxcolor=black@0.5:boxborderw=10:x=w-text_w-28:y=h-text_h-28"
    )
    return f"{card},{clock}"


def _video_args(spec: SourceSpec, output: str, *, card: bool) -> list[str]:
    seconds = f"{spec.seconds:g}"
    tone = f"sine=frequency={spec.look.tone_hz}:beep_factor=2:sample_rate=48000"
    args = ["-f", "lavfi", "-i", spec.look.source(spec.width, spec.height)]
    args += ["-f", "lavfi", "-i", tone, "-t", seconds]
    if card:
        args += ["-vf", _card_filters(spec)]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "28", "-pix_fmt", "yuv420p"]
    args += ["-g", str(2 * FRAME_RATE), "-c:a", "aac", "-b:a", "96k"]
    args += ["-metadata:s:a:0", "language=eng", "-movflags", "+faststart", output]
    return args


async def render_video(
    spec: SourceSpec,
    folder: Path,
    *,
    ffmpeg: str,
    name: str = "source.mp4",
    on_progress: ProgressCallback | None = None,
) -> Path:
    """Write the source into `folder` (which holds nothing else of value); again without the
    title card and clock if FFmpeg cannot draw them (built without libfreetype, or no font).
    TranscodeError if FFmpeg fails."""
    await asyncio.to_thread(_write_text, folder / _CARD_FILE, spec.card)
    try:
        await run_ffmpeg(
            _video_args(spec, name, card=True),
            ffmpeg=ffmpeg,
            duration=spec.seconds,
            cwd=folder,
            on_progress=on_progress,
        )
    except TranscodeError as error:
        log.warning("demo video rendered again without its title card", error=str(error))
        await run_ffmpeg(
            _video_args(spec, name, card=False),
            ffmpeg=ffmpeg,
            duration=spec.seconds,
            cwd=folder,
            on_progress=on_progress,
        )
    return folder / name


async def render_audio(
    seconds: float, tone_hz: int, folder: Path, *, ffmpeg: str, name: str = "audio-hi.m4a"
) -> Path:
    """A second audio language: a tone of its own (so a switch of tracks is heard), AAC."""
    tone = f"sine=frequency={tone_hz}:beep_factor=3:sample_rate=48000"
    args = ["-f", "lavfi", "-i", tone, "-t", f"{seconds:g}", "-c:a", "aac", "-b:a", "96k"]
    args += ["-metadata:s:a:0", "language=hin", name]
    await run_ffmpeg(args, ffmpeg=ffmpeg, duration=seconds, cwd=folder)
    return folder / name


def subtitle_cues(seconds: float, title: str) -> list[tuple[float, float, str]]:
    """English cues spread over the video: (start, end, text)."""
    lines = [
        f"{title}: a demo video generated by the platform.",
        "The picture is an FFmpeg test pattern; the tone beeps every second.",
        "Switch the audio to Hindi to hear another tone.",
        "These subtitles were written as an SRT file and converted to WebVTT.",
    ]
    step = seconds / len(lines)
    gap = min(0.5, step / 10)  # between cues, however short the video
    return [
        (index * step + gap, (index + 1) * step - gap, line) for index, line in enumerate(lines)
    ]


def _srt_time(value: float) -> str:
    millis = round(value * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    whole, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{whole:02d},{millis:03d}"


def write_subtitles(
    seconds: float, title: str, folder: Path, name: str = "subtitles-en.srt"
) -> Path:
    """An SRT file with `subtitle_cues`."""
    blocks = [
        f"{number}\n{_srt_time(start)} --> {_srt_time(end)}\n{text}\n"
        for number, (start, end, text) in enumerate(subtitle_cues(seconds, title), start=1)
    ]
    path = folder / name
    _write_text(path, "\n".join(blocks))
    return path


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
