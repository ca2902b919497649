"""Uniqueness groups counted in C from key fingerprints (``_fpcount.c``, ``kernel.KeyCounter``) give the SQL
path's numbers, in memory and when spilled to disk, and a spill that cannot be written is a clear error.

The counter's four numbers (rows, distinct keys, keys held by more than one row, rows holding them) are held
to ``collections.Counter`` over the same fingerprints, and through the engine to ``GOVSTD_KERNEL=0`` (every
key grouped as text in SQL). A tiny budget forces the spill file and the second level of partitions.
"""

from __future__ import annotations

import collections
import random
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kernel_testlib import make_id

from govstd import kernel
from govstd.errors import GovstdError
from govstd.standards.models import QualityDimension
from govstd.validators import ir
from govstd.validators.engines import duckdb as duckdb_engine
from govstd.validators.engines import duckdb_native
from govstd.validators.engines.base import SourceOptions
from govstd.validators.ir import col, fn, lit

MASK = 2**64 - 1


def _lib() -> Any:
    lib = kernel.load()
    assert lib is not None
    return lib


def _batch(prints: list[tuple[int, int]]) -> pa.RecordBatch:
    return pa.record_batch([pa.array([h for h, _ in prints], pa.uint64()), pa.array([lo for _, lo in prints],
                                                                                     pa.uint64())], names=["hi", "lo"])


def _count(prints: list[tuple[int, int]], budget: int, folder: Path, single: bool = True,
           batch: int = 4096) -> tuple[tuple[int, int, int, int], int]:
    """The counter's numbers over ``prints`` fed in batches of ``batch``, and how often it spilled."""
    lib = _lib()
    counter = kernel.KeyCounter(lib, budget, str(folder))
    try:
        for start in range(0, len(prints), batch):
            counter.add(_batch(prints[start:start + batch]))
        return counter.result(lib.gk_key_null_hi(), single), counter.spills()
    finally:
        counter.close()


def _oracle(prints: list[tuple[int, int]], single: bool = True) -> tuple[int, int, int, int]:
    groups = collections.Counter(prints)
    null = (_lib().gk_key_null_hi(), 0)
    distinct = len(groups) - int(single and null in groups)
    return (len(prints), distinct, sum(n > 1 for n in groups.values()), sum(n for n in groups.values() if n > 1))


def _fingerprints(draw: Any, n: int) -> list[tuple[int, int]]:
    """``n`` fingerprints with many repeats: the kernel's own (short, 18-character, hashed, NULL) and words of
    any bits (hi 0 included: the counter assumes nothing of a fingerprint's bits)."""
    lib = _lib()
    texts = st.one_of(st.none(), st.text(max_size=24), st.sampled_from([make_id("110105", "19491231", s)
                                                                        for s in (2, 17, 30)]))
    pool = [kernel.fingerprint(lib, t) for t in draw(st.lists(texts, min_size=1, max_size=20))]
    pool += draw(st.lists(st.tuples(st.integers(0, MASK), st.integers(0, MASK)), max_size=5))
    rng = random.Random(draw(st.integers(0, 2**32)))
    fresh = draw(st.floats(0, 1))  # the share of rows with a key of their own
    return [(rng.getrandbits(64), rng.getrandbits(64)) if rng.random() < fresh else rng.choice(pool)
            for _ in range(n)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), n=st.sampled_from([0, 1, 7, 300, 20_000]), single=st.booleans(),
       budget=st.sampled_from([0, 2**30]), batch=st.sampled_from([1, 333, 4096]))
def test_counter_counts_as_a_python_counter(data: st.DataObject, n: int, single: bool, budget: int, batch: int,
                                            tmp_path: Path) -> None:
    """In memory (1 GiB) or spilling (a budget of 0: the floor, ~280 KB, half of it for chunks), in batches of
    any size."""
    prints = _fingerprints(data.draw, n)
    counted, spills = _count(prints, budget, tmp_path, single, batch if n < 20_000 else 4096)
    assert counted == _oracle(prints, single)
    assert (spills > 0) == (budget == 0 and n == 20_000)  # 320 KB of fingerprints: over the floor's half only
    assert list(tmp_path.iterdir()) == []


def test_a_partition_too_large_for_the_budget_is_partitioned_again(tmp_path: Path) -> None:
    """1.6 M distinct keys under the floor budget (~280 KB): a first-level partition's ~6,250 distinct keys need
    a 16,384-slot table (384 KB), over the budget, so most are counted one level down. The keys are random
    128-bit words (no two equal but by a 2^-90 chance): the numbers are known without an oracle."""
    rng = random.Random(7)
    distinct = 1_600_000
    prints = [(rng.getrandbits(64), rng.getrandbits(64)) for _ in range(distinct)]
    prints += prints[:1000] + [(_lib().gk_key_null_hi(), 0)] * 3
    lib = _lib()
    counter = kernel.KeyCounter(lib, 0, str(tmp_path))
    try:
        for start in range(0, len(prints), 65_536):
            counter.add(_batch(prints[start:start + 65_536]))
        # rows; distinct keys (the NULL group is not one); 1,000 keys twice and the NULL group thrice
        assert counter.result(lib.gk_key_null_hi(), True) == (distinct + 1003, distinct, 1001, 2003)
        assert counter.levels() == 2 and counter.spills() > 0
    finally:
        counter.close()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["a file", "missing"])
