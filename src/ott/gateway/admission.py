"""Every request to the gateway is counted against its caller's budget before anything else
runs: routed or not (/ready, docs), preflights and OPTIONS, and requests whose token is
invalid (counted by address, then refused by the dispatcher). Only liveness (/health) is not,
nor media files (/media/: a player fetches a segment every few seconds, per rung it tries;
they carry their own signed tokens and are passed on as anonymous requests, with no token
check and no Redis round trip).

The caller (identity or token error, session state) is left in the scope for the dispatcher,
so the rate limit and the session check cost one Redis round trip together.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ott.core.errors import RateLimited, Unauthorized, app_error_response
from ott.core.identity import Identity
from ott.core.settings import Settings
from ott.gateway.client_address import ClientAddress
from ott.gateway.service import Budget, Gatekeeper, SessionState, TokenVerifier

CALLER_SCOPE_KEY = "ott.caller"


@dataclass(frozen=True)
class Caller:
    identity: Identity | None
    token_error: Unauthorized | None
    session: SessionState


_ANONYMOUS = Caller(None, None, SessionState.ANONYMOUS)


def caller_of(scope: Scope) -> Caller:
    caller = scope.get(CALLER_SCOPE_KEY)
    if not isinstance(caller, Caller):
        raise RuntimeError("the admission middleware must run before the dispatcher")
    return caller


def _budget_headers(budget: Budget) -> list[tuple[bytes, bytes]]:
    return [
        (b"x-ratelimit-limit", str(budget.limit).encode()),
        (b"x-ratelimit-remaining", str(budget.remaining).encode()),
    ]


def _refusal(budget: Budget) -> ASGIApp:
    error = RateLimited(
        "Too many requests; slow down",
        details={"limit_per_minute": budget.limit, "retry_after_seconds": budget.retry_after},
        headers={
            "Retry-After": str(budget.retry_after),
            "X-RateLimit-Limit": str(budget.limit),
            "X-RateLimit-Remaining": "0",
        },
    )
    return app_error_response(error)


def _is_preflight(scope: Scope) -> bool:
    return scope["method"] == "OPTIONS" and any(
        name == b"access-control-request-method" for name, _ in scope["headers"]
    )


class AdmissionMiddleware:
    """`with_cors` wraps a 429 so a browser may read it (the CORS middleware sits inside)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        settings: Settings,
        gatekeeper: Gatekeeper,
        client_address: ClientAddress,
        with_cors: Callable[[ASGIApp], ASGIApp],
        uncounted_paths: Collection[str] = ("/health",),
        uncounted_prefixes: Sequence[str] = (),
    ) -> None:
        self.app = app
        self.settings = settings
        self.gatekeeper = gatekeeper
        self.client_address = client_address
        self.with_cors = with_cors
        self.uncounted_paths = frozenset(uncounted_paths)
        self.uncounted_prefixes = tuple(uncounted_prefixes)
        self.tokens = TokenVerifier(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.uncounted_paths:
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith(self.uncounted_prefixes):
            scope[CALLER_SCOPE_KEY] = _ANONYMOUS
            await self.app(scope, receive, send)
            return
        authorization = next((v for k, v in scope["headers"] if k == b"authorization"), None)
        identity: Identity | None = None
        token_error: Unauthorized | None = None
        try:
            identity = self.tokens.identity(
                authorization.decode("latin-1") if authorization else None
            )
        except Unauthorized as error:
            token_error = error
        admission = await self.gatekeeper.admit(
            identity=identity, client_address=self.client_address(scope)
        )
        budget = admission.budget
        if not budget.allowed:
            refusal = _refusal(budget)
            # A refused preflight stays bare: the browser then does not send the request.
            await (refusal if _is_preflight(scope) else self.with_cors(refusal))(
                scope, receive, send
            )
            return
        scope[CALLER_SCOPE_KEY] = Caller(identity, token_error, admission.session)

        async def send_with_budget(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_budget_headers(budget)]
            await send(message)

        await self.app(scope, receive, send_with_budget)
