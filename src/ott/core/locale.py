"""The languages the platform's metadata and apps come in."""

from __future__ import annotations

from enum import StrEnum


class Language(StrEnum):
    EN = "en"
    HI = "hi"

    @property
    def other(self) -> Language:
        return Language.HI if self is Language.EN else Language.EN
