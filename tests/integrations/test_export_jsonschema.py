"""``govstd export jsonschema``: sample records validated with ``jsonschema`` and govstd's format checker."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import messy
import pytest

from govstd.export import export, load_source
from govstd.export.jsonschema import FORMATS, format_checker
from govstd.standards.numbers import gb11643


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(export("jsonschema", load_source(schema_file=messy.SCHEMA)).text)
    return document


def record(**changes: Any) -> dict[str, Any]:
    """A valid record as a JSON pipeline carries it: numbers as numbers, optional fields may be null."""
    row: dict[str, Any] = dict(messy.base_row(3))
    row["amount"] = float(row["amount"])
    row["updated_at"] = None
    row.update(changes)
    return row


def errors(schema: dict[str, Any], rec: dict[str, Any]) -> list[tuple[str, str]]:
    validator = jsonschema.Draft202012Validator(schema, format_checker=format_checker())
    return sorted((".".join(map(str, e.absolute_path)), e.validator) for e in validator.iter_errors(rec))


def test_the_schema_is_valid_json_schema(schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["id_number"]["format"] == "gb11643"
    assert schema["properties"]["employer_uscc"]["format"] == "gb32100"
    assert schema["properties"]["phone"]["format"] == "mobile-cn"
    assert set(schema["x-govstd"]["formats"]) <= set(FORMATS) | {"date"}


@pytest.mark.parametrize("changes", [
    {},
    {"id_number": "11010519491231002x"},            # lowercase x: normalised, as govstd does
    {"phone": "+86 138-1234-5678"},
    {"ethnicity": None, "region": None, "phone": None},
    {"id_number": messy.make_id("810000", messy.dt.date(1990, 1, 1), 1)},  # 港澳台居民居住证 layout
    {"employer_uscc": messy.make_uscc("110108", "MA01XXXX", "N2")},          # authority N
    {"accept_time": "2024-03-01T09:00:00+08:00"},
])
def test_valid_records_pass(schema: dict[str, Any], changes: dict[str, Any]) -> None:
    assert errors(schema, record(**changes)) == []


@pytest.mark.parametrize(("changes", "expected"), [
    ({"id_number": "110105194912310021"}, [("id_number", "format")]),            # check character
    ({"id_number": messy.make_id("110101", messy.dt.date(2030, 1, 1), 1)}, [("id_number", "format")]),
    ({"id_number": "110105491231002"}, [("id_number", "format")]),               # legacy 15 digits not allowed
    ({"id_number": "1.10105E+17"}, [("id_number", "format")]),
    ({"employer_uscc": "91110000600037341I"}, [("employer_uscc", "format")]),
    ({"phone": "12812345678"}, [("phone", "format")]),
    ({"sex": "3"}, [("sex", "enum")]),
    ({"ethnicity": "99"}, [("ethnicity", "enum")]),
    ({"region": "999999"}, [("region", "format")]),  # GB/T 2260 is too large for an enum: format gbt2260
    ({"amount": -5}, [("amount", "minimum")]),
    ({"amount": "十元"}, [("amount", "type")]),
    ({"birth_date": "1990-13-01"}, [("birth_date", "format")]),
    ({"accept_time": "昨天"}, [("accept_time", "format")]),
    ({"name": "  "}, [("name", "pattern")]),
    ({"name": None}, [("name", "type")]),
])
def test_invalid_records_fail_where_govstd_does(schema: dict[str, Any], changes: dict[str, Any],
                                                expected: list[tuple[str, str]]) -> None:
    assert errors(schema, record(**changes)) == expected


def test_missing_required_field(schema: dict[str, Any]) -> None:
    rec = record()
    del rec["accept_time"]
    assert errors(schema, rec) == [("", "required")]


def test_format_checker_uses_govstd_algorithms() -> None:
    checker = format_checker()
    body = "11010519491231002"
    assert checker.conforms(body + gb11643.calc_check_digit(body), "gb11643")
    assert not checker.conforms("110105194912310021", "gb11643")
    assert checker.conforms("110105491231002", "gb11643-legacy15")
    assert checker.conforms(42, "gb11643")  # formats apply to strings only
    assert checker.conforms("2024-03-01 09:00", "gbt7408-date-time")
    assert not checker.conforms("2024-02-30 09:00", "gbt7408-date-time")
    # as many fraction digits as govstd's timestamp grammar reads (nanoseconds), no more
    assert checker.conforms("2024-03-01T09:00:00.123456789+08:00", "gbt7408-date-time")
    assert not checker.conforms("2024-03-01 09:00:00.1234567890", "gbt7408-date-time")


def test_what_a_record_schema_cannot_say_is_listed(schema: dict[str, Any]) -> None:
    listed = {i["rule_id"]: i["note"] for i in schema["x-govstd"]["not_exported"]}
    for rule_id in ("key.unique", "rules.person_matches_id.birth_date", "rules.finish_after_accept", "rules.fresh"):
        assert rule_id in listed, rule_id
