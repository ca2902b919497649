"""What the kernel's test files share: the messy-value generators, the derived test schemas and the suites of
bare IR functions and parses that each hold the kernel to the SQL path (test_kernel_parity, test_kernel_cache)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
from hypothesis import strategies as st

from govstd.standards.loader import load_file
from govstd.standards.models import CatalogueSchema, QualityDimension
from govstd.standards.numbers import gb11643, gb11714, gb32100
from govstd.validators import ir
from govstd.validators.compiler.base import EXCEL_PATTERN
from govstd.validators.engines import duckdb as duckdb_engine
from govstd.validators.engines.base import SourceOptions
from govstd.validators.ir import col, fn, lit

TODAY = dt.date(2025, 6, 2)
SCHEMA = Path(__file__).resolve().parents[1] / "validators" / "data" / "social_security_card.yaml"
ITEMS = {"511A09001023": "standard", "511A09001025": "standard", "511A09001024": "retired"}


def make_id(region: str, born: str, seq: int) -> str:
    first17 = f"{region}{born}{seq:03d}"
    return first17 + gb11643.calc_check_digit(first17)


def make_uscc(region: str, body: str, head: str = "91") -> str:
    org = body + gb11714.calc_check_digit(body)
    return head + region + org + gb32100.calc_check_digit(head + region + org)


IDS = [make_id("110105", "19491231", 2), make_id("510104", "20000229", 17), make_id("440305", "19850101", 30),
       "11010519491231002X", "110105491231002", "110105190002290011", make_id("110105", "20991231", 5)]
USCCS = [make_uscc("510100", "MA61RQ3X"), make_uscc("110105", "00000001"), make_uscc("100000", "H2K3L4M5", "Y1"),
         "91510100MA61RQ3X0Y", "110105000000001"]
PHONES = ["13800138000", "19912345678", "12345678901", "+86 138 0013 8000", "(0086)13800138000",
          "8613800138000", "1380013800"]
ITEMS_CODES = ["511A09001023", "511A09001024", "11510100008764382C-0-123456789012-345-MA61RQ3X0-1-00"]
REGION_CODES = ["510104", "110000", "110100", "999999", "51010"]
SPACES = [" ", "\u3000", "\u00a0", "\t", "\u200b", "\ufeff"]
DASHES = ["-", "\u2014", "\u2212", "\uff0d"]


@st.composite
def messy(draw: Any, bases: list[str]) -> str | None:
    """A value of one column as a department exports it: a real value, then zero or more kinds of damage."""
    kind = draw(st.sampled_from(["clean", "damaged", "damaged", "excel", "masked", "empty", "null", "other"]))
    if kind == "null":
        return None
    if kind == "empty":
        return draw(st.sampled_from(["", " ", "\u3000\u3000", "\t\n"]))
    if kind == "other":
        return draw(st.one_of(st.text(max_size=20), st.sampled_from(["张三", "ß", "１１０", "x" * 18, "0" * 18,
                                                                      "+00000000000000001", "1.5", "00086"])))
    value = draw(st.sampled_from(bases))
    if kind == "excel":
        return draw(st.sampled_from(["1.10105E+17", "1.10105e17", value[:12] + ".0", "1.1E+3", value + ".00"]))
    if kind == "masked":
        i = draw(st.integers(0, max(0, len(value) - 1)))
        return value[:i] + draw(st.sampled_from(["*", "＊", "×", "•", "●"])) * 4 + value[i + 4:]
    for _ in range(draw(st.integers(0, 3))):
        damage = draw(st.sampled_from(["fullwidth", "space", "lower", "apostrophe", "dash", "digit", "cut"]))
        i = draw(st.integers(0, max(0, len(value) - 1)))
        if damage == "fullwidth" and value:
            c = value[i]
            value = value[:i] + (chr(ord(c) + 0xFEE0) if "0" <= c <= "9" or "A" <= c <= "Z" else c) + value[i + 1:]
        elif damage == "space":
            value = value[:i] + draw(st.sampled_from(SPACES)) + value[i:]
        elif damage == "lower":
            value = value.lower()
        elif damage == "apostrophe":
            value = draw(st.sampled_from(["'", "\u2018", "\u2019", "\uff07"])) + value
        elif damage == "dash":
            value = value[:i] + draw(st.sampled_from(DASHES)) + value[i:]
        elif damage == "digit" and value:
            value = value[:i] + draw(st.sampled_from("0123456789X")) + value[i + 1:]
        elif damage == "cut":
            value = value[:i]
    return value


# Freshness: canonical, not a real time, a date only, another layout (a parse doubt: counted in SQL).
UPDATED = [None, "2025-06-01 00:00:00", "2025-05-31 23:59:59", " 2024-02-29 12:00:00", "2024-02-30 00:00:00", "",
           "bad", "2025-05-31", "2025/06/01 08:00:00", "2025-05-31 23:59:59.999999999"]


def messy_rows(draw: Any, n: int) -> dict[str, list[str | None]]:
    plain = st.one_of(st.none(), st.text(max_size=6), st.sampled_from(["1", "2", "9", "01", " 1", "张三"]))
    columns: dict[str, Any] = {
        "name": plain, "id_number": messy(IDS), "sex": plain, "ethnicity": plain,
        "region": st.one_of(messy(REGION_CODES), plain), "phone": messy(PHONES), "employer_uscc": messy(USCCS),
        "birth_date": st.sampled_from([None, "1949-12-31", "2000-02-30", "20000229"]),
        "amount": st.sampled_from([None, "12.5", "-1", "x"]),
        "accept_time": st.sampled_from([None, "", "2025-01-02 03:04:05", "bad"]),
        "finish_time": st.sampled_from([None, "2025-01-01 00:00:00"]),
        "service_item_code": messy(ITEMS_CODES), "updated_at": st.sampled_from(UPDATED),
    }
    return {name: draw(st.lists(s, min_size=n, max_size=n)) for name, s in columns.items()}


def schema_with(**options: Any) -> CatalogueSchema:
    loaded = load_file(SCHEMA)[0]
    assert isinstance(loaded, CatalogueSchema)
    if not options:
        return loaded
    fields = [f.model_copy(update={"options": {**f.options, **options[f.name]}}) if f.name in options else f
              for f in loaded.fields]
    return loaded.model_copy(update={"fields": fields})


SCHEMAS = {
    "default": schema_with(),
    "options": schema_with(id_number={"allow_legacy_15": True, "strict": True}, phone={"strict": True},
                       employer_uscc={"strict": True}),
}


def function_suite() -> ir.CheckSuite:
    x, y = col("x"), col("y")
    n = fn("normalize_code", x)
    exprs: dict[str, ir.Expr] = {
        "blank": fn("is_blank", x), "trim": ir.eq(fn("trim", x), y), "len": ir.cmp(fn("length", x), ">", lit(17)),
        "substr": ir.eq(fn("substr", x, start=2, length=3), lit("101")),
        "norm": ir.eq(n, y), "norm_keep": ir.eq(fn("normalize_code", x, strip_dashes=False), y),
        "norm_case": ir.eq(fn("normalize_code", x, uppercase=False), lit("11010519491231002x")),
        "phone": ir.eq(fn("normalize_phone", x), lit("13800138000")),
        "shape": fn("matches", n, pattern="[0-9]{17}[0-9X]"), "fw": fn("has_fullwidth", x),
        "ws": fn("has_whitespace", x), "lower": fn("has_lowercase", x), "dash": fn("has_dash", x),
        "apos": fn("has_apostrophe", x), "excel": fn("excel_damaged", n), "masked": fn("is_masked", x),
        "ymd": ir.cmp(fn("ymd_date", x), "<=", lit(TODAY)), "year": ir.cmp(fn("year", fn("id_birth_date", n)), ">=",
                                                                           lit(1950)),
        "mod11": fn("mod11_2_ok", n), "born_null": ir.is_null(fn("id_birth_date", n)), "male": fn("id_is_male", n),
        "uscc": fn("gb32100_checksum_ok", n), "org": fn("gb11714_checksum_ok", n),
        "prefix": fn("region_prefix_match", fn("substr", n, start=1, length=6), y),
        "in": ir.in_values(fn("trim", x), ["1", "2", "110105"]),
        "table": fn("in_table", fn("substr", n, start=1, length=6), table="t", column="code"),
        "if": ir.eq(ir.if_else(fn("has_dash", x), y, x), lit("1")),
        "if_pred": ir.if_else(fn("has_dash", x), fn("id_is_male", n), fn("has_lowercase", x)),
        "excel_raw": ir.Func(name="matches", args=[x], params={"pattern": EXCEL_PATTERN}),
        # '.' and a negated class under * / + : every byte of a non-ASCII character; '.' no newline
        "dot_neg": fn("matches", x, pattern="[^0-9]*(00)?86.*"), "neg_plus": fn("matches", x, pattern="[^A-Z]+1.+"),
    }
    checks: list[ir.Check] = [
        ir.RowCheck(rule_id=name, rule="test", dimension=QualityDimension.ACCURACY, columns=["x"], description=name,
                    expect=e, applies=ir.not_(ir.is_null(y)) if name == "trim" else None)
        for name, e in exprs.items()
    ]
    table = ir.ReferenceTable(name="t", columns=["code"], types=["text"], rows=[("110105",), ("510104",), (None,)])
    return ir.CheckSuite(checks=checks, tables=[table])


DATES = ["2024-01-31", "2024-02-29", "2023-02-29", "2024-13-01", "2024-00-10", "2024-01-00", "0000-01-01",
         "0001-01-01", "9999-12-31", "20240131", "2024/01/31", "2024.1.31", "2024年01月31日", " 2024-01-31",
         "2024-1-31", "2024-01-31 ", "2024-01-31 10:20:30", "2024-01-31 24:00:00", "2024-01-31 23:59:60",
         "2024-01-31 23:60:00", "2024-02-30 10:00:00", "2024-01-31T10:20:30", "2024-01-31 10:20",
         "2024-01-31 10:20:30.5", "20240131102030", "0000-01-01 00:00:00", "abc", "", "  ", "张三", "-2024-01-01",
         "+2024-01-01", "2024-01-3l", "９９９９-01-01",
         # fractions of 7-9 digits (nanosecond exports: valid, kept to microseconds) and of 10 (invalid)
         "2024-01-31 10:20:30.123456789", "2024-01-31T23:59:59.9999999", "2024-01-31 10:20:30.1234567890",
         "2024-02-30 10:20:30.123456789",
         # the word-at-a-time shape test of _kernel.c: bytes just outside '0'..'9' ('/' 0x2F, ':' 0x3A) in each
         # digit position, each separator replaced, a 0 byte, and both templates' overlapping words
         "2024-0:-01", "2024-01-0/", "/024-01-31", "2:24-01-31", "2024/01-31", "2024-01/31", "2024-01-31 10:20:3:",
         "2024-01-31 10:2/:30", "2024-01-31 10-20-30", "2024-01-31 10:20-30", "2024-01-31_10:20:30",
         "2024-01-31 1 :20:30", "2024-01-3\x00", "2024-01-31 10:20:30\x00", "2024-01-31  10:20:3"]
NUMBERS = ["0", "12.5", "-1", "-0", "100000", "100000.0000000001", "99999.995", "1e3", "inf", "nan", "x", "",
           "+5", "5.", ".5", "-.5", "1.2.3", "0000000000000000001", "123456789012345", "1234567890123456",
           "0.1", "3.14159265358979", " 5", "5 ", "１２", "--1", "100000.000000000000001"]


def parse_suite() -> ir.CheckSuite:
    x, y = col("x"), col("y")
    exprs: dict[str, ir.Expr] = {
        "date_null": ir.is_null(fn("to_date", x)), "ts_null": ir.is_null(fn("to_timestamp", x)),
        "num_null": ir.is_null(fn("to_number", x)),
        "date_cmp": ir.cmp(fn("to_date", x), "<=", lit(TODAY)),
        "date_eq": ir.eq(fn("to_date", x), fn("id_birth_date", fn("normalize_code", y))),
        "ts_order": ir.cmp(fn("to_timestamp", x), ">=", fn("to_timestamp", y)),
        "num_low": ir.cmp(fn("to_number", x), ">=", lit(0)),
        "num_high": ir.cmp(fn("to_number", x), "<=", lit(100000)),
        "num_float": ir.cmp(fn("to_number", x), "<", lit(99999.995)),
        "year": ir.cmp(fn("year", fn("to_date", x)), ">=", lit(2000)),
    }
    checks: list[ir.Check] = [
        ir.RowCheck(rule_id=name, rule="test", dimension=QualityDimension.ACCURACY, columns=["x"], description=name,
                    expect=e, applies=ir.not_(fn("is_blank", x)))
        for name, e in exprs.items()
    ]
    return ir.CheckSuite(checks=checks, tables=[])


def count_xy(table: pa.Table, suite: ir.CheckSuite, tmp: Path) -> dict[str, tuple[int, int]]:
    """(evaluated, failed) per rule of ``suite`` over the text columns ``x`` and ``y`` of ``table``, on the
    path ``GOVSTD_KERNEL`` selects, and the row count as ``__rows``."""
    options = SourceOptions(expected_columns=["x", "y"], text_columns=["x", "y"], workdir=tmp)
    with duckdb_engine.open_data(table, options) as opened:
        rows, results = opened.engine({"x": "x", "y": "y"}).run(suite, masking={}, sample_size=0)
    return {r.rule_id: (r.evaluated, r.failed) for r in results} | {"__rows": (rows, 0)}
