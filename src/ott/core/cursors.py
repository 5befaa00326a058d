"""Opaque keyset cursors: what a listing hands out as `next_cursor` and takes back.

A cursor is the listing's position (its sort key and the last id seen) as URL-safe base64 of
a small JSON object. Clients treat it as opaque; a cursor that does not decode, or does not
carry what the listing needs, is a 422 `invalid_cursor`, never a server error.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from ott.core.errors import ValidationFailed
from ott.core.text import has_control_characters


class InvalidCursor(ValidationFailed):
    code = "invalid_cursor"

    def __init__(self) -> None:
        super().__init__(
            "The cursor is not valid for this listing",
            details=[{"field": "cursor", "message": "use next_cursor from the previous page"}],
        )


def encode_cursor(position: Mapping[str, Any]) -> str:
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, fields: frozenset[str]) -> dict[str, Any]:
    """The position inside `cursor`; it must hold exactly `fields`."""
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidCursor from exc
    if not isinstance(position, dict) or set(position) != fields:
        raise InvalidCursor
    # A listing compares the position's values in SQL; PostgreSQL cannot take a NUL.
    if any(isinstance(value, str) and has_control_characters(value) for value in position.values()):
        raise InvalidCursor
    return position
