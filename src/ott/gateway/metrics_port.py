"""The gateway process's Prometheus metrics on a port of their own (METRICS_PORT), so they need
not be public on the gateway's port. In `ott serve` that process holds every service's metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from prometheus_client import start_http_server

log = structlog.get_logger(__name__)


@asynccontextmanager
async def metrics_served(*, host: str, port: int) -> AsyncIterator[None]:
    server, thread = start_http_server(port, addr=host)
    log.info("metrics_port_open", host=host, port=port)
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
