"""The account page's endpoints: sessions and devices (listing, ending one), changing the
password (the others sessions end) and the sign-in email."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from ott.auth.devices import UNKNOWN_DEVICE, clean_user_agent, describe_device
from ott.core.identity import session_key
from ott.core.redis import KeySpace
from ott.core.settings import Settings
from tests.auth.test_password_reset import _body, _mails_to
from tests.conftest import TEST_PASSWORD, assert_error, bearer, unique_email

SESSIONS = "/api/auth/sessions"
PASSWORD = "/api/auth/password"
ME = "/api/auth/me"
NEW_PASSWORD = "Another-Season-77"
CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


async def _sign_up(api: httpx.AsyncClient, user_agent: str = CHROME_LINUX) -> dict[str, Any]:
    response = await api.post(
        "/api/auth/register",
        json={"email": unique_email("account"), "password": TEST_PASSWORD},
        headers={"User-Agent": user_agent},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _sign_in(
    api: httpx.AsyncClient, email: str, password: str = TEST_PASSWORD, user_agent: str = ""
) -> httpx.Response:
    headers = {"User-Agent": user_agent} if user_agent else {}
    return await api.post(
        "/api/auth/login", json={"email": email, "password": password}, headers=headers
    )


async def _sessions(api: httpx.AsyncClient, tokens: dict[str, Any]) -> list[dict[str, Any]]:
    response = await api.get(SESSIONS, headers=bearer(tokens))
    assert response.status_code == 200, response.text
    return response.json()


async def test_sessions_list_the_accounts_devices(api: httpx.AsyncClient) -> None:
    laptop = await _sign_up(api)
    phone = (await _sign_in(api, laptop["user"]["email"], user_agent=SAFARI_IPHONE)).json()
    stranger = await _sign_up(api)
    listed = await _sessions(api, laptop)
    assert len(listed) == 2
    by_device = {s["device"]: s for s in listed}
    assert set(by_device) == {"Chrome on Linux", "Safari on iPhone"}
    mine = by_device["Chrome on Linux"]
    assert mine["current"] is True
    assert mine["user_agent"] == CHROME_LINUX
    assert by_device["Safari on iPhone"]["current"] is False
    # Last used first: the phone signed in after the laptop.
    assert [s["device"] for s in listed] == ["Safari on iPhone", "Chrome on Linux"]
    for session in listed:
        assert re.fullmatch(r"[0-9a-f]{32}", session["id"])
        assert datetime.fromisoformat(session["last_used_at"]) >= datetime.fromisoformat(
            session["created_at"]
        )
    # The phone sees the same two, with its own as the current one.
    from_phone = await _sessions(api, phone)
    assert {s["id"] for s in from_phone} == {s["id"] for s in listed}
    assert [s["device"] for s in from_phone if s["current"]] == ["Safari on iPhone"]
    # Another account's sessions are not listed.
    assert [s["current"] for s in await _sessions(api, stranger)] == [True]


async def test_a_refresh_is_a_use_of_the_session(api: httpx.AsyncClient) -> None:
    tokens = await _sign_up(api)
    [before] = await _sessions(api, tokens)
    refreshed = await api.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    [after] = await _sessions(api, refreshed.json())
    assert after["id"] == before["id"]
    assert after["created_at"] == before["created_at"]
    assert datetime.fromisoformat(after["last_used_at"]) > datetime.fromisoformat(
        before["last_used_at"]
    )


async def test_ending_a_session_signs_that_device_out_at_once(api: httpx.AsyncClient) -> None:
    laptop = await _sign_up(api)
    phone = (await _sign_in(api, laptop["user"]["email"], user_agent=SAFARI_IPHONE)).json()
    [phone_session] = [s for s in await _sessions(api, laptop) if not s["current"]]
    ended = await api.delete(f"{SESSIONS}/{phone_session['id']}", headers=bearer(laptop))
    assert ended.status_code == 204, ended.text
    assert_error(await api.get(ME, headers=bearer(phone)), 401, "session_revoked")
    refresh = await api.post("/api/auth/refresh", json={"refresh_token": phone["refresh_token"]})
    assert_error(refresh, 401, "session_revoked")
    assert [s["current"] for s in await _sessions(api, laptop)] == [True]
    # Ended already: not found.
    again = await api.delete(f"{SESSIONS}/{phone_session['id']}", headers=bearer(laptop))
    assert_error(again, 404)


async def test_another_accounts_session_cannot_be_ended(api: httpx.AsyncClient) -> None:
    victim = await _sign_up(api)
    attacker = await _sign_up(api)
    [victim_session] = await _sessions(api, victim)
    response = await api.delete(f"{SESSIONS}/{victim_session['id']}", headers=bearer(attacker))
    assert_error(response, 404)
    assert (await api.get(ME, headers=bearer(victim))).status_code == 200
    assert_error(await api.delete(f"{SESSIONS}/{'0' * 32}", headers=bearer(attacker)), 404)
    assert_error(await api.delete(f"{SESSIONS}/not-a-session", headers=bearer(attacker)), 422)
    assert_error(await api.get(SESSIONS), 401)


async def test_ending_the_current_session_is_a_logout(api: httpx.AsyncClient) -> None:
    tokens = await _sign_up(api)
    [current] = await _sessions(api, tokens)
    response = await api.delete(f"{SESSIONS}/{current['id']}", headers=bearer(tokens))
    assert response.status_code == 204
    assert_error(await api.get(ME, headers=bearer(tokens)), 401, "session_revoked")


async def test_sessions_that_expired_on_their_own_are_not_listed(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    tokens = await _sign_up(api)
    other = (await _sign_in(api, tokens["user"]["email"])).json()
    [gone] = [s for s in await _sessions(api, tokens) if not s["current"]]
    redis = Redis.from_url(str(settings.redis_url), decode_responses=True)
    try:
        await redis.delete(session_key(KeySpace(settings.redis_key_prefix), gone["id"]))
        assert [s["current"] for s in await _sessions(api, tokens)] == [True]
        members = await redis.smembers(
            KeySpace(settings.redis_key_prefix)("auth", "user-sessions", tokens["user"]["id"])
        )
        assert gone["id"] not in members  # dropped from the account's set on the way
    finally:
        await redis.aclose()
    assert_error(await api.get(ME, headers=bearer(other)), 401, "session_revoked")


async def test_changing_the_password_ends_every_other_session(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    tokens = await _sign_up(api)
    email = tokens["user"]["email"]
    other = (await _sign_in(api, email, user_agent=SAFARI_IPHONE)).json()
    # A reset link mailed before the change stops working with it.
    assert (await api.post("/api/auth/password-reset", json={"email": email})).status_code == 202
    [mail] = _mails_to(settings, email)
    code = re.search(r"Reset code: (\S+)", _body(mail))
    assert code is not None
    changed = await api.post(
        PASSWORD,
        json={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(tokens),
    )
    assert changed.status_code == 204, changed.text
    assert_error(await api.get(ME, headers=bearer(other)), 401, "session_revoked")
    assert (await api.get(ME, headers=bearer(tokens))).status_code == 200
    assert [s["current"] for s in await _sessions(api, tokens)] == [True]
    assert_error(await _sign_in(api, email), 401, "invalid_credentials")
    assert (await _sign_in(api, email, NEW_PASSWORD)).status_code == 200
    reset = await api.post(
        "/api/auth/password-reset/confirm",
        json={"token": code[1], "new_password": "Yet-Another-Code-5"},
    )
    assert_error(reset, 400, "invalid_reset_token")


async def test_a_password_change_needs_the_current_password_and_a_good_new_one(
    api: httpx.AsyncClient,
) -> None:
    tokens = await _sign_up(api)
    email = tokens["user"]["email"]
    other = (await _sign_in(api, email)).json()

    async def change(current: str, new: str) -> httpx.Response:
        return await api.post(
            PASSWORD,
            json={"current_password": current, "new_password": new},
            headers=bearer(tokens),
        )

    wrong = assert_error(await change("Not-The-Password-1", NEW_PASSWORD), 403, "wrong_password")
    assert wrong["details"][0]["field"] == "current_password"
    weak = assert_error(await change(TEST_PASSWORD, "short"), 422, "weak_password")
    assert any("at least 8" in d["message"] for d in weak["details"])
    assert_error(await change(TEST_PASSWORD, email.split("@")[0] + "-X9"), 422, "weak_password")
    assert_error(await change(TEST_PASSWORD, TEST_PASSWORD), 422, "password_unchanged")
    missing = await api.post(PASSWORD, json={"new_password": NEW_PASSWORD}, headers=bearer(tokens))
    assert_error(missing, 422)
    # Nothing changed: the old password still signs in, the other session lives.
    assert (await _sign_in(api, email)).status_code == 200
    assert (await api.get(ME, headers=bearer(other))).status_code == 200
    anonymous = await api.post(
        PASSWORD, json={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert_error(anonymous, 401)


async def test_changing_the_email(api: httpx.AsyncClient) -> None:
    tokens = await _sign_up(api)
    taken = (await _sign_up(api))["user"]["email"]
    new_email = unique_email("renamed")

    async def change(email: str, password: str = TEST_PASSWORD) -> httpx.Response:
        return await api.put(
            ME, json={"email": email, "current_password": password}, headers=bearer(tokens)
        )

    assert_error(await change(new_email, "Not-The-Password-1"), 403, "wrong_password")
    assert_error(await change(taken.upper()), 409, "email_taken")
    assert_error(await change("not an email"), 422)
    changed = await change(f"  {new_email.upper()} ")
    assert changed.status_code == 200, changed.text
    assert changed.json()["email"] == new_email
    assert (await api.get(ME, headers=bearer(tokens))).json()["email"] == new_email
    assert (await _sign_in(api, new_email)).status_code == 200
    assert_error(await _sign_in(api, tokens["user"]["email"]), 401, "invalid_credentials")
    # The same email again changes nothing.
    assert (await change(new_email)).json()["email"] == new_email


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [
        (CHROME_LINUX, "Chrome on Linux"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on macOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "HeadlessChrome/131.0.0.0 Safari/537.36",
            "Chrome on Linux",
        ),
        (
            "Mozilla/5.0 (SMART-TV; LINUX; Tizen 8.0) AppleWebKit/537.36 (KHTML, like Gecko) "
            "SamsungBrowser/7.0 Chrome/108.0.5359.1 TV Safari/537.36",
            "Samsung Internet on TV",
        ),
        ("okhttp/4.12.0", "okhttp"),
        ("python-httpx/0.28.1", "python-httpx"),
        ("", UNKNOWN_DEVICE),
        (None, UNKNOWN_DEVICE),
        ("???", UNKNOWN_DEVICE),
    ],
)
def test_device_names(user_agent: str | None, device: str) -> None:
    assert describe_device(user_agent) == device


def test_user_agents_are_kept_short_and_printable() -> None:
    assert clean_user_agent("a\x00b\nc") == "abc"
    assert clean_user_agent("x" * 1000) == "x" * 400
    assert clean_user_agent("  ") is None
    assert clean_user_agent(None) is None
