"""Import a whole service-item catalogue as one release: staged in committed chunks, then merged.

Why two phases. A 2-million-row catalogue cannot be one transaction that a kill throws away, yet a
release must appear whole or not at all. So the rows go first to ``catalogue_staging`` in chunks,
each chunk committed together with the release's checkpoint (``rows_read``): after a kill, re-running
the same command finds the release still ``importing``, skips the records its committed chunks
consumed, and goes on — a chunk is either entirely in (rows and checkpoint) or entirely absent, so
nothing is duplicated. Then one transaction merges the staged rows into ``catalogue_items`` with a
handful of set-based statements, records the diff (added / changed / retired) and marks the release
complete. Readers see the previous release until that commit.

Each chunk is checked in one DuckDB query (``rows``: the validators' own code checks, compiled), and
written in one statement: ``executemany`` on SQLite, ``COPY … (FORMAT csv)`` on PostgreSQL.
Two importers of one registry cannot interleave: each chunk moves the checkpoint only from the value
it read (``WHERE rows_read = :old``), so the second one stops with a conflict.

Test hook (never set it in production): ``GOVSTD_TEST_IMPORT_HOLD=SECONDS`` sleeps after every
committed chunk, so the test suite can kill an import between chunks.
"""

from __future__ import annotations

import contextlib
import csv
import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, delete, func, insert, select, text, update
from sqlalchemy.engine import Engine

from govstd.errors import ConflictError
from govstd.registry.audit import AuditAction, make_row, now, resolve_actor
from govstd.registry.items import rows, sources
from govstd.registry.items.tables import ITEM_FIELDS, changes, items, rejects, releases, staging
from govstd.registry.tables import AuditRow

HOLD_ENV = "GOVSTD_TEST_IMPORT_HOLD"
#: Records per committed chunk: large enough that a commit (an fsync) is rare, small enough that a
#: kill loses little and memory stays flat.
CHUNK_ROWS = 100_000
_STAGED = ("release_id", "source_row", *ITEM_FIELDS, "row_hash")
Progress = Callable[[int], None]


class ItemImportReport(BaseModel):
    """What one ``import_items`` did. ``resumed_from``: records a killed run had already committed."""

    release: int
    source: str
    rows_read: int
    staged: int
    rejected: int
    added: int
    changed: int
    retired: int
    unchanged: int
    resumed_from: int = 0
    fix_list: str | None = None


def import_items(engine: Engine, path: Path, *, actor: str | None = None, message: str | None = None,
                 chunk_rows: int = CHUNK_ROWS, restart: bool = False, fix_list: Path | None = None,
                 progress: Progress | None = None) -> ItemImportReport:
    """Import the catalogue export at ``path`` as the next release (or resume the one it began)."""
    next(sources.read_tables(path, 1), None)  # a file without the needed columns opens no release
    digest = sources.file_hash(path)
    who = resolve_actor(actor)
    release = _open_release(engine, path, digest, who, message, restart=restart)
    resumed_from = int(release["rows_read"])
    with _bulk_session(engine) as conn:
        _stage(conn, path, release, chunk_rows, progress)
        report = _merge(conn, int(release["id"]), who, message)
    report.resumed_from = resumed_from
    if report.rejected:
        out = fix_list or path.with_name(f"{path.stem}.fixlist.csv")
        write_fix_list(engine, report.release, out)
        report.fix_list = str(out)
    return report


def _write(engine: Engine) -> Connection:
    return engine.connect().execution_options(govstd_write=True)  # BEGIN IMMEDIATE on SQLite (store.py)


@contextlib.contextmanager
def _bulk_session(engine: Engine) -> Iterator[Connection]:
    """The one write connection an import stages and merges on. On SQLite it is tuned for bulk work
    while the import holds it, and put back as it was before it returns to the pool:
    ``synchronous = NORMAL`` (in WAL mode a crash of the process loses nothing; a power cut may lose
    the last commits — a resumed import re-reads them — but never corrupts the file) and a fixed
    128 MB page cache (the indexes of 2 million rows stay in memory; the cache does not grow with
    the catalogue)."""
    with _write(engine) as conn:
        if conn.dialect.name != "sqlite":
            yield conn
            return
        raw: Any = conn.connection.dbapi_connection  # autocommit: a PRAGMA outside any transaction
        before = {p: raw.execute(f"PRAGMA {p}").fetchone()[0] for p in _SQLITE_BULK}
        _pragmas(raw, _SQLITE_BULK)
        try:
            yield conn
        finally:
            _pragmas(raw, before)


_SQLITE_BULK = {"synchronous": "NORMAL", "cache_size": -131072}


