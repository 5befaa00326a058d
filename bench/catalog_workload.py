"""What bench/catalog.py asks the catalog: listing URLs, search queries and cursor walks.

Everything here is deterministic for a seed and the catalog in the database, so two runs on the
same catalog send the same requests in the same order.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from random import Random
from typing import Any
from urllib.parse import quote, urlencode

from loadgen import ConnectionPool, render_request

CONTENT_PATH = "/api/catalog/content"
SEARCH_PATH = "/api/catalog/search"
PAGE_SIZE = 20
SORTS = ("newest", "title", "popularity")
VIEWER_HEADERS = (("X-Viewer-Country", "IN"),)

_WORD = re.compile(r"[A-Za-z]+")
_HINDI_WORD = re.compile(r"[\u0900-\u097F]+")
# Words a viewer would not search for on their own (articles, Hinglish particles, sequels).
_STOPWORDS = frozenset(
    "the a an of and to in on at for with from by is ki ka ke ko se aur mein hai".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class Target:
    """One request of a scenario: its path (with the query) and the class it belongs to."""

    path: str
    label: str


class FreshPool(ConnectionPool):
    """loadgen's pool, except that a connection idle for longer than `max_idle` seconds is
    closed instead of reused: uvicorn closes keep-alive connections idle for 5 s, and reusing
    one at that very moment fails the request ("connection closed") for no fault of the
    server under test."""

    def __init__(self, host: str, port: int, *, max_idle: float = 3.0, **kwargs: Any) -> None:
        super().__init__(host, port, **kwargs)
        self.max_idle = max_idle
        self._idle_since: dict[int, float] = {}

    async def acquire(self) -> Any:
        now = time.monotonic()
        fresh = []
        for connection in self._idle:
            if now - self._idle_since.get(id(connection), now) > self.max_idle:
                connection.close()
                self._open -= 1
            else:
                fresh.append(connection)
        self._idle[:] = fresh
        return await super().acquire()

    def release(self, connection: Any) -> None:
        self._idle_since[id(connection)] = time.monotonic()
        super().release(connection)


class Gateway:
    """GETs to the gateway under test, as an anonymous viewer in India."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.authority = f"{host}:{port}"
        self.pool = FreshPool(host, port, max_connections=64)
        # Seconds each set-up GET took (one at a time, or a few in parallel): latency unloaded.
        self.timings: dict[str, float] = {}

    def new_pool(self) -> FreshPool:
        return FreshPool(self.host, self.port)

    def raw(self, path: str) -> bytes:
        return render_request("GET", path, self.authority, headers=VIEWER_HEADERS)

    async def get_json(self, path: str) -> object:
        started = time.perf_counter()
        response = await self.pool.request(self.raw(path), timeout_s=60.0)
        self.timings[path] = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"GET {path}: HTTP {response.status} {response.body[:300]!r}")
        return json.loads(response.body)

    def close(self) -> None:
        self.pool.close()


def content_path(params: dict[str, str | int]) -> str:
    return f"{CONTENT_PATH}?{urlencode(params)}"


def search_path(q: str) -> str:
    return f"{SEARCH_PATH}?q={quote(q, safe='')}"


# --------------------------------------------------------------------------- listings


def _year(rng: Random) -> int:
    """A release year a viewer would filter by, recent years more often."""
    return 2026 - int(45 * rng.random() ** 2.2)


def listing_combos(rng: Random, genres: Sequence[str], count: int) -> list[Target]:
    """`count` distinct first-page listing URLs: filters combined as a browse screen does."""
    seen: set[str] = set()
    out: list[Target] = []
    while len(out) < count:
        params: dict[str, str | int] = {}
        names: list[str] = []
        if rng.random() < 0.6:
            params["genre"] = rng.choice(genres)
            names.append("genre")
        if rng.random() < 0.45:
            params["type"] = rng.choice(("movie", "movie", "tv_show", "sports"))
            names.append("type")
        if rng.random() < 0.35:
            params["language"] = rng.choice(("en", "hi"))
            names.append("language")
        roll = rng.random()
        if roll < 0.12:
            params["year"] = _year(rng)
            names.append("year")
        elif roll < 0.24:
            first = _year(rng)
            params["year_from"] = first
            params["year_to"] = min(2026, first + rng.randint(2, 12))
            names.append("years")
        elif roll < 0.3:
            params["year_from"] = _year(rng)
            names.append("year_from")
        if rng.random() < 0.15:
            params["maturity"] = rng.choice(("G", "PG", "PG-13"))
            names.append("maturity")
        if rng.random() < 0.15:
            params["tier"] = rng.choice(("free", "premium"))
            names.append("tier")
        sort = rng.choices(SORTS, weights=(5, 2, 3))[0]
        params["sort"] = sort
        params["limit"] = PAGE_SIZE
        path = content_path(params)
        if path in seen:
            continue
        seen.add(path)
        out.append(Target(path, f"{'+'.join(names) or 'no filter'} · {sort}"))
    return out


