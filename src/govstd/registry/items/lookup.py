"""Finding catalogue items: by code (basic or implementation), by name, department or region.

Every lookup is an index lookup that stops once its page is full:

- codes and departments by equality (the index yields rows in catalogue order, the ``id``);
- a region by a prefix range (``510000`` means the province: codes from ``51`` up to ``52``) on the
  ``(region, id)`` index, so such a page (without a name) is in (region, id) order: county by county,
  each in catalogue order; every other page is in catalogue order;
- a name on SQLite by the FTS5 trigram index (queries of three characters or more), joined so that
  the FTS index drives the query in rowid order and the page ends the walk — matching 7 % of 2 M names
  costs no more than matching 20; on PostgreSQL by the pg_trgm index behind ``ILIKE``.

A name of one or two characters has no trigram: on SQLite it is a ``LIKE`` walk in catalogue order
that stops at a full page — fast for a common character pair (the usual short query), a full scan
(about a second at 2 M items) for one that few or no names contain. A name with a region or a
department is the name's walk, filtered: fast while the page fills, the name's whole match list when
few of its matches are in that region. A database without those indexes also falls back to a scan.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, Select, and_, column, or_, select, table, text
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from govstd.errors import InputError
from govstd.registry.items.tables import items, releases
from govstd.standards.numbers import service_item
from govstd.standards.numbers.exceptions import ValidationError


class CatalogueItem(BaseModel):
    """One implementation entry as the newest release has it (``retired_release`` set once retired)."""

    implementation_code: str
    basic_code: str
    name: str
    item_type: str | None = None
    department: str | None = None
    item_version: str | None = None
    body: str | None = None
    body_uscc: str | None = None
    exercise_level: str | None = None
    region: str | None = None
    added_release: int
    changed_release: int
    retired_release: int | None = None


class CatalogueRelease(BaseModel):
    number: int
    state: str
    source: str
    actor: str
    message: str | None = None
    rows_read: int
    staged: int
    rejected: int
    added: int | None = None
    changed: int | None = None
    retired: int | None = None
    unchanged: int | None = None


_COLUMNS = [items.c[name] for name in CatalogueItem.model_fields]


def _code(value: str) -> str:
    try:
        return service_item.compact(value)
    except ValidationError:
        return value.strip()


def region_range(region: str) -> tuple[str, str]:
    """A GB/T 2260 code's trailing zero pairs are "the whole province / prefecture": its prefix range."""
    prefix = region.strip()
    while len(prefix) > 2 and prefix.endswith("00"):
        prefix = prefix[:-2]
    if not prefix:
        raise InputError("empty region", field="region", expected="a GB/T 2260 code such as 510000")
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def find_items(engine: Engine, *, code: str | None = None, name: str | None = None, department: str | None = None,
               region: str | None = None, include_retired: bool = False, limit: int = 50,
               offset: int = 0) -> list[CatalogueItem]:
    """Items matching every criterion given, a page of ``limit`` from ``offset``: in catalogue order, or
    by (region, id) for a region without a name (the module docstring says why)."""
    if not any((code, name, department, region)):
        raise InputError("nothing to find", expected="a code, --name, --department or --region")
    for field, given in (("code", code), ("name", name), ("department", department), ("region", region)):
        # No catalogue text holds a NUL, and SQLite's FTS5 and PostgreSQL both refuse one in a query.
        if given and "\x00" in given:
            raise InputError(f"the {field} holds a NUL character", field=field, expected="text without NUL")
    where: list[ColumnElement[bool]] = []
    if code:
        c = _code(code)
        where.append(or_(items.c.implementation_code == c, items.c.basic_code == c))
    if department:
        where.append(items.c.department == department.strip())
    if region:
        low, high = region_range(region)
        where.append(and_(items.c.region >= low, items.c.region < high))
    if not include_retired:
        where.append(items.c.retired_release.is_(None))
    with engine.connect() as conn:
        stmt = select(*_COLUMNS).where(*where)
        order: list[ColumnElement[Any]] = [items.c.id]
        if name:
            # With a code, the code's index finds a handful of rows: the name only filters them.
            stmt, order = _by_name(conn, stmt, name.strip(), use_index=not code)
        elif region:
            order = [items.c.region, items.c.id]  # the (region, id) index's own order: no sort of the range
        stmt = stmt.order_by(*order).limit(limit).offset(offset)
        return [CatalogueItem.model_validate(dict(r)) for r in conn.execute(stmt).mappings()]


_FTS = table("catalogue_items_fts", column("rowid"))


def _by_name(conn: Connection, stmt: Select[Any], name: str,
             use_index: bool = True) -> tuple[Select[Any], list[ColumnElement[Any]]]:
    """``stmt`` narrowed to names containing ``name``, and the catalogue order to page it by."""
    escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if conn.dialect.name == "postgresql":
        return stmt.where(items.c.name.ilike(f"%{escaped}%", escape="\\")), [items.c.id]
    if use_index and len(name) >= 3 and _has_fts(conn):
        # A join, not ``id IN (SELECT rowid …)``: that list is every match, built before the first row
        # (86 ms for a 6-character name at 2 M items). Ordered by the FTS table's rowid (the item id),
        # the join walks the doclists in that order and stops at a full page; ordered by the item
        # table's id, SQLite would sort every match first. The trigram tokenizer matches a quoted
        # phrase as a substring.
        phrase = '"' + name.replace('"', '""') + '"'
        narrowed = (stmt.select_from(_FTS.join(items, items.c.id == _FTS.c.rowid))
                    .where(text("catalogue_items_fts MATCH :phrase").bindparams(phrase=phrase)))
        return narrowed, [_FTS.c.rowid]
    return stmt.where(items.c.name.like(f"%{escaped}%", escape="\\")), [items.c.id]


def _has_fts(conn: Connection) -> bool:
    return conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'catalogue_items_fts'").first() is not None


def get_item(engine: Engine, implementation_code: str) -> CatalogueItem | None:
    """The entry with this implementation code, retired or not."""
    with engine.connect() as conn:
        row = conn.execute(select(*_COLUMNS).where(items.c.implementation_code == _code(implementation_code))
                           ).mappings().first()
    return CatalogueItem.model_validate(dict(row)) if row else None


def list_releases(engine: Engine) -> list[CatalogueRelease]:
    with engine.connect() as conn:
        rows = conn.execute(select(releases).order_by(releases.c.number)).mappings()
        return [CatalogueRelease.model_validate(dict(r)) for r in rows]


def release_changes(engine: Engine, number: int, *, limit: int | None = None) -> dict[str, Any]:
    """A release and its diff: implementation codes added, changed and retired (each list sorted)."""
    from govstd.registry.items.tables import changes

    with engine.connect() as conn:
        rel = conn.execute(select(releases).where(releases.c.number == number)).mappings().first()
        if rel is None:
            raise InputError(f"no catalogue release {number}", field="release",
                             expected="a number from `govstd registry items-releases`")
        out: dict[str, Any] = {"release": CatalogueRelease.model_validate(dict(rel))}
        for kind in ("added", "changed", "retired"):
            stmt = (select(changes.c.implementation_code).where(changes.c.release_id == rel["id"],
                                                                changes.c.change == kind)
                    .order_by(changes.c.implementation_code).limit(limit))
            out[kind] = list(conn.execute(stmt).scalars())
        return out
