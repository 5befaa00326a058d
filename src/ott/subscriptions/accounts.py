"""The account's email, from the auth service (services never read each other's tables): a
provider's checkout page shows it and sends the receipt there."""

from __future__ import annotations

from ott.core.client import ServiceClient
from ott.core.errors import ServiceUnavailable
from ott.core.identity import IDENTITY_HEADER, Identity, encode_internal_identity
from ott.core.settings import Settings


async def email_of(client: ServiceClient, identity: Identity, settings: Settings) -> str:
    response = await client.get(
        "/api/auth/me",
        headers={IDENTITY_HEADER: encode_internal_identity(identity, settings)},
    )
    if response.status_code != 200:
        raise ServiceUnavailable(
            "The account could not be read from the auth service",
            code="auth_unavailable",
            details={"status": response.status_code},
        )
    email = response.json().get("email")
    if not isinstance(email, str):
        raise ServiceUnavailable("The auth service gave no email", code="auth_unavailable")
    return email