async def add_cursor_pages(
    gateway: Gateway, firsts: Sequence[Target], rng: Random, share: float
) -> tuple[list[Target], dict[str, int]]:
    """Fetch every first page once (checks them, and is set-up, not measured) and, for about
    `share` of them that have a next page, add a later page (2 to 10) by following next_cursor.
    Returns the whole mix (first pages and cursor pages, interleaved) and set-up counts."""
    out: list[Target] = []
    stats = {"first_pages": 0, "empty": 0, "cursor_pages": 0}
    for target in firsts:
        page = await gateway.get_json(target.path)
        assert isinstance(page, dict)
        stats["first_pages"] += 1
        stats["empty"] += not page["items"]
        out.append(target)
        cursor = page["next_cursor"]
        if cursor is None or rng.random() >= share:
            continue
        depth = rng.choice((2, 2, 3, 5, 10))
        path = target.path
        for _ in range(depth - 1):
            path = f"{target.path}&cursor={cursor}"
            page = await gateway.get_json(path)
            assert isinstance(page, dict)
            cursor = page["next_cursor"]
            if cursor is None:
                break
        out.append(Target(path, f"{target.label} · cursor"))
        stats["cursor_pages"] += 1
    return out, stats


# --------------------------------------------------------------------------- search


@dataclass(frozen=True)
class TitleText:
    title: str
    title_hi: str | None
    people: Sequence[str]


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if w.lower() not in _STOPWORDS and not w.isdigit()]


def _typo(rng: Random, word: str) -> str:
    """Drop or swap one letter (never the first: people get that one right)."""
    at = rng.randint(1, len(word) - 2)
    if rng.random() < 0.5:
        return word[:at] + word[at + 1 :]
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


SEARCH_KINDS = ("word", "prefix", "two words", "typo", "hindi", "person")


def _query(rng: Random, kind: str, item: TitleText) -> str | None:
    words = _words(item.title)
    long_words = [w for w in words if len(w) >= 4]
    if kind == "word" and long_words:
        return rng.choice(long_words).lower()
    if kind == "prefix" and long_words:
        word = rng.choice(long_words).lower()
        return word[: rng.randint(3, min(5, len(word)))]
    if kind == "two words":
        pairs = [
            (a, b)
            for a, b in zip(_WORD.findall(item.title), _WORD.findall(item.title)[1:], strict=False)
            if (a.lower(), b.lower()) != ("the", "the")
            and not (a.lower() in _STOPWORDS and b.lower() in _STOPWORDS)
        ]
        if pairs:
            a, b = rng.choice(pairs)
            return f"{a} {b}".lower()
    if kind == "typo":
        candidates = [w for w in words if len(w) >= 5]
        if candidates:
            word = rng.choice(candidates)
            typo = _typo(rng, word.lower())
            others = [w for w in words if w != word]
            if others and rng.random() < 0.5:
                return f"{rng.choice(others).lower()} {typo}"
            return typo
    if kind == "hindi" and item.title_hi:
        hindi = [w for w in _HINDI_WORD.findall(item.title_hi) if len(w) >= 2]
        if hindi:
            return rng.choice(hindi)
    if kind == "person" and item.people:
        name = rng.choice(list(item.people))
        return name if rng.random() < 0.6 else name.split()[-1]
    return None


def search_targets(rng: Random, titles: Sequence[TitleText], count: int) -> list[Target]:
    """`count` distinct queries over the catalog's own titles and people, in a fixed mix:
    full words, prefixes as typed, two words, typos, Hindi words and people."""
    weights = (20, 20, 15, 20, 15, 10)
    seen: set[str] = set()
    out: list[Target] = []
    attempts = 0
    while len(out) < count and attempts < count * 50:
        attempts += 1
        kind = rng.choices(SEARCH_KINDS, weights=weights)[0]
        q = _query(rng, kind, rng.choice(titles))
        if q is None or q in seen:
            continue
        seen.add(q)
        out.append(Target(search_path(q), kind))
    return out


