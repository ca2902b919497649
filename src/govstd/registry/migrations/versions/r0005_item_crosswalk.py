"""The service-item crosswalk: which local basic / implementation codes are one national item.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-09

事项标准不一: one national item is coded differently per province. ``catalogue_crosswalks`` holds one
row per imported crosswalk (numbered, bound to the catalogue release it was imported against, never
edited afterwards); ``catalogue_crosswalk_codes`` its mappings, indexed both ways: by local code (the
comparison joins every item to it) and by national code (all local codes of one national item).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalogue_crosswalks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.Integer, nullable=False, unique=True),
        sa.Column("release", sa.Integer, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("source_hash", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("codes", sa.Integer, nullable=False),
    )
    op.create_table(
        "catalogue_crosswalk_codes",
        sa.Column("crosswalk_id", sa.Integer, nullable=False),
        sa.Column("local_code", sa.String(64), nullable=False),
        sa.Column("national_code", sa.String(64), nullable=False),
        sa.Column("national_name", sa.Text),
        sa.Column("source_row", sa.Integer, nullable=False),
    )
    op.create_index("ix_catalogue_crosswalk_codes_local", "catalogue_crosswalk_codes", ["crosswalk_id", "local_code"])
    op.create_index("ix_catalogue_crosswalk_codes_national", "catalogue_crosswalk_codes",
                    ["crosswalk_id", "national_code"])


def downgrade() -> None:
    op.drop_table("catalogue_crosswalk_codes")
    op.drop_table("catalogue_crosswalks")
