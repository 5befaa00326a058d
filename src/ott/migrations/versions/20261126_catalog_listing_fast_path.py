"""catalog: listing fast path (denormalised rules flag and genres, leaner listing indexes)

1. `content.has_availability_rules`, kept true exactly while a title has rows in
   availability_rules by statement-level triggers, so the visibility test asks the rules
   table only about the titles that have rules instead of scanning it for every listing.
2. `content.genre_slugs`, kept equal to the title's genres by triggers on content_genres,
   with a GIN index: a genre filter combines with the other filters' indexes (BitmapAnd),
   and PostgreSQL's statistics on its elements estimate each genre.
3. The keyset listing indexes leave out titles waiting for a scheduled go-live
   (`awaiting_go_live`, a stored generated column, so the planner has statistics on it).
   Those are hidden until their available_from anyway, and they sort first by newest; every
   first page used to step over all of them.
4. Statistics on the newest index's expression, so a year filter on it is estimated right.
5. An index on (original_language, maturity_level, tier_requirement) of listed titles, which
   PostgreSQL combines with the genre and type indexes when the filters leave few titles.

Revision ID: 9c4a1e7b2d30
Revises: 7b2e4c6d8f10
Create Date: 2026-11-26 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "9c4a1e7b2d30"
down_revision: str | None = "7b2e4c6d8f10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LISTED = "workflow_state = 'published' AND NOT awaiting_go_live"
_PUBLISHED = "workflow_state = 'published'"
_LISTING_INDEXES = {
    "ix_content_live_newest": "(coalesce(release_date, DATE '0001-01-01') DESC, id DESC)",
    "ix_content_live_popular": "(popularity DESC, id DESC)",
    "ix_content_live_title": "(sort_title, id)",
}

# One function per kind of statement: PostgreSQL allows transition tables only on triggers
# of a single event. `{changed}` selects the content ids the statement touched.
_MARK_RULES = """
CREATE FUNCTION content_mark_rules_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH fresh AS (
        SELECT t.id, EXISTS (SELECT 1 FROM availability_rules r WHERE r.content_id = t.id) AS flag
        FROM content t WHERE t.id IN ({changed})
    )
    UPDATE content SET has_availability_rules = fresh.flag FROM fresh
    WHERE content.id = fresh.id AND content.has_availability_rules IS DISTINCT FROM fresh.flag;
    RETURN NULL;
END $$
"""
# The CMS writes both columns itself along with the rest of a title (one write per row in a
# bulk import); the triggers keep them right whatever else writes those tables, and leave
# rows that are already right alone. Slugs sort in code-point order, as Python sorts them.
_MARK_GENRES = """
CREATE FUNCTION content_mark_genres_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH fresh AS (
        SELECT t.id, ARRAY(
            SELECT g.slug FROM content_genres cg JOIN genres g ON g.id = cg.genre_id
            WHERE cg.content_id = t.id ORDER BY g.slug COLLATE "C"
        ) AS slugs
        FROM content t WHERE t.id IN ({changed})
    )
    UPDATE content SET genre_slugs = fresh.slugs FROM fresh
    WHERE content.id = fresh.id AND content.genre_slugs IS DISTINCT FROM fresh.slugs;
    RETURN NULL;
END $$
"""
_EVENTS = {
    "insert": ("INSERT", "NEW TABLE AS new_rows", "SELECT content_id FROM new_rows"),
    "delete": ("DELETE", "OLD TABLE AS old_rows", "SELECT content_id FROM old_rows"),
    "update": (
        "UPDATE",
        "NEW TABLE AS new_rows OLD TABLE AS old_rows",
        "SELECT content_id FROM new_rows UNION SELECT content_id FROM old_rows",
    ),
}
# prefix of the functions and triggers -> (the table they watch, the function's template)
_MARKERS = {
    "content_mark_rules": ("availability_rules", _MARK_RULES),
    "content_mark_genres": ("content_genres", _MARK_GENRES),
}


def _create_markers(prefix: str) -> None:
    table, template = _MARKERS[prefix]
    for name, (event, referencing, changed) in _EVENTS.items():
        op.execute(template.format(name=name, changed=changed))
        op.execute(
            f"CREATE TRIGGER {prefix}_{name} AFTER {event} ON {table} "
            f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {prefix}_{name}()"
        )


def _drop_markers(prefix: str) -> None:
    table, _ = _MARKERS[prefix]
    for name in _EVENTS:
        op.execute(f"DROP TRIGGER {prefix}_{name} ON {table}")
        op.execute(f"DROP FUNCTION {prefix}_{name}()")


def _recreate_listing_indexes(predicate: str) -> None:
    for name, columns in _LISTING_INDEXES.items():
        op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute(f"CREATE INDEX {name} ON content {columns} WHERE {predicate}")


def upgrade() -> None:
    op.add_column(
        "content",
        sa.Column(
            "has_availability_rules", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )
    op.execute(
        "UPDATE content SET has_availability_rules = true "
        "WHERE id IN (SELECT content_id FROM availability_rules)"
    )
    _create_markers("content_mark_rules")
    op.add_column(
        "content",
        sa.Column(
            "genre_slugs",
            postgresql.ARRAY(sa.String(100)),
            nullable=False,
            server_default=sa.text("'{}'"),
        ),
    )
    op.execute(
        "UPDATE content SET genre_slugs = ARRAY("
        "SELECT g.slug FROM content_genres cg JOIN genres g ON g.id = cg.genre_id "
        'WHERE cg.content_id = content.id ORDER BY g.slug COLLATE "C")'
    )
    _create_markers("content_mark_genres")
    op.create_index("ix_content_genre_slugs", "content", ["genre_slugs"], postgresql_using="gin")
    op.add_column(
        "content",
        sa.Column(
            "awaiting_go_live",
            sa.Boolean(),
            sa.Computed("coalesce(published_at > updated_at, false)", persisted=True),
            nullable=False,
        ),
    )
    _recreate_listing_indexes(_LISTED)
    op.execute(
        f"CREATE INDEX ix_content_listed_attributes ON content "
        f"(original_language, maturity_level, tier_requirement) WHERE {_LISTED}"
    )
    op.execute(
        "CREATE STATISTICS st_content_release_key "
        "ON (coalesce(release_date, DATE '0001-01-01')) FROM content"
    )


def downgrade() -> None:
    op.execute("DROP STATISTICS IF EXISTS st_content_release_key")
    op.execute("DROP INDEX IF EXISTS ix_content_listed_attributes")
    _recreate_listing_indexes(_PUBLISHED)
    op.drop_column("content", "awaiting_go_live")
    op.drop_index("ix_content_genre_slugs", table_name="content")
    _drop_markers("content_mark_genres")
    op.drop_column("content", "genre_slugs")
    _drop_markers("content_mark_rules")
    op.drop_column("content", "has_availability_rules")
