"""JSON Merge Patch (RFC 7386): a patch object's members replace the target's, objects merge
member by member, null removes a member, anything else (arrays included) replaces whole."""

from __future__ import annotations

from typing import Any


def apply(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = apply(result.get(name), value)
    return result
