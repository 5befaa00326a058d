"""A title's metadata as one canonical JSON document, and what changed between two of them.

The snapshot has exactly the fields of `TitleIn` (the bulk item format), normalized so that
equal metadata gives equal documents whatever the source (a request, a CSV row, the tables):
datetimes in UTC ISO 8601, genres and countries sorted, rules in a fixed order, seasons and
episodes by number, blank optional text as null. A version row stores the snapshot plus the
title's workflow state and the action that made it (`_action`); the version history diffs
consecutive rows field by field.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import ARRAY, Row, Uuid, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ott.cms.schemas import TitleIn
from ott.content.models import (
    AvailabilityRule,
    Content,
    Episode,
    Genre,
    Season,
    WorkflowState,
    content_genres,
)

Snapshot = dict[str, Any]

TITLE_FIELDS = tuple(TitleIn.model_fields)
SCALAR_FIELDS = tuple(
    f for f in TITLE_FIELDS if f not in {"genres", "people", "availability_rules", "seasons"}
)
RULE_FIELDS = ("allowed_countries", "blocked_countries", "starts_at", "ends_at", "tier")
SEASON_FIELDS = ("season_number", "title", "title_hi", "release_date")
EPISODE_FIELDS = (
    "episode_number",
    "title",
    "title_hi",
    "description",
    "description_hi",
    "duration_minutes",
    "thumbnail_url",
)
STATE_KEY = "workflow_state"
ACTION_KEY = "_action"
VIDEO_KEY = "_video"  # the video a version recorded: {"field", "encoding_id", ...}


def _plain(value: Any) -> Any:
    kind = type(value)
    if value is None or kind is str or kind is int or kind is bool:
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float):
        return float(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _rule_key(rule: dict[str, Any]) -> str:
    return json.dumps(rule, sort_keys=True)


def _canonical(
    fields: dict[str, Any],
    genres: list[str],
    people: list[str],
    rules: list[dict[str, Any]],
    seasons: list[dict[str, Any]],
) -> Snapshot:
    snapshot: Snapshot = {name: _plain(fields.get(name)) for name in SCALAR_FIELDS}
    snapshot["popularity"] = float(fields.get("popularity") or 0.0)
    snapshot["genres"] = sorted(set(genres))
    snapshot["people"] = list(people)
    plain_rules = []
    for rule in rules:
        plain = {name: _plain(rule.get(name)) for name in RULE_FIELDS}
        if plain["allowed_countries"] is not None:
            plain["allowed_countries"] = sorted(set(plain["allowed_countries"]))
        plain["blocked_countries"] = sorted(set(plain["blocked_countries"] or []))
        plain_rules.append(plain)
    snapshot["availability_rules"] = sorted(plain_rules, key=_rule_key)
    plain_seasons = []
    for season in sorted(seasons, key=lambda s: s["season_number"]):
        plain_season = {name: _plain(season.get(name)) for name in SEASON_FIELDS}
        plain_season["episodes"] = [
            {name: _plain(episode.get(name)) for name in EPISODE_FIELDS}
            for episode in sorted(season.get("episodes", []), key=lambda e: e["episode_number"])
        ]
        plain_seasons.append(plain_season)
    snapshot["seasons"] = plain_seasons
    return {name: snapshot[name] for name in TITLE_FIELDS}


def snapshot_of(title: TitleIn) -> Snapshot:
    """The canonical snapshot of a validated title."""
    data = title.model_dump()
    return _canonical(
        data, data["genres"], data["people"], data["availability_rules"], data["seasons"]
    )


_CONTENT_COLUMNS = [
    c for c in Content.__table__.c if c.name not in ("search_vector", "title_search")
]


def among(column: Any, values: Sequence[Any], *, item_type: Any) -> Any:
    """`column IN (SELECT unnest(:values))`: one array parameter (one prepared statement
    whatever the count), and a plan that probes the column's index per value even when the
    table's statistics are stale (right after a large import), where `= ANY(:values)` or a
    long IN list would compare every row with every value."""
    values_param = bindparam(None, list(values), type_=ARRAY(item_type))
    return column.in_(select(func.unnest(values_param)).scalar_subquery())


@dataclass
class Stored:
    """A title as it is in the tables: its rows (read-only, attribute access by column name)
    and its canonical snapshot."""

    row: Row[Any]
    snapshot: Snapshot
    rules: list[Row[Any]]
    seasons: list[Row[Any]]
    episodes: dict[uuid.UUID, list[Row[Any]]]


async def load(
    *,
    db: AsyncSession,
    ids: Sequence[uuid.UUID],
    lock: bool = False,
) -> dict[uuid.UUID, Stored]:
    """The stored titles with these ids (missing ids are left out), in five queries.

    With `lock`, the content rows are locked (FOR UPDATE) until the transaction ends.
    """
    if not ids:
        return {}
    statement = select(*_CONTENT_COLUMNS).where(
        among(Content.__table__.c.id, ids, item_type=Uuid())
    )
    if lock:
        statement = statement.with_for_update()
    rows = list(await db.execute(statement))
    if not rows:
        return {}
    found = [row.id for row in rows]
    genre_rows = await db.execute(
        select(content_genres.c.content_id, Genre.slug)
        .join(Genre, Genre.id == content_genres.c.genre_id)
        .where(among(content_genres.c.content_id, found, item_type=Uuid()))
    )
    genres: dict[uuid.UUID, list[str]] = defaultdict(list)
    for content_id, slug in genre_rows:
        genres[content_id].append(slug)
    rules_table = AvailabilityRule.__table__
    rules: dict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for rule in await db.execute(select(rules_table).where(rules_table.c.content_id.in_(found))):
        rules[rule.content_id].append(rule)
    seasons_table = Season.__table__
    seasons: dict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for season in await db.execute(
        select(seasons_table)
        .where(among(seasons_table.c.content_id, found, item_type=Uuid()))
        .order_by(seasons_table.c.season_number)
    ):
        seasons[season.content_id].append(season)
    episodes_table = Episode.__table__
    episodes: dict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    season_ids = [s.id for group in seasons.values() for s in group]
    if season_ids:
        for episode in await db.execute(
            select(episodes_table)
            .where(among(episodes_table.c.season_id, season_ids, item_type=Uuid()))
            .order_by(episodes_table.c.episode_number)
        ):
            episodes[episode.season_id].append(episode)

    result: dict[uuid.UUID, Stored] = {}
    for row in rows:
        fields = {name: getattr(row, name) for name in SCALAR_FIELDS}
        plain_rules = [{n: getattr(r, n) for n in RULE_FIELDS} for r in rules[row.id]]
        plain_seasons = [
            {
                **{n: getattr(s, n) for n in SEASON_FIELDS},
                "episodes": [{n: getattr(e, n) for n in EPISODE_FIELDS} for e in episodes[s.id]],
            }
            for s in seasons[row.id]
        ]
        snapshot = _canonical(
            fields, genres[row.id], list(row.people or []), plain_rules, plain_seasons
        )
        result[row.id] = Stored(
            row=row,
            snapshot=snapshot,
            rules=rules[row.id],
            seasons=seasons[row.id],
            episodes={s.id: episodes[s.id] for s in seasons[row.id]},
        )
    return result


def version_metadata(
    snapshot: Snapshot,
    *,
    state: WorkflowState,
    action: str,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A version row's document: the snapshot, the state, the action, and `details` (whose
    keys start with "_": they are not metadata, so diffs and restores leave them out)."""
    assert all(key.startswith("_") for key in details or {})
    return {**snapshot, STATE_KEY: state.value, ACTION_KEY: action, **(details or {})}


