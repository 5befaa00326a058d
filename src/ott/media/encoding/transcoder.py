"""What a transcoder takes and gives, whichever does the work (local FFmpeg, or AWS Elemental
MediaConvert through `mediaconvert.py`).

A transcoder turns one source (plus optional extra audio-language tracks and subtitle files)
into a folder holding CMAF fMP4 segments, an HLS master playlist and a DASH manifest that
both reference them, WebVTT subtitles, a poster image and a thumbnail sprite with its WebVTT
track. Paths in the result are relative to that folder.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

# Called with the percentage done (0-100), as often as the transcoder learns more.
ProgressCallback = Callable[[float], Awaitable[None]]


class TranscodeError(RuntimeError):
    """The job failed; `log_tail` holds the end of the transcoder's log. Worth retrying."""

    def __init__(self, message: str, *, log_tail: str = "") -> None:
        super().__init__(message)
        self.log_tail = log_tail


class InvalidSource(TranscodeError):
    """The input is not something that can be transcoded (empty, not a video, truncated,
    absurd size...): retrying cannot help. The message says why, for the editor."""


@dataclass(frozen=True)
class TrackInput:
    """An extra audio track or a subtitle file, in one language."""

    path: Path
    language: str  # ISO 639-1, e.g. "hi"
    label: str | None = None  # what the player shows, e.g. "हिन्दी"
    filename: str | None = None  # what errors call it (the uploaded file's name); path's own

    @property
    def name(self) -> str:
        return self.filename or self.path.name


@dataclass(frozen=True)
class TranscodeRequest:
    source: Path
    audio: tuple[TrackInput, ...] = ()
    subtitles: tuple[TrackInput, ...] = ()
    source_filename: str | None = None  # what errors call the source; path's own name if None

    @property
    def source_name(self) -> str:
        return self.source_filename or self.source.name


@dataclass(frozen=True)
class SourceInfo:
    duration_seconds: float
    width: int
    height: int
    frame_rate: float
    video_codec: str
    audio_streams: int
    subtitle_streams: int


@dataclass(frozen=True)
class VideoRendition:
    quality: str  # "720p"
    width: int
    height: int
    frame_rate: float
    bandwidth: int  # peak bits/s, as in HLS BANDWIDTH
    average_bandwidth: int  # bits/s, as in HLS AVERAGE-BANDWIDTH
    codecs: str  # RFC 6381, e.g. "avc1.64001f,mp4a.40.2"
    playlist: str  # its HLS media playlist


@dataclass(frozen=True)
class AudioRendition:
    language: str
    label: str | None
    playlist: str
    default: bool


@dataclass(frozen=True)
class SubtitleRendition:
    language: str
    label: str | None
    vtt: str  # the WebVTT file
    playlist: str  # its HLS media playlist


@dataclass(frozen=True)
class TranscodeResult:
    source: SourceInfo
    master_playlist: str  # "master.m3u8"
    dash_manifest: str  # "manifest.mpd"
    video: tuple[VideoRendition, ...]
    audio: tuple[AudioRendition, ...] = ()
    subtitles: tuple[SubtitleRendition, ...] = ()
    poster: str = "poster.jpg"
    thumbnails: str = "thumbnails.vtt"  # WebVTT track pointing into the sprite image(s)
    files: tuple[str, ...] = field(default=())  # every file written, for uploading


class Transcoder(Protocol):
    async def transcode(
        self,
        request: TranscodeRequest,
        out_dir: Path,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> TranscodeResult:
        """Write the renditions of `request` into `out_dir` (which exists and is empty).

        Raises InvalidSource for bad input and TranscodeError for other failures. Cancelling
        the awaiting task stops the work (the FFmpeg process is killed) and re-raises
        CancelledError.
        """
        ...
