"""Poster, thumbnail sprite sheets and the WebVTT track (`sprite_N.jpg#xywh=...` cues) players
use for scrubbing previews.

They are drawn after encoding from the renditions' own key frames, decoding nothing else
(PyAV with `skip_frame=NONKEY`): every rung has a key frame exactly every 2 s, so thumbnails
taken every 2k seconds are key frames. This is cheaper than one more FFmpeg output, and it
keeps FFmpeg's progress reports flowing: FFmpeg reports the time every output has reached,
and a tiled sheet or a poster taken at 10 % emits nothing until late in the run.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import m3u8
from PIL import Image

from ott.media.ladder import GOP_SECONDS
from ott.media.transcoder import TranscodeError

THUMB_WIDTH = 160
MAX_COLUMNS = 10
MAX_ROWS = 10
POSTER_MAX_WIDTH = 1280
POSTER_AT = 0.10  # of the duration: past opening black frames and titles
POSTER_QUALITY = 85
SPRITE_QUALITY = 70


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def sprite_interval(duration: float) -> int:
    """Seconds between thumbnails: 2 s up to 200 s of video, then longer (at most ~100
    thumbnails, at most 10 s apart), always a whole number of key-frame intervals."""
    gop = int(GOP_SECONDS)
    return int(min(10, gop * math.ceil(duration / (100 * gop))))


@dataclass(frozen=True)
class SpritePlan:
    interval: int  # seconds between thumbnails
    count: int  # thumbnails in all
    width: int  # of one thumbnail
    height: int
    columns: int
    rows: int

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    @property
    def sheets(self) -> int:
        return math.ceil(self.count / self.per_sheet)

    def sheet_name(self, index: int) -> str:
        return f"sprite_{index}.jpg"


def plan_sprite(interval: int, count: int, width: int, height: int) -> SpritePlan:
    """Layout for `count` thumbnails of a `width` x `height` picture: 160 pixels wide, up to
    10x10 per sheet, sheets no larger than needed."""
    thumb_height = _even(THUMB_WIDTH * height / width)
    columns = max(1, min(MAX_COLUMNS, count))
    rows = max(1, min(MAX_ROWS, math.ceil(count / columns)))
    return SpritePlan(interval, count, THUMB_WIDTH, thumb_height, columns, rows)


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def thumbnails_vtt(plan: SpritePlan, duration: float) -> str:
    """Cues covering [0, duration], each pointing at its tile; the last one runs to the end."""
    lines = ["WEBVTT", ""]
    for index in range(plan.count):
        start = index * plan.interval
        end = duration if index == plan.count - 1 else min(duration, start + plan.interval)
        sheet, slot = divmod(index, plan.per_sheet)
        row, column = divmod(slot, plan.columns)
        x, y = column * plan.width, row * plan.height
        lines += [
            f"{_timestamp(start)} --> {_timestamp(end)}",
            f"{plan.sheet_name(sheet)}#xywh={x},{y},{plan.width},{plan.height}",
            "",
        ]
    return "\n".join(lines)


def key_frames(
    out_dir: Path, playlist: str, start: float = 0.0
) -> Iterator[tuple[float, Image.Image]]:
    """(time, picture) of each key frame of a rendition from `start` seconds on, decoding only
    key frames, one segment (init + media segment) at a time."""
    parsed = m3u8.load(str(out_dir / playlist))
    init = (out_dir / parsed.segment_map[0].uri).read_bytes()
    segment_start = 0.0
    for segment in parsed.segments:
        segment_end = segment_start + float(segment.duration)
        if segment_end > start:
            data = init + (out_dir / segment.uri).read_bytes()
            with av.open(io.BytesIO(data)) as container:
                stream = container.streams.video[0]
                stream.codec_context.skip_frame = "NONKEY"
                for frame in container.decode(stream):
                    if frame.time is not None and frame.time >= start - 1e-3:
                        yield frame.time, frame.to_image()
        segment_start = segment_end


def write_poster(out_dir: Path, playlist: str, duration: float, name: str) -> None:
    """The key frame at ~10 % of the duration, from the best rung, at most 1280 pixels wide."""
    frames = key_frames(out_dir, playlist, duration * POSTER_AT)
    found = next(frames, None)
    frames.close()
    if found is None:  # nothing at 10 % (a video of a few frames): its first frame
        frames = key_frames(out_dir, playlist)
        found = next(frames, None)
        frames.close()
    if found is None:
        raise TranscodeError(f"{playlist} has no key frame to make a poster from")
    picture = found[1]
    if picture.width > POSTER_MAX_WIDTH:
        size = (POSTER_MAX_WIDTH, _even(picture.height * POSTER_MAX_WIDTH / picture.width))
        picture = picture.resize(size, Image.Resampling.LANCZOS)
    picture.convert("RGB").save(out_dir / name, "JPEG", quality=POSTER_QUALITY)


def write_sprites(
    out_dir: Path, playlist: str, duration: float, width: int, height: int
) -> SpritePlan:
    """Thumbnails every `sprite_interval(duration)` seconds from a rendition's key frames,
    tiled into sheets; returns the layout (for `thumbnails_vtt`)."""
    interval = sprite_interval(duration)
    thumbs: list[Image.Image] = []
    size = plan_sprite(interval, 1, width, height)
    for time, picture in key_frames(out_dir, playlist):
        if time + 1e-3 >= len(thumbs) * interval:
            thumbs.append(picture.resize((size.width, size.height), Image.Resampling.BILINEAR))
    if not thumbs:
        raise TranscodeError(f"{playlist} has no key frame to make thumbnails from")
    plan = plan_sprite(interval, len(thumbs), width, height)
    for sheet in range(plan.sheets):
        image = Image.new("RGB", (plan.columns * plan.width, plan.rows * plan.height))
        for slot, thumb in enumerate(thumbs[sheet * plan.per_sheet : (sheet + 1) * plan.per_sheet]):
            row, column = divmod(slot, plan.columns)
            image.paste(thumb.convert("RGB"), (column * plan.width, row * plan.height))
        image.save(out_dir / plan.sheet_name(sheet), "JPEG", quality=SPRITE_QUALITY)
    return plan
