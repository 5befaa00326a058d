"""Dependencies of the auth routes: the session store, over the app context's Redis, and the
caller's User-Agent (what a new session records)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ott.auth.devices import clean_user_agent
from ott.auth.sessions import SessionStore
from ott.core.dependencies import Context


async def _sessions(context: Context) -> SessionStore:
    # Holds no state of its own (the sessions are in Redis): one per request costs nothing.
    return SessionStore(context.redis, context.keys, context.settings)


Sessions = Annotated[SessionStore, Depends(_sessions)]


async def _user_agent(request: Request) -> str | None:
    # Read from the request rather than declared as a header parameter: it is no part of the
    # API (the document and generated clients would offer to set it).
    return clean_user_agent(request.headers.get("user-agent"))


UserAgent = Annotated[str | None, Depends(_user_agent)]
