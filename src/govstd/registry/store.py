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

Test hooks (used by the test suite to kill a publish midway; never set them in production):
``GOVSTD_TEST_PUBLISH_HOLD=<seconds>`` sleeps inside the publish transaction after every row is
written and before the commit; ``GOVSTD_TEST_PUBLISH_HOLD_FILE=<path>`` is written (with the pid)
when the sleep starts, so a test knows the transaction is open.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from sqlalchemy import create_engine, event, select, update
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, defer
from sqlalchemy.pool import StaticPool

from govstd import __version__
from govstd.errors import ConflictError, GovstdError, InputError, NotFoundError
from govstd.registry import migrate
from govstd.registry.audit import AuditAction, AuditEvent, make_row, now, resolve_actor, to_event
from govstd.registry.compat import (
    DEFAULT_MODE,
    Change,
    Compatibility,
    CompatibilityMode,
    Diff,
    diff_entries,
)
from govstd.registry.lifecycle import check_initial, check_transition, parse_status
from govstd.registry.tables import AuditRow, NameRow, SubjectRow, VersionRow
from govstd.registry.versions import (
    Bump,
    Choice,
    NoMatchingVersionError,
    Resolved,
    Version,
    VersionRange,
    choose_version,
    split_ref,
)
from govstd.standards import library
from govstd.standards.library import lookup_key
from govstd.standards.models import (
    AnyEntry,
    CatalogueSchema,
    DataElement,
    Entry,
    EntryKind,
    RegistrationStatus,
)

REGISTRY_ENV = "GOVSTD_REGISTRY"
HOLD_ENV = "GOVSTD_TEST_PUBLISH_HOLD"
HOLD_FILE_ENV = "GOVSTD_TEST_PUBLISH_HOLD_FILE"
EXPORT_FORMAT = "govstd-registry-export"
EXPORT_FORMAT_VERSION = 1
#: How long a SQLite writer waits for another writer's transaction before giving up.
SQLITE_BUSY_TIMEOUT_S = 60.0

_ADAPTER: TypeAdapter[AnyEntry] = TypeAdapter(Entry)
#: Name sources, strongest first: an id beats an alias, an alias beats a standard number.
_NAME_PRIORITY = {"id": 0, "alias": 1, "reference": 2}


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


# --------------------------------------------------------------------------- results


class VersionInfo(BaseModel):
    """One published version, without its content."""

    model_config = ConfigDict(extra="forbid")

    id: str
    kind: EntryKind
    version: str
    status: RegistrationStatus
    name_zh: str
    name_en: str | None = None
    published_at: dt.datetime
    published_by: str
    message: str | None = None
    content_hash: str
    status_changed_at: dt.datetime | None = None
    status_changed_by: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"


class SubjectSummary(VersionInfo):
    """A standard: the version its bare id resolves to (else its newest) plus every version it has."""

    versions: list[str]
    latest: str | None = Field(None, description="What `id` / `id@latest` resolves to (None: nothing does).")
    compatibility: CompatibilityMode


class PublishAction(StrEnum):
    PUBLISHED = "published"
    UNCHANGED = "unchanged"


class PublishOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    version: str
    kind: EntryKind
    action: PublishAction
    status: RegistrationStatus
    content_hash: str
    dry_run: bool = False
    previous: str | None = Field(None, description="The earlier version this one was compared with.")
    compatibility: Compatibility | None = None
    suggested_bump: Bump | None = None
    changes: int = 0
    breaking_acknowledged: list[Change] = Field(default_factory=list)
    note: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"


class ImportReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subjects_added: int = 0
    versions_added: int = 0
    versions_unchanged: int = 0
    audit_events_added: int = 0
    status_differences: list[str] = Field(default_factory=list)


# --------------------------------------------------------------------------- errors


class UnknownNameError(NotFoundError):
    """An unknown id, version or reference; names the closest registered ones."""

    def __init__(self, message: str, name: str, suggestions: Sequence[str] = (), hint: str | None = None) -> None:
        GovstdError.__init__(
            self, message, hint=hint or (f"did you mean {', '.join(suggestions)}?" if suggestions else None)
        )
        self.name = name
        self.suggestions = list(suggestions)

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "name": self.name, "suggestions": self.suggestions}


class ImmutableVersionError(ConflictError):
    """Different content under a version that is already published."""

    code = "immutable"

    def __init__(self, ref: str, diff: Diff, *, published_by: str, published_at: dt.datetime, suggestion: str) -> None:
        self.diff = diff
        super().__init__(
            f"{ref} is already published (by {published_by}, {published_at:%Y-%m-%d %H:%M} UTC) with"
            f" different content; a published version never changes.\n{diff.render()}",
            hint=f"publish the change under a new version: {suggestion}",
        )

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "diff": self.diff.model_dump(mode="json")}


