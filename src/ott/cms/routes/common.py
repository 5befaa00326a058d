"""What every CMS route shares: announcing a change after the commit, and reading bodies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import BackgroundTasks, Request
from starlette.datastructures import UploadFile

from ott.cms import json_body
from ott.cms.events import publish_events
from ott.cms.schemas import ContentView
from ott.cms.service import Outcome
from ott.core.app_context import app_context
from ott.core.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from ott.core.event_types import ContentChange

_MULTIPART_FRAMING = 4096  # what multipart boundaries and part headers may add to a file


def announce(request: Request, background: BackgroundTasks, events: list[ContentChange]) -> None:
    if events:
        background.add_task(publish_events, app_context(request.app).events, events)


def announced(request: Request, background: BackgroundTasks, outcome: Outcome) -> ContentView:
    announce(request, background, outcome.events)
    return outcome.view


def media_type(header: str | None) -> str:
    return (header or "").split(";")[0].strip().lower()


@dataclass(frozen=True)
class FileBody:
    data: bytes
    content_type: str  # of the multipart part, or of the request
    filename: str  # lower case; empty for a raw body


def _too_large(what: str, max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The {what} may be at most {max_bytes / (1024 * 1024):g} MiB",
        details={"max_bytes": max_bytes},
    )


def file_request_body(raw: dict[str, Any], *, what: str) -> dict[str, Any]:
    """The document's requestBody of a route reading `file_body`: the raw body as one of `raw`
    (media type: schema), or the multipart field `file`."""
    return {
        "required": True,
        "description": f"The {what} as the raw body, or as the multipart field `file`",
        "content": {
            **{media_type: {"schema": schema} for media_type, schema in raw.items()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
        },
    }


async def file_body(request: Request, *, what: str, max_bytes: int) -> FileBody:
    """A file sent as the raw body or as the multipart field `file`, at most `max_bytes`."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) - _MULTIPART_FRAMING > max_bytes:
        raise _too_large(what, max_bytes)
    content_type = media_type(request.headers.get("content-type"))
    if content_type == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=10)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise BadRequest(f"Send the {what} in the multipart field `file`", code="missing_file")
        data = await upload.read(max_bytes + 1)
        body = FileBody(data, media_type(upload.content_type), (upload.filename or "").lower())
    else:
        body = FileBody(await request.body(), content_type, "")
    if len(body.data) > max_bytes:
        raise _too_large(what, max_bytes)
    return body


async def json_document(request: Request, *, accepted: frozenset[str]) -> Any:
    """The request's JSON body (nesting bounded), if its content type is one of `accepted`."""
    if media_type(request.headers.get("content-type")) not in accepted:
        raise UnsupportedMediaType(
            "Send the body as " + " or ".join(sorted(accepted)),
            details={"accepted": sorted(accepted)},
        )
    return json_body.loads(await request.body())
