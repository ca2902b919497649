"""Parity is the contract: the native check kernel and the SQL path give identical counts and samples.

Both paths run the same derived check suite on the same data in the same DuckDB engine; only
``GOVSTD_KERNEL`` differs. Data comes from hypothesis over every messy-value class a department
export holds (full-width digits, every kind of space, lowercase x, apostrophes, dashes, Excel damage,
masked values, empty, NULL, non-ASCII, wrong check characters, 15-digit IDs, USCCs with letters) and
from the demo dataset. A third test applies every IR function the kernel implements to raw messy
values with no shape guard, so each function — not only each derived check — means the same in C.
The kernel must be built (``pip install -e .`` or ``python setup.py build_ext --inplace``): a missing
build fails these tests rather than skipping them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import govstd
from govstd import demo, kernel
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


@pytest.fixture(autouse=True, scope="module")
def _kernel_is_built() -> None:
    built, why = kernel.status()
    assert built, f"the native check kernel must be built for the parity tests: {why}"


def _id(region: str, born: str, seq: int) -> str:
    first17 = f"{region}{born}{seq:03d}"
    return first17 + gb11643.calc_check_digit(first17)


def _uscc(region: str, body: str, head: str = "91") -> str:
    org = body + gb11714.calc_check_digit(body)
    return head + region + org + gb32100.calc_check_digit(head + region + org)


IDS = [_id("110105", "19491231", 2), _id("510104", "20000229", 17), _id("440305", "19850101", 30),
       "11010519491231002X", "110105491231002", "110105190002290011", _id("110105", "20991231", 5)]
USCCS = [_uscc("510100", "MA61RQ3X"), _uscc("110105", "00000001"), _uscc("100000", "H2K3L4M5", "Y1"),
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
           "bad", "2025-05-31", "2025/06/01 08:00:00"]


def _rows(draw: Any, n: int) -> dict[str, list[str | None]]:
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


def _schema(**options: Any) -> CatalogueSchema:
    loaded = load_file(SCHEMA)[0]
    assert isinstance(loaded, CatalogueSchema)
    if not options:
        return loaded
    fields = [f.model_copy(update={"options": {**f.options, **options[f.name]}}) if f.name in options else f
              for f in loaded.fields]
    return loaded.model_copy(update={"fields": fields})


SCHEMAS = {
    "default": _schema(),
    "options": _schema(id_number={"allow_legacy_15": True, "strict": True}, phone={"strict": True},
                       employer_uscc={"strict": True}),
}


def _both(source: Any, schema: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], dict[str, Any]]:
    out = []
    for setting in ("1", "0"):
        monkeypatch.setenv("GOVSTD_KERNEL", setting)
        result = govstd.validate(source, schema, today=TODAY, service_items=ITEMS, sample_size=3)
        out.append({
            # details: breakdowns, and a repeated key's rows involved / keys repeated (counted in one grouped
            # pass beside the kernel, in the aggregate and a second pass on the SQL path); samples whole: rows,
            # lines and masked values (the kernel's pass keeps its checks' samples, the SQL path queries them)
            c.rule_id: (c.evaluated, c.failed, c.details, [s.model_dump() for s in c.samples])
            for c in result.checks
        } | {"__rows": result.dataset.rows})
    return out[0], out[1]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_kernel_and_sql_count_messy_data_alike(data: st.DataObject, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows(data.draw, data.draw(st.integers(1, 40)))
    table = pa.table({k: pa.array(v, pa.string()) for k, v in rows.items()})
    schema = SCHEMAS[data.draw(st.sampled_from(sorted(SCHEMAS)))]
    native, sql = _both(table, schema, monkeypatch)
    assert native == sql


def test_kernel_counts_most_checks_of_the_test_schema() -> None:
    """The point of the kernel: every row check of the test schema runs natively."""
    from govstd.validators.derive import derive, service_item_codes_from

    suite = derive(SCHEMAS["default"], today=TODAY, service_items=service_item_codes_from(ITEMS)).suite
    plan = kernel.compile_suite(suite)
    native = {c.check.rule_id for c in plan.checks}
    assert {"id_number.checksum", "id_number.birth_date", "employer_uscc.checksum", "employer_uscc.org_code",
            "phone.format", "region.code_set", "service_item_code.body", "rules.person_matches_id.sex",
            "birth_date.type", "amount.range", "accept_time.type", "rules.finish_after_accept",
            # the type checks' cause breakdowns and the GB/T 7408 layout check are ASCII patterns
            "amount.type", "birth_date.normalised", "accept_time.normalised"} <= native
    assert "phone.normalised" in native
    assert [f.check.rule_id for f in plan.fresh] == ["rules.fresh"]  # the aggregate SQL pass is gone
    # A tally (rows per matched service item code layout) is counted by hidden checks of its own.
    assert not plan.sql_checks
    assert {c.tally for c in plan.checks if c.check.rule_id == "service_item_code.format"} > {None}


def _with_required(columns: dict[str, pa.Array], rows: int) -> pa.Table:
    required = {"name": "张三", "id_number": IDS[0], "sex": "1", "accept_time": "2025-01-02 03:04:05"}
    return pa.table({**{k: pa.array([v] * rows, pa.string()) for k, v in required.items()}, **columns})


def test_the_newest_value_is_a_maximum_across_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Freshness is a maximum merged over batches and threads, not a sum: the newest row in any batch counts,
    rows without a parseable time do not, and an all-NULL file has none (as DuckDB's max says)."""
    stamps = [None, "2025-05-01 08:00:00", "2025-06-01 00:00:01", "bad", "2024-12-31 23:59:59"]
    rows = 5000
    for newest_at in (0, rows // 2, rows - 1):
        updated = [stamps[i % 5] if i != newest_at else "2025-06-02 10:11:12" for i in range(rows)]
        table = _with_required({"updated_at": pa.array(updated, pa.string())}, rows)
        native, sql = _both(table, SCHEMAS["default"], monkeypatch)
        assert native == sql
        assert native["rules.fresh"][2]["newest"] == "2025-06-02 10:11:12"
        assert native["rules.fresh"][2]["parseable_values"] == rows - 2 * (rows // 5) + (newest_at % 5 in (0, 3))
    none = _with_required({"updated_at": pa.array([None, "", "x"], pa.string())}, 3)
    native, sql = _both(none, SCHEMAS["default"], monkeypatch)
    assert native == sql and native["rules.fresh"][2]["newest"] is None
    # One engine batch above; many small batches on two threads here: the merge of the batches' counters.
    from govstd.validators.derive import derive

    fresh = [c for c in derive(SCHEMAS["default"], today=TODAY).suite.checks if isinstance(c, ir.FreshnessCheck)]
    plan = kernel.compile_suite(ir.CheckSuite(checks=fresh, tables=[]))
    lib = kernel.load()
    assert lib is not None and len(plan.fresh) == 1
    updated = [stamps[i % 5] for i in range(rows)]
    updated[3333] = "2025-06-02 10:11:12"
    k = kernel.Kernel(lib, plan)
    try:
        counters = k.count(iter(pa.table({"updated_at": pa.array(updated)}).to_batches(100)), threads=2)
    finally:
        k.close()
    assert k.values(counters)["__fn0"] == dt.datetime(2025, 6, 2, 10, 11, 12)
    assert k.values(counters)["__fe0"] == 3001


def test_demo_dataset_counts_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    records, _ = demo.generate(today=TODAY)
    path = demo.write_csv(records, tmp_path / "demo.csv")
    schema = tmp_path / "demo.yaml"
    schema.write_text(demo.schema_yaml(), encoding="utf-8")
    native, sql = _both(path, schema, monkeypatch)
    assert native == sql
    assert native["__rows"] == len(records)
    assert sum(1 for v in native.values() if isinstance(v, tuple) and v[1]) > 5  # defects were found


# --------------------------------------------------------------------------- every function, unguarded


def _function_suite() -> ir.CheckSuite:
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


def _count(table: pa.Table, suite: ir.CheckSuite, tmp: Path) -> dict[str, tuple[int, int]]:
    options = SourceOptions(expected_columns=["x", "y"], text_columns=["x", "y"], workdir=tmp)
    with duckdb_engine.open_data(table, options) as opened:
        rows, results = opened.engine({"x": "x", "y": "y"}).run(suite, masking={}, sample_size=0)
    return {r.rule_id: (r.evaluated, r.failed) for r in results} | {"__rows": (rows, 0)}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(xs=st.lists(st.one_of(messy(IDS + USCCS + PHONES + REGION_CODES), st.text(max_size=20),
                             st.sampled_from(["86\n1", "\n86", "张86三", "0086", "a1\n", "Z1é", "é1é"])), min_size=1,
                   max_size=30),
       y=st.one_of(st.none(), st.sampled_from(["1", "110000", "110100", "110105", "11010519491231002X"])))
def test_every_function_means_the_same_unguarded(xs: list[str | None], y: str | None, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    suite = _function_suite()
    assert not kernel.compile_suite(suite).sql_checks
    table = pa.table({"x": pa.array(xs, pa.string()), "y": pa.array([y] * len(xs), pa.string())})
    monkeypatch.setenv("GOVSTD_KERNEL", "1")
    native = _count(table, suite, tmp_path)
    monkeypatch.setenv("GOVSTD_KERNEL", "0")
    assert native == _count(table, suite, tmp_path)


# --------------------------------------------------------------------------- dates, times and numbers

DATES = ["2024-01-31", "2024-02-29", "2023-02-29", "2024-13-01", "2024-00-10", "2024-01-00", "0000-01-01",
         "0001-01-01", "9999-12-31", "20240131", "2024/01/31", "2024.1.31", "2024年01月31日", " 2024-01-31",
         "2024-1-31", "2024-01-31 ", "2024-01-31 10:20:30", "2024-01-31 24:00:00", "2024-01-31 23:59:60",
         "2024-01-31 23:60:00", "2024-02-30 10:00:00", "2024-01-31T10:20:30", "2024-01-31 10:20",
         "2024-01-31 10:20:30.5", "20240131102030", "0000-01-01 00:00:00", "abc", "", "  ", "张三", "-2024-01-01",
         "+2024-01-01", "2024-01-3l", "９９９９-01-01",
         # the word-at-a-time shape test of _kernel.c: bytes just outside '0'..'9' ('/' 0x2F, ':' 0x3A) in each
         # digit position, each separator replaced, a 0 byte, and both templates' overlapping words
         "2024-0:-01", "2024-01-0/", "/024-01-31", "2:24-01-31", "2024/01-31", "2024-01/31", "2024-01-31 10:20:3:",
         "2024-01-31 10:2/:30", "2024-01-31 10-20-30", "2024-01-31 10:20-30", "2024-01-31_10:20:30",
         "2024-01-31 1 :20:30", "2024-01-3\x00", "2024-01-31 10:20:30\x00", "2024-01-31  10:20:3"]
NUMBERS = ["0", "12.5", "-1", "-0", "100000", "100000.0000000001", "99999.995", "1e3", "inf", "nan", "x", "",
           "+5", "5.", ".5", "-.5", "1.2.3", "0000000000000000001", "123456789012345", "1234567890123456",
           "0.1", "3.14159265358979", " 5", "5 ", "１２", "--1", "100000.000000000000001"]


def _parse_suite() -> ir.CheckSuite:
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


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(xs=st.lists(st.one_of(st.sampled_from(DATES + NUMBERS), st.text(max_size=12)), min_size=1, max_size=30),
       y=st.sampled_from([None, "2024-01-31 10:20:30", "2024-01-31", "19491231", "11010520240131002X"]),
       repeat=st.sampled_from([1, 1, 37]))
def test_parsing_means_what_duckdb_says(xs: list[str], y: str | None, repeat: int, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """to_date/to_timestamp/to_number: the kernel's exact subset, its NULLs and its doubts (counted in SQL
    instead) give DuckDB's counts — on one chunk and, repeated, across several (the kernel's chunks are
    256 rows)."""
    suite = _parse_suite()
    assert not kernel.compile_suite(suite).sql_checks
    table = pa.table({"x": pa.array(xs * repeat, pa.string()), "y": pa.array([y] * len(xs) * repeat, pa.string())})
    monkeypatch.setenv("GOVSTD_KERNEL", "1")
    native = _count(table, suite, tmp_path)
    monkeypatch.setenv("GOVSTD_KERNEL", "0")
    assert native == _count(table, suite, tmp_path)


def test_canonical_dates_and_numbers_are_counted_natively() -> None:
    """Data of the canonical layouts (every value of the benchmark) needs no SQL pass for parsing: the
    kernel's parse-doubt counter stays 0, and its answers are DuckDB's (checked by the test above)."""
    lib = kernel.load()
    assert lib is not None
    dates = ["2024-01-31", "2024-02-29", "2023-02-29", "2024-13-01", "0001-01-01", "9999-12-31",
             "2024-01-31 10:20:30", "2024-02-30 10:00:00", "2024-01-31 24:00:00", "abc", "张三", " x", "", None]
    numbers = ["0", "12.5", "-1", "-0", "100000", "99999.995", "123456789012345", "x", "1e3", "inf", "1.2.3",
               "2024-01-31", "", None]
    for prefix, values in (("date", dates), ("ts", dates), ("year", dates), ("num", numbers)):
        full = _parse_suite()
        suite = ir.CheckSuite(checks=[c for c in full.checks if c.rule_id.startswith(prefix)], tables=[])
        plan = kernel.compile_suite(suite)
        table = pa.table({"x": pa.array(values * 30, pa.string()), "y": pa.array(["2024-01-31"] * len(values) * 30)})
        k = kernel.Kernel(lib, plan)
        try:
            counters = k.count(iter(table.select(plan.columns).to_batches(100)), threads=2)
        finally:
            k.close()
        assert counters[0] == len(values) * 30
        assert counters[2] == 0, prefix


def test_many_chunks_with_growing_normalisations_count_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of rows with long messy values: chunk boundaries, batch boundaries and the per-chunk text
    arenas outgrowing their first size must not change a count."""
    suite = _function_suite()
    base = ["１１０１０５１９４９１２３１００２Ｘ" * 20, " 11010519491231002x ", None, "91510100MA61RQ3X0Y", "",
            "'13800138000", "1.10105E+17", "110105"]
    xs = [base[(i * 7) % len(base)] for i in range(3000)]
    table = pa.table({"x": pa.array(xs, pa.string()), "y": pa.array(["110105"] * len(xs), pa.string())})
    monkeypatch.setenv("GOVSTD_KERNEL", "1")
    native = _count(table, suite, tmp_path)
    monkeypatch.setenv("GOVSTD_KERNEL", "0")
    assert native == _count(table, suite, tmp_path)


def test_a_single_dot_or_negated_class_stays_in_sql() -> None:
    """One '.' or '[^…]' must match one character, i.e. a counted number of bytes: not in the byte tables."""
    from govstd.kernel.automata import Unsupported, compile_pattern

    for pattern in ("[^0-9]86", "a.b", "[^0-9]?86", "(.)*"):
        with pytest.raises(Unsupported):
            compile_pattern(pattern)
    assert compile_pattern("[^0-9]*(00)?86.*").accept


# --------------------------------------------------------------------------- code sets and batch boundaries


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(xs=st.lists(st.one_of(st.none(), st.text(alphabet="019AZaé\x00 ", max_size=9)), min_size=1, max_size=40))
def test_code_sets_of_every_length_mean_the_same(xs: list[str | None], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Code-set membership for codes of 0 to 9 bytes: up to 7 bytes a code is its own slot word (two overlapping
    loads in _kernel.c), longer ones are hashed and compared byte by byte. Probes differ from the codes in one
    byte, in length only, or hold a 0 byte (data only: SQL takes no NUL in a constant)."""
    codes = ["", "1", "01", "019", "0190", "A0190", "Z9A019", "1900AZ9", "1900AZ91", "é90", "éé0", "0 01"]
    x = col("x")
    suite = ir.CheckSuite(checks=[
        ir.RowCheck(rule_id="in", rule="test", dimension=QualityDimension.ACCURACY, columns=["x"], description="in",
                    expect=ir.in_values(x, codes)),
        ir.RowCheck(rule_id="in_trim", rule="test", dimension=QualityDimension.ACCURACY, columns=["x"],
                    description="in_trim", expect=ir.in_values(fn("trim", x), codes[1:])),
    ], tables=[])
    assert not kernel.compile_suite(suite).sql_checks
    probes = xs + codes + [c + "0" for c in codes] + [c[:-1] for c in codes if c]
    table = pa.table({"x": pa.array(probes, pa.string()), "y": pa.array([None] * len(probes), pa.string())})
    monkeypatch.setenv("GOVSTD_KERNEL", "1")
    native = _count(table, suite, tmp_path)
    monkeypatch.setenv("GOVSTD_KERNEL", "0")
    assert native == _count(table, suite, tmp_path)
    assert native["in"][1] < len(probes)  # some probes are members


def test_counts_do_not_depend_on_batch_or_word_boundaries() -> None:
    """Selections are bit masks of 64-row words in 256-row chunks: batches of 1, 63, 64, 65, 255, 256, 257 and
    1,000 rows (partial words, partial chunks, a chunk ending mid-word) give the same counters, doubts included."""
    lib = kernel.load()
    assert lib is not None
    suite = _function_suite()
    plan = kernel.compile_suite(suite)
    base = ["１１０１０５１９４９１２３１００２Ｘ", " 11010519491231002x ", None, "91510100MA61RQ3X0Y", "",
            "'13800138000", "1.10105E+17", "110105", IDS[1], USCCS[0], "11010519491231002-X", "张三", "8613800138000"]
    xs = [base[(i * i + 3 * i) % len(base)] for i in range(1000)]
    table = pa.table({"x": pa.array(xs, pa.string()), "y": pa.array(["110105"] * len(xs), pa.string())})
    table = table.select(plan.columns)
    k = kernel.Kernel(lib, plan)
    try:
        seen = {size: k.count(iter(table.to_batches(size)), threads=1) for size in (1, 63, 64, 65, 255, 256, 257, 1000)}
    finally:
        k.close()
    assert len({tuple(c) for c in seen.values()}) == 1
    assert seen[1000][0] == 1000 and any(seen[1000][3:])
