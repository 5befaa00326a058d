"""Which rungs a source gets, and the thumbnail sprite layout."""

from __future__ import annotations

import pytest

from ott.media.encoding.ladder import LADDER, rungs_for
from ott.media.encoding.thumbnails import plan_sprite, sprite_interval, thumbnails_vtt


def names(width: int, height: int) -> list[str]:
    return [picture.rung.name for picture in rungs_for(width, height)]


def test_full_hd_gets_every_rung_in_order() -> None:
    pictures = rungs_for(1920, 1080)
    assert [p.rung.name for p in pictures] == ["144p", "360p", "480p", "720p", "1080p"]
    assert [(p.width, p.height) for p in pictures][-2:] == [(1280, 720), (1920, 1080)]


def test_480p_source_gets_no_720p_or_1080p() -> None:
    assert names(854, 480) == ["144p", "360p", "480p"]


def test_portrait_is_measured_on_its_short_side() -> None:
    pictures = rungs_for(1080, 1920)
    assert pictures[-1].rung.name == "1080p"
    assert (pictures[-1].width, pictures[-1].height) == (1080, 1920)
    assert all(p.height > p.width for p in pictures)


def test_tiny_source_still_gets_the_smallest_rung_never_upscaled() -> None:
    (picture,) = rungs_for(96, 54)
    assert picture.rung.name == "144p"
    assert (picture.width, picture.height) == (96, 54)


def test_dimensions_are_even() -> None:
    for picture in rungs_for(1001, 563):
        assert picture.width % 2 == 0
        assert picture.height % 2 == 0


def test_peak_and_buffer_follow_the_average() -> None:
    for rung in LADDER:
        assert rung.max_kbps == round(rung.video_kbps * 1.1)
        assert rung.buffer_kbits == 2 * rung.video_kbps


def test_no_picture_size() -> None:
    with pytest.raises(ValueError, match="no picture size"):
        rungs_for(0, 720)


def test_thumbnail_interval_is_whole_key_frame_intervals() -> None:
    assert [sprite_interval(d) for d in (4, 60, 200, 201, 400, 900, 3600)] == [
        2,
        2,
        2,
        4,
        4,
        10,
        10,
    ]


def test_sprite_layout() -> None:
    short = plan_sprite(2, 2, 640, 360)
    assert (short.count, short.columns, short.rows, short.sheets) == (2, 2, 1, 1)
    assert (short.width, short.height) == (160, 90)
    hour = plan_sprite(10, 360, 1920, 1080)
    assert (hour.columns, hour.rows, hour.sheets) == (10, 10, 4)
    assert hour.sheet_name(3) == "sprite_3.jpg"


def test_thumbnail_cues_cover_the_duration() -> None:
    plan = plan_sprite(2, 31, 1080, 1920)
    vtt = thumbnails_vtt(plan, 61.0)
    assert vtt.startswith("WEBVTT\n")
    assert "00:00:00.000 --> 00:00:02.000\nsprite_0.jpg#xywh=0,0,160,284" in vtt
    # 31 thumbnails (0 s ... 60 s) in a 10-column sheet: the last one starts row 4.
    assert vtt.rstrip().endswith("00:01:00.000 --> 00:01:01.000\nsprite_0.jpg#xywh=0,852,160,284")
