"""MediaConvert CreateJob bodies, checked structurally (no AWS call is made)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ott.media.encoding import ladder
from ott.media.encoding.mediaconvert import (
    MediaConvertTranscoder,
    S3Track,
    h264_level,
    validate_job,
)

ROLE = "arn:aws:iam::123456789012:role/MediaConvert_Default_Role"
QUEUE = "arn:aws:mediaconvert:ap-south-1:123456789012:queues/Default"


def transcoder() -> MediaConvertTranscoder:
    return MediaConvertTranscoder(
        role_arn=ROLE,
        queue_arn=QUEUE,
        source_uri="s3://ott-sources/titles/abc/source.mp4",
        destination_prefix="s3://ott-media/titles/abc/v1",
    )


def full_job(width: int = 1920, height: int = 1080) -> dict[str, Any]:
    return transcoder().job_settings(
        source_width=width,
        source_height=height,
        source_language="hi",
        audio=[S3Track("s3://ott-sources/titles/abc/en.aac", "en", "English")],
        subtitles=[
            S3Track("s3://ott-sources/titles/abc/en.srt", "en", "English"),
            S3Track("s3://ott-sources/titles/abc/ta.srt", "ta", "தமிழ்"),
        ],
    )


def _groups(job: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {g["OutputGroupSettings"]["Type"]: g for g in job["Settings"]["OutputGroups"]}


def _video(job: dict[str, Any]) -> list[dict[str, Any]]:
    cmaf = _groups(job)["CMAF_GROUP_SETTINGS"]
    return [o["VideoDescription"] for o in cmaf["Outputs"] if "VideoDescription" in o]


def test_the_job_is_json_with_every_required_key() -> None:
    job = full_job()
    assert json.loads(json.dumps(job, ensure_ascii=False)) == job
    assert validate_job(job) == []
    assert job["Role"] == ROLE
    assert job["Queue"] == QUEUE
    broken = json.loads(json.dumps(job))
    del broken["Settings"]["OutputGroups"][0]["OutputGroupSettings"]["CmafGroupSettings"][
        "Destination"
    ]
    del broken["Role"]
    assert validate_job(broken) == [
        "missing Role",
        "OutputGroups[0].CmafGroupSettings misses Destination",
    ]


def test_one_cmaf_group_writes_hls_and_dash() -> None:
    groups = _groups(full_job())
    assert set(groups) == {"CMAF_GROUP_SETTINGS", "FILE_GROUP_SETTINGS"}
    cmaf = groups["CMAF_GROUP_SETTINGS"]["OutputGroupSettings"]["CmafGroupSettings"]
    assert cmaf["WriteHlsManifest"] == "ENABLED"
    assert cmaf["WriteDashManifest"] == "ENABLED"
    assert cmaf["SegmentLength"] == 6
    assert cmaf["FragmentLength"] == 2
    assert cmaf["Destination"] == "s3://ott-media/titles/abc/v1/master"
    images = groups["FILE_GROUP_SETTINGS"]
    assert images["OutputGroupSettings"]["FileGroupSettings"]["Destination"] == (
        "s3://ott-media/titles/abc/v1/images/"
    )
    captures = [o["VideoDescription"]["CodecSettings"] for o in images["Outputs"]]
    assert {c["Codec"] for c in captures} == {"FRAME_CAPTURE"}
    assert {o["NameModifier"] for o in images["Outputs"]} == {"_poster", "_thumb"}


@pytest.mark.parametrize(
    ("width", "height", "rungs"),
    [
        (1920, 1080, ["144p", "360p", "480p", "720p", "1080p"]),
        (1280, 720, ["144p", "360p", "480p", "720p"]),
        (854, 480, ["144p", "360p", "480p"]),
        (1080, 1920, ["144p", "360p", "480p", "720p", "1080p"]),  # portrait phone video
        (160, 90, ["144p"]),
        (3840, 2160, ["144p", "360p", "480p", "720p", "1080p"]),
    ],
)
def test_every_rung_and_none_above_the_source(width: int, height: int, rungs: list[str]) -> None:
    job = full_job(width, height)
    cmaf = _groups(job)["CMAF_GROUP_SETTINGS"]
    names = [o["NameModifier"][1:] for o in cmaf["Outputs"] if "VideoDescription" in o]
    assert names == rungs
    for video in _video(job):
        assert min(video["Width"], video["Height"]) <= max(min(width, height), 144)
        assert video["Width"] <= max(width, 256)
        assert video["Height"] <= max(height, 144)
        assert video["Width"] % 2 == 0
        assert video["Height"] % 2 == 0


def test_bitrates_and_aligned_gops() -> None:
    videos = _video(full_job())
    for video, rung in zip(videos, ladder.LADDER, strict=True):
        h264 = video["CodecSettings"]["H264Settings"]
        assert video["CodecSettings"]["Codec"] == "H_264"
        assert h264["RateControlMode"] in ("QVBR", "VBR")
        assert h264["MaxBitrate"] == rung.max_kbps * 1000
        assert "Bitrate" not in h264  # QVBR takes a cap, not a target
        assert h264["GopSize"] == 2
        assert h264["GopSizeUnits"] == "SECONDS"
        assert h264["SceneChangeDetect"] in ("DISABLED", "TRANSITION_DETECTION")
        assert h264["NumberBFramesBetweenReferenceFrames"] == 2
        assert h264["FramerateControl"] == "INITIALIZE_FROM_SOURCE"
        assert h264["CodecProfile"] in ("MAIN", "HIGH")
        assert h264["CodecLevel"].startswith("LEVEL_")
    assert [v["CodecSettings"]["H264Settings"]["CodecLevel"] for v in videos] == [
        "LEVEL_3",
        "LEVEL_3",
        "LEVEL_3_1",
        "LEVEL_3_1",
        "LEVEL_4",
    ]
    assert h264_level(1920, 1080, 60, 6600) == "LEVEL_4_2"


def test_audio_per_language_and_webvtt_per_subtitle() -> None:
    job = full_job()
    selectors = job["Settings"]["Inputs"][0]["AudioSelectors"]
    assert selectors["Audio Selector 1"] == {"DefaultSelection": "DEFAULT"}
    assert selectors["Audio Selector 2"]["ExternalAudioFileInput"].endswith("/en.aac")
    outputs = _groups(job)["CMAF_GROUP_SETTINGS"]["Outputs"]
    audio = [o for o in outputs if "AudioDescriptions" in o]
    assert [a["AudioDescriptions"][0]["LanguageCode"] for a in audio] == ["HIN", "ENG"]
    assert [a["ContainerSettings"]["CmfcSettings"]["AudioTrackType"] for a in audio] == [
        "ALTERNATE_AUDIO_AUTO_SELECT_DEFAULT",
        "ALTERNATE_AUDIO_AUTO_SELECT",
    ]
    for output in audio:
        description = output["AudioDescriptions"][0]
        aac = description["CodecSettings"]["AacSettings"]
        assert description["CodecSettings"]["Codec"] == "AAC"
        assert aac["CodingMode"] == "CODING_MODE_2_0"
        assert aac["Bitrate"] == ladder.AUDIO_KBPS * 1000
        assert aac["SampleRate"] == 48000
        assert description["StreamName"]
    assert audio[1]["AudioDescriptions"][0]["StreamName"] == "English"

    captions = job["Settings"]["Inputs"][0]["CaptionSelectors"]
    assert [c["SourceSettings"]["SourceType"] for c in captions.values()] == ["SRT", "SRT"]
    assert [c["SourceSettings"]["FileSourceSettings"]["SourceFile"] for c in captions.values()] == [
        "s3://ott-sources/titles/abc/en.srt",
        "s3://ott-sources/titles/abc/ta.srt",
    ]
    vtt = [o["CaptionDescriptions"][0] for o in outputs if "CaptionDescriptions" in o]
    assert [c["DestinationSettings"]["DestinationType"] for c in vtt] == ["WEBVTT", "WEBVTT"]
    assert [c["LanguageCode"] for c in vtt] == ["ENG", "TAM"]
    assert [c["CaptionSelectorName"] for c in vtt] == list(captions)
    assert vtt[1]["LanguageDescription"] == "தமிழ்"


def test_a_source_alone_needs_no_caption_selectors() -> None:
    job = transcoder().job_settings(source_width=640, source_height=360)
    assert validate_job(job) == []
    assert "CaptionSelectors" not in job["Settings"]["Inputs"][0]
    outputs = _groups(job)["CMAF_GROUP_SETTINGS"]["Outputs"]
    assert sum("AudioDescriptions" in o for o in outputs) == 1


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="s3://"):
        MediaConvertTranscoder(
            role_arn=ROLE, queue_arn=QUEUE, source_uri="/tmp/x.mp4", destination_prefix="s3://b/p"
        )
    with pytest.raises(ValueError, match="IAM role"):
        MediaConvertTranscoder(
            role_arn="role", queue_arn=QUEUE, source_uri="s3://bb/x", destination_prefix="s3://b/p"
        )
    with pytest.raises(ValueError, match="language"):
        transcoder().job_settings(
            source_width=640, source_height=360, audio=[S3Track("s3://bbb/x.aac", "xx")]
        )
    with pytest.raises(ValueError, match="picture size"):
        transcoder().job_settings(source_width=0, source_height=360)
