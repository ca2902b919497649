"""The kernel's pass shares the threads with DuckDB's reader: DuckDB streams on half of them, the checks run on
all, and DuckDB gets every thread back for the SQL passes after (samples, uniqueness, anything the kernel does
not count)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from kernel_testlib import SCHEMAS, TODAY

import govstd
from govstd import kernel
from govstd.validators.engines.duckdb import DuckDBEngine


@pytest.mark.parametrize(("threads", "streaming"), [(1, 1), (2, 1), (4, 2)])
def test_duckdb_streams_on_half_the_threads_and_gets_them_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threads: int, streaming: int) -> None:
    rows = 200_000  # several of the kernel's batches
    table = pa.table({"name": ["张三"] * rows, "id_number": [f"{i:018d}" for i in range(rows)], "sex": ["1"] * rows,
                      "accept_time": ["2025-01-02 03:04:05"] * rows})
    path = tmp_path / "d.csv"
    pacsv.write_csv(table, path)
    seen: dict[str, Any] = {}
    original_pass, original_count = DuckDBEngine._count_natively, kernel.Kernel.count

    def counting_pass(engine: DuckDBEngine, *args: Any, **kwargs: Any) -> Any:
        # A cursor shares the database's settings without touching the connection's pending stream.
        setting = engine.con.cursor()

        def count(native: kernel.Kernel, batches: Any, kernel_threads: int = 1, *rest: Any, **named: Any) -> Any:
            seen["kernel"] = kernel_threads
            seen["while"] = setting.execute("SELECT current_setting('threads')").fetchall()[0][0]
            return original_count(native, batches, kernel_threads, *rest, **named)

        monkeypatch.setattr(kernel.Kernel, "count", count)
        try:
            return original_pass(engine, *args, **kwargs)
        finally:
            seen["after"] = setting.execute("SELECT current_setting('threads')").fetchall()[0][0]
            setting.close()

    monkeypatch.setattr(DuckDBEngine, "_count_natively", counting_pass)
    monkeypatch.setenv("GOVSTD_INSCAN", "0")  # the stream (the kernel inside the scan runs on DuckDB's threads)
    result = govstd.validate(path, SCHEMAS["default"], today=TODAY, sample_size=2, threads=threads)
    assert result.dataset.rows == rows
    assert seen == {"kernel": threads, "while": streaming, "after": threads}
