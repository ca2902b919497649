"""``govstd export sql --dialect postgres|spark``: the script runs on that engine as it is and counts
what ``govstd.validate`` counts there (DuckDB's script: ``tests/integrations/test_export_sql.py``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import messy
import pytest
from engine_testlib import load_table

from govstd.validators import api

#: pyspark warns about pandas 3 on import; nothing here goes through pandas.
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")

TABLE = "export_data"


def exported(dialect: str, tmp_path: Path) -> str:
    """The script ``govstd export sql`` writes for ``dialect``, reading the table ``TABLE``."""
    out = tmp_path / f"{dialect}.sql"
    proc = subprocess.run(
        [sys.executable, "-m", "govstd", "export", "sql", "--schema-file", str(messy.SCHEMA), "--dialect", dialect,
         "--table", TABLE, "--today", messy.TODAY.isoformat(), "--out", str(out), "-q"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return out.read_text(encoding="utf-8")


def statements(script: str) -> list[str]:
    """The script's statements, each ending at a line that ends with ``;`` (comment-only tails dropped):
    drivers and ``spark.sql`` take one statement per call."""
    out: list[str] = []
    lines: list[str] = []
    for line in script.splitlines():
        lines.append(line)
        if line.rstrip().endswith(";") and not line.lstrip().startswith("--"):
            out.append("\n".join(lines).rstrip().removesuffix(";"))
            lines = []
    assert all(ln.lstrip().startswith("--") or not ln.strip() for ln in lines), "a statement without ';'"
    return out


def counted(result: Any) -> dict[str, tuple[str, int, int]]:
    return {c.rule_id: (c.severity, c.evaluated, c.failed) for c in result.checks}


def assert_counts(rows: list[tuple[Any, ...]], result: Any) -> None:
    got = {str(rule_id): (str(severity), int(evaluated), int(failed)) for rule_id, severity, evaluated, failed in rows}
    assert got == counted(result)
    assert got["id_number.checksum"][2] == messy.EXPECTED["id_number.checksum"]


@pytest.mark.postgres
def test_postgres_script_runs_in_postgres(pg_url: str, tmp_path: Path) -> None:
    import psycopg

    load_table(pg_url, TABLE, messy.COLUMNS, [[r[c] or None for c in messy.COLUMNS] for r in messy.ROWS])
    script = exported("postgres", tmp_path)
    assert "CREATE TEMP TABLE" in script
    with psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://")) as conn, conn.cursor() as cur:
        *setup, final = statements(script)
        for sql in setup:
            cur.execute(sql)
        cur.execute(final)
        rows = cur.fetchall()
    assert_counts(rows, api.validate(pg_url, messy.SCHEMA, table=TABLE, engine="postgres", today=messy.TODAY))


@pytest.mark.spark
def test_spark_script_runs_on_spark(spark: Any, tmp_path: Path) -> None:
    from pyspark.sql.types import StringType, StructField, StructType

    schema = StructType([StructField(c, StringType()) for c in messy.COLUMNS])
    df = spark.createDataFrame([tuple(r[c] or None for c in messy.COLUMNS) for r in messy.ROWS], schema)
    df.createOrReplaceTempView(TABLE)
    try:
        script = exported("spark", tmp_path)
        assert "CACHE TABLE" in script
        *setup, final = statements(script)
        for sql in setup:
            spark.sql(sql)
        rows = [tuple(r) for r in spark.sql(final).collect()]
    finally:
        spark.catalog.dropTempView(TABLE)
    assert_counts(rows, api.validate(df, messy.SCHEMA, engine="spark", today=messy.TODAY))
