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
from kernel_testlib import IDS, TODAY

from govstd import kernel
from govstd.standards.models import QualityDimension
from govstd.validators import ir
from govstd.validators.engines import duckdb as duckdb_engine
from govstd.validators.engines.base import SourceOptions
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


def _count(table: pa.Table, suite: ir.CheckSuite, tmp: Path) -> dict[str, tuple[int, int]]:
    options = SourceOptions(expected_columns=["x", "y"], text_columns=["x", "y"], workdir=tmp)
    with duckdb_engine.open_data(table, options) as opened:
        rows, results = opened.engine({"x": "x", "y": "y"}).run(suite, masking={}, sample_size=0)
    return {r.rule_id: (r.evaluated, r.failed) for r in results} | {"__rows": (rows, 0)}


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
    native = _count(table, suite, tmp_path)
    monkeypatch.setenv("GOVSTD_KERNEL", "0")
    assert native == _count(table, suite, tmp_path)


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
    native = _count(table, suite, tmp_path)
    monkeypatch.setenv("GOVSTD_KERNEL", "0")
    assert native == _count(table, suite, tmp_path)
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
