"""Bulk import of a JSON or CSV file."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request

from ott.cms import bulk
from ott.cms.dependencies import Staff
from ott.cms.routes.common import FileBody, announce, file_body
from ott.cms.schemas import BulkResult
from ott.core.dependencies import AppSettings, DbSession
from ott.core.errors import UnsupportedMediaType

router = APIRouter(tags=["cms"])

_JSON_TYPES = {"application/json"}
_CSV_TYPES = {"text/csv", "application/csv"}


@router.post(
    "/content/bulk-upload",
    summary="Import titles from a JSON or CSV file (raw body or multipart field `file`)",
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
