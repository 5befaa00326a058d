"""The titles read from a bulk file, each knowing where in the file it came from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ott.cms.bulk.report import Report
from ott.cms.schemas import BulkTitleIn
from ott.cms.snapshots import Snapshot

Location = tuple[dict[str, Any], str | None]  # where in the file, and which field or column


class Origin(Protocol):
    def locate(self, loc: Sequence[Any]) -> Location:
        """Where the part of the title at pydantic's `loc` came from."""
        ...


@dataclass(frozen=True)
class JsonOrigin:
    index: int  # in `titles`, from 0

    def locate(self, loc: Sequence[Any]) -> Location:
        return {"item": self.index}, ".".join(str(p) for p in loc) or None


@dataclass
class Item:
    """One title of the file, before and after validation."""

    where: dict[str, Any]  # {"item": i} or {"row": n}: where the title starts
    raw: dict[str, Any]
    origin: Origin
    title: BulkTitleIn | None = None
    snapshot: Snapshot | None = None

    @property
    def external_id(self) -> str | None:
        value = self.raw.get("external_id")
        return value if isinstance(value, str) else None

    def problem(self, report: Report, field_name: str | None, message: str) -> None:
        """Report a problem of the title as a whole (its first row, for CSV)."""
        report.add(self.where, external_id=self.external_id, field_name=field_name, message=message)


@dataclass
class Parsed:
    """The titles read from a file, and the problems found so far."""

    items: list[Item]
    report: Report
