"""The activity tables as migrated are the tables of the models (columns, types, indexes)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from ott.activity import models
from ott.core.app_context import AppContext
from ott.migrations.metadata import target_metadata

ACTIVITY_TABLES = {
    table.name
    for table in target_metadata.sorted_tables
    if table.name in {m.__tablename__ for m in vars(models).values() if hasattr(m, "__table__")}
}


def _table_of(difference: Any) -> str | None:
    """The table an autogenerate difference is about."""
    if isinstance(difference, list):  # column modifications come as a list of tuples
        return _table_of(difference[0])
    for part in difference[1:]:
        name = getattr(part, "name", None)
        table = getattr(part, "table", None)
        if table is not None:
            return str(table.name)
        if isinstance(part, str) and part in ACTIVITY_TABLES:
            return part
        if name in ACTIVITY_TABLES:
            return str(name)
    return None


async def test_migrated_activity_tables_match_the_models(resources: AppContext) -> None:
    def differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, target_metadata))

    async with resources.engine.connect() as connection:
        found = await connection.run_sync(differences)
    assert {
        "viewing_sessions",
        "watch_progress",
        "continue_watching_hidden",
        "watch_history",
        "engagement_events",
        "watchlist",
    } == ACTIVITY_TABLES
    ours = [d for d in found if _table_of(d) in ACTIVITY_TABLES]
    assert ours == []
