"""The crosswalk (事项对照): which local basic and implementation codes are one national item.

事项标准不一 — the same national item is coded differently per province. GB/T 39554.1-2020 says a basic
code (基本编码) identifies an item in the basic catalogue, but not (as far as this project knows — unsure,
DOMAIN.md) which part of a local basic code, if any, is national: Sichuan's ``511A09001023`` and
Guangdong's ``440118009000`` begin with what looks like a region, a Guangxi one with ``0001``. So the
national part is never cut out of a code here. An item's national item code is, in this order:

1. the crosswalk's national code for its implementation code (实施编码) — the most specific mapping;
2. the crosswalk's national code for its basic code;
3. its basic code itself: two regions that use one basic code are taken to mean one item (a basic code
   names an item in the basic catalogue), and one that recodes it needs a crosswalk row.

A crosswalk is a file (CSV, XLSX, Parquet, JSONL) with a local code column — 实施编码 or 基本编码, or both,
as a catalogue export that carries a 国家标准事项编码 column has — and a national code column, optionally
the national item's name. Each import is the whole crosswalk, a new numbered version bound to the
newest catalogue release (the one it was made against), written in one transaction and never edited:
the comparison uses the newest version, older ones stay for the record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, func, insert, select, text
from sqlalchemy.engine import Engine

from govstd.errors import InputError
from govstd.registry.audit import AuditAction, make_row, now, resolve_actor
from govstd.registry.items.sources import fields_of, file_hash, read_batches
from govstd.registry.items.tables import crosswalk_codes, crosswalks, items, releases
from govstd.registry.tables import AuditRow
from govstd.standards.numbers.normalize import normalize

#: Field → header spellings (compared case-, space- and underscore-blind, as ``sources.HEADERS``).
HEADERS: dict[str, tuple[str, ...]] = {
    "implementation_code": ("实施编码", "事项实施编码", "implementation code", "impl code", "task code", "local code",
                            "地方编码"),
    "basic_code": ("基本编码", "事项基本编码", "地方基本编码", "basic code", "local basic code", "catalog code"),
    "national_code": ("国家标准事项编码", "国家事项编码", "国家基本编码", "国家标准编码", "national code",
                      "national item code", "national basic code"),
    "national_name": ("国家事项名称", "国家标准事项名称", "national name", "national item name"),
}
#: A code as the catalogue stores it: letters, digits and dashes (``service_item`` layouts), ≤ 64 chars.
_CODE = re.compile(r"[0-9A-Z][0-9A-Z-]{0,63}")
_BATCH = 20_000


class Crosswalk(BaseModel):
    """One imported crosswalk version; ``unmatched``: local codes no active catalogue item carries."""

    number: int
    release: int
    source: str
    actor: str
    message: str | None = None
    imported_at: datetime
    codes: int
    unmatched: int | None = None


def map_headers(headers: list[str], path: Path) -> dict[str, str]:
    """Source header → field; an InputError when no local or no national code column is there."""
    mapping = fields_of(headers, HEADERS)
    fields = set(mapping.values())
    if "national_code" not in fields or not fields & {"implementation_code", "basic_code"}:
        raise InputError("a crosswalk needs a local code column and a national code column", path=str(path),
                         line=1, expected="headers 实施编码 or 基本编码, and 国家标准事项编码 (national code)")
    return mapping


def _code(raw: str | None) -> str | None:
    """A code as the catalogue stores it (``sources`` has read it as trimmed text, blanks None)."""
    if raw is None:
        return None
    try:
        return normalize(raw, strip_dashes=False).value
    except ValueError:
        return raw


def read_rows(path: Path) -> Iterator[list[dict[str, Any]]]:
    """The file's mappings, checked, ``_BATCH`` at a time: ``{source_row, local_code, national_code,
    national_name}``. A row's implementation code is its local code, else its basic code. A bad row
    stops the import with its line (the header is line 1)."""
    row_number = 0
    for batch in read_batches(path, _BATCH, headers=map_headers, fields=tuple(HEADERS), what="crosswalk"):
        out = []
        for record in batch:
            row_number += 1
            local = _code(record.get("implementation_code")) or _code(record.get("basic_code"))
            national = _code(record.get("national_code"))
            line = row_number + 1
            if not local and not national:
                continue  # a blank line (a spreadsheet's padding)
            for what, value in (("local code (实施编码 / 基本编码)", local),
                                ("national code (国家标准事项编码)", national)):
                if not value or not _CODE.fullmatch(value):
                    raise InputError(f"{what} {value!r} is not a service item code", path=str(path), line=line,
                                     expected="letters, digits and dashes, at most 64 characters")
            name = str(record.get("national_name") or "").strip()
            out.append({"source_row": row_number, "local_code": local, "national_code": national,
                        "national_name": name or None})
        yield out


# --------------------------------------------------------------------------- import

_CONFLICT = """SELECT a.local_code, a.source_row, a.national_code, b.source_row, b.national_code
               FROM catalogue_crosswalk_codes a JOIN catalogue_crosswalk_codes b
                 ON b.crosswalk_id = a.crosswalk_id AND b.local_code = a.local_code
                AND b.source_row > a.source_row AND b.national_code <> a.national_code
               WHERE a.crosswalk_id = :c ORDER BY b.source_row LIMIT 1"""
# The same mapping twice: the first row stays, so a local code has one row (the comparison's join).
_DEDUPE = """DELETE FROM catalogue_crosswalk_codes WHERE crosswalk_id = :c AND EXISTS (
               SELECT 1 FROM catalogue_crosswalk_codes f WHERE f.crosswalk_id = :c
                 AND f.local_code = catalogue_crosswalk_codes.local_code
                 AND f.source_row < catalogue_crosswalk_codes.source_row)"""
_UNMATCHED = """SELECT COUNT(*) FROM catalogue_crosswalk_codes c WHERE c.crosswalk_id = :c
                AND NOT EXISTS (SELECT 1 FROM catalogue_items i WHERE i.retired_release IS NULL
                                AND i.implementation_code = c.local_code)
                AND NOT EXISTS (SELECT 1 FROM catalogue_items i WHERE i.retired_release IS NULL
                                AND i.basic_code = c.local_code)"""


def import_crosswalk(engine: Engine, path: Path, *, actor: str | None = None,
                     message: str | None = None) -> Crosswalk:
    """Import ``path`` as the next crosswalk version, bound to the newest complete catalogue release."""
    who = resolve_actor(actor)
    digest = file_hash(path) if path.is_file() else ""
    rows = read_rows(path)
    with engine.connect().execution_options(govstd_write=True) as conn, conn.begin():
        release = conn.execute(select(func.max(releases.c.number)).where(releases.c.state == "complete")).scalar()
        if release is None:
            raise InputError("the registry holds no catalogue release to cross-walk",
                             expected="`govstd registry import-items FILE` first")
        number = (conn.execute(select(func.max(crosswalks.c.number))).scalar() or 0) + 1
        conn.execute(insert(crosswalks).values(number=number, release=release, source=path.name, source_hash=digest,
                                               actor=who, message=message, imported_at=now(), codes=0))
        cid = conn.execute(select(crosswalks.c.id).where(crosswalks.c.number == number)).scalar_one()
        for batch in rows:
            if batch:
                conn.execute(insert(crosswalk_codes), [{**r, "crosswalk_id": cid} for r in batch])
        _refuse_conflicts(conn, cid, path)
        conn.execute(text(_DEDUPE), {"c": cid})
        count = conn.execute(select(func.count()).select_from(crosswalk_codes)
                             .where(crosswalk_codes.c.crosswalk_id == cid)).scalar_one()
        if not count:
            raise InputError("the crosswalk holds no mapping", path=str(path), expected="at least one data row")
        conn.execute(crosswalks.update().where(crosswalks.c.id == cid).values(codes=count))
        unmatched = int(conn.execute(text(_UNMATCHED), {"c": cid}).scalar_one())
        audit = make_row(actor=who, action=AuditAction.IMPORT, subject="catalogue", subject_key="crosswalk",
                         version=str(number), message=message,
                         details={"crosswalk": number, "catalogue_release": release, "source_sha256": digest,
                                  "codes": count, "unmatched": unmatched})
        conn.execute(insert(AuditRow).values(
            at=audit.at, actor=audit.actor, action=audit.action, subject=audit.subject, subject_key=audit.subject_key,
            version=audit.version, message=audit.message, details=audit.details))
        row = conn.execute(select(crosswalks).where(crosswalks.c.id == cid)).mappings().one()
    return Crosswalk.model_validate({**row, "unmatched": unmatched})


def _refuse_conflicts(conn: Connection, cid: int, path: Path) -> None:
    """One local code mapped to two national items is a contradiction, not a choice to make here."""
    clash = conn.execute(text(_CONFLICT), {"c": cid}).first()
    if clash is not None:
        code, first, first_national, again, national = clash
        raise InputError(f"local code {code} maps to national item {national}, but line {first + 1} mapped it"
                         f" to {first_national}", path=str(path), line=again + 1,
                         expected="one national item per local code")


# --------------------------------------------------------------------------- reading


def current_id(conn: Connection) -> int | None:
    """The newest crosswalk version's row id (None before the first import)."""
    return conn.execute(select(crosswalks.c.id).order_by(crosswalks.c.number.desc()).limit(1)).scalar()


