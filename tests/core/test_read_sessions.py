"""Read-only sessions run their statements without a transaction around them (no BEGIN and
COMMIT round trips), on the same pool as the others."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select

from ott.core.app_context import AppContext
from ott.core.settings import Settings


async def _in_transaction_while_executing(context: AppContext, *, read_only: bool) -> list[bool]:
    seen: list[bool] = []

    def after_execute(conn: Any, *_: Any) -> None:
        raw = conn.connection.dbapi_connection.driver_connection  # the asyncpg connection
        seen.append(raw.is_in_transaction())

    event.listen(context.engine.sync_engine, "after_cursor_execute", after_execute)
    try:
        maker = context.read_sessionmaker if read_only else context.sessionmaker
        async with maker() as session:
            assert await session.scalar(select(1)) == 1
            assert await session.scalar(select(2)) == 2
    finally:
        event.remove(context.engine.sync_engine, "after_cursor_execute", after_execute)
    return seen


async def test_a_read_session_runs_each_statement_on_its_own(settings: Settings) -> None:
    context = AppContext.open(settings)
    try:
        assert await _in_transaction_while_executing(context, read_only=True) == [False, False]
        # The usual sessions keep their transaction (what the read ones leave out).
        assert await _in_transaction_while_executing(context, read_only=False) == [True, True]
    finally:
        await context.close()
