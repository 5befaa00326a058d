"""Text from clients: no control characters (Unicode category Cc: the C0 controls, DEL and the
C1 controls), or only line breaks and tabs among them in multi-line text.

PostgreSQL cannot store a NUL in text or JSONB at all (a 500 if one reached it), and no name,
title or search has a use for the others. The rule is checked with a clear message and shown in
the API document as a `pattern`.

    Name = Annotated[str, StringConstraints(max_length=100), SingleLine]

(after any StringConstraints, so that they apply to the string itself).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

# Character classes (for Python's re and the document's ECMA-262 patterns alike).
_CONTROL = r"\x00-\x1f\x7f-\x9f"  # exactly category Cc
_CONTROL_BUT_LINE_BREAKS_AND_TABS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_ANY_CONTROL = re.compile(f"[{_CONTROL}]")


def has_control_characters(value: str) -> bool:
    return _ANY_CONTROL.search(value) is not None


class _Refuses:
    """Pydantic metadata: refuses strings with a character of `characters` (a class)."""

    def __init__(self, characters: str, message: str) -> None:
        self.characters = characters
        self.message = message
        self._found = re.compile(f"[{characters}]").search

    def _check(self, value: str) -> str:
        if self._found(value):
            raise ValueError(self.message)
        return value

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.setdefault("pattern", f"^[^{self.characters}]*$")
        return json_schema


SingleLine = _Refuses(_CONTROL, "must not contain control characters")
MultiLine = _Refuses(
    _CONTROL_BUT_LINE_BREAKS_AND_TABS,
    "must not contain control characters other than line breaks and tabs",
)
