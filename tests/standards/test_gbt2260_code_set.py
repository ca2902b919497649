"""One region list: the built-in GBT2260 code set holds exactly the codes ``numbers.gbt2260`` accepts.

The 市辖区 codes xxxx01 (e.g. 130101 石家庄市市辖区) are missing from the 民政部 tables and derived in
``gbt2260``; IDs and USCCs carry them, so a "current region" column bound to the code set must accept
them too — from the same derivation, not a second one.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import govstd
from govstd.standards import library
from govstd.standards.check import value_checker
from govstd.standards.models import CatalogueSchema, CodeSet
from govstd.standards.numbers import gb11643, gb11714, gb32100, gbt2260
from govstd.validators.results import ValidationResult

CITY_DISTRICTS = "130101"  # 石家庄市市辖区: derived, not in the 民政部 files
TODAY = dt.date(2025, 6, 2)


def _regions() -> CodeSet:
    entry = library.find("GBT2260")
    assert isinstance(entry, CodeSet)
    return entry


def _id_number(region: str) -> str:
    first17 = f"{region}19800101001"
    return first17 + gb11643.calc_check_digit(first17)


def _uscc(region: str) -> str:
    org = "12345678" + gb11714.calc_check_digit("12345678")
    first17 = "91" + region + org
    return first17 + gb32100.calc_check_digit(first17)


def test_city_districts_code_is_in_the_code_set_and_accepted_by_numbers() -> None:
    assert CITY_DISTRICTS not in {r.code for r in gbt2260.history_rows(include_derived=False)}
    rows = [c for c in _regions().codes if c.code == CITY_DISTRICTS]
    assert len(rows) == 1
    row = rows[0]
    assert (row.label_zh, row.level, row.parent) == ("市辖区", gbt2260.CITY_DISTRICTS_LEVEL, "130100")
    assert row.valid_from == dt.date(1981, 1, 1) and row.valid_to is None  # 石家庄市's own period
    assert CITY_DISTRICTS in _regions().current_codes(TODAY)
    assert value_checker(_regions())(CITY_DISTRICTS).valid  # `govstd check GBT2260 130101`
    assert gbt2260.validate(CITY_DISTRICTS, current=True) == CITY_DISTRICTS
    assert gbt2260.is_known(CITY_DISTRICTS, 1990) and gbt2260.name(CITY_DISTRICTS) == "市辖区"
    assert gb11643.is_valid(_id_number(CITY_DISTRICTS))
    assert gb32100.is_valid(_uscc(CITY_DISTRICTS))


def test_code_set_rows_are_the_gbt2260_records() -> None:
    """No second derivation: row for row, the code set is ``gbt2260.history_rows()``."""
    as_records = [
        (c.code, c.label_zh, c.level, c.valid_from.year if c.valid_from else None,
         c.valid_to.year if c.valid_to else None)
        for c in _regions().codes
    ]
    assert as_records == [tuple(r) for r in gbt2260.history_rows()]
    assert len(as_records) == 6823 + 301  # the file's records + the derived ones (292 codes)
    parents = {r.code: r.parent_code for r in gbt2260.current_rows()}
    assert all(c.parent == parents[c.code] for c in _regions().codes if c.valid_to is None)
    assert all(c.parent is None for c in _regions().codes if c.valid_to is not None and c.level != "city_districts")


def test_code_set_current_and_all_codes_equal_gbt2260() -> None:
    regions = _regions()
    end_of_data_year = dt.date(gbt2260.DATA_YEAR, 12, 31)
    assert regions.current_codes(end_of_data_year) == set(gbt2260.CURRENT_CODES())
    assert regions.current_codes(TODAY) == set(gbt2260.CURRENT_CODES())
    assert regions.all_codes() == set(gbt2260.HISTORICAL_CODES())
    # Retired codes keep their meaning: 崇文区 until 2010, in the code set and in gbt2260 alike.
    assert "110103" in regions.current_codes(dt.date(2009, 12, 31)) and gbt2260.is_known("110103", 2009)
    assert "110103" not in regions.current_codes(dt.date(2010, 1, 1)) and not gbt2260.is_known("110103", 2010)


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=dt.date(gbt2260.HISTORY_FIRST_YEAR, 1, 1), max_value=dt.date(2035, 12, 31)))
def test_codes_in_force_on_any_day_are_the_codes_gbt2260_accepts_that_year(day: dt.date) -> None:
    in_code_set = _regions().current_codes(day)
    accepted = {code for code in gbt2260.HISTORICAL_CODES() if gbt2260.is_known(code, day.year)}
    assert in_code_set == accepted
    if day.year > gbt2260.DATA_YEAR:
        assert in_code_set == set(gbt2260.CURRENT_CODES())


@pytest.fixture(scope="module")
def result() -> ValidationResult:
    schema = CatalogueSchema.model_validate({
        "id": "130100-00001", "name_zh": "某市户籍人员", "provider": {"name": "某市公安局"},
        "share": {"share_type": "conditional"},
        "fields": [
            {"name": "region", "code_set": "GBT2260@^2024"},
            {"name": "id_number", "standard": "GB11643@^1"},
            {"name": "uscc", "standard": "GB32100@^1"},
        ],
    })
    regions = [CITY_DISTRICTS, "511301", "110105", "110103", "999999"]
    table = pa.table({
        "region": regions,
        "id_number": [_id_number(r) for r in regions[:3]] + [_id_number("110103"), _id_number("110105")],
        "uscc": [_uscc(r) for r in regions[:3]] + [_uscc("110103"), _uscc("110105")],
    })
    return govstd.validate(table, schema, today=TODAY, sample_size=5)


def test_validate_accepts_city_districts_in_a_region_column(result: ValidationResult) -> None:
    check = result.check("region.code_set")
    assert check.evaluated == 5
    assert check.failed == 2  # 110103 (retired in 2010) and 999999; 130101 and 511301 pass
    assert {s.values.get("region") for s in check.samples} == {"110103", "999999"}
    # The same codes pass the identifier checks' region parts.
    assert result.check("id_number.region").failed == 0
    assert result.check("uscc.region").failed == 0
