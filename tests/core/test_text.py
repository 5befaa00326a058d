"""Text from clients: what the document's pattern says is what validation does."""

from __future__ import annotations

import re
from typing import Annotated

import pytest
from pydantic import StringConstraints, TypeAdapter, ValidationError

from ott.core.text import MultiLine, SingleLine, has_control_characters

SINGLE = TypeAdapter(Annotated[str, StringConstraints(max_length=10), SingleLine])
MULTI = TypeAdapter(Annotated[str, MultiLine])
# Every C0 and C1 control, DEL, and their neighbours.
CHARACTERS = [chr(code) for code in range(0xA1)]


def _accepts(adapter: TypeAdapter[str], value: str) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("adapter", [SINGLE, MULTI], ids=["single", "multi"])
def test_the_documented_pattern_is_the_rule(adapter: TypeAdapter[str]) -> None:
    pattern = re.compile(adapter.json_schema()["pattern"])
    for ch in CHARACTERS:
        value = f"a{ch}b"
        assert _accepts(adapter, value) is bool(pattern.fullmatch(value)), repr(ch)


def test_single_line_refuses_every_control_character() -> None:
    refused = {ch for ch in CHARACTERS if not _accepts(SINGLE, f"a{ch}b")}
    assert refused == {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]}
    assert all(has_control_characters(ch) for ch in refused)
    assert SINGLE.json_schema()["maxLength"] == 10  # other constraints stay


def test_multi_line_takes_line_breaks_and_tabs() -> None:
    assert MULTI.validate_python("one\r\ntwo\tthree") == "one\r\ntwo\tthree"
    with pytest.raises(ValidationError, match="other than line breaks and tabs"):
        MULTI.validate_python("a\x00b")