class CompatibilityError(ConflictError):
    """A publish that breaks the subject's compatibility mode."""

    code = "incompatible"

    def __init__(self, ref: str, diffs: Sequence[Diff], *, suggested: str, new_line: bool) -> None:
        self.diffs = list(diffs)
        self.suggested_version = suggested
        self.new_line = new_line
        mode = diffs[0].mode
        parts = []
        for d in diffs:
            against = d.old if d.new == ref else d.new
            parts.append(
                f"{ref} breaks {mode.value} compatibility with {against}"
                f" ({len(d.breaking_changes)} breaking change(s)):\n{d.render(only_breaking=True, header=False)}"
            )
        parts.append(f"suggested bump: {diffs[0].suggested_bump.value} → {suggested}")
        if new_line:
            hint = (
                f"{ref} starts a new compatibility line, where breaking changes are allowed: re-run with"
                " --allow-breaking to confirm them (they are recorded in the audit log)"
            )
        else:
            line = Version.parse(ref.rsplit("@", 1)[1]).line_label
            hint = (
                f"breaking changes need a new major version, so that pipelines pinned to {line} never receive"
                f" them: publish it as {suggested}. --allow-breaking does not apply within a line;"
                " `govstd registry compatibility` changes the subject's mode"
            )
        super().__init__("refused: " + "\n".join(parts), hint=hint)

    def to_dict(self) -> dict[str, object]:
        return {
            **super().to_dict(),
            "suggested_version": self.suggested_version,
            "new_line": self.new_line,
            "diffs": [d.model_dump(mode="json") for d in self.diffs],
        }


class RegistryUnavailableError(GovstdError):
    code = "registry_unavailable"


class _RaceLost(ConflictError):
    """Another writer committed the same row first. ``publish`` re-reads and tries again; anywhere
    else it reaches the user as the conflict it is."""

    def __init__(self) -> None:
        super().__init__(
            "another process wrote the same entries at the same moment; nothing was written",
            hint="re-run the command to see what was written",
        )


class _DryRun(Exception):
    pass


# --------------------------------------------------------------------------- helpers