def _pragmas(raw: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        raw.execute(f"PRAGMA {name} = {int(value) if name == 'cache_size' else str(value)}")


def _open_release(engine: Engine, path: Path, digest: str, actor: str, message: str | None, *,
                  restart: bool) -> dict[str, Any]:
    """The release being imported: a half-imported one of the same file, else a new one."""
    with _write(engine) as conn, conn.begin():
        pending = conn.execute(select(releases).where(releases.c.state == "importing")).mappings().first()
        if pending is not None and pending["source_hash"] != digest and not restart:
            raise ConflictError(
                f"catalogue release {pending['number']} (from {pending['source']}) is half imported:"
                f" {pending['rows_read']} records staged",
                hint="re-run the import with that file to finish it, or add --restart to drop it and import this file",
            )
        if pending is not None and (restart or pending["source_hash"] != digest):
            conn.execute(delete(staging).where(staging.c.release_id == pending["id"]))
            conn.execute(delete(rejects).where(rejects.c.release_id == pending["id"]))
            conn.execute(update(releases).where(releases.c.id == pending["id"]).values(
                rows_read=0, staged=0, rejected=0, source=path.name, source_hash=digest, started_at=now()))
            pending = conn.execute(
                select(releases).where(releases.c.id == pending["id"])).mappings().one()
        if pending is not None:
            return dict(pending)
        number = (conn.execute(select(func.max(releases.c.number))).scalar() or 0) + 1
        conn.execute(insert(releases).values(
            number=number, state="importing", source=path.name, source_hash=digest, actor=actor, message=message,
            started_at=now(), rows_read=0, staged=0, rejected=0))
        return dict(conn.execute(select(releases).where(releases.c.number == number)).mappings().one())


def _stage(conn: Connection, path: Path, release: dict[str, Any], chunk_rows: int, progress: Progress | None) -> None:
    """Check every record not yet staged (in DuckDB, a chunk at a time) and commit it with the checkpoint."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from govstd.validators.engines.duckdb_session import connect

    release_id, done = int(release["id"]), int(release["rows_read"])
    hold = float(os.environ.get(HOLD_ENV) or 0)
    checks = rows.compiled()
    con = connect()
    rows.register(con, checks.tables)
    seen = 0
    if progress:
        progress(done)
    try:
        for table in sources.read_tables(path, chunk_rows):
            first = seen + 1
            seen += table.num_rows
            if seen <= done:
                continue
            skip = max(0, done - first + 1)
            chunk = table.slice(skip).append_column(
                rows.ROW, pa.array(range(first + skip, seen + 1), pa.int64()))
            con.register("chunk", chunk)
            checked = con.sql(checks.sql).to_arrow_table()
            con.unregister("chunk")
            refused = pc.is_valid(checked["__reason"])
            good = checked.filter(pc.invert(refused))
            bad = checked.filter(refused)
            _commit_chunk(conn, release_id, done, seen, good, bad)
            done = seen
            if progress:
                progress(done)
            if hold:
                time.sleep(hold)
    finally:
        con.close()


def _commit_chunk(conn: Connection, release_id: int, old: int, new: int, good: Any, bad: Any) -> None:
    """One transaction: the chunk's staged rows, its refused rows and the moved checkpoint."""
    with conn.begin():
        moved = conn.execute(update(releases).where(releases.c.id == release_id, releases.c.rows_read == old).values(
            rows_read=new, staged=releases.c.staged + good.num_rows, rejected=releases.c.rejected + bad.num_rows))
        if moved.rowcount != 1:
            raise ConflictError("another import of this catalogue is running; this one stopped",
                                hint="let the other finish, or re-run this one to resume after it")
        _bulk(conn, "catalogue_staging", _STAGED, release_id, [good[c] for c in _STAGED[1:]])
        _bulk(conn, "catalogue_rejects", ("release_id", "source_row", "code", "reason"), release_id,
              [bad["source_row"], bad["__raw_code"], bad["__reason"]])


def _bulk(conn: Connection, table: str, columns: Sequence[str], release_id: int, values: Sequence[Any]) -> None:
    """Rows (``release_id`` then the Arrow ``values`` columns) into ``table`` in one statement:
    ``COPY … FROM STDIN`` (CSV written by Arrow) on PostgreSQL, ``executemany`` elsewhere."""
    if not values or len(values[0]) == 0:
        return
    n = len(values[0])
    if conn.dialect.name == "postgresql":
        import io

        import pyarrow as pa
        import pyarrow.csv as pcsv

        data = pa.table([pa.array([release_id] * n, pa.int64()), *values], names=list(columns))
        buffer = io.BytesIO()
        pcsv.write_csv(data, buffer, pcsv.WriteOptions(include_header=False))
        pg: Any = conn.connection.dbapi_connection
        with pg.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getbuffer())
        return
    marks = ", ".join("?" * len(columns))
    raw: Any = conn.connection.dbapi_connection  # in the transaction SQLAlchemy began on it
    cursor = raw.cursor()
    try:
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", _tuples(release_id, values))
    finally:
        cursor.close()


