"""GB/T 2260 region codes: the shipped tables, history by year, derived 市辖区 codes."""

from __future__ import annotations

import pytest
from stdnum import numdb

from govstd.standards.numbers import exceptions as exc
from govstd.standards.numbers import gbt2260


def test_table_sizes_match_their_provenance() -> None:
    # data/SOURCES.md: 3,213 current codes; 6,823 history records over 6,450 distinct codes.
    assert len(gbt2260.current_rows(include_derived=False)) == 3213
    assert len(gbt2260.history_rows(include_derived=False)) == 6823
    assert len({r.code for r in gbt2260.history_rows(include_derived=False)}) == 6450
    assert gbt2260.CURRENT_CODES() <= gbt2260.HISTORICAL_CODES()
    assert isinstance(gbt2260.CURRENT_CODES(), frozenset)
    assert {"710000", "810000", "820000"} <= gbt2260.CURRENT_CODES()


def test_rows_have_the_table_shape() -> None:
    record = next(r for r in gbt2260.history_rows() if r.code == "110103")
    assert record == gbt2260.RegionRecord("110103", "崇文区", "county", 1981, 2010)
    assert record._fields == ("code", "name", "level", "valid_from_year", "valid_to_year_exclusive")
    assert all(r.code.isdigit() and len(r.code) == 6 for r in gbt2260.history_rows())


@pytest.mark.parametrize(
    ("code", "year", "known"),
    [
        ("110103", None, True),
        ("110103", 1975, True),  # before the table starts: a 1981 record counts as older
        ("110103", 2009, True),
        ("110103", 2010, False),  # 崇文区 abolished in 2010
        ("440524", 1982, False),  # 潮阳县: 1983-1993
        ("440524", 1983, True),
        ("440524", 1992, True),
        ("440524", 1993, False),
        ("810000", 1990, False),  # 香港: from 1997
        ("810000", 2030, True),
        ("999999", None, False),
        ("11010", None, False),
    ],
)
def test_is_known_by_year(code: str, year: int | None, known: bool) -> None:
    assert gbt2260.is_known(code, year) is known


def test_current_and_names() -> None:
    assert gbt2260.is_current("110101") and not gbt2260.is_current("110103")
    assert gbt2260.name("110103") == "崇文区"
    assert gbt2260.name("110103", 2015) is None
    assert gbt2260.name("110000") == "北京市"
    assert gbt2260.name("999999") is None


def test_derived_city_district_codes_match_stdnum() -> None:
    derived = {r.code for r in gbt2260.history_rows() if r.level == gbt2260.CITY_DISTRICTS_LEVEL}
    db = numdb.get("cn/loc")

    def stdnum_city_districts(code: str) -> bool:
        info = {k: v for _, props in db.info(code) for k, v in props.items()}
        return "市辖区" in info.get("county", "")

    assert len(derived) == 292
    assert all(stdnum_city_districts(code) for code in derived)
    assert "511301" in derived and gbt2260.is_known("511301", 1993) and not gbt2260.is_known("511301", 1992)
    assert not gbt2260.is_known("441901")  # 东莞市 has no districts, so no 市辖区 code
    assert gbt2260.is_known("511301", 1993) and gbt2260.name("511301") == "市辖区"
    assert next(r for r in gbt2260.current_rows() if r.code == "511301").parent_code == "511300"


def test_historical_codes_are_the_codes_of_every_record() -> None:
    # HISTORICAL_CODES reads the code columns alone (no records): the same set as the records give.
    records = {r.code for r in gbt2260.history_rows()} | {r.code for r in gbt2260.current_rows()}
    assert gbt2260.HISTORICAL_CODES() == records
    assert "511301" in records and len(records) == len(gbt2260.HISTORICAL_CODES()) > 6450
    assert all(gbt2260.is_known(code) for code in gbt2260.HISTORICAL_CODES())


def test_validate() -> None:
    assert gbt2260.validate("１１０１０５") == "110105"
    assert gbt2260.validate("110103") == "110103"
    with pytest.raises(exc.InvalidRegion, match="2010"):
        gbt2260.validate("110103", year=2010)
    with pytest.raises(exc.InvalidRegion, match="end of 2024"):
        gbt2260.validate("110103", current=True)
    with pytest.raises(exc.InvalidLength):
        gbt2260.validate("11010")
    with pytest.raises(exc.InvalidFormat):
        gbt2260.validate("11010A")
    assert gbt2260.is_valid("110105", current=True)
    assert not gbt2260.is_valid("1.10105E+5") and not gbt2260.is_valid("")
    assert gbt2260.compact(" 110105 ") == "110105"


def test_tables_load_once() -> None:
    assert gbt2260.history_rows() is gbt2260.history_rows()
    assert gbt2260.CURRENT_CODES() is gbt2260.CURRENT_CODES()
