"""The gateway's own routes: the platform's one API document and its docs page, whose Swagger UI
assets come from the `fastapi-offline` package and are served here (no CDN: the page works on a
machine without internet)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.staticfiles import StaticFiles

OPENAPI_PATH = "/api/openapi.json"
DOCS_PATH = "/api/docs"
ASSETS_PATH = "/api/docs/assets"
_SWAGGER_UI_PARAMETERS = {
    # The default validator badge loads an image from validator.swagger.io.
    "validatorUrl": None,
    "persistAuthorization": True,
    "displayOperationId": True,
    "tryItOutEnabled": False,
}


def docs_assets() -> StaticFiles:
    return StaticFiles(packages=[("fastapi_offline", "static")])


def docs_router(document: Callable[[], dict[str, Any]]) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get(OPENAPI_PATH)
    async def openapi() -> JSONResponse:
        return JSONResponse(document())

    @router.get(DOCS_PATH)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI_PATH,
            title="OTT platform API",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
            swagger_ui_parameters=_SWAGGER_UI_PARAMETERS,
        )

    return router
