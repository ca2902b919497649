"""Samples are the *first* failing rows, however the source is split and read in parallel.

The data has many small Parquet row groups (DuckDB reads them on several threads) and checks that look
values up in reference tables (joins). An outside oracle — a plain Python pass over the same rows with
``govstd.standards.numbers`` — names the first failing rows of each check.
"""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from govstd.standards.models import CatalogueSchema, FieldSpec
from govstd.standards.numbers import gb11643, gbt2260
from govstd.validators.api import validate

ROWS = 60_000


def _schema() -> CatalogueSchema:
    return CatalogueSchema.model_validate({
        "kind": "catalogue_schema", "id": "000000-00001", "version": "1.0.0", "status": "standard",
        "name_zh": "样本顺序", "catalogue_class": "department", "classification": "0-00-000",
        "provider": {"name": "测试"}, "summary": "测试", "format": "数据库", "update_cycle": "daily",
        "publish_date": "2024-01-01", "share": {"share_type": "conditional"}, "open": {"open_to_public": False},
        "fields": [FieldSpec(name="region", code_set="GBT2260").model_dump(exclude_none=True),
                   FieldSpec(name="id_number", standard="GB11643").model_dump(exclude_none=True)],
    })


def _data() -> tuple[list[str], list[str]]:
    rng = random.Random(7)
    current = sorted(gbt2260.CURRENT_CODES())
    regions, ids = [], []
    for i in range(ROWS):
        regions.append(rng.choice(current) if rng.random() > 0.001 else f"99{i % 10000:04d}")
        body = f"{rng.choice(current)}19{rng.randint(50, 99)}0{rng.randint(1, 9)}1{rng.randint(0, 9)}{i % 1000:03d}"
        check = gb11643.calc_check_digit(body)
        if rng.random() < 0.001:  # a wrong check character
            check = "0" if check != "0" else "1"
        ids.append(body + check)
    return regions, ids


@pytest.fixture(scope="module")
def many_row_groups(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], list[str]]:
    regions, ids = _data()
    path = tmp_path_factory.mktemp("order") / "rows.parquet"
    pq.write_table(pa.table({"region": regions, "id_number": ids}), path, row_group_size=1024)
    return path, regions, ids


def test_samples_are_the_first_failing_rows_on_parallel_reads(
        many_row_groups: tuple[Path, list[str], list[str]]) -> None:
    path, regions, ids = many_row_groups
    current = gbt2260.CURRENT_CODES()
    bad_region = [i + 1 for i, r in enumerate(regions) if r not in current]
    bad_check = [i + 1 for i, v in enumerate(ids) if v[-1] != gb11643.calc_check_digit(v[:17])]
    assert len(bad_region) >= 20 and len(bad_check) >= 20  # enough failures for order to matter

    result = validate(path, _schema(), sample_size=5, threads=2)
    assert result.check("region.code_set").failed == len(bad_region)
    assert [s.row for s in result.check("region.code_set").samples] == bad_region[:5]
    assert result.check("id_number.checksum").failed == len(bad_check)
    assert [s.row for s in result.check("id_number.checksum").samples] == bad_check[:5]



def test_duplicate_samples_are_the_first_rows_repeating_an_earlier_key() -> None:
    """Row 2 repeats nothing; row 3 repeats row 2's key; row 5 repeats row 1's: with room for one
    sample, it is row 3 — the first repeating row — although row 1's key was seen first."""
    a, b, c = "11010519491231002X", "110105194912310029", "110105194912310037"
    ids = [a, b, b, c, a, c, b]
    table = pa.table({"region": ["110101"] * len(ids), "id_number": ids})
    schema = _schema()
    fields = [f.model_copy(update={"key": True}) if f.name == "id_number" else f for f in schema.fields]
    keyed = schema.model_copy(update={"fields": fields})
    assert [s.row for s in validate(table, keyed, sample_size=1).check("key.unique").samples] == [3]
    assert [s.row for s in validate(table, keyed, sample_size=3).check("key.unique").samples] == [3, 5, 6]
    assert validate(table, keyed).check("key.unique").failed == 4


def test_a_composite_key_counts_repeats_of_the_whole_key() -> None:
    """Key (region, id_number): the same ID in another region is no repeat; the same pair is."""
    a, b = "11010519491231002X", "110105194912310029"
    table = pa.table({"region": ["110101", "110102", "110101", "110102", "110101"],
                      "id_number": [a, a, a, b, "11010519491231002x"]})  # row 5 repeats row 1 once normalised
    schema = _schema()
    keyed = schema.model_copy(update={"fields": [f.model_copy(update={"key": True}) for f in schema.fields]})
    result = validate(table, keyed, sample_size=5)
    unique = result.check("key.unique")
    assert unique.columns == ["region", "id_number"]
    assert unique.failed == 2
    assert [s.row for s in unique.samples] == [3, 5]
