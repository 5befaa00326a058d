"""API documents: every route's error answers, in the platform's one format (the `Error`
component), and its bearer authentication, read off what the route depends on.

A route's own errors that no dependency reveals (409 on a stale version, say) it declares
with `responses=error_responses(409)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from http import HTTPStatus
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from starlette.routing import BaseRoute

from ott.core.errors import Error
from ott.core.identity import identity_use

ERROR_SCHEMA = "Error"
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
BEARER_SCHEME = "bearer"
SECURITY_SCHEMES = {
    BEARER_SCHEME: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "The access token from /api/auth/login, /register or /refresh",
    }
}
# FastAPI's own validation-error schemas, replaced by `Error`.
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")

_DESCRIPTIONS = {
    400: "The request is malformed (e.g. its JSON does not parse)",
    401: "A token is missing, invalid or expired, or its session has ended",
    403: "The caller lacks the role this needs",
    404: "Not found (or not visible to this caller)",
    409: "Conflicts with the current state",
    410: "Gone: it expired",
    412: "A precondition header is missing or not supported",
    413: "The request body is too large",
    415: "The body's content type is not one this route takes",
    422: "The request is not valid; `details` lists the fields",
    423: "Locked: another request is working on it; `Retry-After` says when to try again",
    429: "Too many requests; `Retry-After` says when to try again",
    460: "The body does not match its checksum (tus)",
    503: "A store or service is unreachable; nothing was changed",
}


def describe(status: int) -> str:
    return _DESCRIPTIONS.get(status) or HTTPStatus(status).phrase


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """For a route's `responses=`: the errors it raises itself."""
    return {status: {"model": Error, "description": describe(status)} for status in statuses}


def error_schemas() -> dict[str, Any]:
    """The `Error` component and what it refers to, for `components.schemas`."""
    schema = Error.model_json_schema(
        mode="serialization", ref_template="#/components/schemas/{model}"
    )
    definitions = schema.pop("$defs", {})
    return {**definitions, ERROR_SCHEMA: schema}


def add_error_responses(operation: dict[str, Any], statuses: Iterable[int]) -> None:
    """Give the operation these error responses, all with the `Error` body."""
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status in statuses:
        entry = responses.setdefault(str(status), {"description": describe(status)})
        entry["content"] = {"application/json": {"schema": dict(ERROR_REF)}}
    operation["responses"] = dict(sorted(responses.items()))


def _tree(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for dependency in dependant.dependencies:
        yield from _tree(dependency)


def _calls(dependant: Dependant) -> Iterator[object]:
    return (node.call for node in _tree(dependant))


def _route_errors(route: RouteContext, operation: dict[str, Any]) -> set[int]:
    """The errors a route can give by what it takes and depends on (not through the gateway:
    it adds its own)."""
    nodes = list(_tree(route.dependant))
    statuses = {503}
    if any(node.path_params for node in nodes):
        statuses.add(404)
    if any(node.query_params or node.header_params or node.cookie_params for node in nodes):
        statuses.add(422)
    if any(node.path_params for node in nodes):
        statuses.add(422)
    # A body the route reads itself is declared in its `openapi_extra` (its requestBody).
    body = operation.get("requestBody", {}).get("content", {})
    if any(node.body_params for node in nodes) or route.body_field is not None or body:
        statuses.add(422)
        if any(_is_json(media_type) for media_type in body):
            statuses.add(400)
    uses = {identity_use(call) for call in _calls(route.dependant)}
    if "roles" in uses:
        statuses |= {401, 403}
    elif "required" in uses:
        statuses.add(401)
    for status in route.responses:
        if str(status).isdigit() and int(status) >= 400:
            statuses.add(int(status))
    return statuses


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def _security(route: RouteContext) -> list[dict[str, list[str]]] | None:
    uses = {identity_use(call) for call in _calls(route.dependant)}
    if uses & {"roles", "required"}:
        return [{BEARER_SCHEME: []}]
    if "optional" in uses:
        return [{}, {BEARER_SCHEME: []}]
    return None


def _references(document: Any, name: str) -> bool:
    ref = f"#/components/schemas/{name}"
    if isinstance(document, dict):
        return document.get("$ref") == ref or any(_references(v, name) for v in document.values())
    if isinstance(document, list):
        return any(_references(v, name) for v in document)
    return False


def document_errors(document: dict[str, Any], routes: list[BaseRoute]) -> dict[str, Any]:
    """The app's document with error responses, the `Error` schema and bearer security."""
    paths = document.get("paths", {})
    for route in iter_route_contexts(routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = paths.get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            add_error_responses(operation, _route_errors(route, operation))
            if (security := _security(route)) is not None:
                operation["security"] = security
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.update(error_schemas())
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        if _references(document, name):
            raise ValueError(f"{name} is still referenced after errors were documented")
    components.setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    return document
