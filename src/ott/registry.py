"""The services of the platform: where each is mounted and how to build it.

A later service is added here (and its models in ott/migrations/metadata.py); the gateway,
`ott serve` and `ott service` pick it up from this table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import import_module

from fastapi import FastAPI

from ott.core.app_context import AppContext
from ott.core.settings import Settings

AppFactory = Callable[[Settings, AppContext | None], FastAPI]


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    prefix: str  # its main URL prefix
    factory: str  # "module:function"
    # Every URL prefix the gateway routes to it (the longest match wins): `prefix` alone unless
    # given, e.g. a service serving parts of another's URL space.
    prefixes: tuple[str, ...] = ()
    # Whether its reads show an account's own or editorial data (not what anyone may see): then
    # while Redis is down the gateway cannot check a token's session and refuses them (503).
    # Required, so no service is added without saying (ott.gateway.policy).
    private_reads: bool = field(kw_only=True)

    def __post_init__(self) -> None:
        if not self.prefixes:
            object.__setattr__(self, "prefixes", (self.prefix,))
        elif self.prefix not in self.prefixes:
            raise ValueError(f"{self.name}: its prefix {self.prefix} must be one of its prefixes")

    def load(self) -> AppFactory:
        module, _, function = self.factory.partition(":")
        return getattr(import_module(module), function)


def routed_to(path: str, services: Iterable[ServiceSpec]) -> ServiceSpec | None:
    """The service the gateway sends `path` to: the one with the longest matching prefix."""
    best: tuple[int, ServiceSpec] | None = None
    for spec in services:
        for prefix in spec.prefixes:
            matches = path == prefix or path.startswith(prefix + "/")
            if matches and (best is None or len(prefix) > best[0]):
                best = (len(prefix), spec)
    return best[1] if best else None


SERVICES: dict[str, ServiceSpec] = {
    spec.name: spec
    for spec in (
        ServiceSpec("auth", "/api/auth", "ott.auth.app:create_app", private_reads=True),
        ServiceSpec("catalog", "/api/catalog", "ott.catalog.app:create_app", private_reads=False),
        ServiceSpec("cms", "/api/cms", "ott.cms.app:create_app", private_reads=True),
        ServiceSpec("activity", "/api/activity", "ott.activity.app:create_app", private_reads=True),
        ServiceSpec(
            "subscriptions",
            "/api/subscriptions",
            "ott.subscriptions.app:create_app",
            private_reads=True,
        ),
        ServiceSpec(
            "media",
            "/api/cms/uploads",
            "ott.media.app:create_app",
            prefixes=("/api/cms/uploads", "/api/cms/encodings"),
            private_reads=True,
        ),
        ServiceSpec("ads", "/api/ads", "ott.ads.app:create_app", private_reads=True),
        ServiceSpec(
            "streaming",
            "/api/stream",
            "ott.streaming.app:create_app",
            prefixes=("/api/stream", "/media"),
            private_reads=True,
        ),
    )
}
