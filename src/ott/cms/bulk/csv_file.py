"""Reading a CSV bulk file.

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

A cell may hold at most 128 KiB (Python's csv limit); a file with a longer one is 400
`malformed_csv`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ott.cms.bulk.items import Item, Location, Parsed
from ott.cms.bulk.report import Report
from ott.core.errors import BadRequest

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

Row = dict[str, str]


@dataclass
class CsvOrigin:
    """Which CSV row each part of a title came from, to point errors at rows and columns."""

    first_row: int
    season_rows: list[int] = field(default_factory=list)
    episode_rows: list[list[int]] = field(default_factory=list)

    def locate(self, loc: Sequence[Any]) -> Location:
        row, column = self._row_and_column(loc)
        return {"row": row}, column

    def _row_and_column(self, loc: Sequence[Any]) -> tuple[int, str | None]:
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
    _check_header(header, report)
    report.raise_if_any()

    groups: dict[str, list[tuple[int, Row]]] = {}
    for offset, record in enumerate(records):
        number = offset + 2  # the header is row 1
        if not any(cell.strip() for cell in record):
            continue  # blank line
        if len(record) != len(header):
            report.add(
                {"row": number},
                external_id=None,
                field_name=None,
                message=f"has {len(record)} cells; the header has {len(header)} columns",
            )
            continue
        row = {name: cell.strip() for name, cell in zip(header, record, strict=True)}
        external_id = row.get("external_id", "")
        if not external_id:
            report.add(
                {"row": number}, external_id=None, field_name="external_id", message="is required"
            )
            continue
        groups.setdefault(external_id, []).append((number, row))

    items = []
    for external_id, rows in groups.items():
        item = _TitleRows(external_id, rows, report).item()
        if item is not None:
            items.append(item)
    if not groups and not report.count:
        report.add(
            {"row": None}, external_id=None, field_name="titles", message="the file has no titles"
        )
    return Parsed(items, report)


def _check_header(header: list[str], report: Report) -> None:
    for name in header:
        if name not in CSV_COLUMNS:
            report.add(
                {"row": 1}, external_id=None, field_name=name or None, message="unknown column"
            )
    for name in REQUIRED_CSV_COLUMNS:
        if name not in header:
            report.add(
                {"row": 1}, external_id=None, field_name=name, message="required column is missing"
            )
    if len(set(header)) != len(header):
        report.add({"row": 1}, external_id=None, field_name=None, message="a column is named twice")


def _title_fields(row: Row) -> dict[str, Any]:
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


class _TitleRows:
    """The rows of one title, put together into one item (or problems in the report)."""

    def __init__(self, external_id: str, rows: list[tuple[int, Row]], report: Report) -> None:
        self.external_id = external_id
        self.rows = rows
        self.report = report
        self.first_number, self.first = rows[0]
        self.origin = CsvOrigin(first_row=self.first_number)
        self.seasons: dict[int, dict[str, Any]] = {}
        self.season_first: dict[int, tuple[int, Row]] = {}

    def _problem(self, number: int, column: str, message: str) -> None:
        self.report.add(
            {"row": number}, external_id=self.external_id, field_name=column, message=message
        )

    def item(self) -> Item | None:
        problems = self.report.count
        self._check_repeated_title_columns()
        with_season = [bool(row.get("season_number")) for _, row in self.rows]
        if any(with_season) and not all(with_season):
            for (number, _), has in zip(self.rows, with_season, strict=True):
                if not has:
                    self._problem(
                        number,
                        "season_number",
                        "every row of a title with seasons needs a season_number",
                    )
        for number, row in self.rows:
            if not row.get("season_number"):
                self._check_row_without_season(number, row, any(with_season))
                continue
            self._add_season_row(number, row)
        if self.report.count > problems:
            return None
        data = _title_fields(self.first)
        if self.seasons:
            data["seasons"] = list(self.seasons.values())
        return Item(where={"row": self.first_number}, raw=data, origin=self.origin)

    def _check_repeated_title_columns(self) -> None:
        columns = [c for c in (*TITLE_COLUMNS, *RULE_COLUMNS) if c in self.first]
        for number, row in self.rows[1:]:
            for column in columns:
                if row[column] != self.first[column]:
                    self._problem(
                        number,
                        column,
                        f"differs from row {self.first_number}, the first row of this title",
                    )

    def _check_row_without_season(self, number: int, row: Row, title_has_seasons: bool) -> None:
        if any(row.get(c) for c in (*SEASON_COLUMNS, *EPISODE_COLUMNS)):
            self._problem(
                number, "season_number", "season and episode columns need a season_number"
            )
        elif len(self.rows) > 1 and not title_has_seasons:
            self._problem(
                number,
                "external_id",
                f"repeats the title of row {self.first_number} without a season_number",
            )

    def _add_season_row(self, number: int, row: Row) -> None:
        try:
            season_number = int(row["season_number"])
        except ValueError:
            self._problem(number, "season_number", "must be a whole number")
            return
        if season_number not in self.seasons:
            season = {
                name: row[column]
                for column, name in SEASON_COLUMNS.items()
                if column != "season_number" and row.get(column)
            }
            self.seasons[season_number] = {
                "season_number": season_number,
                **season,
                "episodes": [],
            }
            self.season_first[season_number] = (number, row)
            self.origin.season_rows.append(number)
            self.origin.episode_rows.append([])
        else:
            season_row_number, season_row = self.season_first[season_number]
            for column in SEASON_COLUMNS:
                if column in row and row[column] != season_row[column]:
                    self._problem(
                        number,
                        column,
                        f"differs from row {season_row_number}, the first row of this season",
                    )
        if not row.get("episode_number"):
            if any(row.get(c) for c in EPISODE_COLUMNS):
                self._problem(number, "episode_number", "episode columns need an episode_number")
            return
        index = list(self.seasons).index(season_number)
        episode = {name: row[column] for column, name in EPISODE_COLUMNS.items() if row.get(column)}
        self.seasons[season_number]["episodes"].append(episode)
        self.origin.episode_rows[index].append(number)
