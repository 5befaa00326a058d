"""Validating the items of a bulk file: the same rules as POST /api/cms/content, an external id
on every title and unique in the file, genres that exist."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError

from ott.cms.bulk.items import Parsed
from ott.cms.bulk.report import pydantic_message
from ott.cms.checks import unknown_genres
from ott.cms.schemas import BulkTitleIn
from ott.cms.snapshots import snapshot_of

MAX_TITLES = 100_000


def validate(parsed: Parsed) -> None:
    """Validate every item (CPU only; run it in a thread): fills `item.title` and
    `item.snapshot` where valid, and the report with every problem."""
    items, report = parsed.items, parsed.report
    if len(items) > MAX_TITLES:
        report.add(
            {},
            external_id=None,
            field_name="titles",
            message=f"at most {MAX_TITLES} titles per file",
        )
        report.raise_if_any()
    first_seen: dict[str, dict[str, Any]] = {}
    for item in items:
        try:
            item.title = BulkTitleIn.model_validate(item.raw)
            item.snapshot = snapshot_of(item.title)
        except ValidationError as exc:
            for error in exc.errors():
                where, field_name = item.origin.locate(error["loc"])
                report.add(
                    where,
                    external_id=item.external_id,
                    field_name=field_name,
                    message=pydantic_message(error),
                )
        external_id = item.external_id
        if external_id is None:
            continue
        if external_id in first_seen:
            (kind, place), *_ = first_seen[external_id].items()
            item.problem(report, "external_id", f"repeats the external id of {kind} {place}")
        else:
            first_seen[external_id] = item.where


def check_genres(parsed: Parsed, known: dict[str, uuid.UUID]) -> None:
    for item in parsed.items:
        if item.title is not None:
            for slug in unknown_genres(item.title, known):
                item.problem(parsed.report, "genres", f"unknown genre {slug!r}")
