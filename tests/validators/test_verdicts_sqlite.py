"""Verdicts on a SQLite table of typed columns, judged against its CSV export: pandas' ``to_sql`` declares a
float column (an integer column with a missing value) ``REAL`` and a datetime column ``TIMESTAMP``, and writes
``13912345678.0`` and ``1990-05-06 00:00:00``; the table must get the verdict the same rows written as
text get (``readers.common.text_of``, docs/identifiers.md). SQLite is dynamically typed, so the tables below
mix value classes within one column (text, integers and reals in a ``REAL`` or untyped column).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import messy
from stdnum.cn import ric

from govstd.validators.api import validate
from govstd.validators.results import ValidationResult

#: The typed columns as pandas' ``to_sql`` declares them; the rest are TEXT. ``amount`` has no declared type
#: (any value class), ``accept_time`` holds date-times with their UTC offset, as pandas writes a tz-aware one.
TYPES = {"phone": "REAL", "birth_date": "TIMESTAMP", "accept_time": "TIMESTAMP", "finish_time": "DATETIME",
         "amount": ""}


def _rows(n: int = 10) -> list[dict[str, str]]:
    rows = [r for r in (messy.base_row(i) for i in range(n))]
    assert all(ric.calc_check_digit(r["id_number"]) == r["id_number"][17] for r in rows)  # python-stdnum
    return rows


def _as_text(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The rows as their CSV export holds them, with the defects ``_as_typed`` stores: row 4's birth date has
    a time of day, row 6 was finished at 08:30 on the day it was accepted at 09:00 Beijing time, row 1 has no
    phone."""
    out = [dict(r) for r in rows]
    out[1]["phone"] = ""
    out[4]["birth_date"] += " 12:00:00"
    out[6]["accept_time"], out[6]["finish_time"] = "2024-03-07 09:00:00", "2024-03-07 08:30:00"
    return out


