"""The Spark and PostgreSQL dialects without an engine: RE2 patterns rewritten for Java and ARE, and
DuckDB's strptime layouts as patterns — checked against DuckDB itself, the reference."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import duckdb
import pytest
from test_engine_parity import TIMES

from govstd.validators import ir
from govstd.validators.compiler import UnsupportedCheck
from govstd.validators.compiler._portable import layout_regex, translate_pattern
from govstd.validators.compiler.constants import DATETIME_LAYOUTS
from govstd.validators.compiler.duckdb import DuckDBDialect
from govstd.validators.compiler.postgres import PostgresDialect
from govstd.validators.compiler.spark import SparkDialect, _java_replacement


@pytest.mark.parametrize(("pattern", "java", "postgres"), [
    (r"^1[3-9][0-9]{9}$", r"^1[3-9][0-9]{9}\z", r"^1[3-9][0-9]{9}$"),
    (r"\d+", r"[0-9]+", r"[0-9]+"),  # ARE's \d follows the database locale (full-width digits)
    (r"a.b", r"a[^\n]b", r"a[^\u000A]b"),  # ARE's . matches a newline, RE2's does not
    (r"(?P<code>[0-9]{2})-x", r"([0-9]{2})\x{2D}x", r"([0-9]{2})\u002Dx"),
    (r"[\x{3000}a-z]", r"[\x{3000}a-z]", r"[\u3000a-z]"),
    (r"[^\d-]", r"[^0-9\x{2D}]", r"[^0-9\u002D]"),
    (r"[[:alpha:]]", r"[A-Za-z]", r"[A-Za-z]"),
    (r"a{2,3}b{4}", r"a{2,3}b{4}", r"a{2,3}b{4}"),
])
def test_patterns_rewritten(pattern: str, java: str, postgres: str) -> None:
    assert translate_pattern(pattern, "java") == java
    assert translate_pattern(pattern, "postgres") == postgres


@pytest.mark.parametrize(("pattern", "target", "what"), [
    (r"\p{Han}+", "postgres", r"\p{Han}"),
    (r"(?i)abc", "java", "(?i)"),
    (r"a{1,300}", "postgres", "above 255"),
    (r"[\D]", "postgres", r"\D inside"),
    (r"[[:graph:]]", "java", "[:graph:]"),
])
def test_what_a_target_cannot_express_is_an_error(pattern: str, target: str, what: str) -> None:
    with pytest.raises(UnsupportedCheck, match=re.escape(what)):
        translate_pattern(pattern, target)  # type: ignore[arg-type]


def test_java_script_classes_and_replacements() -> None:
    assert translate_pattern(r"^\p{Han}+$", "java") == r"^\p{IsHan}+\z"
    assert translate_pattern(r"\pL\p{Nd}", "java") == r"\p{L}\p{Nd}"
    assert _java_replacement(r"\2") == "$2" and _java_replacement("$") == "\\$"


def test_literals_and_identifiers() -> None:
    spark = SparkDialect()
    assert spark.quote_identifier("a`b") == "`a``b`"
    assert spark.string_literal("it's \\x") == "'it\\'s \\\\x'"
    assert SparkDialect(escaped_string_literals=True).string_literal("it's \\x") == "'it''s \\x'"
    assert spark.literal(dt.datetime(2025, 1, 2, 3, 4, 5)) == "TIMESTAMP_NTZ '2025-01-02 03:04:05'"
    pg = PostgresDialect()
    assert pg.subquery_alias("SELECT 1", "t") == '(SELECT 1 OFFSET 0) AS "t"'
    assert "'\\&'" in pg.regex_replace_all("x", "a", "&")
    assert pg.upper("x") == "TRANSLATE(x, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')"


def _python_pattern(re2: str) -> str:
    return re.sub(r"\\x\{([0-9A-F]+)\}", lambda m: f"\\u{int(m.group(1), 16):04X}", re2)


def _emulate(layout: str, text: str) -> dt.datetime | None:
    """What the dialects compute: the layout's pattern, then the fields' ranges."""
    lay = layout_regex(layout)
    m = re.fullmatch(_python_pattern(lay.pattern), text)
    if m is None:
        return None
    v = dict(zip(lay.fields, m.groups(), strict=True))
    micro = int(v["f"][:6].ljust(6, "0")) if "f" in v else 0  # digits past microseconds truncated
    try:
        if int(v["Y"]) == 0:
            return None  # DuckDB reads year 0 as 1 BC; Python has no year 0 (the SQL dialects do)
        return dt.datetime(int(v["Y"]), int(v["m"]), int(v["d"]), int(v.get("H", 0)), int(v.get("M", 0)),
                           int(v.get("S", 0)), micro)
    except ValueError:
        return None


def test_layouts_accept_exactly_what_the_duckdb_dialect_accepts() -> None:
    """DuckDB's strptime as the DuckDB dialect calls it: its own reading, and fractions of 7-9 digits
    (past its ``%f``) cut to microseconds."""
    con = duckdb.connect()
    extra = ["2024-03-01 09:00:00.000000", "2024-3-01 9:00", "99-1-1", "2024-03-01\n09:00:00", "2024-03-01\u300009:00",
             "2024/3/1", "2024.3.1", "2024年3月1日 ", "20240301 9:00:00", "202403010900", "2024030109000",
             "2024-03-01 09:00:00.12345678 ", "2024-03-01T23:59:59.999999999", "2024-03-01 09:00:00.1234567891",
             "2024-03-01 09:00:00.123456789.5", "2024.03.01 09:00:00.123456789", "1500-03-01 09:00:00.123456789"]
    for layout in DATETIME_LAYOUTS:
        parse = DuckDBDialect().try_parse_timestamp("$1", [layout])
        for text in [*TIMES, *extra]:
            got = con.execute(f"SELECT {parse}", [text]).fetchone()
            theirs = got[0] if got else None
            if isinstance(theirs, str):  # a BC date, beyond Python's datetime
                continue
            assert _emulate(layout, text) == theirs, (layout, text)


@pytest.mark.spark
def test_the_blank_test_reads_a_typed_spark_column(spark: Any) -> None:
    """GX runs govstd's conditions on a Spark table's own column types: comparing a BIGINT with text
    must not fail in ANSI mode."""
    frame = spark.createDataFrame([(1,), (None,)], "v BIGINT")
    blank = SparkDialect().expr(ir.fn("is_blank", ir.col("v")))
    assert [r.b for r in frame.selectExpr(f"{blank} AS b").collect()] == [False, True]
