"""The caller's network address, which anonymous rate limits are counted by.

The TCP peer, unless TRUST_FORWARDED_FOR: then the right-most X-Forwarded-For entry that is not
one of TRUSTED_PROXIES (each proxy appends the address it was called from, so everything left of
the first untrusted entry may have been written by the client).

An ASGI server may rewrite the peer itself (uvicorn does by default for 127.0.0.1), so the
gateway does not take the peer on trust: when it is one of the header's own entries, the server
took it from the header, and the request came through a proxy that server trusts.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.types import Scope

# The key of requests whose peer an ASGI server replaced with a forwarded address the gateway
# does not believe: they came through one proxy, and are counted as that proxy would be.
UNVERIFIED_FORWARDER = "forwarded-unverified"
_UNKNOWN = "unknown"
_MAX_ENTRY_LENGTH = 64
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _host(entry: str) -> str:
    """An address without its port or brackets, normalised when it parses as an IP."""
    entry = entry.strip()[:_MAX_ENTRY_LENGTH]
    if entry.startswith("["):
        entry = entry[1 : entry.find("]")] if "]" in entry else entry
    elif entry.count(":") == 1:
        entry = entry.partition(":")[0]
    try:
        return str(ipaddress.ip_address(entry))
    except ValueError:
        return entry


def forwarded_for(headers: Sequence[tuple[bytes, bytes]]) -> list[str]:
    """Every X-Forwarded-For entry, left to right, over all such headers."""
    return [
        _host(entry)
        for name, value in headers
        if name == b"x-forwarded-for"
        for entry in value.decode("latin-1").split(",")
        if entry.strip()
    ]


class ClientAddress:
    def __init__(self, *, trust_forwarded_for: bool, trusted_proxies: Sequence[str]) -> None:
        self.trust_forwarded_for = trust_forwarded_for
        self.trusted_proxies: list[_Network] = [
            ipaddress.ip_network(network, strict=False) for network in trusted_proxies
        ]

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted_proxies)

    def __call__(self, scope: Scope) -> str:
        client = scope.get("client")
        peer = _host(client[0]) if client else _UNKNOWN
        forwarded = forwarded_for(scope["headers"])
        rewritten_by_server = peer in forwarded
        if not self.trust_forwarded_for:
            return UNVERIFIED_FORWARDER if rewritten_by_server else peer
        # A server's rewrite left the header intact: walk it alone (the true peer was a proxy
        # the server trusts; TRUSTED_PROXIES should name it too).
        chain = forwarded if rewritten_by_server else [*forwarded, peer]
        for address in reversed(chain):
            if not self._trusted(address):
                return address
        return chain[0]
