"""``govstd validate`` as a user runs it: a real subprocess, exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import messy

SCHEMA = str(messy.SCHEMA)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "govstd", *args], capture_output=True, text=True, timeout=120)


def test_messy_data_exits_1_with_a_table_of_checks(tmp_path: Path) -> None:
    data = messy.write_csv(tmp_path / "messy.csv", encoding="gb18030")
    proc = run("validate", str(data), "--schema-file", SCHEMA, "--today", "2025-06-02")
    assert proc.returncode == 1, proc.stderr
    assert "id_number.checksum" in proc.stdout and "gb18030" in proc.stdout
    assert "errors found" in proc.stdout
    assert "rules.item_registered" in proc.stderr  # warned: no registry to check service items against
    for row in messy.ROWS:  # no unmasked ID in the output (one row holds an already-masked ID)
        assert not (len(row["id_number"]) == 18 and "*" not in row["id_number"] and row["id_number"] in proc.stdout)


def test_json_is_the_validation_result(tmp_path: Path) -> None:
    data = messy.write_parquet(tmp_path / "messy.parquet")
    proc = run("validate", str(data), "--schema-file", SCHEMA, "--today", "2025-06-02", "--json", "--samples", "2")
    assert proc.returncode == 1
    result = json.loads(proc.stdout)
    checks = {c["rule_id"]: c for c in result["checks"]}
    assert checks["id_number.checksum"]["failed"] == messy.EXPECTED["id_number.checksum"]
    assert len(checks["id_number.checksum"]["samples"]) == 2
    assert result["dataset"]["rows"] == len(messy.ROWS) and result["engine"] == "duckdb"
    assert result["schema_ref"] == "510100-00001@1.2.0"


def test_clean_data_exits_0(tmp_path: Path) -> None:
    clean = [messy.base_row(i) for i in range(30)]
    data = messy.write_csv(tmp_path / "clean.csv", clean)
    schema = tmp_path / "schema.yaml"
    # The clean rows are shared only on conditions: IDs and phones may appear in them.
    schema.write_text(messy.SCHEMA.read_text(encoding="utf-8").replace("share_type: unconditional",
                                                                       "share_type: conditional"),
                      encoding="utf-8")
    proc = run("validate", str(data), "--schema-file", str(schema), "--today", "2025-06-02", "--quiet")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no errors" in proc.stdout and "id_number.checksum" not in proc.stdout  # --quiet: failing only


def test_help_lists_validate() -> None:
    proc = run("--help")
    assert proc.returncode == 0 and "validate" in proc.stdout
    proc = run("validate", "--help")
    assert proc.returncode == 0 and "--schema-file" in proc.stdout and "--memory-limit" in proc.stdout


def test_memory_limit_and_threads_are_passed_to_duckdb(tmp_path: Path) -> None:
    data = messy.write_csv(tmp_path / "messy.csv")
    proc = run("validate", str(data), "--schema-file", SCHEMA, "--today", "2025-06-02", "--json",
               "--memory-limit", "64MB", "--threads", "1", "--temp-directory", str(tmp_path / "spill"))
    assert proc.returncode == 1 and json.loads(proc.stdout)["dataset"]["rows"] == len(messy.ROWS)
    proc = run("validate", str(data), "--schema-file", SCHEMA, "--memory-limit", "lots")
    assert proc.returncode == 2 and "memory_limit" in proc.stderr and "Traceback" not in proc.stderr


def test_report_options_are_checked_before_the_run(tmp_path: Path) -> None:
    """``--format``/``--out`` rules belong to the command, which checks them before reading any data:
    the data file here does not even exist."""
    missing = str(tmp_path / "nowhere.csv")
    several = run("validate", missing, "--schema-file", SCHEMA, "--format", "json", "--format", "md")
    assert several.returncode == 2 and "several --format values need --out DIR" in several.stderr
    taken = run("validate", missing, "--schema-file", SCHEMA, "--json", "--format", "md")
    assert taken.returncode == 2 and "--json already uses" in taken.stderr
    assert json.loads(taken.stdout)["error"]["expected"] == "--out DIR"  # --json: the error is the one document
    for proc in (several, taken):
        assert "nowhere.csv" not in proc.stderr and "Traceback" not in proc.stderr
