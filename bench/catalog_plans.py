"""Query plans of the catalog: EXPLAIN (ANALYZE, BUFFERS) of the very SQL the service runs.

Route: the catalog's own service functions (`ott.catalog.service.list_content`, `get_detail`,
`search`) are called on a session of the benchmark's engine while a SQLAlchemy
`before_cursor_execute` listener records each statement and its bound parameters as sent to
asyncpg. Each recorded statement is then explained twice on the same connection:

- custom plan: `EXPLAIN (ANALYZE, BUFFERS) <statement>` with the same parameters, i.e. what
  PostgreSQL plans for these values;
- generic plan: `PREPARE` of the statement and `EXPLAIN (ANALYZE, BUFFERS) EXECUTE` under
  `plan_cache_mode = force_generic_plan`. asyncpg (through SQLAlchemy) runs every query as a
  named prepared statement, and PostgreSQL may switch such a statement to its generic plan
  after five executions, so that is the plan a busy server can end up running.

No SQL is rewritten by hand, and nothing is taken from pg_stat_statements (not installed).
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

_INDEX = re.compile(
    r"(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)"
)
_SEQ = re.compile(r"Seq Scan on (\w+)")
_EXECUTION = re.compile(r"Execution Time: ([\d.]+) ms")
_PLANNING = re.compile(r"Planning Time: ([\d.]+) ms")
_COST = re.compile(r"cost=([\d.]+)\.\.([\d.]+)")
_BUFFERS = re.compile(r"Buffers: shared(?: hit=(\d+))?(?: read=(\d+))?")
# Plan lines worth showing: the nodes and how they use indexes, not every filter expression.
_SHOWN = (
    "Limit",
    "Scan",
    "Sort",
    "Nested Loop",
    "Hash",
    "Index Cond",
    "Recheck Cond",
    "Sort Key",
    "Rows Removed",
    "SubPlan",
    "BitmapOr",
    "BitmapAnd",
    "Merge",
    "Execution Time",
)
_LINE_WIDTH = 140
SMALL_TABLES = frozenset({"genres"})  # 30 rows: a sequential scan is the right plan


@dataclass
class Explained:
    statement: str
    lines: list[str]
    generic_lines: list[str] = field(default_factory=list)
    generic_error: str | None = None

    @staticmethod
    def indexes(lines: Sequence[str]) -> list[str]:
        found: list[str] = []
        for line in lines:
            for name in _INDEX.findall(line):
                if name not in found:
                    found.append(name)
        return found

    @staticmethod
    def seq_scans(lines: Sequence[str]) -> list[str]:
        return sorted({name for line in lines for name in _SEQ.findall(line)})

    @staticmethod
    def execution_ms(lines: Sequence[str]) -> float | None:
        for line in lines:
            if match := _EXECUTION.search(line):
                return float(match[1])
        return None

    @staticmethod
    def planning_ms(lines: Sequence[str]) -> float | None:
        for line in lines:
            if match := _PLANNING.search(line):
                return float(match[1])
        return None

    @staticmethod
    def total_cost(lines: Sequence[str]) -> float | None:
        """The planner's estimated total cost of the statement (its top node)."""
        for line in lines:
            if match := _COST.search(line):
                return float(match[2])
        return None

    @staticmethod
    def top_buffers(lines: Sequence[str]) -> int | None:
        """Shared buffers (hit + read) of the whole statement: the first Buffers line."""
        for line in lines:
            if match := _BUFFERS.search(line):
                return int(match[1] or 0) + int(match[2] or 0)
        return None

    def key_lines(self, *, generic: bool = False) -> list[str]:
        out = []
        for line in self.generic_lines if generic else self.lines:
            stripped = line.strip()
            if any(
                stripped.startswith(k) or f"-> {k}" in line or k in stripped[:40] for k in _SHOWN
            ):
                out.append(line if len(line) <= _LINE_WIDTH else line[: _LINE_WIDTH - 1] + "…")
        return out


