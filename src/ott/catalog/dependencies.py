"""Dependencies of the catalog routes: who is looking, and the catalog's per-process state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from ott.catalog.cache import CatalogCache
from ott.catalog.facets import FacetCounts
from ott.catalog.spelling import Vocabulary
from ott.catalog.visibility import Viewer, viewer_for
from ott.core.dependencies import AppSettings
from ott.core.identity import OptionalIdentity


@dataclass
class CatalogRuntime:
    """What a catalog process keeps between requests, built once in its lifespan."""

    cache: CatalogCache
    vocabulary: Vocabulary
    facets: FacetCounts
    # Whether PostgreSQL has pg_trgm, learnt from the database on the first search.
    trigram: bool | None = None


def install_runtime(app: FastAPI, runtime: CatalogRuntime) -> None:
    app.state.catalog = runtime


async def _runtime(request: Request) -> CatalogRuntime:
    runtime = request.app.state.catalog
    assert isinstance(runtime, CatalogRuntime), "the catalog's lifespan has not run"
    return runtime


async def _viewer(request: Request, identity: OptionalIdentity, settings: AppSettings) -> Viewer:
    return viewer_for(
        identity=identity,
        country=request.headers.get(settings.country_header),
        default_country=settings.default_country,
        prefers_hindi=request.headers.get("accept-language", "").lower().startswith("hi"),
    )


Runtime = Annotated[CatalogRuntime, Depends(_runtime)]
CurrentViewer = Annotated[Viewer, Depends(_viewer)]
