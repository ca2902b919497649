"""The kernel's per-value result cache changes no count: cache on and off give the same counters.

_kernel.c counts the checks reading one column once per distinct value of that column (``Plan.groups``) and
switches the cache off for near-unique columns. These tests run the same plans over the same Arrow batches with
the cache on and off — repeated messy values, near-unique values, a table that fills and is cleared, batches of
several chunks, one and two threads — and compare every counter. The doubt counters (counters[1], [2]) are
"any doubt" flags to the engine (it recounts the affected checks in SQL), so only their zero/non-zero-ness
must agree. The kernel vs SQL parity tests (test_kernel_parity) run with the cache on, the default.
"""

from __future__ import annotations

import random
from typing import Any

import kernel_testlib as lib  # the messy-value generators and test suites of the parity tests
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govstd import kernel
from govstd.validators import ir
from govstd.validators.derive import derive, service_item_codes_from


def _suite(name: str) -> ir.CheckSuite:
    if name == "functions":
        return lib.function_suite()
    if name == "parse":
        return lib.parse_suite()
    return derive(lib.SCHEMAS[name], today=lib.TODAY, service_items=service_item_codes_from(lib.ITEMS)).suite


def _count(plan: kernel.Plan, table: pa.Table, cache: bool, batch: int, threads: int) -> tuple[list[int], Any]:
    lib = kernel.load()
    assert lib is not None
    k = kernel.Kernel(lib, plan, cache=cache)
    try:
        counters = k.count(iter(table.select(plan.columns).to_batches(batch)), threads=threads)
        return counters, k.cache_on()
    finally:
        k.close()


def _comparable(counters: list[int]) -> list[int]:
    """The counters with the two doubt counters as flags (their size depends on how often a value is evaluated)."""
    return [counters[0], int(counters[1] > 0), int(counters[2] > 0), *counters[3:]]


def _assert_alike(plan: kernel.Plan, table: pa.Table, batch: int, threads: int) -> list[list[bool]]:
    assert plan.groups, "no check reads a single column: the cache would not be exercised"
    cached, on = _count(plan, table, True, batch, threads)
    uncached, off = _count(plan, table, False, batch, threads)
    assert off == [[] for _ in off]  # no groups handed to C: the plain interpreter
    assert cached[0] == uncached[0] == table.num_rows
    assert _comparable(cached) == _comparable(uncached)
    assert len(on) in (1, 2) if threads == 2 else len(on) == 1
    return on  # per context, per group: whether its cache stayed on


def _repeated(pools: dict[str, list[Any]], rows: int, rnd: random.Random) -> pa.Table:
    return pa.table({name: pa.array([pool[rnd.randrange(len(pool))] for _ in range(rows)], pa.string())
                     for name, pool in pools.items()})


def _function_pools(draw: Any, k: int) -> dict[str, list[Any]]:
    xs = st.one_of(lib.messy(lib.IDS + lib.USCCS + lib.PHONES + lib.REGION_CODES),
                   st.text(max_size=20), st.sampled_from(lib.DATES + lib.NUMBERS))
    ys = st.sampled_from([None, "1", "110000", "110105", "11010519491231002X", "2024-01-31 10:20:30", "19491231"])
    return {"x": draw(st.lists(xs, min_size=1, max_size=k)), "y": draw(st.lists(ys, min_size=1, max_size=3))}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_repeated_messy_values_count_alike_with_and_without_the_cache(data: st.DataObject) -> None:
    """Few distinct messy values (the cache's case: every group stays on), many rows: more than one chunk
    (512 rows) and more than one batch, on one and two threads; checksum and parse doubts included."""
    name = data.draw(st.sampled_from(["default", "options", "functions", "parse"]))
    k = data.draw(st.integers(1, 8))
    pools = _function_pools(data.draw, k) if name in ("functions", "parse") else lib.messy_rows(data.draw, k)
    rnd = data.draw(st.randoms(use_true_random=False))
    table = _repeated(pools, data.draw(st.integers(513, 1500)), rnd)
    plan = kernel.compile_suite(_suite(name))
    on = _assert_alike(plan, table, batch=data.draw(st.sampled_from([100, 256, 700])),
                       threads=data.draw(st.sampled_from([1, 2])))
    assert all(all(groups) for groups in on)  # under a window of rows: never judged, never switched off


