"""``govstd export frictionless``: a Table Schema that ``frictionless validate`` (its Python API) accepts."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import messy
import pytest
from frictionless import Resource, Schema, validate

from govstd.export import export, load_source


@pytest.fixture(scope="module")
def descriptor() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(export("frictionless", load_source(schema_file=messy.SCHEMA)).text)
    return document


def run(descriptor: dict[str, Any], path: Path) -> Any:
    return validate(Resource(path=path.name, basepath=str(path.parent), schema=Schema.from_descriptor(descriptor)))


def test_descriptor_is_a_valid_table_schema(descriptor: dict[str, Any]) -> None:
    report = Schema.validate_descriptor(descriptor)
    assert report.valid, report.flatten(["type", "note"])
    fields = {f["name"]: f for f in descriptor["fields"]}
    assert fields["id_number"]["type"] == "string"  # identifiers never as numbers: no digit lost
    assert fields["id_number"]["constraints"]["unique"] is True
    assert fields["amount"]["constraints"] == {"minimum": 0, "maximum": 100000}
    # What govstd accepts: the codes, and (match: any, the default) their labels and aliases.
    assert fields["sex"]["constraints"]["enum"] == ["0", "1", "2", "9", "女", "女性", "未知的性别", "未说明的性别",
                                                    "男", "男性"]


def test_clean_csv_is_valid(descriptor: dict[str, Any], tmp_path: Path) -> None:
    report = run(descriptor, messy.write_csv(tmp_path / "clean.csv", messy.ROWS[:40]))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_messy_csv_fails_on_its_rows_only(descriptor: dict[str, Any], tmp_path: Path) -> None:
    report = run(descriptor, messy.write_csv(tmp_path / "messy.csv"))
    assert not report.valid
    found = Counter((field, kind) for field, kind, row in report.flatten(["fieldName", "type", "rowNumber"]))
    assert all(kind in {"constraint-error", "type-error", "unique-error"} for _, kind in found)  # no schema errors
    # Where the Table Schema says what govstd checks, it finds the same rows.
    assert found[("ethnicity", "constraint-error")] == messy.EXPECTED["ethnicity.code_set"] == 1
    assert found[("amount", "constraint-error")] == messy.EXPECTED["amount.range"] == 1
    for name in ("amount", "birth_date", "accept_time"):
        assert found[(name, "type-error")] == messy.EXPECTED[f"{name}.type"] == 1, name


def test_checksums_are_listed_as_not_expressible(descriptor: dict[str, Any]) -> None:
    listed = {i["rule_id"]: i["note"] for i in descriptor["x-govstd"]["not_exported"]}
    for rule_id in ("id_number.checksum", "id_number.birth_date", "employer_uscc.checksum", "employer_uscc.org_code"):
        assert "not expressible in a Table Schema" in listed[rule_id], rule_id
    approximate = {i["rule_id"] for i in descriptor["x-govstd"]["approximate"]}
    assert "id_number.format" in approximate  # the shape only, as a pattern
