"""Which routed requests need a session the gateway has verified as still alive.

With Redis reachable every token's session is checked. Without it the gateway cannot see a
logout, a password reset or a role change, so it answers 503 wherever acting on a stale token
would matter: any request that changes state, and reads of an account's private data. Public
reads go on with the token's claims alone (they only personalise what anyone may see).

Which reads are private is each service's declaration (`ServiceSpec.private_reads`).
"""

from __future__ import annotations

from ott.registry import ServiceSpec

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def needs_live_session(service: ServiceSpec, method: str) -> bool:
    return method not in SAFE_METHODS or service.private_reads
