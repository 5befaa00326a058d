"""The adaptive bitrate ladder: which renditions a source gets, at which bitrates.

Five rungs, 144p to 1080p. Bitrates follow Apple's HLS Authoring Specification for Apple
Devices (H.264, 16:9, 30 fps): 145 kb/s for the smallest picture, 365 kb/s at 640x360,
1.1 Mb/s for 480p (between its 768x432 rungs of 730 kb/s and 1.1 Mb/s), 3 Mb/s at 720p and
6 Mb/s at 1080p. Peak bitrate is capped at 110 % of the average (the spec allows up to 200 %
for VBR; a tight cap keeps segment sizes predictable for the player's bandwidth estimate).
A source never gets a rung taller than itself; a portrait source's rungs are measured on
its short side, so a 1080x1920 phone video gets a "1080p" rung of 1080x1920.
"""

from __future__ import annotations

from dataclasses import dataclass

GOP_SECONDS = 2.0  # key frame interval: every rung switches on the same frames
SEGMENT_SECONDS = 6.0  # three GOPs per segment
AUDIO_KBPS = 128  # AAC-LC stereo, 48 kHz
PEAK_RATIO = 1.10  # maxrate / average
BUFFER_RATIO = 2.0  # VBV buffer / average


@dataclass(frozen=True)
class Rung:
    name: str  # "720p"
    short_side: int  # 720
    video_kbps: int  # the average (target) bitrate

    @property
    def max_kbps(self) -> int:
        return round(self.video_kbps * PEAK_RATIO)

    @property
    def buffer_kbits(self) -> int:
        return round(self.video_kbps * BUFFER_RATIO)


LADDER: tuple[Rung, ...] = (
    Rung("144p", 144, 145),
    Rung("360p", 360, 365),
    Rung("480p", 480, 1100),
    Rung("720p", 720, 3000),
    Rung("1080p", 1080, 6000),
)


@dataclass(frozen=True)
class Picture:
    """One rung's output size for a given source."""

    rung: Rung
    width: int
    height: int


def _even(value: float) -> int:
    """H.264 in 4:2:0 needs even dimensions."""
    return max(2, round(value / 2) * 2)


def rungs_for(width: int, height: int) -> list[Picture]:
    """The rungs a `width` x `height` source gets, smallest first: every rung whose short side
    is not above the source's (at least the smallest rung, for tiny sources), each keeping
    the source's aspect ratio."""
    if width <= 0 or height <= 0:
        raise ValueError("the source has no picture size")
    short = min(width, height)
    chosen = [rung for rung in LADDER if rung.short_side <= short] or [LADDER[0]]
    pictures = []
    for rung in chosen:
        scale = min(1.0, rung.short_side / short)
        pictures.append(Picture(rung, _even(width * scale), _even(height * scale)))
    return pictures
