"""The seed's data files (ott/seed/data/*.json), read once, lists as tuples (immutable, as the
generator treats them)."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any


def _frozen(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    return value


@cache
def load(name: str) -> dict[str, Any]:
    """The document data/<name>.json, every list a tuple."""
    text = files("ott.seed").joinpath("data", f"{name}.json").read_text(encoding="utf-8")
    frozen: dict[str, Any] = _frozen(json.loads(text))
    return frozen
