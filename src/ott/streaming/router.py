"""HTTP routes of the streaming service: playback (/api/stream) and media files (/media)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from ott.core.dependencies import ReadSessionmaker
from ott.core.identity import CurrentIdentity
from ott.core.openapi import error_responses
from ott.streaming import files, service
from ott.streaming.dependencies import CurrentEntitlement, CurrentViewer, CurrentWatcher, Runtime
from ott.streaming.manifests import CONTENT_TYPES
from ott.streaming.schemas import (
    SESSION_ID_PATTERN,
    ActiveStreams,
    CompleteOut,
    PlaybackStartIn,
    PlaybackStartOut,
    PlayerEventsIn,
    PlayerEventsOut,
    PositionIn,
    PositionOut,
    SessionIn,
)

router = APIRouter(prefix="/api/stream", tags=["streaming"])


@router.post(
    "/playback/start",
    status_code=status.HTTP_201_CREATED,
    summary="Start playing a title or episode: a session, its manifest and media token",
    responses=error_responses(403, 404, 409),
)
async def start_playback(
    body: PlaybackStartIn,
    sessions: ReadSessionmaker,
    runtime: Runtime,
    watcher: CurrentWatcher,
    viewer: CurrentViewer,
    entitlement: CurrentEntitlement,
) -> PlaybackStartOut:
    return await service.start(
        sessions=sessions,
        runtime=runtime,
        watcher=watcher,
        viewer=viewer,
        entitlement=entitlement,
        body=body,
    )


@router.put(
    "/playback/position",
    summary="Report the position (every 10 s): renews the stream's lease and media token",
    responses=error_responses(403, 404, 410),
)
async def update_position(
    body: PositionIn, runtime: Runtime, watcher: CurrentWatcher, viewer: CurrentViewer
) -> PositionOut:
    return await service.update_position(runtime=runtime, watcher=watcher, viewer=viewer, body=body)


@router.post(
    "/playback/complete",
    summary="The viewer finished the title: ends the session",
    responses=error_responses(403, 404, 410),
)
async def complete_playback(
    body: SessionIn, runtime: Runtime, watcher: CurrentWatcher
) -> CompleteOut:
    return await service.complete(runtime=runtime, watcher=watcher, session_id=body.session_id)


@router.post(
    "/playback/events",
    status_code=status.HTTP_202_ACCEPTED,
    summary="What the viewer did in the player (play, pause, seek, rewind), in batches",
    responses=error_responses(403, 404),
)
async def record_player_events(
    body: PlayerEventsIn, runtime: Runtime, watcher: CurrentWatcher
) -> PlayerEventsOut:
    return await service.record_player_events(runtime=runtime, watcher=watcher, body=body)


@router.get("/sessions", summary="The account's streams playing now (any of its profiles)")
async def list_streams(
    runtime: Runtime, identity: CurrentIdentity, entitlement: CurrentEntitlement
) -> ActiveStreams:
    return await service.active_streams(runtime=runtime, identity=identity, entitlement=entitlement)


@router.delete(
    "/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Stop one of the account's streams, e.g. to watch on another device",
    responses=error_responses(410),
)
async def stop_stream(
    session_id: Annotated[str, Path(pattern=SESSION_ID_PATTERN)],
    runtime: Runtime,
    identity: CurrentIdentity,
) -> Response:
    await service.stop(runtime=runtime, identity=identity, session_id=session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{content_id}/manifest",
    summary="The session's HLS master playlist or DASH MPD, for the rungs its plan allows",
    response_class=Response,
    responses={
        200: {
            "description": "The manifest in the session's format",
            "content": {
                media_type: {"schema": {"type": "string"}} for media_type in CONTENT_TYPES.values()
            },
        },
        **error_responses(403, 404, 410),
    },
)
async def get_manifest(
    content_id: uuid.UUID,
    session: Annotated[str, Query(pattern=SESSION_ID_PATTERN, description="The session id")],
    runtime: Runtime,
    watcher: CurrentWatcher,
    viewer: CurrentViewer,
    entitlement: CurrentEntitlement,
) -> Response:
    text, media_type = await service.manifest(
        runtime=runtime,
        watcher=watcher,
        viewer=viewer,
        entitlement=entitlement,
        content_id=content_id,
        session_id=session,
    )
    return Response(text, media_type=media_type, headers={"cache-control": "private, no-store"})


# ---------------------------------------------------------------- media files (not API)

media_router = APIRouter(prefix="/media", include_in_schema=False)


@media_router.api_route(
    "/s/{token}/{expires}/videos/{owner}/{encoding}/{path:path}", methods=["GET", "HEAD"]
)
async def signed_media(
    token: str,
    expires: str,
    owner: str,
    encoding: str,
    path: str,
    request: Request,
    runtime: Runtime,
) -> Response:
    scope = f"videos/{owner}/{encoding}"
    runtime.signer.verify(token=token, expires=expires, scope=scope)
    return await files.file_response(runtime.media_root, f"{scope}/{path}", request.headers)


@media_router.api_route("/{key:path}", methods=["GET", "HEAD"])
async def public_media(key: str, request: Request, runtime: Runtime) -> Response:
    return await files.public_file(runtime.media_root, key, request.headers, owners=runtime.owners)
