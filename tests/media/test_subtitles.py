"""SRT to WebVTT conversion and the errors an editor sees for a bad subtitle file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ott.media.encoding.subtitles import convert_srt_file, parse_srt, read_srt, to_webvtt
from ott.media.encoding.transcoder import InvalidSource
from tests.media.sources import SRT_SAMPLE, make_srt


def test_srt_with_bom_and_crlf_becomes_webvtt(tmp_path: Path) -> None:
    target = tmp_path / "out.vtt"
    cues = convert_srt_file(make_srt(tmp_path), target)
    assert len(cues) == 2
    assert target.read_text(encoding="utf-8") == (
        "WEBVTT\n\n"
        "1\n00:00:00.500 --> 00:00:01.800\nHello <i>world</i>\n\n"
        "2\n00:00:02.000 --> 00:00:03.500\nSecond line\nwith two rows\n"
    )


def test_hours_short_millis_and_cue_settings() -> None:
    cues = parse_srt("7\n01:02:03,4 --> 01:02:04,50 X1:10\nText\n")
    assert (cues[0].start, cues[0].end) == (3723.4, 3724.5)
    assert "01:02:03.400 --> 01:02:04.500" in to_webvtt(cues)


def test_cue_without_number_and_arrow_in_text() -> None:
    cues = parse_srt("00:00:01,000 --> 00:00:02,000\na --> b\n\n\n\n")
    assert cues[0].text == "a -> b"


def test_webvtt_input_is_accepted() -> None:
    cues = parse_srt("WEBVTT\nKind: captions\n\n00:01.000 --> 00:02.000\nHi\n")
    assert (cues[0].start, cues[0].end, cues[0].text) == (1.0, 2.0, "Hi")


def test_windows_1252_text(tmp_path: Path) -> None:
    path = tmp_path / "latin.srt"
    path.write_bytes("1\n00:00:01,000 --> 00:00:02,000\nCafé\n".encode("cp1252"))
    assert read_srt(path)[0].text == "Café"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1\n00:00:01 --> 00:00:02\nText\n", "line 2: malformed timing"),
        ("Hello there\n", "line 1: expected a cue number"),
        ("1\n00:00:05,000 --> 00:00:01,000\nText\n", "ends before it starts"),
        ("1\n00:00:75,000 --> 00:00:76,000\nText\n", "up to 59"),
        ("\n\n", "no cues"),
    ],
)
def test_malformed_files_are_refused_with_the_place(text: str, reason: str) -> None:
    with pytest.raises(InvalidSource, match=reason):
        parse_srt(text)


def test_empty_and_binary_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.srt"
    empty.write_bytes(b"")
    with pytest.raises(InvalidSource, match="empty"):
        read_srt(empty)
    binary = tmp_path / "image.srt"
    binary.write_bytes(b"\x89PNG\r\n\x00\x00\x00" + SRT_SAMPLE.encode())
    with pytest.raises(InvalidSource, match="not a text subtitle"):
        read_srt(binary)
