"""The catalogue's region index carries the id: a region page is served in index order.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10

A region search is a prefix range (``510000``: every code from ``51`` up to ``52``). On an index of
``region`` alone, a page in catalogue order (``id``) has to collect and sort the whole range first —
24 ms for a prefecture at 2 M items on SQLite. On ``(region, id)`` the page is ordered by region,
then id, which is the index's own order: the scan stops at a full page. (SQLite keeps the rowid in
every index, so there the new index only says so; PostgreSQL needs the column.)
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_catalogue_items_region", table_name="catalogue_items")
    op.create_index("ix_catalogue_items_region", "catalogue_items", ["region", "id"])


def downgrade() -> None:
    op.drop_index("ix_catalogue_items_region", table_name="catalogue_items")
    op.create_index("ix_catalogue_items_region", "catalogue_items", ["region"])
