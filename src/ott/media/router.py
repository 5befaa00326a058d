"""HTTP routes of the media service (editors and admins; reviewers may read encodings):
encodings, and resumable uploads with the tus protocol under /api/cms/uploads (the rules are
in uploads/service.py)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.routing import APIRoute

from ott.core.dependencies import AppSettings, DbSession, Sessionmaker
from ott.core.errors import AppError, BadRequest, UnsupportedMediaType, app_error_response
from ott.core.identity import Editor, Staff
from ott.core.openapi import error_responses
from ott.media import service
from ott.media.dependencies import PreviewSigner
from ott.media.preview import preview
from ott.media.schemas import EncodingOut, UploadOut
from ott.media.uploads import headers as tus
from ott.media.uploads import service as uploads
from ott.media.uploads.document import (
    UPLOAD_CHECKSUM,
    UPLOAD_LENGTH,
    UPLOAD_METADATA,
    UPLOAD_OFFSET,
    tus_request,
)

router = APIRouter(prefix="/api/cms", tags=["encodings"])


@router.get(
    "/encodings/{encoding_id}",
    summary="An encoding: status, progress, errors, result (and, for whoever edits or "
    "reviews its title, signed URLs to preview it)",
)
async def get_encoding(
    encoding_id: uuid.UUID, db: DbSession, identity: Staff, signer: PreviewSigner
) -> EncodingOut:
    encoding = await service.get(db=db, encoding_id=encoding_id)
    out = EncodingOut.model_validate(encoding)
    out.preview = await preview(db=db, signer=signer, identity=identity, encoding=encoding)
    return out


@router.post(
    "/encodings/{encoding_id}/cancel",
    summary="Cancel a queued or running encoding (409 once it has finished)",
    responses=error_responses(409),
)
async def cancel_encoding(encoding_id: uuid.UUID, db: DbSession, _: Editor) -> EncodingOut:
    return EncodingOut.model_validate(await service.cancel(db=db, encoding_id=encoding_id))


@router.post(
    "/encodings/{encoding_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Queue a failed or cancelled encoding again, with fresh attempts",
    responses=error_responses(409),
)
async def retry_encoding(encoding_id: uuid.UUID, db: DbSession, _: Editor) -> EncodingOut:
    return EncodingOut.model_validate(await service.retry(db=db, encoding_id=encoding_id))


# ---------------------------------------------------------------- uploads (tus 1.0.0)

UPLOADS_PREFIX = "/api/cms/uploads"


class TusRoute(APIRoute):
    """Puts Tus-Resumable on every answer, errors included (those raised by dependencies too),
    keeping the platform's JSON error body."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler: Callable[[Request], Awaitable[Response]] = super().get_route_handler()

        async def tus_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except AppError as error:
                response = app_error_response(error)
            response.headers["Tus-Resumable"] = tus.TUS_VERSION
            return response

        return tus_handler


uploads_router = APIRouter(prefix=UPLOADS_PREFIX, tags=["uploads"], route_class=TusRoute)


@uploads_router.options("", status_code=204, summary="What this tus server supports")
async def capabilities(settings: AppSettings) -> Response:
    return Response(status_code=204, headers=tus.capability_headers(settings.max_upload_bytes))


