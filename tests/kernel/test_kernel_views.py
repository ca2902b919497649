"""Whole-chunk views: a node whose values on a whole chunk (512 rows) are its operand's is not copied.

TRIM that trims nothing on any row of a chunk, and IF_ELSE taking one branch on every row, point at their
operand's values instead of writing their own (csrc/interpreter.c, ``memo_at``). The view is only taken on a
full chunk of clean values, so these tables are long (one to three chunks and a tail) and mostly clean, with a
few messy values (blanks, NULLs, white space at an end, full-width digits, odd dates and times, wrong lengths)
dropped at drawn rows: a chunk then takes the view or the copying path depending on where they fall. Every check
reads both columns, so none is counted per value by the value cache (which evaluates only a chunk's misses).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kernel_testlib import DATES, IDS, TODAY, count_xy

from govstd import kernel
from govstd.standards.models import QualityDimension
from govstd.validators import ir
from govstd.validators.ir import col, fn, lit

CLEAN = ["2024-01-31 10:20:30", "2025-06-01 00:00:00", "2024-02-29 23:59:59", "1949-12-31", IDS[0], IDS[1], "12.5"]
MESSY = [None, "", " ", "\u3000", " 2024-01-31 10:20:30", "2024-01-31 10:20:30\u3000", "２０２４-01-31", IDS[0][:17],
         IDS[0] + "\u00a0", "\t" + IDS[1], "11010519491231002x", "1101-0519491231002X", "2024-02-30 10:00:00",
         "2024-01-31 24:00:00", "张三", "é", *DATES[:12]]


def _suite() -> ir.CheckSuite:
    x, y = col("x"), col("y")
    t = fn("trim", x)
    pick = ir.if_else(fn("matches", x, pattern="[0-9]{17}[0-9X]"), x, fn("normalize_code", x))
    exprs: dict[str, ir.Expr] = {
        "trimmed": ir.eq(x, t), "trim_trim": ir.eq(fn("trim", t), y), "in_trim": ir.in_values(t, CLEAN[:3]),
        "ts": ir.cmp(fn("to_timestamp", t), ">=", fn("to_timestamp", fn("trim", y))),
        "date": ir.cmp(fn("to_date", t), "<=", lit(TODAY)), "len": ir.cmp(fn("length", t), "<=", lit(18)),
        "pick_len": ir.eq(fn("length", pick), lit(18)), "pick_mod": fn("mod11_2_ok", pick),
        "pick_eq": ir.eq(pick, y), "pick_born": ir.cmp(fn("id_birth_date", pick), ">=", lit(TODAY.replace(1950))),
    }
    return ir.CheckSuite(checks=[
        ir.RowCheck(rule_id=name, rule="test", dimension=QualityDimension.ACCURACY, columns=["x", "y"],
                    description=name, expect=e, applies=ir.not_(ir.is_null(y)))
        for name, e in exprs.items()
    ], tables=[])


@st.composite
def _column(draw: Any) -> list[str | None]:
    """One clean value per chunk-long run (so a chunk may be all clean), then a few messy values at drawn rows."""
    n = draw(st.integers(512, 3 * 512 + 40))
    runs = draw(st.lists(st.sampled_from(CLEAN), min_size=4, max_size=4))
    values: list[str | None] = [runs[i * 4 // n] for i in range(n)]
    for _ in range(draw(st.integers(0, 4))):
        values[draw(st.integers(0, n - 1))] = draw(st.sampled_from(MESSY))
    return values


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                 HealthCheck.function_scoped_fixture])
@given(xs=_column(), y=st.sampled_from([*CLEAN, *MESSY[1:6], None]))
def test_whole_chunk_views_count_as_sql(xs: list[str | None], y: str | None, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    suite = _suite()
    plan = kernel.compile_suite(suite)
    assert not plan.sql_checks and not plan.groups  # every check in the interpreter, none per value
    # y the same on every row, so ``applies`` selects every row or none: a partial selection never takes the view
    table = pa.table({"x": pa.array(xs, pa.string()), "y": pa.array([y] * len(xs), pa.string())})
    monkeypatch.setenv("GOVSTD_KERNEL", "1")
    native = count_xy(table, suite, tmp_path)
    monkeypatch.setenv("GOVSTD_KERNEL", "0")
    assert native == count_xy(table, suite, tmp_path)
