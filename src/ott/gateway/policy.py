"""Which routed requests need a session the gateway has verified as still alive.

With Redis reachable every token's session is checked. Without it the gateway cannot see a
logout, a password reset or a role change, so it answers 503 wherever acting on a stale token
would matter: any request that changes state, and reads of an account's private data. Public
reads go on with the token's claims alone (they only personalise what anyone may see).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Reads(StrEnum):
    PUBLIC = "public"  # what anyone may read; a token only personalises it
    PRIVATE = "private"  # an account's own data, or editorial data


# Per service prefix. A prefix not listed (a service added later: activity, streaming, …) is
# private until declared otherwise.
READS: Mapping[str, Reads] = {
    "/api/auth": Reads.PRIVATE,
    "/api/catalog": Reads.PUBLIC,
    "/api/cms": Reads.PRIVATE,
}


def needs_live_session(prefix: str, method: str) -> bool:
    return method not in SAFE_METHODS or READS.get(prefix, Reads.PRIVATE) is Reads.PRIVATE
