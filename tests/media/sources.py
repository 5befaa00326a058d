"""Real test inputs made with FFmpeg's lavfi sources (`testsrc2` pictures, `sine` tones).

Plain functions, importable by any test: each writes into `directory`, names the file after
its parameters and returns an existing file instead of encoding it again, so a session-scoped
folder caches them. Sizes stay small (low resolution, ultrafast preset) so suites stay fast.
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from ott.media.encoding.ffmpeg import resolve_ffmpeg

SRT_SAMPLE = (
    "1\r\n00:00:00,500 --> 00:00:01,800\r\nHello <i>world</i>\r\n\r\n"
    "2\r\n00:00:02,000 --> 00:00:03,500\r\nSecond line\r\nwith two rows\r\n\r\n"
)


@lru_cache(maxsize=1)
def session_dir() -> Path:
    """One folder per test process, shared by every module that makes sources, removed at exit.
    (A conftest fixture would do the same; this keeps the generators usable from anywhere.)"""
    path = Path(tempfile.mkdtemp(prefix="ott-media-sources-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def _ffmpeg(*args: str) -> None:
    subprocess.run(
        [resolve_ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args],
        check=True,
        timeout=300,
    )


def make_source(
    directory: Path,
    *,
    width: int = 320,
    height: int = 180,
    fps: int = 25,
    seconds: float = 4,
    audio: bool = True,
    faststart: bool = False,
) -> Path:
    """An H.264/AAC MP4 of `testsrc2` (moving, so the encoder has work) with a 440 Hz tone."""
    name = f"src_{width}x{height}_{fps}fps_{seconds:g}s_{'a' if audio else 'na'}"
    path = directory / f"{name}{'_fs' if faststart else ''}.mp4"
    if path.exists():
        return path
    args = ["-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={fps}:duration={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", str(fps)]
    if audio:
        args += ["-c:a", "aac", "-b:a", "96k", "-metadata:s:a:0", "language=eng"]
    if faststart:
        args += ["-movflags", "+faststart"]
    _ffmpeg(*args, str(path))
    return path


def make_audio(directory: Path, *, seconds: float = 4, frequency: int = 660) -> Path:
    """An extra audio-language track (AAC in M4A)."""
    path = directory / f"audio_{frequency}hz_{seconds:g}s.m4a"
    if not path.exists():
        tone = f"sine=frequency={frequency}:sample_rate=44100:duration={seconds}"
        _ffmpeg("-f", "lavfi", "-i", tone, "-c:a", "aac", "-b:a", "64k", str(path))
    return path


def make_srt(directory: Path, text: str = SRT_SAMPLE, name: str = "subs.srt") -> Path:
    """An SRT file (CRLF line ends and a UTF-8 BOM, as many editors write them)."""
    path = directory / name
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    return path


def make_audio_only(directory: Path, seconds: float = 2) -> Path:
    """An MP4 with sound and no picture."""
    path = directory / f"audio_only_{seconds:g}s.mp4"
    if not path.exists():
        tone = f"sine=frequency=440:duration={seconds}"
        _ffmpeg("-f", "lavfi", "-i", tone, "-c:a", "aac", str(path))
    return path


def make_text_as_mp4(directory: Path) -> Path:
    path = directory / "notes.mp4"
    path.write_text("These are meeting notes, not a video.\n" * 20)
    return path


def make_empty(directory: Path) -> Path:
    path = directory / "empty.mp4"
    path.write_bytes(b"")
    return path


def make_truncated(directory: Path, *, seconds: float = 8) -> Path:
    """A source cut to 45 % of its bytes. Its index sits at the front (faststart), so it still
    opens and declares the full duration; only decoding shows that the end is missing."""
    whole = make_source(directory, seconds=seconds, faststart=True)
    path = directory / f"truncated_{seconds:g}s.mp4"
    data = whole.read_bytes()
    path.write_bytes(data[: int(len(data) * 0.45)])
    return path


def make_huge_y4m(directory: Path, width: int = 20000, height: int = 20000) -> Path:
    """A YUV4MPEG2 file whose header declares `width` x `height` (followed by a few bytes)."""
    path = directory / f"huge_{width}x{height}.y4m"
    header = f"YUV4MPEG2 W{width} H{height} F25:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + b"FRAME\n" + bytes(4096))
    return path


class _Bits:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def bit(self) -> int:
        value = (self.data[self.pos // 8] >> (7 - self.pos % 8)) & 1
        self.pos += 1
        return value

    def bits(self, count: int) -> int:
        value = 0
        for _ in range(count):
            value = value << 1 | self.bit()
        return value

    def ue(self) -> int:
        zeros = 0
        while self.bit() == 0:
            zeros += 1
        return (1 << zeros) - 1 + self.bits(zeros)


def _ue(value: int) -> str:
    code = bin(value + 1)[2:]
    return "0" * (len(code) - 1) + code


def _unescape(nal: bytes) -> bytes:
    return nal.replace(b"\x00\x00\x03", b"\x00\x00")


def _escape(rbsp: bytes) -> bytes:
    out = bytearray()
    zeros = 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def _resize_sps(nal: bytes, width: int, height: int) -> bytes:
    """Rewrite a baseline-profile SPS NAL unit (x264, no cropping) to declare another size."""
    rbsp = _unescape(nal[1:])
    reader = _Bits(rbsp)
    reader.bits(24)  # profile, constraint flags, level
    reader.ue()  # seq_parameter_set_id
    reader.ue()  # log2_max_frame_num_minus4
    if reader.ue() == 0:  # pic_order_cnt_type
        reader.ue()
    reader.ue()  # max_num_ref_frames
    reader.bit()  # gaps_in_frame_num_allowed
    head_bits = reader.pos
    reader.ue()
    reader.ue()
    rest = "".join(str(reader.bit()) for _ in range(len(rbsp) * 8 - reader.pos))
    head = "".join(f"{byte:08b}" for byte in rbsp)[:head_bits]
    bits = head + _ue(width // 16 - 1) + _ue(height // 16 - 1) + rest.rstrip("0")
    bits = bits[:-1] if bits.endswith("1") else bits  # drop the old stop bit
    bits += "1"
    bits += "0" * (-len(bits) % 8)
    body = int(bits, 2).to_bytes(len(bits) // 8, "big")
    return nal[:1] + _escape(body)


def make_huge_sps_mp4(directory: Path, width: int = 20000, height: int = 20000) -> Path:
    """An MP4 whose H.264 SPS declares `width` x `height`: a small baseline stream with its SPS
    rewritten, then remuxed (FFmpeg copies the parameter sets without checking them)."""
    path = directory / f"huge_sps_{width}x{height}.mp4"
    if path.exists():
        return path
    raw = directory / "small_baseline.h264"
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=64x64:rate=25:duration=1",
        "-c:v", "libx264", "-profile:v", "baseline", "-preset", "ultrafast",
        "-bsf:v", "h264_mp4toannexb", "-f", "h264", str(raw),
    )  # fmt: skip
    parts = raw.read_bytes().split(b"\x00\x00\x01")
    patched = [
        _resize_sps(part.rstrip(b"\x00"), width, height) if part and part[0] & 0x1F == 7 else part
        for part in parts
    ]
    hacked = directory / f"huge_{width}x{height}.h264"
    hacked.write_bytes(b"\x00\x00\x01".join(patched))
    _ffmpeg("-f", "h264", "-i", str(hacked), "-c", "copy", str(path))
    return path
