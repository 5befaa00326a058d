"""CMS test helpers: accounts with editorial roles, sample titles, and views of the tables."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from ott.auth.service import set_roles
from ott.core.app_context import AppContext
from ott.core.identity import Role
from ott.core.settings import Settings
from tests.conftest import TEST_PASSWORD, bearer, register, unique_email

CMS = "/api/cms/content"


@dataclass(frozen=True)
class User:
    id: str
    email: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Staff:
    editor: User
    other_editor: User
    reviewer: User
    admin: User
    viewer: User


@pytest.fixture(scope="session")
async def resources(settings: Settings) -> AsyncIterator[AppContext]:
    opened = AppContext.open(settings)
    yield opened
    await opened.close()


async def make_user(
    api: httpx.AsyncClient, resources: AppContext, *roles: Role, tag: str = "staff"
) -> User:
    """An account with these roles, signed in after they were given (roles ride in the token)."""
    email = unique_email(tag)
    tokens = await register(api, email)
    if roles:
        async with resources.sessionmaker() as db, db.begin():
            await set_roles(db=db, user_id=uuid.UUID(tokens["user"]["id"]), roles=list(roles))
        response = await api.post(
            "/api/auth/login", json={"email": email, "password": TEST_PASSWORD}
        )
        assert response.status_code == 200, response.text
        tokens = response.json()
    return User(id=tokens["user"]["id"], email=email, headers=bearer(tokens))


@pytest.fixture
async def staff(api: httpx.AsyncClient, resources: AppContext) -> Staff:
    return Staff(
        editor=await make_user(api, resources, Role.EDITOR, tag="editor"),
        other_editor=await make_user(api, resources, Role.EDITOR, tag="editor2"),
        reviewer=await make_user(api, resources, Role.REVIEWER, tag="reviewer"),
        admin=await make_user(api, resources, Role.ADMIN, tag="admin"),
        viewer=await make_user(api, resources, tag="viewer"),
    )


def ext_id(tag: str = "t") -> str:
    return f"{tag}-{uuid.uuid4().hex[:12]}"


def movie(**fields: Any) -> dict[str, Any]:
    return {
        "external_id": ext_id("movie"),
        "type": "movie",
        "title": "The Monsoon Wedding",
        "title_hi": "मानसून वेडिंग",
        "description": "A family gathers in Delhi.",
        "description_hi": None,
        "original_language": "hi",
        "release_date": "2001-08-30",
        "duration_minutes": 114,
        "maturity_rating": "PG-13",
        "genres": ["drama", "romance"],
        "people": ["Mira Nair", "Naseeruddin Shah"],
        "tier_requirement": "free",
        "available_from": None,
        "available_until": None,
        "availability_rules": [
            {
                "allowed_countries": ["IN", "US"],
                "blocked_countries": [],
                "starts_at": "2026-01-01T00:00:00Z",
                "ends_at": None,
                "tier": None,
            }
        ],
        "poster_url": "https://cdn.example.com/posters/mw.jpg",
        "thumbnail_url": None,
        "trailer_url": None,
        "popularity": 12.5,
        "seasons": [],
        **fields,
    }


def episode(number: int, **fields: Any) -> dict[str, Any]:
    return {
        "episode_number": number,
        "title": f"Episode {number}",
        "title_hi": f"एपिसोड {number}",
        "description": None,
        "description_hi": None,
        "duration_minutes": 45,
        "thumbnail_url": None,
        **fields,
    }


def show(seasons: int = 2, episodes: int = 3, **fields: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "external_id": ext_id("show"),
        "type": "tv_show",
        "title": "Sacred Games",
        "title_hi": "सेक्रेड गेम्स",
        "duration_minutes": None,
        "maturity_rating": "R",
        "genres": ["crime", "thriller"],
        "seasons": [
            {
                "season_number": s,
                "title": f"Season {s}",
                "title_hi": None,
                "release_date": f"201{7 + s}-07-06",
                "episodes": [episode(e) for e in range(1, episodes + 1)],
            }
            for s in range(1, seasons + 1)
        ],
    }
    return movie(**{**defaults, **fields})


async def create(api: httpx.AsyncClient, user: User, body: dict[str, Any]) -> dict[str, Any]:
    response = await api.post(CMS, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def act(
    api: httpx.AsyncClient, user: User, content_id: str, action: str, **body: Any
) -> httpx.Response:
    return await api.post(f"{CMS}/{content_id}/{action}", json=body or None, headers=user.headers)


async def fetch(api: httpx.AsyncClient, user: User, content_id: str) -> dict[str, Any]:
    response = await api.get(f"{CMS}/{content_id}", headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def to_state(
    api: httpx.AsyncClient, staff: Staff, body: dict[str, Any], state: str
) -> dict[str, Any]:
    """A title created by staff.editor and moved to `state`."""
    view = await create(api, staff.editor, body)
    steps = {
        "draft": [],
        "pending_review": [("submit-review", staff.editor)],
        "approved": [("submit-review", staff.editor), ("approve", staff.reviewer)],
        "published": [
            ("submit-review", staff.editor),
            ("approve", staff.reviewer),
            ("publish", staff.admin),
        ],
        "archived": [("archive", staff.admin)],
    }[state]
    for action, user in steps:
        response = await act(api, user, view["id"], action)
        assert response.status_code == 200, response.text
        view = response.json()
    assert view["workflow_state"] == state
    return view


# --- what the tables hold -----------------------------------------------------------------

_TITLE_TABLES = {
    "content": "SELECT * FROM content WHERE id = :id",
    "versions": "SELECT * FROM content_versions WHERE content_id = :id ORDER BY version_number",
    "genres": "SELECT * FROM content_genres WHERE content_id = :id ORDER BY genre_id",
    "rules": "SELECT * FROM availability_rules WHERE content_id = :id ORDER BY id",
    "seasons": "SELECT * FROM seasons WHERE content_id = :id ORDER BY season_number",
    "episodes": (
        "SELECT e.* FROM episodes e JOIN seasons s ON s.id = e.season_id "
        "WHERE s.content_id = :id ORDER BY s.season_number, e.episode_number"
    ),
}


async def title_rows(resources: AppContext, content_id: str) -> dict[str, list[dict[str, Any]]]:
    """Every row that belongs to a title, to assert that a refused request changed nothing."""
    async with resources.sessionmaker() as db:
        out = {}
        for name, sql in _TITLE_TABLES.items():
            result = await db.execute(text(sql), {"id": uuid.UUID(content_id)})
            out[name] = [dict(row._mapping) for row in result]
        return out


async def table_counts(resources: AppContext) -> dict[str, int]:
    async with resources.sessionmaker() as db:
        counts = {}
        for table in (
            "content",
            "content_versions",
            "content_genres",
            "availability_rules",
            "seasons",
            "episodes",
        ):
            counts[table] = await db.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608
        return counts


async def content_by_external_id(resources: AppContext, external_ids: list[str]) -> list[Any]:
    async with resources.sessionmaker() as db:
        result = await db.execute(
            text("SELECT * FROM content WHERE external_id = ANY(:ids) ORDER BY external_id"),
            {"ids": external_ids},
        )
        return [dict(row._mapping) for row in result]