def canonical_json(entry: AnyEntry) -> str:
    """What is stored and hashed: the full model dump with sorted keys. Status is lifecycle, not
    content, so it lives in its own column and is left out here."""
    return json.dumps(
        entry.model_dump(mode="json", exclude={"status"}), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


def content_hash(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _latest(subject: SubjectRow, rows: Sequence[VersionRow]) -> str | None:
    """What the bare id resolves to (``versions.choose_version``), None when nothing does."""
    try:
        return choose_version(subject.entry_id, _statuses(rows), split_ref("latest")[1]).version
    except NoMatchingVersionError:
        return None


def _statuses(rows: Sequence[VersionRow]) -> list[tuple[str, RegistrationStatus]]:
    return [(r.version, RegistrationStatus(r.status)) for r in rows]


def _entry_refs(entry: AnyEntry) -> list[tuple[str, str, EntryKind]]:
    """References this entry makes to others: (field path, reference, kind it must name)."""
    refs: list[tuple[str, str, EntryKind]] = []
    if isinstance(entry, DataElement) and entry.value_domain.code_set:
        refs.append(("value_domain.code_set", entry.value_domain.code_set, EntryKind.CODE_SET))
    if isinstance(entry, CatalogueSchema):
        for spec in entry.fields:
            if spec.standard:
                refs.append((f"fields.{spec.name}.standard", spec.standard, EntryKind.DATA_ELEMENT))
            if spec.code_set:
                refs.append((f"fields.{spec.name}.code_set", spec.code_set, EntryKind.CODE_SET))
    return refs


def _entry_names(entry: AnyEntry) -> list[tuple[str, str]]:
    names = [(lookup_key(entry.id), "id")]
    names += [(lookup_key(a), "alias") for a in entry.aliases]
    if entry.reference is not None:
        number = lookup_key(entry.reference.standard)
        names += [(number, "reference"), (number.split("-")[0], "reference")]
    return names


def _hold_for_tests() -> None:
    """The documented test hook (module docstring): pause inside the open publish transaction."""
    seconds = os.environ.get(HOLD_ENV)
    if not seconds:
        return
    marker = os.environ.get(HOLD_FILE_ENV)
    if marker:
        Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(float(seconds))


def _next_line(new: Version, existing: Sequence[Version]) -> Version:
    """The first version of the next free compatibility line (what a breaking change must be)."""
    if new.major > 0:
        return Version(max([new.major, *(v.major for v in existing)]) + 1, 0, 0)
    return Version(0, max([new.minor, *(v.minor for v in existing if v.major == 0)]) + 1, 0)


def plan_checks(
    new: Version, existing: Sequence[Version], mode: CompatibilityMode
) -> tuple[list[tuple[Version, Version]], Version | None]:
    """Which pairs (older, newer) must be compatible when ``new`` is published, and — when ``new``
    starts a compatibility line — the version it must be compared with for confirmation.

    Within a line the mode holds between neighbours (or between all versions, for *_TRANSITIVE
    modes). A new line may break what came before, but only when confirmed. Pre-releases are
    neither checked nor checked against: they are drafts.
    """
    if mode is CompatibilityMode.NONE or new.is_prerelease:
        return [], None
    released = sorted(v for v in existing if not v.is_prerelease and v != new)
    line = [v for v in released if v.line == new.line]
    if not line:
        earlier = [v for v in released if v < new]
        return [], (earlier[-1] if earlier else None)
    lower = [v for v in line if v < new]
    higher = [v for v in line if v > new]
    if mode.transitive:
        return [(v, new) for v in lower] + [(new, v) for v in higher], None
    return ([(lower[-1], new)] if lower else []) + ([(new, higher[0])] if higher else []), None


# --------------------------------------------------------------------------- the registry


class Registry:
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

    # ----------------------------------------------------------------- lookup

    def _subject(self, session: Session, name: str, *, lock: bool = False) -> SubjectRow | None:
        owner = session.get(NameRow, lookup_key(name))
        if owner is None:
            return None
        stmt = select(SubjectRow).where(SubjectRow.id == owner.subject_id)
        if lock:
            stmt = stmt.with_for_update()
        return session.scalars(stmt).one()

    def _require_subject(self, session: Session, name: str, *, kind: EntryKind | None = None) -> SubjectRow:
        subject = self._subject(session, name)
        if subject is not None and (kind is None or subject.kind == kind.value):
            return subject
        what = kind.value.replace("_", " ") if kind else "standard"
        if subject is not None:
            raise UnknownNameError(f"{name!r} is a {subject.kind.replace('_', ' ')}, not a {what}", name)
        raise UnknownNameError(
            f"unknown {what}: {name!r}", name, self._close_matches(session, name, kind),
        )

    def _close_matches(self, session: Session, name: str, kind: EntryKind | None) -> list[str]:
        stmt = select(NameRow.key, SubjectRow.entry_id).join(SubjectRow, SubjectRow.id == NameRow.subject_id)
        if kind is not None:
            stmt = stmt.where(SubjectRow.kind == kind.value)
        by_key: dict[str, str] = {}
        for key, entry_id in session.execute(stmt):
            by_key.setdefault(key, entry_id)
        keys = difflib.get_close_matches(lookup_key(name), list(by_key), n=6, cutoff=0.6)
        out: dict[str, str] = {}  # entry id → label, one per standard
        for key in keys:
            entry_id = by_key[key]
            out.setdefault(entry_id, entry_id if lookup_key(entry_id) == key else f"{entry_id} ({key})")
        return list(out.values())[:3]

    def _version_rows(self, session: Session, subject: SubjectRow, *, content: bool = False) -> list[VersionRow]:
        stmt = select(VersionRow).where(VersionRow.subject_id == subject.id)
        if not content:
            stmt = stmt.options(defer(VersionRow.content))
        rows = list(session.scalars(stmt))
        rows.sort(key=lambda r: Version.parse(r.version).sort_key())
        return rows

    def _choose(self, subject: SubjectRow, rows: Sequence[VersionRow], wanted: VersionRange,
                include_candidates: bool) -> tuple[VersionRow, Choice]:
        """The row ``wanted`` resolves to, by the one rule (``versions.choose_version``)."""
        choice = choose_version(subject.entry_id, _statuses(rows), wanted, include_candidates=include_candidates)
        return next(r for r in rows if r.version == choice.version), choice

    def _decode(self, row: VersionRow) -> AnyEntry:
        data = json.loads(row.content)
        data["status"] = row.status
        return _ADAPTER.validate_python(data)

    def _info(self, subject: SubjectRow, row: VersionRow) -> VersionInfo:
        return VersionInfo(
            id=subject.entry_id, kind=EntryKind(subject.kind), version=row.version,
            status=RegistrationStatus(row.status), name_zh=row.name_zh, name_en=row.name_en,
            published_at=row.published_at, published_by=row.published_by, message=row.message,
            content_hash=row.content_hash, status_changed_at=row.status_changed_at,
            status_changed_by=row.status_changed_by,
        )

    # ----------------------------------------------------------------- reading

    def resolve(self, ref: str, *, kind: EntryKind | None = None, include_candidates: bool = False) -> AnyEntry:
        """The entry ``ref`` names: ``id``, ``id@1.2.0``, ``id@^1.2``, ``id@~1.2``, ``id@>=1,<2``,
        ``id@latest``; the id case-insensitively, or an alias or standard number. The version is
        chosen by ``versions.choose_version``; a superseded, retired or candidate choice is reported
        as a ``ResolutionWarning`` (``lookup`` returns it instead)."""
        return self.lookup(ref, kind=kind, include_candidates=include_candidates).warn()

    def lookup(self, ref: str, *, kind: EntryKind | None = None, include_candidates: bool = False) -> Resolved:
        """``resolve`` without issuing the warning: the entry and the warning, for callers that report
        it themselves (``govstd validate`` puts it in the result's warnings)."""
        name, wanted = split_ref(ref)
        with self._read() as session:
            subject = self._require_subject(session, name, kind=kind)
            rows = self._version_rows(session, subject)
            row, choice = self._choose(subject, rows, wanted, include_candidates)
            return Resolved(self._decode(row), choice.warning)

    def get(self, id: str, version: str) -> AnyEntry:
        """One exact version, whatever its status."""
        Version.parse(version)
        return self.lookup(f"{id}@{version}").entry

    def versions(self, id: str) -> list[VersionInfo]:
        """Every version of a standard, oldest first."""
        with self._read() as session:
            subject = self._require_subject(session, id)
            return [self._info(subject, r) for r in self._version_rows(session, subject)]

    def entries(self, kind: EntryKind | None = None, all_versions: bool = True) -> list[AnyEntry]:
        """Full entries for the docs site: every version, or per standard the one its id resolves to
        (its newest version when none is a standard yet)."""
        with self._read() as session:
            stmt = select(SubjectRow).order_by(SubjectRow.key)
            if kind is not None:
                stmt = stmt.where(SubjectRow.kind == kind.value)
            out: list[AnyEntry] = []
            for subject in session.scalars(stmt):
                rows = self._version_rows(session, subject, content=True)
                if not rows:
                    continue
                if not all_versions:
                    latest = _latest(subject, rows)
                    rows = [next((r for r in rows if r.version == latest), rows[-1])]
                out.extend(self._decode(r) for r in rows)
            return out

    def history(self, id: str) -> list[AuditEvent]:
        """The audit events of one standard, oldest first."""
        with self._read() as session:
            subject = self._require_subject(session, id)
            stmt = select(AuditRow).where(AuditRow.subject_key == subject.key).order_by(AuditRow.at, AuditRow.id)
            return [to_event(r) for r in session.scalars(stmt)]

    def audit_log(self) -> list[AuditEvent]:
        """Every audit event, oldest first."""
        with self._read() as session:
            return [to_event(r) for r in session.scalars(select(AuditRow).order_by(AuditRow.at, AuditRow.id))]

    def diff(self, ref_a: str, ref_b: str) -> Diff:
        """Classified changes from ``ref_a`` to ``ref_b`` (candidates included), judged under the
        compatibility mode of ``ref_b``'s standard."""
        a = self.lookup(ref_a, include_candidates=True).entry
        b = self.lookup(ref_b, include_candidates=True).entry
        mode = self.compatibility(b.id)
        return diff_entries(a, b, mode=mode)

    def compatibility(self, id: str) -> CompatibilityMode:
        with self._read() as session:
            subject = self._require_subject(session, id)
            return CompatibilityMode(subject.compatibility or DEFAULT_MODE)

    def service_item_codes(self, include_retired: bool = False) -> set[str]:
        """Basic codes and implementation codes of every registered service item (all versions not
        retired, unless ``include_retired``) — for the validators' referential check."""
        with self._read() as session:
            stmt = (
                select(VersionRow.content, VersionRow.status)
                .join(SubjectRow, SubjectRow.id == VersionRow.subject_id)
                .where(SubjectRow.kind == EntryKind.SERVICE_ITEM.value)
            )
            codes: set[str] = set()
            for content, status in session.execute(stmt):
                if status == RegistrationStatus.RETIRED.value and not include_retired:
                    continue
                data = json.loads(content)
                codes.add(data["id"])
                codes.update(i["implementation_code"] for i in data.get("implementations") or [])
            return codes

    # ----------------------------------------------------------------- writing

    def init(self, actor: str | None = None) -> list[PublishOutcome]:
        """Load the built-in national library (idempotent: unchanged entries are no-ops). The library
        is authoritative, so a new major of a built-in standard is published as it is."""
        return self.publish(
            library.builtin_entries(), actor=actor, message=f"built-in national library (govstd {__version__})",
            allow_breaking=True,
        )

    def publish(
        self,
        entries: Sequence[AnyEntry],
        *,
        actor: str | None = None,
        message: str | None = None,
        allow_breaking: bool = False,
        dry_run: bool = False,
    ) -> list[PublishOutcome]:
        """Publish a batch in one transaction: every entry or none. See the module docstring for the
        guarantees and ``docs/registry.md`` for the compatibility rule."""
        batch = self._order_batch(entries)
        who = resolve_actor(actor)
        for attempt in range(3):
            try:
                return self._publish_batch(batch, who, message, allow_breaking, dry_run)
            except _RaceLost:
                if attempt == 2:
                    break
        raise ConflictError(
            "another process published the same version at the same moment; nothing was written",
            hint="re-run the command to compare with what was published",
        )

    def _order_batch(self, entries: Sequence[AnyEntry]) -> list[AnyEntry]:
        seen: dict[tuple[str, str], AnyEntry] = {}
        for entry in entries:
            Version.parse(entry.version)
            key = (lookup_key(entry.id), entry.version)
            if key in seen:
                if canonical_json(seen[key]) != canonical_json(entry):
                    raise InputError(f"{entry.ref} appears twice in this publish with different content")
                continue
            seen[key] = entry
        return sorted(seen.values(), key=lambda e: (lookup_key(e.id), Version.parse(e.version).sort_key()))

    def _publish_batch(
        self, batch: Sequence[AnyEntry], actor: str, message: str | None, allow_breaking: bool, dry_run: bool
    ) -> list[PublishOutcome]:
        outcomes: list[PublishOutcome] = []
        try:
            with self._write() as session:
                at = now()
                in_batch: dict[str, list[AnyEntry]] = {}
                for entry in batch:
                    for key, _source in _entry_names(entry)[: 1 + len(entry.aliases)]:
                        in_batch.setdefault(key, []).append(entry)
                for entry in batch:
                    outcome = self._publish_one(session, entry, actor, message, allow_breaking, at, in_batch)
                    outcomes.append(outcome.model_copy(update={"dry_run": dry_run}))
                session.flush()
                _hold_for_tests()
                if dry_run:
                    raise _DryRun()
        except _DryRun:
            pass
        return outcomes

    def _publish_one(
        self, session: Session, entry: AnyEntry, actor: str, message: str | None, allow_breaking: bool,
        at: dt.datetime, in_batch: Mapping[str, Sequence[AnyEntry]],
    ) -> PublishOutcome:
        version = Version.parse(entry.version)
        key = lookup_key(entry.id)
        subject = self._subject(session, entry.id, lock=True)
        if subject is not None and subject.key != key:
            raise ConflictError(f"{entry.id!r} is already a name of {subject.entry_id}; choose another id")
        if subject is None:
            subject = SubjectRow(key=key, entry_id=entry.id, kind=entry.kind.value, compatibility=None, created_at=at)
            session.add(subject)
            session.flush()
        elif subject.kind != entry.kind.value:
            raise ConflictError(
                f"{subject.entry_id} is registered as a {subject.kind.replace('_', ' ')};"
                f" {entry.ref} is a {entry.kind.value.replace('_', ' ')}"
            )
        note = None
        if entry.id != subject.entry_id:
            note = f"id {entry.id!r} stored under its registered spelling {subject.entry_id!r}"
            entry = entry.model_copy(update={"id": subject.entry_id})
        canonical = canonical_json(entry)
        digest = content_hash(canonical)
        rows = self._version_rows(session, subject)
        cache: dict[str, AnyEntry] = {entry.version: entry}

        def load(v: Version) -> AnyEntry:
            if str(v) not in cache:
                cache[str(v)] = self._decode(next(r for r in rows if r.version == str(v)))
            return cache[str(v)]

        existing = next((r for r in rows if r.version == entry.version), None)
        if existing is not None:
            stored = self._decode(existing)
            if existing.content_hash != digest and canonical_json(stored) != canonical:
                mode = CompatibilityMode(subject.compatibility or DEFAULT_MODE)
                diff = diff_entries(stored, entry, mode=mode, old_ref=f"{entry.ref} (published)",
                                    new_ref=f"{entry.ref} (this publish)")
                bump = diff.suggested_bump if diff.suggested_bump is not Bump.NONE else Bump.PATCH
                candidates = [Version.parse(r.version) for r in rows]
                line_top = max(v for v in candidates if v.line == version.line)
                suggestion = str(_next_line(version, candidates) if bump is Bump.MAJOR else line_top.bumped(bump))
                raise ImmutableVersionError(
                    entry.ref, diff, published_by=existing.published_by, published_at=existing.published_at,
                    suggestion=suggestion,
                )
            if existing.status != entry.status.value:
                note = (f"already published; its status is {existing.status} (the file says"
                        f" {entry.status.value}): use `govstd registry status` to change it")
            return PublishOutcome(
                id=subject.entry_id, version=entry.version, kind=entry.kind, action=PublishAction.UNCHANGED,
                status=RegistrationStatus(existing.status), content_hash=existing.content_hash, note=note,
            )
        check_initial(entry.ref, entry.status)
        self._check_references(session, entry, in_batch)

        mode = CompatibilityMode(subject.compatibility or DEFAULT_MODE)
        others = [Version.parse(r.version) for r in rows]
        pairs, line_base = plan_checks(version, others, mode)
        broken = []
        for older, newer in pairs:
            d = diff_entries(load(older), load(newer), mode=mode)
            if not d.compatible:
                broken.append(d)
        if broken:
            raise CompatibilityError(entry.ref, broken, suggested=str(_next_line(version, others)), new_line=False)
        acknowledged: list[Change] = []
        previous = None
        base_diff: Diff | None = None
        if line_base is not None:
            base_diff = diff_entries(load(line_base), entry, mode=mode)
            if not base_diff.compatible and not allow_breaking:
                raise CompatibilityError(entry.ref, [base_diff], suggested=entry.version, new_line=True)
            acknowledged = base_diff.breaking_changes
        elif pairs:
            lower = [p for p in pairs if p[1] == version]
            if lower:
                base_diff = diff_entries(load(lower[-1][0]), entry, mode=mode)
        if base_diff is not None:
            previous = base_diff.old

        row = VersionRow(
            subject_id=subject.id, version=entry.version, status=entry.status.value, name_zh=entry.name_zh,
            name_en=entry.name_en, content=canonical, content_hash=digest, published_at=at, published_by=actor,
            message=message,
        )
        session.add(row)
        session.flush()  # a concurrent winner makes this raise IntegrityError: _write turns it into a retry
        self._add_names(session, subject, entry)
        session.add(
            make_row(
                actor=actor, action=AuditAction.PUBLISH, subject=subject.entry_id, subject_key=subject.key,
                version=entry.version, message=message, at=at,
                details={
                    "kind": entry.kind.value, "status": entry.status.value, "content_hash": digest,
                    "previous": previous, "mode": mode.value,
                    "compatibility": base_diff.compatibility.value if base_diff else None,
                    "breaking_acknowledged": [f"{c.path}: {c.reason}" for c in acknowledged],
                },
            )
        )
        return PublishOutcome(
            id=subject.entry_id, version=entry.version, kind=entry.kind, action=PublishAction.PUBLISHED,
            status=entry.status, content_hash=digest, previous=previous,
            compatibility=base_diff.compatibility if base_diff else None,
            suggested_bump=base_diff.suggested_bump if base_diff else None,
            changes=len(base_diff.changes) if base_diff else 0, breaking_acknowledged=acknowledged, note=note,
        )

    def _add_names(self, session: Session, subject: SubjectRow, entry: AnyEntry) -> None:
        """Register the names a subject answers to; every alias any version declared stays valid."""
        for key, source in _entry_names(entry):
            if not key:
                continue
            row = session.get(NameRow, key)
            if row is None:
                session.add(NameRow(key=key, subject_id=subject.id, source=source))
                session.flush()
            elif row.subject_id == subject.id:
                if _NAME_PRIORITY[source] < _NAME_PRIORITY[row.source]:
                    row.source = source
            elif source == "reference":
                continue  # standard numbers are shared by related entries: first come, first served
            elif row.source == "reference":
                row.subject_id, row.source = subject.id, source
            else:
                owner = session.get(SubjectRow, row.subject_id)
                raise ConflictError(
                    f"{entry.ref}: the name {key!r} already belongs to {owner.entry_id if owner else '?'}"
                    f" (as its {row.source})",
                    hint="names are case-insensitive and must be unique across the registry",
                )

    def _check_references(
        self, session: Session, entry: AnyEntry, in_batch: Mapping[str, Sequence[AnyEntry]]
    ) -> None:
        """Every standard or code set an entry binds exists — in the registry or in the same publish —
        and resolves (``versions.choose_version``) to a version that is not retired."""
        for path, ref, kind in _entry_refs(entry):
            name, wanted = split_ref(ref)
            batch = [(e.version, e.status) for e in in_batch.get(lookup_key(name), []) if e.kind is kind]
            subject = self._subject(session, name)
            if (subject is None or subject.kind != kind.value) and not batch:
                suggestions = self._close_matches(session, name, kind)
                raise UnknownNameError(
                    f"{entry.ref} {path}: unknown {kind.value.replace('_', ' ')} {ref!r}", name, suggestions,
                    hint=None if suggestions else "is the national library loaded? run `govstd registry init`",
                )
            usable = list(batch)
            if subject is not None and subject.kind == kind.value:
                usable += [(v, s) for v, s in _statuses(self._version_rows(session, subject))
                           if s is not RegistrationStatus.RETIRED]
            shown = subject.entry_id if subject is not None and subject.kind == kind.value else name
            try:
                choose_version(shown, usable, wanted, where="not retired")
            except NoMatchingVersionError as exc:
                raise UnknownNameError(f"{entry.ref} {path}: {exc.message}", ref, hint=exc.hint) from None

    def set_status(
        self, ref: str, new_status: RegistrationStatus | str, *, actor: str | None = None, message: str
    ) -> VersionInfo:
        """Move one exact version along the lifecycle (``govstd.registry.lifecycle``), with a reason."""
        name, wanted = split_ref(ref)
        if wanted.exact is None:
            raise InputError(f"a status change names one exact version, not {ref!r}", expected="ID@1.2.0")
        status = new_status if isinstance(new_status, RegistrationStatus) else parse_status(new_status)
        if not (message or "").strip():
            raise InputError("a status change needs a message saying why", field="message")
        who = resolve_actor(actor)
        with self._write() as session:
            subject = self._require_subject(session, name)
            subject = self._subject(session, name, lock=True) or subject
            row, _ = self._choose(subject, self._version_rows(session, subject), wanted, True)
            current = RegistrationStatus(row.status)
            check_transition(f"{subject.entry_id}@{row.version}", current, status)
            at = now()
            session.execute(
                update(VersionRow).where(VersionRow.id == row.id)
                .values(status=status.value, status_changed_at=at, status_changed_by=who)
            )
            session.add(
                make_row(
                    actor=who, action=AuditAction.STATUS, subject=subject.entry_id, subject_key=subject.key,
                    version=row.version, message=message.strip(), at=at,
                    details={"from": current.value, "to": status.value},
                )
            )
            session.flush()
            session.refresh(row)
            return self._info(subject, row)

    def set_compatibility(
        self, id: str, mode: CompatibilityMode | str, *, actor: str | None = None, message: str | None = None
    ) -> CompatibilityMode:
        """Set a standard's compatibility mode (audited). Takes effect for the next publish."""
        try:
            chosen = CompatibilityMode(mode)
        except ValueError:
            raise InputError(
                f"unknown compatibility mode {mode!r}", expected=", ".join(m.value for m in CompatibilityMode)
            ) from None
        who = resolve_actor(actor)
        with self._write() as session:
            subject = self._require_subject(session, id)
            subject = self._subject(session, id, lock=True) or subject
            old = subject.compatibility or DEFAULT_MODE
            subject.compatibility = chosen.value
            session.add(
                make_row(
                    actor=who, action=AuditAction.COMPATIBILITY, subject=subject.entry_id, subject_key=subject.key,
                    message=message, details={"from": str(old), "to": chosen.value},
                )
            )
        return chosen

    # ----------------------------------------------------------------- export / import

    def export(self) -> dict[str, Any]:
        """Everything: subjects, every version with its content and metadata, and the audit log."""
        with self._read() as session:
            names: dict[int, list[dict[str, str]]] = {}
            for n in session.scalars(select(NameRow).order_by(NameRow.key)):
                names.setdefault(n.subject_id, []).append({"key": n.key, "source": n.source})
            subjects = []
            for subject in session.scalars(select(SubjectRow).order_by(SubjectRow.key)):
                versions = []
                for r in self._version_rows(session, subject, content=True):
                    versions.append(
                        {
                            "version": r.version, "status": r.status, "published_at": r.published_at.isoformat(),
                            "published_by": r.published_by, "message": r.message, "content_hash": r.content_hash,
                            "status_changed_at": r.status_changed_at.isoformat() if r.status_changed_at else None,
                            "status_changed_by": r.status_changed_by, "entry": json.loads(r.content),
                        }
                    )
                subjects.append(
                    {
                        "id": subject.entry_id, "kind": subject.kind, "compatibility": subject.compatibility,
                        "created_at": subject.created_at.isoformat(), "names": names.get(subject.id, []),
                        "versions": versions,
                    }
                )
            audit = [
                {
                    "at": r.at.isoformat(), "actor": r.actor, "action": r.action, "subject": r.subject,
                    "subject_key": r.subject_key, "version": r.version, "message": r.message,
                    "details": json.loads(r.details or "{}"),
                }
                for r in session.scalars(select(AuditRow).order_by(AuditRow.at, AuditRow.id))
            ]
        return {
            "format": EXPORT_FORMAT, "format_version": EXPORT_FORMAT_VERSION, "govstd_version": __version__,
            "exported_at": now().isoformat(), "subjects": subjects, "audit": audit,
        }

    def import_(self, dump: Mapping[str, Any], *, actor: str | None = None) -> ImportReport:
        """Load an ``export()`` dump: versions are copied as they were (status, publisher, time) and
        their hashes verified; versions already here must be identical. Compatibility is not
        re-checked — the dump is history, not a proposal. One transaction."""
        if not isinstance(dump, Mapping) or dump.get("format") != EXPORT_FORMAT:
            raise InputError("not a govstd registry export", expected=f"a JSON object with format {EXPORT_FORMAT!r}")
        if dump.get("format_version") != EXPORT_FORMAT_VERSION:
            raise InputError(f"unsupported export format_version {dump.get('format_version')!r}",
                             expected=str(EXPORT_FORMAT_VERSION))
        who = resolve_actor(actor)
        report = ImportReport()
        try:
            with self._write() as session:
                for item in dump.get("subjects") or []:
                    self._import_subject(session, item, report)
                report.audit_events_added = self._import_audit(session, dump.get("audit") or [])
                session.add(
                    make_row(
                        actor=who, action=AuditAction.IMPORT, subject=None, subject_key=None,
                        message=f"import of an export made {dump.get('exported_at')}",
                        details=report.model_dump(),
                    )
                )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"malformed registry export: {type(exc).__name__}: {exc}") from None
        return report

    def _import_subject(self, session: Session, item: Mapping[str, Any], report: ImportReport) -> None:
        entry_id = str(item["id"])
        kind = EntryKind(item["kind"])
        subject = self._subject(session, entry_id, lock=True)
        if subject is not None and subject.key != lookup_key(entry_id):
            raise ConflictError(f"{entry_id!r} is already a name of {subject.entry_id}")
        if subject is None:
            subject = SubjectRow(
                key=lookup_key(entry_id), entry_id=entry_id, kind=kind.value,
                compatibility=item.get("compatibility"),
                created_at=dt.datetime.fromisoformat(item.get("created_at") or now().isoformat()),
            )
            session.add(subject)
            session.flush()
            report.subjects_added += 1
        elif subject.kind != kind.value:
            raise ConflictError(f"{entry_id} is a {subject.kind} here but a {kind.value} in the export")
        rows = {r.version: r for r in self._version_rows(session, subject)}
        for v in item.get("versions") or []:
            data = dict(v["entry"])
            entry = _ADAPTER.validate_python({**data, "status": v["status"]})
            canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            if content_hash(canonical) != v["content_hash"]:
                raise InputError(f"{entry_id}@{v['version']}: content does not match its content_hash",
                                 hint="the export was modified after it was written")
            existing = rows.get(v["version"])
            if existing is not None:
                if existing.content_hash != v["content_hash"]:
                    ref = f"{entry_id}@{v['version']}"
                    diff = diff_entries(self._decode(existing), entry, old_ref=f"{ref} (here)",
                                        new_ref=f"{ref} (in the export)")
                    raise ImmutableVersionError(ref, diff, published_by=existing.published_by,
                                                published_at=existing.published_at, suggestion="(none: import)")
                if existing.status != v["status"]:
                    report.status_differences.append(
                        f"{entry_id}@{v['version']}: {existing.status} here, {v['status']} in the export (kept)"
                    )
                report.versions_unchanged += 1
                continue
            session.add(
                VersionRow(
                    subject_id=subject.id, version=v["version"], status=v["status"], name_zh=entry.name_zh,
                    name_en=entry.name_en, content=canonical, content_hash=v["content_hash"],
                    published_at=dt.datetime.fromisoformat(v["published_at"]), published_by=v["published_by"],
                    message=v.get("message"),
                    status_changed_at=(dt.datetime.fromisoformat(v["status_changed_at"])
                                       if v.get("status_changed_at") else None),
                    status_changed_by=v.get("status_changed_by"),
                )
            )
            session.flush()
            self._add_names(session, subject, entry)
            report.versions_added += 1

    def _import_audit(self, session: Session, events: Sequence[Mapping[str, Any]]) -> int:
        def key(at: dt.datetime, actor: str, action: str, subject_key: str | None, version: str | None,
                message: str | None) -> tuple[str, ...]:
            return (at.astimezone(dt.UTC).isoformat(), actor, action, subject_key or "", version or "", message or "")

        have = {
            key(r.at, r.actor, r.action, r.subject_key, r.version, r.message) for r in session.scalars(select(AuditRow))
        }
        added = 0
        for e in events:
            at = dt.datetime.fromisoformat(e["at"])
            k = key(at, e["actor"], e["action"], e.get("subject_key"), e.get("version"), e.get("message"))
            if k in have:
                continue
            have.add(k)
            session.add(
                AuditRow(
                    at=at, actor=e["actor"], action=e["action"], subject=e.get("subject"),
                    subject_key=e.get("subject_key"), version=e.get("version"), message=e.get("message"),
                    details=json.dumps(e.get("details") or {}, ensure_ascii=False, sort_keys=True),
                )
            )
            added += 1
        return added

    # Defined last: a method named `list` would shadow the builtin in the annotations below it.
    def list(self, kind: EntryKind | None = None) -> list[SubjectSummary]:
        """One summary per standard, sorted by id."""
        with self._read() as session:
            stmt = select(SubjectRow).order_by(SubjectRow.key)
            if kind is not None:
                stmt = stmt.where(SubjectRow.kind == kind.value)
            subjects = list(session.scalars(stmt))
            rows_by_subject: dict[int, list[VersionRow]] = {}
            for row in session.scalars(select(VersionRow).options(defer(VersionRow.content))):
                rows_by_subject.setdefault(row.subject_id, []).append(row)
            out: list[SubjectSummary] = []
            for subject in subjects:
                rows = sorted(rows_by_subject.get(subject.id, []), key=lambda r: Version.parse(r.version).sort_key())
                if not rows:
                    continue
                latest = _latest(subject, rows)
                shown = next((r for r in rows if r.version == latest), rows[-1])
                out.append(
                    SubjectSummary(
                        **self._info(subject, shown).model_dump(),
                        versions=[r.version for r in rows],
                        latest=latest,
                        compatibility=CompatibilityMode(subject.compatibility or DEFAULT_MODE),
                    )
                )
            return out
