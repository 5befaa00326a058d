"""SubRip (SRT) subtitles to WebVTT, with the checks an editor needs to fix a bad file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ott.media.encoding.transcoder import InvalidSource

# "00:01:02,345" (SRT) or "00:01:02.345" / "01:02.345" (WebVTT); some tools write 1-2 digit ms.
_TIME = r"(?:(\d{1,3}):)?(\d{1,2}):(\d{2})[,.](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(.*)$")
MAX_SUBTITLE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Cue:
    start: float  # seconds
    end: float
    text: str  # one or more lines, never empty


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    if int(minutes) > 59 or int(seconds) > 59:
        raise ValueError("minutes and seconds go up to 59")
    return (
        int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis.ljust(3, "0")) / 1000
    )


def _timestamp(value: float) -> str:
    millis = round(value * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def decode_text(data: bytes) -> str:
    """Subtitle bytes as text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252
    (the usual encoding of older SRT files)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_srt(text: str) -> list[Cue]:
    """The cues of an SRT file (a WebVTT file is accepted too). Raises InvalidSource with the
    line number of the first problem."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[0].startswith("WEBVTT"):
        while lines and lines[0].strip():  # the header block, up to the first blank line
            lines.pop(0)
    cues: list[Cue] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        # A cue: optional id line, a timing line, then text up to a blank line.
        timing_at = index if "-->" in line else index + 1
        if timing_at >= len(lines) or "-->" not in lines[timing_at]:
            raise InvalidSource(
                f"Subtitle line {index + 1}: expected a cue number and a timing line "
                f"(00:00:01,000 --> 00:00:02,500), found {line.strip()[:60]!r}"
            )
        match = _TIMING.match(lines[timing_at])
        if not match:
            raise InvalidSource(
                f"Subtitle line {timing_at + 1}: malformed timing {lines[timing_at].strip()!r}"
            )
        try:
            start = _seconds(*match.group(1, 2, 3, 4))
            end = _seconds(*match.group(5, 6, 7, 8))
        except ValueError as error:
            raise InvalidSource(f"Subtitle line {timing_at + 1}: {error}") from error
        if end < start:
            raise InvalidSource(f"Subtitle line {timing_at + 1}: the cue ends before it starts")
        index = timing_at + 1
        text_lines = []
        while index < len(lines) and lines[index].strip():
            text_lines.append(lines[index].rstrip())
            index += 1
        if text_lines:
            # "-->" is not allowed in WebVTT cue text.
            cues.append(Cue(start, end, "\n".join(text_lines).replace("-->", "->")))
    if not cues:
        raise InvalidSource("The subtitle file has no cues")
    return cues


def to_webvtt(cues: list[Cue]) -> str:
    blocks = ["WEBVTT\n"]
    for number, cue in enumerate(cues, start=1):
        blocks.append(f"{number}\n{_timestamp(cue.start)} --> {_timestamp(cue.end)}\n{cue.text}\n")
    return "\n".join(blocks)


def read_srt(path: Path, *, name: str | None = None) -> list[Cue]:
    """Parse the subtitle file at `path` (called `name` in errors, default its own), refusing
    empty, huge or binary files."""
    name = name or path.name
    size = path.stat().st_size
    if size == 0:
        raise InvalidSource(f"The subtitle file {name} is empty")
    if size > MAX_SUBTITLE_BYTES:
        raise InvalidSource(f"The subtitle file {name} is larger than 10 MB")
    data = path.read_bytes()
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidSource(f"{name} is not a text subtitle file")
    try:
        return parse_srt(decode_text(data))
    except InvalidSource as error:
        raise InvalidSource(f"{name}: {error}") from error


def convert_srt_file(source: Path, target: Path) -> list[Cue]:
    """Write `source` (SRT) as WebVTT to `target`; returns the cues."""
    cues = read_srt(source)
    target.write_text(to_webvtt(cues), encoding="utf-8")
    return cues
