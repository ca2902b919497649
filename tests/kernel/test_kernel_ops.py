"""The kernel's fast paths for the usual value, held to the SQL path on the values just outside them.

_kernel.c answers the common case of several operations without its general loop: MOD 11-2 on 17 ASCII digits
summed without a test per byte, ymd_date / id_birth_date reading 8 digits in one word, trim and is_blank decided
by the bytes at the ends, code sets refusing a value of a length no code has before hashing, text equality of
two views of the same bytes without reading them. Each shortcut must give the general path's answer, so the
values here sit on their edges: a byte just outside '0'..'9' ('/' 0x2F, ':' 0x3A) at every position, a
non-ASCII or combining character right after the 17 digits, white space or a multi-byte character at one end
only, and codes of 62 to 66 bytes around the 63-byte length bucket of the sets' length filter.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kernel_testlib import IDS, TODAY, count_xy

from govstd import kernel
from govstd.standards.models import QualityDimension
from govstd.validators import ir
from govstd.validators.ir import col, fn, lit

# Codes around the length filter's last bucket (63 bytes and longer share one bit) and a few short ones.
LONG_CODES = ["A" * 62, "B" * 63, "C" * 64, "D" * 66, "张" * 21 + "x", "1", "NULL", "无"]
EDGE_CHARS = ["/", ":", "X", "x", " ", "\u3000", "\u00a0", "é", "张", "\u0301", "Ｘ", "\t", "0", "9"]


@st.composite
def _edge_value(draw: Any) -> str:
    """A value near a fast path's edge: digits (an ID, a date) with one byte changed, something after them,
    white space or a multi-byte character at an end, or a long code with one character changed."""
    kind = draw(st.sampled_from(["id", "date", "ends", "code", "text"]))
    if kind == "text":
        return str(draw(st.text(max_size=24)))
    if kind == "code":
        value = draw(st.sampled_from(LONG_CODES))
    elif kind == "date":
        value = draw(st.sampled_from(["19491231", "20000229", "20230229", "00000101", "20241301", "99991231"]))
    else:
        value = draw(st.sampled_from(IDS))[:17] if draw(st.booleans()) else draw(st.sampled_from(IDS))
    if draw(st.booleans()) and value:
        i = draw(st.integers(0, len(value) - 1))
        value = value[:i] + draw(st.sampled_from(EDGE_CHARS)) + value[i + 1:]
    if kind != "date" or draw(st.booleans()):
        value += draw(st.sampled_from(["", "", "X", "0", "é", "\u0301", " ", "\u3000", "Ｘ", "1\u0301"]))
    if kind == "ends" or draw(st.integers(0, 4)) == 0:
        end = st.sampled_from(["", " ", "\u3000", "é"])
        value = draw(end) + value + draw(end)
    return str(value)


def _suite() -> ir.CheckSuite:
    x, y = col("x"), col("y")
    exprs: dict[str, ir.Expr] = {
        "mod11": fn("mod11_2_ok", x), "born_null": ir.is_null(fn("id_birth_date", x)),
        "born_cmp": ir.cmp(fn("id_birth_date", x), "<=", lit(TODAY)), "ymd_null": ir.is_null(fn("ymd_date", x)),
        "ymd_year": ir.cmp(fn("year", fn("ymd_date", x)), ">=", lit(1950)), "blank": fn("is_blank", x),
        "trimmed": ir.eq(fn("trim", x), x), "trim_y": ir.eq(fn("trim", x), y), "equal": ir.eq(x, y),
        "in": ir.in_values(x, LONG_CODES), "in_trim": ir.in_values(fn("trim", x), LONG_CODES),
        "male": fn("id_is_male", x),
        # the dates themselves, not only NULL or not: each day of the edge dates against a literal and the other column
        "ymd_day": ir.cmp(fn("ymd_date", x), ">=", lit(dt.date(1949, 12, 31))),
        "born_day": ir.cmp(fn("id_birth_date", x), ">=", lit(dt.date(2000, 2, 29))),
        "born_y": ir.eq(fn("id_birth_date", x), fn("ymd_date", y)),
    }
    return ir.CheckSuite(checks=[
        ir.RowCheck(rule_id=name, rule="test", dimension=QualityDimension.ACCURACY, columns=["x"], description=name,
                    expect=e)
        for name, e in exprs.items()
    ], tables=[])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(xs=st.lists(st.one_of(st.none(), _edge_value()), min_size=1, max_size=40),
       y=st.one_of(st.none(), st.sampled_from([IDS[0], IDS[0][:17], "B" * 63, "19491231", ""]), _edge_value()))
def test_fast_paths_mean_what_sql_says(xs: list[str | None], y: str | None, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    suite = _suite()
    assert not kernel.compile_suite(suite).sql_checks
    # y also as one of x's own values: equality of the same bytes at different addresses
    table = pa.table({"x": pa.array(xs, pa.string()), "y": pa.array([y if i % 2 else xs[0] for i in range(len(xs))],
                                                                     pa.string())})
    monkeypatch.setenv("GOVSTD_KERNEL", "1")
    native = count_xy(table, suite, tmp_path)
    monkeypatch.setenv("GOVSTD_KERNEL", "0")
    assert native == count_xy(table, suite, tmp_path)


BASES = [IDS[0], IDS[1], IDS[0][:17], IDS[4], "19491231", "20000229", "A" * 62, "B" * 63, "C" * 64, "无", ""]
ENDS = ["", " ", "\u3000", "é", "\t"]


def _edges() -> list[str | None]:
    """Every base with each position changed to each edge character, and between every pair of ends."""
    out: list[str | None] = [None, ""]
    for base in BASES:
        out += [base[:i] + c + base[i + 1:] for i in range(len(base)) for c in ("/", ":", "é", " ", "X")]
        out += [a + base + b for a in ENDS for b in [*ENDS, "X", "\u0301", "Ｘ"]]
    return out


def test_every_edge_means_what_sql_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """All the edges at once (the test above draws some): the same counts, and each check both holds and fails."""
    suite = _suite()
    xs = _edges()
    table = pa.table({"x": pa.array(xs, pa.string()),
                      "y": pa.array([IDS[0] if i % 3 else "19491231" for i in range(len(xs))], pa.string())})
    monkeypatch.setenv("GOVSTD_KERNEL", "1")
    native = count_xy(table, suite, tmp_path)
    monkeypatch.setenv("GOVSTD_KERNEL", "0")
    assert native == count_xy(table, suite, tmp_path)
    for rule, (evaluated, failed) in native.items():
        assert rule == "__rows" or 0 < failed < evaluated, rule


# --------------------------------------------------------------------------- pattern shapes as word templates

# Lengths 8 to 32 where the ten digits or a single byte stand at most positions (word templates) and other classes
# between: a 10-member class that is not the digits, the digits less one, the digits plus one, an odd length.
TEMPLATED = ["[A-J]{8}[0-9]{3}", "[0-8]{9}", "[0-9]{3}-[0-9X]{6}x[0-9]{2}", "1[3-9][0-9]{9}", "[0-9:]{8}",
             "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}", "[0-9]{17}[0-9X]", "[0-9]{32}", "a{15}"]


@pytest.fixture(scope="module")
def shaped() -> Any:
    from govstd.kernel.automata import compile_pattern

    lib = kernel.load()
    assert lib is not None
    k = kernel.Kernel(lib, kernel.Plan(automata=[compile_pattern(p) for p in TEMPLATED]))
    yield lambda d, v: (bool(lib.gk_match(k.handle, d, v, len(v), 1)), bool(lib.gk_match(k.handle, d, v, len(v), 0)))
    k.close()


def _member(pattern: str) -> str:
    """One string the pattern accepts: each class's first member, repeated."""
    return re.sub(r"\[(.)[^\]]*\]\{(\d+)\}|\[(.)[^\]]*\]|(.)\{(\d+)\}",
                  lambda m: m[1] * int(m[2]) if m[1] else m[3] if m[3] else m[4] * int(m[5]), pattern)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(d=st.integers(0, len(TEMPLATED) - 1), data=st.data())
