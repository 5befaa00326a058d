"""Probing real files: what a good source looks like, and the reasons bad ones are refused."""

from __future__ import annotations

import time
from collections.abc import Callable
from fractions import Fraction
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from ott.media.encoding.probe import (
    probe_audio,
    probe_source,
    probe_subtitles,
    source_audio_language,
    start_seconds,
)
from ott.media.encoding.transcoder import InvalidSource
from tests.media import sources

DIR = sources.session_dir()


def test_landscape_source_with_audio() -> None:
    info = probe_source(sources.make_source(DIR, width=320, height=180, fps=25, seconds=4))
    assert (info.width, info.height, info.frame_rate) == (320, 180, 25.0)
    assert info.duration_seconds == pytest.approx(4.0, abs=0.05)
    assert (info.video_codec, info.audio_streams, info.subtitle_streams) == ("h264", 1, 0)


def test_portrait_source_without_audio() -> None:
    info = probe_source(sources.make_source(DIR, width=180, height=320, fps=30, audio=False))
    assert (info.width, info.height, info.frame_rate, info.audio_streams) == (180, 320, 30.0, 0)


def test_source_audio_language_from_tags() -> None:
    assert source_audio_language(sources.make_source(DIR)) == "eng"


def test_a_stream_start_without_a_time_base_is_read_in_milliseconds() -> None:
    def stream(start_time: int | None, time_base: Fraction | None) -> Any:
        return SimpleNamespace(start_time=start_time, time_base=time_base)

    assert start_seconds(stream(90_000, Fraction(1, 90_000))) == 1.0
    assert start_seconds(stream(1500, None)) == 1.5  # was a TypeError (int * None)
    assert start_seconds(stream(None, None)) == 0.0


def test_the_decode_check_is_cheap_for_a_minute_of_video() -> None:
    path = sources.make_source(DIR, width=160, height=90, seconds=60)
    started = time.perf_counter()
    info = probe_source(path)
    assert info.duration_seconds == pytest.approx(60.0, abs=0.05)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (sources.make_empty, r"empty \(0 bytes\)"),
        (sources.make_text_as_mp4, "not a media file"),
        (sources.make_audio_only, r"no video stream \(audio only\)"),
        (sources.make_truncated, r"truncated: the video stops at \d+\.\d s .* declares 8\.0 s"),
        (sources.make_huge_y4m, "declares a 20000x20000 picture, larger than the accepted"),
        (partial(sources.make_huge_sps_mp4, width=10000, height=10000), "10000x10000 picture"),
    ],
    ids=["zero-byte", "text", "audio-only", "truncated", "y4m-20000", "sps-10000"],
)
def test_bad_sources_are_refused_with_a_reason(make: Callable[[Path], Path], reason: str) -> None:
    with pytest.raises(InvalidSource, match=reason):
        probe_source(make(DIR))


def test_8k_is_the_limit() -> None:
    # 8192x4608 is within 8192 a side but 37.7 megapixels.
    with pytest.raises(InvalidSource, match="8192x4608"):
        probe_source(sources.make_huge_sps_mp4(DIR, 8192, 4608))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidSource, match="does not exist"):
        probe_source(tmp_path / "nope.mp4")


def test_audio_track() -> None:
    info = probe_audio(sources.make_audio(DIR))
    assert (info.codec, info.channels, info.sample_rate) == ("aac", 1, 44100)
    assert info.duration_seconds == pytest.approx(4.0, abs=0.05)


def test_audio_track_without_audio_is_refused() -> None:
    silent_video = sources.make_source(DIR, audio=False)
    with pytest.raises(InvalidSource, match="no audio stream"):
        probe_audio(silent_video)
    with pytest.raises(InvalidSource, match="not a media file"):
        probe_audio(sources.make_text_as_mp4(DIR))


def test_subtitles() -> None:
    assert len(probe_subtitles(sources.make_srt(DIR))) == 2
    with pytest.raises(InvalidSource, match=r"bad\.srt: Subtitle line 2: malformed timing"):
        probe_subtitles(sources.make_srt(DIR, "1\n00:00:01 --> 2\nHi\n", name="bad.srt"))
