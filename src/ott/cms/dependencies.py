"""Dependencies of the CMS routes: who may use the CMS at all, and the media store."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ott.core.identity import Identity, Role, require_roles
from ott.core.storage import Storage, create_storage

# Every CMS route needs an editorial role (admins hold every role); viewers get 403.
StaffOnly = require_roles(Role.EDITOR, Role.REVIEWER)


async def _storage(request: Request) -> Storage:
    state = request.app.state
    if not hasattr(state, "storage"):
        state.storage = create_storage(state.settings)
    return state.storage


MediaStorage = Annotated[Storage, Depends(_storage)]
Staff = Annotated[Identity, StaffOnly]