def _tuples(release_id: int, values: Sequence[Any], size: int = 5_000) -> Iterator[tuple[Any, ...]]:
    """Rows for ``executemany``, ``size`` at a time made Python objects: memory stays that of a slice."""
    for start in range(0, len(values[0]), size):
        part = [v.slice(start, size).to_pylist() for v in values]
        yield from zip([release_id] * len(part[0]), *part, strict=True)


# --------------------------------------------------------------------------- merge

_FIELDS = ", ".join(ITEM_FIELDS)
#: PostgreSQL plans the merge from table statistics, and tables filled moments ago by COPY have
#: none (autovacuum has not run yet): without them it chose nested loops over 200 k staged rows and
#: took minutes. SQLite's planner needs none here.
_ANALYZE_STAGING = "ANALYZE catalogue_staging, catalogue_items"
_ANALYZE_CHANGES = "ANALYZE catalogue_changes"
_MERGE = [
    _ANALYZE_STAGING,
    # A repeated implementation code: the first record wins, the others go to the fix list.
    """INSERT INTO catalogue_rejects (release_id, source_row, code, reason)
       SELECT s.release_id, s.source_row, s.implementation_code,
              'duplicate implementation code (first at row ' || CAST(f.first_row AS VARCHAR(20)) || ')'
       FROM catalogue_staging s JOIN (
         SELECT implementation_code, MIN(source_row) AS first_row FROM catalogue_staging
         WHERE release_id = :r GROUP BY implementation_code HAVING COUNT(*) > 1) f
         ON f.implementation_code = s.implementation_code
       WHERE s.release_id = :r AND s.source_row > f.first_row""",
    """DELETE FROM catalogue_staging WHERE release_id = :r AND EXISTS (
         SELECT 1 FROM catalogue_staging f WHERE f.release_id = :r
           AND f.implementation_code = catalogue_staging.implementation_code
           AND f.source_row < catalogue_staging.source_row)""",
    # The diff, before anything moves.
    """INSERT INTO catalogue_changes (release_id, implementation_code, change)
       SELECT CAST(:r AS INTEGER), s.implementation_code, CASE WHEN i.id IS NULL OR i.retired_release IS NOT NULL
                                              THEN 'added' ELSE 'changed' END
       FROM catalogue_staging s LEFT JOIN catalogue_items i ON i.implementation_code = s.implementation_code
       WHERE s.release_id = :r
         AND (i.id IS NULL OR i.retired_release IS NOT NULL OR i.row_hash <> s.row_hash)""",
    """INSERT INTO catalogue_changes (release_id, implementation_code, change)
       SELECT CAST(:r AS INTEGER), i.implementation_code, 'retired' FROM catalogue_items i
       WHERE i.retired_release IS NULL AND NOT EXISTS (
         SELECT 1 FROM catalogue_staging s
         WHERE s.release_id = :r AND s.implementation_code = i.implementation_code)""",
    _ANALYZE_CHANGES,
    # Then the catalogue itself: changed (or returning) entries, new ones, retired ones.
    f"""UPDATE catalogue_items SET ({_FIELDS}, row_hash, changed_release, retired_release)
         = (SELECT {_FIELDS}, row_hash, CAST(:n AS INTEGER), CAST(NULL AS INTEGER) FROM catalogue_staging s
            WHERE s.release_id = :r AND s.implementation_code = catalogue_items.implementation_code)
       WHERE implementation_code IN (SELECT implementation_code FROM catalogue_changes
                                     WHERE release_id = :r AND change IN ('added', 'changed'))""",
    f"""INSERT INTO catalogue_items ({_FIELDS}, row_hash, added_release, changed_release)
       SELECT {_FIELDS}, row_hash, CAST(:n AS INTEGER), CAST(:n AS INTEGER) FROM catalogue_staging s
       WHERE s.release_id = :r AND NOT EXISTS (
         SELECT 1 FROM catalogue_items i WHERE i.implementation_code = s.implementation_code)
       ORDER BY s.source_row""",
    """UPDATE catalogue_items SET retired_release = :n
       WHERE implementation_code IN (SELECT implementation_code FROM catalogue_changes
                                     WHERE release_id = :r AND change = 'retired')""",
    # Emptied whole (SQLite's truncate optimisation; TRUNCATE on PostgreSQL): only one release is ever
    # importing (``_open_release``), so every staged row is this release's.
    "DELETE FROM catalogue_staging",
]


