"""Uniqueness keys counted from the native kernel's fingerprints give the SQL path's counts exactly.

The kernel writes a 128-bit fingerprint of each present row's key (``kernel/csrc/keys.c``, "key fingerprints") and
the DuckDB engine groups those instead of the key strings. Equal keys must group together and different
ones apart, across batch boundaries and threads, with a single key's NULL a group but not a distinct key;
``GOVSTD_KERNEL=0`` (every key grouped as text in SQL) is the oracle. The exact encodings (short keys,
18-character identifiers) are checked to be one-to-one directly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kernel_testlib import make_id

from govstd import kernel
from govstd.standards.models import QualityDimension
from govstd.validators import ir
from govstd.validators.engines import duckdb as duckdb_engine
from govstd.validators.engines import duckdb_native
from govstd.validators.engines.base import SourceOptions
from govstd.validators.ir import col, fn, lit


def _id(seq: int) -> str:
    return make_id("110105", "19491231", seq)


ID18 = [_id(s) for s in (2, 17, 30, 101)]
ID15 = ["110105491231002", "510104000229017"]
LONG = ["张三李四王五赵六" * 3, "张三李四王五赵六" * 3 + "七", "éééééééé", "110105194912310020X", "a" * 40]


def _key_value(draw: Any) -> str | None:
    """A key as exported: an ID (18 or 15 digits) with messy damage, a blank, NULL or a long non-ASCII text."""
    kind = draw(st.sampled_from(["id", "id", "id", "blank", "null", "long", "text"]))
    if kind == "null":
        return None
    if kind == "blank":
        return draw(st.sampled_from(["", " ", "\u3000", "\t"]))
    if kind == "long":
        return draw(st.sampled_from(LONG))
    if kind == "text":
        return draw(st.text(max_size=20))
    value: str = draw(st.sampled_from(ID18 + ID15))
    for damage in draw(st.lists(st.sampled_from(["space", "fullwidth", "lower", "pad"]), max_size=2)):
        if damage == "space":
            i = draw(st.integers(0, len(value)))
            value = value[:i] + draw(st.sampled_from([" ", "\u3000", "\u00a0"])) + value[i:]
        elif damage == "fullwidth":
            value = "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" else c for c in value)
        elif damage == "lower":
            value = value.lower()
        else:
            value = f" {value} "
    return value


def _unique(rule_id: str, key: list[ir.Expr], present: ir.Expr) -> ir.UniqueCheck:
    return ir.UniqueCheck(rule_id=rule_id, rule="unique", dimension=QualityDimension.ACCURACY, columns=["x"],
                          description=rule_id, key=key, present=present)


def _suite() -> ir.CheckSuite:
    x, y = col("x"), col("y")
    return ir.CheckSuite(checks=[
        # derive's shape: the normalised value, blanks left out
        _unique("norm", [fn("normalize_code", x)], ir.not_(fn("is_blank", x))),
        # every row, NULL keys included: the single key's NULL group
        _unique("raw", [x], lit(True)),
        _unique("trim", [fn("trim", x)], ir.not_(fn("has_dash", x))),
        # several parts (NULLs among them): hashed, every group a distinct key
        _unique("pair", [fn("trim", x), y], lit(True)),
        _unique("pair_norm", [fn("normalize_code", x), fn("trim", y)], ir.not_(fn("is_blank", x))),
    ], tables=[])


def _run(table: pa.Table, suite: ir.CheckSuite, tmp: Path) -> dict[str, Any]:
    options = SourceOptions(expected_columns=["x", "y"], text_columns=["x", "y"], workdir=tmp, threads=2)
    with duckdb_engine.open_data(table, options) as opened:
        rows, results = opened.engine({"x": "x", "y": "y"}).run(suite, masking={}, sample_size=2)
    # evaluated, failed, duplicate counts (details), the unmeasured reason and the samples: the whole verdict
    return {r.rule_id: r.model_dump() for r in results} | {"__rows": rows}


def _both(table: pa.Table, suite: ir.CheckSuite, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    plan = kernel.compile_suite(suite)
    assert [k.check.rule_id for k in plan.keys] == [c.rule_id for c in suite.checks] and not plan.sql_checks
    monkeypatch.setenv("GOVSTD_KERNEL", "1")
    native = _run(table, suite, tmp)
    monkeypatch.setenv("GOVSTD_KERNEL", "0")
    return native, _run(table, suite, tmp)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=st.data(), batch=st.sampled_from([3, 64, 65_536]))
def test_fingerprinted_keys_count_as_sql_does(data: st.DataObject, batch: int, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Messy keys in small engine batches (repeats fall in different batches, counted on two threads)."""
    monkeypatch.setattr(duckdb_native, "_KERNEL_BATCH_ROWS", batch)
    n = data.draw(st.integers(1, 60))
    xs = [_key_value(data.draw) for _ in range(n)]
    ys = data.draw(st.lists(st.sampled_from([None, "", "1", "2", " 1"]), min_size=n, max_size=n))
    table = pa.table({"x": pa.array(xs, pa.string()), "y": pa.array(ys, pa.string())})
    native, sql = _both(table, _suite(), tmp_path, monkeypatch)
    assert native == sql


