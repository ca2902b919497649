"""Duplicate samples from the kernel's pass are the SQL path's duplicate samples.

A fingerprinted key's first N rows repeating an earlier row's key are found while the kernel's pass streams
(``kernel.Repeats``: a set of the keys seen, fed in row order) — or, past the set's memory budget, from the
fingerprint table and one read of those rows (``DuckDBEngine._paired_samples``). ``GOVSTD_KERNEL=0`` (a window
over every key's rows) is the oracle: the same rows, first rows, lines, shown values and masking, with
repeats inside one batch and across batches (``_KERNEL_BATCH_ROWS`` lowered), on two threads, in CSV (lines
apart from rows where a cell spans lines) and Parquet (a typed shown column), with fewer and more than N.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kernel_testlib import make_id

import govstd
from govstd.standards.models import QualityDimension
from govstd.standards.numbers import gb11643
from govstd.validators import ir
from govstd.validators.compiler.duckdb import DuckDBDialect
from govstd.validators.engines import duckdb as duckdb_engine
from govstd.validators.engines import duckdb_native
from govstd.validators.engines.base import SourceOptions
from govstd.validators.ir import col, fn, lit

N = 3




def _id(seq: int) -> str:
    return make_id("110105", "19491231", seq)


#: Keys as exported: IDs with messy damage (spaces, full-width digits, lower case), blanks, long non-ASCII text.
KEYS = [_id(2), _id(17), " " + _id(2), _id(2).replace("1", "１"), "11010519491231002x", "11010519491231002X",
        "110105491231002", "", " ", "\u3000", "张三李四王五赵六" * 3, "éééééééé", "a" * 40, "x,y", 'q"uote']


def _unique(rule_id: str, key: list[ir.Expr], present: ir.Expr) -> ir.UniqueCheck:
    return ir.UniqueCheck(rule_id=rule_id, rule="unique", dimension=QualityDimension.ACCURACY, columns=["x"],
                          description=rule_id, key=key, present=present, sample_columns=["x", "d", "note"])


def _suite() -> ir.CheckSuite:
    x, y = col("x"), col("y")
    return ir.CheckSuite(checks=[
        _unique("norm", [fn("normalize_code", x)], ir.not_(fn("is_blank", x))),  # derive's shape
        _unique("raw", [x], lit(True)),  # every row: NULL keys repeat one another
        _unique("pair", [fn("trim", x), y], lit(True)),  # several parts: hashed fingerprints
    ], tables=[])


def _write(xs: Sequence[str | None], ys: Sequence[str | None], notes: Sequence[str], fmt: str, path: Path) -> Path:
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=i % 400) for i in range(len(xs))]
    if fmt == "csv":
        path = path.with_suffix(".csv")
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["x", "y", "d", "note"])
            writer.writerows(zip(xs, ys, days, notes, strict=True))
        return path
    path = path.with_suffix(".parquet")
    pq.write_table(pa.table({"x": pa.array(xs, pa.string()), "y": pa.array(ys, pa.string()), "d": pa.array(days),
                             "note": pa.array(notes, pa.string())}), path, row_group_size=50)
    return path


def _run(source: Path, suite: ir.CheckSuite, tmp: Path, setting: str, monkeypatch: pytest.MonkeyPatch,
         budget: int | None = None) -> tuple[dict[str, Any], dict[str, int]]:
    """Every check's whole verdict with ``GOVSTD_KERNEL=setting``, and how often each duplicate-sample path ran."""
    monkeypatch.setenv("GOVSTD_KERNEL", setting)
    monkeypatch.setattr(duckdb_native, "_SEEN_BUDGET", _BUDGET if budget is None else budget)
    ran = {"window": 0, "pairs": 0}
    window, pairs = _WINDOW, _PAIRS  # the originals: a second run's spies must not call the first's

    def spy_window(self: Any, *args: Any, **kwargs: Any) -> Any:
        ran["window"] += 1
        return window(self, *args, **kwargs)

    def spy_pairs(self: Any, *args: Any, **kwargs: Any) -> Any:
        ran["pairs"] += 1
        return pairs(self, *args, **kwargs)

    monkeypatch.setattr(DuckDBDialect, "duplicate_samples", spy_window)
    monkeypatch.setattr(duckdb_engine.DuckDBEngine, "_paired_samples", spy_pairs)
    options = SourceOptions(expected_columns=["x", "y", "d", "note"], text_columns=["x", "y", "note"], workdir=tmp,
                            threads=2)
    columns = {"x": "x", "y": "y", "d": "d", "note": "note"}
    with duckdb_engine.open_data(source, options) as opened:
        rows, results = opened.engine(columns).run(suite, masking={}, sample_size=N)
    return {r.rule_id: r.model_dump() for r in results} | {"__rows": rows}, ran


