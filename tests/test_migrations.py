"""Migrations apply to an empty database, roll all the way back, and apply again."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg

from ott.core import migrate
from ott.core.settings import Settings
from tests.conftest import run_sql, settings_with


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
    base_url = str(settings.database_url).replace("postgresql+asyncpg://", "postgresql://")
    server, _, _ = base_url.rpartition("/")
    name = f"ott_migrate_{uuid.uuid4().hex[:8]}"
    run_sql(f"{server}/postgres", f'CREATE DATABASE "{name}"')
    try:
        fresh = settings_with(settings, database_url=f"{server}/{name}")
        migrate.upgrade(fresh)
        expected = {"users", "profiles", "password_reset_tokens", "content", "seasons", "episodes"}
        assert expected <= _tables(f"{server}/{name}")
        migrate.downgrade(fresh, "base")
        assert _tables(f"{server}/{name}") == {"alembic_version"}
        migrate.upgrade(fresh)
        assert "users" in _tables(f"{server}/{name}")
    finally:
        run_sql(f"{server}/postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