def list_crosswalks(engine: Engine) -> list[Crosswalk]:
    with engine.connect() as conn:
        return [Crosswalk.model_validate(dict(r))
                for r in conn.execute(select(crosswalks).order_by(crosswalks.c.number)).mappings()]


def national_code_sql(cid: int | None) -> str:
    """SQL for an item ``i``'s national item code under crosswalk ``cid`` (the three steps above);
    joins ``ci`` / ``cb`` are the caller's (``national_joins``)."""
    return "COALESCE(ci.national_code, cb.national_code, i.basic_code)" if cid is not None else "i.basic_code"


def national_joins(cid: int | None) -> str:
    if cid is None:
        return ""
    return (f" LEFT JOIN catalogue_crosswalk_codes ci ON ci.crosswalk_id = {int(cid)}"
            " AND ci.local_code = i.implementation_code"
            f" LEFT JOIN catalogue_crosswalk_codes cb ON cb.crosswalk_id = {int(cid)} AND cb.local_code = i.basic_code")


_OWN = "SELECT id FROM catalogue_items WHERE basic_code = :k"
_CANDIDATES = f"""{_OWN}
    UNION SELECT x.id FROM catalogue_items x JOIN catalogue_crosswalk_codes m
      ON m.local_code = x.implementation_code WHERE m.crosswalk_id = :cw AND m.national_code = :k
    UNION SELECT x.id FROM catalogue_items x JOIN catalogue_crosswalk_codes m
      ON m.local_code = x.basic_code WHERE m.crosswalk_id = :cw AND m.national_code = :k"""


