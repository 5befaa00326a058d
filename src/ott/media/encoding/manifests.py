"""Playlists and manifests written after encoding, from what was actually produced.

FFmpeg's own HLS master lacks AVERAGE-BANDWIDTH, FRAME-RATE, languages and subtitles, and its
BANDWIDTH is the nominal target; so the master is rebuilt here with the `m3u8` library from
measured segment sizes and codec strings read from the init segments. The media playlists
FFmpeg wrote are kept, marked VOD and stripped of wall-clock PROGRAM-DATE-TIME tags. The DASH
manifest gets the WebVTT subtitles as text AdaptationSets.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

import m3u8

from ott.media.encoding.transcoder import TranscodeError

AUDIO_GROUP = "audio"
SUBTITLE_GROUP = "subs"
MPD_NS = "{urn:mpeg:dash:schema:mpd:2011}"


# --- codec strings (RFC 6381) -------------------------------------------------------------


def _find_box(data: bytes, kind: bytes) -> bytes:
    """The payload of the first `kind` box anywhere in `data` (a plain scan: the four-byte
    type is preceded by the box size, which bounds the payload)."""
    at = data.find(kind)
    if at < 4:
        raise TranscodeError(f"no {kind.decode()} box in the init segment")
    size = int.from_bytes(data[at - 4 : at], "big")
    return data[at + 4 : at - 4 + size]


def _descriptor(data: bytes, at: int) -> tuple[int, int, int]:
    """(tag, payload start, payload length) of the MPEG-4 descriptor at `at`."""
    tag, at, length = data[at], at + 1, 0
    for _ in range(4):
        byte = data[at]
        at += 1
        length = length << 7 | (byte & 0x7F)
        if not byte & 0x80:
            break
    return tag, at, length


def _aac_codec(esds: bytes) -> str:
    tag, at, _ = _descriptor(esds, 4)  # after version and flags: ES_Descriptor
    if tag != 0x03:
        raise TranscodeError("unexpected esds layout")
    flags = esds[at + 2]
    at += 3
    if flags & 0x80:
        at += 2  # dependsOn_ES_ID
    if flags & 0x40:
        at += 1 + esds[at]  # URL
    if flags & 0x20:
        at += 2  # OCR_ES_ID
    tag, at, _ = _descriptor(esds, at)  # DecoderConfigDescriptor
    object_type = esds[at]
    tag, at, _ = _descriptor(esds, at + 13)  # DecoderSpecificInfo: the AudioSpecificConfig
    audio_object_type = esds[at] >> 3
    if audio_object_type == 31:
        audio_object_type = 32 + ((esds[at] & 0x07) << 3 | esds[at + 1] >> 5)
    return f"mp4a.{object_type:02x}.{audio_object_type}"


def codec_string(init_segment: Path) -> str:
    """RFC 6381 codec of the single track in a CMAF init segment, e.g. "avc1.64001f"."""
    data = init_segment.read_bytes()
    if b"avcC" in data:
        avcc = _find_box(data, b"avcC")
        # configurationVersion, AVCProfileIndication, profile_compatibility, AVCLevelIndication
        return f"avc1.{avcc[1]:02x}{avcc[2]:02x}{avcc[3]:02x}"
    if b"esds" in data:
        return _aac_codec(_find_box(data, b"esds"))
    raise TranscodeError(f"{init_segment.name}: neither H.264 nor AAC")


# --- measured bitrates ----------------------------------------------------------------------


@dataclass(frozen=True)
class Bitrate:
    peak: int  # bits/s, HLS BANDWIDTH definition
    average: int  # bits/s


def measure(playlist: Path) -> Bitrate:
    """Peak and average bitrate of a media playlist's segments. The peak is the largest bitrate
    of any run of consecutive segments lasting 0.5 to 1.5 target durations (RFC 8216 4.4.6.2),
    so a stray short last segment does not inflate it."""
    parsed = m3u8.load(str(playlist))
    base = playlist.parent
    sizes = [(base / seg.uri).stat().st_size * 8 for seg in parsed.segments]
    durations = [float(seg.duration) for seg in parsed.segments]
    total = sum(durations)
    if not sizes or total <= 0:
        raise TranscodeError(f"{playlist.name} has no segments")
    average = sum(sizes) / total
    target = float(parsed.target_duration or max(durations))
    peak = 0.0
    for first in range(len(sizes)):
        bits = seconds = 0.0
        for index in range(first, len(sizes)):
            bits += sizes[index]
            seconds += durations[index]
            if seconds > 1.5 * target:
                break
            if seconds >= 0.5 * target:
                peak = max(peak, bits / seconds)
    if peak == 0.0:  # the whole playlist is shorter than half a target duration
        peak = average
    return Bitrate(math.ceil(peak), math.ceil(average))


# --- media playlists ------------------------------------------------------------------------


def tidy_media_playlist(playlist: Path) -> None:
    """Mark FFmpeg's media playlist as VOD with independent segments and drop the wall-clock
    PROGRAM-DATE-TIME tags the DASH muxer adds (meaningless for on-demand content)."""
    parsed = m3u8.load(str(playlist))
    for segment in parsed.segments:
        segment.program_date_time = None
    parsed.playlist_type = "vod"
    parsed.is_independent_segments = True
    parsed.is_endlist = True
    playlist.write_text(parsed.dumps(), encoding="utf-8")


def write_subtitle_playlist(path: Path, vtt_name: str, duration: float) -> None:
    """A one-segment HLS media playlist for a whole WebVTT file."""
    path.write_text(
        "#EXTM3U\n"
        "#EXT-X-VERSION:6\n"
        f"#EXT-X-TARGETDURATION:{math.ceil(duration)}\n"
        "#EXT-X-MEDIA-SEQUENCE:0\n"
        "#EXT-X-PLAYLIST-TYPE:VOD\n"
        f"#EXTINF:{duration:.3f},\n"
        f"{vtt_name}\n"
        "#EXT-X-ENDLIST\n",
        encoding="utf-8",
    )


# --- master playlist ------------------------------------------------------------------------


@dataclass(frozen=True)
class VariantEntry:
    playlist: str
    width: int
    height: int
    frame_rate: float
    bitrate: Bitrate  # video and the largest audio rendition together
    codecs: str


@dataclass(frozen=True)
class MediaEntry:
    playlist: str
    language: str
    name: str
    default: bool


def _quoted_safe(text: str) -> str:
    """HLS quoted strings may not hold double quotes or line breaks."""
    return " ".join(text.replace('"', "'").split())


def write_master(
    path: Path,
    variants: list[VariantEntry],
    audio: list[MediaEntry],
    subtitles: list[MediaEntry],
) -> None:
    master = m3u8.M3U8()
    master.version = 6
    master.is_independent_segments = True
    for entry in audio:
        master.add_media(
            m3u8.Media(
                uri=entry.playlist,
                type="AUDIO",
                group_id=AUDIO_GROUP,
                language=entry.language,
                name=_quoted_safe(entry.name),
                default="YES" if entry.default else "NO",
                autoselect="YES",
                channels="2",
            )
        )
    for entry in subtitles:
        master.add_media(
            m3u8.Media(
                uri=entry.playlist,
                type="SUBTITLES",
                group_id=SUBTITLE_GROUP,
                language=entry.language,
                name=_quoted_safe(entry.name),
                default="NO",
                autoselect="YES",
                forced="NO",
            )
        )
    for variant in sorted(variants, key=lambda v: v.bitrate.peak):
        info: dict[str, object] = {
            "bandwidth": variant.bitrate.peak,
            "average_bandwidth": variant.bitrate.average,
            "codecs": variant.codecs,
            "resolution": f"{variant.width}x{variant.height}",
            "frame_rate": round(variant.frame_rate, 3),
        }
        if audio:
            info["audio"] = AUDIO_GROUP
        if subtitles:
            info["subtitles"] = SUBTITLE_GROUP
        master.add_playlist(m3u8.Playlist(variant.playlist, info, master.media, ""))
    path.write_text(master.dumps(), encoding="utf-8")


# --- DASH manifest --------------------------------------------------------------------------


def add_text_adaptation_sets(mpd: Path, subtitles: list[MediaEntry], vtt_files: list[str]) -> None:
    """List each WebVTT file in the MPD as a sidecar text AdaptationSet (as dash.js and Shaka
    read them), then check that the manifest is well-formed."""
    text = mpd.read_text(encoding="utf-8")
    blocks = []
    for number, (entry, vtt) in enumerate(zip(subtitles, vtt_files, strict=True)):
        blocks.append(
            f'\t\t<AdaptationSet id="{100 + number}" contentType="text" mimeType="text/vtt" '
            f"lang={quoteattr(entry.language)}>\n"
            '\t\t\t<Role schemeIdUri="urn:mpeg:dash:role:2011" value="subtitle" />\n'
            f'\t\t\t<Representation id="text_{number}" bandwidth="256">\n'
            f"\t\t\t\t<BaseURL>{vtt}</BaseURL>\n"
            "\t\t\t</Representation>\n"
            "\t\t</AdaptationSet>\n"
        )
    if blocks:
        if text.count("</Period>") != 1:
            raise TranscodeError("the DASH manifest does not have exactly one Period")
        line_start = text.rfind("\n", 0, text.index("</Period>")) + 1
        text = text[:line_start] + "".join(blocks) + text[line_start:]
        mpd.write_text(text, encoding="utf-8")
    mpd_representations(mpd)


def mpd_representations(mpd: Path) -> list[str]:
    """The ids of every Representation in the MPD (raises TranscodeError if it is not XML)."""
    try:
        root = ET.parse(mpd).getroot()  # noqa: S314 - a file FFmpeg and this module wrote
    except ET.ParseError as error:
        raise TranscodeError(f"the DASH manifest is not valid XML: {error}") from error
    return [rep.get("id", "") for rep in root.iter(f"{MPD_NS}Representation")]
