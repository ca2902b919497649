"""Bring a registry database to the newest schema, run programmatically whenever a registry is opened.

Two processes may open a fresh database at once (two CI jobs, say). The upgrade therefore runs in one
transaction that first takes a lock — ``BEGIN IMMEDIATE`` on SQLite, an advisory transaction lock on
PostgreSQL — and only then reads the current revision, so the second process finds the work done.
Both backends have transactional DDL: a migration that fails leaves the database as it was.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

#: Key of the PostgreSQL advisory lock that serialises migrations ("govstd" in ASCII).
_PG_MIGRATION_LOCK = 0x676F76737464


def _location() -> Path:
    return Path(str(resources.files("govstd.registry").joinpath("migrations")))


def alembic_config() -> Config:
    folder = _location()
    cfg = Config(str(folder / "alembic.ini"))
    cfg.set_main_option("script_location", str(folder))
    return cfg


@functools.cache
def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@functools.cache
def known_revisions() -> frozenset[str]:
    """Every revision this govstd ships; any other in a database was written by a newer govstd."""
    return frozenset(s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions())


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Upgrade to head unless already there (one cheap query in the common case)."""
    head = head_revision()
    if current_revision(engine) == head:
        return
    cfg = alembic_config()
    with engine.connect() as conn:
        conn.execution_options(govstd_write=True)  # BEGIN IMMEDIATE on SQLite (see store.py)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
