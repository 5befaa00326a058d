"""Per-request context that follows a request through every service call and event."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

CORRELATION_HEADER = "x-correlation-id"

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def current_correlation_id() -> str | None:
    return correlation_id.get()
