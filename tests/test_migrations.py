"""Migrations apply to an empty database, roll all the way back, and apply again."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg

from ott.core import migrate
from ott.core.settings import Settings
from tests.conftest import database_named, run_sql, settings_with


def _tables(url: str) -> set[str]:
    async def read() -> set[str]:
        connection = await asyncpg.connect(url)
        try:
            rows = await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
            return {row["tablename"] for row in rows}
        finally:
            await connection.close()

    return asyncio.run(read())


def test_upgrade_downgrade_upgrade(settings: Settings) -> None:
    name = f"ott_migrate_{uuid.uuid4().hex[:8]}"
    admin = database_named(str(settings.database_url), "postgres", driver=None)
    plain = database_named(str(settings.database_url), name, driver=None)
    run_sql(admin, f'CREATE DATABASE "{name}"')
    try:
        fresh = settings_with(settings, database_url=database_named(plain, name))
        migrate.upgrade(fresh)
        expected = {"users", "profiles", "password_reset_tokens", "content", "seasons", "episodes"}
        assert expected <= _tables(plain)
        migrate.downgrade(fresh, "base")
        assert _tables(plain) == {"alembic_version"}
        migrate.upgrade(fresh)
        assert "users" in _tables(plain)
    finally:
        run_sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