@uploads_router.post(
    "",
    status_code=201,
    response_class=Response,  # tus answers with headers (Location, Upload-Offset), no body
    response_description="Created: its URL in Location, the bytes received in Upload-Offset",
    summary="Create an upload (tus creation, with the first bytes if sent)",
    responses=error_responses(400, 412, 415, 460),
    openapi_extra=tus_request(UPLOAD_LENGTH, UPLOAD_METADATA, UPLOAD_CHECKSUM, body=False),
)
async def create_upload(
    request: Request, identity: Editor, sessionmaker: Sessionmaker, settings: AppSettings
) -> Response:
    tus.require_version(request.headers)
    if request.headers.get("upload-defer-length") is not None:
        raise BadRequest("Upload-Defer-Length is not supported: send Upload-Length")
    length = tus.parse_count("Upload-Length", request.headers.get("upload-length"))
    spec = tus.validate_metadata(tus.parse_metadata(request.headers.get("upload-metadata")))
    with_data = tus.is_offset_stream(request.headers)
    declared = tus.declared_length(request.headers)
    if not with_data and (declared or 0) > 0:
        raise UnsupportedMediaType(f"Data sent with a POST must be {tus.OFFSET_OCTET_STREAM}")
    checksum = tus.parse_checksum(request.headers.get("upload-checksum")) if with_data else None
    upload = await uploads.create_upload(
        sessionmaker=sessionmaker, settings=settings, identity=identity, length=length, spec=spec
    )
    location = f"{UPLOADS_PREFIX}/{upload.id}"
    if with_data or length == 0:
        try:
            upload = await uploads.append(
                sessionmaker=sessionmaker,
                data_dir=settings.data_dir,
                upload_id=upload.id,
                identity=identity,
                offset=0,
                checksum=checksum,
                declared_length=declared,
                body=request.stream(),
            )
        except AppError as error:
            # The upload exists: say where, so the client can resume it.
            error.headers = {**(error.headers or {}), "Location": location}
            raise
    return Response(status_code=201, headers={"Location": location, **tus.offset_headers(upload)})


@uploads_router.head(
    "/{upload_id}",
    summary="The upload's offset (tus core)",
    responses=error_responses(410, 412),
    openapi_extra=tus_request(),
)
async def upload_offset(
    request: Request, upload_id: str, identity: Editor, sessionmaker: Sessionmaker
) -> Response:
    tus.require_version(request.headers)
    upload = await uploads.load_upload(
        sessionmaker=sessionmaker, upload_id=upload_id, identity=identity
    )
    return Response(status_code=200, headers=tus.offset_headers(upload))


@uploads_router.patch(
    "/{upload_id}",
    status_code=204,
    summary="Append to the upload (tus core)",
    responses=error_responses(400, 409, 410, 412, 415, 423, 460),
    openapi_extra=tus_request(UPLOAD_OFFSET, UPLOAD_CHECKSUM, body=True),
)
async def append(
    request: Request,
    upload_id: str,
    identity: Editor,
    sessionmaker: Sessionmaker,
    settings: AppSettings,
) -> Response:
    tus.require_version(request.headers)
    if not tus.is_offset_stream(request.headers):
        raise UnsupportedMediaType(f"A PATCH body must be {tus.OFFSET_OCTET_STREAM}")
    offset = tus.parse_count("Upload-Offset", request.headers.get("upload-offset"))
    checksum = tus.parse_checksum(request.headers.get("upload-checksum"))
    declared = tus.declared_length(request.headers)
    upload = await uploads.load_upload(
        sessionmaker=sessionmaker, upload_id=upload_id, identity=identity
    )
    upload = await uploads.append(
        sessionmaker=sessionmaker,
        data_dir=settings.data_dir,
        upload_id=upload.id,
        identity=identity,
        offset=offset,
        checksum=checksum,
        declared_length=declared,
        body=request.stream(),
    )
    return Response(status_code=204, headers=tus.offset_headers(upload))


@uploads_router.delete(
    "/{upload_id}",
    status_code=204,
    summary="Delete the upload (tus termination)",
    responses=error_responses(410, 412, 423),
    openapi_extra=tus_request(),
)
async def terminate(
    request: Request,
    upload_id: str,
    identity: Editor,
    sessionmaker: Sessionmaker,
    settings: AppSettings,
) -> Response:
    tus.require_version(request.headers)
    await uploads.terminate(
        sessionmaker=sessionmaker,
        data_dir=settings.data_dir,
        upload_id=upload_id,
        identity=identity,
    )
    return Response(status_code=204)


@uploads_router.get(
    "/{upload_id}",
    summary="The upload as JSON, with its sha256 once complete",
    responses=error_responses(410),
)
async def describe(upload_id: str, identity: Editor, sessionmaker: Sessionmaker) -> UploadOut:
    upload = await uploads.load_upload(
        sessionmaker=sessionmaker, upload_id=upload_id, identity=identity
    )
    return UploadOut.of(upload)
