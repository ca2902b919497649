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


def test_the_schema_file_is_parsed_once_per_run(tmp_path: Path) -> None:
    # Reading the YAML (and, with a large code set, validating its codes) is a fixed cost of every run:
    # the command, the run and the reports share the one parsed schema. Counted in a fresh interpreter
    # through the one reader every YAML passes (standards.loader.iter_yaml_documents), the CLI's
    # reports (--out: JSON and HTML) included.
    data = messy.write_csv(tmp_path / "messy.csv")
    probe = f"""
import json
from govstd.standards import loader
parsed = []
original = loader.iter_yaml_documents
def counting(text, *, path):
    parsed.append(path)
    return original(text, path=path)
loader.iter_yaml_documents = counting
from govstd.cli import main
try:
    main(["validate", {str(data)!r}, "--schema-file", {SCHEMA!r}, "--out", {str(tmp_path / "out")!r}, "--quiet"])
except SystemExit as exc:
    assert exc.code == 1, exc.code
print(json.dumps(parsed))
"""
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    parsed = json.loads(proc.stdout.strip().splitlines()[-1])
    assert parsed.count(SCHEMA) == 1
    assert (tmp_path / "out" / "scorecard.json").exists()
