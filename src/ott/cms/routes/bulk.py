"""Bulk import of a JSON or CSV file."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request

from ott.cms import bulk
from ott.cms.dependencies import Staff
from ott.cms.routes.common import FileBody, announce, file_body, file_request_body
from ott.cms.schemas import BulkResult
from ott.core.dependencies import AppSettings, DbSession
from ott.core.errors import UnsupportedMediaType
from ott.core.openapi import error_responses

router = APIRouter(tags=["cms"])

_JSON_TYPES = {"application/json"}
_CSV_TYPES = {"text/csv", "application/csv"}
_CSV = {"type": "string", "description": "A header row, then one row per episode (or title)"}
_BULK_BODY = file_request_body(
    {
        "application/json": {
            "type": "object",
            "required": ["titles"],
            "properties": {
                "titles": {
                    "type": "array",
                    "items": {"type": "object"},
                    "description": "Each the body of POST /api/cms/content, with external_id",
                }
            },
        },
        **{media_type: _CSV for media_type in sorted(_CSV_TYPES)},
    },
    what="file (a `.json` or `.csv` file name in multipart)",
)


@router.post(
    "/content/bulk-upload",
    summary="Import titles from a JSON or CSV file (raw body or multipart field `file`)",
    responses=error_responses(400, 409, 415),
    openapi_extra={"requestBody": _BULK_BODY},
)
async def bulk_upload(
    request: Request,
    db: DbSession,
    identity: Staff,
    settings: AppSettings,
    background: BackgroundTasks,
    publish: Annotated[bool, Query(description="Publish at once (admins only)")] = False,
) -> BulkResult:
    bulk.new_title_state(identity=identity, publish=publish)  # 403 before reading the file
    upload = await file_body(request, what="file", max_bytes=settings.max_bulk_upload_bytes)
    parse = bulk.parse_json if _kind(upload) == "json" else bulk.parse_csv
    parsed = await asyncio.to_thread(parse, upload.data)
    result, events = await bulk.import_titles(
        db=db, identity=identity, parsed=parsed, publish=publish
    )
    announce(request, background, events)
    return result


def _kind(upload: FileBody) -> str:
    if upload.content_type in _JSON_TYPES or upload.filename.endswith(".json"):
        return "json"
    if upload.content_type in _CSV_TYPES or upload.filename.endswith(".csv"):
        return "csv"
    raise UnsupportedMediaType(
        "Send the file as application/json or text/csv (raw body or multipart field `file`)",
        details={"accepted": sorted(_JSON_TYPES | _CSV_TYPES | {"multipart/form-data"})},
    )
