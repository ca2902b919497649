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


def test_a_run_with_samples_streams_to_the_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Samples are a check's first failing rows in source order, which DuckDB's threads do not keep."""
    path = _many_row_groups(tmp_path / "s.parquet", 30_000)
    calls = _in_scan_calls(monkeypatch)
    sampled = _verdicts(path, SCHEMAS["default"], monkeypatch, path="scan", samples=3)
    assert calls == []
    assert sampled == _verdicts(path, SCHEMAS["default"], monkeypatch, path="sql", samples=3)


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
