"""The SQL the compiler writes agrees with the Python identifier modules (one source of truth).

Each property evaluates a whole batch of generated values in one DuckDB query and compares it with
``govstd.standards.numbers`` — so a weight, an alphabet or a check table can never drift apart.
"""

from __future__ import annotations

import datetime as dt
import re
import string

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govstd.standards.numbers import gb11643, gb11714, gb32100, normalize
from govstd.validators import ir
from govstd.validators.compiler import Dialect, UnsupportedCheck, dialect
from govstd.validators.compiler.constants import (
    DASH_CHARS,
    GB11714_CHECK_TABLE,
    GB32100_CHECK_TABLE,
    NOT_WHITESPACE_RANGES,
    WHITESPACE_CHARS,
)
from govstd.validators.compiler.duckdb import DuckDBDialect
from govstd.validators.compiler.plans import check_expressions, walk

SQL = DuckDBDialect()
CON = duckdb.connect()


def evaluate(expr: ir.Expr, values: list[str | None]) -> list[object]:
    """``expr`` (over column x) for every value, in order, in one query."""
    table = pa.table({"x": pa.array(values, type=pa.string()), "i": pa.array(range(len(values)))})
    CON.register("batch", table)
    try:
        rows = CON.execute(f"SELECT {SQL.expr(expr)} FROM batch ORDER BY i").fetchall()
    finally:
        CON.unregister("batch")
    return [r[0] for r in rows]


X = ir.col("x")
#: Also letters whose Unicode case mapping differs between engines (ß, ı, ſ, ﬁ): case is ASCII only.
MESSY_CHARS = st.sampled_from(list("0123456789Xx ０１２３９Ｘｘ\u3000\u00a0\t'‘-－—*abcAB.E+ßıſﬁ"))
messy_text = st.text(MESSY_CHARS, max_size=22)
digits17 = st.text(st.sampled_from(string.digits), min_size=17, max_size=17)


@settings(max_examples=25, deadline=None)
@given(st.lists(messy_text, min_size=1, max_size=60))
def test_normalize_code_matches_python(values: list[str]) -> None:
    expected = []
    for v in values:
        try:
            expected.append(normalize.normalize(v).value)
        except ValueError:  # spreadsheet damage raises in Python; SQL reports it by another check
            expected.append(None)
    got = evaluate(ir.fn("normalize_code", X, strip_dashes=True, uppercase=True), values)
    assert [g if e is not None else None for g, e in zip(got, expected, strict=True)] == expected


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(digits17, st.sampled_from(list("0123456789X"))), min_size=1, max_size=80))
def test_mod11_2_matches_gb11643(pairs: list[tuple[str, str]]) -> None:
    values = [body + check for body, check in pairs]
    got = evaluate(ir.fn("mod11_2_ok", X), values)
    assert got == [gb11643.calc_check_digit(v[:17]) == v[17] for v in values]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(st.sampled_from(gb32100.ALPHABET), min_size=18, max_size=18), min_size=1, max_size=80))
def test_gb32100_checksum_matches_python(values: list[str]) -> None:
    got = evaluate(ir.fn("gb32100_checksum_ok", X), values)
    assert got == [gb32100.calc_check_digit(v[:17]) == v[17] for v in values]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.text(st.sampled_from(string.digits + string.ascii_uppercase), min_size=8, max_size=8),
                          st.sampled_from(list("0123456789X"))), min_size=1, max_size=80))
def test_gb11714_checksum_matches_python(pairs: list[tuple[str, str]]) -> None:
    values = [body + check for body, check in pairs]
    got = evaluate(ir.fn("gb11714_checksum_ok", X), values)
    assert got == [gb11714.calc_check_digit(v[:8]) == v[8] for v in values]


def test_check_tables_are_derived_from_the_modules() -> None:
    assert GB32100_CHECK_TABLE[0] == gb32100.ALPHABET[0] and len(GB32100_CHECK_TABLE) == gb32100.MODULUS
    # Every residue maps to the character the Python module computes.
    seen: dict[int, str] = {}
    for n in range(2000):
        body = f"{n * 7919 % 10**8:08d}"
        s = sum(int(c) * w for c, w in zip(body, gb11714.WEIGHTS, strict=True)) % gb11714.MODULUS
        seen[s] = gb11714.calc_check_digit(body)
    assert all(GB11714_CHECK_TABLE[s] == c for s, c in seen.items()) and len(seen) == gb11714.MODULUS


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(1000, 2999), st.integers(0, 13), st.integers(0, 32)), min_size=1,
                max_size=80))
