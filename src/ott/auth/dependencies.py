"""Dependencies of the auth routes: the session store and the mailer of this process."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ott.auth.sessions import SessionStore
from ott.core.mailer import Mailer, create_mailer
from ott.core.settings import Settings


async def _settings(request: Request) -> Settings:
    return request.app.state.settings


async def _sessions(request: Request) -> SessionStore:
    state = request.app.state
    if not hasattr(state, "session_store"):
        resources = state.resources
        state.session_store = SessionStore(resources.redis, resources.keys, state.settings)
    return state.session_store


async def _mailer(request: Request) -> Mailer:
    state = request.app.state
    if not hasattr(state, "mailer"):
        state.mailer = create_mailer(state.settings)
    return state.mailer


AppSettings = Annotated[Settings, Depends(_settings)]
Sessions = Annotated[SessionStore, Depends(_sessions)]
MailerDep = Annotated[Mailer, Depends(_mailer)]