def test_an_unwritable_spill_folder_is_a_clear_error(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "spill"
    if kind == "a file":
        folder.write_text("not a folder")
    lib = _lib()
    counter = kernel.KeyCounter(lib, 0, str(folder))
    try:
        prints = [(i, i) for i in range(1, 20_000)]
        with pytest.raises(GovstdError, match=r"cannot spill the uniqueness keys to .*spill: (Not a directory|No "
                                              r"such file)") as caught:
            for start in range(0, len(prints), 4096):
                counter.add(_batch(prints[start:start + 4096]))
        assert caught.value.hint is not None and "--temp-directory" in caught.value.hint
        with pytest.raises(GovstdError, match="cannot spill"):  # the failure stays: never a partial count
            counter.result(lib.gk_key_null_hi(), True)
    finally:
        counter.close()


# ---- through the engine: the same verdicts as the SQL path


def _unique(rule_id: str, key: list[ir.Expr], present: ir.Expr) -> ir.UniqueCheck:
    return ir.UniqueCheck(rule_id=rule_id, rule="unique", dimension=QualityDimension.ACCURACY, columns=["x"],
                          description=rule_id, key=key, present=present)


SUITE = ir.CheckSuite(checks=[
    _unique("norm", [fn("normalize_code", col("x"))], ir.not_(fn("is_blank", col("x")))),
    _unique("raw", [col("x")], lit(True)),  # NULL keys: the single key's NULL group
    _unique("pair", [fn("trim", col("x")), col("y")], lit(True)),  # several parts: hashed
], tables=[])


def _run(table: pa.Table, tmp: Path, samples: int, spill: Path | None = None) -> dict[str, Any]:
    options = SourceOptions(expected_columns=["x", "y"], text_columns=["x", "y"], workdir=tmp, threads=2,
                            temp_directory=str(spill) if spill else None)
    with duckdb_engine.open_data(table, options) as opened:
        rows, results = opened.engine({"x": "x", "y": "y"}).run(SUITE, masking={}, sample_size=samples)
    return {r.rule_id: r.model_dump() for r in results} | {"__rows": rows}


def _table(draw: Any, n: int) -> pa.Table:
    pool = draw(st.lists(st.one_of(st.none(), st.sampled_from(["", " ", "x", "１１０"]), st.text(max_size=20),
                                   st.sampled_from([make_id("110105", "19491231", s) for s in (2, 17)])),
                         min_size=1, max_size=30))
    rng = random.Random(draw(st.integers(0, 2**32)))
    fresh = draw(st.floats(0, 0.9))
    xs = [f"{i:018d}" if rng.random() < fresh else rng.choice(pool) for i in range(n)]
    ys = [rng.choice([None, "1", "2", " 1"]) for _ in range(n)]
    return pa.table({"x": pa.array(xs, pa.string()), "y": pa.array(ys, pa.string())})


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(data=st.data(), samples=st.sampled_from([0, 3]))
def test_spilled_keys_count_as_sql_does(data: st.DataObject, samples: int, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """12,000 rows of keys with many repeats and NULLs, each key's counter at the floor budget: every counter
    spills into --temp-directory, the verdicts (counts, duplicate details, samples) are the SQL path's, and
    the folder is empty afterwards."""
    table = _table(data.draw, 12_000)
    monkeypatch.setattr(duckdb_native, "_KEYS_BUDGET", 0)
    spilled: list[int] = []
    close = kernel.KeyCounter.close

    def recording(self: kernel.KeyCounter) -> None:
        if self._handle:
            spilled.append(self.spills())
        close(self)

    monkeypatch.setattr(kernel.KeyCounter, "close", recording)
    spill = tmp_path / "spill"
    monkeypatch.setenv("GOVSTD_KERNEL", "1")
    native = _run(table, tmp_path, samples, spill)
    assert len(spilled) == 3 and spilled[1] and spilled[2]  # "raw" and "pair" hold every row: 192 KB each
    assert list(spill.iterdir()) == []
    monkeypatch.setenv("GOVSTD_KERNEL", "0")
    assert native == _run(table, tmp_path, samples)


def test_an_unwritable_temp_directory_fails_the_run_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The spill folder (--temp-directory) turned into a file after DuckDB opened: the run stops with the
    engine's resource error naming the folder, not a traceback or a wrong count."""
    monkeypatch.setattr(duckdb_native, "_KEYS_BUDGET", 0)
    monkeypatch.setenv("GOVSTD_KERNEL", "1")
    spill = tmp_path / "spill"
    table = pa.table({"x": pa.array([f"{i:018d}" for i in range(20_000)]), "y": pa.array(["1"] * 20_000)})
    options = SourceOptions(expected_columns=["x", "y"], text_columns=["x", "y"], workdir=tmp_path,
                            temp_directory=str(spill))
    with duckdb_engine.open_data(table, options) as opened:
        spill.rmdir()
        spill.write_text("in the way")
        engine = opened.engine({"x": "x", "y": "y"})
        with pytest.raises(GovstdError, match=f"cannot spill the uniqueness keys to {spill}: Not a directory"):
            engine.run(SUITE, masking={}, sample_size=0)
