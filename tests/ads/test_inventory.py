"""Inventory routes: admins only; advertisers, campaigns (lifecycle, validation), creatives
from uploads, stats; bad input answers 4xx and changes nothing. And the ad tables as migrated
are the models' tables."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from ott.ads import models
from ott.core.app_context import AppContext
from ott.migrations.metadata import target_metadata
from tests.ads.conftest import ADS, advertiser, campaign, campaign_body, watcher
from tests.catalog.conftest import Catalog
from tests.cms.conftest import User, make_user
from tests.conftest import assert_error

TABLES = {m.__tablename__ for m in vars(models).values() if hasattr(m, "__table__")}


async def test_only_admins_manage_inventory(
    aapi: httpx.AsyncClient, resources: AppContext, catalog: Catalog
) -> None:
    who = await watcher(aapi, catalog)
    assert_error(await aapi.get(f"{ADS}/advertisers", headers=who.headers), 403)
    assert_error(await aapi.get(f"{ADS}/campaigns"), 401)
    from ott.core.identity import Role

    editor = await make_user(aapi, resources, Role.EDITOR, tag="ads-editor")
    assert_error(
        await aapi.post(f"{ADS}/advertisers", headers=editor.headers, json={"name": "X"}), 403
    )


async def test_advertisers(aapi: httpx.AsyncClient, admin: User) -> None:
    name = f"Acme {uuid.uuid4().hex[:6]}"
    advertiser_id = await advertiser(aapi, admin, name)
    assert_error(
        await aapi.post(f"{ADS}/advertisers", headers=admin.headers, json={"name": name}),
        409,
        "advertiser_exists",
    )
    assert_error(
        await aapi.post(f"{ADS}/advertisers", headers=admin.headers, json={"name": ""}), 422
    )
    patched = await aapi.patch(
        f"{ADS}/advertisers/{advertiser_id}", headers=admin.headers, json={"domain": "acme.example"}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["domain"] == "acme.example"
    listed = await aapi.get(f"{ADS}/advertisers", headers=admin.headers)
    assert advertiser_id in [a["id"] for a in listed.json()]
    await campaign(aapi, admin, advertiser_id=advertiser_id, activate=False)
    assert_error(
        await aapi.delete(f"{ADS}/advertisers/{advertiser_id}", headers=admin.headers),
        409,
        "advertiser_in_use",
    )
    spare = await advertiser(aapi, admin)
    assert (
        await aapi.delete(f"{ADS}/advertisers/{spare}", headers=admin.headers)
    ).status_code == 204
    assert_error(await aapi.get(f"{ADS}/advertisers/{spare}", headers=admin.headers), 404)


async def test_campaign_lifecycle_and_validation(aapi: httpx.AsyncClient, admin: User) -> None:
    advertiser_id = await advertiser(aapi, admin)
    bad: list[dict[str, Any]] = [
        {"kind": "wrapper"},  # no vast_tag_url
        {"vast_tag_url": "https://x.example/vast"},  # an inline campaign with one
        {"priority": 11},
        {"daily_goal": 0},
        {"starts_at": "2026-12-01T00:00:00"},  # no time zone
        {"targeting": {"countries": ["india"]}},
        {"targeting": {"devices": ["toaster"]}},
        {"click_through_url": "not a url"},
        {"ends_at": "2020-01-01T00:00:00Z"},  # before it starts
    ]
    for fields in bad:
        response = await aapi.post(
            f"{ADS}/campaigns", headers=admin.headers, json=campaign_body(advertiser_id, **fields)
        )
        assert_error(response, 422)
    unknown = campaign_body(str(uuid.uuid4()))
    assert_error(await aapi.post(f"{ADS}/campaigns", headers=admin.headers, json=unknown), 422)
    listed = await aapi.get(
        f"{ADS}/campaigns", headers=admin.headers, params={"advertiser_id": advertiser_id}
    )
    assert listed.json() == []  # nothing was made

    created = await campaign(aapi, admin, advertiser_id=advertiser_id, activate=False)
    assert created["status"] == "draft"
    path = f"{ADS}/campaigns/{created['id']}"
    assert_error(
        await aapi.post(f"{path}/actions/pause", headers=admin.headers), 409, "illegal_transition"
    )
    assert (await aapi.post(f"{path}/actions/activate", headers=admin.headers)).json()[
        "status"
    ] == "active"
    assert_error(await aapi.delete(path, headers=admin.headers), 409, "campaign_not_draft")
    patched = await aapi.patch(
        path,
        headers=admin.headers,
        json={
            "priority": 8,
            "targeting": {"genres": ["drama"], "devices": ["tv"]},
            "cap_per_day": 3,
        },
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert (body["priority"], body["cap_per_day"], body["version"]) == (8, 3, 3)
    assert body["targeting"]["genres"] == ["drama"]
    assert_error(await aapi.patch(path, headers=admin.headers, json={"name": None}), 422)
    assert (await aapi.post(f"{path}/actions/end", headers=admin.headers)).json()[
        "status"
    ] == "ended"
    assert_error(await aapi.post(f"{path}/actions/activate", headers=admin.headers), 409)
    assert_error(await aapi.patch(path, headers=admin.headers, json={"priority": 1}), 409)
    assert_error(await aapi.post(f"{path}/actions/explode", headers=admin.headers), 422)
    assert_error(await aapi.get(f"{ADS}/campaigns/{uuid.uuid4()}", headers=admin.headers), 404)
    draft = await campaign(aapi, admin, advertiser_id=advertiser_id, activate=False)
    assert (
        await aapi.delete(f"{ADS}/campaigns/{draft['id']}", headers=admin.headers)
    ).status_code == 204


async def test_creatives_bad_input(aapi: httpx.AsyncClient, admin: User) -> None:
    created = await campaign(aapi, admin, activate=False)
    path = f"{ADS}/campaigns/{created['id']}/creatives"
    body = {"title": "Spot", "source_upload_id": str(uuid.uuid4())}
    assert_error(await aapi.post(path, headers=admin.headers, json=body), 404)  # no such upload
    assert (await aapi.get(path, headers=admin.headers)).json() == []
    wrapper = await campaign(
        aapi, admin, kind="wrapper", vast_tag_url="https://x.example/vast", activate=False
    )
    assert_error(
        await aapi.post(
            f"{ADS}/campaigns/{wrapper['id']}/creatives", headers=admin.headers, json=body
        ),
        409,
        "wrapper_has_no_creatives",
    )
    assert_error(await aapi.get(f"{ADS}/creatives/{uuid.uuid4()}", headers=admin.headers), 404)
    assert_error(
        await aapi.get(f"{ADS}/campaigns/{uuid.uuid4()}/stats", headers=admin.headers), 404
    )


async def test_migrated_ad_tables_match_the_models(resources: AppContext) -> None:
    def differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, target_metadata))

    async with resources.engine.connect() as connection:
        found = await connection.run_sync(differences)
    names = TABLES | {"encodings"}
    ours = [d for d in found if any(name in repr(d) for name in names)]
    assert ours == []
