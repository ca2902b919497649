"""The first registry tables: subjects, versions, names, append-only audit log.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Triggers make two promises at the database level, whatever client writes to it: the audit log is
append-only, and a published version's content never changes (only its status may).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)

_SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER entry_versions_immutable
       BEFORE UPDATE OF subject_id, version, content, content_hash, published_at, published_by
       ON entry_versions
       BEGIN SELECT RAISE(ABORT, 'a published version is immutable'); END""",
    """CREATE TRIGGER entry_versions_no_delete BEFORE DELETE ON entry_versions
       BEGIN SELECT RAISE(ABORT, 'a published version is immutable'); END""",
]

_POSTGRES_TRIGGERS = [
    """CREATE FUNCTION govstd_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$""",
    """CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION govstd_audit_append_only()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION govstd_audit_append_only()""",
    """CREATE FUNCTION govstd_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE'
            OR NEW.subject_id IS DISTINCT FROM OLD.subject_id OR NEW.version IS DISTINCT FROM OLD.version
            OR NEW.content IS DISTINCT FROM OLD.content OR NEW.content_hash IS DISTINCT FROM OLD.content_hash
            OR NEW.published_at IS DISTINCT FROM OLD.published_at
            OR NEW.published_by IS DISTINCT FROM OLD.published_by THEN
           RAISE EXCEPTION 'a published version is immutable';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER entry_versions_immutable BEFORE UPDATE OR DELETE ON entry_versions
       FOR EACH ROW EXECUTE FUNCTION govstd_version_immutable()""",
    """CREATE TRIGGER entry_versions_no_truncate BEFORE TRUNCATE ON entry_versions
       FOR EACH STATEMENT EXECUTE FUNCTION govstd_audit_append_only()""",
]


def upgrade() -> None:
    op.create_table(
        "subjects",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("entry_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("compatibility", sa.String(32), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_subjects"),
        sa.UniqueConstraint("key", name="uq_subjects_key"),
    )
    op.create_table(
        "entry_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("published_at", _TS, nullable=False),
        sa.Column("published_by", sa.String(200), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("status_changed_at", _TS, nullable=True),
        sa.Column("status_changed_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_entry_versions"),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name="fk_entry_versions_subject_id_subjects"),
        sa.UniqueConstraint("subject_id", "version", name="uq_entry_versions_subject_version"),
    )
    op.create_index("ix_entry_versions_subject_id", "entry_versions", ["subject_id"])
    op.create_table(
        "entry_names",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_entry_names"),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name="fk_entry_names_subject_id_subjects"),
    )
    op.create_index("ix_entry_names_subject_id", "entry_names", ["subject_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", _TS, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(200), nullable=True),
        sa.Column("subject_key", sa.String(200), nullable=True),
        sa.Column("version", sa.String(64), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_subject_key", "audit_log", ["subject_key"])
    dialect = op.get_bind().dialect.name
    triggers = _POSTGRES_TRIGGERS if dialect == "postgresql" else _SQLITE_TRIGGERS if dialect == "sqlite" else []
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS entry_versions_no_truncate ON entry_versions")
        op.execute("DROP TRIGGER IF EXISTS entry_versions_immutable ON entry_versions")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS govstd_version_immutable()")
        op.execute("DROP FUNCTION IF EXISTS govstd_audit_append_only()")
    op.drop_table("audit_log")
    op.drop_table("entry_names")
    op.drop_table("entry_versions")
    op.drop_table("subjects")
