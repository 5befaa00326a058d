"""The web app's typed API client is generated from `web/openapi.json`; that file must be the
document the gateway serves now, or the client is stale against the API."""

from __future__ import annotations

import difflib
from typing import Any

import httpx
import pytest

from ott.cli.openapi import render
from ott.core.settings import REPO_ROOT, Settings
from ott.gateway.app import openapi_document

COMMITTED = REPO_ROOT / "web" / "openapi.json"
HOW_TO_REFRESH = "run `ott openapi -o web/openapi.json` and `npm run api:generate` in web/"


@pytest.fixture(scope="module")
async def built(settings: Settings) -> dict[str, Any]:
    return await openapi_document(settings)


async def test_the_offline_document_is_the_one_the_gateway_serves(
    built: dict[str, Any], api: httpx.AsyncClient
) -> None:
    served = await api.get("/api/openapi.json")
    assert served.status_code == 200
    assert render(served.json()) == render(built)


def test_rendering_is_stable() -> None:
    text = render({"b": [1, {"d": "हिंदी", "c": None}], "a": {}})
    assert text.splitlines() == [
        "{",
        '  "a": {},',
        '  "b": [',
        "    1,",
        "    {",
        '      "c": null,',
        '      "d": "हिंदी"',
        "    }",
        "  ]",
        "}",
    ]
    assert text.endswith("}\n")


async def test_the_web_clients_document_is_fresh(built: dict[str, Any]) -> None:
    if not COMMITTED.exists():
        pytest.skip(f"{COMMITTED.relative_to(REPO_ROOT)} is not in this tree yet (web/ adds it)")
    committed = COMMITTED.read_text(encoding="utf-8")
    current = render(built)
    if committed != current:
        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    current.splitlines(keepends=True),
                    "web/openapi.json (committed)",
                    "the API now",
                    n=1,
                )
            )[:60]
        )
        pytest.fail(f"web/openapi.json is stale: {HOW_TO_REFRESH}\n{diff}", pytrace=False)
