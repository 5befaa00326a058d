"""The seed's word lists and stories live in data files (ott/seed/data/*.json, package data);
the catalog generated from them is exactly the one the Python lists used to make."""

from __future__ import annotations

import hashlib
import json
import tomllib
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

from ott.seed import generate_catalog, stories, words

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
# sha256 of generate_catalog(240, seed=7, now=NOW) as sorted JSON, made with the word lists
# as Python literals (before they moved to data files). A deliberate change to the generator
# or its data changes it: then put the new digest here.
CATALOG_DIGEST = "6cba8388449f2156b430b72acfcfde0638ddd054d8ae909ef535065162db5c4e"
ROOT = Path(__file__).resolve().parents[2]


def test_the_generated_catalog_is_unchanged() -> None:
    document = generate_catalog(240, seed=7, now=NOW)
    text = json.dumps(document, sort_keys=True, ensure_ascii=False)
    assert hashlib.sha256(text.encode()).hexdigest() == CATALOG_DIGEST


def test_the_data_files_are_package_data() -> None:
    data = files("ott.seed").joinpath("data")
    assert sorted(p.name for p in data.iterdir() if p.name.endswith(".json")) == [
        "stories.json",
        "words.json",
    ]
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "seed/data/*.json" in config["tool"]["setuptools"]["package-data"]["ott"]


def test_the_lists_keep_their_types() -> None:
    assert isinstance(words.GENRE_SLUGS, tuple)
    assert isinstance(words.EN_NOUNS[0], tuple)
    assert isinstance(words.REAL_TITLES, frozenset)
    assert isinstance(stories.STORIES["thrill"], stories.Story)
    assert isinstance(stories.STORIES["thrill"].roles[0], tuple)
