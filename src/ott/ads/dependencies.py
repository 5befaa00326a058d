"""Dependencies of the ad routes: the service's per-process state, who may manage inventory,
and who is watching (for decisions)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from ott.ads.counters import Counters
from ott.ads.inventory import Inventory
from ott.ads.titles import Titles
from ott.ads.tokens import TokenSigner
from ott.catalog.visibility import Viewer, viewer_for
from ott.core.dependencies import AppSettings
from ott.core.entitlements import EntitlementReader
from ott.core.errors import Forbidden
from ott.core.identity import CurrentIdentity, Identity, Role, require_roles
from ott.core.memo import TtlCache
from ott.core.settings import Settings
from ott.core.signing import MediaSigner, SignedFolder

_MAX_SIGNED_FOLDERS = 10_000


@dataclass
class AdsRuntime:
    """What an ad-service process keeps between requests, built once in its lifespan."""

    settings: Settings
    titles: Titles
    inventory: Inventory
    counters: Counters
    tokens: TokenSigner
    entitlements: EntitlementReader
    media: MediaSigner
    # Each creative's signed media folder, reused for half a token's life (so a URL served
    # from it stays valid for at least the other half).
    folders: TtlCache[str, SignedFolder]

    @classmethod
    def folder_cache(cls, settings: Settings) -> TtlCache[str, SignedFolder]:
        return TtlCache(
            ttl_seconds=settings.stream_token_seconds / 2, max_entries=_MAX_SIGNED_FOLDERS
        )

    def signed(self, folder: str) -> SignedFolder:
        found = self.folders.get(folder)
        return found if found is not None else self.folders.put(folder, self.media.sign(folder))

    @property
    def base_url(self) -> str:
        """Where players reach the ad service: ADS_PUBLIC_BASE_URL, else the platform's own
        origin (relative URLs, as a player on the web app's page resolves them)."""
        return (self.settings.ads_public_base_url or "").rstrip("/")


def install_runtime(app: FastAPI, runtime: AdsRuntime) -> None:
    app.state.ads = runtime


async def _runtime(request: Request) -> AdsRuntime:
    runtime = request.app.state.ads
    assert isinstance(runtime, AdsRuntime), "the ad service's lifespan has not run"
    return runtime


@dataclass(frozen=True)
class AdViewer:
    """A signed-in caller watching as one of the account's profiles, where they are."""

    identity: Identity
    profile_id: uuid.UUID
    viewer: Viewer


async def _ad_viewer(
    request: Request, identity: CurrentIdentity, settings: AppSettings
) -> AdViewer:
    if identity.profile_id is None:
        raise Forbidden(
            "Select a profile first (POST /api/auth/profiles/{id}/select): ads follow the "
            "profile that watches",
            code="profile_required",
        )
    viewer = viewer_for(
        identity=identity,
        country=request.headers.get(settings.country_header),
        default_country=settings.default_country,
    )
    return AdViewer(identity, identity.profile_id, viewer)


Runtime = Annotated[AdsRuntime, Depends(_runtime)]
CurrentAdViewer = Annotated[AdViewer, Depends(_ad_viewer)]
# Inventory is the admins' (there is no ads role).
AdManager = Annotated[Identity, require_roles(Role.ADMIN)]