def test_repeats_across_engine_batches_of_full_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """More rows than one engine batch (65,536): a key's first row in the first batch, its repeat in the second."""
    rows = 70_000
    base = ID18 + ID15 + LONG + [None, "", " ", "１１０１０５１９４９１２３１００２ｘ", "11010519491231002x"]
    xs = [base[i % len(base)] if i % 3 else f"{i:018d}" for i in range(rows)]
    xs[69_999] = xs[3]  # one more repeat, far from its first row
    table = pa.table({"x": pa.array(xs, pa.string()), "y": pa.array([str(i % 7) for i in range(rows)])})
    native, sql = _both(table, _suite(), tmp_path, monkeypatch)
    assert native == sql
    assert native["norm"]["failed"] > 0 and native["raw"]["details"]  # duplicates were found and counted


def test_keys_left_to_sql_when_the_kernel_cannot_fingerprint_them(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A key part that is not text (a date) stays on the SQL grouping, in the same run, with the same counts."""
    x = col("x")
    dated = _unique("dated", [fn("ymd_date", x)], lit(True))
    suite = ir.CheckSuite(checks=[dated, _unique("raw", [x], lit(True))], tables=[])
    plan = kernel.compile_suite(suite)
    assert [k.check.rule_id for k in plan.keys] == ["raw"] and "dated" in plan.sql_checks
    table = pa.table({"x": pa.array(["20240101", "20240101", None, "x", "20240230"]), "y": pa.array([None] * 5,
                                                                                                  pa.string())})
    monkeypatch.setenv("GOVSTD_KERNEL", "1")
    native = _run(table, suite, tmp_path)
    monkeypatch.setenv("GOVSTD_KERNEL", "0")
    assert native == _run(table, suite, tmp_path)
    # one date twice and three NULL dates: five rows, one distinct key (the NULL group is not one)
    assert (native["dated"]["evaluated"], native["dated"]["failed"]) == (5, 4)


_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
short = st.text(max_size=15).filter(lambda s: len(s.encode()) <= 15)
alnum = st.text(alphabet=_ALNUM, min_size=16, max_size=19)


@settings(max_examples=300, deadline=None)
@given(a=st.one_of(short, alnum, st.none()), b=st.one_of(short, alnum, st.none()))
def test_exact_encodings_are_one_to_one(a: str | None, b: str | None) -> None:
    """Two different short keys (or 16–19 characters of [0-9A-Z], or NULL) never share a fingerprint, and
    none has the hashed tag bit."""
    lib = kernel.load()
    assert lib is not None
    fa, fb = kernel.fingerprint(lib, a), kernel.fingerprint(lib, b)
    assert (fa == fb) == (a == b)
    assert fa[0] >> 63 == 0 and fb[0] >> 63 == 0


def test_exact_encodings_near_misses() -> None:
    """Keys one byte, one length or one encoding apart, and the NULL marker."""
    lib = kernel.load()
    assert lib is not None
    keys: list[str | None] = [None, "", "\x00", "0", "00", "A", "0" * 15, "0" * 16, "0" * 19, "0" * 20, "Z" * 19,
                              "Z" * 18 + "Y", "Z" * 18, "1" * 13 + "é", "1" * 14 + "é", "110105491231002",
                              ID18[1], "11010519491231002X", "11010519491231002x"]
    prints = [kernel.fingerprint(lib, k) for k in keys]
    assert len(set(prints)) == len(keys)
    assert prints[0] == (lib.gk_key_null_hi(), 0)
    hashed = {k for k, p in zip(keys, prints, strict=True) if p[0] >> 63}
    assert hashed == {"0" * 20, "1" * 14 + "é", "11010519491231002x"}  # over 19, or over 15 bytes not [0-9A-Z]
    assert kernel.fingerprint(lib, "0" * 20) == kernel.fingerprint(lib, "0" * 20)
