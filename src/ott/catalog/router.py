"""HTTP routes of the catalog service. Answers are cached per viewer scope (see cache.py)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from ott.catalog import service
from ott.catalog.dependencies import CatalogRuntime, CurrentViewer, Runtime
from ott.catalog.derived import DerivedFromCatalog
from ott.catalog.schemas import (
    ContentDetail,
    ContentFilters,
    ContentPage,
    ContentSummary,
    EpisodeOut,
    GenreOut,
    SearchQuery,
    SearchResults,
    SeasonOut,
)
from ott.catalog.visibility import Viewer
from ott.core.dependencies import ReadDbSession

router = APIRouter(prefix="/api/catalog", tags=["catalog"])


async def _cached(
    request: Request,
    runtime: CatalogRuntime,
    viewer: Viewer,
    build: Callable[[], Awaitable[object]],
    *,
    summary: DerivedFromCatalog | None = None,
    db: AsyncSession | None = None,
) -> Response:
    """The answer from the cache, or built; before building, `summary` (the spelling
    vocabulary, the facet counts) catches up with the catalog's generation."""
    query = "&".join(sorted(f"{k}={v}" for k, v in request.query_params.multi_items()))
    scope = f"{request.url.path}?{query}|{viewer.cache_scope}"

    async def answer(generation: str | None) -> object:
        if summary is not None and db is not None and generation is not None:
            await summary.refresh(db, generation)
        return await build()

    body = await runtime.cache.answer(scope, answer)
    return Response(content=body, media_type="application/json")


@router.get("/content", response_model=ContentPage, summary="Browse titles with filters")
async def list_content(
    request: Request,
    filters: Annotated[ContentFilters, Query()],
    viewer: CurrentViewer,
    runtime: Runtime,
    db: ReadDbSession,
) -> Response:
    facets = runtime.facets
    return await _cached(
        request,
        runtime,
        viewer,
        lambda: service.list_content(db=db, viewer=viewer, filters=filters, facets=facets),
        summary=facets,
        db=db,
    )


@router.get("/content/{content_id}", response_model=ContentDetail, summary="A title's details")
async def get_content(
    request: Request,
    content_id: uuid.UUID,
    viewer: CurrentViewer,
    runtime: Runtime,
    db: ReadDbSession,
) -> Response:
    return await _cached(
        request,
        runtime,
        viewer,
        lambda: service.get_detail(db=db, viewer=viewer, content_id=content_id),
    )


@router.get(
    "/content/{content_id}/seasons", response_model=list[SeasonOut], summary="A series' seasons"
)
async def list_seasons(
    request: Request,
    content_id: uuid.UUID,
    viewer: CurrentViewer,
    runtime: Runtime,
    db: ReadDbSession,
) -> Response:
    return await _cached(
        request,
        runtime,
        viewer,
        lambda: service.list_seasons(db=db, viewer=viewer, content_id=content_id),
    )


@router.get(
    "/seasons/{season_id}/episodes", response_model=list[EpisodeOut], summary="A season's episodes"
)
async def list_episodes(
    request: Request,
    season_id: uuid.UUID,
    viewer: CurrentViewer,
    runtime: Runtime,
    db: ReadDbSession,
) -> Response:
    return await _cached(
        request,
        runtime,
        viewer,
        lambda: service.list_episodes(db=db, viewer=viewer, season_id=season_id),
    )


@router.get("/genres", response_model=list[GenreOut], summary="Every genre")
async def list_genres(
    request: Request, viewer: CurrentViewer, runtime: Runtime, db: ReadDbSession
) -> Response:
    return await _cached(
        request, runtime, viewer, lambda: service.list_genres(db=db, viewer=viewer)
    )


@router.get("/trending", response_model=list[ContentSummary], summary="The most watched titles now")
async def trending(
    request: Request, viewer: CurrentViewer, runtime: Runtime, db: ReadDbSession
) -> Response:
    return await _cached(request, runtime, viewer, lambda: service.trending(db=db, viewer=viewer))


@router.get("/search", response_model=SearchResults, summary="Search titles, people and genres")
async def search(
    request: Request,
    query: Annotated[SearchQuery, Query()],
    viewer: CurrentViewer,
    runtime: Runtime,
    db: ReadDbSession,
) -> Response:
    if runtime.trigram is None:
        runtime.trigram = await service.has_trigram_search(db)
    trigram = runtime.trigram
    vocabulary = runtime.vocabulary
    return await _cached(
        request,
        runtime,
        viewer,
        lambda: service.search(
            db=db, viewer=viewer, query=query, trigram=trigram, vocabulary=vocabulary
        ),
        summary=vocabulary,
        db=db,
    )
