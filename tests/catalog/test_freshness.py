"""Edits in the CMS reach viewers of the catalog within a second, cache or not."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx

from ott.core.app_context import AppContext
from ott.core.identity import Role
from tests.catalog.conftest import Catalog
from tests.cms.conftest import CMS, make_user, movie

FRESHNESS_S = 1.0


async def _within_a_second(check: Callable[[], Awaitable[bool]]) -> float:
    loop = asyncio.get_running_loop()
    started = loop.time()
    while loop.time() - started < FRESHNESS_S:
        if await check():
            return loop.time() - started
        await asyncio.sleep(0.02)
    raise AssertionError("the catalog still served the old answer after a second")


async def test_publish_edit_and_archive_show_up_within_a_second(
    capi: httpx.AsyncClient, catalog: Catalog, resources: AppContext
) -> None:
    admin = await make_user(capi, resources, Role.ADMIN, tag="admin")
    reviewer = await make_user(capi, resources, Role.REVIEWER, tag="reviewer")  # a second person
    rules = [
        {
            "allowed_countries": [catalog.country],
            "blocked_countries": [],
            "starts_at": None,
            "ends_at": None,
            "tier": None,
        }
    ]
    body = movie(title="Fresh Paint", availability_rules=rules)
    created = await capi.post(CMS, json=body, headers=admin.headers)
    assert created.status_code == 201, created.text
    title_id, version = created.json()["id"], created.json()["version"]
    listing = "/api/catalog/content"

    async def titles() -> list[str]:
        response = await capi.get(listing, headers=catalog.headers())
        return [item["title"] for item in response.json()["items"]]

    assert await titles() == []  # cached now
    for action, actor in (("submit-review", admin), ("approve", reviewer), ("publish", admin)):
        response = await capi.post(
            f"{CMS}/{title_id}/{action}", json={"version": version}, headers=actor.headers
        )
        assert response.status_code == 200, response.text
        version = response.json()["version"]
    await _within_a_second(lambda: _equals(titles(), ["Fresh Paint"]))

    detail = f"/api/catalog/content/{title_id}"
    assert (await capi.get(detail, headers=catalog.headers())).json()["title"] == "Fresh Paint"
    edited = await capi.put(
        f"{CMS}/{title_id}",
        json={**body, "title": "Fresh Paint (Director's Cut)", "version": version},
        headers=admin.headers,
    )
    assert edited.status_code == 200, edited.text

    async def detail_title() -> str:
        return (await capi.get(detail, headers=catalog.headers())).json().get("title", "")

    await _within_a_second(lambda: _equals(detail_title(), "Fresh Paint (Director's Cut)"))
    archived = await capi.post(
        f"{CMS}/{title_id}/archive",
        json={"version": edited.json()["version"]},
        headers=admin.headers,
    )
    assert archived.status_code == 200, archived.text

    async def gone() -> bool:
        return (await capi.get(detail, headers=catalog.headers())).status_code == 404

    await _within_a_second(gone)


async def _equals(value: Awaitable[object], expected: object) -> bool:
    return await value == expected