def generic_chosen(explained: Explained) -> bool | None:
    """Whether PostgreSQL could switch this prepared statement to its generic plan: it does when
    the generic plan's estimated cost is not above the custom plans' (plancache.c's
    choose_custom_plan also adds a small planning cost to the custom side; left out here, so
    this leans towards yes)."""
    generic = Explained.total_cost(explained.generic_lines)
    custom = Explained.total_cost(explained.lines)
    if generic is None or custom is None:
        return None
    return generic <= custom


@dataclass
class PlanCase:
    name: str
    # Each group names interchangeable indexes, one of which some statement must use.
    expected: tuple[tuple[str, ...], ...]
    explained: list[Explained]  # every statement the service sent, in order
    forbidden_seq: tuple[str, ...] = ("content",)

    @property
    def main(self) -> Explained:
        return self.explained[0]

    def expected_text(self) -> str:
        return ", ".join(" or ".join(group) for group in self.expected)

    def lines(self, *, generic: bool = False) -> list[str]:
        """The plans of all statements; with `generic`, each statement's generic plan where
        PostgreSQL could choose it, else its custom plan (what a busy server may run)."""
        out: list[str] = []
        for explained in self.explained:
            use_generic = generic and generic_chosen(explained)
            out += explained.generic_lines if use_generic else explained.lines
        return out

    def generic_possible(self) -> tuple[int, int, str | None]:
        """(statements whose generic plan could be chosen, statements, an error if any)."""
        chosen = [generic_chosen(e) for e in self.explained]
        errors = [e.generic_error for e in self.explained if e.generic_error]
        return sum(bool(c) for c in chosen), len(chosen), errors[0] if errors else None

    def verdict(self, *, generic: bool = False) -> tuple[bool, str]:
        lines = self.lines(generic=generic)
        used = Explained.indexes(lines)
        missing = [g for g in self.expected if not any(name in used for name in g)]
        seq = [t for t in Explained.seq_scans(lines) if t in self.forbidden_seq]
        problems = []
        if missing:
            problems.append(f"does not use {', '.join(' or '.join(g) for g in missing)}")
        if seq:
            problems.append(f"sequential scan of {', '.join(seq)}")
        return not problems, "; ".join(problems) or "uses " + self.expected_text()


@contextlib.contextmanager
def recording(engine: AsyncEngine) -> Iterator[list[tuple[str, Any]]]:
    """Record every (statement, parameters) the engine sends while the block runs."""
    sent: list[tuple[str, Any]] = []

    def listener(*args: Any) -> None:
        _conn, _cursor, statement, parameters, _context, _many = args
        sent.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", listener)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", listener)


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "ARRAY[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, datetime | date | uuid.UUID):
        value = value.isoformat() if not isinstance(value, uuid.UUID) else str(value)
    return "'" + str(value).replace("'", "''") + "'"


