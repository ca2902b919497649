"""What the PostgreSQL pushdown engine (``--engine postgres``) accepts as a source, and how it refuses.

It opens a table or query as the DuckDB engine's PostgreSQL reader does (``govstd.validators.databases``):
the user's query only ever runs in read-only transactions and as one statement, a query may end as
typed at a psql prompt, a missing table is named with the tables there are, the password never
shows, and a failure leaves no connection open. The reader's tests
(``tests/validators/test_reader_postgres.py``) hold the DuckDB engine to the same; their helpers and
their list of bad queries are reused here.
"""

from __future__ import annotations

import re
from typing import Any

import messy
import pytest
from test_bad_input import assert_exit_2, run_cli
from test_reader_postgres import BAD_QUERIES, dsn, load_messy, other_sessions, sql

from govstd.errors import GovstdError, InputError
from govstd.validators.api import validate

pytestmark = pytest.mark.postgres

PUSHDOWN: dict[str, Any] = {"engine": "postgres", "today": messy.TODAY, "service_items": messy.SERVICE_ITEMS}


def test_a_query_as_typed_at_a_prompt(postgres_database: str) -> None:
    table = load_messy(postgres_database)
    from_table = validate(postgres_database, messy.SCHEMA, table=table, sample_size=0, **PUSHDOWN)
    assert from_table.engine == "postgres" and from_table.dataset.rows == len(messy.ROWS)
    for query in (f"SELECT * FROM {table};", f"SELECT * FROM {table} -- every row\n",
                  f"SELECT * FROM {table} -- all", f"  SELECT * FROM {table} ;  \n"):
        pushed = validate(postgres_database, messy.SCHEMA, query=query, sample_size=0, **PUSHDOWN)
        assert pushed.failed_counts == from_table.failed_counts, query
    read = validate(postgres_database, messy.SCHEMA, query=f"SELECT * FROM {table};", sample_size=0,
                    **{**PUSHDOWN, "engine": "duckdb"})
    assert read.failed_counts == from_table.failed_counts  # as the DuckDB engine's reader reads it


def test_a_missing_table_names_the_tables_there_are(postgres_database: str) -> None:
    load_messy(postgres_database)
    for missing in ("no_such_table", "nowhere.applications"):  # no table; no schema
        with pytest.raises(InputError) as err:
            validate(postgres_database, messy.SCHEMA, table=missing, **PUSHDOWN)
        assert f"no table {missing!r} in the database" in str(err.value)
        assert "one of: applications" in str(err.value) and err.value.exit_code == 2
    url = dsn(postgres_database).replace("postgres@", "postgres:s3cret@")  # trust auth ignores the password
    proc = run_cli(url, "--table", "no_such_table", "--engine", "postgres", "--schema-file", str(messy.SCHEMA))
    assert_exit_2(proc, "no table 'no_such_table'", "applications", "postgres:***@")
    assert "s3cret" not in proc.stderr + proc.stdout


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_a_bad_query_is_an_input_error_and_changes_nothing(postgres_database: str, query: str) -> None:
    load_messy(postgres_database)
    with pytest.raises(InputError, match="cannot read the PostgreSQL source") as err:
        validate(postgres_database, messy.SCHEMA, query=query, **PUSHDOWN)
    assert err.value.exit_code == 2
    assert sql(postgres_database, "SELECT count(*) FROM applications") == [(len(messy.ROWS),)]


