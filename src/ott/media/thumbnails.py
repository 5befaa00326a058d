"""Poster and thumbnail sprite: the FFmpeg filters that draw them from the shared decode, and the
WebVTT track (`sprite_N.jpg#xywh=...` cues) players use for scrubbing previews."""

from __future__ import annotations

import math
from dataclasses import dataclass

THUMB_WIDTH = 160
MAX_COLUMNS = 10
MAX_ROWS = 10
POSTER_MAX_WIDTH = 1280
POSTER_AT = 0.10  # of the duration: past opening black frames and titles


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


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


def plan_sprite(duration: float, frame_rate: float, width: int, height: int) -> SpritePlan:
    """One thumbnail every 2 s for up to 200 s, then every duration/100 s (at most 10 s)."""
    interval = max(2, min(10, math.ceil(duration / 100)))
    last_frame = max(0.0, duration - 1 / frame_rate)
    # The select filter takes the first frame at or after each multiple of the interval.
    count = math.floor(last_frame / interval + 1e-6) + 1
    thumb_height = _even(THUMB_WIDTH * height / width)
    columns = min(MAX_COLUMNS, count)
    rows = min(MAX_ROWS, math.ceil(count / columns))
    return SpritePlan(interval, count, THUMB_WIDTH, thumb_height, columns, rows)


def sprite_filter(plan: SpritePlan) -> str:
    """Filter-graph chain (after a split output) that tiles the thumbnails into sheets."""
    return (
        f"select='gte(t\\,{plan.interval}*selected_n)',"
        f"scale={plan.width}:{plan.height},setsar=1,"
        f"tile={plan.columns}x{plan.rows}"
    )


def poster_filter(duration: float) -> str:
    """Filter-graph chain for the poster: the first frame at ~10 % of the duration, full width
    up to 1280 pixels."""
    at = round(duration * POSTER_AT, 3)
    return f"select='gte(t\\,{at})',scale='min({POSTER_MAX_WIDTH}\\,iw)':-2,setsar=1"


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
