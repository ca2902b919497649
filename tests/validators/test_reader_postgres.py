"""The PostgreSQL reader of the DuckDB engine: ``govstd validate postgresql://… --table T`` (or ``--query``)
reads the rows over the wire as text and DuckDB runs the checks.

The same messy rows must give the same counts from a table as from a CSV file, identifiers must keep
their leading zeros, hostile column names must stay names, and a wrong table or query must be an input
error (exit 2), never a traceback. The pushdown engine, where PostgreSQL runs the checks itself, is
tested in ``tests/engines``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

import messy
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engines"))

from engine_testlib import load_table  # (re)creates a table of text columns from rows
from test_bad_input import assert_exit_2, run_cli
from test_readers import rows_of

from govstd.errors import InputError
from govstd.standards.models import CatalogueSchema
from govstd.validators.api import validate
from govstd.validators.results import ValidationResult

pytestmark = pytest.mark.postgres

RUN = {"today": messy.TODAY, "service_items": messy.SERVICE_ITEMS}


def dsn(url: str) -> str:
    """The fixture's SQLAlchemy URL as psycopg (and a user on the command line) writes it."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def sql(url: str, *statements: str) -> list[tuple[Any, ...]]:
    """Run ``statements`` in one autocommitted session; the last one's rows (if it returns any)."""
    import psycopg

    rows: list[tuple[Any, ...]] = []
    with psycopg.connect(dsn(url), autocommit=True) as conn:
        for statement in statements:
            cur = conn.execute(statement)  # type: ignore[arg-type]
            rows = cur.fetchall() if cur.description else []
    return rows


