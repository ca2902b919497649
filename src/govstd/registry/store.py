"""The versioned registry: where standards live once agreed, every version kept, none ever changed.

``Registry(url)`` opens (and migrates) a database: an embedded SQLite file by default, a shared
PostgreSQL server by URL. Everything the CLI does is a method here::

    reg = Registry()                       # GOVSTD_REGISTRY, else <user data dir>/govstd/registry.sqlite
    reg.init()                             # the built-in national library
    reg.publish(load_paths(["schemas/"]), actor="alice", message="2025 catalogue")
    schema = reg.resolve("510100-00001@^1")

Guarantees, each enforced by the database rather than by Python:

- a version is published once: UNIQUE(subject, version), plus a trigger that refuses any change to
  its content; publishing identical content again is a no-op, different content a ``ConflictError``
  with a diff;
- a batch publishes in one transaction — all of it or none of it, even when the process is killed;
- concurrent publishers serialise (``BEGIN IMMEDIATE`` on SQLite, a row lock on PostgreSQL), and a
  publisher that loses a race on the unique constraint re-reads what the winner wrote;
- the audit log is append-only (triggers again).

This module is the facade: where the registry lives, opening it, and its transactions. The methods
live by what they do — ``reading.py`` (resolve, list, history), ``publishing.py`` (publish, status,
compatibility), ``dump.py`` (export, import) — and the results and errors in ``results.py``; every
public name is importable from here.

Test hooks (used by the test suite to kill a publish midway; never set them in production):
``GOVSTD_TEST_PUBLISH_HOLD=<seconds>`` sleeps inside the publish transaction after every row is
written and before the commit; ``GOVSTD_TEST_PUBLISH_HOLD_FILE=<path>`` is written (with the pid)
when the sleep starts, so a test knows the transaction is open.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from govstd.errors import ConflictError, GovstdError, InputError
from govstd.registry import migrate
from govstd.registry.dump import EXPORT_FORMAT, EXPORT_FORMAT_VERSION, Dump
from govstd.registry.publishing import HOLD_ENV, HOLD_FILE_ENV, canonical_json, content_hash, plan_checks
from govstd.registry.results import (
    CompatibilityError,
    ImmutableVersionError,
    ImportReport,
    PublishAction,
    PublishOutcome,
    SubjectSummary,
    UnknownNameError,
    VersionInfo,
    _RaceLost,
)

#: The public names, wherever they are defined: ``govstd.registry.store`` is the one place to import from.
__all__ = [
    "EXPORT_FORMAT", "EXPORT_FORMAT_VERSION", "HOLD_ENV", "HOLD_FILE_ENV", "REGISTRY_ENV", "SQLITE_BUSY_TIMEOUT_S",
    "CompatibilityError", "ImmutableVersionError", "ImportReport", "PublishAction", "PublishOutcome", "Registry",
    "RegistryUnavailableError", "SubjectSummary", "UnknownNameError", "VersionInfo", "canonical_json",
    "content_hash", "create_registry_engine", "default_path", "display_url", "plan_checks", "resolve_url",
]

REGISTRY_ENV = "GOVSTD_REGISTRY"
#: How long a SQLite writer waits for another writer's transaction before giving up.
SQLITE_BUSY_TIMEOUT_S = 60.0


# --------------------------------------------------------------------------- where the registry lives


def default_path() -> Path:
    """The embedded registry: ``<user data dir>/govstd/registry.sqlite`` (platformdirs), e.g.
    ``~/.local/share/govstd/registry.sqlite`` on Linux."""
    return Path(platformdirs.user_data_dir("govstd", appauthor=False)) / "registry.sqlite"


def resolve_url(url: str | None = None) -> str:
    """``url``, else GOVSTD_REGISTRY, else the default SQLite file. A bare path means a SQLite file;
    ``postgresql://`` gets the psycopg 3 driver."""
    raw = (url or os.environ.get(REGISTRY_ENV) or "").strip()
    if not raw:
        return f"sqlite:///{default_path()}"
    if "://" not in raw:
        return f"sqlite:///{Path(raw).expanduser().resolve()}"
    try:
        parsed = make_url(raw)
    except ArgumentError:
        raise InputError(f"not a database URL: {raw!r}", expected="sqlite:///PATH or postgresql://HOST/DB") from None
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def display_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def create_registry_engine(url: str) -> Engine:
    """An engine with the transaction behaviour the registry relies on (see module docstring)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    try:
        return create_engine(
            parsed, pool_pre_ping=True, connect_args={"connect_timeout": 10, "application_name": "govstd"}
        )
    except ModuleNotFoundError as exc:
        raise GovstdError(
            f"no database driver for {display_url(url)}: {exc.name} is not installed",
            hint="pip install 'govstd[postgres]'",
        ) from None


def _sqlite_engine(parsed: URL) -> Engine:
    database = parsed.database or ""
    memory = database in {"", ":memory:"}
    if not memory:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        parsed,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
        **({"poolclass": StaticPool} if memory else {}),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if not memory:
            cursor.execute("PRAGMA journal_mode = WAL")  # readers never wait for a publish
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A write takes the database's write lock when it starts, so two publishers serialise instead
        # of both reading "version absent" and one failing later with SQLITE_BUSY mid-transaction.
        write = conn.get_execution_options().get("govstd_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine



class RegistryUnavailableError(GovstdError):
    code = "registry_unavailable"



# --------------------------------------------------------------------------- the registry


class Registry(Dump):
    """A registry database. Cheap to open; migrates on open; ``close()`` (or ``with``) when done."""

    def __init__(self, url: str | None = None) -> None:
        self.url = resolve_url(url)
        try:
            self.engine = create_registry_engine(self.url)
        except OSError as exc:
            raise RegistryUnavailableError(
                f"cannot create registry {display_url(self.url)}: {exc.strerror or exc}",
                hint=f"set --registry or {REGISTRY_ENV} to a writable location",
            ) from None
        try:
            migrate.upgrade(self.engine)
        except (OperationalError, DBAPIError) as exc:
            self.engine.dispose()
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise RegistryUnavailableError(
                f"cannot open registry {display_url(self.url)}: {reason}",
                hint=f"set --registry or {REGISTRY_ENV} to a reachable database",
            ) from None

    @property
    def location(self) -> str:
        """The URL with any password hidden."""
        return display_url(self.url)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- transactions

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One transaction that takes the write lock first; any DB error leaves nothing written."""
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                session.connection(execution_options={"govstd_write": True})
                yield session
                session.commit()
        except IntegrityError:
            raise _RaceLost() from None
        except OperationalError as exc:
            text = str(exc.orig).lower() if exc.orig else str(exc).lower()
            if any(w in text for w in ("locked", "deadlock", "could not serialize", "busy")):
                raise ConflictError(
                    "the registry is busy with another write; nothing was written",
                    hint="re-run the command",
                ) from None
            raise

