"""The DRM hook: what a playback session's licence is, and who issues it.

The platform packages clear CMAF and installs no DRM system, so its issuer, `NoDrmClearCmaf`,
answers None: access is controlled by signed, short-lived, folder-scoped URLs and stream
leases only, and a viewer who holds a token can save the segments they fetch. How Widevine,
FairPlay and PlayReady plug in (CENC/CBCS packaging, a licence server, a signed token per
session) is in docs/design.md, "Streaming".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class LicenceRequest:
    """What an issuer knows about the session it licenses."""

    session_id: str
    user_id: uuid.UUID
    profile_id: uuid.UUID
    content_id: uuid.UUID
    episode_id: uuid.UUID | None
    encoding_id: uuid.UUID
    device_type: str
    expires_at: datetime  # the session's token expiry: a licence should not outlive it


@dataclass(frozen=True)
class Licence:
    system: str  # "widevine", "fairplay", "playready"
    licence_url: str  # where the player's CDM sends its licence challenge
    token: str  # proves to the licence server that this session may play this key
    certificate_url: str | None  # FairPlay's application certificate
    expires_at: datetime


class LicenceIssuer(Protocol):
    async def licence_for(self, request: LicenceRequest) -> Licence | None:
        """The licence token for the session, or None when the content is not encrypted."""
        ...


class NoDrmClearCmaf:
    """No DRM: the platform's encodings are clear (unencrypted) CMAF."""

    async def licence_for(self, request: LicenceRequest) -> Licence | None:
        return None
