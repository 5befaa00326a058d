"""Access and refresh tokens: rotation, theft detection, logout, and forged tokens."""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from ott.core.identity import ACCESS_AUDIENCE, IDENTITY_HEADER, Identity, encode_internal_identity
from ott.core.settings import Settings
from tests.conftest import assert_error, bearer, register

PROFILES = "/api/auth/profiles"


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


async def _refresh(api: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await api.post("/api/auth/refresh", json={"refresh_token": refresh_token})


async def test_access_token_lasts_15_minutes_and_names_the_session(api: httpx.AsyncClient) -> None:
    tokens = await register(api)
    claims = _claims(tokens["access_token"])
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert claims["typ"] == "access"
    assert claims["sub"] == tokens["user"]["id"]
    refresh = _claims(tokens["refresh_token"])
    assert refresh["exp"] - refresh["iat"] == 7 * 24 * 3600
    assert refresh["sid"] == claims["sid"]


async def test_refresh_rotates_the_token(api: httpx.AsyncClient) -> None:
    tokens = await register(api)
    first = await _refresh(api, tokens["refresh_token"])
    assert first.status_code == 200, first.text
    rotated = first.json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    assert _claims(rotated["refresh_token"])["gen"] == 2
    assert (await api.get(PROFILES, headers=bearer(rotated))).status_code == 200
    second = await _refresh(api, rotated["refresh_token"])
    assert second.status_code == 200


async def test_reusing_an_old_refresh_token_revokes_the_whole_session(
    api: httpx.AsyncClient,
) -> None:
    tokens = await register(api)
    rotated = (await _refresh(api, tokens["refresh_token"])).json()
    # The first token is presented again: someone holds a copy.
    assert_error(await _refresh(api, tokens["refresh_token"]), 401, "refresh_token_reused")
    # The legitimate holder's newer tokens are dead too.
    assert_error(await _refresh(api, rotated["refresh_token"]), 401, "session_revoked")
    assert_error(await api.get(PROFILES, headers=bearer(rotated)), 401, "session_revoked")


async def test_sessions_are_independent(api: httpx.AsyncClient) -> None:
    tokens = await register(api)
    other = await api.post(
        "/api/auth/login", json={"email": tokens["user"]["email"], "password": "Streaming-Tests-42"}
    )
    await api.post("/api/auth/logout", headers=bearer(tokens))
    assert (await api.get(PROFILES, headers=bearer(other.json()))).status_code == 200


async def test_logout_ends_the_session_at_once(api: httpx.AsyncClient) -> None:
    tokens = await register(api)
    response = await api.post("/api/auth/logout", headers=bearer(tokens))
    assert response.status_code == 204
    assert_error(await api.get(PROFILES, headers=bearer(tokens)), 401, "session_revoked")
    assert_error(await _refresh(api, tokens["refresh_token"]), 401, "session_revoked")


async def test_logout_needs_a_token(api: httpx.AsyncClient) -> None:
    assert_error(await api.post("/api/auth/logout"), 401)


def _forge(settings: Settings, tokens: dict[str, Any], **changes: Any) -> str:
    claims = _claims(tokens["access_token"]) | changes
    key = changes.pop("_key", None) or settings.resolved_jwt_secret()
    claims.pop("_key", None)
    return jwt.encode(claims, key, algorithm="HS256")


def _alg_none(tokens: dict[str, Any], **changes: Any) -> str:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    claims = _claims(tokens["access_token"]) | changes
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{body}."


@pytest.mark.parametrize(
    ("make_token", "code"),
    [
        (lambda s, t: _alg_none(t, roles=["admin"]), "invalid_token"),
        (lambda s, t: _forge(s, t, _key=secrets.token_urlsafe(48)), "invalid_token"),
        (
            lambda s, t: _forge(
                s, t, exp=int((datetime.now(UTC) - timedelta(minutes=1)).timestamp())
            ),
            "token_expired",
        ),
        (lambda s, t: _forge(s, t, aud="someone-else"), "invalid_token"),
        (lambda s, t: _forge(s, t, typ="refresh"), "invalid_token"),
        (lambda s, t: t["refresh_token"], "invalid_token"),
        (lambda s, t: t["access_token"][:-4] + "AAAA", "invalid_token"),
        (lambda s, t: "not.a.jwt", "invalid_token"),
        (lambda s, t: _forge(s, t, sub="not-a-uuid"), "invalid_token"),
    ],
    ids=[
        "alg-none",
        "other-key",
        "expired",
        "wrong-audience",
        "wrong-type",
        "refresh-as-access",
        "bad-signature",
        "garbage",
        "malformed-claims",
    ],
)
async def test_forged_and_expired_access_tokens_are_refused(
    api: httpx.AsyncClient, settings: Settings, make_token: Any, code: str
) -> None:
    tokens = await register(api)
    token = make_token(settings, tokens)
    response = await api.get(PROFILES, headers={"Authorization": f"Bearer {token}"})
    assert_error(response, 401, code)


async def test_non_bearer_authorization_is_refused(api: httpx.AsyncClient) -> None:
    response = await api.get(PROFILES, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert_error(response, 401, "invalid_token")


async def test_a_forged_refresh_token_is_refused(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    tokens = await register(api)
    claims = _claims(tokens["refresh_token"])
    forged = jwt.encode(claims | {"gen": 99}, secrets.token_urlsafe(48), algorithm="HS256")
    assert_error(await _refresh(api, forged), 401, "invalid_token")
    # The real session is untouched by the forgery.
    assert (await _refresh(api, tokens["refresh_token"])).status_code == 200


async def test_identity_header_from_a_client_is_ignored(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    victim = await register(api)
    forged = encode_internal_identity(
        Identity(user_id=uuid.UUID(victim["user"]["id"]), session_id="x"), settings
    )
    response = await api.get(PROFILES, headers={IDENTITY_HEADER: forged})
    assert_error(response, 401)


async def test_a_service_rejects_an_identity_the_gateway_did_not_sign(settings: Settings) -> None:
    from ott.auth.app import create_app

    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://auth") as direct,
    ):
        claims = {"sub": str(uuid.uuid4()), "sid": "s", "aud": "ott-internal", "exp": 9999999999}
        forged = jwt.encode(claims, settings.resolved_jwt_secret(), algorithm="HS256")
        response = await direct.get(PROFILES, headers={IDENTITY_HEADER: forged})
        assert_error(response, 401)
        access_like = jwt.encode(claims | {"aud": ACCESS_AUDIENCE}, "k" * 40, algorithm="HS256")
        assert_error(await direct.get(PROFILES, headers={IDENTITY_HEADER: access_like}), 401)
