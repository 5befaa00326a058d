"""End-to-end transcodes with the real FFmpeg: what players will fetch must parse, decode, line
up across rungs and match the source."""

from __future__ import annotations

import asyncio
import io
import math
import os
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import av
import m3u8
import psutil
import pytest
import typer
from typer.testing import CliRunner

from ott.cli import media as media_commands
from ott.media.encoding.local import LocalTranscoder
from ott.media.encoding.transcoder import (
    InvalidSource,
    TrackInput,
    TranscodeError,
    TranscodeRequest,
    TranscodeResult,
)
from tests.media import sources

DIR = sources.session_dir()
MPD = "{urn:mpeg:dash:schema:mpd:2011}"


@dataclass
class Run:
    out: Path
    result: TranscodeResult
    progress: list[float] = field(default_factory=list)


async def transcode(request: TranscodeRequest, name: str) -> Run:
    out = DIR / "out" / name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    progress: list[float] = []

    async def record(percent: float) -> None:
        progress.append(percent)

    result = await LocalTranscoder().transcode(request, out, on_progress=record)
    return Run(out, result, progress)


@dataclass
class Track:
    frames: int = 0  # video frames, or audio samples
    key_frames: list[float] = field(default_factory=list)
    end: float = 0.0
    segments: int = 0


def decode(out: Path, playlist: str) -> Track:
    """Decode every segment of a media playlist on its own (init + segment, as a player
    appends them) and collect frame counts and key-frame times."""
    parsed = m3u8.load(str(out / playlist))
    init = (out / parsed.segment_map[0].uri).read_bytes()
    track = Track()
    for segment in parsed.segments:
        data = init + (out / segment.uri).read_bytes()
        # Everything is read inside the block: PyAV objects must not outlive their container.
        with av.open(io.BytesIO(data)) as container:
            stream = container.streams[0]
            frames = list(container.decode(stream))
            assert frames, f"{segment.uri} decodes to nothing"
            track.segments += 1
            if stream.type == "video":
                assert frames[0].key_frame, f"{segment.uri} does not start with a key frame"
                track.frames += len(frames)
                track.key_frames += [round(f.time, 3) for f in frames if f.key_frame]
                frame_seconds = 1 / float(stream.average_rate)
                track.end = max(track.end, max(f.time for f in frames) + frame_seconds)
            else:
                track.frames += sum(f.samples for f in frames)
                ends = (f.time + f.samples / f.sample_rate for f in frames)
                track.end = max(track.end, *ends)
    return track


def master(run: Run) -> m3u8.M3U8:
    return m3u8.load(str(run.out / run.result.master_playlist))


def mpd_root(run: Run) -> ET.Element:
    return ET.parse(run.out / run.result.dash_manifest).getroot()  # noqa: S314


def assert_common(run: Run) -> None:
    """Checks every transcode must pass."""
    result, out = run.result, run.out
    assert sorted(result.files) == sorted(
        str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()
    )
    parsed = master(run)
    assert parsed.is_independent_segments
    bandwidths = [p.stream_info.bandwidth for p in parsed.playlists]
    assert bandwidths == sorted(bandwidths)
    for variant in parsed.playlists:
        info = variant.stream_info
        assert info.average_bandwidth <= info.bandwidth
        assert info.codecs.startswith("avc1.64")
        assert info.frame_rate == result.source.frame_rate
    representations = {r.get("id") for r in mpd_root(run).iter(f"{MPD}Representation")}
    streams = len(result.video) + len(result.audio)
    assert {str(i) for i in range(streams)} <= representations
    source = result.source
    video_tracks = [decode(out, v.playlist) for v in result.video]
    for rendition, track in zip(result.video, video_tracks, strict=True):
        assert track.frames == round(source.duration_seconds * source.frame_rate)
        assert abs(track.end - source.duration_seconds) <= 1 / source.frame_rate
        assert track.segments == math.ceil(source.duration_seconds / 6 - 0.01), rendition
    # Every rung switches on the same instants: a key frame every 2 s.
    expected_keys = [float(t) for t in range(0, math.ceil(source.duration_seconds), 2)]
    for track in video_tracks:
        assert track.key_frames == expected_keys
    for audio in result.audio:
        track = decode(out, audio.playlist)
        assert abs(track.end - source.duration_seconds) < 0.1
    for subtitle in result.subtitles:
        assert (out / subtitle.vtt).read_text(encoding="utf-8").startswith("WEBVTT\n")
        assert m3u8.load(str(out / subtitle.playlist)).segments[0].uri == subtitle.vtt
    assert_thumbnails(run)
    assert run.progress[-1] == 100.0
    assert run.progress == sorted(run.progress)
    assert len(set(run.progress)) == len(run.progress)


