"""Forwarding a request to a service: its ASGI app called in this process, or its own process
over HTTP (split mode)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from typing import Protocol

import httpx
from fastapi import FastAPI
from starlette.types import Message, Receive, Scope, Send

from ott.core.client import ServiceClient

HOP_BY_HOP = {
    b"connection",
    b"keep-alive",
    b"proxy-authenticate",
    b"proxy-authorization",
    b"te",
    b"trailer",
    b"transfer-encoding",
    b"upgrade",
    b"host",
    b"content-length",
}


class Upstream(Protocol):
    # Whether the service's app runs in this process (it then gets the caller's identity in the
    # request scope, see ott.core.identity.IN_PROCESS_IDENTITY_KEY, instead of a signed header).
    in_process: bool

    async def __call__(
        self,
        scope: Scope,
        body: bytes,
        headers: list[tuple[bytes, bytes]],
        send: Send,
        *,
        receive: Receive,
    ) -> None:
        """Forward a request whose body has been read whole (from `receive`, which after the
        body only reports the client's disconnect)."""
        ...

    async def stream(
        self, scope: Scope, receive: Receive, headers: list[tuple[bytes, bytes]], send: Send
    ) -> None:
        """Forward a request whose body is passed on while it arrives (uploads)."""
        ...


class ClientGone(Exception):
    """The client disconnected while its body was being passed on."""


def _declared_length(scope: Scope) -> list[tuple[bytes, bytes]]:
    length = dict(scope["headers"]).get(b"content-length")
    return [(b"content-length", length)] if length is not None else []


class InProcessUpstream:
    """Calls the service's ASGI app directly, as if the request had come over the network."""

    in_process = True

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(
        self,
        scope: Scope,
        body: bytes,
        headers: list[tuple[bytes, bytes]],
        send: Send,
        *,
        receive: Receive,
    ) -> None:
        sent = False

        async def service_receive() -> Message:
            nonlocal sent
            if sent:
                # Wait for the client to go: a service streaming its answer (a media file)
                # listens for that, and must not hear a disconnect that did not happen.
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        child = {k: v for k, v in scope.items() if k not in ("route", "endpoint")}
        child["headers"] = [*headers, (b"content-length", str(len(body)).encode())]
        await self.app(child, service_receive, send)

    async def stream(
        self, scope: Scope, receive: Receive, headers: list[tuple[bytes, bytes]], send: Send
    ) -> None:
        child = {k: v for k, v in scope.items() if k not in ("route", "endpoint")}
        child["headers"] = [*headers, *_declared_length(scope)]
        await self.app(child, receive, send)


class HttpUpstream:
    """Forwards the request to the service's own process through the shared service client
    (timeouts, retries of idempotent calls, circuit breaker). Paths matching `slow_paths`
    (bulk imports) get `slow_timeout` instead of the client's usual one; streamed bodies get
    `stream_timeout` for each read and write (an upload may pause, and its last chunk makes the
    service hash the whole file before it answers). Answers on `streamed_answers` (media files)
    are passed on while they arrive, with the service's status and headers (206 and
    Content-Range included), instead of being read whole first."""

    in_process = False

    def __init__(
        self,
        client: ServiceClient,
        *,
        slow_paths: Sequence[re.Pattern[str]] = (),
        slow_timeout: float | None = None,
        stream_timeout: float | None = None,
        streamed_answers: Sequence[re.Pattern[str]] = (),
    ) -> None:
        self.client = client
        self.slow_paths = slow_paths
        self.slow_timeout = slow_timeout
        self.stream_timeout = stream_timeout
        self.streamed_answers = streamed_answers

    async def __call__(
        self,
        scope: Scope,
        body: bytes,
        headers: list[tuple[bytes, bytes]],
        send: Send,
        *,
        receive: Receive,
    ) -> None:
        if not body and any(p.fullmatch(scope["path"]) for p in self.streamed_answers):
            await self._relay_streamed(scope, headers, send)
            return
        slow = any(pattern.fullmatch(scope["path"]) for pattern in self.slow_paths)
        response = await self.client.request(
            scope["method"],
            _target(scope),
            content=body or None,
            headers=_text_headers(headers),
            read_timeout=self.slow_timeout if slow else None,
        )
        await self._relay(response, send)

    async def stream(
        self, scope: Scope, receive: Receive, headers: list[tuple[bytes, bytes]], send: Send
    ) -> None:
        async def body() -> AsyncIterator[bytes]:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise ClientGone  # aborts the upstream request: the service sees it too
                if chunk := message.get("body", b""):
                    yield chunk
                if not message.get("more_body", False):
                    return

        try:
            response = await self.client.request(
                scope["method"],
                _target(scope),
                # httpx sends an async iterator as it is produced (chunked unless the
                # client's Content-Length is passed on, as it is here when there was one).
                content=body() if _has_body(scope) else None,
                headers=_text_headers([*headers, *_declared_length(scope)]),
                read_timeout=self.stream_timeout,
            )
        except ClientGone:
            return  # nobody is left to answer
        await self._relay(response, send)

    async def _relay_streamed(
        self, scope: Scope, headers: list[tuple[bytes, bytes]], send: Send
    ) -> None:
        async with self.client.stream(
            scope["method"], _target(scope), headers=_text_headers(headers)
        ) as response:
            # The body is passed on as it came (aiter_raw), so its encoding and length stand.
            response_headers = [
                (k.lower(), v) for k, v in response.headers.raw if k.lower() not in HOP_BY_HOP
            ]
            length = response.headers.get("content-length")
            if length is not None:
                response_headers.append((b"content-length", length.encode("latin-1")))
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status_code,
                    "headers": response_headers,
                }
            )
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _relay(self, response: httpx.Response, send: Send) -> None:
        response_headers = [
            (k.lower(), v)
            for k, v in response.headers.raw
            if k.lower() not in HOP_BY_HOP and k.lower() != b"content-encoding"
        ]
        content = response.content
        response_headers.append((b"content-length", str(len(content)).encode()))
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": response_headers,
            }
        )
        await send({"type": "http.response.body", "body": content})


def _has_body(scope: Scope) -> bool:
    headers = dict(scope["headers"])
    return b"transfer-encoding" in headers or headers.get(b"content-length", b"0") != b"0"


def _target(scope: Scope) -> str:
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{scope['path']}?{query}" if query else scope["path"]


def _text_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers]