def _as_typed(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The same rows as SQLite stores them from pandas: phones as floats (one as text, one as an integer, both
    of which REAL affinity turns into reals), birth dates as midnight timestamps, instants with an offset (row
    6's in UTC), amounts as reals, integers and text in one column."""
    out: list[dict[str, Any]] = [dict(r) for r in _as_text(rows)]
    for i, v in enumerate(out):
        v["phone"] = None if i == 1 else [float(v["phone"]), v["phone"], int(v["phone"])][i % 3]
        v["birth_date"] = v["birth_date"] if i == 4 else f"{v['birth_date']} 00:00:00"
        v["accept_time"] = f"{v['accept_time']}+08:00"
        v["amount"] = [float(v["amount"]), v["amount"], v["amount"]][i % 3]
    out[6]["accept_time"] = "2024-03-07T01:00:00Z"
    out[6]["finish_time"] = "2024-03-07T08:30:00"
    out[3]["amount"] = 137  # an integer amount: its digits
    return out


def _sqlite(path: Path, rows: list[dict[str, Any]], types: dict[str, str]) -> str:
    with sqlite3.connect(path) as conn:
        columns = ", ".join(f"{c} {types.get(c, 'TEXT')}" for c in messy.COLUMNS)
        conn.execute(f"CREATE TABLE t ({columns})")
        conn.executemany(f"INSERT INTO t VALUES ({', '.join('?' * len(messy.COLUMNS))})",
                         [[r[c] for c in messy.COLUMNS] for r in rows])
    conn.close()
    return f"sqlite:///{path}"


def run(source: str | Path, **kwargs: Any) -> ValidationResult:
    return validate(source, messy.SCHEMA, today=messy.TODAY, service_items=messy.SERVICE_ITEMS, **kwargs)


def _counts(result: ValidationResult) -> dict[str, tuple[int, int]]:
    return {c.rule_id: (c.evaluated, c.failed) for c in result.checks}


def test_typed_sqlite_columns_get_their_exports_verdict(tmp_path: Path, engine_path: str) -> None:
    """A REAL phone is its 11 digits whatever class each value was stored as, a TIMESTAMP at midnight is a
    date, an instant with an offset is shown in Beijing time: only the two real defects fail, and every
    check evaluates and fails the rows the CSV export's does."""
    rows = _rows()
    url = _sqlite(tmp_path / "typed.db", _as_typed(rows), TYPES)
    with sqlite3.connect(tmp_path / "typed.db") as conn:  # the classes SQLite stored: the test's premise
        classes = conn.execute("SELECT group_concat(DISTINCT typeof(phone)), group_concat(DISTINCT typeof(amount))"
                               " FROM t").fetchone()
    assert set(classes[0].split(",")) == {"real", "null"} and set(classes[1].split(",")) == {"real", "text", "integer"}
    from_db = run(url, table="t")
    from_csv = run(messy.write_csv(tmp_path / "typed.csv", _as_text(rows)))
    assert messy.failed(from_db) == {"birth_date.type": 1, "rules.finish_after_accept": 1}
    assert _counts(from_db) == _counts(from_csv)
    assert from_db.check("phone.format").evaluated == 9
    assert from_db.check("birth_date.type").details["breakdown"]["with_time"] == 1


def test_a_query_of_typed_sqlite_columns_reads_them_as_the_table(tmp_path: Path, engine_path: str) -> None:
    """The declared types of a query's columns are the table's: a query reads them as the table does."""
    url = _sqlite(tmp_path / "typed.db", _as_typed(_rows()), TYPES)
    query = f"SELECT {', '.join(messy.COLUMNS)} FROM t WHERE 1 = 1 -- all rows;"
    assert _counts(run(url, query=query)) == _counts(run(url, table="t"))


def test_a_real_column_that_lost_the_digits_of_id_numbers_is_flagged(tmp_path: Path, engine_path: str) -> None:
    """An 18-digit ID number stored as REAL keeps about 16 digits (a double): it must fail as damaged, as a
    Parquet float64 column of IDs does — never be read back as SQLite's 15-digit text, nor pass."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [r for r in _rows(30) if not r["id_number"].endswith("X")][:10]
    typed = [{**r, "id_number": float(r["id_number"])} for r in rows]
    from_db = run(_sqlite(tmp_path / "ids.db", typed, {"id_number": "REAL"}), table="t")
    table = pa.table({c: pa.array([r[c] for r in typed], pa.float64() if c == "id_number" else pa.string())
                      for c in messy.COLUMNS})
    pq.write_table(table, tmp_path / "ids.parquet")
    from_parquet = run(tmp_path / "ids.parquet")
    assert from_db.check("id_number.excel_damage").failed == 10
    assert messy.failed(from_db) == messy.failed(from_parquet)


def test_a_date_stored_as_a_number_is_its_digits(tmp_path: Path, engine_path: str) -> None:
    """A date column holding 19900506.0 (a float) or 19900506 (an integer) holds what its export writes,
    19900506, and gets that text's verdict — never ``19900506.0``. (A column declared ``DATE`` has NUMERIC
    affinity, which stores a whole float as an integer: the float stays a float in a ``REAL`` column, as
    pandas declares a float column, or in one without a declared type.)"""
    rows = _rows()
    as_digits = [{**r, "birth_date": r["birth_date"].replace("-", "")} for r in rows]
    typed = [{**r, "birth_date": [float(r["birth_date"]), int(r["birth_date"])][i % 2]}
             for i, r in enumerate(as_digits)]
    from_csv = _counts(run(messy.write_csv(tmp_path / "dates.csv", as_digits)))
    for declared in ("REAL", "", "DATE"):
        path = tmp_path / f"dates_{declared or 'none'}.db"
        url = _sqlite(path, typed, {"birth_date": declared})
        with sqlite3.connect(path) as conn:
            classes = {r[0] for r in conn.execute("SELECT DISTINCT typeof(birth_date) FROM t")}
        stored = {"REAL": {"real"}, "": {"real", "integer"}, "DATE": {"integer"}}
        assert classes == stored[declared]
        assert _counts(run(url, table="t")) == from_csv, declared
