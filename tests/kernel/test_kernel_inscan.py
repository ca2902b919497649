"""The kernel inside DuckDB's scan (``kernel.inscan``, ``csrc/inscan.c``): a run without samples counts through
DuckDB's own vectors on DuckDB's threads, and its verdicts are the Arrow stream's and the SQL path's — on messy
data (hypothesis), on a file DuckDB reads on several threads (each thread's counters merged: sums, and the newest
value a maximum), and with the uniqueness keys' counters fed from DuckDB's threads. The build must include it
(``setup.py`` takes DuckDB's C API headers at install time): a build without it fails here, never skips.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kernel_testlib import ITEMS, SCHEMAS, TODAY, messy_rows

import govstd
from govstd import kernel
from govstd.kernel import inscan
from govstd.validators.engines.duckdb_native import NativeCounting


def _in_scan_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Records each run that counted inside DuckDB's scan (the real method still runs)."""
    calls: list[int] = []
    real = NativeCounting._count_in_scan

    def recording(self: NativeCounting, *args: Any) -> list[int]:
        counted = real(self, *args)
        calls.append(counted[0])
        return counted

    monkeypatch.setattr(NativeCounting, "_count_in_scan", recording)
    return calls


def _verdicts(source: Any, schema: Any, monkeypatch: pytest.MonkeyPatch, *, path: str, samples: int = 0,
              threads: int | None = None) -> dict[str, Any]:
    """Every check's counts and details on one path: "scan" (inside DuckDB's scan), "stream" (Arrow batches),
    "sql" (no kernel)."""
    monkeypatch.setenv("GOVSTD_KERNEL", "0" if path == "sql" else "1")
    monkeypatch.setenv("GOVSTD_INSCAN", "0" if path == "stream" else "1")
    result = govstd.validate(source, schema, today=TODAY, service_items=ITEMS, sample_size=samples, threads=threads)
    return {c.rule_id: (c.evaluated, c.failed, c.details) for c in result.checks} | {"__rows": result.dataset.rows}


