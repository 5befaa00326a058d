"""AWS Elemental MediaConvert job settings: the cloud counterpart of the local FFmpeg ladder.

`MediaConvertTranscoder.job_settings` builds the body of one `CreateJob` request (the
MediaConvert API's POST /2017-08-29/jobs, or `boto3.client("mediaconvert").create_job(**job)`
against the account's endpoint); submitting it is that single call, which this module does not
make. The job reads the source (and any extra audio tracks and SRT subtitles) from S3 and
writes under the destination prefix:

* one CMAF output group: fMP4 segments of SegmentLength 6 s (fragments of 2 s) that one HLS
  master (`master.m3u8`) and one DASH manifest (`master.mpd`) both reference;
  one H.264 output per rung of `ladder.rungs_for` (never taller than the source), QVBR capped
  at the rung's peak bitrate, 2 s closed GOPs with scene-change key frames limited to
  transitions so every rung switches on the same frames; one AAC stereo output per audio
  language; one WebVTT output per subtitle language;
* one file group of FRAME_CAPTURE outputs under `images/`: `_poster` captures at 0 s and 5 s
  at the top rung's size (the 5 s one is the poster: the first frame is often black) and
  `_thumb` one 160-pixel-wide frame every 10 seconds, for the thumbnail track.

Language codes are ISO 639-1 in the platform and ISO 639-2 in MediaConvert (`LANGUAGES`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ott.media.encoding import ladder
from ott.media.encoding.ladder import Picture

# ISO 639-1 -> the ISO 639-2 codes MediaConvert's LanguageCode enum uses.
LANGUAGES: Mapping[str, str] = {
    "en": "ENG",
    "hi": "HIN",
    "bn": "BEN",
    "ta": "TAM",
    "te": "TEL",
    "mr": "MAR",
    "gu": "GUJ",
    "kn": "KAN",
    "ml": "MAL",
    "pa": "PAN",
    "ur": "URD",
    "or": "ORI",
    "as": "ASM",
    "es": "SPA",
    "fr": "FRA",
    "de": "DEU",
    "it": "ITA",
    "pt": "POR",
    "ru": "RUS",
    "ar": "ARA",
    "ja": "JPN",
    "ko": "KOR",
    "zh": "ZHO",
}

SOURCE_AUDIO = "Audio Selector 1"
AUDIO_GROUP = "audio"
THUMBNAIL_SECONDS = 10
THUMBNAIL_WIDTH = 160
QVBR_QUALITY = 7  # AWS's suggestion for streaming; 1080p looks the same at the 6 Mb/s cap
B_FRAMES = 2
_S3_URI = re.compile(r"s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/.*)?")

# H.264 levels (Annex A): max macroblocks per second, per frame, and max bitrate in kb/s for
# the High profile (1.25 x the Main profile's).
_LEVELS: tuple[tuple[str, int, int, int], ...] = (
    ("LEVEL_3", 40_500, 1_620, 12_500),
    ("LEVEL_3_1", 108_000, 3_600, 17_500),
    ("LEVEL_3_2", 216_000, 5_120, 25_000),
    ("LEVEL_4", 245_760, 8_192, 25_000),
    ("LEVEL_4_1", 245_760, 8_192, 62_500),
    ("LEVEL_4_2", 522_240, 8_704, 62_500),
    ("LEVEL_5", 589_824, 22_080, 168_750),
    ("LEVEL_5_1", 983_040, 36_864, 300_000),
    ("LEVEL_5_2", 2_073_600, 36_864, 300_000),
)


@dataclass(frozen=True)
class S3Track:
    """An extra audio track or SRT subtitle file in S3, in one language."""

    uri: str  # s3://bucket/key
    language: str  # ISO 639-1, e.g. "hi"
    label: str | None = None  # what the player shows, e.g. "हिन्दी"


def language_code(language: str) -> str:
    try:
        return LANGUAGES[language.split("-")[0].lower()]
    except KeyError:
        raise ValueError(f"no MediaConvert language code known for {language!r}") from None


def _s3(uri: str, what: str) -> str:
    if not _S3_URI.fullmatch(uri):
        raise ValueError(f"{what} must be an s3://bucket/key URI, not {uri!r}")
    return uri


def h264_level(width: int, height: int, frame_rate: float, max_kbps: int) -> str:
    """The lowest level that carries the picture size, frame rate and peak bitrate."""
    frame_mbs = -(-width // 16) * -(-height // 16)
    for name, max_mbps, max_fs, max_br in _LEVELS:
        if frame_mbs <= max_fs and frame_mbs * frame_rate <= max_mbps and max_kbps <= max_br:
            return name
    raise ValueError(f"{width}x{height} at {frame_rate} fps is beyond H.264 level 5.2")


def _video_output(picture: Picture, frame_rate: float) -> dict[str, Any]:
    rung = picture.rung
    small = rung.short_side <= 360
    return {
        "NameModifier": f"_{rung.name}",
        "ContainerSettings": {"Container": "CMFC"},
        "VideoDescription": {
            "Width": picture.width,
            "Height": picture.height,
            "ScalingBehavior": "DEFAULT",
            "AntiAlias": "ENABLED",
            "Sharpness": 50,
            "CodecSettings": {
                "Codec": "H_264",
                "H264Settings": {
                    "RateControlMode": "QVBR",
                    "QvbrSettings": {"QvbrQualityLevel": QVBR_QUALITY},
                    "MaxBitrate": rung.max_kbps * 1000,
                    "HrdBufferSize": rung.buffer_kbits * 1000,
                    "GopSize": ladder.GOP_SECONDS,
                    "GopSizeUnits": "SECONDS",
                    "GopClosedCadence": 1,
                    "MinIInterval": 0,
                    # An extra key frame at a cut would land on one rung's GOP boundary but
                    # not another's; transition detection keeps the GOP cadence fixed.
                    "SceneChangeDetect": "TRANSITION_DETECTION",
                    "NumberBFramesBetweenReferenceFrames": B_FRAMES,
                    "GopBReference": "ENABLED",
                    "CodecProfile": "MAIN" if small else "HIGH",
                    "CodecLevel": h264_level(
                        picture.width, picture.height, frame_rate, rung.max_kbps
                    ),
                    "EntropyEncoding": "CABAC",
                    "InterlaceMode": "PROGRESSIVE",
                    "QualityTuningLevel": "MULTI_PASS_HQ",
                    "FramerateControl": "INITIALIZE_FROM_SOURCE",
                    "ParControl": "INITIALIZE_FROM_SOURCE",
                    "AdaptiveQuantization": "AUTO",
                },
            },
        },
    }


def _audio_output(
    selector: str, language: str | None, label: str | None, default: bool
) -> dict[str, Any]:
    description: dict[str, Any] = {
        "AudioSourceName": selector,
        "CodecSettings": {
            "Codec": "AAC",
            "AacSettings": {
                "Bitrate": ladder.AUDIO_KBPS * 1000,
                "CodingMode": "CODING_MODE_2_0",
                "SampleRate": 48000,
                "CodecProfile": "LC",
                "RateControlMode": "CBR",
            },
        },
    }
    if language is not None:
        description["LanguageCodeControl"] = "USE_CONFIGURED"
        description["LanguageCode"] = language_code(language)
    if label or language:
        description["StreamName"] = label or language
    track_type = "ALTERNATE_AUDIO_AUTO_SELECT_DEFAULT" if default else "ALTERNATE_AUDIO_AUTO_SELECT"
    return {
        "NameModifier": f"_audio_{language or 'source'}",
        "ContainerSettings": {
            "Container": "CMFC",
            "CmfcSettings": {"AudioGroupId": AUDIO_GROUP, "AudioTrackType": track_type},
        },
        "AudioDescriptions": [description],
    }


def _caption_output(selector: str, track: S3Track) -> dict[str, Any]:
    # Sidecar WebVTT: its own output in the CMAF group, without container settings.
    return {
        "NameModifier": f"_sub_{track.language}",
        "CaptionDescriptions": [
            {
                "CaptionSelectorName": selector,
                "LanguageCode": language_code(track.language),
                "LanguageDescription": track.label or track.language,
                "DestinationSettings": {
                    "DestinationType": "WEBVTT",
                    "WebvttDestinationSettings": {"StylePassthrough": "DISABLED"},
                },
            }
        ],
    }


def _frame_capture(
    modifier: str, width: int, height: int, every_seconds: int, max_captures: int
) -> dict[str, Any]:
    return {
        "NameModifier": modifier,
        "ContainerSettings": {"Container": "RAW"},
        "VideoDescription": {
            "Width": width,
            "Height": height,
            "ScalingBehavior": "DEFAULT",
            "CodecSettings": {
                "Codec": "FRAME_CAPTURE",
                "FrameCaptureSettings": {
                    "FramerateNumerator": 1,
                    "FramerateDenominator": every_seconds,
                    "MaxCaptures": max_captures,
                    "Quality": 80,
                },
            },
        },
    }


class MediaConvertTranscoder:
    """Builds MediaConvert jobs for one source; see the module docstring."""

    def __init__(
        self, *, role_arn: str, queue_arn: str, source_uri: str, destination_prefix: str
    ) -> None:
        if not role_arn.startswith("arn:aws:iam::"):
            raise ValueError("role_arn must be an IAM role ARN")
        if not queue_arn.startswith("arn:aws:mediaconvert:"):
            raise ValueError("queue_arn must be a MediaConvert queue ARN")
        self.role_arn = role_arn
        self.queue_arn = queue_arn
        self.source_uri = _s3(source_uri, "source_uri")
        self.destination_prefix = _s3(destination_prefix, "destination_prefix").rstrip("/") + "/"

    @property
    def manifest_destination(self) -> str:
        """The CMAF group's destination: manifests are this plus .m3u8 and .mpd."""
        return f"{self.destination_prefix}master"

    @property
    def images_destination(self) -> str:
        return f"{self.destination_prefix}images/"

    def job_settings(
        self,
        *,
        source_width: int,
        source_height: int,
        source_frame_rate: float = 30.0,
        source_language: str | None = None,
        audio: Sequence[S3Track] = (),
        subtitles: Sequence[S3Track] = (),
        user_metadata: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """The CreateJob request body (JSON-serialisable) for this source."""
        pictures = ladder.rungs_for(source_width, source_height)
        audio_selectors: dict[str, Any] = {SOURCE_AUDIO: {"DefaultSelection": "DEFAULT"}}
        audio_outputs = [_audio_output(SOURCE_AUDIO, source_language, None, default=True)]
        for index, track in enumerate(audio, start=2):
            selector = f"Audio Selector {index}"
            audio_selectors[selector] = {
                "ExternalAudioFileInput": _s3(track.uri, "an audio track"),
                "LanguageCode": language_code(track.language),
            }
            audio_outputs.append(_audio_output(selector, track.language, track.label, False))
        caption_selectors: dict[str, Any] = {}
        caption_outputs = []
        for index, track in enumerate(subtitles, start=1):
            selector = f"Captions Selector {index}"
            caption_selectors[selector] = {
                "LanguageCode": language_code(track.language),
                "SourceSettings": {
                    "SourceType": "SRT",
                    "FileSourceSettings": {"SourceFile": _s3(track.uri, "a subtitle file")},
                },
            }
            caption_outputs.append(_caption_output(selector, track))

        top = pictures[-1]
        thumb_height = max(2, round(THUMBNAIL_WIDTH * top.height / top.width / 2) * 2)
        job_input: dict[str, Any] = {
            "FileInput": self.source_uri,
            "TimecodeSource": "ZEROBASED",
            "VideoSelector": {},
            "AudioSelectors": audio_selectors,
        }
        if caption_selectors:
            job_input["CaptionSelectors"] = caption_selectors
        return {
            "Role": self.role_arn,
            "Queue": self.queue_arn,
            "UserMetadata": dict(user_metadata or {}),
            "Settings": {
                "TimecodeConfig": {"Source": "ZEROBASED"},
                "Inputs": [job_input],
                "OutputGroups": [
                    {
                        "Name": "CMAF",
                        "OutputGroupSettings": {
                            "Type": "CMAF_GROUP_SETTINGS",
                            "CmafGroupSettings": {
                                "Destination": self.manifest_destination,
                                "SegmentLength": int(ladder.SEGMENT_SECONDS),
                                "FragmentLength": int(ladder.GOP_SECONDS),
                                "SegmentControl": "SEGMENTED_FILES",
                                "WriteHlsManifest": "ENABLED",
                                "WriteDashManifest": "ENABLED",
                                "CodecSpecification": "RFC_6381",
                                "StreamInfResolution": "INCLUDE",
                                "ManifestDurationFormat": "FLOATING_POINT",
                                "MinBufferTime": 10000,
                            },
                        },
                        "Outputs": [
                            *(_video_output(p, source_frame_rate) for p in pictures),
                            *audio_outputs,
                            *caption_outputs,
                        ],
                    },
                    {
                        "Name": "Images",
                        "OutputGroupSettings": {
                            "Type": "FILE_GROUP_SETTINGS",
                            "FileGroupSettings": {"Destination": self.images_destination},
                        },
                        "Outputs": [
                            _frame_capture("_poster", top.width, top.height, 5, 2),
                            _frame_capture(
                                "_thumb", THUMBNAIL_WIDTH, thumb_height, THUMBNAIL_SECONDS, 10_000
                            ),
                        ],
                    },
                ],
            },
        }


# The keys a CreateJob body needs (MediaConvert API reference: CreateJobRequest, JobSettings,
# Input, OutputGroup, Output), as checked by `validate_job`.
REQUIRED_JOB_KEYS = ("Role", "Settings")
REQUIRED_SETTINGS_KEYS = ("Inputs", "OutputGroups")
REQUIRED_GROUP_KEYS = ("OutputGroupSettings", "Outputs")
REQUIRED_SETTINGS_OF_GROUP = {
    "CMAF_GROUP_SETTINGS": ("CmafGroupSettings", ("Destination", "SegmentLength")),
    "FILE_GROUP_SETTINGS": ("FileGroupSettings", ("Destination",)),
}


def validate_job(job: Mapping[str, Any]) -> list[str]:
    """What the body lacks of the required keys ([] when nothing)."""
    problems = [f"missing {key}" for key in REQUIRED_JOB_KEYS if key not in job]
    settings = job.get("Settings", {})
    problems += [f"missing Settings.{key}" for key in REQUIRED_SETTINGS_KEYS if key not in settings]
    for i, job_input in enumerate(settings.get("Inputs", [])):
        if not str(job_input.get("FileInput", "")).startswith("s3://"):
            problems.append(f"Inputs[{i}] has no s3:// FileInput")
    for g, group in enumerate(settings.get("OutputGroups", [])):
        where = f"OutputGroups[{g}]"
        problems += [f"{where} misses {key}" for key in REQUIRED_GROUP_KEYS if key not in group]
        group_settings = group.get("OutputGroupSettings", {})
        kind = group_settings.get("Type")
        if kind not in REQUIRED_SETTINGS_OF_GROUP:
            problems.append(f"{where} has an unknown Type {kind!r}")
            continue
        name, keys = REQUIRED_SETTINGS_OF_GROUP[kind]
        problems += [
            f"{where}.{name} misses {k}" for k in keys if k not in group_settings.get(name, {})
        ]
        for o, output in enumerate(group.get("Outputs", [])):
            if not {"VideoDescription", "AudioDescriptions", "CaptionDescriptions"} & set(output):
                problems.append(f"{where}.Outputs[{o}] describes no stream")
            codec = output.get("VideoDescription", {}).get("CodecSettings", {}).get("Codec")
            if "VideoDescription" in output and codec is None:
                problems.append(f"{where}.Outputs[{o}] has no video Codec")
    return problems
