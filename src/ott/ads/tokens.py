"""Signed tokens of the ad service: the break token in a VMAP's AdTagURI (who is watching what,
so the player's VAST request needs no Authorization header) and the tracking token in every
tracking URL of a VAST (which ad, which event, which one-time event id).

    <base64url(JSON payload)>.<base64url(HMAC-SHA256(key, purpose "." payload))[:22]>

The key is ADS_TRACKING_SECRET, or else derived from the JWT secret as ott.core.signing derives
the media key: HMAC-SHA256(JWT secret, "ott-ads-signing"), so the ad key is not the JWT key.
The purpose is signed with the payload, so a tracking token is never taken for a break token.
A token that does not parse is 400; a wrong signature or an expired token 403, and nothing
is counted for either.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from functools import lru_cache
from typing import Any

from ott.core.errors import BadRequest, Forbidden
from ott.core.settings import Settings

_DERIVATION_LABEL = b"ott-ads-signing"
_SIGNATURE_BYTES = 16  # 128 bits, 22 characters of base64url
MAX_TOKEN_LENGTH = 2048

BREAK = "break"
TRACKING = "track"


def signing_key(settings: Settings) -> bytes:
    if settings.ads_tracking_secret:
        return settings.ads_tracking_secret.encode()
    return _derived(settings.resolved_jwt_secret())


@lru_cache(maxsize=8)
def _derived(jwt_secret: str) -> bytes:
    return hmac.new(jwt_secret.encode(), _DERIVATION_LABEL, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    def __init__(self, key: bytes) -> None:
        self.key = key

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenSigner:
        return cls(signing_key(settings))

    def _signature(self, purpose: str, payload: str) -> str:
        message = f"{purpose}.{payload}".encode()
        return _b64(hmac.new(self.key, message, hashlib.sha256).digest()[:_SIGNATURE_BYTES])

    def sign(self, purpose: str, claims: dict[str, Any]) -> str:
        """A token of `claims`, which must hold its expiry `x` (a Unix time in seconds)."""
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        return f"{payload}.{self._signature(purpose, payload)}"

    def verify(self, purpose: str, token: str, *, now: float | None = None) -> dict[str, Any]:
        """The claims of a valid, unexpired token of `purpose`: BadRequest (400) if it is not
        a token at all, Forbidden (403) if its signature is wrong or it has expired."""
        payload, dot, signature = token.partition(".")
        if not dot or not payload or not signature or len(token) > MAX_TOKEN_LENGTH:
            raise BadRequest("The ad token is malformed", code="invalid_ad_token")
        expected = self._signature(purpose, payload)
        if not hmac.compare_digest(expected, signature):
            raise Forbidden("The ad token's signature is not valid", code="forged_ad_token")
        try:
            claims = json.loads(_unb64(payload))
        except (binascii.Error, ValueError) as exc:  # signed by us, so never in practice
            raise BadRequest("The ad token is malformed", code="invalid_ad_token") from exc
        if not isinstance(claims, dict) or not isinstance(claims.get("x"), int):
            raise BadRequest("The ad token is malformed", code="invalid_ad_token")
        if claims["x"] < (now if now is not None else time.time()):
            raise Forbidden("The ad token has expired", code="ad_token_expired")
        return claims
