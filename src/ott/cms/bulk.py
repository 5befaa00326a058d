"""Bulk ingestion: thousands of titles, with seasons and episodes, from one JSON or CSV file.

A file imports whole or not at all. Every item is validated first (the same rules as
POST /api/cms/content, plus: an external_id on every title, unique in the file; genres that
exist; existing titles the caller may change); any problem answers 422
`bulk_validation_failed` with one entry per problem and nothing is written. Otherwise the
whole file is written in one transaction, in chunks of `CHUNK` titles (one statement per table
per chunk, one `reindex` per chunk).

Re-importing is idempotent: a title whose external_id exists is updated in place, and gets a
new version only if its metadata changed; an unchanged title is left as it is. By default new
titles are drafts of the importing editor; `publish=true` (admins only) publishes every title
of the file at once, skipping review (a title whose available_from is in the future is
scheduled, as with the publish action).

JSON
----
`{"titles": [<title>, ...]}`, each title exactly the body of POST /api/cms/content
(`ott.cms.schemas.TitleIn`) with `external_id` required. An error names the item by its index
in `titles` (from 0): `{"item": 3, "external_id": "...", "field": "seasons.0.episodes.2.title",
"message": "..."}`.

CSV
---
UTF-8 (a byte-order mark is allowed), comma-separated, a header row naming the columns in any
order. One row per episode; a film (or a show without seasons) is one row without
season_number; a season without episodes is one row with season_number and no episode_number.
A title's rows share its external_id (they need not be adjacent) and repeat its title-level
columns, which must be identical on every row of the title; likewise the season columns on
every row of a season. An empty cell is "no value". List cells separate values with `|`.
A CSV title has at most one availability rule (the rule_* and *_countries columns); use JSON
for more. An error names the row as a spreadsheet does (the header is row 1) and the column:
`{"row": 7, "external_id": "...", "field": "episode_title", "message": "..."}`.

Columns (`external_id`, `type` and `title` are required; the others may be left out):

    title level    external_id, type, title, title_hi, description, description_hi,
                   original_language, release_date, duration_minutes, maturity_rating,
                   genres (slugs, |-separated), people (|-separated), tier_requirement,
                   available_from, available_until, poster_url, thumbnail_url, trailer_url,
                   popularity
    rule           allowed_countries (|-separated), blocked_countries (|-separated),
                   rule_starts_at, rule_ends_at, rule_tier
    season         season_number, season_title, season_title_hi, season_release_date
    episode        episode_number, episode_title, episode_title_hi, episode_description,
                   episode_description_hi, episode_duration_minutes, episode_thumbnail_url
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import String, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ott.cms import snapshots, workflow
from ott.cms.schemas import BulkResult, BulkTitleIn, BulkTitleResult
from ott.cms.service import (
    Event,
    event_for,
    event_payload,
    genre_ids,
    publish_time,
    published_at_after_edit,
    unknown_genres,
)
from ott.cms.snapshots import Snapshot, among, snapshot_of
from ott.cms.workflow import Action
from ott.cms.writer import TitleWrite, write_titles
from ott.content.models import Content, WorkflowState
from ott.core.database import db_now
from ott.core.errors import AppError, BadRequest, Conflict, ValidationFailed
from ott.core.identity import Identity

CHUNK = 1_000
MAX_TITLES = 100_000
MAX_REPORTED_ERRORS = 1_000
LIST_SEPARATOR = "|"

TITLE_COLUMNS = (
    "external_id",
    "type",
    "title",
    "title_hi",
    "description",
    "description_hi",
    "original_language",
    "release_date",
    "duration_minutes",
    "maturity_rating",
    "genres",
    "people",
    "tier_requirement",
    "available_from",
    "available_until",
    "poster_url",
    "thumbnail_url",
    "trailer_url",
    "popularity",
)
RULE_COLUMNS = {
    "allowed_countries": "allowed_countries",
    "blocked_countries": "blocked_countries",
    "rule_starts_at": "starts_at",
    "rule_ends_at": "ends_at",
    "rule_tier": "tier",
}
SEASON_COLUMNS = {
    "season_number": "season_number",
    "season_title": "title",
    "season_title_hi": "title_hi",
    "season_release_date": "release_date",
}
EPISODE_COLUMNS = {
    "episode_number": "episode_number",
    "episode_title": "title",
    "episode_title_hi": "title_hi",
    "episode_description": "description",
    "episode_description_hi": "description_hi",
    "episode_duration_minutes": "duration_minutes",
    "episode_thumbnail_url": "thumbnail_url",
}
CSV_COLUMNS = (*TITLE_COLUMNS, *RULE_COLUMNS, *SEASON_COLUMNS, *EPISODE_COLUMNS)
REQUIRED_CSV_COLUMNS = ("external_id", "type", "title")
_LIST_COLUMNS = {"genres", "people", "allowed_countries", "blocked_countries"}
_RULE_FIELD_COLUMN = {v: k for k, v in RULE_COLUMNS.items()}
_SEASON_FIELD_COLUMN = {v: k for k, v in SEASON_COLUMNS.items()}
_EPISODE_FIELD_COLUMN = {v: k for k, v in EPISODE_COLUMNS.items()}


# --- the error report ---------------------------------------------------------------------


@dataclass
class Report:
    errors: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0

    def add(
        self, where: dict[str, Any], external_id: str | None, field_name: str | None, msg: str
    ) -> None:
        self.count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(
                {**where, "external_id": external_id, "field": field_name, "message": msg}
            )

    def raise_if_any(self) -> None:
        if self.count:
            raise ValidationFailed(
                f"The file has {self.count} problem{'s' if self.count != 1 else ''}; "
                "nothing was imported",
                code="bulk_validation_failed",
                details={
                    "error_count": self.count,
                    "truncated": self.count > len(self.errors),
                    "errors": self.errors,
                },
            )


def _message(error: Any) -> str:
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


# --- items of a file ----------------------------------------------------------------------


@dataclass
class Item:
    """One title of the file, before and after validation."""

    where: dict[str, Any]  # {"item": i} or {"row": n}: where the title starts
    raw: dict[str, Any]
    csv: CsvOrigin | None = None
    title: BulkTitleIn | None = None
    snapshot: Snapshot | None = None

    @property
    def external_id(self) -> str | None:
        value = self.raw.get("external_id")
        return value if isinstance(value, str) else None


@dataclass
class CsvOrigin:
    """Which CSV row each part of a title came from, to point errors at rows and columns."""

    first_row: int
    season_rows: list[int] = field(default_factory=list)
    episode_rows: list[list[int]] = field(default_factory=list)

    def locate(self, loc: Sequence[Any]) -> tuple[int, str | None]:
        if not loc:
            return self.first_row, None
        head = loc[0]
        if head == "seasons":
            if len(loc) < 2 or not isinstance(loc[1], int) or loc[1] >= len(self.season_rows):
                return self.first_row, "season_number"
            s = loc[1]
            if len(loc) >= 3 and loc[2] == "episodes":
                episodes = self.episode_rows[s]
                if len(loc) >= 4 and isinstance(loc[3], int) and loc[3] < len(episodes):
                    column = _EPISODE_FIELD_COLUMN.get(str(loc[4])) if len(loc) >= 5 else None
                    return episodes[loc[3]], column or "episode_number"
                return self.season_rows[s], "episode_number"
            column = _SEASON_FIELD_COLUMN.get(str(loc[2])) if len(loc) >= 3 else None
            return self.season_rows[s], column or "season_number"
        if head == "availability_rules":
            column = _RULE_FIELD_COLUMN.get(str(loc[2])) if len(loc) >= 3 else None
            return self.first_row, column or "allowed_countries"
        return self.first_row, str(head)


@dataclass
class Parsed:
    """The titles read from a file, and the problems found so far."""

    items: list[Item]
    report: Report


def parse_json(body: bytes) -> Parsed:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"The file is not valid JSON: {exc}", code="malformed_json") from exc
    if not isinstance(document, dict) or not isinstance(document.get("titles"), list):
        raise ValidationFailed(
            'A JSON bulk file is an object {"titles": [...]}',
            code="bulk_validation_failed",
            details={
                "error_count": 1,
                "truncated": False,
                "errors": [
                    {
                        "item": None,
                        "external_id": None,
                        "field": "titles",
                        "message": "must be a list of titles",
                    }
                ],
            },
        )
    report = Report()
    for key in sorted(set(document) - {"titles"}):
        report.add({"item": None}, None, key, "unknown top-level field")
    items = []
    for index, raw in enumerate(document["titles"]):
        if not isinstance(raw, dict):
            report.add({"item": index}, None, None, "each title must be an object")
            continue
        items.append(Item(where={"item": index}, raw=raw))
    if not document["titles"]:
        report.add({"item": None}, None, "titles", "the file has no titles")
    return Parsed(items, report)


def _cell(row: dict[str, str | None], column: str) -> str:
    return (row.get(column) or "").strip()


def _list_cell(value: str) -> list[str]:
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]


def parse_csv(body: bytes) -> Parsed:
    report = Report()
    try:
        content = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest("The CSV file is not UTF-8 text", code="malformed_csv") from exc
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    try:
        header = [name.strip() for name in next(reader, [])]
        records = list(reader)
    except csv.Error as exc:
        raise BadRequest(f"The CSV file cannot be read: {exc}", code="malformed_csv") from exc
    for name in header:
        if name not in CSV_COLUMNS:
            report.add({"row": 1}, None, name or None, "unknown column")
    for name in REQUIRED_CSV_COLUMNS:
        if name not in header:
            report.add({"row": 1}, None, name, "required column is missing")
    if len(set(header)) != len(header):
        report.add({"row": 1}, None, None, "a column is named twice")
    report.raise_if_any()

    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for offset, record in enumerate(records):
        number = offset + 2  # the header is row 1
        if not any(cell.strip() for cell in record):
            continue  # blank line
        if len(record) != len(header):
            report.add(
                {"row": number},
                None,
                None,
                f"has {len(record)} cells; the header has {len(header)} columns",
            )
            continue
        row = {name: cell.strip() for name, cell in zip(header, record, strict=True)}
        external_id = row.get("external_id", "")
        if not external_id:
            report.add({"row": number}, None, "external_id", "is required")
            continue
        groups.setdefault(external_id, []).append((number, row))

    items = []
    for external_id, rows in groups.items():
        item = _csv_title(external_id, rows, report)
        if item is not None:
            items.append(item)
    if not groups and not report.count:
        report.add({"row": None}, None, "titles", "the file has no titles")
    return Parsed(items, report)


def _title_fields(row: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for column in TITLE_COLUMNS:
        value = row.get(column, "")
        if column in _LIST_COLUMNS:
            data[column] = _list_cell(value)
        elif value != "":
            data[column] = value
    rule: dict[str, Any] = {}
    for column, name in RULE_COLUMNS.items():
        value = row.get(column, "")
        if value == "":
            continue
        rule[name] = _list_cell(value) if column in _LIST_COLUMNS else value
    data["availability_rules"] = [rule] if rule else []
    return data


def _csv_title(
    external_id: str, rows: list[tuple[int, dict[str, str]]], report: Report
) -> Item | None:
    first_number, first = rows[0]
    problems = report.count
    title_columns = [c for c in (*TITLE_COLUMNS, *RULE_COLUMNS) if c in first]
    for number, row in rows[1:]:
        for column in title_columns:
            if row[column] != first[column]:
                report.add(
                    {"row": number},
                    external_id,
                    column,
                    f"differs from row {first_number}, the first row of this title",
                )
    origin = CsvOrigin(first_row=first_number)
    data = _title_fields(first)
    seasons: dict[int, dict[str, Any]] = {}
    season_first: dict[int, tuple[int, dict[str, str]]] = {}
    with_season = [bool(row.get("season_number")) for _, row in rows]
    if any(with_season) and not all(with_season):
        for (number, _), has in zip(rows, with_season, strict=True):
            if not has:
                report.add(
                    {"row": number},
                    external_id,
                    "season_number",
                    "every row of a title with seasons needs a season_number",
                )
    for number, row in rows:
        if not row.get("season_number"):
            if any(row.get(c) for c in (*SEASON_COLUMNS, *EPISODE_COLUMNS)):
                report.add(
                    {"row": number},
                    external_id,
                    "season_number",
                    "season and episode columns need a season_number",
                )
            elif len(rows) > 1 and not any(with_season):
                report.add(
                    {"row": number},
                    external_id,
                    "external_id",
                    f"repeats the title of row {first_number} without a season_number",
                )
            continue
        try:
            season_number = int(row["season_number"])
        except ValueError:
            report.add({"row": number}, external_id, "season_number", "must be a whole number")
            continue
        if season_number not in seasons:
            season = {
                name: row[column]
                for column, name in SEASON_COLUMNS.items()
                if column != "season_number" and row.get(column)
            }
            seasons[season_number] = {"season_number": season_number, **season, "episodes": []}
            season_first[season_number] = (number, row)
            origin.season_rows.append(number)
            origin.episode_rows.append([])
        else:
            season_row_number, season_row = season_first[season_number]
            for column in SEASON_COLUMNS:
                if column in row and row[column] != season_row[column]:
                    report.add(
                        {"row": number},
                        external_id,
                        column,
                        f"differs from row {season_row_number}, the first row of this season",
                    )
        if not row.get("episode_number"):
            if any(row.get(c) for c in EPISODE_COLUMNS):
                report.add(
                    {"row": number},
                    external_id,
                    "episode_number",
                    "episode columns need an episode_number",
                )
            continue
        index = list(seasons).index(season_number)
        episode = {name: row[column] for column, name in EPISODE_COLUMNS.items() if row.get(column)}
        seasons[season_number]["episodes"].append(episode)
        origin.episode_rows[index].append(number)
    if seasons:
        data["seasons"] = list(seasons.values())
    if report.count > problems:
        return None
    return Item(where={"row": first_number}, raw=data, csv=origin)


# --- validation ---------------------------------------------------------------------------


def validate(parsed: Parsed) -> None:
    """Validate every item (CPU only; run it in a thread): fills `item.title` and
    `item.snapshot` where valid, and the report with every problem."""
    items, report = parsed.items, parsed.report
    if len(items) > MAX_TITLES:
        report.add({}, None, "titles", f"at most {MAX_TITLES} titles per file")
        report.raise_if_any()
    first_seen: dict[str, dict[str, Any]] = {}
    for item in items:
        try:
            item.title = BulkTitleIn.model_validate(item.raw)
            item.snapshot = snapshot_of(item.title)
        except ValidationError as exc:
            for error in exc.errors():
                loc = error["loc"]
                if item.csv is not None:
                    row, column = item.csv.locate(loc)
                    report.add({"row": row}, item.external_id, column, _message(error))
                else:
                    field_name = ".".join(str(p) for p in loc) or None
                    report.add(item.where, item.external_id, field_name, _message(error))
        external_id = item.external_id
        if external_id is not None:
            if external_id in first_seen:
                where = next(iter(first_seen[external_id].items()))
                report.add(
                    item.where,
                    external_id,
                    "external_id",
                    f"repeats the external id of {where[0]} {where[1]}",
                )
            else:
                first_seen[external_id] = item.where


# --- import -------------------------------------------------------------------------------


@dataclass
class _Existing:
    content_id: uuid.UUID
    state: WorkflowState
    version: int
    created_by: uuid.UUID | None
    published_at: datetime | None
    updated_at: datetime
    available_from: datetime | None
    changed: bool
    stored: snapshots.Stored | None  # kept for changed titles: the update needs their rows


@dataclass
class _RowState:
    """What `event_for` needs of a row before the change."""

    workflow_state: WorkflowState
    published_at: datetime | None
    updated_at: datetime


async def _check_existing(
    db: AsyncSession,
    identity: Identity,
    items: list[Item],
    publish: bool,
    report: Report,
) -> dict[str, _Existing]:
    """Lock the titles the file already has, and check the caller may change them."""
    by_external = {item.external_id: item for item in items if item.title is not None}
    existing: dict[str, _Existing] = {}
    keys = list(by_external)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        found = select(Content.id).where(among(Content.external_id, chunk, String()))
        ids = list(await db.scalars(found))
        stored = await snapshots.load(db, ids, lock=True)
        for content_id, entry in stored.items():
            row = entry.row
            item = by_external[row.external_id]
            assert item.title is not None
            changed = item.snapshot != entry.snapshot
            actions = []
            if changed:
                actions.append(Action.EDIT)
            if publish and row.workflow_state is not WorkflowState.PUBLISHED:
                actions.append(Action.IMPORT_PUBLISH)
            for action in actions:
                try:
                    workflow.transition(
                        row.workflow_state, action, identity, created_by=row.created_by
                    )
                except AppError as exc:
                    where = item.where if item.csv is None else {"row": item.csv.first_row}
                    report.add(where, row.external_id, "external_id", f"existing title: {exc}")
            existing[row.external_id] = _Existing(
                content_id=content_id,
                state=row.workflow_state,
                version=row.version,
                created_by=row.created_by,
                published_at=row.published_at,
                updated_at=row.updated_at,
                available_from=row.available_from,
                changed=changed,
                stored=entry if changed else None,
            )
        db.expunge_all()
    return existing


async def import_titles(
    db: AsyncSession, identity: Identity, parsed: Parsed, *, publish: bool
) -> tuple[BulkResult, list[Event]]:
    """Validate the whole file, then write it in one transaction (the caller's)."""
    await asyncio.to_thread(validate, parsed)
    items, report = parsed.items, parsed.report
    known = await genre_ids(db)
    for item in items:
        if item.title is None:
            continue
        for slug in unknown_genres(item.title, known):
            where = item.where if item.csv is None else {"row": item.csv.first_row}
            report.add(where, item.external_id, "genres", f"unknown genre {slug!r}")
    # One import at a time: two files creating the same external ids cannot interleave.
    await db.execute(text("SELECT pg_advisory_xact_lock(hashtext('ott.cms.bulk-import'))"))
    existing = await _check_existing(db, identity, items, publish, report)
    report.raise_if_any()

    now = await db_now(db)
    results: list[BulkTitleResult] = []
    events: list[Event] = []
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        writes = _plan_chunk(identity, chunk, existing, publish, now, results, counts)
        try:
            await write_titles(
                db, [w for w, _ in writes], genre_ids=known, changed_by=identity.user_id, now=now
            )
        except IntegrityError as exc:
            raise Conflict(
                "Another title took one of the file's external ids meanwhile; import again",
                code="external_id_taken",
            ) from exc
        for write, before in writes:
            event = event_for(before, write.state, write.published_at, now)
            events.append((event, event_payload(write.content_id, write.state, write.version)))
        db.expunge_all()
    return (
        BulkResult(total=len(items), titles=results, **counts),
        events,
    )


def _plan_chunk(
    identity: Identity,
    chunk: list[Item],
    existing: dict[str, _Existing],
    publish: bool,
    now: datetime,
    results: list[BulkTitleResult],
    counts: dict[str, int],
) -> list[tuple[TitleWrite, _RowState | None]]:
    writes: list[tuple[TitleWrite, _RowState | None]] = []
    for item in chunk:
        title = item.title
        assert title is not None
        snapshot = item.snapshot
        assert snapshot is not None
        old = existing.get(title.external_id)
        if old is None:
            content_id = uuid.uuid4()
            state = WorkflowState.PUBLISHED if publish else WorkflowState.DRAFT
            write = TitleWrite(
                content_id=content_id,
                snapshot=snapshot,
                state=state,
                version=1,
                published_at=publish_time(title.available_from, now) if publish else None,
                action="bulk_import",
                title=title,
                created_by=identity.user_id,
            )
            writes.append((write, None))
            counts["created"] += 1
            results.append(_result(title.external_id, write, "created"))
            continue
        to_publish = publish and old.state is not WorkflowState.PUBLISHED
        if not old.changed and not to_publish:
            counts["unchanged"] += 1
            results.append(
                BulkTitleResult(
                    external_id=title.external_id,
                    id=old.content_id,
                    status="unchanged",
                    workflow_state=old.state,
                    version=old.version,
                )
            )
            continue
        before = _RowState(old.state, old.published_at, old.updated_at)
        state = WorkflowState.PUBLISHED if to_publish else old.state
        if to_publish:
            available_from = title.available_from if old.changed else old.available_from
            published_at = publish_time(available_from, now)
        elif old.changed:
            assert old.stored is not None
            published_at = published_at_after_edit(old.stored.row, title, now)
        else:
            published_at = old.published_at
        write = TitleWrite(
            content_id=old.content_id,
            snapshot=snapshot,
            state=state,
            version=old.version + 1,
            published_at=published_at,
            action="bulk_import",
            title=title if old.changed else None,
            existing=old.stored,
        )
        writes.append((write, before))
        status = "updated" if old.changed else "published"
        counts["updated"] += 1
        results.append(_result(title.external_id, write, status))
    return writes


def _result(external_id: str, write: TitleWrite, status: str) -> BulkTitleResult:
    return BulkTitleResult(
        external_id=external_id,
        id=write.content_id,
        status=status,
        workflow_state=write.state,
        version=write.version,
    )
