"""Builds every service as the same kind of FastAPI app: middleware, errors, health, metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.middleware import Middleware

from ott.core.app_context import AppContext
from ott.core.background import BackgroundHealth, reporting_to
from ott.core.errors import install_error_handlers
from ott.core.heap import freeze_startup_objects
from ott.core.observability import RequestContextMiddleware, health_router
from ott.core.openapi import document_errors
from ott.core.settings import Settings

LifespanHook = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def operation_id(route: APIRoute) -> str:
    """`<tag>-<name>`, so generated API clients get readable method names."""
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


class ServiceApp(FastAPI):
    """A FastAPI app whose document gives every route its error answers (`Error`) and bearer
    security. Services publish no docs of their own: the gateway serves one merged document
    (with its own assets) at /api/docs."""

    def openapi(self) -> dict[str, Any]:
        if not self.openapi_schema:
            self.openapi_schema = document_errors(super().openapi(), self.routes)
        return self.openapi_schema


def create_service_app(
    name: str,
    *,
    settings: Settings,
    routers: Sequence[APIRouter],
    context: AppContext | None = None,
    access_log: bool = False,
    middleware: Sequence[Middleware] = (),
    lifespan_hooks: Sequence[LifespanHook] = (),
    metrics_route: bool = True,
) -> FastAPI:
    """A service app.

    Its lifespan opens the app's context (`app.state.context`, see ott.core.app_context) and
    closes it at shutdown; with `context` given (in-process mode) it shares the caller's and
    leaves closing it to the caller. `middleware`
    runs inside the request-context middleware, outermost first. `metrics_route=False` leaves
    out /metrics (the gateway's public port).
    """
    background = BackgroundHealth()  # the hooks' background tasks, for /ready

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if context is None:
                app.state.context = AppContext.open(settings)
                stack.push_async_callback(app.state.context.close)
            else:
                app.state.context = context
            with reporting_to(background):
                for hook in lifespan_hooks:
                    await stack.enter_async_context(hook(app))
            if context is None:  # a service in a process of its own (in-process: the gateway)
                freeze_startup_objects(settings)
            yield

    app = ServiceApp(
        title=name,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        docs_url=None,
        openapi_url=None,
        redoc_url=None,
        middleware=[
            Middleware(RequestContextMiddleware, service=name, access_log=access_log),
            *middleware,
        ],
    )
    app.state.background = background
    install_error_handlers(app)
    health = health_router()
    if not metrics_route:
        health.routes = [r for r in health.routes if getattr(r, "path", None) != "/metrics"]
    app.include_router(health)
    for router in routers:
        app.include_router(router)
    return app
