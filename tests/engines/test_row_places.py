"""Duplicates and the places of failing rows agree on DuckDB, PostgreSQL and Spark.

The register of ``tests/validators/test_physical_rows.py`` (keys repeated, spreadsheet-damaged keys
alike) run on each engine: the same rows to remove, rows involved, keys repeated and repeated rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import test_physical_rows as register
from engine_testlib import load_table

from govstd.validators import api
from govstd.validators.results import ValidationResult

pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")


def duplicates(result: ValidationResult) -> tuple[Any, ...]:
    key = result.check("key.unique")
    return (key.evaluated, key.failed, key.details, [(s.row, s.repeats_row) for s in key.samples])


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("places")
    schema = folder / "schema.yaml"
    schema.write_text(register.SCHEMA, encoding="utf-8")
    return register.write_parquet(folder / "register.parquet"), schema


def run(source: Any, schema: Path, **kw: Any) -> ValidationResult:
    return api.validate(source, schema, today=register.TODAY, sample_size=10, **kw)


EXPECTED = (8, 3, {"excluded_damaged": ["id_number.excel_damage"], "rows_involved": 5, "duplicated_keys": 2,
                   "rows_to_remove": 3}, [(4, 1), (8, 2), (9, 1)])


@pytest.mark.postgres
def test_postgres_counts_duplicates_as_duckdb_does(pg_url: str, files: tuple[Path, Path]) -> None:
    parquet, schema = files
    load_table(pg_url, "register", ["id_number", "name"], register.ROWS)
    on_duckdb = run(parquet, schema)
    pushed = run(pg_url, schema, table="register", engine="postgres")
    assert duplicates(on_duckdb) == duplicates(pushed) == EXPECTED
    assert pushed.failed_counts == on_duckdb.failed_counts
    # A database row has no line to open; the Parquet record's is its index.
    assert [s.line for s in pushed.check("id_number.checksum").samples] == [None, None, None]
    assert [s.line for s in on_duckdb.check("id_number.checksum").samples] == [3, 10, 11]


@pytest.mark.spark
def test_spark_counts_duplicates_and_places_as_duckdb_does(spark: Any, files: tuple[Path, Path]) -> None:
    parquet, schema = files
    on_duckdb, on_spark = run(parquet, schema), run(parquet, schema, engine="spark")
    assert duplicates(on_spark) == duplicates(on_duckdb) == EXPECTED
    assert on_spark.failed_counts == on_duckdb.failed_counts
    for check in on_duckdb.checks:
        assert on_spark.check(check.rule_id).samples == check.samples, check.rule_id
    assert [(s.line, s.repeats_line) for s in on_spark.check("key.unique").samples] == [(4, 1), (8, 2), (9, 1)]
