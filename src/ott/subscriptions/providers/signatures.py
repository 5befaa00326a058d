"""HMAC-SHA256 webhook signatures, as the Stripe-style and Razorpay-style providers sign them.

Both providers sign with HMAC-SHA256 in lower-case hex: Stripe over `"{t}.{raw body}"`, Razorpay
over the raw body. Verification compares in constant time (`hmac.compare_digest`) and accepts
any of several secrets (while one is rotated) and any of several signatures (Stripe sends one
`v1` per active secret of the endpoint).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping

_HEX_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def hmac_sha256_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def is_hex_sha256(value: str) -> bool:
    return bool(_HEX_SHA256.match(value))


def any_signature_matches(
    *, secrets: Iterable[str], message: bytes, signatures: Iterable[str]
) -> bool:
    """Whether one of `signatures` (lower-case hex) is the HMAC of `message` under one of
    `secrets`. Every pair is compared (no early exit on the first secret), in constant time."""
    candidates = [signature.encode() for signature in signatures if is_hex_sha256(signature)]
    matched = False
    for secret in secrets:
        expected = hmac_sha256_hex(secret, message).encode()
        for candidate in candidates:
            matched |= hmac.compare_digest(expected, candidate)
    return matched


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header `name`, whatever the case of its name in `headers` (a plain dict or
    Starlette's Headers, whose keys are lower-case)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None