async def count_search_hits(
    gateway: Gateway, targets: Sequence[Target], per_kind: int, in_flight: int = 4
) -> dict[str, list[int]]:
    """Send up to `per_kind` queries of each kind once (set-up: checks that they answer, and
    how many find something): per kind, [queries sent, queries with results]."""
    chosen: list[Target] = []
    taken: dict[str, int] = {}
    for target in targets:
        if taken.get(target.label, 0) < per_kind:
            taken[target.label] = taken.get(target.label, 0) + 1
            chosen.append(target)
    hits: dict[str, list[int]] = {kind: [0, 0] for kind in SEARCH_KINDS if kind in taken}
    semaphore = asyncio.Semaphore(in_flight)

    async def one(target: Target) -> None:
        async with semaphore:
            answer = await gateway.get_json(target.path)
        assert isinstance(answer, dict)
        hits[target.label][0] += 1
        hits[target.label][1] += bool(answer["items"])

    await asyncio.gather(*(one(t) for t in chosen))
    return hits


# --------------------------------------------------------------------------- cursor depth


@dataclass(frozen=True)
class Walk:
    sort: str
    first_path: str
    deep_path: str
    deep_page: int
    distinct_ids: int
    seconds: float
    page_seconds: list[float]  # each page's GET, in page order


async def walk_cursor(gateway: Gateway, sort: str, pages: int) -> Walk:
    """Follow next_cursor from page 1 to page `pages` (or the last page); return the URLs of
    page 1 and of the deepest page reached, and how many distinct titles were seen (a cursor
    that skipped or repeated titles would show here)."""
    started = time.perf_counter()
    first = content_path({"sort": sort, "limit": PAGE_SIZE})
    path, page_number, ids, seen = first, 1, 0, set()
    page_seconds: list[float] = []
    while True:
        page = await gateway.get_json(path)
        page_seconds.append(gateway.timings[path])
        assert isinstance(page, dict)
        for item in page["items"]:
            seen.add(item["id"])
            ids += 1
        cursor = page["next_cursor"]
        if page_number >= pages or cursor is None:
            break
        page_number += 1
        path = f"{first}&cursor={cursor}"
    if len(seen) != ids:
        raise RuntimeError(f"cursor walk {sort}: {ids - len(seen)} titles came twice")
    return Walk(
        sort, first, path, page_number, len(seen), time.perf_counter() - started, page_seconds
    )


# --------------------------------------------------------------------------- the whole mix


@dataclass
class RequestMix:
    """Everything bench/catalog.py sends: made from the catalog in the database before any
    server runs; the listing (with its cursor pages), the search hits, the cursor walks and the
    timings are added by the set-up pass through the first server."""

    detail_rows: Sequence[Any]  # the titles asked for in detail (id, type, ...)
    detail: list[Target]
    search: list[Target]
    listing_firsts: list[Target]  # the first pages of the filter combinations
    listing: list[Target] = field(default_factory=list)  # and the cursor pages, shuffled
    setup_stats: dict[str, int] = field(default_factory=dict)
    search_hits: dict[str, list[int]] = field(default_factory=dict)
    walks: dict[str, Walk] = field(default_factory=dict)
    setup_timings: dict[str, float] = field(default_factory=dict)  # path -> seconds, unloaded

    @property
    def hot(self) -> list[Target]:
        """The first 20 filter combinations: with the cache on, every answer from it."""
        return self.listing_firsts[:20]


def request_mix(
    rng: Random,
    visible: Sequence[Any],
    genres: Sequence[str],
    *,
    detail_ids: int,
    search_queries: int,
    listing_urls: int,
) -> RequestMix:
    """The requests made of the visible titles (rows with id, type, title, title_hi and
    people) and the genres, in this order of drawing from `rng`: detail, search, listing."""
    detail_rows = rng.sample(visible, min(detail_ids, len(visible)))
    detail = [Target(f"{CONTENT_PATH}/{row.id}", f"detail {row.type.value}") for row in detail_rows]
    texts = [TitleText(r.title, r.title_hi, r.people) for r in visible]
    search = search_targets(rng, texts, search_queries)
    listing_firsts = listing_combos(rng, genres, listing_urls)
    return RequestMix(detail_rows, detail, search, listing_firsts)