def test_word_templates_match_as_the_walk_and_re(shaped: Any, d: int, data: st.DataObject) -> None:
    """A member with one byte changed to a byte just outside or inside a class (or anything): the templates'
    answer is the automaton walk's and Python's re's."""
    value = _member(TEMPLATED[d])
    assert re.fullmatch(TEMPLATED[d], value)
    i = data.draw(st.integers(0, len(value) - 1))
    c = data.draw(st.one_of(st.sampled_from(list("/:09@AJKXxa- \x00")), st.characters()))
    value = value[:i] + c + value[i + 1:]
    with_templates, walked = shaped(d, value.encode())
    assert with_templates == walked == (re.fullmatch(TEMPLATED[d], value, re.ASCII) is not None), value


# --------------------------------------------------------------------------- canonical dates and timestamps


@st.composite
def _moments(draw: Any) -> tuple[str, str]:
    """Two canonical timestamps (or dates) one field apart, either way: their order tells every field's value."""
    fields = [draw(st.integers(1, 9998)), draw(st.integers(0, 13)), draw(st.integers(0, 32)),
              draw(st.integers(0, 24)), draw(st.integers(0, 60)), draw(st.integers(0, 60))]
    other = list(fields)
    k = draw(st.integers(0, 5))
    other[k] = max(0, other[k] + draw(st.sampled_from([-1, 1])))

    def text(f: list[int]) -> str:
        return f"{f[0]:04d}-{f[1]:02d}-{f[2]:02d}" + (f" {f[3]:02d}:{f[4]:02d}:{f[5]:02d}" if k >= 3 else "")
    return text(fields), text(other)