_BUDGET = duckdb_native._SEEN_BUDGET
_WINDOW, _PAIRS = DuckDBDialect.duplicate_samples, duckdb_engine.DuckDBEngine._paired_samples


def _expected(xs: list[str | None]) -> list[tuple[int, int]]:
    """(row, first row) of every row repeating an earlier row's raw key, in row order (1-based rows)."""
    first: dict[str | None, int] = {}
    out = []
    for i, x in enumerate(xs, start=1):
        if x in first:
            out.append((i, first[x]))
        else:
            first[x] = i
    return out


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=st.data(), fmt=st.sampled_from(["csv", "parquet"]), batch=st.sampled_from([3, 16, 65_536]),
       budget=st.sampled_from([None, 0, 2 * 32 * 1024 * 3]))
def test_duplicate_samples_are_the_sql_samples(data: st.DataObject, fmt: str, batch: int, budget: int | None,
                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Messy keys repeating within a batch and across batches; the set of keys seen kept, none (budget 0: the
    fingerprint table's path) or outgrown (a budget of twice the smallest set per key)."""
    monkeypatch.setattr(duckdb_native, "_KERNEL_BATCH_ROWS", batch)
    n = data.draw(st.integers(1, 80))
    fresh = data.draw(st.integers(0, 2000))  # unique keys first: with budget 2 × 32 KiB the set outgrows it
    xs: list[str | None] = [f"u{i}" for i in range(fresh)]
    xs += data.draw(st.lists(st.one_of(st.none(), st.sampled_from(KEYS)), min_size=n, max_size=n))
    ys = [data.draw(st.sampled_from([None, "1", " 1", "2"])) for _ in xs]
    notes = ["two\nlines" if i % 7 == 3 else "n" for i in range(len(xs))]
    source = _write(xs, ys, notes, fmt, tmp_path / "data")
    native, how = _run(source, _suite(), tmp_path, "1", monkeypatch, budget)
    sql, _ = _run(source, _suite(), tmp_path, "0", monkeypatch)
    assert native == sql
    assert how["window"] == 0  # no key went through the window over the data
    failing = sum(1 for k in ("norm", "raw", "pair") if native[k]["failed"])
    if budget is None:
        assert how["pairs"] == 0  # every key's repeats found in the kernel's pass
    elif budget == 0:
        assert how["pairs"] == failing  # no set at all: every failing key from its fingerprint table
    if fmt == "parquet":  # the raw key's repeats, found in Python
        pairs = [(s["row"], s["repeats_row"]) for s in native["raw"]["samples"]]
        assert pairs == _expected(xs)[:N]
        assert all(s["line"] == s["row"] and s["repeats_line"] == s["repeats_row"] for s in native["raw"]["samples"])


def test_fewer_and_more_repeats_than_n_across_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key repeated more than N times (its first row in the first batch, the repeats batches later) and one
    repeated once, in CSV whose lines run ahead of the rows (cells spanning lines)."""
    monkeypatch.setattr(duckdb_native, "_KERNEL_BATCH_ROWS", 16)
    xs: list[str | None] = [f"k{i}" for i in range(200)]
    for i in (50, 90, 130, 170, 199):
        xs[i] = "k3"  # k3 first at row 4: five repeats, in later batches
    xs[120] = "k7"  # once
    ys = ["1"] * len(xs)
    notes = ["a\nb\nc" if i % 10 == 0 else "" for i in range(len(xs))]
    source = _write(xs, ys, notes, "csv", tmp_path / "data")
    native, how = _run(source, _suite(), tmp_path, "1", monkeypatch)
    assert native == _run(source, _suite(), tmp_path, "0", monkeypatch)[0]
    assert how == {"window": 0, "pairs": 0}  # every key from the kernel's pass
    raw = native["raw"]
    assert raw["failed"] == 6 and [(s["row"], s["repeats_row"]) for s in raw["samples"]] == [(51, 4), (91, 4),
                                                                                           (121, 8)]
    # The header is line 1, and every tenth row (from row 1) holds two line breaks.
    line = {r: r + 1 + 2 * ((r - 1 + 9) // 10) for r in range(1, 201)}
    assert [(s["line"], s["repeats_line"]) for s in raw["samples"]] == [(line[51], line[4]), (line[91], line[4]),
                                                                       (line[121], line[8])]
    assert raw["samples"][0]["values"] == {"x": "k3", "d": "2024-02-20", "note": "a\nb\nc"}


def test_the_fingerprint_tables_path_past_the_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A set that would outgrow its budget is dropped: the repeats come from the fingerprint table, the values
    from one read of those rows — the same samples."""
    monkeypatch.setattr(duckdb_native, "_KERNEL_BATCH_ROWS", 64)
    xs: list[str | None] = [f"{i:018d}" for i in range(3000)]
    xs[2999], xs[2500], xs[10] = xs[5], xs[1], None
    source = _write(xs, ["1"] * len(xs), ["n"] * len(xs), "parquet", tmp_path / "data")
    native, how = _run(source, _suite(), tmp_path, "1", monkeypatch, budget=3 * 32 * 1024)
    assert how == {"window": 0, "pairs": 3}  # each key's set outgrew 1,024 slots (768 keys)
    assert native == _run(source, _suite(), tmp_path, "0", monkeypatch)[0]
    assert [(s["row"], s["repeats_row"]) for s in native["norm"]["samples"]] == [(2501, 2), (3000, 6)]


# --------------------------------------------------------------------------- through govstd.validate


def _records(rows: int) -> list[dict[str, Any]]:
    out = []
    for i in range(rows):
        born = dt.date(1950, 1, 1) + dt.timedelta(days=37 * i % 20000)
        first17 = f"510104{born:%Y%m%d}{i % 500 * 2 + 1:03d}"
        out.append({"name": "张三", "id_number": first17 + gb11643.calc_check_digit(first17), "sex": "1",
                    "ethnicity": "01", "region": "510104", "phone": "13800138000", "employer_uscc": None,
                    "birth_date": born.isoformat(), "amount": "12.50", "accept_time": "2025-01-02 03:04:05",
                    "finish_time": "2025-01-02 04:04:05", "service_item_code": "511A09001023",
                    "updated_at": "2025-06-01 08:00:00"})
    return out


def _no_window(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the key's repeats went to the windowed SQL query")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("show", [False, True])
def test_masked_duplicate_samples_through_validate(fmt: str, show: bool, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The schema's key (an ID number, masked unless shown): a repeat right after its first row across a batch
    boundary, one a thousand rows on, and repeats of a damaged ID the key normalises."""
    schema = Path(__file__).resolve().parents[1] / "validators" / "data" / "social_security_card.yaml"
    records = _records(1500)
    records[128] = dict(records[127])  # the first row the last of batch 1, the repeat the first of batch 2
    records[1200] = dict(records[3])
    records[1300]["id_number"] = " " + records[700]["id_number"].lower() + " "
    path = tmp_path / f"data.{fmt}"
    if fmt == "csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(records[0]))
            writer.writeheader()
            writer.writerows(records)
    else:
        pq.write_table(pa.table({k: [r[k] for r in records] for k in records[0]}), path, row_group_size=300)
    monkeypatch.setattr(duckdb_native, "_KERNEL_BATCH_ROWS", 128)

    def verdict(setting: str) -> dict[str, Any]:
        monkeypatch.setenv("GOVSTD_KERNEL", setting)
        if setting == "1":  # the kernel's pass finds the key's repeats: no window over the data
            monkeypatch.setattr(DuckDBDialect, "duplicate_samples", _no_window)
        else:
            monkeypatch.setattr(DuckDBDialect, "duplicate_samples", _WINDOW)
        result = govstd.validate(path, schema, today=dt.date(2025, 6, 2), sample_size=N, threads=2,
                                 show_values=show)
        return {c.rule_id: c.model_dump() for c in result.checks}

    native = verdict("1")
    assert native == verdict("0")
    key = next(v for k, v in native.items() if k.endswith(".unique"))
    assert [(s["row"], s["repeats_row"]) for s in key["samples"]] == [(129, 128), (1201, 4), (1301, 701)]
    shown = [s["values"]["id_number"] for s in key["samples"]]
    if show:
        assert shown[0] == records[127]["id_number"]
    else:
        assert all("*" in v and v != records[127]["id_number"] for v in shown), shown
