"""Publishing: new versions (checked against the compatibility mode), status and compatibility changes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session

from govstd import __version__
from govstd.errors import ConflictError, InputError
from govstd.registry.audit import AuditAction, make_row, now, resolve_actor
from govstd.registry.compat import (
    DEFAULT_MODE,
    Change,
    CompatibilityMode,
    Diff,
    diff_entries,
)
from govstd.registry.lifecycle import check_initial, check_transition, parse_status
from govstd.registry.reading import Reading, _statuses
from govstd.registry.results import (
    CompatibilityError,
    ImmutableVersionError,
    PublishAction,
    PublishOutcome,
    UnknownNameError,
    VersionInfo,
    _DryRun,
    _RaceLost,
)
from govstd.registry.tables import NameRow, SubjectRow, VersionRow
from govstd.registry.versions import (
    Bump,
    NoMatchingVersionError,
    Version,
    choose_version,
    split_ref,
)
from govstd.standards import library
from govstd.standards.library import lookup_key
from govstd.standards.models import (
    AnyEntry,
    CatalogueSchema,
    DataElement,
    EntryKind,
    RegistrationStatus,
)

HOLD_ENV = "GOVSTD_TEST_PUBLISH_HOLD"
HOLD_FILE_ENV = "GOVSTD_TEST_PUBLISH_HOLD_FILE"
#: Name sources, strongest first: an id beats an alias, an alias beats a standard number.
_NAME_PRIORITY = {"id": 0, "alias": 1, "reference": 2}


# --------------------------------------------------------------------------- helpers


def canonical_json(entry: AnyEntry) -> str:
    """What is stored and hashed: the full model dump with sorted keys. Status is lifecycle, not
    content, so it lives in its own column and is left out here."""
    return json.dumps(
        entry.model_dump(mode="json", exclude={"status"}), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


def content_hash(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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



class Publishing(Reading):
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
            # The event first, then the row: the database refuses a status change without its matching
            # event, and an event time later than the last change (migration 0002).
            last = row.status_changed_at
            at = now() if last is None else max(now(), last + dt.timedelta(microseconds=1))
            session.add(
                make_row(
                    actor=who, action=AuditAction.STATUS, subject=subject.entry_id, subject_key=subject.key,
                    version=row.version, message=message.strip(), at=at,
                    details={"from": current.value, "to": status.value},
                )
            )
            session.flush()
            session.execute(
                update(VersionRow).where(VersionRow.id == row.id)
                .values(status=status.value, status_changed_at=at, status_changed_by=who)
            )
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

