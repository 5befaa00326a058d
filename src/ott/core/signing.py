"""Signed media URLs in the form stock Nginx's `secure_link_md5` verifies.

    <base>/s/<token>/<expires>/videos/<owner>/<encoding>/<file>

`expires` is a Unix time in seconds; the scope is one encoding's folder,
`videos/<owner>/<encoding>`; the token is the MD5 of `<expires><scope> <secret>`, in
base64url without padding (22 characters). Nginx checks it with

    secure_link     $token,$expires;
    secure_link_md5 "$expires$scope <secret>";

(deploy/nginx/ott.conf.template). Because the token sits in the path and covers the whole
folder, the relative URIs inside the playlists on disk resolve under the same token: nothing is
rewritten per viewer. MD5 is Nginx's choice, not ours; the secret comes last, so the digest's
length extension cannot forge another scope or expiry.

The secret is MEDIA_SIGNING_SECRET (shared with Nginx or the CDN; required in production).
Without it one is derived from the JWT secret: HMAC-SHA256(JWT secret, "ott-media-signing"),
in hex, so development needs no second secret and the media key is not the JWT key itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from ott.core.errors import Forbidden, Gone
from ott.core.settings import Settings
from ott.core.storage import MEDIA_URL_PREFIX

SIGNED_SEGMENT = "s"  # <base>/s/<token>/<expires>/...
_DERIVATION_LABEL = b"ott-media-signing"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")
_EXPIRES = re.compile(r"^[0-9]{1,12}$")


def signing_secret(settings: Settings) -> str:
    if settings.media_signing_secret:
        return settings.media_signing_secret
    return _derived(settings.resolved_jwt_secret())


@lru_cache(maxsize=8)
def _derived(jwt_secret: str) -> str:
    return hmac.new(jwt_secret.encode(), _DERIVATION_LABEL, hashlib.sha256).hexdigest()


def media_base_url(settings: Settings) -> str:
    """Where media is fetched: MEDIA_PUBLIC_BASE_URL (a CDN, the bucket, or Nginx on a host of
    its own), else /media on the platform's own origin."""
    return (settings.media_public_base_url or MEDIA_URL_PREFIX).rstrip("/")


def token_for(secret: str, *, scope: str, expires: int) -> str:
    # Nginx's secure_link_md5 format (see the module docstring).
    digest = hashlib.md5(f"{expires}{scope} {secret}".encode(), usedforsecurity=False).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(frozen=True)
class SignedFolder:
    """One encoding's folder under a token: `base_url` ends with a slash."""

    base_url: str
    expires: int

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, UTC)

    def url(self, relative: str) -> str:
        return self.base_url + relative


class MediaSigner:
    def __init__(self, *, secret: str, base_url: str, token_seconds: int) -> None:
        self.secret = secret
        self.base_url = base_url.rstrip("/")
        self.token_seconds = token_seconds

    @classmethod
    def from_settings(cls, settings: Settings) -> MediaSigner:
        return cls(
            secret=signing_secret(settings),
            base_url=media_base_url(settings),
            token_seconds=settings.stream_token_seconds,
        )

    def sign(self, scope: str, *, now: float | None = None) -> SignedFolder:
        """A token for `scope` valid for the configured lifetime from `now`."""
        expires = int(now if now is not None else time.time()) + self.token_seconds
        token = token_for(self.secret, scope=scope, expires=expires)
        return SignedFolder(f"{self.base_url}/{SIGNED_SEGMENT}/{token}/{expires}/{scope}/", expires)

    def verify(self, *, token: str, expires: str, scope: str, now: float | None = None) -> None:
        """Nothing if the token is this scope's and unexpired: Forbidden (403) if it is not a
        token for this scope (tampered, another encoding's, malformed), Gone (410) if it is
        but has expired. The digest is checked first, as Nginx does, so an expired forgery is
        403."""
        if not _TOKEN.match(token) or not _EXPIRES.match(expires):
            raise Forbidden("The media URL's token is malformed", code="invalid_media_token")
        expected = token_for(self.secret, scope=scope, expires=int(expires))
        if not hmac.compare_digest(expected, token):
            raise Forbidden(
                "The media URL's token is not valid for this video", code="invalid_media_token"
            )
        if int(expires) < int(now if now is not None else time.time()):
            raise Gone(
                "The media URL has expired; the player gets a fresh one with its next "
                "position update",
                code="media_token_expired",
            )
