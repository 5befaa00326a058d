"""The media service: registered with its URL prefixes, serving uploads and encodings (the CMS
no longer does), with its media store made once in its lifespan."""

from __future__ import annotations

from fastapi import FastAPI

from ott.cms.app import create_app as create_cms_app
from ott.core.app_context import AppContext, app_context
from ott.core.settings import Settings
from ott.core.storage import LocalStorage
from ott.media.app import create_app
from ott.registry import SERVICES
from tests.conftest import settings_with

MEDIA_ROUTES = {
    ("OPTIONS", "/api/cms/uploads"),
    ("POST", "/api/cms/uploads"),
    ("HEAD", "/api/cms/uploads/{upload_id}"),
    ("PATCH", "/api/cms/uploads/{upload_id}"),
    ("DELETE", "/api/cms/uploads/{upload_id}"),
    ("GET", "/api/cms/uploads/{upload_id}"),
    ("GET", "/api/cms/encodings/{encoding_id}"),
    ("POST", "/api/cms/encodings/{encoding_id}/cancel"),
    ("POST", "/api/cms/encodings/{encoding_id}/retry"),
}


def _routes(app: FastAPI) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }


def test_media_is_registered_with_its_prefixes() -> None:
    spec = SERVICES["media"]
    assert spec.prefixes == ("/api/cms/uploads", "/api/cms/encodings")
    assert spec.load() is create_app
    assert SERVICES["cms"].prefixes == ("/api/cms",)
    assert Settings(_env_file=None).service_port("media") == 3009


def test_uploads_and_encodings_are_the_media_services(
    media_settings: Settings, media_resources: AppContext
) -> None:
    media = _routes(create_app(media_settings, media_resources))
    assert media >= MEDIA_ROUTES
    prefixes = SERVICES["media"].prefixes
    elsewhere = {path for _, path in media if path.startswith("/api/")} - {
        path for _, path in media if path.startswith(prefixes)
    }
    assert not elsewhere  # the content-scoped encodings routes are the CMS's
    cms = _routes(create_cms_app(media_settings, media_resources))
    assert not {path for _, path in cms if path.startswith(prefixes)}


async def test_the_media_store_is_the_app_contexts_made_in_the_lifespan(
    media_settings: Settings,
) -> None:
    app = create_app(settings_with(media_settings, run_worker_in_process=False))
    assert not hasattr(app.state, "context")
    async with app.router.lifespan_context(app):
        storage = app_context(app).storage
        assert isinstance(storage, LocalStorage)
        assert storage.root == media_settings.data_dir / "media"
