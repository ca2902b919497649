"""The service-item catalogue: releases, items (one row per implementation entry), staging, rejects, diffs.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

A national catalogue holds ~2 million implementation entries. Stored as one published version each
(canonical JSON in ``entry_versions``) they cost ~1.4 KB and ~13 ms apiece; here they are plain rows,
indexed by what people look up (basic code, implementation code, department, region, name), imported
in committed chunks with a checkpoint, and versioned as a whole by ``catalogue_releases`` and the
diff each release records in ``catalogue_changes``.

Name search: an FTS5 trigram index on SQLite (3.34+; an external-content table over
``catalogue_items.name``, rebuilt by each import), a pg_trgm GIN index on PostgreSQL where the
extension can be created. Where neither exists, search falls back to a scan (``LIKE``/``ILIKE``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def _item_columns() -> list[sa.Column[str]]:
    return [
        sa.Column("implementation_code", sa.String(64), nullable=False),
        sa.Column("basic_code", sa.String(32), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("item_type", sa.String(8)),
        sa.Column("department", sa.Text),
        sa.Column("item_version", sa.String(32)),
        sa.Column("body", sa.Text),
        sa.Column("body_uscc", sa.String(32)),
        sa.Column("exercise_level", sa.String(4)),
        sa.Column("region", sa.String(16)),
        sa.Column("row_hash", sa.String(32), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "catalogue_releases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.Integer, nullable=False, unique=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("source_hash", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("started_at", _TS, nullable=False),
        sa.Column("finished_at", _TS),
        sa.Column("rows_read", sa.Integer, nullable=False),
        sa.Column("staged", sa.Integer, nullable=False),
        sa.Column("rejected", sa.Integer, nullable=False),
        sa.Column("added", sa.Integer),
        sa.Column("changed", sa.Integer),
        sa.Column("retired", sa.Integer),
        sa.Column("unchanged", sa.Integer),
    )
    op.create_table(
        "catalogue_items",
        sa.Column("id", sa.Integer, primary_key=True),
        *_item_columns(),
        sa.Column("added_release", sa.Integer, nullable=False),
        sa.Column("changed_release", sa.Integer, nullable=False),
        sa.Column("retired_release", sa.Integer),
    )
    op.create_index("uq_catalogue_items_implementation_code", "catalogue_items", ["implementation_code"], unique=True)
    for column in ("basic_code", "department", "region", "name"):
        op.create_index(f"ix_catalogue_items_{column}", "catalogue_items", [column])
    op.create_table("catalogue_staging", sa.Column("release_id", sa.Integer, nullable=False),
                    sa.Column("source_row", sa.Integer, nullable=False), *_item_columns())
    op.create_index("ix_catalogue_staging_release_code", "catalogue_staging", ["release_id", "implementation_code"])
    op.create_table("catalogue_rejects", sa.Column("release_id", sa.Integer, nullable=False),
                    sa.Column("source_row", sa.Integer, nullable=False), sa.Column("code", sa.Text),
                    sa.Column("reason", sa.Text, nullable=False))
    op.create_index("ix_catalogue_rejects_release", "catalogue_rejects", ["release_id", "source_row"])
    op.create_table("catalogue_changes", sa.Column("release_id", sa.Integer, nullable=False),
                    sa.Column("implementation_code", sa.String(64), nullable=False),
                    sa.Column("change", sa.String(8), nullable=False))
    op.create_index("ix_catalogue_changes_release", "catalogue_changes", ["release_id", "change"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _sqlite_fts(bind)
    elif bind.dialect.name == "postgresql":
        _postgres_trigram(bind)


def _sqlite_fts(bind: sa.Connection) -> None:
    """An FTS5 trigram index on the names, when this SQLite has FTS5 and the trigram tokenizer."""
    try:
        with bind.begin_nested():
            bind.exec_driver_sql(
                "CREATE VIRTUAL TABLE catalogue_items_fts USING fts5(name, content='catalogue_items',"
                " content_rowid='id', tokenize='trigram')")
    except sa.exc.OperationalError:
        pass  # no FTS5 or no trigram tokenizer (SQLite < 3.34): name search scans


def _postgres_trigram(bind: sa.Connection) -> None:
    """A pg_trgm GIN index on the names, when the extension exists and may be created here."""
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            bind.exec_driver_sql(
                "CREATE INDEX ix_catalogue_items_name_trgm ON catalogue_items USING gin (name gin_trgm_ops)")
    except sa.exc.DBAPIError:
        pass  # no pg_trgm (or no right to create it): name search scans with ILIKE


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql("DROP TABLE IF EXISTS catalogue_items_fts")
    for table in ("catalogue_changes", "catalogue_rejects", "catalogue_staging", "catalogue_items",
                  "catalogue_releases"):
        op.drop_table(table)