def test_ymd_date_is_a_real_calendar(triples: list[tuple[int, int, int]]) -> None:
    values = [f"{y:04d}{m:02d}{d:02d}" for y, m, d in triples]

    def real(y: int, m: int, d: int) -> dt.date | None:
        try:
            return dt.date(y, m, d)
        except ValueError:
            return None

    assert evaluate(ir.fn("ymd_date", X), values) == [real(*t) for t in triples]


def test_birth_date_and_sex_of_both_lengths() -> None:
    values = ["11010519491231002X", "110105491231002", "110105199002290011", "110105199002280011", None]
    assert evaluate(ir.fn("id_birth_date", X), values) == [
        dt.date(1949, 12, 31), dt.date(1949, 12, 31), None, dt.date(1990, 2, 28), None,
    ]
    assert evaluate(ir.fn("id_is_male", X), values) == [False, False, True, True, None]


def test_two_valued_logic_and_short_circuit() -> None:
    # NULL input: every predicate is false, its negation true — engines cannot disagree on NULLs.
    predicate = ir.and_(ir.fn("matches", X, pattern="[0-9]+"), ir.cmp(ir.fn("length", X), ">", ir.lit(2)))
    assert evaluate(predicate, ["123", "12", None, "abc"]) == [True, False, False, False]
    assert evaluate(ir.not_(predicate), ["123", "12", None, "abc"]) == [False, True, True, True]
    assert evaluate(ir.or_(ir.is_null(X), ir.eq(X, ir.lit("a"))), [None, "a", "b"]) == [True, True, False]


def test_trim_and_blank_know_ideographic_spaces() -> None:
    values = ["\u3000 张三\u00a0", "  ", "\u3000", "", None, "x"]
    assert evaluate(ir.fn("trim", X), values) == ["张三", "", "", "", None, "x"]
    assert evaluate(ir.fn("is_blank", X), values) == [False, True, True, True, True, False]


def test_to_timestamp_accepts_common_layouts_and_rejects_impossible_dates() -> None:
    values = ["2024-03-01 09:00:00", "2024/03/01", "20240301", "2024年3月1日", "2023-02-29", "昨天",
              "2024-03-01T09:00:00"]
    got = evaluate(ir.fn("to_timestamp", X), values)
    assert got[:4] == [dt.datetime(2024, 3, 1, 9), dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 1),
                       dt.datetime(2024, 3, 1)]
    assert got[4] is None and got[5] is None and got[6] == dt.datetime(2024, 3, 1, 9)


def test_to_number_is_plain_decimals_only() -> None:
    values = ["12.50", "-5", ".5", "1e5", "nan", "inf", "1,000", "十元"]
    assert evaluate(ir.fn("to_number", X), values) == [12.5, -5.0, 0.5, None, None, None, None, None]


@pytest.mark.parametrize("name", ['a"b', "x; DROP TABLE t; --", "姓 名", "'quoted'", "Robert'); --"])
def test_untrusted_column_names_are_always_quoted(name: str) -> None:
    table = pa.table({name: ["1", None]})
    CON.register("odd", table)
    try:
        sql = f"SELECT {SQL.expr(ir.fn('is_blank', ir.col(name)))} FROM odd"
        assert [r[0] for r in CON.execute(sql).fetchall()] == [False, True]
    finally:
        CON.unregister("odd")


def test_an_engine_without_a_function_names_it() -> None:
    with pytest.raises(UnsupportedCheck, match="regular expressions"):
        Dialect().expr(ir.fn("matches", X, pattern="[0-9]+"))
    with pytest.raises(UnsupportedCheck, match="no SQL compiler"):
        dialect("oracle")


def test_unknown_ir_functions_are_rejected_when_built() -> None:
    with pytest.raises(ValueError, match="unknown IR function"):
        ir.fn("no_such_function", X)


def test_checks_serialise_without_sql() -> None:
    check = ir.RowCheck(rule_id="x.format", rule="format", dimension="accuracy", columns=["x"], description="d",
                        expect=ir.fn("matches", ir.fn("normalize_code", X), pattern="[0-9]{17}[0-9X]"))
    text = check.model_dump_json()
    assert "SELECT" not in text and "regexp" not in text
    assert ir.RowCheck.model_validate_json(text) == check


def test_integer_type_accepts_digits_only() -> None:
    """DuckDB's own cast rounds '1.5' and reads '1e3'; an integer column must hold digits only."""
    got = evaluate(ir.fn("to_integer", X), ["42", "-7", "+3", "1.5", "1e3", " 4", "", None, "0x10"])
    assert got == [42, -7, 3, None, None, None, None, None, None]


# ---- fast paths: cheap tests in front of costly ones must never change a result --------------------

