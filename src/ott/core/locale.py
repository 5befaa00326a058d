"""The languages the platform's metadata and apps come in."""

from __future__ import annotations

import re
from enum import StrEnum


class Language(StrEnum):
    EN = "en"
    HI = "hi"

    @property
    def other(self) -> Language:
        return Language.HI if self is Language.EN else Language.EN


# A BCP 47 language tag as the platform stores it: an ISO 639 code, then optional subtags
# (`hi`, `en-IN`). Metadata, uploads and renditions all check tags against this one rule.
LANGUAGE_TAG_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
MAX_LANGUAGE_TAG_LENGTH = 10
_LANGUAGE_TAG = re.compile(LANGUAGE_TAG_PATTERN)


def is_language_tag(value: str) -> bool:
    return len(value) <= MAX_LANGUAGE_TAG_LENGTH and _LANGUAGE_TAG.fullmatch(value) is not None
