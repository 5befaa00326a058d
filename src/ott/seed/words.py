"""Word lists the demo catalog is composed from.

Everything here is written for this generator: titles, people and descriptions are made by
combining these pieces, never copied. Every English piece that can reach a Hindi field carries
its Hindi form: English titles get a Devanagari transliteration (the way Indian apps show English
titles in Hindi), description fragments get a translation written so that the Hindi sentence
stays grammatical whatever it is combined with (no verb agrees with a name of unknown gender).

The pieces themselves are in data/words.json; this module names and types them.
"""

from __future__ import annotations

from typing import Final

from ott.seed.datafiles import load

_DATA = load("words")

# A pair of one piece of text: (English or romanised Hindi, Devanagari).
Pair = tuple[str, str]

# The standard genre list (the slugs of migration 20261125_catalog_genres).
GENRE_SLUGS: Final[tuple[str, ...]] = _DATA["GENRE_SLUGS"]

MATURITY_RATINGS: Final[tuple[str, ...]] = _DATA["MATURITY_RATINGS"]

# Which family of stories (title shapes, descriptions, episode lengths) a primary genre belongs to.
GENRE_GROUP: Final[dict[str, str]] = _DATA["GENRE_GROUP"]

# Genres that sit well next to a primary genre (the second and third genre are drawn from here).
GENRE_AFFINITY: Final[dict[str, tuple[str, ...]]] = _DATA["GENRE_AFFINITY"]

# How likely each rating is for a primary genre: weights for G, PG, PG-13, R, NC-17.
RATING_WEIGHTS: Final[dict[str, tuple[int, int, int, int, int]]] = _DATA["RATING_WEIGHTS"]

# Primary genres of films and of series; every genre is in a deck at least once, so a cycle
# through a deck uses each of its genres (reality shows are series, never films).
MOVIE_GENRE_DECK: Final[dict[str, int]] = _DATA["MOVIE_GENRE_DECK"]
SERIES_GENRE_DECK: Final[dict[str, int]] = _DATA["SERIES_GENRE_DECK"]

# ---------------------------------------------------------------------------------------------
# English titles: every word with its Devanagari transliteration.

EN_ADJECTIVES: Final[tuple[Pair, ...]] = _DATA["EN_ADJECTIVES"]

EN_NOUNS: Final[tuple[Pair, ...]] = _DATA["EN_NOUNS"]

# Nouns that read well in "Salt and Ember".
EN_PAIRABLE: Final[tuple[Pair, ...]] = _DATA["EN_PAIRABLE"]

# Plural nouns for "Letters from Ladakh", "Nights in Goa".
EN_PLURALS: Final[tuple[Pair, ...]] = _DATA["EN_PLURALS"]

PLACES: Final[tuple[Pair, ...]] = _DATA["PLACES"]

TIMES_OF_DAY: Final[tuple[Pair, ...]] = _DATA["TIMES_OF_DAY"]
VEHICLES: Final[tuple[Pair, ...]] = _DATA["VEHICLES"]
SEASONS_OF_YEAR: Final[tuple[Pair, ...]] = _DATA["SEASONS_OF_YEAR"]

# Small words of English titles.
THE: Final[Pair] = _DATA["THE"]
THE_LOWER: Final[Pair] = _DATA["THE_LOWER"]
OF: Final[Pair] = _DATA["OF"]
AND: Final[Pair] = _DATA["AND"]
TO: Final[Pair] = _DATA["TO"]
IN: Final[Pair] = _DATA["IN"]
A: Final[Pair] = _DATA["A"]
FROM: Final[Pair] = _DATA["FROM"]
RETURN_TO: Final[tuple[Pair, ...]] = _DATA["RETURN_TO"]
BEYOND_THE: Final[tuple[Pair, ...]] = _DATA["BEYOND_THE"]
BEYOND_NOUNS: Final[tuple[Pair, ...]] = _DATA["BEYOND_NOUNS"]
AFTER_THE: Final[tuple[Pair, ...]] = _DATA["AFTER_THE"]
AFTER_NOUNS: Final[tuple[Pair, ...]] = _DATA["AFTER_NOUNS"]
FILES: Final[Pair] = _DATA["FILES"]
CLUB: Final[Pair] = _DATA["CLUB"]
AND_SONS: Final[tuple[Pair, ...]] = _DATA["AND_SONS"]
INSIDE: Final[Pair] = _DATA["INSIDE"]

# ---------------------------------------------------------------------------------------------
# Hindi titles (romanised, Devanagari, gender of the noun).

