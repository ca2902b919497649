"""govstd's custom GX expectations, one by one, on pandas and on SQLite: the values real department
data holds (lowercase x, full-width digits, spaces, Excel damage, masked values, retired region
codes, A/N/Y credit codes) are judged as ``govstd check`` judges them, on both engines alike."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import pytest

from conftest import write_sqlite
from govstd.standards.numbers import gb11643, gb11714, gb32100
from govstd.validators.compiler import UnsupportedCheck

TODAY = dt.date(2025, 6, 2)
_names = itertools.count()


def cid(region: str, born: str, seq: int) -> str:
    body = f"{region}{born}{seq:03d}"
    return body + gb11643.calc_check_digit(body)


def uscc(authority_category: str, region: str, body: str) -> str:
    first17 = authority_category + region + body + gb11714.calc_check_digit(body)
    return first17 + gb32100.calc_check_digit(first17)


VALID = "11010519491231002X"
IDS = [
    VALID,
    "11010519491231002x",                      # lowercase x: harmless
    "１１０１０５１９４９１２３１００２Ｘ",        # full-width: harmless
    " 11010519491231002X ",                    # padded: harmless
    "110105194912310021",                      # wrong check character
    "110105491231002",                         # legacy 15 digits
    "110105********002X",                      # already masked
    cid("110101", "20300101", 113),            # born in the future
    cid("110103", "19800101", 1),              # 崇文区, retired 2010: still a valid address code
    cid("999999", "19800101", 1),              # no such address code
    cid("810000", "19900101", 1),              # 港澳台居民居住证 layout: valid for govstd
    "1.10105E+17",                             # Excel damage
]
# part → failing values among IDS (as govstd validate counts them)
# The already-masked value is out of every part's scope (govstd counts it in <column>.masked), declared
# masked or not: it is no longer a format failure (issue 13).
ID_FAILURES = {"valid": 5, "length": 2, "format": 0, "checksum": 1, "birth_date": 1, "region": 1}


def run(gx_context: Any, engine: str, tmp_path: Path, columns: dict[str, list[str | None]],
        expectations: list[Any]) -> list[Any]:
    """Run ``expectations`` with GX over ``columns``, on pandas or on a SQLite table."""
    import great_expectations as gx
    import pandas as pd

    n = next(_names)
    suite = gx_context.suites.add(gx.ExpectationSuite(name=f"s{n}", expectations=expectations))
    if engine == "pandas":
        frame = pd.DataFrame(columns, dtype=object)
        batch = (gx_context.data_sources.add_pandas(f"p{n}").add_dataframe_asset("t")
                 .add_batch_definition_whole_dataframe("b").get_batch(batch_parameters={"dataframe": frame}))
    else:
        names = list(columns)
        rows = [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]
        path = write_sqlite(tmp_path / f"t{n}.sqlite", rows, names, table="t")
        batch = (gx_context.data_sources.add_sqlite(f"q{n}", connection_string=f"sqlite:///{path}")
                 .add_table_asset("t", table_name="t").add_batch_definition_whole_table("b").get_batch())
    return list(batch.validate(suite, result_format="SUMMARY").results)


def counts(results: list[Any]) -> list[int | None]:
    return [r.result.get("unexpected_count") if r.result else None for r in results]


ENGINES = ["pandas", "sqlite"]


@pytest.mark.parametrize("engine", ENGINES)
def test_gb11643_parts(gx_context: Any, engine: str, tmp_path: Path) -> None:
    from govstd.integrations.gx import ExpectColumnValuesToBeValidGb11643 as E

    parts = list(ID_FAILURES)
    results = run(gx_context, engine, tmp_path, {"id": list(IDS)},
                  [E(column="id", part=p, today=TODAY.isoformat()) for p in parts])
    assert dict(zip(parts, counts(results), strict=True)) == ID_FAILURES


@pytest.mark.parametrize("engine", ENGINES)
def test_gb11643_options(gx_context: Any, engine: str, tmp_path: Path) -> None:
    from govstd.integrations.gx import ExpectColumnValuesToBeValidGb11643 as E

    t = TODAY.isoformat()
    results = run(gx_context, engine, tmp_path, {"id": list(IDS)}, [
        E(column="id", part="length", allow_legacy_15=True, today=t),   # the 15-digit number is allowed
        E(column="id", part="region", region_policy="current", today=t),  # now 崇文区 fails too
        E(column="id", part="format", masked=True, today=t),            # masked values are out of scope
        E(column="id", algorithm="residence_permit", part="region", today=t),
    ])
    assert counts(results) == [1, 2, 0, 8]


@pytest.mark.parametrize("engine", ENGINES)
def test_gb32100(gx_context: Any, engine: str, tmp_path: Path) -> None:
    from govstd.integrations.gx import ExpectColumnValuesToBeValidGb32100 as E

    good = uscc("91", "110108", "60003734")
    codes = [
        good,
        good.lower(),
        uscc("Y1", "110108", "60003735"),       # authority Y (python-stdnum rejects these)
        uscc("N2", "510104", "MA6CXXXX"),        # authority N, letters in the organisation code
        good[:17] + ("0" if good[17] != "0" else "1"),  # check character
        "91110000600037341I",                    # I is not in the alphabet
        "110108000000016",                       # an old 15-digit registration number
        uscc("95", "110101", "60003795"),        # authority 9 has no category 5
        uscc("91", "990000", "60003796"),        # no such region
        None,
    ]
    parts = ["valid", "length", "format", "checksum", "category", "region"]
    results = run(gx_context, engine, tmp_path, {"code": codes}, [E(column="code", part=p) for p in parts])
    # A category or region outside the tables is a warning, not invalid (issued codes carry them):
    # "valid" counts the error parts only; the category and region parts still count their rows.
    assert dict(zip(parts, counts(results), strict=True)) == {
        "valid": 3, "length": 1, "format": 1, "checksum": 1, "category": 1, "region": 1}


@pytest.mark.parametrize("engine", ENGINES)
def test_code_set_pinned_and_trimmed(gx_context: Any, engine: str, tmp_path: Path) -> None:
    import great_expectations as gx

    from govstd.integrations.gx import ExpectColumnValuesToBeInGovstdCodeSet as E

    regions = ["110101", " 510104 ", "110103", "999999", None]
    results = run(gx_context, engine, tmp_path, {"region": regions}, [
        E(column="region", code_set="GBT2260@2024.1.0", today=TODAY.isoformat()),   # 110103 retired in 2010
        E(column="region", code_set="GBT2260@2024.1.0", historical=True),
        E(column="region", code_set="GBT2260@2024.1.0", as_of="2005-01-01"),
        # The documented difference of the built-in: GX compares the raw (padded) value.
        gx.expectations.ExpectColumnValuesToBeInSet(column="region", value_set=["110101", "510104", "110103"]),
    ])
    assert counts(results) == [2, 1, 1, 2]


@pytest.mark.parametrize("engine", ENGINES)
def test_id_pairs(gx_context: Any, engine: str, tmp_path: Path) -> None:
    from govstd.integrations.gx import ExpectColumnPairValuesToMatchGb11643 as E

    female = cid("110101", "19900307", 2)
    male = cid("510104", "19851111", 11)
    columns: dict[str, list[str | None]] = {
        "id": [female, male, male.lower(), female, "110101199003070021", None],
        "born": ["1990-03-07", "1985/11/11", "19851111", "1990-3-8", "1990-03-07", "1990-03-07"],
        "sex": ["2", "1", "2", "1", "2", "1"],
        "region": ["110101", "510100", "51", "330106", None, "110101"],
    }
    results = run(gx_context, engine, tmp_path, columns, [
        E(column_A="id", column_B="born", aspect="birth_date"),
        E(column_A="id", column_B="sex", aspect="sex"),
        E(column_A="id", column_B="region", aspect="region"),
    ])
    # birth date: row 4 (3/8 ≠ 3/7); sex: rows 3 and 4; region: row 4 (Zhejiang is not Beijing).
    assert counts(results) == [1, 2, 1]


@pytest.mark.parametrize("engine", ENGINES)
def test_field_checks_and_comparisons(gx_context: Any, engine: str, tmp_path: Path) -> None:
    from govstd.integrations.gx import ExpectColumnPairValuesToPassGovstdComparison as Compare
    from govstd.integrations.gx import ExpectColumnValuesToPassGovstdCheck as Check

    columns: dict[str, list[str | None]] = {
        "amount": ["1.5", "-5", "十元", " 7 ", "200000", None],
        "accept": ["2024-03-01 09:00:00", "2024-3-1 9:00", "2024/03/05 10:00", "昨天", "20240301", None],
        "finish": ["2024-03-01 10:00:00", "2024-02-28 09:00:00", "2024-03-05T09:00:00", "2024-03-06", None, None],
        "phone": ["13812345678", "+86 138-1234-5678", "12812345678", "(0086)13912345678", "1381234567", None],
    }
    decimal = {"data_type": "decimal", "minimum": 0, "maximum": 100000}
    results = run(gx_context, engine, tmp_path, columns, [
        Check(column="amount", check="type", field=decimal),
        Check(column="amount", check="range", field=decimal),
        Check(column="accept", check="type", field={"data_type": "datetime"}),
        Check(column="phone", check="valid", field={"standard": "mobile_phone@1.0.0"}),
        Check(column="phone", check="normalised", field={"standard": "mobile_phone@1.0.0"}),
        Compare(column_A="finish", column_B="accept", op=">=", left_type="datetime"),
    ])
    # type: 十元; range: -5 and 200000; accept: 昨天; phone: 128… and 10 digits; normalised: +86… and
    # (0086)…; finish ≥ accept: rows 2 and 3 (03-05T09:00 < 03-05 10:00) — 昨天 and blanks are not judged.
    assert counts(results) == [1, 2, 1, 2, 2, 2]


def test_unknown_part_is_a_clear_error() -> None:
    from govstd.errors import InputError
    from govstd.integrations.gx.conditions import identifier_condition

    with pytest.raises(InputError, match=r"has no check .checksums.*checksum"):
        identifier_condition("id", "gb11643", "checksums")


def test_engine_without_compiler_is_named() -> None:
    from govstd.integrations.gx.evaluate import sql_dialect

    with pytest.raises(UnsupportedCheck, match="'oracle'"):
        sql_dialect("oracle")
