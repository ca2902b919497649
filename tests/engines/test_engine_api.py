"""Choosing an engine from the API and the CLI: what each accepts as a source, and the errors —
a check an engine cannot express is named, never skipped."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import messy
import pytest
from engine_testlib import assert_same, load_table, without_places

from govstd.errors import GovstdError, InputError
from govstd.validators import api
from govstd.validators.compiler import UnsupportedCheck

#: pyspark warns about pandas 3 on import; nothing here goes through pandas.
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")

KW: dict[str, Any] = {"today": messy.TODAY, "service_items": messy.SERVICE_ITEMS}

HAN_SCHEMA = """
kind: catalogue_schema
id: TEST-HAN
version: 1.0.0
name_zh: 汉字姓名
provider: {name: 测试局}
share: {share_type: conditional}
fields:
  - {name: name, name_zh: 姓名, pattern: "^\\\\p{Han}+$", required: true}
"""


@pytest.fixture(scope="module")
def names_parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path_factory.mktemp("names") / "names.parquet"
    pq.write_table(pa.table({"name": ["张伟", "王𠇔", "Zhang Wei", "张 伟", "李娜"]}), path)
    return path


@pytest.fixture(scope="module")
def han_schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("han") / "han.yaml"
    path.write_text(HAN_SCHEMA, encoding="utf-8")
    return path


def test_unknown_engine_is_an_input_error(tmp_path: Path) -> None:
    data = messy.write_parquet(tmp_path / "m.parquet")
    with pytest.raises(InputError, match="unknown engine 'sqlite'"):
        api.validate(data, messy.SCHEMA, engine="sqlite", **KW)


# --------------------------------------------------------------------------- Spark


@pytest.mark.spark
def test_spark_takes_a_dataframe_or_a_table_name(spark: Any, tmp_path: Path) -> None:
    path = messy.write_parquet(tmp_path / "m.parquet")
    df = spark.read.parquet(str(path))
    from_df = api.validate(df, messy.SCHEMA, engine="spark", **KW)
    assert from_df.dataset.source == "<spark DataFrame>" and from_df.dataset.rows == len(messy.ROWS)
    df.createOrReplaceTempView("applications")
    by_name = api.validate("applications", messy.SCHEMA, engine="spark", **KW)
    by_kwarg = api.validate(None, messy.SCHEMA, engine="spark", table="applications", **KW)
    assert by_name.dataset.source == by_kwarg.dataset.source == "spark table applications"
    duck = api.validate(path, messy.SCHEMA, **KW)
    for result in (from_df, by_name, by_kwarg):
        # A DataFrame or catalogue row has no physical line; the Parquet file's records have one.
        assert without_places([c.model_dump() for c in result.checks]) == without_places(
            [c.model_dump() for c in duck.checks])


@pytest.mark.spark
def test_spark_source_errors(spark: Any, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no file and no Spark table named 'no_such_table'"):
        api.validate("no_such_table", messy.SCHEMA, engine="spark", **KW)
    with pytest.raises(InputError, match="file not found"):
        api.validate(str(tmp_path / "missing.csv"), messy.SCHEMA, engine="spark", **KW)
    with pytest.raises(InputError, match="already running"):
        api.validate(str(tmp_path / "missing.csv"), messy.SCHEMA, engine="spark", spark_master="spark://elsewhere:7077",
                     **KW)


@pytest.mark.spark
def test_spark_expresses_unicode_classes(spark: Any, names_parquet: Path, han_schema: Path) -> None:
    duck = api.validate(names_parquet, han_schema)
    assert duck.check("name.pattern").failed == 2
    assert_same(duck, api.validate(names_parquet, han_schema, engine="spark"))


# --------------------------------------------------------------------------- PostgreSQL


@pytest.mark.postgres
def test_postgres_names_the_check_it_cannot_express(pg_url: str, han_schema: Path) -> None:
    load_table(pg_url, "names", ["name"], [["张伟"], ["Zhang Wei"]])
    with pytest.raises(UnsupportedCheck) as err:
        api.validate(pg_url, han_schema, table="names", engine="postgres")
    message = str(err.value)
    assert "engine postgres cannot run check 'name.pattern'" in message and r"\p{Han}" in message
    assert isinstance(err.value, GovstdError) and err.value.exit_code == 2


@pytest.mark.postgres
def test_postgres_takes_a_query_and_reports_bad_sources(pg_url: str) -> None:
    load_table(pg_url, "messy_q", messy.COLUMNS, [[r[c] or None for c in messy.COLUMNS] for r in messy.ROWS])
    query = 'SELECT * FROM "messy_q" WHERE "sex" IS NOT NULL'
    assert_same(api.validate(pg_url, messy.SCHEMA, query=query, **KW),
                api.validate(pg_url, messy.SCHEMA, query=query, engine="postgres", **KW))
    with pytest.raises(InputError, match="no table 'no_such_table' in the database"):
        api.validate(pg_url, messy.SCHEMA, table="no_such_table", engine="postgres", **KW)
    with pytest.raises(InputError, match="exactly one of --table or --query"):
        api.validate(pg_url, messy.SCHEMA, engine="postgres", **KW)
    with pytest.raises(InputError, match="reads a PostgreSQL database"):
        api.validate("sqlite:///x.db", messy.SCHEMA, table="t", engine="postgres", **KW)


# --------------------------------------------------------------------------- CLI


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "govstd", *args], capture_output=True, text=True, timeout=300)


def test_help_does_not_start_spark() -> None:
    code = ("import sys\nfrom govstd.cli import main\ntry:\n    main(['validate', '--help'])\nexcept SystemExit:\n"
            "    pass\nassert 'pyspark' not in sys.modules and 'psycopg' not in sys.modules, 'heavy import'\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "--engine" in proc.stdout and "--spark-master" in proc.stdout


@pytest.mark.postgres
def test_cli_runs_the_checks_inside_postgres(pg_url: str) -> None:
    load_table(pg_url, "messy_cli", messy.COLUMNS, [[r[c] or None for c in messy.COLUMNS] for r in messy.ROWS])
    proc = _cli("validate", pg_url, "--table", "messy_cli", "--schema-file", str(messy.SCHEMA), "--today",
                "2025-06-02", "--engine", "postgres", "--json")
    assert proc.returncode == 1, proc.stderr
    result = json.loads(proc.stdout)
    assert result["engine"] == "postgres"
    failed = {c["rule_id"]: c["failed"] for c in result["checks"]}
    assert failed["id_number.checksum"] == messy.EXPECTED["id_number.checksum"]


@pytest.mark.spark
def test_cli_runs_the_checks_on_spark(tmp_path: Path) -> None:
    data = messy.write_parquet(tmp_path / "m.parquet")
    proc = _cli("--lang", "en", "validate", str(data), "--schema-file", str(messy.SCHEMA), "--today", "2025-06-02",
                "--engine", "spark", "--spark-master", "local[1]", "--samples", "0")
    assert proc.returncode == 1, proc.stderr
    assert "on spark" in proc.stdout and "id_number.checksum" in proc.stdout
    assert "ERROR" not in proc.stderr and "Exception" not in proc.stderr
