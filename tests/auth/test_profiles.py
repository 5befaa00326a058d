"""Viewer profiles through the gateway: the fields, the limit of five, kids profiles, isolation
between accounts, choosing who is watching, and the inputs that must be refused."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from ott.core.settings import Settings
from tests.conftest import assert_error, bearer, register

PROFILES = "/api/auth/profiles"


def _claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, read without checking the signature."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


async def _profile_rows(settings: Settings, user_id: str) -> list[asyncpg.Record]:
    url = str(settings.database_url).replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetch(
            "SELECT * FROM profiles WHERE user_id = $1 ORDER BY created_at, id", uuid.UUID(user_id)
        )
    finally:
        await connection.close()


async def _list(api: httpx.AsyncClient, tokens: dict[str, Any]) -> list[dict[str, Any]]:
    response = await api.get(PROFILES, headers=bearer(tokens))
    assert response.status_code == 200, response.text
    return response.json()


async def _create(api: httpx.AsyncClient, tokens: dict[str, Any], **fields: Any) -> dict[str, Any]:
    response = await api.post(PROFILES, headers=bearer(tokens), json=fields)
    assert response.status_code == 201, response.text
    return response.json()


async def _update(
    api: httpx.AsyncClient, tokens: dict[str, Any], profile_id: str, **fields: Any
) -> httpx.Response:
    return await api.put(f"{PROFILES}/{profile_id}", headers=bearer(tokens), json=fields)


# --- create, list, update, delete ---------------------------------------------------------


async def test_a_new_profile_gets_the_defaults(api: httpx.AsyncClient) -> None:
    tokens = await register(api)
    created = await _create(api, tokens, name="Asha")
    assert created["name"] == "Asha"
    assert created["maturity_rating"] == "PG-13"
    assert created["language_preference"] == "en"
    assert created["is_kids"] is False
    assert created["avatar_url"] is None
    uuid.UUID(created["id"])
    listed = await _list(api, tokens)
    assert [p["id"] for p in listed] == [tokens["profile_id"], created["id"]]
    assert listed[1] == created


@pytest.mark.parametrize("rating", ["G", "PG", "PG-13", "R", "NC-17"])
@pytest.mark.parametrize("language", ["en", "hi"])
async def test_a_profile_keeps_every_field_it_was_given(
    api: httpx.AsyncClient, settings: Settings, rating: str, language: str
) -> None:
    tokens = await register(api)
    fields = {
        "name": "दादी माँ",
        "avatar_url": "https://cdn.example.com/avatars/7.png",
        "maturity_rating": rating,
        "language_preference": language,
        "is_kids": False,
    }
    created = await _create(api, tokens, **fields)
    assert {k: created[k] for k in fields} == fields
    listed = {p["id"]: p for p in await _list(api, tokens)}
    assert {k: listed[created["id"]][k] for k in fields} == fields
    rows = await _profile_rows(settings, tokens["user"]["id"])
    stored = next(r for r in rows if str(r["id"]) == created["id"])
    assert (stored["maturity_rating"], stored["language_preference"]) == (rating, language)


async def test_a_relative_avatar_path_is_accepted(api: httpx.AsyncClient) -> None:
    tokens = await register(api)
    created = await _create(api, tokens, name="Ravi", avatar_url="/static/avatars/3.png")
    assert created["avatar_url"] == "/static/avatars/3.png"


async def test_update_changes_only_the_fields_sent(api: httpx.AsyncClient) -> None:
    tokens = await register(api)
    created = await _create(
        api, tokens, name="Meera", avatar_url="https://cdn.example.com/m.png", maturity_rating="R"
    )
    response = await _update(api, tokens, created["id"], name="Meera S")
    assert response.status_code == 200, response.text
    assert response.json() == {**created, "name": "Meera S"}

    response = await _update(
        api, tokens, created["id"], maturity_rating="G", language_preference="hi", avatar_url=None
    )
    assert response.status_code == 200, response.text
    expected = {
        **created,
        "name": "Meera S",
        "maturity_rating": "G",
        "language_preference": "hi",
        "avatar_url": None,
    }
    assert response.json() == expected
    listed = {p["id"]: p for p in await _list(api, tokens)}
    assert listed[created["id"]] == expected


async def test_an_empty_update_changes_nothing(api: httpx.AsyncClient) -> None:
    tokens = await register(api)
    created = await _create(api, tokens, name="Kabir", maturity_rating="NC-17")
    response = await _update(api, tokens, created["id"])
    assert response.status_code == 200, response.text
    assert response.json() == created


async def test_delete_removes_the_profile(api: httpx.AsyncClient, settings: Settings) -> None:
    tokens = await register(api)
    created = await _create(api, tokens, name="Guest")
    response = await api.delete(f"{PROFILES}/{created['id']}", headers=bearer(tokens))
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert [p["id"] for p in await _list(api, tokens)] == [tokens["profile_id"]]
    assert len(await _profile_rows(settings, tokens["user"]["id"])) == 1
    again = await api.delete(f"{PROFILES}/{created['id']}", headers=bearer(tokens))
    assert_error(again, 404, "not_found")


async def test_the_last_profile_cannot_be_deleted(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    tokens = await register(api)
    response = await api.delete(f"{PROFILES}/{tokens['profile_id']}", headers=bearer(tokens))
    assert_error(response, 409, "last_profile")
    assert [p["id"] for p in await _list(api, tokens)] == [tokens["profile_id"]]
    assert len(await _profile_rows(settings, tokens["user"]["id"])) == 1


async def test_of_two_profiles_one_can_be_deleted_but_not_the_second(
    api: httpx.AsyncClient,
) -> None:
    tokens = await register(api)
    other = await _create(api, tokens, name="Second")
    first = await api.delete(f"{PROFILES}/{tokens['profile_id']}", headers=bearer(tokens))
    assert first.status_code == 204, first.text
    second = await api.delete(f"{PROFILES}/{other['id']}", headers=bearer(tokens))
    assert_error(second, 409, "last_profile")
    assert [p["id"] for p in await _list(api, tokens)] == [other["id"]]


# --- the limit of five --------------------------------------------------------------------


async def test_the_sixth_profile_is_refused(api: httpx.AsyncClient, settings: Settings) -> None:
    tokens = await register(api)
    for i in range(4):
        await _create(api, tokens, name=f"Profile {i}")
    before = await _list(api, tokens)
    assert len(before) == 5
    response = await api.post(PROFILES, headers=bearer(tokens), json={"name": "Sixth"})
    assert_error(response, 409, "profile_limit_reached")
    assert await _list(api, tokens) == before
    rows = await _profile_rows(settings, tokens["user"]["id"])
    assert len(rows) == 5
    assert "Sixth" not in [r["name"] for r in rows]


async def test_a_deleted_profile_frees_a_place(api: httpx.AsyncClient) -> None:
    tokens = await register(api)
    created = [await _create(api, tokens, name=f"P{i}") for i in range(4)]
    full = await api.post(PROFILES, headers=bearer(tokens), json={"name": "Late"})
    assert_error(full, 409, "profile_limit_reached")
    deleted = await api.delete(f"{PROFILES}/{created[0]['id']}", headers=bearer(tokens))
    assert deleted.status_code == 204, deleted.text
    await _create(api, tokens, name="Late")
    assert len(await _list(api, tokens)) == 5


async def test_concurrent_creations_never_pass_the_limit(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    tokens = await register(api)
    responses = await asyncio.gather(
        *(api.post(PROFILES, headers=bearer(tokens), json={"name": f"Racer {i}"}) for i in range(8))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * 4 + [409] * 4, [r.text for r in responses]
    for response in responses:
        if response.status_code == 409:
            assert_error(response, 409, "profile_limit_reached")
    assert len(await _list(api, tokens)) == 5
    assert len(await _profile_rows(settings, tokens["user"]["id"])) == 5


# --- kids profiles ------------------------------------------------------------------------


async def test_a_kids_profile_defaults_to_pg(api: httpx.AsyncClient) -> None:
    tokens = await register(api)
    created = await _create(api, tokens, name="Chotu", is_kids=True)
    assert created["is_kids"] is True
    assert created["maturity_rating"] == "PG"


@pytest.mark.parametrize("rating", ["G", "PG"])
async def test_a_kids_profile_may_be_rated_up_to_pg(api: httpx.AsyncClient, rating: str) -> None:
    tokens = await register(api)
    created = await _create(api, tokens, name="Kid", is_kids=True, maturity_rating=rating)
    assert created["maturity_rating"] == rating


@pytest.mark.parametrize("rating", ["PG-13", "R", "NC-17"])
async def test_a_kids_profile_cannot_be_rated_above_pg(
    api: httpx.AsyncClient, settings: Settings, rating: str
) -> None:
    tokens = await register(api)
    response = await api.post(
        PROFILES,
        headers=bearer(tokens),
        json={"name": "Kid", "is_kids": True, "maturity_rating": rating},
    )
    error = assert_error(response, 422, "kids_rating_too_high")
    assert any(d["field"] == "maturity_rating" for d in error["details"]), error
    assert len(await _profile_rows(settings, tokens["user"]["id"])) == 1


async def test_raising_a_kids_profile_to_r_is_refused(api: httpx.AsyncClient) -> None:
    tokens = await register(api)
    kid = await _create(api, tokens, name="Kid", is_kids=True)
    response = await _update(api, tokens, kid["id"], maturity_rating="R")
    assert_error(response, 422, "kids_rating_too_high")
    listed = {p["id"]: p for p in await _list(api, tokens)}
    assert listed[kid["id"]] == kid


async def test_making_an_r_profile_a_kids_profile_lowers_it_to_pg(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    tokens = await register(api)
    adult = await _create(api, tokens, name="Dad", maturity_rating="R")
    response = await _update(api, tokens, adult["id"], is_kids=True)
    assert response.status_code == 200, response.text
    assert response.json()["is_kids"] is True
    assert response.json()["maturity_rating"] == "PG"
    rows = await _profile_rows(settings, tokens["user"]["id"])
    stored = next(r for r in rows if str(r["id"]) == adult["id"])
    assert (stored["is_kids"], stored["maturity_rating"]) == (True, "PG")


async def test_making_a_g_profile_a_kids_profile_keeps_g(api: httpx.AsyncClient) -> None:
    tokens = await register(api)
    gentle = await _create(api, tokens, name="Gentle", maturity_rating="G")
    response = await _update(api, tokens, gentle["id"], is_kids=True)
    assert response.status_code == 200, response.text
    assert response.json()["maturity_rating"] == "G"


async def test_making_a_profile_kids_with_a_high_rating_in_the_same_request_is_refused(
    api: httpx.AsyncClient,
) -> None:
    tokens = await register(api)
    adult = await _create(api, tokens, name="Mum")
    response = await _update(api, tokens, adult["id"], is_kids=True, maturity_rating="PG-13")
    assert_error(response, 422, "kids_rating_too_high")
    listed = {p["id"]: p for p in await _list(api, tokens)}
    assert listed[adult["id"]] == adult


async def test_a_kids_profile_made_adult_may_be_rated_r(api: httpx.AsyncClient) -> None:
    tokens = await register(api)
    kid = await _create(api, tokens, name="Grown up", is_kids=True)
    response = await _update(api, tokens, kid["id"], is_kids=False, maturity_rating="R")
    assert response.status_code == 200, response.text
    assert (response.json()["is_kids"], response.json()["maturity_rating"]) == (False, "R")


# --- isolation between accounts -----------------------------------------------------------


async def test_another_account_cannot_see_or_touch_a_profile(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    alice = await register(api)
    bob = await register(api)
    mine = await _create(api, alice, name="Alice's", maturity_rating="R", language_preference="hi")
    before = await _list(api, alice)

    assert mine["id"] not in [p["id"] for p in await _list(api, bob)]
    target = f"{PROFILES}/{mine['id']}"
    updated = await api.put(target, headers=bearer(bob), json={"name": "Taken over"})
    assert_error(updated, 404, "not_found")
    deleted = await api.delete(target, headers=bearer(bob))
    assert_error(deleted, 404, "not_found")
    selected = await api.post(f"{target}/select", headers=bearer(bob))
    assert_error(selected, 404, "not_found")
    # Alice's first profile too, which is the last one Bob would not be allowed to delete anyway.
    deleted_first = await api.delete(f"{PROFILES}/{alice['profile_id']}", headers=bearer(bob))
    assert_error(deleted_first, 404, "not_found")

    assert await _list(api, alice) == before
    assert len(await _profile_rows(settings, alice["user"]["id"])) == 2
    assert len(await _profile_rows(settings, bob["user"]["id"])) == 1


# --- choosing who is watching -------------------------------------------------------------


async def test_select_issues_tokens_for_that_profile(api: httpx.AsyncClient) -> None:
    tokens = await register(api)
    teen = await _create(api, tokens, name="Teen", maturity_rating="R", language_preference="hi")
    assert _claims(tokens["access_token"])["pid"] == tokens["profile_id"]

    response = await api.post(f"{PROFILES}/{teen['id']}/select", headers=bearer(tokens))
    assert response.status_code == 200, response.text
    selected = response.json()
    assert selected["profile_id"] == teen["id"]
    assert selected["user"]["id"] == tokens["user"]["id"]
    claims = _claims(selected["access_token"])
    assert (claims["pid"], claims["mat"], claims["lang"]) == (teen["id"], "R", "hi")
    assert claims["sub"] == tokens["user"]["id"]
    assert claims["sid"] == _claims(tokens["access_token"])["sid"]  # same session, rebound

    me = await api.get("/api/auth/me", headers=bearer(selected))
    assert me.status_code == 200, me.text

    # The session stays bound to the chosen profile across a refresh.
    refreshed = await api.post(
        "/api/auth/refresh", json={"refresh_token": selected["refresh_token"]}
    )
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["profile_id"] == teen["id"]
    assert _claims(refreshed.json()["access_token"])["mat"] == "R"


async def test_select_of_a_kids_profile_carries_its_rating(api: httpx.AsyncClient) -> None:
    tokens = await register(api)
    kid = await _create(api, tokens, name="Kiddo", is_kids=True, maturity_rating="G")
    response = await api.post(f"{PROFILES}/{kid['id']}/select", headers=bearer(tokens))
    assert response.status_code == 200, response.text
    claims = _claims(response.json()["access_token"])
    assert (claims["pid"], claims["mat"], claims["lang"]) == (kid["id"], "G", "en")


async def test_after_select_the_old_refresh_token_revokes_the_session(
    api: httpx.AsyncClient,
) -> None:
    tokens = await register(api)
    other = await _create(api, tokens, name="Other")
    response = await api.post(f"{PROFILES}/{other['id']}/select", headers=bearer(tokens))
    assert response.status_code == 200, response.text
    selected = response.json()

    stale = await api.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert_error(stale, 401, "refresh_token_reused")
    # Presenting an earlier generation ends the whole session: the new tokens die with it.
    fresh = await api.post("/api/auth/refresh", json={"refresh_token": selected["refresh_token"]})
    assert_error(fresh, 401, "session_revoked")
    me = await api.get("/api/auth/me", headers=bearer(selected))
    assert_error(me, 401, "session_revoked")


# --- bad input ----------------------------------------------------------------------------


async def test_an_unknown_profile_is_not_found(api: httpx.AsyncClient) -> None:
    tokens = await register(api)
    target = f"{PROFILES}/{uuid.uuid4()}"
    assert_error(await api.put(target, headers=bearer(tokens), json={"name": "X"}), 404)
    assert_error(await api.delete(target, headers=bearer(tokens)), 404, "not_found")
    assert_error(await api.post(f"{target}/select", headers=bearer(tokens)), 404, "not_found")


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "123", "1' OR '1'='1"])
async def test_a_malformed_profile_id_is_a_validation_error(
    api: httpx.AsyncClient, bad_id: str
) -> None:
    tokens = await register(api)
    target = f"{PROFILES}/{bad_id}"
    assert_error(await api.put(target, headers=bearer(tokens), json={"name": "X"}), 422)
    assert_error(await api.delete(target, headers=bearer(tokens)), 422, "validation_error")
    selected = await api.post(f"{target}/select", headers=bearer(tokens))
    assert_error(selected, 422, "validation_error")
    assert len(await _list(api, tokens)) == 1


BAD_PROFILE_FIELDS: list[Any] = [
    pytest.param({"name": ""}, id="empty-name"),
    pytest.param({"name": "   "}, id="blank-name"),
    pytest.param({"name": "x" * 101}, id="name-101-chars"),
    pytest.param({"name": "a\x00b"}, id="name-nul"),
    pytest.param({"name": "a\nb"}, id="name-newline"),
    pytest.param({"name": "a\tb"}, id="name-tab"),
    pytest.param({"name": "\x1b[31mred"}, id="name-escape"),
    pytest.param({"name": "a\x7fb"}, id="name-del"),
    pytest.param({"name": "a\x85b"}, id="name-c1-control"),
    pytest.param({"name": 5}, id="name-number"),
    pytest.param({"name": ["x"]}, id="name-list"),
    pytest.param({"avatar_url": "javascript:alert(1)"}, id="avatar-javascript"),
    pytest.param({"avatar_url": "data:image/png;base64,AAAA"}, id="avatar-data"),
    pytest.param({"avatar_url": 'https://x.example/a.png" onerror="x'}, id="avatar-quote"),
    pytest.param({"avatar_url": "https://x.example/a\n.png"}, id="avatar-newline"),
    pytest.param({"avatar_url": "https://x.example/" + "a" * 500}, id="avatar-too-long"),
    pytest.param({"maturity_rating": "X"}, id="rating-unknown"),
    pytest.param({"maturity_rating": "pg"}, id="rating-lowercase"),
    pytest.param({"language_preference": "fr"}, id="language-unknown"),
    pytest.param({"is_kids": "maybe"}, id="kids-not-bool"),
    pytest.param({"is_kids": [True]}, id="kids-list"),
    pytest.param({"role": "admin"}, id="unknown-field"),
    pytest.param({"user_id": str(uuid.uuid4())}, id="foreign-user-id"),
]


@pytest.mark.parametrize("fields", BAD_PROFILE_FIELDS)
async def test_bad_profile_creations_are_refused_and_change_nothing(
    api: httpx.AsyncClient, settings: Settings, fields: dict[str, Any]
) -> None:
    tokens = await register(api)
    response = await api.post(PROFILES, headers=bearer(tokens), json={"name": "Ok", **fields})
    assert_error(response, 422, "validation_error")
    assert [p["id"] for p in await _list(api, tokens)] == [tokens["profile_id"]]
    assert len(await _profile_rows(settings, tokens["user"]["id"])) == 1


@pytest.mark.parametrize(
    "fields",
    [
        *BAD_PROFILE_FIELDS,
        pytest.param({"name": None}, id="null-name"),
        pytest.param({"is_kids": None}, id="null-kids"),
    ],
)
async def test_bad_profile_updates_are_refused_and_change_nothing(
    api: httpx.AsyncClient, fields: dict[str, Any]
) -> None:
    tokens = await register(api)
    created = await _create(api, tokens, name="Stable", avatar_url="/a.png", maturity_rating="R")
    response = await _update(api, tokens, created["id"], **fields)
    assert_error(response, 422, "validation_error")
    listed = {p["id"]: p for p in await _list(api, tokens)}
    assert listed[created["id"]] == created


@pytest.mark.parametrize(
    "body", [b"{not json", b"[]", b'"name"', b"null"], ids=["malformed", "list", "string", "null"]
)
async def test_a_body_that_is_not_an_object_is_refused(
    api: httpx.AsyncClient, settings: Settings, body: bytes
) -> None:
    tokens = await register(api)
    headers = {**bearer(tokens), "content-type": "application/json"}
    response = await api.post(PROFILES, headers=headers, content=body)
    assert response.status_code in (400, 422), response.text
    assert_error(response, response.status_code)
    assert len(await _profile_rows(settings, tokens["user"]["id"])) == 1


async def test_a_name_of_100_characters_is_accepted(api: httpx.AsyncClient) -> None:
    tokens = await register(api)
    created = await _create(api, tokens, name="é" * 100)
    assert created["name"] == "é" * 100


async def test_surrounding_whitespace_of_a_name_is_trimmed(api: httpx.AsyncClient) -> None:
    tokens = await register(api)
    created = await _create(api, tokens, name="  Nani  ")
    assert created["name"] == "Nani"


# --- authentication -----------------------------------------------------------------------


def _profile_calls(profile_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("GET", PROFILES, None),
        ("POST", PROFILES, {"name": "Intruder"}),
        ("PUT", f"{PROFILES}/{profile_id}", {"name": "Intruder"}),
        ("DELETE", f"{PROFILES}/{profile_id}", None),
        ("POST", f"{PROFILES}/{profile_id}/select", None),
    ]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not.a.jwt"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
    ids=["no-token", "garbage-token", "basic-auth"],
)
async def test_profile_endpoints_need_a_valid_token(
    api: httpx.AsyncClient, settings: Settings, headers: dict[str, str]
) -> None:
    tokens = await register(api)
    extra = await _create(api, tokens, name="Target")
    before = await _list(api, tokens)
    for method, url, body in _profile_calls(extra["id"]):
        response = await api.request(method, url, headers=headers, json=body)
        assert_error(response, 401)
        assert response.headers.get("www-authenticate", "").lower().startswith("bearer")
    assert await _list(api, tokens) == before
    assert len(await _profile_rows(settings, tokens["user"]["id"])) == 2


async def test_profile_endpoints_refuse_a_logged_out_session(api: httpx.AsyncClient) -> None:
    tokens = await register(api)
    extra = await _create(api, tokens, name="Target")
    logout = await api.post("/api/auth/logout", headers=bearer(tokens))
    assert logout.status_code == 204, logout.text
    for method, url, body in _profile_calls(extra["id"]):
        response = await api.request(method, url, headers=bearer(tokens), json=body)
        assert_error(response, 401, "session_revoked")
