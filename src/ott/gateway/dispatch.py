"""The gateway's dispatcher: `/api/<service>/...` goes to that service's upstream (its app in
this process, or its own process over HTTP in split mode).

Every routed request is authenticated (a presented token must be valid), counted against the
caller's rate limit, stripped of any identity header the client tried to send, and given the
gateway's signed identity header before it reaches the service.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ott.core.context import CORRELATION_HEADER, current_correlation_id
from ott.core.errors import AppError, RateLimited, error_response
from ott.core.identity import IDENTITY_HEADER, Identity, encode_internal_identity
from ott.core.settings import Settings
from ott.gateway.proxy import HOP_BY_HOP, Upstream
from ott.gateway.service import Budget, Gatekeeper, authenticate

_STRIPPED_FROM_CLIENT = {IDENTITY_HEADER.encode(), CORRELATION_HEADER.encode()}


@dataclass(frozen=True)
class RouteLabel:
    """Stands in for a Starlette route so metrics group requests by service, not by raw path."""

    path: str


def _client_ip(scope: Scope, headers: Mapping[bytes, bytes], trust_forwarded_for: bool) -> str:
    if trust_forwarded_for and (forwarded := headers.get(b"x-forwarded-for")):
        return forwarded.decode("latin-1").split(",")[0].strip()
    client = scope.get("client")
    return client[0] if client else "unknown"


def _budget_headers(budget: Budget) -> list[tuple[bytes, bytes]]:
    return [
        (b"x-ratelimit-limit", str(budget.limit).encode()),
        (b"x-ratelimit-remaining", str(budget.remaining).encode()),
    ]


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


class ServiceDispatcher:
    """ASGI middleware in front of the gateway's own app: service prefixes go to the services,
    everything else (health, metrics, docs) to the gateway app itself."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        settings: Settings,
        upstreams: Mapping[str, Upstream],
        gatekeeper: Gatekeeper | None,
        streamed_paths: Sequence[re.Pattern[str]] = (),
    ) -> None:
        self.app = app
        self.settings = settings
        self.upstreams = upstreams
        self.gatekeeper = gatekeeper
        self.streamed_paths = streamed_paths
        # Longest prefix first, so /api/stream never swallows a longer sibling.
        self.prefixes = sorted(upstreams, key=len, reverse=True)

    def _match(self, path: str) -> str | None:
        for prefix in self.prefixes:
            if path == prefix or path.startswith(prefix + "/"):
                return prefix
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        prefix = self._match(scope["path"]) if scope["type"] == "http" else None
        if prefix is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = RouteLabel(prefix + "/*")
        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._dispatch(scope, receive, tracking_send, self.upstreams[prefix])
        except AppError as error:
            if response_started:
                raise
            response = error_response(
                error.status_code, error.code, error.message, error.details, error.headers
            )
            await response(scope, receive, send)

    async def _dispatch(
        self, scope: Scope, receive: Receive, send: Send, upstream: Upstream
    ) -> None:
        raw_headers: list[tuple[bytes, bytes]] = scope["headers"]
        header_map = dict(raw_headers)
        authorization = header_map.get(b"authorization")
        identity = authenticate(
            authorization.decode("latin-1") if authorization else None, self.settings
        )
        budget = await self._admit(scope, header_map, identity)
        if not budget.allowed:
            raise RateLimited(
                "Too many requests; slow down",
                details={
                    "limit_per_minute": budget.limit,
                    "retry_after_seconds": budget.retry_after,
                },
                headers={
                    "Retry-After": str(budget.retry_after),
                    "X-RateLimit-Limit": str(budget.limit),
                    "X-RateLimit-Remaining": "0",
                },
            )
        headers = [
            (name, value)
            for name, value in raw_headers
            if name not in _STRIPPED_FROM_CLIENT and name not in HOP_BY_HOP
        ]
        # The correlation id the gateway settled on (the client's, or a new one) goes downstream.
        headers.append((CORRELATION_HEADER.encode(), (current_correlation_id() or "").encode()))
        if identity is not None:
            headers.append((IDENTITY_HEADER.encode(), self._sign(identity)))

        async def send_with_budget(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_budget_headers(budget)]
            await send(message)

        if any(pattern.fullmatch(scope["path"]) for pattern in self.streamed_paths):
            await upstream.stream(scope, receive, headers, send_with_budget)
        else:
            await upstream(scope, await _read_body(receive), headers, send_with_budget)

    async def _admit(
        self, scope: Scope, headers: Mapping[bytes, bytes], identity: Identity | None
    ) -> Budget:
        limit = self.settings.rate_limit_per_minute
        if self.gatekeeper is None or scope["method"] == "OPTIONS":
            return Budget(True, limit, limit, 0)
        client_ip = _client_ip(scope, headers, self.settings.trust_forwarded_for)
        return await self.gatekeeper.admit(identity, client_ip)

    def _sign(self, identity: Identity) -> bytes:
        return encode_internal_identity(identity, self.settings).encode()
