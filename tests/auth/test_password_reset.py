"""Password reset through the gateway: the mail, the single-use token, and its effect on
passwords and sessions."""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from ott.core.settings import Settings
from tests.conftest import TEST_PASSWORD, assert_error, bearer, register, unique_email

RESET = "/api/auth/password-reset"
CONFIRM = "/api/auth/password-reset/confirm"
NEW_PASSWORD = "Fresh-Start-2031"
ACCEPTED = {"status": "If the account exists, a reset link has been sent"}


def _outbox(settings: Settings) -> Path:
    return settings.data_dir / "outbox"


def _outbox_to(settings: Settings, address: str) -> dict[Path, EmailMessage]:
    """Every mail in the outbox addressed to `address`, by file."""
    folder = _outbox(settings)
    if not folder.exists():
        return {}
    mails = {
        path: email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in folder.glob("*.eml")
    }
    return {
        path: m for path, m in mails.items() if isinstance(m, EmailMessage) and m["To"] == address
    }


def _mails_to(settings: Settings, address: str) -> list[EmailMessage]:
    return list(_outbox_to(settings, address).values())


def _mail_count(settings: Settings) -> int:
    folder = _outbox(settings)
    return len(list(folder.glob("*.eml"))) if folder.exists() else 0


def _body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert isinstance(part, EmailMessage), message
    return part.get_content()


def _token_in(message: EmailMessage) -> str:
    match = re.search(r"Reset code: (\S+)", _body(message))
    assert match, _body(message)
    return match.group(1)


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _pg_url(settings: Settings) -> str:
    return str(settings.database_url).replace("postgresql+asyncpg://", "postgresql://")


