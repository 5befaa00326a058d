"""Ad service test helpers: a gateway on a database of the suite's own (so its workers and
campaigns never meet another suite's), admins and viewers, titles made as the CMS publishes
them (tests.catalog's `Catalog`), campaigns through the API, ready creatives as the pipeline
leaves them, and the two checks every emitted document goes through: the IAB's VAST 4.2
schema (read from ../shared/data/iab-vast, never copied) and the npm parsers players use
(parse_ads.mjs, run with the machine's Node.js).

The schema is checked with xmlschema: lxml's validator (libxml2) refuses the [ERRORCODE] macro
of VAST's Error URLs, which the VAST specification itself uses, because libxml2 parses anyURI
as an RFC 3986 URI, while the XML Schema datatype admits it (XSD 1.0 §3.2.17: the value need
only be a URI once escaped).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import xmlschema

from ott.ads.models import Creative
from ott.ads.status import CreativeStatus
from ott.core.app_context import AppContext
from ott.core.identity import Role
from ott.core.settings import Settings
from tests.catalog.conftest import COUNTRIES, Catalog, viewer
from tests.cms.conftest import User, make_user
from tests.conftest import own_database, shared_data, start_gateway

REPO = Path(__file__).resolve().parents[2]
VAST_XSD = shared_data("iab-vast", "vast_4.2.xsd")
PARSER = Path(__file__).with_name("parse_ads.mjs")
ADS = "/api/ads"


@pytest.fixture(scope="package")
def ads_settings(settings: Settings) -> Iterator[Settings]:
    with own_database(
        settings,
        "ads",
        redis_key_prefix=f"{settings.redis_key_prefix}ads-{uuid.uuid4().hex[:6]}:",
        catalog_cache_seconds=0.0,
        ads_inventory_cache_seconds=0.0,
        ads_flush_seconds=3600.0,  # tests flush when they mean to
        ads_midroll_every_minutes=10.0,
    ) as own:
        yield own


@pytest.fixture(scope="package")
async def aapi(ads_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    client, lifespan = await start_gateway(ads_settings)
    yield client
    await client.aclose()
    await lifespan.__aexit__(None, None, None)


@pytest.fixture(scope="package")
async def resources(ads_settings: Settings) -> AsyncIterator[AppContext]:
    opened = AppContext.open(ads_settings)
    yield opened
    await opened.close()


@pytest.fixture
def country() -> str:
    return next(COUNTRIES)


@pytest.fixture
def catalog(resources: AppContext, country: str) -> Catalog:
    return Catalog(resources, country)


@pytest.fixture
async def admin(aapi: httpx.AsyncClient, resources: AppContext) -> User:
    return await make_user(aapi, resources, Role.ADMIN, tag="ads-admin")


class Watcher:
    def __init__(self, tokens: dict[str, Any], country: str) -> None:
        self.tokens = tokens
        self.country = country

    @property
    def headers(self) -> dict[str, str]:
        return {
            "X-Viewer-Country": self.country,
            "Authorization": f"Bearer {self.tokens['access_token']}",
        }


async def watcher(client: httpx.AsyncClient, catalog: Catalog, *, premium: bool = False) -> Watcher:
    """A viewer watching as a selected profile; with `premium`, subscribed to Premium (no ads)
    through the development checkout."""
    tokens = await viewer(client, premium=premium)
    return Watcher(tokens, catalog.country)


# --- inventory ----------------------------------------------------------------------------


async def advertiser(client: httpx.AsyncClient, admin: User, name: str | None = None) -> str:
    response = await client.post(
        f"{ADS}/advertisers",
        headers=admin.headers,
        json={"name": name or f"Advertiser {uuid.uuid4().hex[:8]}", "domain": "acme.example"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def campaign_body(advertiser_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "advertiser_id": advertiser_id,
        "name": f"Campaign {uuid.uuid4().hex[:6]}",
        "starts_at": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
        "pacing": "asap",
        "click_through_url": "https://acme.example/offer",
        **fields,
    }


async def campaign(
    client: httpx.AsyncClient, admin: User, *, activate: bool = True, **fields: Any
) -> dict[str, Any]:
    """A campaign of a new advertiser, active unless told; targeted at `country` if given
    (tests each have a country of their own, so they never see each other's campaigns)."""
    advertiser_id = fields.pop("advertiser_id", None) or await advertiser(client, admin)
    response = await client.post(
        f"{ADS}/campaigns", headers=admin.headers, json=campaign_body(advertiser_id, **fields)
    )
    assert response.status_code == 201, response.text
    created = response.json()
    if activate:
        response = await client.post(
            f"{ADS}/campaigns/{created['id']}/actions/activate", headers=admin.headers
        )
        assert response.status_code == 200, response.text
        created = response.json()
    return created


async def ready_creative(
    resources: AppContext,
    campaign_id: str,
    *,
    title: str = "A creative",
    seconds: float = 8.0,
    rungs: tuple[tuple[int, int, int], ...] = ((256, 144, 210), (640, 360, 480)),
) -> str:
    """A creative as `creatives.sync` leaves it once its encoding has succeeded."""
    creative_id = uuid.uuid4()
    encoding_id = uuid.uuid4()
    async with resources.sessionmaker() as db, db.begin():
        db.add(
            Creative(
                id=creative_id,
                campaign_id=uuid.UUID(campaign_id),
                title=title,
                status=CreativeStatus.READY,
                encoding_id=encoding_id,
                duration_seconds=seconds,
                folder=f"videos/{creative_id}/{encoding_id}",
                media_files=[
                    {
                        "url": f"ad_{h}p.m3u8",
                        "width": w,
                        "height": h,
                        "bitrate": kbps,
                        "type": "application/x-mpegURL",
                        "delivery": "streaming",
                        "codec": "avc1.64001e,mp4a.40.2",
                    }
                    for w, h, kbps in rungs
                ],
            )
        )
    return str(creative_id)


# --- documents ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def vast_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(VAST_XSD))


def assert_valid_vast(document: bytes | str) -> None:
    """Every VAST the service emits goes through this: the IAB's VAST 4.2 schema."""
    text = document.decode() if isinstance(document, bytes) else document
    errors = [f"{e.path}: {e.reason}" for e in vast_schema().iter_errors(text)]
    assert not errors, "\n".join(errors)


def node() -> str:
    found = os.environ.get("OTT_NODE") or shutil.which("node")
    if found is None:
        pytest.skip("no node on PATH (nor OTT_NODE): the players' parsers need Node.js")
    return found


def players_read(kind: str, document: bytes | str) -> dict[str, Any]:
    """What @dailymotion/vast-client ("vast") or @dailymotion/vmap ("vmap") read."""
    text = document.decode() if isinstance(document, bytes) else document
    modules = REPO / "web" / "node_modules" / "@dailymotion"
    missing = [name for name in ("vast-client", "vmap") if not (modules / name).is_dir()]
    assert not missing, f"web/node_modules lacks @dailymotion/{missing}: run npm ci in web/"
    done = subprocess.run(
        [node(), str(PARSER)],
        input=json.dumps({"kind": kind, "xml": text}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def break_token(tag_uri: str) -> str:
    return parse_qs(urlsplit(tag_uri).query)["b"][0]


def tracking_path(url: str) -> str:
    """A tracking URL as the gateway is asked for it (the [ERRORCODE] macro filled)."""
    return url.replace("[ERRORCODE]", "303")
