"""The built-in national library: every standard addressable by its number, data traceable."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import pytest

from govstd.errors import NotFoundError
from govstd.standards import library
from govstd.standards.check import value_checker
from govstd.standards.models import CodeSet, DataElement
from govstd.standards.schema import entry_json_schema, render, shipped_schema


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("GB11643", "GB11643"),
        ("gb11643", "GB11643"),
        ("GB 11643-1999", "GB11643"),
        ("citizen_id", "GB11643"),
        ("GB32100", "GB32100"),
        ("uscc", "GB32100"),
        ("GB11714", "GB11714"),
        ("GBT2260", "GBT2260"),
        ("GB/T 2260", "GBT2260"),
        ("GBT2261.1", "GBT2261.1"),
        ("gbt2261.1@^1", "GBT2261.1"),
        ("GBT3304", "GBT3304"),
        ("mobile_phone", "mobile_phone"),
        ("GBT7408", "GBT7408"),
    ],
)
def test_every_builtin_is_addressable_by_standard_number(name: str, expected: str) -> None:
    assert library.find(name).id == expected


def test_unknown_standard_suggests_close_matches() -> None:
    with pytest.raises(NotFoundError) as err:
        library.find("GB11634")
    assert "GB11643" in err.value.suggestions


def test_ids_are_unique_case_insensitively() -> None:
    keys = [library.lookup_key(e.id) for e in library.builtin_entries()]
    assert len(keys) == len(set(keys))


def test_region_codes_keep_history_and_provenance() -> None:
    regions = library.find("GBT2260")
    assert isinstance(regions, CodeSet)
    assert regions.provenance is not None and regions.provenance.commit
    chongwen = [c for c in regions.codes if c.code == "110103"]
    assert chongwen and chongwen[0].valid_to == dt.date(2010, 1, 1)  # 崇文区, merged into 东城区 in 2010
    current = regions.current_codes(dt.date(2024, 12, 31))
    assert "110101" in current and "110103" not in current
    # 34 province-level units are in force (incl. 710000 台湾, 810000 香港, 820000 澳门)
    assert len({c for c in current if c.endswith("0000")}) == 34


def test_ethnicity_accepts_old_names_as_aliases() -> None:
    eth = library.find("GBT3304")
    assert isinstance(eth, CodeSet)
    by_code = {c.code: c for c in eth.codes}
    assert len([c for c in by_code if c.isdigit() and int(c) <= 56]) == 56
    assert "毛难族" in by_code["36"].aliases and "崩龙族" in by_code["46"].aliases
    assert {"97", "98"} <= set(by_code)


def test_documented_examples_get_the_documented_verdict() -> None:
    """Every example on every built-in standard is checked by the real algorithm."""
    seen = 0
    for entry in library.builtin_entries():
        if not isinstance(entry, DataElement):
            continue
        check = value_checker(entry)
        for example in entry.examples:
            verdict = check(example.value)
            assert verdict.valid is example.valid, (entry.id, example.value, verdict)
            if not example.valid and example.reason in {"checksum", "length", "birth_date", "excel_damage"}:
                assert verdict.error == example.reason, (entry.id, example.value, verdict)
            seen += 1
    assert seen >= 20


def test_shipped_json_schema_is_up_to_date() -> None:
    assert shipped_schema() == json.loads(render())


def test_builtins_validate_against_the_json_schema() -> None:
    schema = entry_json_schema()
    validator = jsonschema.Draft202012Validator(schema)
    for entry in library.builtin_entries():
        data = entry.model_dump(mode="json", exclude_none=True)
        if isinstance(entry, CodeSet) and entry.codes_file:
            data["codes"] = data["codes"][:5]
        validator.validate(data)
