"""A NUL in any text a client sends is refused as a validation error (or a malformed header),
whichever service it reaches: PostgreSQL cannot store one, and it used to be a 500 there."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import httpx
import pytest

from ott.auth.service import set_roles
from ott.core.app_context import AppContext
from ott.core.identity import Role
from ott.core.settings import Settings
from tests.conftest import TEST_PASSWORD, assert_error, bearer, register, unique_email

NUL = "\x00"


@pytest.fixture(scope="module")
async def admin(api: httpx.AsyncClient, settings: Settings) -> dict[str, str]:
    email = unique_email("nul-admin")
    tokens = await register(api, email)
    resources = AppContext.open(settings)
    try:
        async with resources.sessionmaker() as db, db.begin():
            await set_roles(db=db, user_id=uuid.UUID(tokens["user"]["id"]), roles=[Role.ADMIN])
    finally:
        await resources.close()
    login = await api.post("/api/auth/login", json={"email": email, "password": TEST_PASSWORD})
    assert login.status_code == 200, login.text
    return bearer(login.json())


def _title(**fields: Any) -> dict[str, Any]:
    return {"type": "movie", "title": "A title", **fields}


def _metadata(**pairs: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in pairs.items())


# (method, path, keyword arguments of the request, the status)
REQUESTS: dict[str, tuple[str, str, dict[str, Any], int]] = {
    "register email": (
        "POST",
        "/api/auth/register",
        {"json": {"email": f"a{NUL}b@example.com", "password": TEST_PASSWORD}},
        422,
    ),
    "login email": (
        "POST",
        "/api/auth/login",
        {"json": {"email": f"a{NUL}b@example.com", "password": TEST_PASSWORD}},
        422,
    ),
    "profile name": ("POST", "/api/auth/profiles", {"json": {"name": f"Kid{NUL}"}}, 422),
    "search": ("GET", "/api/catalog/search", {"params": {"q": f"dark{NUL}"}}, 422),
    "cms title": ("POST", "/api/cms/content", {"json": _title(title=f"Bad{NUL}")}, 422),
    "cms person": ("POST", "/api/cms/content", {"json": _title(people=[f"A{NUL}"])}, 422),
    "cms external id": ("POST", "/api/cms/content", {"json": _title(external_id=NUL)}, 422),
    "bulk json": (
        "POST",
        "/api/cms/content/bulk-upload",
        {
            "content": json.dumps({"titles": [_title(external_id="x", title=f"T{NUL}")]}),
            "headers": {"content-type": "application/json"},
        },
        422,
    ),
    "bulk csv": (
        "POST",
        "/api/cms/content/bulk-upload",
        {
            "content": f"external_id,type,title\nx{NUL},movie,T{NUL}\n",
            "headers": {"content-type": "text/csv"},
        },
        422,
    ),
    "upload metadata": (
        "POST",
        "/api/cms/uploads",
        {
            "headers": {
                "tus-resumable": "1.0.0",
                "upload-length": "1",
                "upload-metadata": _metadata(kind="video", label=NUL),
            }
        },
        400,  # a malformed header, as the other bad Upload-Metadata values
    ),
}


@pytest.mark.parametrize("name", REQUESTS)
async def test_a_nul_in_text_is_refused(
    api: httpx.AsyncClient, admin: dict[str, str], name: str
) -> None:
    method, path, options, status = REQUESTS[name]
    headers = {**admin, **options.get("headers", {})}
    response = await api.request(method, path, **{**options, "headers": headers})
    assert_error(response, status)