WHITESPACE = st.sampled_from(list(WHITESPACE_CHARS))
#: Text a trim fast path could get wrong: whitespace of every kind at either end, next to letters,
#: CJK (also outside the BMP), combining marks and zero-width joiners.
padded_text = st.lists(st.one_of(WHITESPACE, st.sampled_from(list("a1张𠇔\u0301\u200d!~\x7f\x85\u00a1"))),
                       max_size=8).map("".join)


@settings(max_examples=40, deadline=None)
@given(st.lists(padded_text, min_size=1, max_size=60))
def test_trim_and_blank_fast_paths_equal_python(values: list[str]) -> None:
    strip = "".join(WHITESPACE_CHARS)
    assert evaluate(ir.fn("trim", X), values) == [v.strip(strip) for v in values]
    assert evaluate(ir.fn("is_blank", X), values) == [v.strip(strip) == "" for v in values]


def test_not_whitespace_ranges_hold_no_whitespace() -> None:
    for low, high in NOT_WHITESPACE_RANGES:
        assert not any(low <= ord(c) < (high or 0x110000) for c in WHITESPACE_CHARS), (low, high)


def _fast_paths(suite: ir.CheckSuite) -> list[tuple[list[str], ir.Func]]:
    """Every ``if_else(matches(raw, p…), raw, normalise(raw))`` of a suite: (patterns, normalise)."""
    found = {}
    for expr in check_expressions(suite.checks):
        for node in walk(expr):
            if isinstance(node, ir.Func) and node.name == "if_else":
                cond, _, normalise = node.args
                tests = cond.args if isinstance(cond, ir.Or) else [cond]
                assert isinstance(normalise, ir.Func)
                found[ir.node_key(node)] = ([t.params["pattern"] for t in tests if isinstance(t, ir.Func)], normalise)
    return list(found.values())


def _suite_with_every_identifier() -> ir.CheckSuite:
    import messy

    from govstd.standards.loader import load_file
    from govstd.standards.models import CatalogueSchema, FieldSpec
    from govstd.validators.derive import derive

    schema = load_file(messy.SCHEMA)[0]  # ID number, phone, USCC, service item code …
    assert isinstance(schema, CatalogueSchema)
    extra = [FieldSpec(name="org", standard="GB11714"),
             FieldSpec(name="fpr", standard="foreign_permanent_residence_id")]
    return derive(schema.model_copy(update={"fields": [*schema.fields, *extra]})).suite


FAST_PATHS = _fast_paths(_suite_with_every_identifier())


def test_every_identifier_family_has_a_fast_path() -> None:
    kinds = {(n.name, tuple(sorted(n.params.items()))) for _, n in FAST_PATHS}
    assert len(FAST_PATHS) == 6 and len(kinds) == 3, FAST_PATHS  # ID, foreign ID, USCC, org, phone, item


@pytest.mark.parametrize(("patterns", "normalise"), FAST_PATHS, ids=[p[0][:20] for p, _ in FAST_PATHS])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_identifier_fast_paths_are_fixed_points_of_normalising(patterns: list[str], normalise: ir.Func,
                                                               data: st.DataObject) -> None:
    """A raw value matching a canonical pattern skips normalising: so normalising must leave every
    such value unchanged — checked on values generated from each pattern, in SQL and in Python."""
    from govstd.standards.numbers import mobile

    values = data.draw(st.lists(st.one_of(*[st.from_regex(p, fullmatch=True) for p in patterns]),
                                min_size=1, max_size=40))
    assert evaluate(normalise.model_copy(update={"args": [X]}), values) == values
    for v in values:
        if normalise.name == "normalize_phone":
            assert mobile.compact(v) == v
        else:
            assert normalize.normalize(v, **normalise.params).value == v


@pytest.mark.parametrize(("chars", "pattern"), [(WHITESPACE_CHARS, normalize.WHITESPACE_RE),
                                                (DASH_CHARS, normalize.DASH_RE)])
def test_character_classes_are_every_bmp_character_the_normaliser_matches(chars: str,
                                                                          pattern: re.Pattern[str]) -> None:
    # The oracle: test each code point on its own, as the Python normaliser sees a character.
    every = (chr(cp) for cp in range(0x10000) if not 0xD800 <= cp <= 0xDFFF)
    assert chars == "".join(c for c in every if pattern.fullmatch(c))


def test_the_character_classes_scan_every_bmp_character_once() -> None:
    # constants._BMP is built by decoding 32-bit code units (cheaper at import than joining chr calls).
    import itertools

    from govstd.validators.compiler import constants

    every = "".join(map(chr, itertools.chain(range(0xD800), range(0xE000, 0x10000))))
    assert every == constants._BMP
    spaces = "".join(c for c in every if constants.normalize.WHITESPACE_RE.fullmatch(c))
    assert spaces == constants.WHITESPACE_CHARS
