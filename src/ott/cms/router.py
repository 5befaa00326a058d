"""The CMS's API: every route under /api/cms (tus uploads and the encodings API of the video
pipeline are added beside it by the app)."""

from __future__ import annotations

from fastapi import APIRouter

from ott.cms.routes import assets, bulk, content, encodings, transitions, versions

router = APIRouter(prefix="/api/cms")
# bulk before content: POST /content/bulk-upload is not a title's id.
for module in (bulk, content, transitions, versions, assets, encodings):
    router.include_router(module.router)
