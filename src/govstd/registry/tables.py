"""The registry's tables (SQLAlchemy 2.x ORM). Alembic owns the schema: change a table here, then add a
revision under ``migrations/versions`` — ``Registry`` upgrades every database it opens.

- ``subjects`` — one row per standard id (its lookup key is unique, case-insensitive);
- ``entry_versions`` — one row per published version: canonical JSON content and its SHA-256, never
  updated except its status (a trigger refuses other updates and deletes, and a status change
  without its audit event — revision 0002); UNIQUE(subject, version)
  is what makes two concurrent publishes of one version end with exactly one winner;
- ``entry_names`` — every name a subject answers to (id, aliases, standard number), unique;
- ``audit_log`` — append-only (triggers refuse UPDATE, DELETE and TRUNCATE).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC timestamps on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_name)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class SubjectRow(Base):
    __tablename__ = "subjects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    entry_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    #: None: the registry default (BACKWARD).
    compatibility: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class VersionRow(Base):
    __tablename__ = "entry_versions"
    __table_args__ = (UniqueConstraint("subject_id", "version", name="uq_entry_versions_subject_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str | None] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    published_by: Mapped[str] = mapped_column(String(200))
    message: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    status_changed_by: Mapped[str | None] = mapped_column(String(200))
    #: None for a version published here; for one copied in by ``registry import``, where from.
    origin: Mapped[str | None] = mapped_column(Text)


class NameRow(Base):
    __tablename__ = "entry_names"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    #: 'id', 'alias' or 'reference' (a standard number such as gb11643-1999).
    source: Mapped[str] = mapped_column(String(16))


class AuditRow(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str | None] = mapped_column(String(200))
    subject_key: Mapped[str | None] = mapped_column(String(200), index=True)
    version: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(Text)
    #: JSON: content hash, old/new status, breaking changes acknowledged, …
    details: Mapped[str] = mapped_column(Text)
    #: None for an event that happened here; for one copied in by ``registry import``, where from.
    origin: Mapped[str | None] = mapped_column(Text)