def test_the_build_runs_the_kernel_inside_duckdbs_scan() -> None:
    lib = kernel.load()
    assert inscan.built(lib), kernel.status()[1]
    assert "inside DuckDB's scan" in kernel.status()[1]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_messy_data_counts_alike_inside_the_scan_in_the_stream_and_in_sql(data: st.DataObject,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    rows = messy_rows(data.draw, data.draw(st.integers(1, 40)))
    table = pa.table({k: pa.array(v, pa.string()) for k, v in rows.items()})
    schema = SCHEMAS[data.draw(st.sampled_from(sorted(SCHEMAS)))]
    calls = _in_scan_calls(monkeypatch)
    scanned = _verdicts(table, schema, monkeypatch, path="scan")
    assert calls == [len(table)]
    assert scanned == _verdicts(table, schema, monkeypatch, path="stream") == \
        _verdicts(table, schema, monkeypatch, path="sql")
    assert calls == [len(table)]  # the stream and SQL runs did not count inside the scan


def _many_row_groups(path: Path, rows: int) -> Path:
    """A Parquet file DuckDB reads on several threads (row groups of 10,000): repeated and NULL keys, the newest
    update in the middle, and a messy value every 97 rows."""
    ids = ["11010519491231002X", "110105194912310021", None, "", "１１０１０５１９４９１２３１００２X"]
    base = dt.datetime(2025, 1, 1)
    table = pa.table({
        "name": [f"张{i % 13}" for i in range(rows)],
        "id_number": [f"{110105194912310000 + i}" if i % 7 else ids[i % 5] for i in range(rows)],
        "sex": [["1", "2", "9", " 1", None][i % 5] for i in range(rows)],
        "accept_time": [str(base + dt.timedelta(minutes=i)) if i % 97 else "2025/1/1" for i in range(rows)],
        "updated_at": ["2025-06-02 10:11:12" if i == rows // 2 + 3 else str(base + dt.timedelta(seconds=i))
                       for i in range(rows)],
    })
    pq.write_table(table, path, row_group_size=10_000)
    return path


def test_a_file_read_on_several_threads_merges_each_threads_counters(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Each DuckDB thread counts into its own state, merged as DuckDB combines them: counts summed, the newest
    value the largest, the key counters fed by every thread — on 1, 2 and 4 threads alike."""
    path = _many_row_groups(tmp_path / "many.parquet", 120_000)
    schema = SCHEMAS["default"]
    calls = _in_scan_calls(monkeypatch)
    expected = _verdicts(path, schema, monkeypatch, path="sql")
    assert expected["rules.fresh"][2]["newest"] == "2025-06-02 10:11:12"
    for threads in (1, 2, 4):
        assert _verdicts(path, schema, monkeypatch, path="scan", threads=threads) == expected
    assert calls == [120_000] * 3
    assert _verdicts(path, schema, monkeypatch, path="stream") == expected


def _sampled(source: Any, monkeypatch: pytest.MonkeyPatch, path: str, threads: int | None = None) -> dict[str, Any]:
    monkeypatch.setenv("GOVSTD_KERNEL", "0" if path == "sql" else "1")
    monkeypatch.setenv("GOVSTD_INSCAN", "0" if path == "stream" else "1")
    result = govstd.validate(source, SCHEMAS["default"], today=TODAY, service_items=ITEMS, sample_size=3,
                             threads=threads)
    return {c.rule_id: (c.evaluated, c.failed, c.details, [s.model_dump() for s in c.samples])
            for c in result.checks}


def test_samples_inside_the_scan_are_each_checks_first_failing_rows(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckDB's threads take row groups in no set order: each thread keeps the failing rows of the smallest row
    numbers it saw, and the merge keeps the smallest of all — the rows (lines, values, masked) the SQL path and the
    stream show, and the duplicate samples (from a second pass in row order) too."""
    path = _many_row_groups(tmp_path / "s.parquet", 60_000)
    calls = _in_scan_calls(monkeypatch)
    expected = _sampled(path, monkeypatch, "sql")
    assert expected["key.unique"][3] and sum(bool(v[3]) for v in expected.values()) >= 4  # samples to compare
    for threads in (1, 2, 4):
        assert _sampled(path, monkeypatch, "scan", threads) == expected
    assert calls == [60_000] * 3
    assert _sampled(path, monkeypatch, "stream") == expected


def test_a_kernel_that_cannot_load_into_duckdb_is_fed_arrow_batches_with_a_notice(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The extension file goes to the user cache: where that cannot be written, the run streams Arrow batches to
    the kernel, says so in one line, and counts the same."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    path = _many_row_groups(tmp_path / "b.parquet", 2_000)
    expected = _verdicts(path, SCHEMAS["default"], monkeypatch, path="sql")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    calls = _in_scan_calls(monkeypatch)
    monkeypatch.setenv("GOVSTD_INSCAN", "1")
    monkeypatch.setenv("GOVSTD_KERNEL", "1")
    result = govstd.validate(path, SCHEMAS["default"], today=TODAY, service_items=ITEMS, sample_size=0)
    assert calls == []
    assert [w for w in result.warnings if "could not run inside DuckDB's scan" in w]
    assert {c.rule_id: (c.evaluated, c.failed, c.details) for c in result.checks} | \
        {"__rows": result.dataset.rows} == expected


def test_the_extension_file_carries_duckdbs_footer_and_is_rewritten_when_it_differs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    library = kernel.library_path()
    assert library is not None
    made = inscan.extension_file(library, "linux_amd64")
    assert made.name == "govstd_kernel.duckdb_extension" and made.is_relative_to(tmp_path)
    content = made.read_bytes()
    assert content.startswith(library.read_bytes())
    metadata = content[-512:-256]  # DuckDB reads eight 32-byte fields, last to first, then the signature
    fields = [metadata[i * 32:(i + 1) * 32].rstrip(b"\0").decode() for i in range(8)][::-1]
    assert fields[:5] == ["4", "linux_amd64", inscan.CAPI_VERSION, inscan.EXTENSION_VERSION, "C_STRUCT"]
    made.write_bytes(content[:-1] + b"x")  # changed on disk: written again before DuckDB loads it
    assert inscan.extension_file(library, "linux_amd64").read_bytes() == content
    assert inscan.extension_file(library, "osx_arm64") != made  # another platform's footer, another file


def _views(values: list[bytes | None], keep: list[Any]) -> tuple[Any, Any]:
    """DuckDB string_t views of ``values`` and their validity bits; a NULL row's view holds garbage (DuckDB leaves
    whatever was there): a huge length and a pointer to nowhere."""
    import ctypes
    import struct

    raw = bytearray()
    for value in values:
        if value is None:
            raw += struct.pack("<I4sQ", 0xFFFF_0000, b"junk", 0x10)  # a negative length as int32
        elif len(value) <= 12:
            raw += struct.pack("<I", len(value)) + value.ljust(12, b"\0")
        else:
            held = ctypes.create_string_buffer(value, len(value))
            keep.append(held)
            raw += struct.pack("<I4sQ", len(value), value[:4], ctypes.addressof(held))
    bits = sum(1 << i for i, v in enumerate(values) if v is not None)
    views = ctypes.create_string_buffer(bytes(raw), len(raw))
    validity = ctypes.create_string_buffer(bits.to_bytes(8, "little"), 8)
    keep += [views, validity]
    return views, validity


def test_a_null_rows_view_is_never_read() -> None:
    """Inside DuckDB's scan a NULL row's 16 bytes are left over from whatever was there: the per-value table's
    arena was sized from them (a crash, one run in four of a hypothesis test). The view layout counts what the
    Arrow layout counts, with NULLs holding a huge length and a wild pointer."""
    import ctypes

    from govstd.standards.models import QualityDimension
    from govstd.validators import ir

    x = ir.col("x")
    suite = ir.CheckSuite(checks=[ir.RowCheck(
        rule_id="in", rule="test", dimension=QualityDimension.ACCURACY, columns=["x"], description="in",
        expect=ir.in_values(x, ["A" * 30, "abc"]), applies=ir.not_(ir.fn("is_blank", x)))], tables=[])
    values: list[bytes | None] = [b"abc", None, b"A" * 30, None, b"B" * 40, b"abc", None]
    lib = kernel.load()
    assert lib is not None
    streamed = kernel.Kernel(lib, kernel.compile_suite(suite))
    try:
        assert streamed.plan.groups, "the check must go through the per-value table"
        arrow = streamed.count(iter([pa.record_batch([pa.array([v.decode() if v else None for v in values])],
                                                     names=["x"])]))
    finally:
        streamed.close()
    k = kernel.Kernel(lib, kernel.compile_suite(suite))  # a fresh context: an empty table, no arena yet
    keep: list[Any] = []
    try:
        views, validity = _views(values, keep)
        counters = (ctypes.c_int64 * k.plan.counters)()
        ctx = k._context()
        lib.gk_ctx_samples(ctx, 0, None, None)
        lib.gk_ctx_keys(ctx, None, None)
        lib.gk_ctx_key_rows(ctx, None)
        one = ctypes.c_void_p * 1
        lib.gk_run(k.handle, ctx, 1, one(ctypes.addressof(validity)), one(ctypes.addressof(views)), one(None),
                   (ctypes.c_int64 * 1)(0), (ctypes.c_int8 * 1)(inscan.LAYOUT_VIEWS), len(values), counters)
        assert list(counters) == arrow
    finally:
        k.close()


def test_a_source_numbered_on_one_thread_streams_when_it_shows_samples(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A CSV's rows are numbered by a window on one thread: counting inside the scan would count on that thread
    too, so a run with samples streams (a 10 M-row CSV: 4.9 s instead of 6.9), one without counts inside."""
    table = pq.read_table(_many_row_groups(tmp_path / "c.parquet", 5_000))
    import pyarrow.csv as pacsv

    path = tmp_path / "c.csv"
    pacsv.write_csv(table, path)
    calls = _in_scan_calls(monkeypatch)
    streamed = _sampled(path, monkeypatch, "scan")
    assert calls == []
    assert streamed == _sampled(path, monkeypatch, "sql")
    assert _verdicts(path, SCHEMAS["default"], monkeypatch, path="scan")["__rows"] == 5_000
    assert calls == [5_000]


def test_a_database_sources_samples_are_taken_inside_the_scan(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A database source's rows are copied, numbered, into a Parquet file DuckDB reads on every thread: a run with
    samples counts inside the scan, and shows the SQL path's samples and duplicate samples."""
    import sqlite3

    table = pq.read_table(_many_row_groups(tmp_path / "d.parquet", 30_000))
    db = tmp_path / "d.db"
    with sqlite3.connect(db) as conn:
        names = ", ".join(f'"{n}" TEXT' for n in table.column_names)
        conn.execute(f"CREATE TABLE t ({names})")
        conn.executemany(f"INSERT INTO t VALUES ({', '.join('?' * table.num_columns)})",
                         zip(*(c.to_pylist() for c in table.columns), strict=True))
    conn.close()
    source = f"sqlite:///{db}"
    calls = _in_scan_calls(monkeypatch)

    def sampled(path: str) -> dict[str, Any]:
        monkeypatch.setenv("GOVSTD_KERNEL", "0" if path == "sql" else "1")
        monkeypatch.setenv("GOVSTD_INSCAN", "1")
        result = govstd.validate(source, SCHEMAS["default"], table="t", today=TODAY, service_items=ITEMS,
                                 sample_size=3, threads=2)
        return {c.rule_id: (c.evaluated, c.failed, c.details, [s.model_dump() for s in c.samples])
                for c in result.checks}

    expected = sampled("sql")
    assert expected["key.unique"][3] and sum(bool(v[3]) for v in expected.values()) >= 4  # samples to compare
    assert sampled("scan") == expected
    assert calls == [30_000]