def assert_thumbnails(run: Run) -> None:
    lines = (run.out / run.result.thumbnails).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "WEBVTT"
    cues = [(lines[i], lines[i + 1]) for i, line in enumerate(lines) if "-->" in line]
    assert cues[0][0].startswith("00:00:00.000 -->")
    end = run.result.source.duration_seconds
    assert cues[-1][0].endswith(f"{int(end // 60):02d}:{end % 60:06.3f}")
    for _, target in cues:
        sheet, _, xywh = target.partition("#xywh=")
        x, y, w, h = map(int, xywh.split(","))
        with av.open(str(run.out / sheet)) as image:
            picture = image.streams.video[0].codec_context
            assert x + w <= picture.width
            assert y + h <= picture.height
    with av.open(str(run.out / run.result.poster)) as poster:
        context = poster.streams.video[0].codec_context
        assert context.width == min(1280, run.result.source.width)


@pytest.fixture(scope="module")
async def ladder_run() -> Run:
    """A 480p source with its own English audio, a Hindi track and two subtitle files."""
    request = TranscodeRequest(
        source=sources.make_source(DIR, width=854, height=480, fps=25, seconds=4),
        audio=(TrackInput(sources.make_audio(DIR), "hi", "हिन्दी"),),
        subtitles=(
            TrackInput(sources.make_srt(DIR), "en", "English"),
            TrackInput(sources.make_srt(DIR, name="fr.srt"), "fr"),
        ),
    )
    return await transcode(request, "ladder")


async def test_480p_source_full_pipeline(ladder_run: Run) -> None:
    assert_common(ladder_run)
    result = ladder_run.result
    assert [v.quality for v in result.video] == ["144p", "360p", "480p"]
    assert [(v.width, v.height) for v in result.video] == [(256, 144), (640, 360), (854, 480)]


async def test_master_playlist_attributes(ladder_run: Run) -> None:
    parsed = master(ladder_run)
    resolutions = [p.stream_info.resolution for p in parsed.playlists]
    assert resolutions == [(256, 144), (640, 360), (854, 480)]
    for variant, rendition in zip(parsed.playlists, ladder_run.result.video, strict=True):
        assert variant.stream_info.codecs == rendition.codecs
        assert variant.stream_info.codecs.endswith(",mp4a.40.2")
        assert variant.stream_info.audio == "audio"
        assert variant.stream_info.subtitles == "subs"
        assert variant.stream_info.bandwidth == rendition.bandwidth
    audio = [(m.language, m.name, m.default) for m in parsed.media if m.type == "AUDIO"]
    assert audio == [("en", "en", "YES"), ("hi", "हिन्दी", "NO")]
    subtitles = [(m.language, m.name, m.uri) for m in parsed.media if m.type == "SUBTITLES"]
    assert subtitles == [("en", "English", "sub_0_en.m3u8"), ("fr", "fr", "sub_1_fr.m3u8")]
    text = (ladder_run.out / "master.m3u8").read_text(encoding="utf-8")
    assert "#EXT-X-INDEPENDENT-SEGMENTS" in text
    assert "FRAME-RATE=25" in text


async def test_media_playlists_are_vod(ladder_run: Run) -> None:
    for name in [v.playlist for v in ladder_run.result.video] + ["media_3.m3u8"]:
        parsed = m3u8.load(str(ladder_run.out / name))
        assert parsed.playlist_type == "vod"
        assert parsed.is_endlist
        assert all(s.program_date_time is None for s in parsed.segments)


