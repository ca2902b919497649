"""``make bench``'s validate benchmark, run end to end at a tiny size: the figures it reports are real runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_each_figure_is_the_least_cpu_of_its_round_robin_runs(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--rows", "3000", "--formats", "csv", "--no-spill",
         "--repeat", "2", "--data", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=True,
    ).stdout
    assert "least CPU of 2 runs" in out
    (row,) = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    for mode in ("scan", "validate", "counts", "counts_sql"):
        measured = row[mode]
        assert "error" not in measured, measured
        assert len(measured["cpu_runs"]) == 2
        assert round(measured["cpu"], 2) == min(measured["cpu_runs"])
    assert row["validate"]["rows"] == 3000
    # The kernel's counts and the SQL path's agree, and the table says so.
    assert row["counts"]["failed_counts"] == row["counts_sql"]["failed_counts"] == row["validate"]["failed_counts"]
    assert "| 3,000 | csv |" in out and "| yes |" in out