def title_of(metadata: dict[str, Any]) -> TitleIn:
    """The title a version's snapshot describes (validated again, as an edit would be)."""
    return TitleIn.model_validate({k: metadata.get(k) for k in TITLE_FIELDS if k in metadata})


# --- differences --------------------------------------------------------------------------


def _diff_numbered(
    path: str,
    before: list[dict[str, Any]],
    after: list[dict[str, Any]],
    key: str,
    out: list[dict[str, Any]],
) -> None:
    old = {item[key]: item for item in before}
    new = {item[key]: item for item in after}
    for number in sorted(old.keys() | new.keys()):
        item_path = f"{path}.{number}"
        if number not in old:
            out.append({"field": item_path, "before": None, "after": new[number]})
        elif number not in new:
            out.append({"field": item_path, "before": old[number], "after": None})
        else:
            _diff_dict(item_path, old[number], new[number], out)


def _diff_dict(
    path: str, before: dict[str, Any], after: dict[str, Any], out: list[dict[str, Any]]
) -> None:
    for name in dict.fromkeys([*before, *after]):
        if name.startswith("_"):
            continue
        old, new = before.get(name), after.get(name)
        field = f"{path}.{name}" if path else name
        if name == "seasons" and isinstance(old, list) and isinstance(new, list):
            _diff_numbered(field, old, new, "season_number", out)
        elif name == "episodes" and isinstance(old, list) and isinstance(new, list):
            _diff_numbered(field, old, new, "episode_number", out)
        elif old != new:
            out.append({"field": field, "before": old, "after": new})


def diff(before: dict[str, Any] | None, after: dict[str, Any]) -> list[dict[str, Any]]:
    """Field-level changes from `before` to `after`: seasons and episodes are matched by number
    (`seasons.2.episodes.5.title`); other lists and values compare whole. `before=None` (the
    first version) lists every field that has a value."""
    out: list[dict[str, Any]] = []
    if before is None:
        for name, value in after.items():
            if name.startswith("_") or value in (None, [], 0.0):
                continue
            out.append({"field": name, "before": None, "after": value})
        return out
    _diff_dict("", before, after, out)
    return out
