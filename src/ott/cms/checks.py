"""Checks every way of changing titles shares: who may create them, genres that exist,
external ids that are free, and the version an edit was based on."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ott.cms.schemas import TitleIn
from ott.content.models import Content, Genre
from ott.core.errors import Conflict, Forbidden, ValidationFailed
from ott.core.identity import Identity, Role


def check_may_create(identity: Identity, *, doing: str = "create titles") -> None:
    """New titles (one, or by import) are made by editors (admins hold every role)."""
    if not identity.has_role(Role.EDITOR):
        raise Forbidden(f"Only a user with the role {Role.EDITOR.value} may {doing}")


async def genre_ids(db: AsyncSession) -> dict[str, uuid.UUID]:
    return {slug: gid for slug, gid in await db.execute(select(Genre.slug, Genre.id))}


def unknown_genres(title: TitleIn, known: dict[str, uuid.UUID]) -> list[str]:
    return [slug for slug in title.genres if slug not in known]


def check_genres(title: TitleIn, known: dict[str, uuid.UUID]) -> None:
    missing = unknown_genres(title, known)
    if missing:
        raise ValidationFailed(
            "Unknown genres: " + ", ".join(missing),
            code="unknown_genre",
            details=[{"field": "genres", "message": f"unknown genre {slug!r}"} for slug in missing],
        )


async def check_external_id(
    db: AsyncSession, *, external_id: str | None, content_id: uuid.UUID | None
) -> None:
    if external_id is None:
        return
    other = await db.scalar(select(Content.id).where(Content.external_id == external_id))
    if other is not None and other != content_id:
        raise Conflict(
            f"Another title already has the external id {external_id!r}",
            code="external_id_taken",
            details={"external_id": external_id, "content_id": str(other)},
        )


def check_version(row: Any, expected: int | None) -> None:
    """An edit naming the version it was based on applies only to that version (409)."""
    if expected is not None and expected != row.version:
        raise Conflict(
            f"The title has changed since version {expected}; it is now version {row.version}",
            code="stale_version",
            details={"current_version": row.version, "your_version": expected},
        )
