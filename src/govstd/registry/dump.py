"""Export and import: the whole registry as one JSON document, and loading one back.

A dump is history — versions with their publishers and times, and the audit log — so an importer must
know who wrote it: dumps are signed (``signing.py``) and ``import_`` refuses one that is unsigned, signed
by a key it was not told to trust, or changed after signing, unless ``allow_unsigned``. Even a trusted
dump's versions and events are stored as imported (``origin``: which dump, signed by which key), never
as if they had happened here; ``history`` shows them so."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govstd import __version__
from govstd.errors import ConflictError, InputError
from govstd.registry import signing
from govstd.registry.audit import AuditAction, make_row, now, resolve_actor
from govstd.registry.compat import (
    diff_entries,
)
from govstd.registry.publishing import Publishing, content_hash
from govstd.registry.reading import _ADAPTER
from govstd.registry.results import (
    ImmutableVersionError,
    ImportReport,
)
from govstd.registry.tables import AuditRow, NameRow, SubjectRow, VersionRow
from govstd.standards.library import lookup_key
from govstd.standards.models import (
    EntryKind,
)

EXPORT_FORMAT = "govstd-registry-export"
EXPORT_FORMAT_VERSION = 1


class Dump(Publishing):
    # ----------------------------------------------------------------- export / import

    def export(self, signing_key: str | None = None) -> dict[str, Any]:
        """Everything: subjects, every version with its content and metadata, and the audit log;
        signed (``signing.sign``) with the private key ``signing_key`` (hex) when given."""
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
                            "origin": r.origin,
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
                    "details": json.loads(r.details or "{}"), "origin": r.origin,
                }
                for r in session.scalars(select(AuditRow).order_by(AuditRow.at, AuditRow.id))
            ]
        dump = {
            "format": EXPORT_FORMAT, "format_version": EXPORT_FORMAT_VERSION, "govstd_version": __version__,
            "exported_from": self.location, "exported_at": now().isoformat(), "subjects": subjects, "audit": audit,
        }
        return signing.sign(dump, signing_key) if signing_key else dump

    def import_(
        self, dump: Mapping[str, Any], *, actor: str | None = None, trusted_keys: Sequence[str] = (),
        allow_unsigned: bool = False,
    ) -> ImportReport:
        """Load an ``export()`` dump signed by one of ``trusted_keys`` (public keys, hex) — or any dump,
        recorded as unsigned, with ``allow_unsigned``. Versions are copied as they were (status,
        publisher, time), hashes verified, each marked with its origin; versions already here must be
        identical. Compatibility is not re-checked — the dump is history, not a proposal. One
        transaction."""
        if not isinstance(dump, Mapping) or dump.get("format") != EXPORT_FORMAT:
            raise InputError("not a govstd registry export", expected=f"a JSON object with format {EXPORT_FORMAT!r}")
        if dump.get("format_version") != EXPORT_FORMAT_VERSION:
            raise InputError(f"unsupported export format_version {dump.get('format_version')!r}",
                             expected=str(EXPORT_FORMAT_VERSION))
        if allow_unsigned and signing.SIGNATURE_KEY not in dump:
            signer = "UNSIGNED (imported with --allow-unsigned)"
        else:
            signer = f"signed by SM2 key {signing.verify(dump, trusted_keys)}"
        origin = f"dump of {dump.get('exported_from') or 'a registry'} exported {dump.get('exported_at')}, {signer}"
        who = resolve_actor(actor)
        report = ImportReport()
        try:
            with self._write() as session:
                for item in dump.get("subjects") or []:
                    self._import_subject(session, item, report, origin)
                report.audit_events_added = self._import_audit(session, dump.get("audit") or [], origin)
                session.add(
                    make_row(
                        actor=who, action=AuditAction.IMPORT, subject=None, subject_key=None,
                        message=f"import of a {origin}",
                        details={**report.model_dump(), "origin": origin},
                    )
                )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"malformed registry export: {type(exc).__name__}: {exc}") from None
        return report

    def _import_subject(self, session: Session, item: Mapping[str, Any], report: ImportReport, origin: str) -> None:
        entry_id = str(item["id"])
        kind = EntryKind(item["kind"])
        subject = self._subject(session, entry_id, lock=True)
        if subject is not None and subject.key != lookup_key(entry_id):
            raise ConflictError(f"{entry_id!r} is already a name of {subject.entry_id}")
        if subject is None:
            subject = SubjectRow(
                key=lookup_key(entry_id), entry_id=entry_id, kind=kind.value,
                compatibility=item.get("compatibility"),
                created_at=_when(item.get("created_at") or now().isoformat()),
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
                    published_at=_when(v["published_at"]), published_by=v["published_by"],
                    message=v.get("message"),
                    status_changed_at=_when(v["status_changed_at"]) if v.get("status_changed_at") else None,
                    status_changed_by=v.get("status_changed_by"), origin=_chain(origin, v.get("origin")),
                )
            )
            session.flush()
            self._add_names(session, subject, entry)
            report.versions_added += 1

    def _import_audit(self, session: Session, events: Sequence[Mapping[str, Any]], origin: str) -> int:
        def key(at: dt.datetime, actor: str, action: str, subject_key: str | None, version: str | None,
                message: str | None) -> tuple[str, ...]:
            return (at.astimezone(dt.UTC).isoformat(), actor, action, subject_key or "", version or "", message or "")

        have = {
            key(r.at, r.actor, r.action, r.subject_key, r.version, r.message) for r in session.scalars(select(AuditRow))
        }
        added = 0
        for e in events:
            at = _when(e["at"])
            AuditAction(e["action"])  # an action govstd does not know is a malformed dump
            k = key(at, e["actor"], e["action"], e.get("subject_key"), e.get("version"), e.get("message"))
            if k in have:
                continue
            have.add(k)
            session.add(
                AuditRow(
                    at=at, actor=e["actor"], action=e["action"], subject=e.get("subject"),
                    subject_key=e.get("subject_key"), version=e.get("version"), message=e.get("message"),
                    details=json.dumps(e.get("details") or {}, ensure_ascii=False, sort_keys=True),
                    origin=_chain(origin, e.get("origin")),
                )
            )
            added += 1
        return added



def _when(text: str) -> dt.datetime:
    """A timestamp from a dump: ISO 8601 with its UTC offset (a naive time is ambiguous, so malformed)."""
    at = dt.datetime.fromisoformat(text)
    if at.tzinfo is None:
        raise ValueError(f"timestamp without a UTC offset: {text!r}")
    return at


def _chain(origin: str, earlier: object) -> str:
    """This import's origin, and the one the row already had when it was itself imported before."""
    return f"{origin}; earlier: {earlier}" if earlier else origin
