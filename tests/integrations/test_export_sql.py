"""``govstd export sql``: the printed script runs on DuckDB as it is and counts what govstd validate counts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import messy
import pytest

from conftest import govstd
from govstd.validators.api import validate
from govstd.validators.engines import ENGINES


def test_script_runs_on_duckdb_as_is(messy_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "checks.sql"
    result = govstd("export", "sql", "--schema-file", str(messy.SCHEMA), "--dialect", "duckdb",
                    "--today", messy.TODAY.isoformat(), "--out", str(out))
    assert result.returncode == 0, result.stderr
    script = out.read_text(encoding="utf-8")
    assert "-- id_number.checksum [accuracy 准确性 / 数据内容正确性, error]" in script

    con = duckdb.connect()
    con.execute(f"CREATE TABLE data AS SELECT * FROM read_csv('{messy_csv}', all_varchar = true)")
    rows = con.execute(script).fetchall()

    validated = validate(messy_csv, messy.SCHEMA, today=messy.TODAY)
    want = {c.rule_id: (c.severity, c.evaluated, c.failed) for c in validated.checks}
    got = {rule_id: (severity, evaluated, failed) for rule_id, severity, evaluated, failed in rows}
    assert got == want
    assert got["id_number.checksum"][2] == messy.EXPECTED["id_number.checksum"]


@pytest.mark.parametrize(("name", "reference_table"), [("spark", "CACHE TABLE"),
                                                     ("postgres", "CREATE TEMP TABLE")])
def test_every_engine_has_its_dialect(name: str, reference_table: str) -> None:
    """The script for each engine; that it runs there and counts what validate counts is
    tests/engines/test_export_sql_engines.py."""
    assert name in ENGINES
    result = govstd("export", "sql", "--schema-file", str(messy.SCHEMA), "--dialect", name, "-q")
    assert result.returncode == 0, result.stderr
    assert f"for {name}\n" in result.stdout
    assert f"\n{reference_table} " in result.stdout  # the reference tables the checks read
    assert "id_number.checksum" in result.stdout


def test_unknown_dialect_is_refused() -> None:
    result = govstd("export", "sql", "--schema-file", str(messy.SCHEMA), "--dialect", "oracle")
    assert result.returncode == 2
    assert "unknown SQL dialect 'oracle'" in result.stderr
