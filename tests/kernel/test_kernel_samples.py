"""Samples from the native kernel's pass are the SQL path's samples: the same rows, shown values and masking.

The kernel keeps each natively counted check's first N failing rows while it counts (``gk_ctx_samples``);
``GOVSTD_KERNEL=0`` finds them with the SQL sample queries. Failures here are spread over many kernel batches
(``_KERNEL_BATCH_ROWS`` lowered) counted on two threads, in CSV and in Parquet with typed columns (dates,
numbers, timestamps), for checks failing fewer and more times than N, values masked and shown.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import govstd
from govstd.standards.models import QualityDimension
from govstd.standards.numbers import gb11643, gb11714, gb32100
from govstd.validators import ir
from govstd.validators.engines import duckdb as duckdb_engine
from govstd.validators.engines import duckdb_native
from govstd.validators.engines.base import SourceOptions
from govstd.validators.ir import col, fn
from govstd.validators.readers.common import DATA_VIEW, NUMBERED_VIEW

TODAY = dt.date(2025, 6, 2)
SCHEMA = Path(__file__).resolve().parents[1] / "validators" / "data" / "social_security_card.yaml"
ITEMS = {"511A09001023": "standard"}
N = 3
ROWS = 1500
#: Kernel batch rows in these tests: ROWS spans a dozen batches (each smaller than a kernel chunk of 512 rows).
BATCH = 128




def _id(born: str, seq: int) -> str:
    first17 = f"510104{born}{seq:03d}"
    return first17 + gb11643.calc_check_digit(first17)


def _uscc() -> str:
    org = "MA61RQ3X" + gb11714.calc_check_digit("MA61RQ3X")
    return "91510100" + org + gb32100.calc_check_digit("91510100" + org)


def _records(rare: list[int], every: int) -> list[dict[str, Any]]:
    """ROWS rows that pass most checks; ``rare`` rows (0-based) fail a few checks once each, and every
    ``every``-th row fails others (more than N times): the failures land in many batches."""
    uscc = _uscc()
    out = []
    for i in range(ROWS):
        born = dt.date(1950, 1, 1) + dt.timedelta(days=37 * i % 20000)
        accept = dt.datetime(2025, 1, 2, 3, 4, 5) + dt.timedelta(minutes=7 * i)
        row: dict[str, Any] = {
            "name": "张三", "id_number": _id(born.strftime("%Y%m%d"), i % 500 * 2 + 1), "sex": "1", "ethnicity": "01",
            "region": "510104", "phone": "13800138000", "employer_uscc": uscc, "birth_date": born,
            "amount": 12.5 + i % 7, "accept_time": accept, "finish_time": accept + dt.timedelta(hours=1),
            "service_item_code": "511A09001023", "updated_at": dt.datetime(2025, 6, 1, 8, 0, 0),
        }
        if i % every == every - 1:  # frequent: a wrong check character, a negative amount, a spaced phone
            row["id_number"] = row["id_number"][:17] + ("0" if row["id_number"][17] != "0" else "1")
            row["amount"] = -1.25
            row["phone"] = "138 0013 8000"
        if i in rare:  # rare: a region outside GB/T 2260, finished before accepted, an unregistered item
            row["region"] = "999999"
            row["finish_time"] = accept - dt.timedelta(days=1)
            row["service_item_code"] = "511A09001099"
        out.append(row)
    return out


def _write(records: list[dict[str, Any]], fmt: str, path: Path) -> Path:
    if fmt == "csv":
        path = path.with_suffix(".csv")
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(records[0]))
            writer.writeheader()
            for r in records:
                writer.writerow({k: v.strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, dt.datetime) else v
                                 for k, v in r.items()})
        return path
    # Parquet with typed columns: dates, doubles and timestamps, as a department's export tool writes them.
    path = path.with_suffix(".parquet")
    types = {"birth_date": pa.date32(), "amount": pa.float64(), "accept_time": pa.timestamp("s"),
             "finish_time": pa.timestamp("s"), "updated_at": pa.timestamp("s")}
    pq.write_table(pa.table({k: pa.array([r[k] for r in records], types.get(k, pa.string())) for k in records[0]}),
                   path, row_group_size=400)
    return path


def _run(source: Path, monkeypatch: pytest.MonkeyPatch, setting: str, show: bool) -> tuple[Any, set[str]]:
    """The result with ``GOVSTD_KERNEL=setting`` and the rule ids left to the SQL sample pass."""
    monkeypatch.setenv("GOVSTD_KERNEL", setting)
    monkeypatch.setattr(duckdb_native, "_KERNEL_BATCH_ROWS", BATCH)
    by_sql: set[str] = set()
    original = _ROW_SAMPLES

    def spy(self: Any, checks: list[ir.RowCheck], *args: Any) -> Any:
        by_sql.update(c.rule_id for c in checks)
        return original(self, checks, *args)

    monkeypatch.setattr(duckdb_engine.DuckDBEngine, "_row_samples", spy)
    result = govstd.validate(source, SCHEMA, today=TODAY, service_items=ITEMS, sample_size=N, threads=2,
                             show_values=show)
    return result, by_sql


_ROW_SAMPLES = duckdb_engine.DuckDBEngine._row_samples


def _shown(result: Any) -> dict[str, Any]:
    return {c.rule_id: (c.evaluated, c.failed, [s.model_dump() for s in c.samples]) for c in result.checks}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("show", [False, True])
def test_samples_from_the_kernel_are_the_sql_samples(fmt: str, show: bool, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    rare = [7 * BATCH + 100, ROWS - 1]  # fewer than N failures each, in two late batches
    source = _write(_records(rare, every=97), fmt, tmp_path / "data")
    native, left_to_sql = _run(source, monkeypatch, "1", show)
    sql, by_sql = _run(source, monkeypatch, "0", show)
    assert _shown(native) == _shown(sql)
    assert "region.code_set" in by_sql  # the SQL path did sample with its own queries
    got = _shown(native)
    # The kernel's pass found them: none of these went through the SQL sample queries.
    natively = {"id_number.checksum", "amount.range", "phone.normalised", "region.code_set",
                "rules.finish_after_accept", "id_number.pii_exposure"}
    assert not natively & left_to_sql
    # More failures than N (N samples, the first ones) and fewer (every one), across batches.
    assert got["id_number.checksum"][1] == ROWS // 97
    assert [s["row"] for s in got["id_number.checksum"][2]] == [97, 194, 291]
    assert got["region.code_set"][1] == len(rare) < N
    assert [s["row"] for s in got["region.code_set"][2]] == [r + 1 for r in rare]
    assert [s["line"] for s in got["region.code_set"][2]] == [r + (2 if fmt == "csv" else 1) for r in rare]
    assert got["id_number.pii_exposure"][1] == ROWS - ROWS // 97 and len(got["id_number.pii_exposure"][2]) == N
    ids = [s["values"]["id_number"] for s in got["id_number.checksum"][2]]
    if show:
        assert ids[0] == _records([], every=97)[96]["id_number"][:17] + ids[0][17] and "*" not in ids[0]
    else:
        assert all("*" in v for v in ids), ids  # GB/T 35273-style masking of an ID number in a sample
    amounts = [s["values"]["amount"] for s in got["amount.range"][2]]
    assert amounts == ["-1.25"] * N


# --------------------------------------------------------------------------- shown typed columns


def _typed_suite() -> ir.CheckSuite:
    x = col("x")
    checks: list[ir.Check] = [
        ir.RowCheck(rule_id=name, rule="test", dimension=QualityDimension.ACCURACY, columns=["x"], description=name,
                    expect=e, sample_columns=["x", "d", "n"])
        for name, e in {"not_blank": ir.not_(fn("is_blank", x)),
                        "digits": fn("matches", fn("trim", x), pattern="[0-9]+")}.items()
    ]
    return ir.CheckSuite(checks=checks, tables=[])


def _typed_samples(xs: list[str | None], tmp: Path, setting: str,
                   monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Samples of ``_typed_suite`` where the numbered view holds typed columns ``d`` (DATE) and ``n`` (DOUBLE),
    shown but not checked: the kernel's pass streams them as they are, never as its text."""
    monkeypatch.setenv("GOVSTD_KERNEL", setting)
    monkeypatch.setattr(duckdb_native, "_KERNEL_BATCH_ROWS", 16)
    table = pa.table({"x": pa.array(xs, pa.string()),
                      "d": pa.array([dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(len(xs))]),
                      "n": pa.array([i / 3 for i in range(len(xs))], pa.float64())})
    options = SourceOptions(expected_columns=["x", "d", "n"], text_columns=["x"], workdir=tmp, threads=2)
    with duckdb_engine.open_data(table, options) as opened:
        engine = opened.engine({"x": "x", "d": "d", "n": "n"})
        assert isinstance(engine, duckdb_engine.DuckDBEngine)
        # The readers give text columns today; a reader keeping types must not change what a sample shows.
        engine.con.execute(f"CREATE OR REPLACE TEMP VIEW {DATA_VIEW} AS SELECT c0 AS x, CAST(c1 AS DATE) AS d, "
                           f"CAST(c2 AS DOUBLE) AS n FROM __govstd_arrow")
        engine.con.execute(f"CREATE OR REPLACE TEMP VIEW {NUMBERED_VIEW} AS SELECT row_number() OVER () AS "
                           f"{opened.loaded.row_column}, * FROM {DATA_VIEW}")
        duckdb_engine.map_columns(engine.con, opened.loaded, {"x": "x", "d": "d", "n": "n"})
        _, results = engine.run(_typed_suite(), masking={}, sample_size=N)
    return {r.rule_id: (r.failed, [s.model_dump() for s in r.samples]) for r in results}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(xs=st.lists(st.one_of(st.none(), st.sampled_from(["", " ", "12", " 7 ", "x1", "１２"])), min_size=1,
                   max_size=120))
def test_typed_shown_columns_are_shown_as_sql_shows_them(xs: list[str | None], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    native = _typed_samples(xs, tmp_path, "1", monkeypatch)
    assert native == _typed_samples(xs, tmp_path, "0", monkeypatch)
    failing = [i + 1 for i, x in enumerate(xs) if x is None or not x.strip()]
    assert native["not_blank"][0] == len(failing)
    assert [s["row"] for s in native["not_blank"][1]] == failing[:N]
    for s in native["not_blank"][1]:
        assert s["values"]["d"] == str(dt.date(2024, 1, 1) + dt.timedelta(days=s["row"] - 1))
