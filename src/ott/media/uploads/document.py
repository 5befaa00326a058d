"""The tus requests in the API document: their headers and bodies (tus speaks in headers, which
the routes read themselves, so FastAPI cannot see them), for the routes' `openapi_extra`.

Declared, they make generated requests well-formed, and clients see what each route needs.
"""

from __future__ import annotations

from typing import Any

from ott.media.uploads.headers import CHECKSUM_ALGORITHMS, OFFSET_OCTET_STREAM, TUS_VERSION

_COUNT = {"type": "integer", "minimum": 0, "maximum": 10**20 - 1}

TUS_RESUMABLE = {
    "name": "Tus-Resumable",
    "in": "header",
    "required": True,
    "description": f"The tus version; without {TUS_VERSION}, 412",
    "schema": {"type": "string", "enum": [TUS_VERSION]},
    "example": TUS_VERSION,
}
UPLOAD_LENGTH = {
    "name": "Upload-Length",
    "in": "header",
    "required": True,
    "description": "The whole file's size in bytes (Upload-Defer-Length is not supported)",
    "schema": _COUNT,
    "example": 0,
}
UPLOAD_METADATA = {
    "name": "Upload-Metadata",
    "in": "header",
    "required": True,
    "description": "Comma-separated `key base64(value)` pairs: `kind` (video, audio or "
    "subtitle), `filename`, `language` (required for audio and subtitles), `label`",
    "schema": {"type": "string", "maxLength": 4096},
    "example": "kind dmlkZW8=,filename ZmlsbS5tcDQ=",
}
UPLOAD_OFFSET = {
    "name": "Upload-Offset",
    "in": "header",
    "required": True,
    "description": "Where this body goes: the upload's offset (HEAD); otherwise 409",
    "schema": _COUNT,
}
UPLOAD_CHECKSUM = {
    "name": "Upload-Checksum",
    "in": "header",
    "required": False,
    "description": "`<algorithm> <base64 digest>` of this body ("
    + ", ".join(CHECKSUM_ALGORITHMS)
    + "); a body that does not match is dropped (460)",
    "schema": {"type": "string", "maxLength": 200},
}


def _body(*, required: bool) -> dict[str, Any]:
    return {
        "required": required,
        "description": "The file's next bytes: from Upload-Offset (from 0 when creating)",
        "content": {OFFSET_OCTET_STREAM: {"schema": {"type": "string", "format": "binary"}}},
    }


def tus_request(*headers: dict[str, Any], body: bool | None = None) -> dict[str, Any]:
    """`openapi_extra` of a tus route: Tus-Resumable and `headers`, and a body of file bytes
    (required if `body`, optional if False, none if None)."""
    extra: dict[str, Any] = {"parameters": [TUS_RESUMABLE, *headers]}
    if body is not None:
        extra["requestBody"] = _body(required=body)
    return extra
