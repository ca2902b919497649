"""Databases: a SQLite or PostgreSQL table or query, copied out in batches into a Parquet file.

Rows are fetched as text in batches of ``_DB_BATCH_ROWS`` (memory stays flat), numbered on the way.
A PostgreSQL column of a typed kind (``timestamp``, ``timestamptz``, ``double precision``, ``real``) is
shown as a typed Parquet column or frame is (``common.text_of``, through ``text_of_rendered``): a
``timestamp`` at midnight is its date, an instant is in 北京时间, a whole double the number. The server's
text is made independent of its settings first (``databases.SESSION``): ISO dates, UTC instants, shortest exact
floats. ``numeric`` and the integer types are read as the server writes them — exactly the digits
stored, as a CSV export (``COPY``) holds them.

SQLite is dynamically typed: the value class decides, per value, in SQL (``_sqlite_shown``). A ``real``
value (in any column a ``real`` can be stored in) is fetched as the double it is — SQLite's own text
keeps 15 digits, hiding the damage — and shown by ``text_of`` as a float64 column is; text in a column
declared ``DATE``, ``DATETIME`` or ``TIMESTAMP`` (pandas' ``to_sql`` writes ``1990-05-06 00:00:00``) is read
as a timestamp, or an instant where it carries an offset; an integer stays its digits.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from govstd.errors import InputError
from govstd.standards.masking import redact
from govstd.validators import databases
from govstd.validators.databases import require_table_or_query
from govstd.validators.readers.common import (
    _SQL,
    DATA_VIEW,
    NUMBERED_VIEW,
    ROW_COLUMN,
    LoadedSource,
    _create_views,
    lit,
    q,
    text_of,
    text_of_rendered,
    unique_names,
)

_DB_BATCH_ROWS = 65_536


#: PostgreSQL types (by name, ``psycopg.postgres.types``) read as typed values: the Arrow type whose
#: rendering (``common.text_of``) they get. Every other type is its server text.
_TYPED = {"timestamp": pa.timestamp("us"), "timestamptz": pa.timestamp("us", tz="UTC"), "float8": pa.float64(),
          "float4": pa.float32()}


def _read_database(con: duckdb.DuckDBPyConnection, url: str, *, table: str | None, query: str | None,
                   workdir: Path) -> LoadedSource:
    shown = redact(url)
    require_table_or_query(table, query, shown)
    scheme = url.split(":", 1)[0].lower()
    if scheme.startswith("sqlite"):
        batches, names, fetched, shown_sql = _sqlite_batches(url, table=table, query=query, shown=shown)
        fmt = "sqlite"
    else:
        batches, names, types = _postgres_batches(url, table=table, query=query, shown=shown)
        fetched = [pa.string()] * len(names)
        shown_sql = [_shown(q(f"c{i}"), t) for i, t in enumerate(types)]
        fmt = "postgresql"
    import pyarrow.parquet as pq  # only for a database source

    target = workdir / "database.parquet"
    fields = [pa.field(f"c{i}", t) for i, t in enumerate(fetched)]
    arrow_schema = pa.schema([*fields, pa.field(ROW_COLUMN, pa.int64())])
    row = 0
    with pq.ParquetWriter(target, arrow_schema) as writer:
        for rows in batches:
            cols: list[pa.Array] = [pa.array(c, type=t) for c, t in zip(zip(*rows, strict=True), fetched, strict=True)
                                    ] if rows else []
            if not cols:
                continue
            cols.append(pa.array(range(row + 1, row + len(rows) + 1), type=pa.int64()))
            writer.write_table(pa.Table.from_arrays(cols, schema=arrow_schema))
            row += len(rows)
    select = ", ".join(f"{sql} AS {q(n)}" for n, sql in zip(names, shown_sql, strict=True))
    scan = f"read_parquet({lit(str(target))})"
    _create_views(con, f"SELECT {select} FROM {scan}",
                  numbered=f"SELECT {q(ROW_COLUMN)}, {select} FROM {scan}", source=shown)
    label = f"{shown} ({'table ' + table if table else 'query'})"
    # numbered_in_parallel: the rows and their numbers come from the Parquet file written above, which DuckDB
    # reads on every thread (no window numbers them): a run with samples takes them inside the scan.
    return LoadedSource(data=q(DATA_VIEW), numbered=q(NUMBERED_VIEW), row_column=ROW_COLUMN, columns=names,
                        format=fmt, source=label, numbered_in_parallel=True)


def _shown(column: str, arrow_type: pa.DataType | None) -> str:
    """The server text of a column as a typed column of ``arrow_type`` is shown. A timestamp before year 1
    (PostgreSQL writes ``0044-03-15 00:00:00 BC``) stays as written: DuckDB would read it without its era."""
    if arrow_type is None or not pa.types.is_timestamp(arrow_type):
        return text_of_rendered(column, arrow_type)
    return f"CASE WHEN {column} LIKE '% BC' THEN {column} ELSE {text_of_rendered(column, arrow_type)} END"


#: SQLite declared types read as date-times (SQLAlchemy's and pandas' ``DATE``, ``DATETIME``, ``TIMESTAMP``).
_SQLITE_DATETIME = re.compile(r"^\s*(DATE|DATETIME|TIMESTAMP)\b", re.IGNORECASE)
#: The view the SQLite source is read through: its declared column types are the source's (``PRAGMA table_info``).
_SQLITE_VIEW = "__govstd_source"
#: A time of day with a UTC offset at the end of a date-time text (``08:00:00+08:00``, ``…:00Z``): an instant.
_WITH_OFFSET = r"':[0-9]{2}(\.[0-9]*)? ?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$'"


def _sqlite_holds_reals(declared: str) -> bool:
    """Whether a column of this declared type can hold a ``real`` value: every one but TEXT affinity's (SQLite's
    "Determination Of Column Affinity": INT first, then CHAR, CLOB or TEXT), which stores numbers as text."""
    upper = declared.upper()
    return "INT" in upper or not any(word in upper for word in ("CHAR", "CLOB", "TEXT"))


def _sqlite_shown(text: str, real: str | None, *, datetime: bool) -> str:
    """DuckDB SQL showing one SQLite column from its fetched parts: ``real`` (a DOUBLE column, NULL but for the
    ``real`` values) as ``text_of`` shows a float64, else ``text`` (every other value's SQLite text) — read as
    a date-time where the column is declared one and the text is an ISO date (an instant where it has an
    offset; ``infinity`` and other words stay as written: DuckDB reads that one as 9999-12-31)."""
    shown = text
    if datetime:
        stamp = text_of(f"TRY_CAST({text} AS TIMESTAMP)", pa.timestamp("us"))
        instant = text_of(f"TRY_CAST({text} AS TIMESTAMPTZ)", pa.timestamp("us", tz="UTC"))
        shown = (f"CASE WHEN NOT regexp_matches({text}, '^[0-9]{{4}}-') THEN {text} "
                 f"WHEN regexp_matches({text}, {_WITH_OFFSET}) THEN COALESCE({instant}, {text}) "
                 f"ELSE COALESCE({stamp}, {text}) END")
    if real is None:
        return shown
    return f"COALESCE({text_of(real, pa.float64())}, {shown})"


def _sqlite_batches(url: str, *, table: str | None, query: str | None, shown: str
                    ) -> tuple[Iterator[list[tuple[Any, ...]]], list[str], list[pa.DataType], list[str]]:
    """Batches of a SQLite source's rows, its column names, the Arrow type of each fetched column and the
    DuckDB SQL showing each source column from them (``_sqlite_shown``). A column that can hold ``real``
    values is fetched as two: the text of every other value, and the ``real`` values as doubles."""
    path = re.sub(r"^sqlite(\+[a-z0-9]+)?:///", "", url, flags=re.IGNORECASE)
    if not path or path == ":memory:" or not Path(path).exists():
        raise InputError("SQLite database file not found", path=shown, expected="sqlite:///PATH/TO/FILE.db")
    try:
        conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        if table:
            known = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")]
            if table not in known:
                raise InputError(f"no table {table!r} in the database", path=shown,
                                 expected=f"one of: {', '.join(sorted(known)) or '(no tables)'}")
            inner = _SQL.quote_identifier(table)
        else:
            inner = databases.subquery(query or "")
        cursor = conn.execute(f"SELECT * FROM {inner} LIMIT 0")
        names = unique_names([str(d[0]) for d in cursor.description], source=shown, fold=False)
        # A temporary view (the read-only file is not written) gives the declared types, of a query's columns too.
        conn.execute(f"CREATE TEMP VIEW {_SQLITE_VIEW} AS SELECT * FROM {inner} AS __t")
        declared = [(str(r[1]), str(r[2])) for r in conn.execute(f"PRAGMA temp.table_info({_SQLITE_VIEW})")]
        parts: list[str] = []
        fetched: list[pa.DataType] = []
        shown_sql: list[str] = []
        for name, decl in declared:
            ref = _SQL.quote_identifier(name)
            text, real = q(f"c{len(parts)}"), None
            if _sqlite_holds_reals(decl):
                parts.append(f"CASE WHEN typeof({ref}) <> 'real' THEN CAST({ref} AS TEXT) END")
                parts.append(f"CASE WHEN typeof({ref}) = 'real' THEN {ref} END")
                fetched += [pa.string(), pa.float64()]
                real = q(f"c{len(parts) - 1}")
            else:
                parts.append(f"CAST({ref} AS TEXT)")
                fetched.append(pa.string())
            shown_sql.append(_sqlite_shown(text, real, datetime=_SQLITE_DATETIME.match(decl) is not None))
        cursor = conn.execute(f"SELECT {', '.join(parts)} FROM {_SQLITE_VIEW}")
    except sqlite3.DatabaseError as exc:
        raise InputError(f"cannot read the SQLite source: {exc}", path=shown,
                         expected="a readable SQLite database and a valid table or query") from None

    def batches() -> Iterator[list[tuple[Any, ...]]]:
        try:
            while rows := cursor.fetchmany(_DB_BATCH_ROWS):
                yield rows
        except sqlite3.DatabaseError as exc:
            raise InputError(f"cannot read the SQLite source: {exc}", path=shown) from None
        finally:
            conn.close()

    return batches(), names, fetched, shown_sql


def _postgres_batches(url: str, *, table: str | None, query: str | None, shown: str
                      ) -> tuple[Iterator[list[tuple[Any, ...]]], list[str], list[pa.DataType | None]]:
    inner = databases.relation(table, query)
    conn = databases.connect(url, shown)
    import psycopg
    from psycopg.postgres import types as pg_types

    opened = False
    try:
        described = databases.columns(conn, inner, table=table, shown=shown)
        names = unique_names([name for name, _ in described], source=shown, fold=False)
        by_oid = {pg_types[name].oid: arrow for name, arrow in _TYPED.items()}
        types = [by_oid.get(oid) for _, oid in described]
        for setting, value in databases.SESSION.items():  # for the session: the cursor's transaction comes after
            conn.execute("SELECT set_config(%s, %s, false)", (setting, value))
        # Columns by position: a query's repeated names stay apart, and no name from the source becomes SQL.
        positions = [f"c{i}" for i in range(len(names))]
        casts = ", ".join(f"CAST({c} AS TEXT)" for c in positions)
        # A named cursor's DECLARE goes by the extended protocol: one statement, as ``execute_one`` sends.
        cursor = conn.cursor(name="govstd_validate")
        cursor.itersize = _DB_BATCH_ROWS
        cursor.execute(f"SELECT {casts} FROM {inner} AS __t({', '.join(positions)})")
        opened = True
    except psycopg.Error as exc:
        raise databases.source_error(exc, shown) from None
    finally:
        if not opened:  # an error's traceback keeps this frame, and so the connection, alive: close it now
            conn.close()

    def batches() -> Iterator[list[tuple[Any, ...]]]:
        try:
            while rows := cursor.fetchmany(_DB_BATCH_ROWS):
                yield rows
        except psycopg.Error as exc:
            raise databases.source_error(exc, shown) from None
        finally:
            conn.close()

    return batches(), names, types
