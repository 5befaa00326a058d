"""Settings: the spec's variable names, durations, and no silent default secret."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from ott.core.settings import Environment, Settings, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15m", timedelta(minutes=15)),
        ("7d", timedelta(days=7)),
        ("30s", timedelta(seconds=30)),
        ("2h", timedelta(hours=2)),
        ("900", timedelta(seconds=900)),
    ],
)
def test_durations_use_the_specs_notation(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["15 minutes", "m15", "", "-5m", "1w"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(text)


def test_reads_the_specs_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTGRES_HOST", "db.internal")
    monkeypatch.setenv("POSTGRES_DB", "ott_catalog")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("JWT_EXPIRES_IN", "10m")
    monkeypatch.setenv("AUTH_SERVICE_PORT", "4001")
    monkeypatch.setenv("CORS_ORIGINS", "https://watch.example, https://admin.example")
    settings = Settings(_env_file=None)
    assert settings.postgres_host == "db.internal"
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings.access_token_ttl == timedelta(minutes=10)
    assert settings.refresh_token_ttl == timedelta(days=7)
    assert settings.service_url("auth") == "http://127.0.0.1:4001"
    assert settings.cors_origins == ["https://watch.example", "https://admin.example"]


def test_a_bad_duration_in_the_environment_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_EXPIRES_IN", "fifteen")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


@pytest.mark.parametrize("env", [Environment.PRODUCTION, Environment.TEST])
def test_jwt_secret_is_required_outside_development(env: Environment) -> None:
    with pytest.raises(ValidationError, match="JWT_SECRET must be set"):
        Settings(_env_file=None, ott_env=env, jwt_secret=None)


@pytest.mark.parametrize("secret", ["your-secret-key", "short-secret"])
def test_weak_jwt_secrets_are_refused_in_production(secret: str) -> None:
    with pytest.raises(ValidationError, match="too weak"):
        Settings(_env_file=None, ott_env=Environment.PRODUCTION, jwt_secret=secret)


def test_development_makes_one_secret_and_keeps_it(tmp_path: Path) -> None:
    first = Settings(_env_file=None, data_dir=tmp_path, jwt_secret=None).resolved_jwt_secret()
    second = Settings(_env_file=None, data_dir=tmp_path, jwt_secret=None).resolved_jwt_secret()
    assert first == second
    assert len(first) >= 48
    assert (tmp_path / "jwt_secret").stat().st_mode & 0o777 == 0o600


def test_resolving_the_secret_leaves_the_settings_as_they_were(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, jwt_secret=None)
    before = settings.model_dump()
    secret = settings.resolved_jwt_secret()
    assert settings.model_dump() == before
    assert settings.jwt_secret is None
    assert settings.resolved_jwt_secret() == secret
    assert Settings(_env_file=None, jwt_secret="x" * 40).resolved_jwt_secret() == "x" * 40


def _resolved_at_once(folder: Path, callers: int) -> list[str]:
    start = threading.Barrier(callers)
    found: list[str] = []

    def resolve() -> None:
        settings = Settings(_env_file=None, data_dir=folder, jwt_secret=None)
        start.wait()
        found.append(settings.resolved_jwt_secret())

    threads = [threading.Thread(target=resolve) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return found


def test_processes_making_the_development_secret_at_once_agree_on_it(tmp_path: Path) -> None:
    """Each used to write its own and read whichever was there (or an empty file)."""
    for trial in range(20):
        found = _resolved_at_once(tmp_path / str(trial), 8)
        assert len(set(found)) == 1, trial
        assert len(found[0]) >= 48
        assert [p.name for p in (tmp_path / str(trial)).iterdir()] == ["jwt_secret"]
