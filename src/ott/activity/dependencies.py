"""Dependencies of the activity routes: the store, and who is watching (a signed-in profile)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from ott.activity.store import ActivityStore
from ott.catalog.visibility import Viewer, viewer_for
from ott.core.dependencies import AppSettings
from ott.core.errors import Forbidden
from ott.core.identity import CurrentIdentity


def install_store(app: FastAPI, store: ActivityStore) -> None:
    app.state.activity_store = store


async def _store(request: Request) -> ActivityStore:
    store: ActivityStore | None = getattr(request.app.state, "activity_store", None)
    assert store is not None, "the activity service's lifespan has not run"
    return store


@dataclass(frozen=True)
class Watcher:
    """The caller as a profile: activity is kept per profile, never per account."""

    user_id: uuid.UUID
    profile_id: uuid.UUID
    viewer: Viewer


async def _watcher(request: Request, identity: CurrentIdentity, settings: AppSettings) -> Watcher:
    if identity.profile_id is None:
        raise Forbidden(
            "Select a profile first: activity is kept per profile", code="profile_required"
        )
    viewer = viewer_for(
        identity=identity,
        country=request.headers.get(settings.country_header),
        default_country=settings.default_country,
    )
    return Watcher(user_id=identity.user_id, profile_id=identity.profile_id, viewer=viewer)


Store = Annotated[ActivityStore, Depends(_store)]
CurrentWatcher = Annotated[Watcher, Depends(_watcher)]