HindiNoun = tuple[str, str, str]
HindiAdjective = tuple[str, str, str, str]  # masculine roman, feminine roman, dev m, dev f

HI_NOUNS: Final[tuple[HindiNoun, ...]] = _DATA["HI_NOUNS"]

# Nouns that do not change before a postposition ("Dil Ki ...", "Pahaad Ke Us Paar").
HI_OWNERS: Final[tuple[Pair, ...]] = _DATA["HI_OWNERS"]

HI_ADJECTIVES: Final[tuple[HindiAdjective, ...]] = _DATA["HI_ADJECTIVES"]

# Concrete nouns that pair well in "Chai Aur Chandni".
HI_PAIRABLE: Final[tuple[Pair, ...]] = _DATA["HI_PAIRABLE"]

# ---------------------------------------------------------------------------------------------
# Kids, epic, documentary and reality title pieces.

KID_HEROES: Final[tuple[tuple[str, str, str], ...]] = _DATA["KID_HEROES"]
# (English, Devanagari transliteration, Hindi word, gender of the Hindi word)
KID_ANIMALS: Final[tuple[tuple[str, str, str, str], ...]] = _DATA["KID_ANIMALS"]
KID_ANIMALS_ROMAN: Final[dict[str, str]] = _DATA["KID_ANIMALS_ROMAN"]
# (English, transliteration, romanised Hindi, Devanagari Hindi, gender)
KID_THINGS: Final[tuple[tuple[str, str, str, str, str], ...]] = _DATA["KID_THINGS"]
KID_ADJECTIVES_EN: Final[tuple[Pair, ...]] = _DATA["KID_ADJECTIVES_EN"]
KID_ADJECTIVES_HI: Final[tuple[HindiAdjective, ...]] = _DATA["KID_ADJECTIVES_HI"]
KID_GANGS: Final[tuple[HindiNoun, ...]] = _DATA["KID_GANGS"]

KINGDOMS: Final[tuple[Pair, ...]] = _DATA["KINGDOMS"]
EPIC_NOUNS_EN: Final[tuple[Pair, ...]] = _DATA["EPIC_NOUNS_EN"]
EPIC_NOUNS_HI: Final[tuple[HindiNoun, ...]] = _DATA["EPIC_NOUNS_HI"]
# Code names of military operations: a first word and a second ("Operation Silver Heron").
OPERATION_FIRST: Final[tuple[Pair, ...]] = _DATA["OPERATION_FIRST"]
OPERATION_SECOND: Final[tuple[Pair, ...]] = _DATA["OPERATION_SECOND"]
NUMBERS_EN: Final[tuple[Pair, ...]] = _DATA["NUMBERS_EN"]

DOC_PLURALS: Final[tuple[Pair, ...]] = _DATA["DOC_PLURALS"]
DOC_ADJECTIVES: Final[tuple[Pair, ...]] = _DATA["DOC_ADJECTIVES"]
# Masculine plural nouns and adjectives for "Hampi Ke Aakhri Bunkar".
DOC_NOUNS_HI: Final[tuple[Pair, ...]] = _DATA["DOC_NOUNS_HI"]
DOC_ADJECTIVES_HI: Final[tuple[Pair, ...]] = _DATA["DOC_ADJECTIVES_HI"]
DOC_SUFFIXES_HI: Final[tuple[Pair, ...]] = _DATA["DOC_SUFFIXES_HI"]
REALITY_NOUNS: Final[tuple[Pair, ...]] = _DATA["REALITY_NOUNS"]
REALITY_CROWNS: Final[tuple[Pair, ...]] = _DATA["REALITY_CROWNS"]
REALITY_EN: Final[tuple[tuple[Pair, ...], ...]] = _DATA["REALITY_EN"]

# English and Hindi titles that combinations of the lists above could spell but that belong to
# real films or shows; the generator never uses them (lower case).
REAL_TITLES: Final[frozenset[str]] = frozenset(_DATA["REAL_TITLES"])

# ---------------------------------------------------------------------------------------------
# People.

# (romanised, Devanagari, gender) first names, Indian then international.
FIRST_NAMES_IN: Final[tuple[tuple[str, str, str], ...]] = _DATA["FIRST_NAMES_IN"]
FIRST_NAMES_INTL: Final[tuple[tuple[str, str, str], ...]] = _DATA["FIRST_NAMES_INTL"]
SURNAMES_IN: Final[tuple[Pair, ...]] = _DATA["SURNAMES_IN"]
SURNAMES_INTL: Final[tuple[Pair, ...]] = _DATA["SURNAMES_INTL"]
