"""The service's tables (migration 0003): API tokens, departments' trusted keys, scorecard submissions.

A metadata of their own, apart from ``tables.Base``: ``Registry`` recognises a database as a registry by
the core tables (``tables.py``), and it checks that *before* migrating, so a registry made by an older
govstd — without these tables yet — must still be recognised, then migrated.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from govstd.registry.tables import UtcDateTime


class ServiceBase(DeclarativeBase):
    metadata = MetaData()


class TokenRow(ServiceBase):
    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: SHA-256 of the whole token, hex; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class DepartmentKeyRow(ServiceBase):
    __tablename__ = "department_keys"
    __table_args__ = (UniqueConstraint("department", "public_key", name="uq_department_keys_department"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department: Mapped[str] = mapped_column(String(32))
    public_key: Mapped[str] = mapped_column(String(128))
    fingerprint: Mapped[str] = mapped_column(String(16))
    added_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    added_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class SubmissionRow(ServiceBase):
    __tablename__ = "scorecard_submissions"
    __table_args__ = (Index("ix_scorecard_submissions_department", "department", "dataset"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department: Mapped[str] = mapped_column(String(32))
    dataset: Mapped[str] = mapped_column(String(500))
    schema_ref: Mapped[str] = mapped_column(String(300))
    score: Mapped[float | None] = mapped_column(Float)
    verdict: Mapped[str] = mapped_column(String(32))
    #: When the scorecard says the validation finished; ``submitted_at`` is when the service received it.
    scored_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    submitted_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    submitted_by: Mapped[str] = mapped_column(String(200))
    #: SM3 of the canonical scorecard (what a signature signs).
    digest: Mapped[str] = mapped_column(String(64))
    #: Fingerprint of the trusted key that signed it; None for an unsigned submission.
    signed_by: Mapped[str | None] = mapped_column(String(16))
    signature: Mapped[str | None] = mapped_column(Text)
    scorecard: Mapped[str] = mapped_column(Text)
