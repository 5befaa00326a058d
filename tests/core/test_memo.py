"""The in-process TTL cache: entries expire, the least recently used go first."""

from __future__ import annotations

import pytest

from ott.core.memo import TtlCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_after_their_ttl() -> None:
    clock = Clock()
    cache: TtlCache[str, int] = TtlCache(ttl_seconds=10, max_entries=4, clock=clock)
    assert cache.put("a", 1) == 1
    clock.now = 9.9
    assert cache.get("a") == 1
    clock.now = 10.0
    assert cache.get("a") is None
    assert len(cache) == 0


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: TtlCache[str, int] = TtlCache(ttl_seconds=60, max_entries=2, clock=Clock())
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # now b is the least recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    cache.discard("a")
    assert cache.get("a") is None
    cache.clear()
    assert len(cache) == 0


def test_a_zero_ttl_caches_nothing() -> None:
    cache: TtlCache[str, int] = TtlCache(ttl_seconds=0, max_entries=2)
    assert cache.put("a", 1) == 1
    assert cache.get("a") is None
    with pytest.raises(ValueError, match="max_entries"):
        TtlCache(ttl_seconds=1, max_entries=0)
