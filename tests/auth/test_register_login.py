"""Registration and login through the gateway, including the inputs they must refuse."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from ott.auth import passwords
from ott.core.settings import Settings
from tests.conftest import TEST_PASSWORD, assert_error, bearer, register, unique_email


async def _user_count(settings: Settings) -> int:
    url = str(settings.database_url).replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetchval("SELECT count(*) FROM users")
    finally:
        await connection.close()


async def test_register_returns_tokens_user_and_a_first_profile(api: httpx.AsyncClient) -> None:
    email = unique_email()
    body = await register(api, email=email.upper())
    assert body["user"]["email"] == email  # stored normalised
    assert body["user"]["roles"] == ["viewer"]
    assert body["user"]["subscription_tier"] == "free"
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    assert body["refresh_expires_in"] == 7 * 24 * 3600
    profiles = await api.get("/api/auth/profiles", headers=bearer(body))
    assert profiles.status_code == 200
    assert [p["id"] for p in profiles.json()] == [body["profile_id"]]
    assert "password" not in str(body["user"]).lower()


async def test_duplicate_email_is_refused(api: httpx.AsyncClient) -> None:
    email = unique_email()
    await register(api, email=email)
    response = await api.post(
        "/api/auth/register", json={"email": email.title(), "password": TEST_PASSWORD}
    )
    assert_error(response, 409, "email_taken")


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1!", "at least 8"),
        ("password123", "most common"),
        ("aaaaaaaaaaaa", "4 different"),
        ("é" * 40, "at most 72 bytes"),
    ],
)
async def test_weak_passwords_are_refused_with_the_reason(
    api: httpx.AsyncClient, settings: Settings, password: str, reason: str
) -> None:
    before = await _user_count(settings)
    response = await api.post(
        "/api/auth/register", json={"email": unique_email(), "password": password}
    )
    error = assert_error(response, 422, "weak_password")
    assert any(reason in d["message"] for d in error["details"]), error
    assert await _user_count(settings) == before


async def test_password_containing_the_email_name_is_refused(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/api/auth/register",
        json={"email": "priyanka.sharma@example.com", "password": "priyanka.sharma-2026"},
    )
    assert_error(response, 422, "weak_password")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "malformed_json"),
        (b'{"email": "a@example.com"}', 422, "validation_error"),
        (b'{"email": "a@example.com", "password": "x", "admin": true}', 422, "validation_error"),
        (b'{"email": 42, "password": ["x"]}', 422, "validation_error"),
        (b'{"email": "not-an-email", "password": "Streaming-Tests-42"}', 422, "validation_error"),
        (b'{"email": "x@example.com\' OR 1=1 --", "password": "Streaming-Tests-42"}', 422, None),
        (b"[]", 422, "validation_error"),
    ],
)
async def test_bad_registration_bodies_get_clear_errors_and_change_nothing(
    api: httpx.AsyncClient, settings: Settings, body: bytes, status: int, code: str | None
) -> None:
    before = await _user_count(settings)
    response = await api.post(
        "/api/auth/register", content=body, headers={"content-type": "application/json"}
    )
    assert_error(response, status, code)
    assert await _user_count(settings) == before


async def test_login_with_the_right_password(api: httpx.AsyncClient) -> None:
    email = unique_email()
    await register(api, email=email)
    response = await api.post("/api/auth/login", json={"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["user"]["email"] == email
    assert tokens["profile_id"] is not None  # the only profile is chosen straight away
    me = await api.get("/api/auth/me", headers=bearer(tokens))
    assert me.json()["email"] == email


async def test_wrong_password_and_unknown_email_get_the_same_answer(
    api: httpx.AsyncClient,
) -> None:
    email = unique_email()
    await register(api, email=email)
    wrong = await api.post("/api/auth/login", json={"email": email, "password": "Wrong-Pass-99"})
    unknown = await api.post(
        "/api/auth/login", json={"email": unique_email(), "password": TEST_PASSWORD}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "invalid_credentials"


async def test_injection_and_script_strings_are_plain_data(api: httpx.AsyncClient) -> None:
    tokens = await register(api)
    hostile = "Robert'); DROP TABLE users;-- <script>alert(1)</script>"
    created = await api.post("/api/auth/profiles", headers=bearer(tokens), json={"name": hostile})
    assert created.status_code == 201, created.text
    assert created.json()["name"] == hostile
    assert created.headers["content-type"].startswith("application/json")
    login = await api.post(
        "/api/auth/login", json={"email": "' OR '1'='1@example.com", "password": "' OR '1'='1"}
    )
    assert login.status_code in (401, 422)
    listed = await api.get("/api/auth/profiles", headers=bearer(tokens))
    assert hostile in [p["name"] for p in listed.json()]


async def test_passwords_are_hashed_with_bcrypt_cost_12_by_default() -> None:
    rounds = Settings(_env_file=None).bcrypt_rounds
    assert rounds == 12
    hashed = await passwords.hash_password("Some-Long-Passphrase", rounds)
    assert hashed.startswith("$2b$12$")
    assert await passwords.verify_password("Some-Long-Passphrase", hashed)
    assert not await passwords.verify_password("some-long-passphrase", hashed)
