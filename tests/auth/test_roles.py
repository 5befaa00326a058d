"""Roles: every account is a viewer, only admins change roles, and tokens carry them."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from ott.auth import service
from ott.auth.sessions import SessionStore
from ott.core.app_context import AppContext
from ott.core.errors import ValidationFailed
from ott.core.identity import Role
from ott.core.settings import Settings
from tests.conftest import TEST_PASSWORD, assert_error, bearer, register, unique_email

ADMIN_PASSWORD = "Admin-Console-2030"


def _claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, read without checking the signature."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _roles_url(user_id: str) -> str:
    return f"/api/auth/users/{user_id}/roles"


async def _create_admin(
    settings: Settings, email: str, password: str | None
) -> tuple[uuid.UUID, set]:
    """Run `service.create_admin` as the CLI does: straight against the database."""
    resources = AppContext.open(settings)
    try:
        async with resources.sessionmaker() as db, db.begin():
            user = await service.create_admin(
                db=db, settings=settings, email=email, password=password
            )
            return user.id, {role.value for role in user.roles}
    finally:
        await resources.close()


async def _stored_roles(settings: Settings, user_id: str) -> list[str]:
    url = str(settings.database_url).replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(url)
    try:
        roles = await connection.fetchval(
            "SELECT roles::text[] FROM users WHERE id = $1", uuid.UUID(user_id)
        )
    finally:
        await connection.close()
    return sorted(roles)


async def _login(api: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await api.post("/api/auth/login", json={"email": email, "password": password})


async def _admin_tokens(api: httpx.AsyncClient, settings: Settings) -> dict[str, Any]:
    email = unique_email("admin")
    await _create_admin(settings, email, ADMIN_PASSWORD)
    response = await _login(api, email, ADMIN_PASSWORD)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_new_account_is_a_viewer_only(api: httpx.AsyncClient, settings: Settings) -> None:
    tokens = await register(api)
    assert tokens["user"]["roles"] == ["viewer"]
    assert _claims(tokens["access_token"])["roles"] == ["viewer"]
    me = await api.get("/api/auth/me", headers=bearer(tokens))
    assert me.json()["roles"] == ["viewer"]
    assert await _stored_roles(settings, tokens["user"]["id"]) == ["viewer"]


@pytest.mark.parametrize("roles", [["admin"], ["editor"], ["viewer"]])
async def test_a_viewer_cannot_change_roles(
    api: httpx.AsyncClient, settings: Settings, roles: list[str]
) -> None:
    viewer = await register(api)
    target = await register(api)
    for user in (viewer, target):  # neither someone else's roles nor one's own
        response = await api.put(
            _roles_url(user["user"]["id"]), headers=bearer(viewer), json={"roles": roles}
        )
        assert_error(response, 403, "forbidden")
        assert await _stored_roles(settings, user["user"]["id"]) == ["viewer"]


async def test_an_editor_cannot_change_roles(api: httpx.AsyncClient, settings: Settings) -> None:
    admin = await _admin_tokens(api, settings)
    editor = await register(api)
    granted = await api.put(
        _roles_url(editor["user"]["id"]), headers=bearer(admin), json={"roles": ["editor"]}
    )
    assert granted.status_code == 200, granted.text
    signed_in = await _login(api, editor["user"]["email"], TEST_PASSWORD)
    assert signed_in.status_code == 200, signed_in.text
    response = await api.put(
        _roles_url(editor["user"]["id"]),
        headers=bearer(signed_in.json()),
        json={"roles": ["admin"]},
    )
    assert_error(response, 403, "forbidden")
    assert await _stored_roles(settings, editor["user"]["id"]) == ["editor", "viewer"]


async def test_setting_roles_needs_a_token(api: httpx.AsyncClient, settings: Settings) -> None:
    target = await register(api)
    response = await api.put(_roles_url(target["user"]["id"]), json={"roles": ["admin"]})
    assert_error(response, 401)
    assert await _stored_roles(settings, target["user"]["id"]) == ["viewer"]


async def test_an_admin_grants_roles_and_they_reach_the_next_token(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    admin = await _admin_tokens(api, settings)
    assert "admin" in _claims(admin["access_token"])["roles"]
    target = await register(api)

    response = await api.put(
        _roles_url(target["user"]["id"]),
        headers=bearer(admin),
        json={"roles": ["editor", "reviewer"]},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == target["user"]["id"]
    assert sorted(body["roles"]) == ["editor", "reviewer", "viewer"]
    assert await _stored_roles(settings, target["user"]["id"]) == ["editor", "reviewer", "viewer"]

    # The target's tokens carried the old roles, so its sessions have ended...
    assert_error(await api.get("/api/auth/me", headers=bearer(target)), 401, "session_revoked")
    refreshed = await api.post("/api/auth/refresh", json={"refresh_token": target["refresh_token"]})
    assert_error(refreshed, 401, "session_revoked")
    # ...and the next sign-in carries the new roles.
    signed_in = await _login(api, target["user"]["email"], TEST_PASSWORD)
    assert signed_in.status_code == 200, signed_in.text
    assert sorted(_claims(signed_in.json()["access_token"])["roles"]) == [
        "editor",
        "reviewer",
        "viewer",
    ]
    assert sorted(signed_in.json()["user"]["roles"]) == ["editor", "reviewer", "viewer"]


async def test_setting_roles_replaces_them_but_keeps_viewer(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    admin = await _admin_tokens(api, settings)
    target = await register(api)
    url = _roles_url(target["user"]["id"])
    first = await api.put(url, headers=bearer(admin), json={"roles": ["editor", "editor"]})
    assert first.status_code == 200, first.text
    assert sorted(first.json()["roles"]) == ["editor", "viewer"]
    second = await api.put(url, headers=bearer(admin), json={"roles": ["reviewer"]})
    assert second.status_code == 200, second.text
    assert sorted(second.json()["roles"]) == ["reviewer", "viewer"]
    assert await _stored_roles(settings, target["user"]["id"]) == ["reviewer", "viewer"]


async def test_a_granted_admin_can_grant_roles(api: httpx.AsyncClient, settings: Settings) -> None:
    admin = await _admin_tokens(api, settings)
    deputy = await register(api)
    granted = await api.put(
        _roles_url(deputy["user"]["id"]), headers=bearer(admin), json={"roles": ["admin"]}
    )
    assert granted.status_code == 200, granted.text
    signed_in = await _login(api, deputy["user"]["email"], TEST_PASSWORD)
    assert signed_in.status_code == 200, signed_in.text
    target = await register(api)
    response = await api.put(
        _roles_url(target["user"]["id"]),
        headers=bearer(signed_in.json()),
        json={"roles": ["editor"]},
    )
    assert response.status_code == 200, response.text
    assert sorted(response.json()["roles"]) == ["editor", "viewer"]


async def test_roles_of_an_unknown_user_are_not_found(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    admin = await _admin_tokens(api, settings)
    response = await api.put(
        _roles_url(str(uuid.uuid4())), headers=bearer(admin), json={"roles": ["editor"]}
    )
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize(
    "body",
    [
        {"roles": ["superuser"]},
        {"roles": ["editor", "root"]},
        {"roles": ["Admin"]},
        {"roles": []},
        {"roles": "admin"},
        {"roles": ["editor"] * 5},
        {},
        {"roles": ["editor"], "user_id": str(uuid.uuid4())},
    ],
    ids=["unknown", "one-unknown", "capitalised", "empty", "string", "too-many", "none", "extra"],
)
async def test_invalid_roles_are_refused_and_change_nothing(
    api: httpx.AsyncClient, settings: Settings, body: dict[str, Any]
) -> None:
    admin = await _admin_tokens(api, settings)
    target = await register(api)
    response = await api.put(_roles_url(target["user"]["id"]), headers=bearer(admin), json=body)
    assert_error(response, 422, "validation_error")
    assert await _stored_roles(settings, target["user"]["id"]) == ["viewer"]


async def test_a_malformed_user_id_is_a_validation_error(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    admin = await _admin_tokens(api, settings)
    response = await api.put(_roles_url("not-a-uuid"), headers=bearer(admin), json={"roles": []})
    assert_error(response, 422, "validation_error")


async def test_create_admin_makes_a_new_admin_account_with_a_profile(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    email = unique_email("admin")
    user_id, roles = await _create_admin(settings, email, ADMIN_PASSWORD)
    assert roles == {"viewer", "admin"}
    login = await _login(api, email, ADMIN_PASSWORD)
    assert login.status_code == 200, login.text
    tokens = login.json()
    assert tokens["user"]["id"] == str(user_id)
    assert sorted(_claims(tokens["access_token"])["roles"]) == ["admin", "viewer"]
    profiles = await api.get("/api/auth/profiles", headers=bearer(tokens))
    assert len(profiles.json()) == 1
    assert tokens["profile_id"] == profiles.json()[0]["id"]


async def test_create_admin_on_an_existing_account_adds_admin_and_keeps_the_password(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    email = unique_email("promoted")
    registered = await register(api, email=email)
    user_id, roles = await _create_admin(settings, email.upper(), ADMIN_PASSWORD)
    assert str(user_id) == registered["user"]["id"]
    assert roles == {"viewer", "admin"}
    assert await _stored_roles(settings, registered["user"]["id"]) == ["admin", "viewer"]

    kept = await _login(api, email, TEST_PASSWORD)
    assert kept.status_code == 200, kept.text
    assert sorted(_claims(kept.json()["access_token"])["roles"]) == ["admin", "viewer"]
    assert_error(await _login(api, email, ADMIN_PASSWORD), 401, "invalid_credentials")
    profiles = await api.get("/api/auth/profiles", headers=bearer(kept.json()))
    assert [p["id"] for p in profiles.json()] == [registered["profile_id"]]


async def test_create_admin_keeps_the_other_roles(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    admin = await _admin_tokens(api, settings)
    email = unique_email("editor")
    editor = await register(api, email=email)
    granted = await api.put(
        _roles_url(editor["user"]["id"]), headers=bearer(admin), json={"roles": ["editor"]}
    )
    assert granted.status_code == 200, granted.text
    _, roles = await _create_admin(settings, email, ADMIN_PASSWORD)
    assert roles == {"viewer", "editor", "admin"}
    assert await _stored_roles(settings, editor["user"]["id"]) == ["admin", "editor", "viewer"]


async def test_create_admin_checks_the_password_of_a_new_account(settings: Settings) -> None:
    email = unique_email("admin")
    with pytest.raises(ValidationFailed) as raised:
        await _create_admin(settings, email, "password123")
    assert raised.value.code == "weak_password"
    url = str(settings.database_url).replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(url)
    try:
        assert await connection.fetchval("SELECT count(*) FROM users WHERE email = $1", email) == 0
    finally:
        await connection.close()


async def test_create_admin_promotes_without_a_password(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    email = unique_email("promoted")
    registered = await register(api, email=email)
    user_id, roles = await _create_admin(settings, email, None)
    assert str(user_id) == registered["user"]["id"]
    assert roles == {"viewer", "admin"}
    assert (await _login(api, email, TEST_PASSWORD)).status_code == 200


async def test_create_admin_of_a_new_account_needs_a_password(settings: Settings) -> None:
    email = unique_email("admin")
    with pytest.raises(ValidationFailed) as raised:
        await _create_admin(settings, email, None)
    assert raised.value.code == "password_required"
    assert "needs a password" in raised.value.message
    resources = AppContext.open(settings)
    try:
        async with resources.sessionmaker() as db:
            assert await service.find_user_by_email(db=db, email=email) is None
    finally:
        await resources.close()


async def test_find_user_by_email_compares_as_registration_stores(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    email = unique_email("found")
    registered = await register(api, email=email)
    resources = AppContext.open(settings)
    try:
        async with resources.sessionmaker() as db:
            found = await service.find_user_by_email(db=db, email=f"  {email.upper()} ")
            missing = await service.find_user_by_email(db=db, email=unique_email("nobody"))
    finally:
        await resources.close()
    assert found is not None
    assert str(found.id) == registered["user"]["id"]
    assert missing is None


async def _login_as(api: httpx.AsyncClient, user: dict[str, Any]) -> dict[str, Any]:
    response = await _login(api, user["user"]["email"], TEST_PASSWORD)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_demoted_editor_loses_cms_rights_at_once(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    admin = await _admin_tokens(api, settings)
    account = await register(api)
    url = _roles_url(account["user"]["id"])
    granted = await api.put(url, headers=bearer(admin), json={"roles": ["editor"]})
    assert granted.status_code == 200, granted.text
    editor = await _login_as(api, account)
    second_device = await _login_as(api, account)
    assert (await api.get("/api/cms/content", headers=bearer(editor))).status_code == 200

    demoted = await api.put(url, headers=bearer(admin), json={"roles": ["viewer"]})
    assert demoted.status_code == 200, demoted.text
    # Every session of the account has ended, not only after the access token's 15 minutes.
    for tokens in (editor, second_device):
        assert_error(
            await api.get("/api/cms/content", headers=bearer(tokens)), 401, "session_revoked"
        )
        refreshed = await api.post(
            "/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
        assert_error(refreshed, 401, "session_revoked")
    viewer = await _login_as(api, account)
    assert_error(await api.get("/api/cms/content", headers=bearer(viewer)), 403, "forbidden")
    # The admin's own session is untouched.
    assert (await api.get("/api/auth/me", headers=bearer(admin))).status_code == 200


async def test_without_redis_a_role_change_changes_nothing(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    account = await register(api)
    user_id = uuid.UUID(account["user"]["id"])
    resources = AppContext.open(settings)
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    try:
        with pytest.raises((RedisError, OSError)):
            async with resources.sessionmaker() as db, db.begin():
                await service.set_roles(
                    db=db,
                    user_id=user_id,
                    roles=[Role.EDITOR],
                    sessions=SessionStore(dead, resources.keys, settings),
                )
    finally:
        await dead.aclose()
        await resources.close()
    assert await _stored_roles(settings, str(user_id)) == ["viewer"]
    assert (await api.get("/api/auth/me", headers=bearer(account))).status_code == 200