async def _reset_rows(settings: Settings, user_id: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(_pg_url(settings))
    try:
        return await connection.fetch(
            "SELECT * FROM password_reset_tokens WHERE user_id = $1 ORDER BY created_at",
            uuid.UUID(user_id),
        )
    finally:
        await connection.close()


async def _request_token(api: httpx.AsyncClient, settings: Settings, address: str) -> str:
    """Ask for a reset of `address` and return the code from the mail it got."""
    before = _outbox_to(settings, address)
    response = await api.post(RESET, json={"email": address})
    assert response.status_code == 202, response.text
    assert response.json() == ACCEPTED
    # File names only have a one-second stamp, so find the new mail by what was there before.
    new = [m for path, m in _outbox_to(settings, address).items() if path not in before]
    assert len(new) == 1
    return _token_in(new[0])


async def _login(api: httpx.AsyncClient, address: str, password: str) -> httpx.Response:
    return await api.post("/api/auth/login", json={"email": address, "password": password})


async def _confirm(api: httpx.AsyncClient, token: str, password: str) -> httpx.Response:
    return await api.post(CONFIRM, json={"token": token, "new_password": password})


async def test_the_reset_mail_has_a_link_and_a_code_that_set_a_new_password(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    address = unique_email("reset")
    await register(api, email=address)
    response = await api.post(RESET, json={"email": address})
    assert response.status_code == 202, response.text
    assert response.json() == ACCEPTED

    mails = _mails_to(settings, address)
    assert len(mails) == 1
    mail = mails[0]
    assert mail["Subject"] == "Reset your password"
    assert mail["From"] == settings.mail_from
    token = _token_in(mail)
    assert len(token) >= 32
    link = f"{settings.public_base_url.rstrip('/')}/reset-password?token={token}"
    assert link in _body(mail)

    confirmed = await _confirm(api, token, NEW_PASSWORD)
    assert confirmed.status_code == 204, confirmed.text
    assert confirmed.content == b""

    new_login = await _login(api, address, NEW_PASSWORD)
    assert new_login.status_code == 200, new_login.text
    assert new_login.json()["user"]["email"] == address
    assert_error(await _login(api, address, TEST_PASSWORD), 401, "invalid_credentials")


async def test_the_email_is_matched_without_regard_to_case(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    address = unique_email("reset")
    await register(api, email=address)
    response = await api.post(RESET, json={"email": f"  {address.upper()}  "})
    assert response.status_code == 202, response.text
    assert len(_mails_to(settings, address)) == 1


async def test_a_reset_ends_every_session(api: httpx.AsyncClient, settings: Settings) -> None:
    address = unique_email("reset")
    first = await register(api, email=address)
    second_login = await _login(api, address, TEST_PASSWORD)
    assert second_login.status_code == 200, second_login.text
    second = second_login.json()
    for tokens in (first, second):
        assert (await api.get("/api/auth/me", headers=bearer(tokens))).status_code == 200

    token = await _request_token(api, settings, address)
    assert (await _confirm(api, token, NEW_PASSWORD)).status_code == 204

    for tokens in (first, second):
        me = await api.get("/api/auth/me", headers=bearer(tokens))
        assert_error(me, 401, "session_revoked")
        profiles = await api.get("/api/auth/profiles", headers=bearer(tokens))
        assert_error(profiles, 401, "session_revoked")
        refreshed = await api.post(
            "/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
        assert_error(refreshed, 401, "session_revoked")

    # A session started after the reset works.
    after = await _login(api, address, NEW_PASSWORD)
    assert after.status_code == 200, after.text
    assert (await api.get("/api/auth/me", headers=bearer(after.json()))).status_code == 200


async def test_a_reset_leaves_other_accounts_signed_in(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    address = unique_email("reset")
    await register(api, email=address)
    bystander = await register(api)
    token = await _request_token(api, settings, address)
    assert (await _confirm(api, token, NEW_PASSWORD)).status_code == 204
    assert (await api.get("/api/auth/me", headers=bearer(bystander))).status_code == 200


async def test_a_token_works_only_once(api: httpx.AsyncClient, settings: Settings) -> None:
    address = unique_email("reset")
    await register(api, email=address)
    token = await _request_token(api, settings, address)
    assert (await _confirm(api, token, NEW_PASSWORD)).status_code == 204

    again = await _confirm(api, token, "Another-Choice-77")
    assert_error(again, 400, "invalid_reset_token")
    assert (await _login(api, address, NEW_PASSWORD)).status_code == 200
    assert_error(await _login(api, address, "Another-Choice-77"), 401, "invalid_credentials")


async def test_using_one_token_voids_the_others_of_the_account(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    address = unique_email("reset")
    await register(api, email=address)
    older = await _request_token(api, settings, address)
    newer = await _request_token(api, settings, address)
    assert older != newer
    assert (await _confirm(api, newer, NEW_PASSWORD)).status_code == 204
    assert_error(await _confirm(api, older, "Another-Choice-77"), 400, "invalid_reset_token")
    assert (await _login(api, address, NEW_PASSWORD)).status_code == 200


async def test_an_expired_token_is_refused_and_changes_nothing(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    address = unique_email("reset")
    tokens = await register(api, email=address)
    token = await _request_token(api, settings, address)
    connection = await asyncpg.connect(_pg_url(settings))
    try:
        changed = await connection.execute(
            "UPDATE password_reset_tokens SET expires_at = now() - interval '1 minute' "
            "WHERE token_hash = $1",
            _sha256(token),
        )
    finally:
        await connection.close()
    assert changed == "UPDATE 1"

    response = await _confirm(api, token, NEW_PASSWORD)
    assert_error(response, 400, "invalid_reset_token")
    assert (await _login(api, address, TEST_PASSWORD)).status_code == 200
    assert_error(await _login(api, address, NEW_PASSWORD), 401, "invalid_credentials")
    # The failed attempt did not end the account's sessions either.
    assert (await api.get("/api/auth/me", headers=bearer(tokens))).status_code == 200
    rows = await _reset_rows(settings, tokens["user"]["id"])
    assert [r["used_at"] for r in rows] == [None]


async def test_a_made_up_token_is_refused(api: httpx.AsyncClient) -> None:
    response = await _confirm(api, "made-up-token-" + uuid.uuid4().hex, NEW_PASSWORD)
    assert_error(response, 400, "invalid_reset_token")


async def test_the_hash_of_a_token_is_not_a_token(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    address = unique_email("reset")
    await register(api, email=address)
    token = await _request_token(api, settings, address)
    response = await _confirm(api, _sha256(token), NEW_PASSWORD)
    assert_error(response, 400, "invalid_reset_token")
    assert (await _login(api, address, TEST_PASSWORD)).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"token": "short", "new_password": NEW_PASSWORD},
        {"token": "x" * 257, "new_password": NEW_PASSWORD},
        {"token": "a-long-enough-token-value"},
        {"new_password": NEW_PASSWORD},
        {"token": "a-long-enough-token-value", "new_password": NEW_PASSWORD, "email": "a@b.co"},
        {"token": 12345678901234567890, "new_password": NEW_PASSWORD},
    ],
    ids=["short-token", "long-token", "no-password", "no-token", "unknown-field", "number-token"],
)
async def test_malformed_confirmations_are_validation_errors(
    api: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    assert_error(await api.post(CONFIRM, json=body), 422, "validation_error")


@pytest.mark.parametrize(
    "body",
    [{"email": "not-an-email"}, {}, {"email": "a@example.com", "extra": 1}, {"email": ["x"]}],
    ids=["not-an-email", "empty", "unknown-field", "list"],
)
async def test_malformed_reset_requests_are_validation_errors(
    api: httpx.AsyncClient, settings: Settings, body: dict[str, Any]
) -> None:
    before = _mail_count(settings)
    assert_error(await api.post(RESET, json=body), 422, "validation_error")
    assert _mail_count(settings) == before


async def test_an_unknown_email_gets_the_same_answer_and_no_mail(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    known = unique_email("reset")
    await register(api, email=known)
    known_answer = await api.post(RESET, json={"email": known})
    before = _mail_count(settings)

    unknown = unique_email("nobody")
    response = await api.post(RESET, json={"email": unknown})
    assert response.status_code == known_answer.status_code == 202
    assert response.json() == known_answer.json() == ACCEPTED
    assert _mails_to(settings, unknown) == []
    assert _mail_count(settings) == before


async def test_a_weak_new_password_is_refused_and_the_token_stays_usable(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    address = unique_email("reset")
    tokens = await register(api, email=address)
    token = await _request_token(api, settings, address)

    weak = await _confirm(api, token, "password123")
    error = assert_error(weak, 422, "weak_password")
    assert any("most common" in d["message"] for d in error["details"]), error
    # Nothing happened: old password still works, sessions survive, the token is unused.
    assert (await _login(api, address, TEST_PASSWORD)).status_code == 200
    assert (await api.get("/api/auth/me", headers=bearer(tokens))).status_code == 200
    assert [r["used_at"] for r in await _reset_rows(settings, tokens["user"]["id"])] == [None]

    good = await _confirm(api, token, NEW_PASSWORD)
    assert good.status_code == 204, good.text
    assert (await _login(api, address, NEW_PASSWORD)).status_code == 200


async def test_a_new_password_containing_the_email_name_is_refused(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    name = f"reset{uuid.uuid4().hex[:8]}"
    address = f"{name}@example.com"
    await register(api, email=address)
    token = await _request_token(api, settings, address)
    assert_error(await _confirm(api, token, f"{name}-Secret-9"), 422, "weak_password")
    assert (await _login(api, address, TEST_PASSWORD)).status_code == 200


async def test_the_token_is_stored_only_as_its_sha256(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    address = unique_email("reset")
    tokens = await register(api, email=address)
    token = await _request_token(api, settings, address)

    rows = await _reset_rows(settings, tokens["user"]["id"])
    assert len(rows) == 1
    row = rows[0]
    assert row["token_hash"] != token
    assert row["token_hash"] == _sha256(token)
    assert token not in [str(value) for value in row.values()]
    assert row["used_at"] is None
    lifetime = row["expires_at"] - row["created_at"]
    assert abs(lifetime.total_seconds() - settings.password_reset_ttl.total_seconds()) < 60

    assert (await _confirm(api, token, NEW_PASSWORD)).status_code == 204
    (used,) = await _reset_rows(settings, tokens["user"]["id"])
    assert used["used_at"] is not None
