"""The subscription tables as migrated are the tables of the models (columns, types, indexes)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from ott.core.app_context import AppContext
from ott.core.settings import Settings
from ott.migrations.metadata import target_metadata
from ott.subscriptions import models

TABLES = {m.__tablename__ for m in vars(models).values() if hasattr(m, "__table__")}


def _table_of(difference: Any) -> str | None:
    """The table an autogenerate difference is about."""
    if isinstance(difference, list):  # column modifications come as a list of tuples
        return _table_of(difference[0])
    for part in difference[1:]:
        name = getattr(part, "name", None)
        table = getattr(part, "table", None)
        if table is not None:
            return str(table.name)
        if isinstance(part, str) and part in TABLES:
            return part
        if name in TABLES:
            return str(name)
    return None


@pytest.fixture
async def resources(settings: Settings) -> AsyncIterator[AppContext]:
    opened = AppContext.open(settings)
    yield opened
    await opened.close()


async def test_migrated_subscription_tables_match_the_models(resources: AppContext) -> None:
    def differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, target_metadata))

    async with resources.engine.connect() as connection:
        found = await connection.run_sync(differences)
    assert {
        "subscriptions",
        "subscription_trials",
        "checkouts",
        "invoices",
        "webhook_inbox",
    } == TABLES
    ours = [d for d in found if _table_of(d) in TABLES]
    assert ours == []
