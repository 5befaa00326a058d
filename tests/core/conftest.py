"""Stores for the core tests: besides the suite's Redis, a Redis 6.2 (the embedded one the
platform starts on a machine without Redis), whose stream commands answer differently."""

from __future__ import annotations

import pytest

from ott.core.embedded import start_embedded_redis


@pytest.fixture(scope="session")
def redis62_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return start_embedded_redis(tmp_path_factory.mktemp("redis62"))
