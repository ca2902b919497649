"""Parity of the conditional rules (issue 13): the hand-built 办件 extract (``tests/validators/conditional.py``)
gives the same counts, samples and details when PostgreSQL runs the checks as when DuckDB does — and
the exact counts the extract was built with. Spark: one small run on the same rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import conditional
import pytest
from engine_testlib import assert_same, comparable, load_table, without_places

from govstd.validators import api
from govstd.validators.results import ValidationResult

pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")


def _exact(result: ValidationResult) -> None:
    for check in result.checks:
        assert check.failed == conditional.EXPECTED.get(check.rule_id, 0), (result.engine, check.rule_id)


@pytest.fixture(scope="module")
def schema_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return conditional.write_schema(tmp_path_factory.mktemp("schema") / "cases.yaml")


@pytest.fixture(scope="module")
def on_duckdb(tmp_path_factory: pytest.TempPathFactory, schema_path: Path) -> ValidationResult:
    path = conditional.write_csv(tmp_path_factory.mktemp("cases") / "cases.csv")
    result = api.validate(path, schema_path, today=conditional.TODAY)
    _exact(result)
    return result


@pytest.mark.postgres
def test_postgres_gives_duckdbs_result_on_the_conditional_rules(pg_url: str, schema_path: Path,
                                                                on_duckdb: ValidationResult) -> None:
    rows = [[r[c] or None for c in conditional.COLUMNS] for r in conditional.ROWS]
    load_table(pg_url, "cases", conditional.COLUMNS, rows)
    duck = api.validate(pg_url, schema_path, table="cases", today=conditional.TODAY)
    pushed = api.validate(pg_url, schema_path, table="cases", engine="postgres", today=conditional.TODAY)
    assert pushed.engine == "postgres"
    _exact(pushed)
    assert_same(duck, pushed)
    # on_duckdb read a file, whose records have a physical line; a database row has none.
    assert without_places(comparable(pushed)["checks"]) == without_places(comparable(on_duckdb)["checks"])


@pytest.mark.spark
def test_spark_gives_duckdbs_result_on_the_conditional_rules(spark: Any, tmp_path: Path, schema_path: Path,
                                                             on_duckdb: ValidationResult) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "cases.parquet"
    pq.write_table(pa.table({c: pa.array([r[c] or None for r in conditional.ROWS], type=pa.string())
                             for c in conditional.COLUMNS}), path)
    duck = api.validate(path, schema_path, today=conditional.TODAY)
    on_spark = api.validate(path, schema_path, engine="spark", today=conditional.TODAY)
    _exact(on_spark)
    assert_same(duck, on_spark)
