"""The tus 1.0.0 headers (https://tus.io/protocols/resumable-upload): what the server
supports, and parsing what a client sends (strictly: a bad header is a 400, never a 500)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from ott.core.errors import BadRequest
from ott.core.locale import is_language_tag
from ott.core.text import has_control_characters
from ott.media.models import Upload, UploadKind
from ott.media.uploads.errors import PreconditionFailed

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = ("creation", "creation-with-upload", "checksum", "expiration", "termination")
CHECKSUM_ALGORITHMS: dict[str, Callable[[], Any]] = {
    "sha1": hashlib.sha1,
    "md5": hashlib.md5,
    "sha256": hashlib.sha256,
}
OFFSET_OCTET_STREAM = "application/offset+octet-stream"

_MAX_METADATA = 4096
_MAX_COUNT_DIGITS = 20  # 10^20 bytes is beyond any upload; bounds the work on a hostile header
_COUNT = re.compile(f"[0-9]{{1,{_MAX_COUNT_DIGITS}}}")
_META_KEY = re.compile(r"[!-+\--~]{1,64}")  # printable ASCII without space or comma


def require_version(headers: Mapping[str, str]) -> None:
    if headers.get("tus-resumable") != TUS_VERSION:
        raise PreconditionFailed(
            f"Send Tus-Resumable: {TUS_VERSION}", headers={"Tus-Version": TUS_VERSION}
        )


def parse_count(name: str, value: str | None) -> int:
    """A byte count header (Upload-Length, Upload-Offset, Content-Length): ASCII digits only.
    str.isdigit() also takes "²" (which int() refuses) and other scripts' digits."""
    if value is None:
        raise BadRequest(f"The {name} header is required")
    digits = value.strip()
    if not _COUNT.fullmatch(digits):
        raise BadRequest(
            f"{name} must be a non-negative integer of at most {_MAX_COUNT_DIGITS} digits",
            details={name: value[: _MAX_COUNT_DIGITS + 1]},
        )
    return int(digits)


def declared_length(headers: Mapping[str, str]) -> int | None:
    """The body's Content-Length, if the client declared one."""
    value = headers.get("content-length")
    return None if value is None else parse_count("Content-Length", value)


def is_offset_stream(headers: Mapping[str, str]) -> bool:
    content_type = headers.get("content-type", "")
    return content_type.split(";")[0].strip().lower() == OFFSET_OCTET_STREAM


def parse_metadata(header: str | None) -> dict[str, str]:
    """Upload-Metadata: comma-separated `key base64(value)` pairs (the value may be absent)."""
    if header is None or not header.strip():
        return {}
    if len(header) > _MAX_METADATA:
        raise BadRequest(f"Upload-Metadata is longer than {_MAX_METADATA} characters")
    pairs: dict[str, str] = {}
    for item in header.split(","):
        key, _, encoded = item.strip().partition(" ")
        if not _META_KEY.fullmatch(key):
            raise BadRequest("Upload-Metadata has an invalid key", details={"key": key})
        if key in pairs:
            raise BadRequest("Upload-Metadata repeats a key", details={"key": key})
        try:
            value = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise BadRequest(
                "An Upload-Metadata value is not base64 of UTF-8 text", details={"key": key}
            ) from None
        pairs[key] = value
    return pairs


@dataclass(frozen=True)
class UploadSpec:
    """What a POST asks for, validated."""

    kind: UploadKind
    filename: str | None
    extra: dict[str, str]  # language, label and anything else the client sent


def validate_metadata(pairs: dict[str, str]) -> UploadSpec:
    kinds = ", ".join(k.value for k in UploadKind)
    for key, value in pairs.items():
        if has_control_characters(value):  # kept in the database, which cannot hold a NUL
            raise BadRequest(
                "Upload-Metadata values must not contain control characters",
                details={"key": key},
            )
    try:
        kind = UploadKind(pairs.get("kind", ""))
    except ValueError:
        raise BadRequest(
            f"Upload-Metadata needs kind: one of {kinds}", details={"kind": pairs.get("kind")}
        ) from None
    filename = pairs.get("filename") or None
    if filename is not None and (len(filename) > 255 or "/" in filename or "\\" in filename):
        raise BadRequest("The filename must be a plain name of at most 255 characters")
    language = pairs.get("language")
    if language is not None and not is_language_tag(language):
        raise BadRequest("language must be an ISO 639 code such as hi or en-IN")
    if kind is not UploadKind.VIDEO and language is None:
        raise BadRequest(f"An upload of kind {kind.value} needs a language")
    if len(pairs.get("label", "")) > 100:
        raise BadRequest("label must be at most 100 characters")
    extra = {k: v for k, v in pairs.items() if k not in ("kind", "filename")}
    return UploadSpec(kind, filename, extra)


def parse_checksum(header: str | None) -> tuple[str, bytes] | None:
    """Upload-Checksum: `<algorithm> <base64 digest>`."""
    if header is None:
        return None
    name, _, encoded = header.strip().partition(" ")
    if name not in CHECKSUM_ALGORITHMS:
        raise BadRequest(
            f"Unsupported checksum algorithm; use one of {', '.join(CHECKSUM_ALGORITHMS)}",
            code="unsupported_checksum_algorithm",
        )
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        raise BadRequest("The Upload-Checksum digest is not base64") from None
    if len(digest) != CHECKSUM_ALGORITHMS[name]().digest_size:
        raise BadRequest(f"The Upload-Checksum digest is not a {name} digest")
    return name, digest


def _http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def capability_headers(max_size: int) -> dict[str, str]:
    """What OPTIONS answers: the version, extensions, size limit and checksum algorithms."""
    return {
        "Tus-Version": TUS_VERSION,
        "Tus-Extension": ",".join(TUS_EXTENSIONS),
        "Tus-Max-Size": str(max_size),
        "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
    }


def offset_headers(upload: Upload) -> dict[str, str]:
    """Where the upload stands: its offset and length, and its expiry or its whole checksum."""
    headers = {
        "Upload-Offset": str(upload.received_bytes),
        "Upload-Length": str(upload.length),
        "Cache-Control": "no-store",
    }
    if upload.completed_at is None:
        headers["Upload-Expires"] = _http_date(upload.expires_at)
    elif upload.sha256:
        headers["Upload-Checksum"] = "sha256 " + base64.b64encode(
            bytes.fromhex(upload.sha256)
        ).decode("ascii")
    return headers
