"""The SQLite dialect (for GX's SQLite data sources) computes what the DuckDB dialect computes.

SQLite lacks regexp_replace, translate and strptime; ``SQLiteDialect`` rebuilds them (recursive CTEs,
digit runs). Each function is compiled for both engines and run on values real data holds; the
results must be identical — the property that makes GX-on-SQLite count what govstd counts.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

import duckdb
import pytest

from govstd.integrations.gx.sqlite import SQLiteDialect
from govstd.validators import ir
from govstd.validators.compiler.duckdb import DuckDBDialect

VALUES = [
    "11010519491231002X", "11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ", " 110105 1949 1231 002X ",
    "'11010519491231002X", "\u3000110105-19491231-002X\u00a0", "110105\u200b19491231002X", "1.10105E+17",
    "110101199003070000.0", "110105********002X", "+86 138-1234-5678", "(0086)13912345678", "8613812345678",
    "86 1381234567", "", "   ", "２０２４年３月１日", "2024-3-1", "19900105", "1990015", "1990年1月5日",
    "2024-02-29", "2023-02-29", "2024-01-01 10:00:00.5", "2024-1-1 9:5:7", "20240101 9:00:00",
    "2024-01-01  10:00:00", "2024/03/05 10:00", "2024-01-01T10:00:00", "2024-01-01 24:00:00", "99-1-1",
    "2024-01-01 10:00:00.123456789", "2024-01-01T23:59:59.9999999", "2024-01-01 10:00:00.1234567890",
    "十元", "1.5", "-0.25", "+7", ".5", "1e3", "是", "Yes", None,
]
FUNCTIONS = {
    "normalize_code": ir.fn("normalize_code", ir.col("v"), strip_dashes=True, uppercase=True),
    "normalize_code_keep_dashes": ir.fn("normalize_code", ir.col("v"), strip_dashes=False, uppercase=True),
    "normalize_phone": ir.fn("normalize_phone", ir.col("v")),
    "is_blank": ir.fn("is_blank", ir.col("v")),
    "trim": ir.fn("trim", ir.col("v")),
    "to_date": ir.fn("to_date", ir.fn("trim", ir.col("v"))),
    "to_timestamp": ir.fn("to_timestamp", ir.fn("trim", ir.col("v"))),
    "to_number": ir.fn("to_number", ir.fn("trim", ir.col("v"))),
    "is_boolean": ir.fn("is_boolean", ir.fn("trim", ir.col("v"))),
    "excel_damaged": ir.fn("excel_damaged", ir.col("v")),
    "has_fullwidth": ir.fn("has_fullwidth", ir.col("v")),
    "has_whitespace": ir.fn("has_whitespace", ir.col("v")),
    "has_dash": ir.fn("has_dash", ir.col("v")),
    "has_apostrophe": ir.fn("has_apostrophe", ir.col("v")),
    "is_masked": ir.fn("is_masked", ir.col("v")),
    "mod11_2_ok": ir.fn("mod11_2_ok", ir.fn("normalize_code", ir.col("v"), strip_dashes=True, uppercase=True)),
    "id_birth_date": ir.fn("id_birth_date", ir.fn("normalize_code", ir.col("v"), strip_dashes=True,
                                                  uppercase=True)),
}


#: Predicates are two-valued in the IR (NULL counts as false): compare them so.
PREDICATES = {"is_blank", "is_boolean", "excel_damaged", "has_fullwidth", "has_whitespace", "has_dash",
              "has_apostrophe", "is_masked", "mod11_2_ok"}


def _sqlite() -> sqlite3.Connection:
    con = sqlite3.connect(":memory:")
    # What SQLAlchemy's pysqlite driver registers on every connection GX opens.
    con.create_function("regexp", 2, lambda p, v: None if v is None else re.search(p, v) is not None)
    return con


def _canonical(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return f"{value.year:04d}-{value:%m-%d %H:%M:%S}.{value.microsecond:06d}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool | int) and not isinstance(value, float):
        return bool(value) if value in (0, 1) else value
    return value


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_sqlite_matches_duckdb(name: str) -> None:
    expr = FUNCTIONS[name]
    lite, duck = SQLiteDialect(), DuckDBDialect()
    s_con, d_con = _sqlite(), duckdb.connect()
    s_sql, d_sql = lite.expr(expr), duck.expr(expr)
    for value in VALUES:
        got = s_con.execute(f"SELECT {s_sql} FROM (SELECT ? AS v)", [value]).fetchall()[0][0]
        want = d_con.execute(f"SELECT {d_sql} FROM (SELECT ?::VARCHAR AS v)", [value]).fetchall()[0][0]
        if name in PREDICATES:
            got, want = bool(got), bool(want)
        assert _canonical(got) == _canonical(want), (name, value, got, want)


def test_blank_and_trim_in_a_utf16_database() -> None:
    """SQLite orders text by its stored bytes: in a UTF-16 database that is not code point order, so
    the first-character fast path compares code points."""
    con = _sqlite()
    con.execute("PRAGMA encoding = 'UTF-16le'")
    assert con.execute("PRAGMA encoding").fetchone() == ("UTF-16le",)
    lite = SQLiteDialect()
    values = ["\u00a0\u00a0", "\u2003", "\u3000张三\u3000", "x", "张"]
    blank = [con.execute(f"SELECT {lite.expr(ir.fn('is_blank', ir.col('v')))} FROM (SELECT ? AS v)",
                         [v]).fetchall()[0][0] for v in values]
    assert [bool(b) for b in blank] == [True, True, False, False, False]
