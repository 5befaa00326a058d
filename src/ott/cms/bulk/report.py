"""The error report of a bulk file: every problem found, up to MAX_REPORTED_ERRORS listed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ott.core.errors import ValidationFailed

MAX_REPORTED_ERRORS = 1_000


@dataclass
class Report:
    errors: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0

    def add(
        self,
        where: dict[str, Any],
        *,
        external_id: str | None,
        field_name: str | None,
        message: str,
    ) -> None:
        """`where` is {"item": i} for JSON, {"row": n} for CSV (None when it is the file)."""
        self.count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(
                {**where, "external_id": external_id, "field": field_name, "message": message}
            )

    def raise_if_any(self) -> None:
        if self.count:
            raise self.failure(
                f"The file has {self.count} problem{'s' if self.count != 1 else ''}; "
                "nothing was imported"
            )

    def failure(self, message: str) -> ValidationFailed:
        return ValidationFailed(
            message,
            code="bulk_validation_failed",
            details={
                "error_count": self.count,
                "truncated": self.count > len(self.errors),
                "errors": self.errors,
            },
        )


def pydantic_message(error: Any) -> str:
    return str(error["msg"]).removeprefix("Value error, ")
