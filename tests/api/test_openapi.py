"""One API document at /api/openapi.json: valid OpenAPI 3.1, every route of every service under
its gateway prefix, unique operation ids, one `Error` schema behind every error answer, bearer
security; and a docs page at /api/docs that loads nothing from outside."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import httpx
import jsonschema_rs
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from schemathesis.specs.openapi.definitions import OPENAPI_31

from ott.core.settings import Settings
from ott.gateway.app import Mode, create_app
from ott.registry import SERVICES, routed_to

METHODS = {"get", "head", "options", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
async def document(api: httpx.AsyncClient) -> dict[str, Any]:
    response = await api.get("/api/openapi.json")
    assert response.status_code == 200, response.text
    return response.json()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def _service_routes(settings: Settings) -> set[tuple[str, str]]:
    """Every documented route of every service that the gateway routes to that service."""
    routes = set()
    for spec in SERVICES.values():
        app = spec.load()(settings, None)
        for route in iter_route_contexts(app.routes):
            routed = routed_to(route.path_format, SERVICES.values()) is spec
            if isinstance(route.original_route, APIRoute) and route.include_in_schema and routed:
                routes |= {(route.path_format, m.lower()) for m in route.methods}
    return routes


async def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    errors = [str(e) for e in jsonschema_rs.Draft202012Validator(OPENAPI_31).iter_errors(document)]
    assert errors == []


async def test_every_route_of_every_service_is_documented(
    document: dict[str, Any], settings: Settings
) -> None:
    documented = {(path, method) for path, method, _ in _operations(document)}
    expected = _service_routes(settings)
    assert len(expected) > 40
    assert expected - documented == set()
    prefixes = tuple(prefix + "/" for spec in SERVICES.values() for prefix in spec.prefixes)
    extra = {(p, m) for p, m in documented - expected if p.startswith(prefixes)}
    assert extra == set()
    # The gateway's own: health and readiness; services' /health and /ready are not routed.
    assert {p for p, _ in documented if not p.startswith(prefixes)} == {"/health", "/ready"}


async def test_operation_ids_are_unique_tag_and_name(document: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, _, operation in _operations(document)]
    assert len(ids) == len(set(ids))
    for _, _, operation in _operations(document):
        assert re.fullmatch(r"[a-z]+-[a-z_]+", operation["operationId"]), operation["operationId"]
        assert operation["operationId"].startswith(operation["tags"][0] + "-")


async def test_every_error_answer_is_the_shared_error_schema(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["Error"]["required"] == ["error"]
    info = schemas["ErrorInfo"]
    assert set(info["required"]) == {"code", "message", "details"}
    assert "HTTPValidationError" not in schemas
    for path, method, operation in _operations(document):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (path, method, status)


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        ("/api/auth/register", "post", {400, 401, 409, 413, 422, 429, 503}),
        ("/api/auth/me", "get", {401, 429, 503}),
        ("/api/auth/users/{user_id}/roles", "put", {400, 401, 403, 404, 413, 422, 429, 503}),
        ("/api/catalog/content/{content_id}", "get", {401, 404, 422, 429, 503}),
        ("/api/cms/content", "get", {401, 403, 422, 429, 503}),
        # A merge patch is JSON read by the route: malformed (400), of another type (415).
        (
            "/api/cms/content/{content_id}",
            "patch",
            {400, 401, 403, 404, 409, 413, 415, 422, 429, 503},
        ),
        ("/api/cms/content/bulk-upload", "post", {400, 401, 403, 409, 413, 415, 422, 429, 503}),
        (
            "/api/cms/encodings/{encoding_id}/cancel",
            "post",
            {400, 401, 403, 404, 409, 413, 422, 429, 503},
        ),
        (
            "/api/cms/uploads/{upload_id}",
            "patch",
            {400, 401, 403, 404, 409, 410, 412, 413, 415, 422, 423, 429, 460, 503},
        ),
        ("/api/cms/uploads", "post", {400, 401, 403, 412, 413, 415, 422, 429, 460, 503}),
        ("/api/auth/logout", "post", {400, 401, 413, 429, 503}),  # 400, 413: Content-Length
        ("/ready", "get", {429, 503}),
        ("/health", "get", {503}),
    ],
)
async def test_routes_declare_the_errors_they_can_give(
    document: dict[str, Any], path: str, method: str, statuses: set[int]
) -> None:
    responses = document["paths"][path][method]["responses"]
    assert {int(s) for s in responses if int(s) >= 400} == statuses


async def test_bodies_read_by_the_route_itself_are_declared(document: dict[str, Any]) -> None:
    def body_types(path: str, method: str) -> set[str]:
        return set(document["paths"][path][method]["requestBody"]["content"])

    files = {"application/json", "text/csv", "application/csv", "multipart/form-data"}
    assert body_types("/api/cms/content/bulk-upload", "post") == files
    images = {"image/jpeg", "image/png", "image/webp", "multipart/form-data"}
    assert body_types("/api/cms/content/{content_id}/assets/{kind}", "post") == images
    patches = {"application/json", "application/merge-patch+json"}
    assert body_types("/api/cms/content/{content_id}", "patch") == patches


@pytest.mark.parametrize(
    ("path", "method", "headers"),
    [
        ("/api/cms/uploads", "post", {"Tus-Resumable", "Upload-Length", "Upload-Metadata"}),
        ("/api/cms/uploads/{upload_id}", "head", {"Tus-Resumable"}),
        ("/api/cms/uploads/{upload_id}", "patch", {"Tus-Resumable", "Upload-Offset"}),
        ("/api/cms/uploads/{upload_id}", "delete", {"Tus-Resumable"}),
    ],
)
async def test_tus_routes_declare_their_headers(
    document: dict[str, Any], path: str, method: str, headers: set[str]
) -> None:
    operation = document["paths"][path][method]
    required = {p["name"] for p in operation["parameters"] if p["in"] == "header" and p["required"]}
    assert required == headers
    assert operation["responses"]["412"]["content"]["application/json"]
    if method in ("post", "patch"):
        body = operation["requestBody"]
        assert set(body["content"]) == {"application/offset+octet-stream"}
        assert body["required"] is (method == "patch")  # a creation may carry no data


async def test_bearer_security(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "The access token from /api/auth/login, /register or /refresh",
    }
    paths = document["paths"]
    assert paths["/api/auth/me"]["get"]["security"] == [{"bearer": []}]
    assert paths["/api/cms/content"]["get"]["security"] == [{"bearer": []}]
    assert paths["/api/catalog/content"]["get"]["security"] == [{}, {"bearer": []}]
    assert "security" not in paths["/api/auth/login"]["post"]


async def test_split_mode_serves_the_same_document(
    settings: Settings, document: dict[str, Any]
) -> None:
    app = create_app(settings, mode=Mode.SPLIT)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 5555))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            response = await client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json() == document


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


async def test_the_docs_page_loads_only_local_assets(api: httpx.AsyncClient) -> None:
    page = await api.get("/api/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert not re.search(r"https?://", page.text), "the page names an outside address"
    links = _Links()
    links.feed(page.text)
    assert len(links.urls) == 3  # stylesheet, icon, script
    for url in [*links.urls, "/api/openapi.json"]:
        assert url.startswith("/"), url
        asset = await api.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 1000, url
    assert "/api/openapi.json" in page.text
    bundle = await api.get("/api/docs/assets/swagger-ui-bundle.js")
    assert "SwaggerUIBundle" in bundle.text
