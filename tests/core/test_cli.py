"""The `ott` command line in process: options, prompts, and what it hands to uvicorn."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from ott import cli
from ott.core.settings import Settings, get_settings
from tests.conftest import FAST_BCRYPT_ROUNDS, TEST_PASSWORD, unique_email


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The environment a command reads, naming the suite's stores; the cached settings are
    rebuilt from it and dropped afterwards."""
    # Commands configure logging for the whole process; tests capture logs their own way.
    monkeypatch.setattr("ott.cli.common.configure_logging", lambda _: None)
    values = {
        "OTT_ENV": "test",
        "DATABASE_URL": str(settings.database_url),
        "REDIS_URL": str(settings.redis_url),
        "REDIS_KEY_PREFIX": settings.redis_key_prefix,
        "JWT_SECRET": settings.resolved_jwt_secret(),
        "BCRYPT_ROUNDS": str(FAST_BCRYPT_ROUNDS),
        "DATA_DIR": str(settings.data_dir),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("OTT_ADMIN_PASSWORD", raising=False)
    get_settings.cache_clear()
    yield values
    get_settings.cache_clear()


def invoke(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(cli.app, list(args), input=input)


def test_create_admin_refuses_an_invalid_email_with_exit_code_2(env: dict[str, str]) -> None:
    result = invoke("create-admin", "not-an-email", "--password", TEST_PASSWORD)
    assert result.exit_code == 2, result.output
    assert "not a valid email address" in result.output


def test_create_admin_asks_for_a_password_for_a_new_account(env: dict[str, str]) -> None:
    email = unique_email("admin")
    result = invoke("create-admin", email, input=f"{TEST_PASSWORD}\n{TEST_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Password for the new account" in result.output
    assert "is an admin" in result.output


def test_create_admin_promotes_an_existing_account_without_a_password(
    env: dict[str, str],
) -> None:
    email = unique_email("promoted")
    assert invoke("create-admin", email, "--password", TEST_PASSWORD).exit_code == 0

    result = invoke("create-admin", email, input="")  # nothing to answer a prompt with
    assert result.exit_code == 0, result.output
    assert "Password" not in result.output
    assert "is an admin" in result.output


def test_commands_leave_the_cached_settings_alone(env: dict[str, str], tmp_path: Path) -> None:
    cached = get_settings()
    before = cached.model_dump()
    result = invoke("migrate", "--data-dir", str(tmp_path / "elsewhere"))
    assert result.exit_code == 0, result.output
    assert get_settings() is cached
    assert cached.model_dump() == before


def test_uvicorn_does_not_rewrite_client_addresses(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether X-Forwarded-For is believed is the gateway's decision (TRUST_FORWARDED_FOR);
    uvicorn's own proxy-header handling would trust it from 127.0.0.1 before the app sees it."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    monkeypatch.setattr(signal, "signal", lambda *_: None)  # keep the test process's handlers
    commands = [
        ["service", "auth", "--no-migrate"],
        ["service", "gateway", "--no-migrate"],
        ["serve", "--no-demo"],
    ]
    for args in commands:
        result = invoke(*args)
        assert result.exit_code == 0, result.output
    assert len(calls) == len(commands)
    assert all(options.get("proxy_headers") is False for options in calls)


def test_openapi_writes_the_document_without_any_store(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("ott.cli.common.configure_logging", lambda _: None)
    for name in ("DATABASE_URL", "POSTGRES_HOST", "REDIS_URL", "JWT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        target = tmp_path / "web" / "openapi.json"
        written = invoke("openapi", "-o", str(target))
        assert written.exit_code == 0, written.output
        printed = invoke("openapi")
        assert printed.exit_code == 0, printed.output
    finally:
        get_settings.cache_clear()
    text = target.read_text(encoding="utf-8")
    assert printed.stdout == text
    document = json.loads(text)
    assert text == json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert document["openapi"].startswith("3.1")
    assert {"get"} <= set(document["paths"]["/api/auth/sessions"])
    assert not (tmp_path / "data").exists()  # nothing started, nothing written
