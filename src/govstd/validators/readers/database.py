"""Databases: a SQLite or PostgreSQL table or query, copied out in batches into a Parquet file.

Rows are fetched as text in batches of ``_DB_BATCH_ROWS`` (memory stays flat), numbered on the way.
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
    unique_names,
)

_DB_BATCH_ROWS = 65_536


def _read_database(con: duckdb.DuckDBPyConnection, url: str, *, table: str | None, query: str | None,
                   workdir: Path) -> LoadedSource:
    shown = redact(url)
    require_table_or_query(table, query, shown)
    scheme = url.split(":", 1)[0].lower()
    if scheme.startswith("sqlite"):
        batches, names = _sqlite_batches(url, table=table, query=query, shown=shown)
        fmt = "sqlite"
    else:
        batches, names = _postgres_batches(url, table=table, query=query, shown=shown)
        fmt = "postgresql"
    import pyarrow.parquet as pq  # only for a database source

    target = workdir / "database.parquet"
    fields = [pa.field(f"c{i}", pa.string()) for i in range(len(names))]
    arrow_schema = pa.schema([*fields, pa.field(ROW_COLUMN, pa.int64())])
    row = 0
    with pq.ParquetWriter(target, arrow_schema) as writer:
        for rows in batches:
            cols: list[pa.Array] = [pa.array(c, type=pa.string()) for c in zip(*rows, strict=True)] if rows else []
            if not cols:
                continue
            cols.append(pa.array(range(row + 1, row + len(rows) + 1), type=pa.int64()))
            writer.write_table(pa.Table.from_arrays(cols, schema=arrow_schema))
            row += len(rows)
    select = ", ".join(f"{q(f'c{i}')} AS {q(n)}" for i, n in enumerate(names))
    scan = f"read_parquet({lit(str(target))})"
    _create_views(con, f"SELECT {select} FROM {scan}",
                  numbered=f"SELECT {q(ROW_COLUMN)}, {select} FROM {scan}", source=shown)
    label = f"{shown} ({'table ' + table if table else 'query'})"
    return LoadedSource(data=q(DATA_VIEW), numbered=q(NUMBERED_VIEW), row_column=ROW_COLUMN, columns=names,
                        format=fmt, source=label)


def _sqlite_batches(url: str, *, table: str | None, query: str | None, shown: str
                    ) -> tuple[Iterator[list[tuple[Any, ...]]], list[str]]:
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
        casts = ", ".join(f"CAST({_SQL.quote_identifier(str(d[0]))} AS TEXT)" for d in cursor.description)
        cursor = conn.execute(f"SELECT {casts} FROM {inner} AS __t")
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

    return batches(), names


def _postgres_batches(url: str, *, table: str | None, query: str | None, shown: str
                      ) -> tuple[Iterator[list[tuple[Any, ...]]], list[str]]:
    inner = databases.relation(table, query)
    conn = databases.connect(url, shown)
    import psycopg

    opened = False
    try:
        names = unique_names(databases.column_names(conn, inner, table=table, shown=shown), source=shown,
                             fold=False)
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

    return batches(), names
