"""Inspecting inputs with PyAV before any encoding, so a bad upload is refused with a reason an
editor can act on (InvalidSource) instead of failing deep inside FFmpeg.

Limits: a side of at most 8192 pixels and at most 36 megapixels (8K UHD, 7680x4320, is 33.2 MP;
anything larger is beyond what the 1080p-topped ladder needs and what 2 cores can decode in
reasonable time). The truncation check decodes only the first frame and the last ~2 seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.error

from ott.media.encoding.subtitles import Cue, read_srt
from ott.media.encoding.transcoder import InvalidSource, SourceInfo

MAX_SIDE = 8192
MAX_PIXELS = 36_000_000
MAX_FRAME_RATE = 120.0
TAIL_SECONDS = 2.0  # how much of the end is decoded to detect a truncated file
# A source whose last decodable frame ends this much before its declared end is truncated.
TRUNCATION_TOLERANCE_SECONDS = 1.5


@dataclass(frozen=True)
class AudioInfo:
    duration_seconds: float
    codec: str
    channels: int
    sample_rate: int
    language: str | None  # from the stream's tags, if any


def _open(path: Path, name: str) -> av.container.InputContainer:
    if not path.is_file():
        raise InvalidSource(f"{name}: the file does not exist")
    if path.stat().st_size == 0:
        raise InvalidSource(f"{name} is empty (0 bytes): the upload did not complete")
    try:
        return av.open(str(path), metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as error:
        _check_y4m_header(path, name)
        raise InvalidSource(
            f"{name} is not a media file FFmpeg can read, or it is cut short "
            f"({getattr(error, 'strerror', None) or error})"
        ) from error


def _check_y4m_header(path: Path, name: str) -> None:
    """FFmpeg refuses to open a raw YUV4MPEG2 file with an absurd size without saying why;
    read its text header to give the real reason."""
    with path.open("rb") as file:
        header = file.readline(256)
    if not header.startswith(b"YUV4MPEG2 "):
        return
    fields = {item[:1]: item[1:] for item in header.split()[1:]}
    if fields.get(b"W", b"").isdigit() and fields.get(b"H", b"").isdigit():
        _check_picture(name, int(fields[b"W"]), int(fields[b"H"]))


def _duration(container: av.container.InputContainer, stream: av.stream.Stream) -> float:
    if stream.duration and stream.time_base:
        seconds = float(stream.duration * stream.time_base)
        if seconds > 0:
            return seconds
    if container.duration:
        return container.duration / av.time_base
    return 0.0


def _language(stream: av.stream.Stream) -> str | None:
    language = (stream.metadata or {}).get("language")
    return None if not language or language == "und" else language


def _check_picture(name: str, width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise InvalidSource(f"{name}: the video stream has no readable picture size")
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise InvalidSource(
            f"{name} declares a {width}x{height} picture, larger than the accepted maximum "
            f"({MAX_SIDE} pixels a side, {MAX_PIXELS // 1_000_000} megapixels)"
        )


def _display_width(stream: av.video.stream.VideoStream, width: int) -> int:
    """The width as displayed: anamorphic sources (non-square pixels) are stretched."""
    sar = stream.sample_aspect_ratio or stream.codec_context.sample_aspect_ratio
    if not sar or sar <= 0 or sar == 1:
        return width
    return max(2, round(width * float(sar) / 2) * 2)


def _frame_rate(stream: av.video.stream.VideoStream) -> float:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate and 0 < float(rate) <= 1000:
            return float(rate)
    return 0.0


def _time_base(stream: av.stream.Stream) -> Fraction:
    """The stream's time base; a file that declares none is read in milliseconds."""
    return stream.time_base or Fraction(1, 1000)


def start_seconds(stream: av.stream.Stream) -> float:
    """When the stream's first frame is shown (0 when the file does not say)."""
    return float(stream.start_time * _time_base(stream)) if stream.start_time else 0.0


