"""Reading the registry: resolve a reference, list standards and versions, read the audit log.

The lookup helpers here (one subject by any of its names, its versions in semantic order, one chosen
by ``versions.choose_version``) are the ones publishing and import build on."""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from contextlib import AbstractContextManager

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, defer

from govstd.registry.audit import AuditEvent, to_event
from govstd.registry.compat import (
    DEFAULT_MODE,
    CompatibilityMode,
    Diff,
    diff_entries,
)
from govstd.registry.results import (
    SubjectSummary,
    UnknownNameError,
    VersionInfo,
)
from govstd.registry.tables import AuditRow, NameRow, SubjectRow, VersionRow
from govstd.registry.versions import (
    Choice,
    NoMatchingVersionError,
    Resolved,
    Version,
    VersionRange,
    choose_version,
    split_ref,
)
from govstd.standards.library import lookup_key
from govstd.standards.models import (
    AnyEntry,
    Entry,
    EntryKind,
    RegistrationStatus,
)

_ADAPTER: TypeAdapter[AnyEntry] = TypeAdapter(Entry)


def _latest(subject: SubjectRow, rows: Sequence[VersionRow]) -> str | None:
    """What the bare id resolves to (``versions.choose_version``), None when nothing does."""
    try:
        return choose_version(subject.entry_id, _statuses(rows), split_ref("latest")[1]).version
    except NoMatchingVersionError:
        return None


def _statuses(rows: Sequence[VersionRow]) -> list[tuple[str, RegistrationStatus]]:
    return [(r.version, RegistrationStatus(r.status)) for r in rows]




class Reading:
    """The read side of ``store.Registry``. The facade supplies the database and its transactions."""

    engine: Engine

    @property
    def location(self) -> str:
        raise NotImplementedError

    def _read(self) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def _write(self) -> AbstractContextManager[Session]:
        raise NotImplementedError

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
            status_changed_by=row.status_changed_by, origin=row.origin,
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

    def history(self, id: str, *, limit: int | None = None, offset: int = 0) -> list[AuditEvent]:
        """The audit events of one standard, oldest first; a page of ``limit`` from ``offset`` if given."""
        with self._read() as session:
            subject = self._require_subject(session, id)
            stmt = (select(AuditRow).where(AuditRow.subject_key == subject.key).order_by(AuditRow.at, AuditRow.id)
                    .limit(limit).offset(offset))
            return [to_event(r) for r in session.scalars(stmt)]

    def audit_log(self, *, limit: int | None = None, offset: int = 0) -> list[AuditEvent]:
        """Every audit event, oldest first; a page of ``limit`` from ``offset`` if given."""
        with self._read() as session:
            stmt = select(AuditRow).order_by(AuditRow.at, AuditRow.id).limit(limit).offset(offset)
            return [to_event(r) for r in session.scalars(stmt)]

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

    # Defined last: a method named `list` would shadow the builtin in the annotations below it.
    def list(self, kind: EntryKind | None = None, *, limit: int | None = None,
             offset: int = 0) -> list[SubjectSummary]:
        """One summary per standard, sorted by id; a page of ``limit`` from ``offset`` if given. Only
        the page's version rows are read (by the ``subject_id`` index), not the whole version table."""
        with self._read() as session:
            has_versions = select(VersionRow.id).where(VersionRow.subject_id == SubjectRow.id).exists()
            stmt = select(SubjectRow).where(has_versions).order_by(SubjectRow.key).limit(limit).offset(offset)
            if kind is not None:
                stmt = stmt.where(SubjectRow.kind == kind.value)
            subjects = list(session.scalars(stmt))
            rows_by_subject: dict[int, list[VersionRow]] = {}
            page = select(VersionRow).options(defer(VersionRow.content))
            if limit is not None or offset:
                page = page.where(VersionRow.subject_id.in_([s.id for s in subjects]))
            for row in session.scalars(page):
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
