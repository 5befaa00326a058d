"""Poster, thumbnail sprite sheets and the WebVTT track (`sprite_N.jpg#xywh=...` cues) players
use for scrubbing previews.

Not extra outputs of the ladder's FFmpeg process: FFmpeg reports progress as the time every
output has reached, and a tiled sheet (emitted when full) or a poster taken at 10 % emits
nothing until late, so the progress bar would freeze. Instead, after encoding, thumbnails come
from a small rendition's key frames, decoding nothing else (PyAV with `skip_frame=NONKEY`;
every rung has a key frame exactly every 2 s, and thumbnails are taken every 2k seconds), and
the poster from one input-seeking FFmpeg run on the source.
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

from ott.media.encoding.ladder import GOP_SECONDS
from ott.media.encoding.transcoder import TranscodeError

THUMB_WIDTH = 160
MAX_COLUMNS = 10
MAX_ROWS = 10
POSTER_MAX_WIDTH = 1280
POSTER_AT = 0.10  # of the duration: past opening black frames and titles
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


def key_frames(out_dir: Path, playlist: str) -> Iterator[tuple[float, Image.Image]]:
    """(time, picture) of each key frame of a rendition, decoding only key frames, one
    segment (init + media segment) at a time."""
    parsed = m3u8.load(str(out_dir / playlist))
    init = (out_dir / parsed.segment_map[0].uri).read_bytes()
    for segment in parsed.segments:
        data = init + (out_dir / segment.uri).read_bytes()
        with av.open(io.BytesIO(data), mode="r") as container:
            stream = container.streams.video[0]
            stream.codec_context.skip_frame = "NONKEY"
            for frame in container.decode(stream):
                if frame.time is not None:
                    yield frame.time, frame.to_image()


def poster_args(source: Path, duration: float, width: int, height: int, name: str) -> list[str]:
    """FFmpeg arguments for the poster: the source's frame at ~10 % of the duration, at its
    displayed size up to 1280 pixels wide. Seeking the input makes it cheap (FFmpeg decodes
    from the key frame before that point only); taken from the source rather than a rung so
    it keeps full width when the source sits between two rungs."""
    poster_width = _even(min(POSTER_MAX_WIDTH, width))
    poster_height = _even(poster_width * height / width)
    return [
        "-ss", f"{duration * POSTER_AT:.3f}", "-i", str(source),
        "-map", "0:v:0", "-frames:v", "1", "-update", "1",
        "-vf", f"scale={poster_width}:{poster_height},setsar=1",
        "-q:v", "2", name,
    ]  # fmt: skip


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
