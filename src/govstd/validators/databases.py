"""Database sources: what the DuckDB engine's reader (``readers``), which copies a table's rows out,
and the PostgreSQL pushdown engine (``engines.postgres``), which runs the checks inside the database,
share — so both read a PostgreSQL table or query the same way.

- Read-only: every statement that runs the user's table or query is in a read-only transaction
  (psycopg's ``read_only``: each transaction begins ``READ ONLY``), as the SQLite file is opened
  read-only. Validating never writes, whatever a query calls (``nextval``, a function that writes).
- One statement: SQL holding the user's query is sent prepared (the extended protocol). Without
  parameters psycopg uses the simple protocol, which runs every statement of a text, so a query
  such as ``SELECT 1) x; COMMIT; DROP TABLE t; SELECT (1`` could end the read-only transaction.
- A query as typed at a psql prompt: a closing ``;`` and a trailing ``-- comment`` are fine.
- Errors are InputErrors naming the URL masked (``masking.redact``: no password, no token); a missing table
  lists the tables there are.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from govstd.errors import InputError, first_line
from govstd.standards.masking import redact
from govstd.validators.compiler.postgres import PostgresDialect

if TYPE_CHECKING:
    import psycopg

#: The URL schemes read as PostgreSQL (SQLAlchemy's driver suffix allowed: postgresql+psycopg://).
_POSTGRES_URL = re.compile(r"^postgres(ql)?(\+[a-z0-9]+)?://", re.IGNORECASE)
_quote = PostgresDialect().quote_identifier

#: Settings the server's text of a typed value depends on, fixed for a session that reads a source (each a
#: server or role default a department may have changed): dates as ISO 8601 (``DateStyle``: ``SQL, DMY``
#: writes 06/05/1990), instants in UTC with their offset (``TimeZone``: govstd shows them in 北京时间
#: whatever the server's zone), floats shortest-exact (``extra_float_digits`` 0 or less rounds them). The
#: reader, which copies the text out, and the pushdown engine, which checks it in place, both pin them.
SESSION = {"DateStyle": "ISO, YMD", "TimeZone": "UTC", "extra_float_digits": "1", "IntervalStyle": "postgres"}


def _passwords(url: str) -> list[str]:
    """The passwords in a database URL, as written and percent-decoded (what libpq may quote back). libpq
    ends the user information at the first ``@``, so of a password holding one it quotes what follows as
    the host (``failed to resolve host 'rest@db'``): each such tail is a secret too."""
    found = re.findall(r"://[^:/@?#]*:([^/?#]*)@", url) + re.findall(r"[?&](?:ssl)?password=([^&#]*)", url, re.I)
    tails = [raw.split("@", i)[i] for raw in found for i in range(1, raw.count("@") + 1)]
    return sorted({s for raw in found + tails for s in (raw, unquote(raw)) if s}, key=len, reverse=True)


def error_text(exc: Exception, url: str | None = None) -> str:
    """The first line of a database error, fit to show: PostgreSQL quotes the offending value
    (``invalid input syntax … "110105…"``) and libpq the malformed part of a connection string, so
    personal numbers are masked and the URL's password is blotted out."""
    text = first_line(exc)
    for secret in _passwords(url or ""):
        text = text.replace(secret, "***")
    return redact(text)


def require_table_or_query(table: str | None, query: str | None, shown: str) -> None:
    """A database source names exactly one of a table and a query."""
    if bool(table) == bool(query):
        raise InputError("name exactly one of --table or --query for a database source", path=shown,
                         expected="--table NAME or --query 'SELECT …'")


def subquery(query: str) -> str:
    """A query as typed at a prompt, as a subquery: no closing semicolon, and a trailing ``-- comment``
    ends before the closing parenthesis."""
    return "(" + query.strip().rstrip(";").rstrip() + "\n)"


# --------------------------------------------------------------------------- PostgreSQL


def is_postgres_url(url: str) -> bool:
    return _POSTGRES_URL.match(url) is not None


def dsn(url: str) -> str:
    """The URL as libpq takes it (no SQLAlchemy driver suffix)."""
    return _POSTGRES_URL.sub("postgresql://", url)


def relation(table: str | None, query: str | None) -> str:
    """The source as SQL to follow FROM: a quoted (schema-qualified) table name, or the query as a subquery."""
    if table:
        return ".".join(_quote(part) for part in table.split("."))
    return subquery(query or "")


def connect(url: str, shown: str) -> psycopg.Connection[Any]:
    """A connection whose every transaction is read-only until the caller says otherwise."""
    try:
        import psycopg
    except ImportError:
        raise InputError("PostgreSQL sources need psycopg", path=shown,
                         hint="pip install 'govstd[postgres]'") from None
    try:
        conn = psycopg.connect(dsn(url))
    except psycopg.Error as exc:
        raise source_error(exc, shown, url) from None
    conn.read_only = True
    return conn


def execute_one(cursor: psycopg.Cursor[Any], sql: str) -> None:
    """Run ``sql``, which holds the user's query, as exactly one statement (see the module docstring)."""
    cursor.execute(sql, prepare=True)


def columns(conn: psycopg.Connection[Any], inner: str, *, table: str | None, shown: str) -> list[tuple[str, int]]:
    """(name, type OID) of each column of ``inner`` (from ``relation``) as the server gives them, repeated
    names included; read in a read-only transaction, which is then rolled back."""
    import psycopg

    try:
        with conn.cursor() as cur:
            execute_one(cur, f"SELECT * FROM {inner} AS __t LIMIT 0")
            description = cur.description or []
        conn.rollback()
    except psycopg.Error as exc:
        if table and isinstance(exc, psycopg.errors.UndefinedTable | psycopg.errors.InvalidSchemaName):
            raise _missing_table(conn, table, exc, shown) from None
        raise source_error(exc, shown) from None
    if not description:
        raise InputError("the table or query has no columns", path=shown, expected="the dataset's columns")
    return [(d.name, d.type_code) for d in description]


def source_error(exc: Exception, shown: str, url: str | None = None) -> InputError:
    """A PostgreSQL error while connecting to (``url``) or reading the source, as an InputError."""
    import psycopg

    if isinstance(exc, psycopg.errors.ReadOnlySqlTransaction):
        return InputError(f"cannot read the PostgreSQL source: {error_text(exc)}", path=shown,
                          expected="a table, or a query that does not write",
                          hint="govstd reads in read-only transactions: validating never changes the database")
    return InputError(f"cannot read the PostgreSQL source: {error_text(exc, url)}", path=shown,
                      expected="a reachable server and a valid table or query")


def _missing_table(conn: psycopg.Connection[Any], table: str, exc: Exception, shown: str) -> InputError:
    """As the SQLite reader says it: no such table, and the ones there are (the first 20)."""
    import psycopg

    try:
        conn.rollback()
        known = [r[0] for r in conn.execute(
            "SELECT CASE WHEN table_schema = current_schema() THEN table_name"
            " ELSE table_schema || '.' || table_name END FROM information_schema.tables"
            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1 LIMIT 21"
        )]
        conn.rollback()
    except psycopg.Error:
        return source_error(exc, shown)
    listed = ", ".join(known[:20]) + (", …" if len(known) > 20 else "")
    return InputError(f"no table {table!r} in the database", path=shown,
                      expected=f"one of: {listed or '(no tables)'}")


__all__ = ["SESSION", "columns", "connect", "dsn", "error_text", "execute_one", "is_postgres_url",
           "relation", "require_table_or_query", "source_error", "subquery"]
