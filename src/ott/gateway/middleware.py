"""Gateway middleware: security headers and the request size limit (pure ASGI, hot path)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ott.core.errors import AppError, BadRequest, PayloadTooLarge, app_error_response

_API_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
_API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
_HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_api = scope["path"].startswith("/api/") and not scope["path"].startswith("/api/docs")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = [*_API_SECURITY_HEADERS, _API_CSP] if is_api else _API_SECURITY_HEADERS
                if self.hsts:
                    extra = [*extra, _HSTS]
                headers.extend(h for h in extra if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(Exception):
    pass


def _invalid_length() -> BadRequest:
    return BadRequest(
        "The Content-Length header must be one number of bytes", code="invalid_content_length"
    )


class BodySizeLimitMiddleware:
    """Refuses bodies over `max_bytes`: at once when Content-Length says so, otherwise as soon as
    the streamed body passes the limit.

    On `streamed_paths` the body reaches the service while it arrives, so an exception from
    `receive` would surface inside the service as a 500. There the service is told the client
    went away instead, its answer is dropped, and the client gets the 413.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        larger_limits: Sequence[tuple[re.Pattern[str], int]] = (),
        streamed_paths: Sequence[re.Pattern[str]] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger_limits = larger_limits
        self.streamed_paths = streamed_paths

    def _limit(self, path: str) -> int:
        for pattern, limit in self.larger_limits:
            if pattern.fullmatch(path):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        lengths = {value for name, value in scope["headers"] if name == b"content-length"}
        if lengths:
            # Two different lengths are as malformed as one that is not a number (RFC 9112 6.3).
            declared = lengths.pop() if len(lengths) == 1 else b""
            if not declared.isdigit():
                await _answer(_invalid_length(), scope, receive, send)
                return
            if int(declared) > limit:
                await self._refuse(scope, receive, send, limit)
                return
        if any(pattern.fullmatch(scope["path"]) for pattern in self.streamed_paths):
            await self._limit_stream(scope, receive, send, limit)
            return
        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not response_started:
                await self._refuse(scope, receive, send, limit)

    async def _limit_stream(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        exceeded = response_started = False

        async def cut_off_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if exceeded and not response_started:
                return  # the service's answer to a body it saw cut short
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, cut_off_receive, guarded_send)
        if exceeded and not response_started:
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        error = PayloadTooLarge(f"The request body is larger than {limit} bytes")
        await _answer(error, scope, receive, send)


async def _answer(error: AppError, scope: Scope, receive: Receive, send: Send) -> None:
    await app_error_response(error)(scope, receive, send)