def other_sessions(url: str, settle: float = 10.0) -> int:
    """The sessions on ``url``'s database besides the one asking, once closed ones have gone: the server ends
    a backend a moment after its client closes the connection, so a closed one may still be listed briefly
    (seen on a loaded machine), while one left open stays listed past ``settle`` seconds."""
    name = url.rsplit("/", 1)[1]
    deadline = time.monotonic() + settle
    while True:
        [(count,)] = sql(url, "SELECT count(*) FROM pg_stat_activity "
                              f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")
        if count == 0 or time.monotonic() > deadline:
            return int(count)
        time.sleep(0.05)


def load_messy(url: str, table: str = "applications", *, empty: str | None = None) -> str:
    """The messy rows as a table of text columns; empty cells as ``empty`` (NULL, or '' as some exports hold)."""
    load_table(url, table, messy.COLUMNS, [[r[c] or empty for c in messy.COLUMNS] for r in messy.ROWS])
    return table


@pytest.fixture(scope="module")
def from_csv(tmp_path_factory: pytest.TempPathFactory) -> ValidationResult:
    """The reference: the same rows from a UTF-8 CSV file."""
    return validate(messy.write_csv(tmp_path_factory.mktemp("csv") / "messy.csv"), messy.SCHEMA, **RUN)


# --------------------------------------------------------------------------- counts


@pytest.mark.parametrize("empty", [None, ""], ids=["null", "empty_string"])
def test_a_table_gives_the_counts_of_the_same_rows_from_csv(postgres_database: str, from_csv: ValidationResult,
                                                            empty: str | None) -> None:
    table = load_messy(postgres_database, empty=empty)
    result = validate(postgres_database, messy.SCHEMA, table=table, **RUN)
    assert result.dataset.rows == len(messy.ROWS) and result.dataset.format == "postgresql"
    assert result.dataset.columns == messy.COLUMNS
    assert result.failed_counts == from_csv.failed_counts
    assert [c.evaluated for c in result.checks] == [c.evaluated for c in from_csv.checks]
    for mine, theirs in zip(result.checks, from_csv.checks, strict=True):  # row numbers follow the table's order
        assert [s.row for s in mine.samples] == [s.row for s in theirs.samples], mine.rule_id


def test_a_schema_qualified_table(postgres_database: str, from_csv: ValidationResult) -> None:
    sql(postgres_database, 'CREATE SCHEMA "部门"')
    load_messy(postgres_database)
    sql(postgres_database, 'ALTER TABLE applications SET SCHEMA "部门"')
    result = validate(postgres_database, messy.SCHEMA, table="部门.applications", **RUN)
    assert result.failed_counts == from_csv.failed_counts


def test_a_query(postgres_database: str, from_csv: ValidationResult) -> None:
    table = load_messy(postgres_database)
    result = validate(postgres_database, messy.SCHEMA, query=f"SELECT * FROM {table} WHERE amount <> '-5'",
                      sample_size=0, **RUN)
    assert result.dataset.rows == len(messy.ROWS) - 1 and result.check("amount.range").failed == 0
    assert from_csv.check("amount.range").failed == 1
    # As typed at a psql prompt: a closing semicolon, a trailing comment.
    for query in (f"SELECT * FROM {table};", f"SELECT * FROM {table} -- every row\n", f"SELECT * FROM {table} -- all"):
        again = validate(postgres_database, messy.SCHEMA, query=query, sample_size=0, **RUN)
        assert again.failed_counts == from_csv.failed_counts, query


def test_typed_columns_read_as_the_text_a_csv_export_holds(postgres_database: str, tmp_path: Path) -> None:
    rows = [messy.base_row(i) for i in range(40)]
    typed = {"birth_date": "date", "amount": "numeric(12, 2)", "accept_time": "timestamp",
             "finish_time": "timestamp(0)", "updated_at": "timestamp"}
    columns = ", ".join(f'"{c}" {typed.get(c, "text")}' for c in messy.COLUMNS)
    sql(postgres_database, f"CREATE TABLE typed ({columns})")
    import psycopg

    with psycopg.connect(dsn(postgres_database), autocommit=True) as conn, \
            conn.cursor().copy("COPY typed FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in messy.COLUMNS])
    pg = validate(postgres_database, messy.SCHEMA, table="typed", **RUN)
    csv = validate(messy.write_csv(tmp_path / "clean.csv", rows), messy.SCHEMA, **RUN)
    assert pg.failed_counts == csv.failed_counts
    assert pg.check("birth_date.type").evaluated == 40 and pg.check("amount.range").evaluated == 40


# --------------------------------------------------------------------------- values and names


def test_identifiers_stored_as_text_keep_their_leading_zeros(postgres_database: str, tmp_path: Path) -> None:
    load_table(postgres_database, "ids", ["id_number", "sex", "ethnicity", "amount"],
               [["000123", "01", "08", "1.50"], ["0011010519491231002X", "0", "00", "0"], [None, "", " 01", None]])
    columns, data, loaded = rows_of(postgres_database, tmp_path, table="ids")
    assert columns == ["id_number", "sex", "ethnicity", "amount"] and loaded.format == "postgresql"
    assert data == [("000123", "01", "08", "1.50"), ("0011010519491231002X", "0", "00", "0"),
                    (None, "", " 01", None)]


#: Column names that are SQL if pasted unquoted: quotes, spaces, Chinese, a would-be statement.
HOSTILE_NAMES = ['公民 身份"号码"', "姓名 (中文)", 'x"; DROP TABLE people; --', "Amount", "amount"]


def test_hostile_column_names_stay_names(postgres_database: str, tmp_path: Path) -> None:
    ids = [messy.make_id("110101", dt.date(1990, 3, 7), 851), "110105194912310021"]  # the second: bad check
    load_table(postgres_database, "people", HOSTILE_NAMES, [[ids[0], "张伟", "a", "1", "2"],
                                                             [ids[1], "王𠇔", "b", "3", "4"]])
    columns, data, _ = rows_of(postgres_database, tmp_path, table="people")
    assert columns == HOSTILE_NAMES and data == [(ids[0], "张伟", "a", "1", "2"), (ids[1], "王𠇔", "b", "3", "4")]
    _, by_query, _ = rows_of(postgres_database, tmp_path, query='SELECT * FROM people ORDER BY "Amount"')
    assert by_query == data
    schema = CatalogueSchema.model_validate({
        "id": "TEST-PG-NAMES", "version": "1.0.0", "name_zh": "列名测试", "provider": {"name": "测试局"},
        "share": {"share_type": "unconditional"},
        "fields": [{"name": HOSTILE_NAMES[0], "standard": "GB11643@^1", "required": True},
                   {"name": HOSTILE_NAMES[1], "required": True}],
    })
    result = validate(postgres_database, schema, table="people", today=messy.TODAY, sample_size=0)
    assert result.check(f"{HOSTILE_NAMES[0]}.checksum").failed == 1
    assert result.check(f"{HOSTILE_NAMES[1]}.not_null").failed == 0
    assert sql(postgres_database, "SELECT count(*) FROM people") == [(2,)]  # still there


def test_repeated_column_names_of_a_query_are_refused(postgres_database: str, tmp_path: Path) -> None:
    # Renaming the second ``a`` would leave it silently unchecked: the query must name each column once.
    load_table(postgres_database, "t", ["a", "b"], [["1", "2"]])
    with pytest.raises(InputError, match=r"duplicate column name\(s\): 'a' \(columns 1 and 3\)"):
        rows_of(postgres_database, tmp_path, query="SELECT a, b, a, b AS a FROM t")


# --------------------------------------------------------------------------- the command line


def test_the_command_line_reads_a_table_and_a_query(postgres_database: str, from_csv: ValidationResult) -> None:
    table = load_messy(postgres_database)
    url = dsn(postgres_database)
    for source in (["--table", table], ["--query", f"SELECT * FROM {table}"]):
        proc = run_cli(url, *source, "--schema-file", str(messy.SCHEMA), "--today", "2025-06-02", "--json")
        assert proc.returncode == 1, proc.stderr  # the messy rows fail the gate
        got = {c["rule_id"]: c["failed"] for c in json.loads(proc.stdout)["checks"]}
        # Without a registry the service-item rule is reported, not run.
        assert got == {k: v for k, v in from_csv.failed_counts.items() if k != "rules.item_registered"}


def test_a_missing_table_is_an_input_error(postgres_database: str) -> None:
    load_messy(postgres_database)
    with pytest.raises(InputError) as err:
        validate(postgres_database, messy.SCHEMA, table="no_such_table", today=messy.TODAY)
    assert "no_such_table" in str(err.value) and "applications" in str(err.value)  # names what there is
    url = dsn(postgres_database).replace("postgres@", "postgres:s3cret@")  # trust auth ignores the password
    proc = run_cli(url, "--table", "no_such_table", "--schema-file", str(messy.SCHEMA))
    assert_exit_2(proc, "no_such_table", "postgres:***@")
    assert "s3cret" not in proc.stderr + proc.stdout


#: Queries that must fail as input errors and leave ``applications`` as it was (the pushdown engine's
#: tests run them too).
BAD_QUERIES = [
    "SELEC * FROM applications",  # a typo
    "SELECT * FROM nowhere",  # no such table
    "SELECT 1; DROP TABLE applications",  # two statements
    "DELETE FROM applications RETURNING *",  # not a query
    "SELECT 1) AS x; DROP TABLE applications; SELECT * FROM (SELECT 1",  # breaks out of the parentheses
    "SELECT 1) AS x; COMMIT; DROP TABLE applications; SELECT * FROM (SELECT 1",  # ... to COMMIT
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_a_bad_query_is_an_input_error(postgres_database: str, query: str) -> None:
    load_messy(postgres_database)
    assert_exit_2(run_cli(dsn(postgres_database), "--query", query, "--schema-file", str(messy.SCHEMA)),
                  "cannot read the PostgreSQL source")
    assert sql(postgres_database, "SELECT count(*) FROM applications") == [(len(messy.ROWS),)]


def test_reading_never_writes(postgres_database: str) -> None:
    """The source is opened read-only, as the SQLite reader's is: a query with side effects fails."""
    load_messy(postgres_database)
    sql(postgres_database, "CREATE SEQUENCE s")
    with pytest.raises(InputError, match="read-only"):
        validate(postgres_database, messy.SCHEMA, query="SELECT *, nextval('s') AS n FROM applications",
                 today=messy.TODAY)
    assert sql(postgres_database, "SELECT last_value, is_called FROM s") == [(1, False)]


def test_table_and_query_are_exclusive_and_one_is_needed(postgres_database: str) -> None:
    url = dsn(postgres_database)
    assert_exit_2(run_cli(url, "--schema-file", str(messy.SCHEMA)), "exactly one of --table or --query")
    assert_exit_2(run_cli(url, "--table", "t", "--query", "SELECT 1", "--schema-file", str(messy.SCHEMA)),
                  "exactly one of --table or --query")


def test_an_unreachable_server_is_an_input_error() -> None:
    url = "postgresql://postgres@127.0.0.1:1/nowhere"  # nothing listens on port 1
    assert_exit_2(run_cli(url, "--table", "t", "--schema-file", str(messy.SCHEMA)),
                  "cannot read the PostgreSQL source", "127.0.0.1:1")


def test_a_failed_read_leaves_no_connection_open(postgres_database: str) -> None:
    load_messy(postgres_database)
    with pytest.raises(InputError) as err:  # the error (and its traceback) stay alive in ``err``
        validate(postgres_database, messy.SCHEMA, query="SELECT * FROM nowhere", today=messy.TODAY)
    assert err.value
    assert other_sessions(postgres_database) == 0
