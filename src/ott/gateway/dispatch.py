"""The gateway's dispatcher: `/api/<service>/...` goes to that service's upstream (its app in
this process, or its own process over HTTP in split mode).

A routed request was admitted and counted already (admission.py). Here a presented token must be
valid and its session alive (or, while Redis is down, the route must be one that may go on with
the token's claims alone: policy.py, by the service's declaration in the registry); any
identity header the client tried to send is stripped and the gateway's signed one added.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ott.core.context import CORRELATION_HEADER, current_correlation_id
from ott.core.errors import AppError, ServiceUnavailable, Unauthorized, app_error_response
from ott.core.identity import (
    IDENTITY_HEADER,
    IN_PROCESS_IDENTITY_KEY,
    Identity,
    encode_internal_identity,
)
from ott.core.settings import Settings
from ott.gateway.admission import CALLER_SCOPE_KEY, Caller, caller_of
from ott.gateway.policy import needs_live_session
from ott.gateway.proxy import HOP_BY_HOP, Upstream
from ott.gateway.service import SessionState
from ott.registry import ServiceSpec

_STRIPPED_FROM_CLIENT = {IDENTITY_HEADER.encode(), CORRELATION_HEADER.encode()}


@dataclass(frozen=True)
class Destination:
    """Where a prefix's requests go: the service (its declared policy) and its upstream."""

    service: ServiceSpec
    upstream: Upstream


@dataclass(frozen=True)
class RouteLabel:
    """Stands in for a Starlette route so metrics group requests by service, not by raw path."""

    path: str


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


def verified_identity(caller: Caller, *, service: ServiceSpec, method: str) -> Identity | None:
    """The identity a service may act on, or the error the request gets instead."""
    if caller.token_error is not None:
        raise caller.token_error
    if caller.identity is None:
        return None
    if caller.session is SessionState.ENDED:
        raise Unauthorized("The session has ended; log in again", code="session_revoked")
    if caller.session is SessionState.UNVERIFIED and needs_live_session(service, method):
        raise ServiceUnavailable(
            "The session store is unreachable, so this token cannot be checked; try again shortly",
            code="store_unavailable",
            headers={"Retry-After": "5"},
        )
    return caller.identity


class ServiceDispatcher:
    """ASGI middleware in front of the gateway's own app: service prefixes go to the services,
    everything else (health, readiness, docs) to the gateway app itself."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        settings: Settings,
        destinations: Mapping[str, Destination],
        streamed_paths: Sequence[re.Pattern[str]] = (),
    ) -> None:
        self.app = app
        self.settings = settings
        self.destinations = destinations
        self.streamed_paths = streamed_paths
        # Longest prefix first, so /api/stream never swallows a longer sibling.
        self.prefixes = sorted(destinations, key=len, reverse=True)

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
            destination = self.destinations[prefix]
            identity = verified_identity(
                caller_of(scope), service=destination.service, method=scope["method"]
            )
            await self._forward(scope, receive, tracking_send, destination.upstream, identity)
        except AppError as error:
            if response_started:
                raise
            response = app_error_response(error)
            await response(scope, receive, send)

    async def _forward(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        upstream: Upstream,
        identity: Identity | None,
    ) -> None:
        headers = [
            (name, value)
            for name, value in scope["headers"]
            if name not in _STRIPPED_FROM_CLIENT and name not in HOP_BY_HOP
        ]
        # The correlation id the gateway settled on (the client's, or a new one) goes downstream.
        headers.append((CORRELATION_HEADER.encode(), (current_correlation_id() or "").encode()))
        service_scope = {k: v for k, v in scope.items() if k != CALLER_SCOPE_KEY}
        if identity is not None:
            if upstream.in_process:
                service_scope[IN_PROCESS_IDENTITY_KEY] = identity
            else:
                headers.append((IDENTITY_HEADER.encode(), self._sign(identity)))
        if any(pattern.fullmatch(scope["path"]) for pattern in self.streamed_paths):
            await upstream.stream(service_scope, receive, headers, send)
        else:
            body = await _read_body(receive)
            await upstream(service_scope, body, headers, send, receive=receive)

    def _sign(self, identity: Identity) -> bytes:
        return encode_internal_identity(identity, self.settings).encode()
