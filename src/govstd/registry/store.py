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
from typing import TYPE_CHECKING, Any

import platformdirs
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from govstd import __version__
from govstd.errors import ConflictError, GovstdError, InputError
from govstd.registry import migrate
from govstd.registry.dump import EXPORT_FORMAT, EXPORT_FORMAT_VERSION, Dump
from govstd.registry.items import CatalogueItems
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
from govstd.registry.tables import Base

if TYPE_CHECKING:
    from govstd.registry.submissions import Submissions
    from govstd.registry.tokens import Tokens

#: The public names, wherever they are defined: ``govstd.registry.store`` is the one place to import from.
__all__ = [
    "EXPORT_FORMAT",
    "EXPORT_FORMAT_VERSION",
    "HOLD_ENV",
    "HOLD_FILE_ENV",
    "REGISTRY_ENV",
    "SQLITE_BUSY_TIMEOUT_S",
    "CompatibilityError",
    "ImmutableVersionError",
    "ImportReport",
    "NewerRegistryError",
    "NotARegistryError",
    "PublishAction",
    "PublishOutcome",
    "Registry",
    "RegistryUnavailableError",
    "SubjectSummary",
    "UnknownNameError",
    "VersionInfo",
    "canonical_json",
    "content_hash",
    "create_registry_engine",
    "default_path",
    "display_url",
    "plan_checks",
    "resolve_url",
    "sqlite_file",
]

REGISTRY_ENV = "GOVSTD_REGISTRY"
_INIT_HINT = "`govstd registry init --registry URL`"
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


def create_registry_engine(url: str, *, create_dirs: bool = True) -> Engine:
    """An engine with the transaction behaviour the registry relies on (see module docstring). It
    connects only when first used; ``create_dirs`` makes a SQLite file's folder now."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, create_dirs=create_dirs)
    try:
        return create_engine(
            parsed, pool_pre_ping=True, connect_args={"connect_timeout": 10, "application_name": "govstd"}
        )
    except ModuleNotFoundError as exc:
        raise GovstdError(
            f"no database driver for {display_url(url)}: {exc.name} is not installed",
            hint="pip install 'govstd[postgres]'",
        ) from None


def _sqlite_engine(parsed: URL, *, create_dirs: bool) -> Engine:
    database = parsed.database or ""
    memory = database in {"", ":memory:"}
    if not memory and create_dirs:
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

def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None for PostgreSQL and for an in-memory database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or (parsed.database or ":memory:") == ":memory:":
        return None
    return Path(parsed.database or "").expanduser()


class RegistryUnavailableError(GovstdError):
    code = "registry_unavailable"


class NotARegistryError(RegistryUnavailableError):
    """The database is missing, empty, or something else's: only ``govstd registry init`` creates one."""

    code = "not_a_registry"


class NewerRegistryError(RegistryUnavailableError):
    """The database was migrated by a newer govstd: this one cannot know what its schema means."""

    code = "registry_too_new"


# --------------------------------------------------------------------------- the registry


