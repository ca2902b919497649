"""The registry as a service: API tokens, departments' trusted signing keys, scorecard submissions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-10

- ``api_tokens`` — one row per token: its SHA-256 (the token itself is shown once and never stored),
  department, role, expiry and revocation. Tokens are 256 random bits, so a plain hash is enough: there
  is nothing to brute-force that a slow hash would protect (unlike a password).
- ``department_keys`` — SM2 public keys an admin trusts to sign a department's scorecards.
- ``scorecard_submissions`` — every scorecard a department submitted, append-only (triggers, as for the
  audit log): the history the 动态考评 evaluation reads.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)

_SQLITE_UP = [
    """CREATE TRIGGER scorecard_submissions_no_update BEFORE UPDATE ON scorecard_submissions
       BEGIN SELECT RAISE(ABORT, 'scorecard_submissions is append-only'); END""",
    """CREATE TRIGGER scorecard_submissions_no_delete BEFORE DELETE ON scorecard_submissions
       BEGIN SELECT RAISE(ABORT, 'scorecard_submissions is append-only'); END""",
]

_PG_UP = [
    """CREATE FUNCTION govstd_submissions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'scorecard_submissions is append-only'; END $$""",
    """CREATE TRIGGER scorecard_submissions_append_only BEFORE UPDATE OR DELETE ON scorecard_submissions
       FOR EACH ROW EXECUTE FUNCTION govstd_submissions_append_only()""",
    """CREATE TRIGGER scorecard_submissions_no_truncate BEFORE TRUNCATE ON scorecard_submissions
       FOR EACH STATEMENT EXECUTE FUNCTION govstd_submissions_append_only()""",
]


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("department", sa.String(32), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("expires_at", _TS, nullable=True),
        sa.Column("revoked_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_table(
        "department_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("department", sa.String(32), nullable=False),
        sa.Column("public_key", sa.String(128), nullable=False),
        sa.Column("fingerprint", sa.String(16), nullable=False),
        sa.Column("added_at", _TS, nullable=False),
        sa.Column("added_by", sa.String(200), nullable=False),
        sa.Column("revoked_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_department_keys"),
        sa.UniqueConstraint("department", "public_key", name="uq_department_keys_department"),
    )
    op.create_table(
        "scorecard_submissions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("department", sa.String(32), nullable=False),
        sa.Column("dataset", sa.String(500), nullable=False),
        sa.Column("schema_ref", sa.String(300), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("verdict", sa.String(32), nullable=False),
        sa.Column("scored_at", _TS, nullable=False),
        sa.Column("submitted_at", _TS, nullable=False),
        sa.Column("submitted_by", sa.String(200), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("signed_by", sa.String(16), nullable=True),
        sa.Column("signature", sa.Text(), nullable=True),
        sa.Column("scorecard", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scorecard_submissions"),
    )
    op.create_index("ix_scorecard_submissions_department", "scorecard_submissions", ["department", "dataset"])
    dialect = op.get_bind().dialect.name
    for statement in _PG_UP if dialect == "postgresql" else _SQLITE_UP if dialect == "sqlite" else []:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS scorecard_submissions_no_truncate ON scorecard_submissions")
        op.execute("DROP TRIGGER IF EXISTS scorecard_submissions_append_only ON scorecard_submissions")
        op.execute("DROP FUNCTION IF EXISTS govstd_submissions_append_only()")
    op.drop_table("scorecard_submissions")
    op.drop_table("department_keys")
    op.drop_table("api_tokens")