def national_item(engine: Engine, code: str, *, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """The national item a code (national, basic or implementation) belongs to, and a page of its local
    entries (active ones, by implementation code)."""
    local = _code(code) or ""
    with engine.connect() as conn:
        cid = current_id(conn)
        key_sql = national_code_sql(cid)
        found = conn.execute(text(f"SELECT {key_sql} FROM catalogue_items i{national_joins(cid)}"
                                  " WHERE i.implementation_code = :c OR i.basic_code = :c LIMIT 1"),
                             {"c": local}).scalar()
        national = found or local
        cols = ", ".join(f"i.{c.name}" for c in items.c if c.name not in ("id", "row_hash"))
        # Candidates by index (codes mapped to the item, or its own basic code), then the exact rule.
        stmt = text(f"SELECT {cols} FROM catalogue_items i{national_joins(cid)}"
                    f" WHERE i.id IN ({_CANDIDATES if cid is not None else _OWN}) AND i.retired_release IS NULL"
                    f" AND {key_sql} = :k ORDER BY i.implementation_code LIMIT :limit OFFSET :offset")
        entries = [dict(r) for r in conn.execute(stmt, {"k": national, "cw": cid, "limit": limit,
                                                                        "offset": offset}).mappings()]
        name = None
        if cid is not None:
            name = conn.execute(select(crosswalk_codes.c.national_name).where(
                crosswalk_codes.c.crosswalk_id == cid, crosswalk_codes.c.national_code == national,
                crosswalk_codes.c.national_name.is_not(None)).limit(1)).scalar()
    return {"national_code": national, "national_name": name, "items": entries}