class Registry(Dump, CatalogueItems):
    """A registry database. Cheap to open; migrates on open; ``close()`` (or ``with``) when done.

    Only ``create=True`` or ``init()`` makes a new registry. Opening anything else is refused, so a
    mistyped path never becomes an empty registry and a foreign database never gains govstd's tables:
    a missing file or an empty database is refused on first use (``init()`` may still create it), a
    database holding other tables, or migrated by a newer govstd, is refused at once. An in-memory
    SQLite database is always new, so it is created.
    """

    def __init__(self, url: str | None = None, *, create: bool = False) -> None:
        self.url = resolve_url(url)
        self._absent: NotARegistryError | None = None
        file = sqlite_file(self.url)
        try:
            self.engine = create_registry_engine(self.url, create_dirs=create)
        except OSError as exc:
            raise RegistryUnavailableError(
                f"cannot create registry {display_url(self.url)}: {exc.strerror or exc}",
                hint=f"set --registry or {REGISTRY_ENV} to a writable location",
            ) from None
        if file is not None and not file.exists() and not create:
            # Connecting would create the file: refuse on first use instead, unless it is `init()`.
            self._absent = NotARegistryError(
                f"no registry at {file}", hint=f"check the path, or create one there with {_INIT_HINT}"
            )
            return
        self._open(create=create or (file is None and make_url(self.url).get_backend_name() == "sqlite"))

    def _open(self, *, create: bool) -> None:
        """Check what the database is, then migrate it (or, with ``create``, build it from nothing)."""
        if create and self._absent is not None:
            file = sqlite_file(self.url)
            if file is not None:
                try:
                    file.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise RegistryUnavailableError(
                        f"cannot create registry {self.location}: {exc.strerror or exc}",
                        hint=f"set --registry or {REGISTRY_ENV} to a writable location",
                    ) from None
        try:
            self._absent = self._refuse_foreign(create)
            if self._absent is None:
                migrate.upgrade(self.engine)
        except (OperationalError, DBAPIError) as exc:
            self.engine.dispose()
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            if "not a database" in reason:
                raise NotARegistryError(f"{self.location} is not a govstd registry: {reason}",
                                        hint=f"give --registry a registry, or create one with {_INIT_HINT}") from None
            raise RegistryUnavailableError(
                f"cannot open registry {self.location}: {reason}",
                hint=f"set --registry or {REGISTRY_ENV} to a reachable database",
            ) from None

    def _refuse_foreign(self, create: bool) -> NotARegistryError | None:
        """Raise for a database that is not (or not yet known to be) a govstd registry; return the error
        to raise on first use for an empty one unless ``create``."""
        tables = set(inspect(self.engine).get_table_names())
        revision = migrate.current_revision(self.engine) if "alembic_version" in tables else None
        ours = {t for t in Base.metadata.tables}
        if revision is None and not tables - {"alembic_version"}:
            if create:
                return None
            return NotARegistryError(f"{self.location} is an empty database, not a govstd registry",
                                     hint=f"create a registry there with {_INIT_HINT}")
        if revision is None or not ours <= tables:
            others = ", ".join(sorted(tables - ours - {"alembic_version"})[:5])
            holds = f"it holds other tables: {others}" if others else "it lacks some of govstd's tables"
            raise NotARegistryError(
                f"{self.location} is not a govstd registry ({holds}); govstd leaves it as it is",
                hint=f"give --registry a govstd registry, or a new path for {_INIT_HINT}",
            )
        if revision not in migrate.known_revisions():
            raise NewerRegistryError(
                f"{self.location} was made by a newer govstd (schema revision {revision!r}; this govstd"
                f" {__version__} knows up to {migrate.head_revision()!r})",
                hint="upgrade govstd (pip install -U govstd) to use this registry",
            )
        return None

    def init(self, actor: str | None = None) -> list[PublishOutcome]:
        """Create the registry if it does not exist yet, then load the built-in national library."""
        if self._absent is not None:
            self._open(create=True)
        return super().init(actor)

    @property
    def location(self) -> str:
        """The URL with any password hidden."""
        return display_url(self.url)

    @property
    def tokens(self) -> Tokens:
        """API tokens and departments' trusted keys (``tokens.py``), for the registry service."""
        from govstd.registry.tokens import Tokens

        return Tokens(self)

    @property
    def submissions(self) -> Submissions:
        """Scorecard submissions and their history (``submissions.py``)."""
        from govstd.registry.submissions import Submissions

        return Submissions(self)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- transactions

    def _require_open(self) -> None:
        if self._absent is not None:
            raise self._absent

    @contextmanager
    def _read(self) -> Iterator[Session]:
        self._require_open()
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One transaction that takes the write lock first; any DB error leaves nothing written."""
        self._require_open()
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