def _sweep() -> list[tuple[str, str]]:
    """Every value of each field (a choice of years), beside the same moment with that field one more."""
    base = [2024, 2, 28, 12, 30, 30]
    out = []
    for k, values in enumerate([[1, 9, 10, 99, 100, 999, 1000, 1899, 1900, 1999, 2000, 2024, 9998, 9999],
                                range(14), range(33), range(25), range(61), range(61)]):
        for v in values:
            f = list(base)
            f[k] = v
            g = list(f)
            g[k] = v + 1 if k else min(v + 1, 9999)
            for a, b in ((f, g), (g, f), (f, f)):
                tail = f" {a[3]:02d}:{a[4]:02d}:{a[5]:02d}", f" {b[3]:02d}:{b[4]:02d}:{b[5]:02d}"
                date_a, date_b = f"{a[0]:04d}-{a[1]:02d}-{a[2]:02d}", f"{b[0]:04d}-{b[1]:02d}-{b[2]:02d}"
                out += [(date_a + tail[0], date_b + tail[1]), (date_a, date_b)]
    return out


def test_every_field_value_orders_as_sql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sweep is all canonical with years >= 1: the kernel answers every row itself (no parse doubt sends the
    checks to SQL), so the comparison below holds its parse to DuckDB's."""
    pairs = _sweep()
    lib = kernel.load()
    assert lib is not None
    suite = ir.CheckSuite(checks=[ir.RowCheck(rule_id="ts", rule="test", dimension=QualityDimension.ACCURACY,
                                              columns=["x"], description="ts",
                                              expect=ir.is_null(fn("to_timestamp", col("x"))))], tables=[])
    plan = kernel.compile_suite(suite)
    k = kernel.Kernel(lib, plan)
    try:
        counters = k.count(iter(pa.table({"x": pa.array([a for a, _ in pairs], pa.string())}).to_batches()))
    finally:
        k.close()
    assert counters[2] == 0
    _moments_alike(pairs, tmp_path, monkeypatch)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(_moments(), min_size=1, max_size=40))