def _near_unique(rows: int) -> dict[str, list[str | None]]:
    """Each row its own ID number, phone, name, amount and time; sex from two values."""
    return {
        "name": [f"张{i}" for i in range(rows)],
        "id_number": [lib.make_id("110105", f"19{50 + i // 1000}0101", i % 1000) if i % 7 else f"1101051950010{i:05d}"
                      for i in range(rows)],
        "sex": ["1" if i % 2 else "2" for i in range(rows)],
        "phone": [f"138{i:08d}" for i in range(rows)],
        "amount": [f"{i}.{i % 100:02d}" for i in range(rows)],
        "accept_time": [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:{i // 60 % 60:02d}"
                        for i in range(rows)],
    }


@pytest.mark.parametrize("threads", [1, 2])
def test_near_unique_columns_switch_the_cache_off_and_count_alike(threads: int) -> None:
    """ID numbers, phones, names and times that never repeat: after a window of rows their groups' caches are
    switched off (the checks run row by row from the next chunk on); sex, with two values, keeps its cache."""
    rows = 9000
    columns = _near_unique(rows)
    table = pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})
    suite = _suite("default")
    plan = kernel.compile_suite(ir.CheckSuite(
        checks=[c for c in suite.checks if isinstance(c, ir.RowCheck) and set(c.columns) <= set(columns)],
        tables=suite.tables))
    on = _assert_alike(plan, table, batch=3000, threads=threads)
    names = {plan.columns[column]: g for g, (column, _) in enumerate(plan.groups)}
    assert {"id_number", "phone", "sex"} <= set(names)
    for groups in on:
        if len(on) == 1 or any(not x for x in groups):  # a second context may have seen too few rows to judge
            assert not groups[names["id_number"]] and not groups[names["phone"]]
        assert groups[names["sex"]]


def test_unguarded_near_unique_values_with_doubts_count_alike() -> None:
    """Every function of the parity suite on near-unique messy values (checksum and parse doubts among them):
    the groups switch off in the second window (mid-batch), and the doubt flags still agree."""
    rnd = random.Random(7)
    bases = lib.IDS + lib.USCCS + lib.PHONES + lib.DATES + lib.NUMBERS
    xs = [f"{rnd.choice(bases)}{i}" if i % 3 else rnd.choice(bases) for i in range(12000)]
    table = pa.table({"x": pa.array(xs, pa.string()), "y": pa.array(["110105"] * len(xs), pa.string())})
    for name in ("functions", "parse"):
        plan = kernel.compile_suite(_suite(name))
        on = _assert_alike(plan, table, batch=5000, threads=1)
        assert on == [[False] * len(plan.groups)]  # 2/3 new values: judged in the second window
        cached, _ = _count(plan, table, True, 5000, 1)
        assert cached[1] or cached[2]  # the data does raise doubts: the flags are compared, not two zeros


def test_a_full_table_is_counted_and_cleared() -> None:
    """10,000 distinct values, each five times in a row: a fifth of each window misses (the cache stays on),
    and the table fills (8,192 entries) and is cleared mid-batch; the counts do not change."""
    xs = [f"{i // 5:06d}" if i // 5 % 3 else f"１１０１０５{i // 5}" for i in range(50000)]
    table = pa.table({"x": pa.array(xs, pa.string()), "y": pa.array(["110105"] * len(xs), pa.string())})
    plan = kernel.compile_suite(_suite("functions"))
    on = _assert_alike(plan, table, batch=65536, threads=1)
    assert on == [[True] * len(plan.groups)]


def _lookalikes(base: str, rnd: random.Random) -> list[str]:
    """Values the table's inline keys must keep apart: ``base`` cut to every length around the 7/8 and 16/17-byte
    boundaries (a short value is its own key; a longer one is keyed by its first and last eight bytes), with a
    NUL byte appended, and with one middle byte changed (outside the first and last eight bytes of a long one)."""
    out = [base[:n] for n in range(0, min(len(base), 20) + 1)]
    out += [v + "\x00" for v in out[:18]]
    for v in list(out):
        if len(v) >= 3:
            i = len(v) // 2
            out.append(v[:i] + rnd.choice("0123456789Xx１ ") + v[i + 1:])
    return out


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(base=st.one_of(st.sampled_from(lib.IDS + lib.USCCS + lib.PHONES + lib.ITEMS_CODES + lib.DATES),
                      lib.messy(lib.IDS + lib.USCCS + lib.PHONES + lib.REGION_CODES)),
       rnd=st.randoms(use_true_random=False), nulls=st.booleans())
def test_values_alike_in_their_first_and_last_bytes_count_alike(base: str | None, rnd: random.Random,
                                                                 nulls: bool) -> None:
    """Values equal in length and in their first and last eight bytes but not in between, or equal but for a
    trailing NUL, or the empty string and NULL: the per-value table must keep each apart (every check of the
    function suite, checksums, dates and numbers among them, against the plain interpreter)."""
    pool: list[str | None] = _lookalikes(base or "11010519491231002X", rnd)
    if nulls:
        pool.append(None)
    xs = [pool[rnd.randrange(len(pool))] for _ in range(3000)]
    table = pa.table({"x": pa.array(xs, pa.string()), "y": pa.array(["110105"] * len(xs), pa.string())})
    for name in ("functions", "parse"):
        plan = kernel.compile_suite(_suite(name))
        on = _assert_alike(plan, table, batch=1100, threads=1)
        assert on == [[True] * len(plan.groups)]  # few distinct values: the table counted every row
