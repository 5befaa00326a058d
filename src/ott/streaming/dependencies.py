"""Dependencies of the streaming routes: the service's per-process state, who is watching, and
from where."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from ott.catalog.visibility import Viewer, viewer_for
from ott.core.dependencies import AppSettings
from ott.core.entitlements import Entitlement, EntitlementReader
from ott.core.errors import Forbidden
from ott.core.events import EventBus
from ott.core.identity import CurrentIdentity, Identity
from ott.core.memo import TtlCache
from ott.core.settings import Settings
from ott.core.signing import MediaSigner
from ott.streaming.drm import LicenceIssuer
from ott.streaming.entitlement import Entitlements
from ott.streaming.files import PublishedOwners
from ott.streaming.leases import SessionRecord, StreamStore
from ott.streaming.manifests import ManifestTemplates
from ott.streaming.resume import LastPlayedPosition


@dataclass
class StreamingRuntime:
    """What a streaming process keeps between requests, built once in its lifespan."""

    settings: Settings
    store: StreamStore
    events: EventBus
    signer: MediaSigner
    # What the account's plan allows now (streams, highest rung, tier): asked of the
    # subscription service through its Redis cache, never read from the access token.
    plans: EntitlementReader
    entitlements: Entitlements
    manifests: ManifestTemplates
    owners: PublishedOwners
    resume: LastPlayedPosition
    drm: LicenceIssuer
    media_root: Path
    # The fixed facts of sessions this process has seen (leases.SessionRecord.fixed), so a
    # position update costs one Redis call.
    sessions: TtlCache[tuple[uuid.UUID, str], SessionRecord]


def install_runtime(app: FastAPI, runtime: StreamingRuntime) -> None:
    app.state.streaming = runtime


async def _runtime(request: Request) -> StreamingRuntime:
    runtime = request.app.state.streaming
    assert isinstance(runtime, StreamingRuntime), "the streaming service's lifespan has not run"
    return runtime


@dataclass(frozen=True)
class Watcher:
    """A signed-in caller watching as one of the account's profiles."""

    identity: Identity
    profile_id: uuid.UUID

    @property
    def user_id(self) -> uuid.UUID:
        return self.identity.user_id


async def _watcher(identity: CurrentIdentity) -> Watcher:
    if identity.profile_id is None:
        raise Forbidden(
            "Select a profile first (POST /api/auth/profiles/{id}/select): playback, resume "
            "points and history belong to a profile",
            code="profile_required",
        )
    return Watcher(identity, identity.profile_id)


Runtime = Annotated[StreamingRuntime, Depends(_runtime)]


async def _entitlement(identity: CurrentIdentity, runtime: Runtime) -> Entitlement:
    return await runtime.plans.of(identity)


CurrentEntitlement = Annotated[Entitlement, Depends(_entitlement)]


async def _viewer(
    request: Request,
    identity: CurrentIdentity,
    entitlement: CurrentEntitlement,
    settings: AppSettings,
) -> Viewer:
    return viewer_for(
        identity=identity,
        country=request.headers.get(settings.country_header),
        default_country=settings.default_country,
        tier=entitlement.tier,
    )


CurrentWatcher = Annotated[Watcher, Depends(_watcher)]
CurrentViewer = Annotated[Viewer, Depends(_viewer)]
