"""Pieces of synopses, in English and Hindi, by family of stories (see words.GENRE_GROUP).

A synopsis is put together from a role, an event, a goal, a deadline and a tagline. The Hindi
pieces are written so that they fit the Hindi sentence frames in titles.py: roles are in the
oblique form ("... की ज़िंदगी", "... <name> को"), goals end in "होगा/होगी" agreeing with their own
object, and events carry their own subject, so nothing depends on who the hero is.

The pieces themselves are in data/stories.json; this module names and types them.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from ott.seed.datafiles import load
from ott.seed.words import Pair

_DATA = load("stories")

# (English without article, Hindi oblique, gender of the person: "m", "f" or "n" for either)
Role = tuple[str, str, str]


class Story(NamedTuple):
    roles: tuple[Role, ...]
    events: tuple[Pair, ...]
    goals: tuple[Pair, ...]
    deadlines: tuple[Pair, ...]
    themes: tuple[Pair, ...]
    taglines: tuple[Pair, ...]  # "{t}" is the theme


STORIES: Final[dict[str, Story]] = {
    group: Story(**parts) for group, parts in _DATA["STORIES"].items()
}

# Synopsis frames. {a_role}: role with "a"/"an"; {role}: role; {place}, {event}, {goal},
# {deadline}, {name}; Hindi frames take the Hindi pieces.
OPENING: Final[tuple[Pair, ...]] = _DATA["OPENING"]
NAMED: Final[Pair] = _DATA["NAMED"]
NOW: Final[Pair] = _DATA["NOW"]

# ---------------------------------------------------------------------------------------------
# Documentaries and reality shows.

DOC_SUBJECTS: Final[tuple[Pair, ...]] = _DATA["DOC_SUBJECTS"]
DOC_FRAMES: Final[tuple[Pair, ...]] = _DATA["DOC_FRAMES"]
DOC_CODAS: Final[tuple[Pair, ...]] = _DATA["DOC_CODAS"]

REALITY_CONTESTANTS: Final[tuple[Pair, ...]] = _DATA["REALITY_CONTESTANTS"]
REALITY_PRIZES: Final[tuple[Pair, ...]] = _DATA["REALITY_PRIZES"]
REALITY_FRAME: Final[Pair] = _DATA["REALITY_FRAME"]
REALITY_CODAS: Final[tuple[Pair, ...]] = _DATA["REALITY_CODAS"]

# ---------------------------------------------------------------------------------------------
# Episodes: titles (translated) and one-line synopses ({name}, {name2}: Hindi gets Devanagari).

EPISODE_TITLES: Final[tuple[Pair, ...]] = _DATA["EPISODE_TITLES"]
KIDS_EPISODE_TITLES: Final[tuple[Pair, ...]] = _DATA["KIDS_EPISODE_TITLES"]

EPISODE_EVENTS: Final[tuple[Pair, ...]] = _DATA["EPISODE_EVENTS"]
FINALE_EVENTS: Final[tuple[Pair, ...]] = _DATA["FINALE_EVENTS"]
KIDS_EPISODE_EVENTS: Final[tuple[Pair, ...]] = _DATA["KIDS_EPISODE_EVENTS"]
REALITY_EPISODE_EVENTS: Final[tuple[Pair, ...]] = _DATA["REALITY_EPISODE_EVENTS"]
DOC_EPISODE_EVENTS: Final[tuple[Pair, ...]] = _DATA["DOC_EPISODE_EVENTS"]
