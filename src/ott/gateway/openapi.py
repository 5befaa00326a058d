"""One API document for the platform: every service's routes under its gateway prefix, with
the answers the gateway itself adds (401 for a bad token anywhere, 413, 429, 503), one `Error`
schema and unique operation ids.

Built from the services' apps (`app.openapi()`), which needs no store: in split mode the apps
are made here for their documents only and never started.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from fastapi import FastAPI

from ott.core.openapi import SECURITY_SCHEMES, add_error_responses
from ott.registry import ServiceSpec, routed_to

TITLE = "OTT platform API"
VERSION = "1"
_BODY_METHODS = frozenset({"post", "put", "patch"})
_METHODS = frozenset({"get", "head", "options", "post", "put", "patch", "delete", "trace"})
_REF_PREFIX = "#/components/schemas/"


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if (
            isinstance(ref, str)
            and ref.startswith(_REF_PREFIX)
            and ref[len(_REF_PREFIX) :] in renames
        ):
            return {**node, "$ref": _REF_PREFIX + renames[ref[len(_REF_PREFIX) :]]}
        return {key: _rename_refs(value, renames) for key, value in node.items()}
    if isinstance(node, list):
        return [_rename_refs(value, renames) for value in node]
    return node


def _merge_schemas(
    merged: dict[str, Any], incoming: dict[str, Any], service: str
) -> dict[str, str]:
    """Add a service's component schemas; a name already taken by a different schema gets the
    service's name in front. Returns the renames to apply to that service's document."""
    renames: dict[str, str] = {}
    changed = True
    while changed:  # a schema that refers to a renamed one may differ only after the rename
        changed = False
        for name, schema in incoming.items():
            if name in renames or name not in merged:
                continue
            if merged[name] != _rename_refs(schema, renames):
                renames[name] = service.capitalize() + name
                changed = True
    for name, schema in incoming.items():
        target = renames.get(name, name)
        rewritten = _rename_refs(schema, renames)
        if merged.setdefault(target, rewritten) != rewritten:
            raise ValueError(f"component schema {target} is defined twice, differently")
    return renames


def _gateway_errors(method: str, operation: dict[str, Any]) -> set[int]:
    """What the gateway itself may answer on a routed request: a presented token must be valid
    (401, on any route), bodies are size-limited (413; 400 for a Content-Length that is not a
    size), every request is counted (429), and a store or the service may be unreachable (503)."""
    statuses = {401, 429, 503}
    if method in _BODY_METHODS or "requestBody" in operation:
        statuses |= {400, 413}
    return statuses


def _operations(paths: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in paths.items()
        for method, operation in item.items()
        if method in _METHODS
    ]


def merged_openapi(
    *,
    gateway: FastAPI,
    services: Sequence[tuple[ServiceSpec, FastAPI]],
    uncounted_paths: Collection[str],
) -> dict[str, Any]:
    own = gateway.openapi()
    schemas: dict[str, Any] = dict(own.get("components", {}).get("schemas", {}))
    paths: dict[str, Any] = {}
    for path, method, operation in _operations(own.get("paths", {})):
        if path not in uncounted_paths:
            add_error_responses(operation, {429})
        paths.setdefault(path, {})[method] = operation
    tags: dict[str, list[ServiceSpec]] = {}
    specs = [spec for spec, _ in services]

    for spec, app in services:
        document = app.openapi()
        renames = _merge_schemas(
            schemas, document.get("components", {}).get("schemas", {}), spec.name
        )
        service_paths = _rename_refs(document.get("paths", {}), renames)
        for path, method, operation in _operations(service_paths):
            # A service's /health and /ready are its own; through the gateway only what is
            # routed to it (under its prefixes, and not under another's longer one) is.
            if routed_to(path, specs) is not spec:
                continue
            add_error_responses(operation, _gateway_errors(method, operation))
            paths.setdefault(path, {})[method] = operation
            for tag in operation.get("tags", []):
                owners = tags.setdefault(tag, [])
                if spec not in owners:
                    owners.append(spec)

    operation_ids = [op.get("operationId") for _, _, op in _operations(paths)]
    duplicates = sorted({i for i in operation_ids if operation_ids.count(i) > 1 and i})
    if duplicates or None in operation_ids:
        raise ValueError(f"operation ids must be present and unique: {duplicates}")
    return {
        "openapi": own.get("openapi", "3.1.0"),
        "info": {
            "title": TITLE,
            "version": VERSION,
            "description": (
                "Every service behind the gateway. Errors have one shape (`Error`); send the "
                "access token as `Authorization: Bearer <token>`."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": SECURITY_SCHEMES,
        },
        "tags": [
            {"name": "health", "description": "The gateway's own state"},
            *(
                {"name": tag, "description": ", ".join(map(_served_by, owners))}
                for tag, owners in tags.items()
            ),
        ],
    }


def _served_by(spec: ServiceSpec) -> str:
    return f"{spec.name} service ({', '.join(spec.prefixes)})"
