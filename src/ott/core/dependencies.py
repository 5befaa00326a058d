"""What a route may ask for, as `Annotated` dependencies on the app's context: a handler reads
`async def handler(settings: AppSettings, storage: MediaStorage, db: DbSession)`.

The caller's identity is in ott.core.identity (`CurrentIdentity`, `Editor`, `require_roles`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ott.core.app_context import AppContext, app_context
from ott.core.entitlements import EntitlementReader, entitlement_reader
from ott.core.events import EventBus
from ott.core.mailer import Mailer
from ott.core.settings import Settings
from ott.core.storage import Storage


async def _context(request: Request) -> AppContext:
    return app_context(request.app)


Context = Annotated[AppContext, Depends(_context)]


async def _settings(context: Context) -> Settings:
    return context.settings


async def _storage(context: Context) -> Storage:
    return context.storage


async def _mailer(context: Context) -> Mailer:
    return context.mailer


async def _plans(context: Context) -> EntitlementReader:
    return entitlement_reader(context)


async def _events(context: Context) -> EventBus:
    return context.events


async def _request_session(context: Context) -> AsyncIterator[AsyncSession]:
    """A session whose transaction commits when the handler returns and rolls back if it raises.

    This is the one place that commits; services only add, flush and query.
    """
    async with context.sessionmaker() as session, session.begin():
        yield session


async def _read_session(context: Context) -> AsyncIterator[AsyncSession]:
    """A session for handlers that only read: no transaction around its statements."""
    async with context.read_sessionmaker() as session:
        yield session


async def _read_sessionmaker(context: Context) -> async_sessionmaker[AsyncSession]:
    return context.read_sessionmaker


async def _sessionmaker(context: Context) -> async_sessionmaker[AsyncSession]:
    return context.sessionmaker


# scope="function": the commit happens before the response is sent, so a failed commit is
# reported to the client instead of after a 2xx has already gone out.
DbSession = Annotated[AsyncSession, Depends(_request_session, scope="function")]
# For handlers that only read (GETs of catalog, profiles, activity): each statement commits
# on its own, which saves the BEGIN and COMMIT round trips of a transaction.
ReadDbSession = Annotated[AsyncSession, Depends(_read_session, scope="function")]
# For handlers that must not hold a connection across slow work (password hashing): they open
# short sessions of their own.
Sessionmaker = Annotated[async_sessionmaker[AsyncSession], Depends(_sessionmaker)]
# Short read-only sessions for handlers that also use a store with connections of its own
# (the activity store): holding a request session's connection while waiting for one of the
# store's from the same pool deadlocks the pool once as many requests run as it has connections.
ReadSessionmaker = Annotated[async_sessionmaker[AsyncSession], Depends(_read_sessionmaker)]
AppSettings = Annotated[Settings, Depends(_settings)]
MediaStorage = Annotated[Storage, Depends(_storage)]
MailerDep = Annotated[Mailer, Depends(_mailer)]
Events = Annotated[EventBus, Depends(_events)]
# What an account's plan allows now (ott.core.entitlements), for services other than
# subscriptions.
Plans = Annotated[EntitlementReader, Depends(_plans)]
