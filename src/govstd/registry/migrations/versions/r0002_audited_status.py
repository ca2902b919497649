"""A status change needs its audit event; imported history says where it came from.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

Before this revision a raw ``UPDATE entry_versions SET status = 'retired'`` changed what every pipeline
resolves, with no trace in the audit log. Now the database refuses any change of ``status``,
``status_changed_at`` or ``status_changed_by`` unless, in the same database state, the audit log holds
the matching native event: action ``status``, the same standard and version, ``at`` equal to the new
``status_changed_at`` (which must be later than the previous one, so an old event cannot be replayed),
the same actor, and ``details`` saying from the old status to the new. The store writes that event
first and then the row, in one transaction, so its own changes pass; anyone else must write the event
too — the change is then recorded in an append-only log, which is the promise. Why an audit row rather
than a session marker: SQLite has no session variables, and a row is evidence that outlives the session.

``origin`` (NULL for native rows) marks versions and audit events copied in by ``registry import``:
where they came from and who signed the dump. The immutability trigger now covers it too.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MESSAGE = "a status change needs its audit event in the same transaction: use govstd registry status"

_SQLITE_MATCH = """
  NEW.status_changed_at IS NOT NULL AND NEW.status_changed_by IS NOT NULL
  AND (OLD.status_changed_at IS NULL OR NEW.status_changed_at > OLD.status_changed_at)
  AND EXISTS (
    SELECT 1 FROM audit_log a JOIN subjects s ON s.key = a.subject_key
    WHERE s.id = NEW.subject_id AND a.action = 'status' AND a.origin IS NULL AND a.version = NEW.version
      AND a.at = NEW.status_changed_at AND a.actor = NEW.status_changed_by
      AND json_extract(a.details, '$.from') = OLD.status AND json_extract(a.details, '$.to') = NEW.status)"""

_SQLITE_UP = [
    f"""CREATE TRIGGER entry_versions_status_audited
       BEFORE UPDATE OF status, status_changed_at, status_changed_by ON entry_versions
       WHEN NOT ({_SQLITE_MATCH})
       BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END""",
    "DROP TRIGGER entry_versions_immutable",
    """CREATE TRIGGER entry_versions_immutable
       BEFORE UPDATE OF subject_id, version, content, content_hash, published_at, published_by, origin
       ON entry_versions
       BEGIN SELECT RAISE(ABORT, 'a published version is immutable'); END""",
]

_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS entry_versions_status_audited",
    "DROP TRIGGER entry_versions_immutable",
    """CREATE TRIGGER entry_versions_immutable
       BEFORE UPDATE OF subject_id, version, content, content_hash, published_at, published_by
       ON entry_versions
       BEGIN SELECT RAISE(ABORT, 'a published version is immutable'); END""",
]

_PG_VERSION_IMMUTABLE = """CREATE OR REPLACE FUNCTION govstd_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE'
            OR NEW.subject_id IS DISTINCT FROM OLD.subject_id OR NEW.version IS DISTINCT FROM OLD.version
            OR NEW.content IS DISTINCT FROM OLD.content OR NEW.content_hash IS DISTINCT FROM OLD.content_hash
            OR NEW.published_at IS DISTINCT FROM OLD.published_at
            OR NEW.published_by IS DISTINCT FROM OLD.published_by{extra} THEN
           RAISE EXCEPTION 'a published version is immutable';
         END IF;
         RETURN NEW;
       END $$"""

_PG_UP = [
    f"""CREATE FUNCTION govstd_status_audited() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF (NEW.status IS DISTINCT FROM OLD.status OR NEW.status_changed_at IS DISTINCT FROM OLD.status_changed_at
             OR NEW.status_changed_by IS DISTINCT FROM OLD.status_changed_by)
            AND NOT (NEW.status_changed_at IS NOT NULL AND NEW.status_changed_by IS NOT NULL
              AND (OLD.status_changed_at IS NULL OR NEW.status_changed_at > OLD.status_changed_at)
              AND EXISTS (
                SELECT 1 FROM audit_log a JOIN subjects s ON s.key = a.subject_key
                WHERE s.id = NEW.subject_id AND a.action = 'status' AND a.origin IS NULL
                  AND a.version = NEW.version AND a.at = NEW.status_changed_at AND a.actor = NEW.status_changed_by
                  AND a.details::jsonb ->> 'from' = OLD.status AND a.details::jsonb ->> 'to' = NEW.status)) THEN
           RAISE EXCEPTION '{_MESSAGE}';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER entry_versions_status_audited BEFORE UPDATE ON entry_versions
       FOR EACH ROW EXECUTE FUNCTION govstd_status_audited()""",
    _PG_VERSION_IMMUTABLE.format(extra="\n            OR NEW.origin IS DISTINCT FROM OLD.origin"),
]

_PG_DOWN = [
    "DROP TRIGGER IF EXISTS entry_versions_status_audited ON entry_versions",
    "DROP FUNCTION IF EXISTS govstd_status_audited()",
    _PG_VERSION_IMMUTABLE.format(extra=""),
]


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("origin", sa.Text(), nullable=True))
    op.add_column("entry_versions", sa.Column("origin", sa.Text(), nullable=True))
    dialect = op.get_bind().dialect.name
    for statement in _PG_UP if dialect == "postgresql" else _SQLITE_UP if dialect == "sqlite" else []:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _PG_DOWN if dialect == "postgresql" else _SQLITE_DOWN if dialect == "sqlite" else []:
        op.execute(statement)
    # Plain ALTER TABLE on both backends: SQLite's batch mode would rebuild the tables without their triggers.
    op.execute("ALTER TABLE entry_versions DROP COLUMN origin")
    op.execute("ALTER TABLE audit_log DROP COLUMN origin")