async def test_mpd_lists_video_audio_and_text(ladder_run: Run) -> None:
    root = mpd_root(ladder_run)
    sets = list(root.iter(f"{MPD}AdaptationSet"))
    kinds = [(s.get("contentType"), s.get("lang")) for s in sets]
    assert kinds == [
        ("video", None),
        ("audio", "en"),
        ("audio", "hi"),
        ("text", "en"),
        ("text", "fr"),
    ]
    video_reps = sets[0].findall(f"{MPD}Representation")
    assert [(r.get("width"), r.get("height")) for r in video_reps] == [
        ("256", "144"),
        ("640", "360"),
        ("854", "480"),
    ]
    urls = [b.text for b in root.iter(f"{MPD}BaseURL")]
    assert urls == ["sub_0_en.vtt", "sub_1_fr.vtt"]
    assert (
        (ladder_run.out / "sub_0_en.vtt")
        .read_text(encoding="utf-8")
        .startswith("WEBVTT\n\n1\n00:00:00.500 --> 00:00:01.800\n")
    )


async def test_portrait_source_without_audio() -> None:
    source = sources.make_source(DIR, width=360, height=640, fps=30, seconds=4, audio=False)
    run = await transcode(TranscodeRequest(source), "portrait")
    assert_common(run)
    assert [(v.width, v.height) for v in run.result.video] == [(144, 256), (360, 640)]
    assert run.result.audio == ()
    for variant in master(run).playlists:
        assert "mp4a" not in variant.stream_info.codecs
        assert variant.stream_info.audio is None
        assert variant.stream_info.frame_rate == 30
    with av.open(str(run.out / "poster.jpg")) as poster:
        assert (poster.streams.video[0].width, poster.streams.video[0].height) == (360, 640)


async def test_relative_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """FFmpeg runs in the output folder; paths relative to the caller's folder still work
    (as `ott transcode clip.mp4 -o out` gives them)."""
    source = sources.make_source(DIR, width=320, height=180, fps=25, seconds=4, audio=False)
    shutil.copy(source, tmp_path / "clip.mp4")
    monkeypatch.chdir(tmp_path)
    os.mkdir("out")
    result = await LocalTranscoder().transcode(TranscodeRequest(Path("clip.mp4")), Path("out"))
    assert (tmp_path / "out" / result.master_playlist).is_file()


async def test_short_extra_audio_is_padded_and_becomes_the_default() -> None:
    """A silent 25 fps video with a 2 s Hindi track: the track is the default audio and is
    padded with silence to the video's 4 s (checked in assert_common)."""
    source = sources.make_source(DIR, width=320, height=180, fps=25, seconds=4, audio=False)
    track = TrackInput(sources.make_audio(DIR, seconds=2), "hi")
    run = await transcode(TranscodeRequest(source, audio=(track,)), "padded")
    assert_common(run)
    assert [(a.language, a.default) for a in run.result.audio] == [("hi", True)]


async def test_a_minute_end_to_end() -> None:
    """The one long run: ten 6 s segments per rung, thirty thumbnails."""
    source = sources.make_source(DIR, width=640, height=360, fps=25, seconds=60)
    run = await transcode(TranscodeRequest(source), "minute")
    assert_common(run)
    assert [v.quality for v in run.result.video] == ["144p", "360p"]
    vtt = (run.out / "thumbnails.vtt").read_text(encoding="utf-8")
    assert vtt.count("-->") == 30
    assert len(run.progress) >= 3
    for rendition in run.result.video:
        parsed = m3u8.load(str(run.out / rendition.playlist))
        assert [s.duration for s in parsed.segments] == [6.0] * 10


def is_empty(folder: Path) -> bool:
    return not any(folder.iterdir())


def ffmpeg_children() -> list[psutil.Process]:
    return [
        child
        for child in psutil.Process().children(recursive=True)
        if "ffmpeg" in child.name() and child.status() != psutil.STATUS_ZOMBIE
    ]