def test_running_the_checks_never_writes(postgres_database: str) -> None:
    """Defining the views does not run the query; the checks that do run it are read-only."""
    load_messy(postgres_database)
    sql(postgres_database, "CREATE SEQUENCE s", "CREATE TABLE audit (n int)",
        "CREATE FUNCTION audited() RETURNS int LANGUAGE sql AS 'INSERT INTO audit VALUES (1) RETURNING n'")
    for query in ("SELECT *, nextval('s') AS n FROM applications", "SELECT *, audited() AS n FROM applications"):
        with pytest.raises(InputError, match="read-only transaction") as err:
            validate(postgres_database, messy.SCHEMA, query=query, **PUSHDOWN)
        assert err.value.hint and "never changes the database" in err.value.hint
    proc = run_cli(dsn(postgres_database), "--query", "SELECT *, nextval('s') AS n FROM applications",
                   "--engine", "postgres", "--schema-file", str(messy.SCHEMA))
    assert_exit_2(proc, "cannot execute nextval() in a read-only transaction")
    assert sql(postgres_database, "SELECT last_value, is_called FROM s") == [(1, False)]
    assert sql(postgres_database, "SELECT count(*) FROM audit") == [(0,)]


def test_an_unreachable_server_is_an_input_error_without_the_password() -> None:
    url = "postgresql://postgres:s3cret@127.0.0.1:1/nowhere"  # nothing listens on port 1
    proc = run_cli(url, "--table", "t", "--engine", "postgres", "--schema-file", str(messy.SCHEMA))
    assert_exit_2(proc, "cannot read the PostgreSQL source", "postgres:***@127.0.0.1:1")
    assert "s3cret" not in proc.stderr + proc.stdout


@pytest.mark.parametrize("source", [
    {"table": "no_such_table"},  # fails reading the columns
    {"query": "SELECT *, nextval('s') AS n FROM applications"},  # fails running the checks
], ids=["missing_table", "write_attempt"])
def test_a_failed_run_leaves_no_connection_open(postgres_database: str, source: dict[str, str]) -> None:
    load_messy(postgres_database)
    sql(postgres_database, "CREATE SEQUENCE s")
    with pytest.raises(InputError) as err:  # the error (and its traceback) stay alive in ``err``
        validate(postgres_database, messy.SCHEMA, **source, **PUSHDOWN)
    assert err.value
    assert other_sessions(postgres_database) == 0


@pytest.mark.parametrize("password", ["Pa%zz5ecret", "pass word"])
def test_a_password_libpq_quotes_back_never_shows(password: str) -> None:
    # libpq's message repeats the part of the URL it cannot parse: here, the password.
    url = f"postgresql://postgres:{password}@127.0.0.1:1/nowhere"
    for engine in ("postgres", "duckdb"):
        proc = run_cli(url, "--table", "t", "--engine", engine, "--schema-file", str(messy.SCHEMA))
        assert proc.returncode == 2
        out = proc.stderr + proc.stdout
        assert password not in out and "5ecret" not in out and "word" not in out, out


def test_values_quoted_in_a_database_error_are_masked(postgres_database: str) -> None:
    table = load_messy(postgres_database)
    # PostgreSQL's error repeats the value it could not convert: here, a whole ID number.
    others = ", ".join(f'"{c}"' for c in messy.COLUMNS if c != "id_number")
    query = (f"SELECT (id_number || 'x')::numeric::text AS id_number, {others} FROM {table} "
             "WHERE id_number ~ '^[0-9]{17}[0-9X]$'")
    for engine in ("postgres", "duckdb"):
        with pytest.raises(GovstdError) as err:
            validate(postgres_database, messy.SCHEMA, query=query, **{**PUSHDOWN, "engine": engine})
        shown = str(err.value.to_dict())
        assert "invalid input syntax" in shown, shown
        assert not re.search(r"[0-9]{17}[0-9X]", shown) and "********" in shown, shown


def test_a_query_repeating_a_column_name_is_refused(postgres_database: str) -> None:
    # Two columns called id_number: checking one would leave the other silently unchecked.
    table = load_messy(postgres_database)
    query = f"SELECT *, name AS id_number FROM {table}"
    for engine in ("postgres", "duckdb"):
        with pytest.raises(InputError, match=r"duplicate column name\(s\): 'id_number'"):
            validate(postgres_database, messy.SCHEMA, query=query, sample_size=0, **{**PUSHDOWN, "engine": engine})
