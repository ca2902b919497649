"""Real, issued codes (tests/standards/data/real_codes.csv, each with its source): every issued code
is accepted, the findings the registries really produce (authority regions in no GB/T 2260 table) are
warnings, irregular service-item bodies are flagged — and the SQL checks count what the Python
modules say, value by value.

The file holds public registry codes of organisations (no personal data). Real codes of authorities
A/N/Y and of category 99 were not found in public sources within this change: those classes are tested
with constructed codes in test_numbers_gb32100.py (unsure: how they look in real registers).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from stdnum.cn import uscc as stdnum_uscc

from govstd.standards.models import CatalogueSchema, FieldSpec, Provider, ShareAttributes, ShareType
from govstd.standards.numbers import gb32100, service_item
from govstd.validators.api import validate

DATA = Path(__file__).parent / "data" / "real_codes.csv"
ROWS = list(csv.DictReader(DATA.read_text("utf-8").splitlines()))
USCCS = [r for r in ROWS if r["kind"] == "uscc"]
ITEMS = [r for r in ROWS if r["kind"] == "item"]


def test_the_file_covers_what_the_issue_asks() -> None:
    assert {r["province"] for r in ITEMS} >= {"Sichuan", "Guangdong", "Guangxi"}
    assert sum(r["finding"] == "region" for r in USCCS) >= 5
    assert all(r["source"] for r in ROWS)


@pytest.mark.parametrize("row", USCCS, ids=lambda r: r["value"])
def test_real_credit_codes(row: dict[str, str]) -> None:
    code, expect = row["value"], row["expect"]
    if expect == "valid":
        assert gb32100.validate(code) == code
        assert [f.code for f in gb32100.findings(code)] == ([row["finding"]] if row["finding"] else [])
        assert stdnum_uscc.is_valid(code)  # the outside oracle agrees these are valid
    else:
        assert [e.code for e in gb32100.check(code)] == [expect]
    if row["finding"] == "region":
        assert not gb32100.is_valid(code, strict=True)  # strict stays one option away


@pytest.mark.parametrize("row", ITEMS, ids=lambda r: r["value"][:24])
def test_real_service_item_codes(row: dict[str, str]) -> None:
    code = row["value"]
    matched = service_item.match_layout(code)
    assert matched is not None and matched[0] == row["layout"]
    problems = [p.code for p in service_item.check(code)]
    assert problems == ([] if row["expect"] == "valid" else [row["expect"]])
    if "body" in matched[1] and row["expect"] == "valid":
        assert gb32100.is_valid(matched[1]["body"])


def _schema(standard: str, **options: object) -> CatalogueSchema:
    return CatalogueSchema(
        id="real-codes", name_zh="真实代码", provider=Provider(name="test"),
        share=ShareAttributes(share_type=ShareType.NOT_SHARED),
        fields=[FieldSpec(name="code", standard=standard, options=dict(options))],
    )


def _run(tmp_path: Path, values: list[str], standard: str, **options: object) -> dict[str, tuple[int, str]]:
    path = tmp_path / "codes.csv"
    path.write_text("code\n" + "\n".join(values) + "\n", encoding="utf-8")
    result = validate(path, _schema(standard, **options), today=dt.date(2025, 6, 30), sample_size=0)
    return {c.rule_id: (c.failed, c.severity) for c in result.checks}


def test_sql_agrees_with_python_on_real_credit_codes(tmp_path: Path) -> None:
    values = [r["value"] for r in USCCS]
    counts = _run(tmp_path, values, "GB32100@^1")
    regions = sum(any(f.code == "region" for f in gb32100.findings(v)) for v in values)
    assert regions == 5
    assert counts["code.region"] == (regions, "warning")
    assert counts["code.category"] == (0, "warning")
    assert counts["code.checksum"] == (sum(any(e.code == "checksum" for e in gb32100.check(v)) for v in values),
                                       "error")
    strict = _run(tmp_path, values, "GB32100@^1", strict=True)
    assert strict["code.region"] == (regions, "error")


def test_sql_agrees_with_python_on_real_item_codes(tmp_path: Path) -> None:
    values = [r["value"] for r in ITEMS]
    counts = _run(tmp_path, values, "GBT39554.1@^1")
    python = [p.code for v in values for p in service_item.check(v)]
    assert counts["code.format"][0] == 0
    assert counts["code.body"] == (python.count("body"), "error") == (3, "error")
    assert counts["code.area_code"][0] == python.count("region") == 0
    per_layout = {lay.name: 0 for lay in service_item.LAYOUTS}
    for v in values:
        per_layout[(service_item.match_layout(v) or ("", {}))[0]] += 1
    assert per_layout == {"dashed_area_body": 2, "dashed_area_body_basic14": 4, "body_level_basic": 7,
                          "basic_code": 0}
