"""Under ``--memory-limit`` every path spills instead of failing: a key column of millions of distinct values.

The SQL path once counted uniqueness with COUNT(DISTINCT …) in its one-row aggregate, which holds every key
in memory: a 10 M-row file failed under 256 MB. Scaled down here (3 M keys of 36 characters under 128 MB, one
thread) to a size where that query fails and the grouped pass spills.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from govstd.validators.api import validate

ROWS = 3_000_000

SCHEMA = """\
kind: catalogue_schema
id: 510100-09999
version: 1.0.0
status: standard
name_zh: 业务编号登记
name_en: Reference numbers
catalogue_class: department
classification: 3-01-002
provider: {name: 某市人力资源和社会保障局, code: 11510100008764382C}
summary: 每笔业务一个编号。
format: 数据库
update_cycle: daily
publish_date: 2024-01-15
share: {share_type: unconditional, method: 接口}
open: {open_to_public: false}
fields:
  - {name: ref, name_zh: 业务编号, data_type: string, length: 40, required: true, key: true}
"""


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("keys")
    data, schema = root / "keys.csv", root / "schema.yaml"
    # Distinct keys, and one (row 7's) written twice: one repeating row.
    duckdb.sql(f"COPY (SELECT 'REF-' || md5(i::VARCHAR) AS ref FROM range({ROWS}) t(i) "
               f"UNION ALL SELECT 'REF-' || md5('7')) TO '{data}' (HEADER)")
    schema.write_text(SCHEMA, encoding="utf-8")
    return data, schema


@pytest.mark.parametrize("kernel", ["0", "1"])
def test_a_million_distinct_keys_spill_under_the_memory_limit(keys: tuple[Path, Path], kernel: str,
                                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVSTD_KERNEL", kernel)
    data, schema = keys
    result = validate(data, schema, memory_limit="128MB", threads=1, temp_directory=str(tmp_path / "spill"),
                      sample_size=0)
    (unique,) = [c for c in result.checks if c.rule_id == "key.unique"]
    assert (result.dataset.rows, unique.evaluated, unique.failed) == (ROWS + 1, ROWS + 1, 1)