def _merge(conn: Connection, release_id: int, actor: str, message: str | None) -> ItemImportReport:
    """One transaction: the staged rows become the catalogue, with the release's diff."""
    with conn.begin():
        release = conn.execute(select(releases).where(releases.c.id == release_id)).mappings().one()
        params = {"r": release_id, "n": int(release["number"])}
        with _indexes_built_after(conn):
            postgres = conn.dialect.name == "postgresql"
            duplicates = 0
            for i, statement in enumerate(_MERGE):
                if statement in (_ANALYZE_STAGING, _ANALYZE_CHANGES) and not postgres:
                    continue
                if i == 2 and not duplicates:
                    continue  # no duplicate refused: none to delete
                if statement == "DELETE FROM catalogue_staging" and postgres:
                    statement = "TRUNCATE catalogue_staging"
                count = conn.execute(text(statement), params).rowcount
                duplicates = count if i == 1 else duplicates
        if conn.dialect.name == "sqlite" and _has_fts(conn):
            conn.exec_driver_sql("INSERT INTO catalogue_items_fts(catalogue_items_fts) VALUES ('rebuild')")
        by_kind = select(changes.c.change, func.count()).where(changes.c.release_id == release_id)
        counts: dict[str, int] = dict(conn.execute(by_kind.group_by(changes.c.change)).all())
        rejected = conn.execute(select(func.count()).select_from(rejects)
                                .where(rejects.c.release_id == release_id)).scalar() or 0
        staged = int(release["staged"]) - (rejected - int(release["rejected"]))
        done = {"added": counts.get("added", 0), "changed": counts.get("changed", 0),
                "retired": counts.get("retired", 0)}
        done["unchanged"] = staged - done["added"] - done["changed"]
        conn.execute(update(releases).where(releases.c.id == release_id).values(
            state="complete", finished_at=now(), staged=staged, rejected=rejected, **done))
        report = ItemImportReport(release=params["n"], source=release["source"], rows_read=release["rows_read"],
                                  staged=staged, rejected=rejected, **done)
        audit = make_row(actor=actor, action=AuditAction.IMPORT, subject="catalogue", subject_key="catalogue",
                         version=str(params["n"]), message=message,
                         details={"catalogue_release": params["n"], "source_sha256": release["source_hash"],
                                  **report.model_dump(include={"rows_read", "staged", "rejected", *done})})
        conn.execute(insert(AuditRow).values(
            at=audit.at, actor=audit.actor, action=audit.action, subject=audit.subject, subject_key=audit.subject_key,
            version=audit.version, message=audit.message, details=audit.details))
    return report


@contextlib.contextmanager
def _indexes_built_after(conn: Connection) -> Iterator[None]:
    """Into an empty catalogue (a first release: all of it new), the item table's lookup indexes —
    whatever the migrations made, the PostgreSQL trigram index included — are dropped and built once
    after the rows are in: a sort per index instead of millions of random index inserts. The unique
    index stays: the merge finds rows by it. Same transaction: readers never see the table without them."""
    query = _LOOKUP_INDEXES.get(conn.dialect.name)
    empty = query is not None and conn.execute(select(items.c.id).limit(1)).first() is None
    lookups = conn.execute(text(query)).all() if query and empty else []
    for name, _ in lookups:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _, definition in lookups:
        conn.exec_driver_sql(definition)


#: The item table's non-unique indexes and the statement that makes each, as the database keeps them.
_LOOKUP_INDEXES = {
    "sqlite": """SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'catalogue_items'
                 AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'""",
    "postgresql": """SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()
                     AND tablename = 'catalogue_items' AND indexdef NOT LIKE 'CREATE UNIQUE%'""",
}


def _has_fts(conn: Connection) -> bool:
    return conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE name = 'catalogue_items_fts'").first() is not None


def write_fix_list(engine: Engine, release: int, out: Path) -> int:
    """The release's refused records as CSV (row, implementation code, reason), in file order. ``row``
    counts records from 1, the header not included (a spreadsheet shows it as row + 1). Item codes
    identify public services, not people: they are written as they are."""
    with engine.connect() as conn:
        rel = conn.execute(select(releases.c.id).where(releases.c.number == release)).scalar_one()
        result = conn.execute(select(rejects.c.source_row, rejects.c.code, rejects.c.reason)
                              .where(rejects.c.release_id == rel).order_by(rejects.c.source_row))
        out.parent.mkdir(parents=True, exist_ok=True)
        count = 0
        with out.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["row", "implementation_code", "reason"])
            for row in result:
                writer.writerow(row)
                count += 1
    return count