async def test_cancel_kills_ffmpeg_and_leaves_nothing(tmp_path: Path) -> None:
    source = sources.make_source(DIR, width=640, height=360, fps=25, seconds=60)
    started = asyncio.Event()
    running: list[psutil.Process] = []

    async def on_progress(percent: float) -> None:
        if not started.is_set():
            running.extend(ffmpeg_children())
            started.set()

    task = asyncio.create_task(
        LocalTranscoder().transcode(TranscodeRequest(source), tmp_path, on_progress=on_progress)
    )
    await asyncio.wait_for(started.wait(), timeout=30)
    assert running, "FFmpeg was not running while it reported progress"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert ffmpeg_children() == []
    assert not any(process.is_running() for process in running)
    assert is_empty(tmp_path)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (sources.make_empty, "empty"),
        (sources.make_text_as_mp4, "not a media file"),
        (sources.make_truncated, "truncated"),
        (sources.make_audio_only, "no video stream"),
        (sources.make_huge_y4m, "20000x20000"),
    ],
    ids=["zero-byte", "text", "truncated", "audio-only", "huge"],
)
async def test_bad_sources_write_nothing(make: object, reason: str, tmp_path: Path) -> None:
    source = make(DIR)  # type: ignore[operator]
    with pytest.raises(InvalidSource, match=reason):
        await LocalTranscoder().transcode(TranscodeRequest(source), tmp_path)
    assert is_empty(tmp_path)


async def test_bad_tracks_write_nothing(tmp_path: Path) -> None:
    source = sources.make_source(DIR)
    bad = [
        TranscodeRequest(source, audio=(TrackInput(sources.make_source(DIR, audio=False), "hi"),)),
        TranscodeRequest(source, subtitles=(TrackInput(sources.make_audio(DIR), "en"),)),
        TranscodeRequest(source, subtitles=(TrackInput(sources.make_srt(DIR), 'en" x'),)),
    ]
    for request, reason in zip(
        bad, ["no audio stream", "not a text", "not a language"], strict=True
    ):
        with pytest.raises(InvalidSource, match=reason):
            await LocalTranscoder().transcode(request, tmp_path)
    assert is_empty(tmp_path)


async def test_ffmpeg_failure_gives_the_log_tail_and_cleans_up(tmp_path: Path) -> None:
    with pytest.raises(TranscodeError) as caught:
        await LocalTranscoder(preset="no-such-preset").transcode(
            TranscodeRequest(sources.make_source(DIR)), tmp_path
        )
    assert not isinstance(caught.value, InvalidSource)
    assert "no-such-preset" in caught.value.log_tail
    assert is_empty(tmp_path)


def cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(media_commands.transcode)
    return app


@pytest.fixture(autouse=True)
def _logging_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command configures logging for the process, onto the stderr CliRunner gives it, which
    it closes afterwards: every logger made later (the next tests' apps) wrote to a closed file."""
    monkeypatch.setattr("ott.cli.common.configure_logging", lambda _: None)


def test_command_prints_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "out"
    source = sources.make_source(DIR, width=320, height=180, seconds=4)
    srt = sources.make_srt(DIR)
    args = [
        str(source),
        "--out",
        str(out),
        "--subtitle",
        f"en:English={srt}",
        "--preset",
        "ultrafast",
    ]
    result = CliRunner().invoke(cli(), args)
    assert result.exit_code == 0, result.output
    assert "144p" in result.stdout
    assert "real time" in result.stdout
    assert (out / "master.m3u8").is_file()
    assert (out / "sub_0_en.vtt").is_file()


def test_command_refuses_a_bad_source_with_exit_code_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli(), [str(sources.make_text_as_mp4(DIR)), "-o", str(out)])
    assert result.exit_code == 2
    assert "not a media file" in result.output
    assert not out.exists()


def test_command_rejects_a_malformed_track_option(tmp_path: Path) -> None:
    source = sources.make_source(DIR)
    result = CliRunner().invoke(cli(), [str(source), "-o", str(tmp_path), "--audio", "hindi.m4a"])
    assert result.exit_code != 0
    assert "LANG=FILE" in result.output