async def explain(db: AsyncSession, statement: str, parameters: Sequence[Any]) -> Explained:
    """EXPLAIN the statement with its parameters (custom plan), then as a generic plan."""
    connection = await (await db.connection()).get_raw_connection()
    driver: Any = connection.driver_connection  # asyncpg.Connection
    sql = f"EXPLAIN (ANALYZE, BUFFERS) {statement}"
    await driver.fetch(sql, *parameters)  # once to warm the buffers the plan reads
    rows = await driver.fetch(sql, *parameters)
    out = Explained(statement, [row[0] for row in rows])
    name = f"bench_{uuid.uuid4().hex[:12]}"
    try:
        # A savepoint: a failure here leaves the caller's transaction usable.
        async with driver.transaction():
            prepared = await driver.prepare(statement)
            types = [
                t.name if t.schema in ("pg_catalog", "") else f"{t.schema}.{t.name}"
                for t in prepared.get_parameters()
            ]
            await driver.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            type_list = f"({', '.join(types)})" if types else ""
            await driver.execute(f"PREPARE {name}{type_list} AS {statement}")
            arguments = f"({', '.join(_literal(v) for v in parameters)})" if parameters else ""
            rows = await driver.fetch(f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE {name}{arguments}")
            out.generic_lines = [row[0] for row in rows]
            await driver.execute(f"DEALLOCATE {name}")
    except Exception as exc:  # reported next to the plan; the custom plan still stands
        out.generic_error = f"{type(exc).__name__}: {exc}"
    with contextlib.suppress(Exception):
        await driver.execute("SET LOCAL plan_cache_mode = auto")
    return out


async def collect_plans(
    engine: AsyncEngine,
    sessionmaker: Any,
    *,
    viewer: Any,
    deep_cursors: dict[str, tuple[str, int]],
    detail_id: uuid.UUID,
    trigram: bool,
    genre: str,
    typo_query: str,
    word_query: str,
    slowest_listing: dict[str, str] | None = None,
) -> list[PlanCase]:
    """Run the service's own reads once each under `recording` and explain what they sent.
    `deep_cursors` maps a sort order to (next_cursor of page N-1, N) from the cursor walks."""
    from ott.catalog import service
    from ott.catalog.schemas import ContentFilters, SearchQuery
    from ott.catalog.spelling import Vocabulary

    sort_index = {
        "newest": "ix_content_live_newest",
        "title": "ix_content_live_title",
        "popularity": "ix_content_live_popular",
    }
    # Search asks in tiers (title words, then people/genres/descriptions, then trigram near
    # misses), each from its index, and stops when the page is full; older versions asked once.
    title_words = ("ix_content_title_search", "ix_content_search")
    near_miss = ("ix_content_title_trgm", "ix_content_title_hi_trgm")
    typo_indexes = (title_words, near_miss) if trigram else (title_words,)
    vocabulary: Vocabulary | None = None
    if not trigram:
        vocabulary = Vocabulary()
        async with sessionmaker() as db:
            await vocabulary.refresh(db, "bench")

    cases: list[PlanCase] = []

    async def case(name: str, expected: tuple[tuple[str, ...], ...], call: Any) -> None:
        async with sessionmaker() as db, db.begin():
            with recording(engine) as sent:
                await call(db)
            explained = [await explain(db, statement, params) for statement, params in sent]
        cases.append(PlanCase(name, expected, explained))

    def listing(**filters: Any) -> Any:
        return lambda db: service.list_content(
            db=db, viewer=viewer, filters=ContentFilters(**filters)
        )

    newest_cursor, newest_page = deep_cursors["newest"]
    await case(
        f"listing genre={genre}, newest, page 1",
        ((sort_index["newest"],),),
        listing(genre=genre, sort="newest"),
    )
    await case(
        f"listing genre={genre}, newest, keyset at the page-{newest_page:,} boundary",
        ((sort_index["newest"],),),
        listing(genre=genre, sort="newest", cursor=newest_cursor),
    )
    for sort, (cursor, page) in deep_cursors.items():
        expected = ((sort_index[sort],),)
        await case(f"listing {sort}, page 1", expected, listing(sort=sort))
        await case(f"listing {sort}, page {page:,}", expected, listing(sort=sort, cursor=cursor))
    if slowest_listing:
        sort = slowest_listing.get("sort", "newest")
        shown = "&".join(f"{k}={v}" for k, v in slowest_listing.items() if k != "limit")
        await case(
            f"slowest listing of the set-up pass: {shown}",
            ((sort_index[sort],),),
            listing(**slowest_listing),
        )
    await case(
        "detail (a series)",
        (("pk_content",),),
        lambda db: service.get_detail(db=db, viewer=viewer, content_id=detail_id),
    )
    for label, q, expected in (
        ("typo", typo_query, typo_indexes),
        # A common word fills the page from the title tier; walking the popularity index
        # (that tier's order) and checking each title is then as good as the GIN index.
        ("word", word_query, ((*title_words, "ix_content_live_popular"),)),
    ):
        await case(
            f"search {label} {q!r}",
            expected,
            lambda db, q=q: service.search(
                db=db,
                viewer=viewer,
                query=SearchQuery(q=q),
                trigram=trigram,
                vocabulary=vocabulary,
            ),
        )
    return cases
