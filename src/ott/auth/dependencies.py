"""Dependencies of the auth routes: the session store, over the app context's Redis."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from ott.auth.sessions import SessionStore
from ott.core.dependencies import Context


async def _sessions(context: Context) -> SessionStore:
    # Holds no state of its own (the sessions are in Redis): one per request costs nothing.
    return SessionStore(context.redis, context.keys, context.settings)


Sessions = Annotated[SessionStore, Depends(_sessions)]