def test_canonical_moments_order_as_sql(pairs: list[tuple[str, str]], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _moments_alike(pairs, tmp_path, monkeypatch)


def _moments_alike(pairs: list[tuple[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """to_timestamp / to_date read each field of the canonical layouts (two digits a byte, a word at a time) as
    DuckDB does: x and y one field apart compare alike on both paths."""
    x, y = col("x"), col("y")
    exprs: dict[str, ir.Expr] = {
        "ts_lt": ir.cmp(fn("to_timestamp", x), "<", fn("to_timestamp", y)),
        "ts_eq": ir.eq(fn("to_timestamp", x), fn("to_timestamp", y)),
        "ts_null": ir.is_null(fn("to_timestamp", x)),
        "date_lt": ir.cmp(fn("to_date", x), "<", fn("to_date", y)), "date_null": ir.is_null(fn("to_date", x)),
        # against constants too: a distortion that keeps the order (a year read as 101 × its first two digits …)
        "date_le": ir.cmp(fn("to_date", x), "<=", lit(dt.date(2024, 2, 28))),
        "year_ge": ir.cmp(fn("year", fn("to_date", x)), ">=", lit(2024)),
    }
    suite = ir.CheckSuite(checks=[
        ir.RowCheck(rule_id=name, rule="test", dimension=QualityDimension.ACCURACY, columns=["x"], description=name,
                    expect=e)
        for name, e in exprs.items()
    ], tables=[])
    table = pa.table({"x": pa.array([a for a, _ in pairs], pa.string()),
                      "y": pa.array([b for _, b in pairs], pa.string())})
    monkeypatch.setenv("GOVSTD_KERNEL", "1")
    native = count_xy(table, suite, tmp_path)
    monkeypatch.setenv("GOVSTD_KERNEL", "0")
    assert native == count_xy(table, suite, tmp_path)


def test_year_zero_is_left_to_duckdb() -> None:
    """Year 0000 (DuckDB reads 1 BC) is a parse doubt, whatever the month and day; year 0001 is parsed."""
    lib = kernel.load()
    assert lib is not None
    x = col("x")
    check = ir.RowCheck(rule_id="ts", rule="test", dimension=QualityDimension.ACCURACY, columns=["x"],
                        description="ts", expect=ir.is_null(fn("to_timestamp", x)))
    suite = ir.CheckSuite(checks=[check], tables=[])
    plan = kernel.compile_suite(suite)
    for value, doubts in (("0000-01-01 00:00:00", 1), ("0000-12-31", 1), ("0000-00-00", 1), ("0001-01-01", 0),
                          ("1000-01-01 00:00:00", 0)):
        k = kernel.Kernel(lib, plan, cache=False)
        try:
            counters = k.count(iter(pa.table({"x": pa.array([value], pa.string())}).to_batches()))
        finally:
            k.close()
        assert counters[2] == doubts, value


# --------------------------------------------------------------------------- key fingerprints


def _alnum_print(key: str) -> tuple[int, int]:
    """FP_ALNUM as _kernel.c documents it: 6 bits a character, characters 0..9 in lo, 10.. in hi, length at 54."""
    d = [int(c, 36) for c in key]
    lo = sum(v << (6 * i) for i, v in enumerate(d[:10]))
    hi = 2 << 60 | len(key) << 54 | sum(v << (6 * i) for i, v in enumerate(d[10:]))
    return hi, lo


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789", min_size=16, max_size=16), st.text(alphabet="09AXZ", max_size=3),
       st.integers(0, 15), st.sampled_from("09AXZ"))
def test_alnum_fingerprint_layout(digits: str, tail: str, i: int, c: str) -> None:
    """16 digits first take two words at once; one of them changed to a letter, the character loop: both give the
    documented layout."""
    lib = kernel.load()
    assert lib is not None
    for key in (digits + tail, digits[:i] + c + digits[i + 1:] + tail):
        assert kernel.fingerprint(lib, key) == _alnum_print(key), key


# --------------------------------------------------------------------------- region prefix

@st.composite
def _prefix_pair(draw: Any) -> tuple[str, str]:
    """A region code (six ASCII digits mostly, or other lengths, or six bytes holding a non-ASCII character) and an
    ID prefix equal to it or one character apart."""
    code = draw(st.one_of(st.text(alphabet="0159", min_size=6, max_size=6), st.text(alphabet="0159é ", min_size=4,
                                                                                     max_size=7)))
    prefix = code
    if draw(st.booleans()) and code:
        i = draw(st.integers(0, len(code) - 1))
        prefix = code[:i] + draw(st.sampled_from("019é")) + code[i + 1:]
    return prefix, code


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(_prefix_pair(), min_size=1, max_size=40))
def test_region_prefix_means_what_sql_says(pairs: list[tuple[str, str]], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Six ASCII bytes each take word tests (a province "xx0000", a city "xxxx00", else the whole code); other
    lengths and non-ASCII codes the code-point path: both as the SQL path counts."""
    suite = ir.CheckSuite(checks=[ir.RowCheck(rule_id="prefix", rule="test", dimension=QualityDimension.ACCURACY,
                                              columns=["x"], description="prefix",
                                              expect=fn("region_prefix_match", col("x"), col("y")))], tables=[])
    # the region as it is and made province / city level: every branch, with prefixes agreeing or not
    xs, ys = [], []
    # six bytes holding a non-ASCII character: bytes 2..5 of "é0000" are "0000", its code points 3..6 are not
    edges = [("é1234", "é0000"), ("1é000", "1é000"), ("11é00", "110000"), ("11é00", "11é00"), ("110105", "110100")]
    for a, b in [*pairs, *edges]:
        xs += [a, a, a]
        ys += [b, b[:2] + "0000", b[:4] + "00"]
    table = pa.table({"x": pa.array(xs, pa.string()), "y": pa.array(ys, pa.string())})
    monkeypatch.setenv("GOVSTD_KERNEL", "1")
    native = count_xy(table, suite, tmp_path)
    monkeypatch.setenv("GOVSTD_KERNEL", "0")
    assert native == count_xy(table, suite, tmp_path)
