"""PostgreSQL pushdown: the checks run inside the database; only counts and samples come back.

The table (or query) is presented through two temporary views — the schema's field names as text,
and the same numbered in scan order (``row_number() OVER ()``, the order in which the DuckDB
reader would have read the rows) — and reference tables are temporary tables, so nothing is
written to the user's schemas and everything vanishes with the session. The session turns off
parallel and synchronised sequential scans: both would change the scan order samples are numbered in.
Temporary objects need a primary server (a hot standby refuses them).

The source is opened as the DuckDB reader opens it (``databases``): every statement that runs the
table or query is in a read-only transaction, and the query is sent as one statement. PostgreSQL
creates no temporary object in a read-only transaction, so those are made in read-write transactions
holding only govstd's own SQL and the view definitions (defining a view does not run its query).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from govstd.errors import GovstdError, InputError
from govstd.standards.masking import redact
from govstd.validators import databases, ir
from govstd.validators.compiler.postgres import PostgresDialect
from govstd.validators.engines import postgres_text
from govstd.validators.engines.base import Opened, Row, SourceOptions, SqlEngine
from govstd.validators.readers import LoadedSource, unique_names

_STREAM_BATCH = 2000


@contextlib.contextmanager
def open_data(source: Any, options: SourceOptions) -> Iterator[Opened]:
    """A connection to the database of ``source`` (a PostgreSQL URL), closed at the end."""
    url = str(source)
    shown = redact(url)
    if not databases.is_postgres_url(url):
        raise InputError("the postgres engine reads a PostgreSQL database", path=shown,
                         expected="postgresql://USER@HOST/DB with --table NAME or --query 'SELECT …'")
    table, query = options.table, options.query
    databases.require_table_or_query(table, query, shown)
    inner = databases.relation(table, query)
    conn = databases.connect(url, shown)
    try:
        described = databases.columns(conn, inner, table=table, shown=shown)
        names = unique_names([name for name, _ in described], fold=False)
        types = _type_names([oid for _, oid in described])
        label = f"{shown} ({'table ' + table if table else 'query'})"
        loaded = LoadedSource(data="", numbered="", row_column="__govstd_row", columns=names, format="postgresql",
                              source=label)

        def make(mapping: Mapping[str, str]) -> SqlEngine:
            position = {name: i for i, name in enumerate(names)}
            return PostgresEngine(conn, inner, {f: position[c] for f, c in mapping.items()}, types, shown)

        yield Opened(loaded=loaded, engine=make)
    finally:
        conn.close()


class PostgresEngine(SqlEngine):
    """Runs a check suite inside PostgreSQL over ``inner`` (a quoted table name or a parenthesised query)."""

    name = "postgres"

    def __init__(self, conn: Any, inner: str, mapping: Mapping[str, int], types: Sequence[str | None],
                 shown: str) -> None:
        """``mapping``: field → position of its column in ``inner``; ``types``: each column's PostgreSQL type
        name (``postgres_text.TYPED``, None for any other). Columns are named by position, so a query repeating
        a name (``SELECT a, b AS a``) is no ambiguity. A typed column is shown as the DuckDB engine's reader
        shows it (``postgres_text``), in a session with the reader's settings (``databases.SESSION``)."""
        import psycopg

        self._psycopg = psycopg
        self.conn = conn
        self.shown = shown
        self.dialect = PostgresDialect()
        q = self.dialect.quote_identifier
        suffix = uuid.uuid4().hex[:12]
        self._data_view = f"__govstd_data_{suffix}"
        self._numbered_view = f"__govstd_numbered_{suffix}"
        self.data = q(self._data_view)
        select = ", ".join(f"{postgres_text.as_text('__t.' + q(f'__c{i}'), types[i])} AS {q(field)}"
                           for field, i in mapping.items())
        select = select or "NULL AS __govstd_none"
        positions = ", ".join(q(f"__c{i}") for i in range(len(types)))
        floats = any(types[i] in ("float8", "float4") for i in mapping.values())
        self._execute(
            "SET standard_conforming_strings = on",
            *(f"SET {setting} = {self.dialect.string_literal(value)}" for setting, value in databases.SESSION.items()),
            *([postgres_text.FLOAT_TEXT_FUNCTION, postgres_text.SHORTEST_FUNCTION] if floats else []),
            # Samples are numbered in scan order: a parallel or synchronised scan would reorder rows.
            "SET max_parallel_workers_per_gather = 0",
            "SET synchronize_seqscans = off",
            # LLVM compiles the large generated expressions for longer than they then run (measured:
            # 0.5 s instead of 2.1 s for one date/time column of 100,000 rows).
            "SET jit = off",
            f"CREATE TEMPORARY VIEW {self.data} AS SELECT {select} FROM {inner} AS __t({positions})",
            f"CREATE TEMPORARY VIEW {q(self._numbered_view)} AS SELECT row_number() OVER () AS {q(self.row_column)}, "
            f"{select} FROM {inner} AS __t({positions})",
        )

    def _transaction(self, *, read_only: bool) -> None:
        """Make the next statements run in a read-only (or read-write) transaction: a read-write one is
        committed (the temporary objects made in it stay), a read-only one rolled back (whatever the
        user's query set with ``set_config`` goes with it)."""
        if self.conn.read_only != read_only:
            if read_only:
                self.conn.commit()
            else:
                self.conn.rollback()
            self.conn.read_only = read_only

    def _execute(self, *statements: str) -> None:
        self._transaction(read_only=False)
        try:
            with self.conn.cursor() as cur:
                for sql in statements:
                    databases.execute_one(cur, sql)  # the views hold the user's query
        except self._psycopg.Error as exc:
            self.conn.rollback()
            raise InputError(f"PostgreSQL refused to prepare the checks: {databases.error_text(exc)}", path=self.shown,
                             hint="the engine needs a primary server and the right to create temporary tables"
                             ) from None

    def numbered(self) -> str:
        return self.dialect.quote_identifier(self._numbered_view)

    def register_tables(self, tables: Sequence[ir.ReferenceTable]) -> None:
        q = self.dialect.quote_identifier
        self._transaction(read_only=False)
        try:
            with self.conn.cursor() as cur:
                for t in tables:
                    cols = ", ".join(f"{q(c)} {'BIGINT' if kind == 'integer' else 'TEXT'}"
                                     for c, kind in zip(t.columns, t.types, strict=True))
                    cur.execute(f"CREATE TEMPORARY TABLE {q(t.name)} ({cols})")
                    with cur.copy(f"COPY {q(t.name)} FROM STDIN") as copy:
                        for row in t.rows:
                            copy.write_row(row)
                    for file in t.files:
                        _copy_parquet(cur, t.name, t.columns, file, q)
                    cur.execute(f"CREATE INDEX ON {q(t.name)} ({q(t.columns[0])})")
                    cur.execute(f"ANALYZE {q(t.name)}")
        except self._psycopg.Error as exc:
            self.conn.rollback()
            raise InputError(f"PostgreSQL refused the reference tables: {databases.error_text(exc)}", path=self.shown,
                             hint="the engine needs a primary server and the right to create temporary tables"
                             ) from None

    def _run_error(self, exc: Exception) -> GovstdError:
        self.conn.rollback()
        if isinstance(exc, self._psycopg.errors.ReadOnlySqlTransaction):  # the query tried to write
            return databases.source_error(exc, self.shown)
        return GovstdError(f"PostgreSQL failed running the checks on {self.shown}: {databases.error_text(exc)}")

    def fetch_all(self, sql: str) -> list[Row]:
        self._transaction(read_only=True)
        try:
            with self.conn.cursor() as cur:
                cur.execute(sql)
                names = [d.name for d in cur.description or []]
                return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        except self._psycopg.Error as exc:
            raise self._run_error(exc) from None

    @contextlib.contextmanager
    def stream(self, sql: str) -> Iterator[Iterator[Row]]:
        self._transaction(read_only=True)
        cur = self.conn.cursor(name=f"govstd_samples_{uuid.uuid4().hex[:8]}")
        cur.itersize = _STREAM_BATCH
        try:
            cur.execute(sql)

            def rows() -> Iterator[Row]:
                names: list[str] | None = None
                try:
                    while batch := cur.fetchmany(_STREAM_BATCH):
                        if names is None:
                            names = [d.name for d in cur.description or []]
                        for r in batch:
                            yield dict(zip(names, r, strict=True))
                except self._psycopg.Error as exc:
                    raise self._run_error(exc) from None

            yield rows()
        except self._psycopg.Error as exc:
            raise self._run_error(exc) from None
        finally:
            cur.close()


def _type_names(oids: Sequence[int]) -> list[str | None]:
    """The name of each column's type that ``postgres_text`` shows differently from its server text, else None."""
    from psycopg.postgres import types as pg_types

    by_oid = {pg_types[name].oid: name for name in postgres_text.TYPED}
    return [by_oid.get(oid) for oid in oids]


def _copy_parquet(cur: Any, table: str, columns: Sequence[str], file: str, q: Any) -> None:
    """Rows of a Parquet file into a temporary table as CSV bytes through ``COPY``, a batch at a time.

    The fallback for the catalogue's codes: the registry may be another database than the one being
    checked, so PostgreSQL cannot join it; pyarrow turns each batch into CSV without a Python object
    per code."""
    import io

    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    with cur.copy(f"COPY {q(table)} ({', '.join(q(c) for c in columns)}) FROM STDIN (FORMAT csv)") as copy:
        for batch in pq.ParquetFile(file).iter_batches(batch_size=200_000, columns=list(columns)):
            buffer = io.BytesIO()
            pcsv.write_csv(batch, buffer, write_options=pcsv.WriteOptions(include_header=False))
            copy.write(buffer.getvalue())