def _decoded_end(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, start: float
) -> float:
    """The end time of the last frame decodable from `start` seconds on (-1 if none)."""
    time_base = _time_base(stream)
    if start > 0:
        container.seek(int(start / time_base), stream=stream, backward=True, any_frame=False)
    end = -1.0
    frame_seconds = 1 / (_frame_rate(stream) or 25.0)
    for packet in container.demux(stream):
        for frame in packet.decode():
            if frame.pts is not None:
                end = max(end, float(frame.pts * time_base) + frame_seconds)
    return end


def probe_source(path: Path, *, name: str | None = None) -> SourceInfo:
    """Describe the video at `path`, or raise InvalidSource saying what is wrong with it
    (calling the file `name`, the one the editor knows, default its own).

    Width and height are the displayed size (pixel aspect ratio applied)."""
    name = name or path.name
    with _open(path, name) as container:
        videos = [s for s in container.streams.video if s.codec_context is not None]
        if not videos:
            what = "audio only" if container.streams.audio else "no audio or video"
            raise InvalidSource(f"{name} has no video stream ({what})")
        video = videos[0]
        width, height = video.codec_context.width, video.codec_context.height
        _check_picture(name, width, height)
        width = _display_width(video, width)
        duration = _duration(container, video)
        if not math.isfinite(duration) or duration <= 0:
            raise InvalidSource(f"{name}: the video's duration is unknown or zero")
        frame_rate = _frame_rate(video)
        if not 0 < frame_rate <= MAX_FRAME_RATE:
            raise InvalidSource(f"{name}: unusable frame rate ({frame_rate:g} frames/s)")
        codec = video.codec_context.name
        start = start_seconds(video)
        info = SourceInfo(
            duration_seconds=duration,
            width=width,
            height=height,
            frame_rate=frame_rate,
            video_codec=codec,
            audio_streams=len(container.streams.audio),
            subtitle_streams=len(container.streams.subtitles),
        )
        try:
            video.thread_type = "AUTO"
            tail_from = start + max(0.0, duration - TAIL_SECONDS)
            end = _decoded_end(container, video, tail_from)
            if end < 0 and tail_from > start:
                # Seeking found nothing (e.g. no index); decode from the start instead.
                container.seek(0)
                end = _decoded_end(container, video, 0.0)
        except av.error.FFmpegError as error:
            raise InvalidSource(f"{name}: the video cannot be decoded ({error})") from error
        if end < 0:
            raise InvalidSource(f"{name}: no frame of the video can be decoded")
        missing = start + duration - end
        if missing > TRUNCATION_TOLERANCE_SECONDS:
            raise InvalidSource(
                f"{name} is truncated: the video stops at {end - start:.1f} s but the file "
                f"declares {duration:.1f} s (an incomplete upload or copy?)"
            )
        return info


def source_audio_language(path: Path, *, name: str | None = None) -> str | None:
    """The language tag of the source's first audio stream, if it has one."""
    with _open(path, name or path.name) as container:
        return _language(container.streams.audio[0]) if container.streams.audio else None


def probe_audio(path: Path, *, name: str | None = None) -> AudioInfo:
    """Describe an extra audio-language track, or raise InvalidSource."""
    name = name or path.name
    with _open(path, name) as container:
        if not container.streams.audio:
            raise InvalidSource(f"{name} has no audio stream")
        stream = container.streams.audio[0]
        duration = _duration(container, stream)
        if not math.isfinite(duration) or duration <= 0:
            raise InvalidSource(f"{name}: the audio's duration is unknown or zero")
        try:
            decoded = any(True for packet in container.demux(stream) for _ in packet.decode())
        except av.error.FFmpegError as error:
            raise InvalidSource(f"{name}: the audio cannot be decoded ({error})") from error
        if not decoded:
            raise InvalidSource(f"{name}: no audio can be decoded")
        context = stream.codec_context
        return AudioInfo(
            duration_seconds=duration,
            codec=context.name,
            channels=context.channels,
            sample_rate=context.sample_rate,
            language=_language(stream),
        )


def probe_subtitles(path: Path, *, name: str | None = None) -> list[Cue]:
    """The cues of an SRT file, or InvalidSource saying where it is malformed."""
    name = name or path.name
    if not path.is_file():
        raise InvalidSource(f"{name}: the file does not exist")
    return read_srt(path, name=name)
