"""Hand-built files with known exact counts: non-canonical forms, already-masked values, labels in
code-set columns, and a check that can evaluate no row (issue 13).

Ten valid rows (``messy.base_row``) each get at most one trap; every count below follows from the
rows, written once as a GB18030 CSV and once as an XLSX with title rows above the header.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import messy
import pytest

from govstd.validators.api import validate
from govstd.validators.results import ValidationResult

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def rows() -> list[dict[str, str]]:
    out = [messy.base_row(i) for i in range(10)]
    out[0]["id_number"] = out[0]["id_number"][:6].translate(FULLWIDTH) + out[0]["id_number"][6:]
    out[1]["phone"] = "+86 " + out[1]["phone"]
    out[2]["sex"] = "男" if out[2]["sex"] == "1" else "女"  # an alias of 男性 / 女性
    out[3]["ethnicity"] = "汉族"  # the label of 01
    out[4]["ethnicity"] = "毛难族"  # GB/T 3304's old name of 毛南族 (36): an alias
    out[5]["id_number"] = "110101********123X"  # masked, not declared masked
    out[6]["id_number"] = "110101199*******"  # masked at the end: 16 characters, not a length error
    out[7]["phone"] = "138****5678"
    return out


WRITERS = {
    "csv_gb18030": lambda d: messy.write_csv(d / "c.csv", rows(), encoding="gb18030", newline="\r\n"),
    "xlsx_title_rows": lambda d: messy.write_xlsx(d / "c.xlsx", rows()),
}


@pytest.fixture(scope="module", params=list(WRITERS))
def result(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ValidationResult:
    path = WRITERS[request.param](tmp_path_factory.mktemp("canonical"))
    return validate(path, messy.SCHEMA, today=messy.TODAY, service_items=messy.SERVICE_ITEMS)


def counts(result: ValidationResult, rule_id: str) -> tuple[int, int, str]:
    c = result.check(rule_id)
    return c.evaluated, c.failed, c.severity


def test_non_canonical_forms_are_warnings_and_every_other_check_reads_the_normalised_value(
        result: ValidationResult) -> None:
    assert result.dataset.rows == 10
    assert counts(result, "id_number.normalised") == (8, 1, "warning")  # 2 masked rows left out
    assert result.check("id_number.normalised").details["breakdown"]["fullwidth"] == 1
    assert result.check("id_number.normalised").dimension.value == "conformity"
    assert counts(result, "phone.normalised") == (9, 1, "warning")
    assert result.check("phone.normalised").details["breakdown"]["country_prefix"] == 1
    # The normalised value passes every other check: no length, format, checksum or region error.
    for rule in ("length", "format", "checksum", "region", "birth_date"):
        assert result.check(f"id_number.{rule}").failed == 0, rule
    assert counts(result, "phone.format") == (9, 0, "error")


def test_masked_values_are_counted_not_format_errors(result: ValidationResult) -> None:
    assert counts(result, "id_number.masked") == (10, 2, "warning")  # not declared masked: a warning
    assert counts(result, "id_number.length") == (8, 0, "error")
    assert counts(result, "id_number.format") == (8, 0, "error")
    assert counts(result, "phone.masked") == (10, 1, "warning")
    assert counts(result, "phone.length") == (9, 0, "error")
    # Shared unconditionally: every full valid identifier is exposed; masked values are not.
    assert counts(result, "id_number.pii_exposure") == (10, 8, "error")
    assert counts(result, "phone.pii_exposure") == (10, 9, "error")


def test_labels_are_accepted_as_codes_with_a_warning(result: ValidationResult) -> None:
    assert counts(result, "sex.code_set") == (10, 0, "error")
    assert counts(result, "sex.normalised") == (10, 1, "warning")
    assert result.check("sex.normalised").details["breakdown"] == {"label": 1, "alias": 1, "whitespace": 0}
    assert counts(result, "ethnicity.code_set") == (10, 0, "error")
    assert counts(result, "ethnicity.normalised") == (10, 2, "warning")
    assert result.check("ethnicity.normalised").details["breakdown"] == {"label": 2, "alias": 1, "whitespace": 0}
    # The sex consistency rule reads 男 as 1: it evaluates that row and finds no disagreement.
    assert counts(result, "rules.person_matches_id.sex") == (8, 0, "error")


def test_codes_only_makes_labels_errors_and_an_all_label_column_unmeasured(tmp_path: Path) -> None:
    schema = tmp_path / "schema.yaml"
    schema.write_text(messy.SCHEMA.read_text(encoding="utf-8").replace(
        'code_set: "GBT2261.1@^1", required: true}',
        'code_set: "GBT2261.1@^1", required: true, options: {match: code}}'), encoding="utf-8")
    labelled = [{**messy.base_row(i), "sex": "男性" if messy.base_row(i)["sex"] == "1" else "女性"} for i in range(6)]
    data = messy.write_csv(tmp_path / "labels.csv", labelled, encoding="gb18030")
    result = validate(data, schema, today=messy.TODAY, service_items=messy.SERVICE_ITEMS)
    assert counts(result, "sex.code_set") == (6, 6, "error")
    # codes only: no label is non-canonical, all are wrong (the check left reports whitespace only)
    assert result.failed_counts["sex.normalised"] == 0
    assert set(result.check("sex.normalised").details.get("breakdown", {})) <= {"whitespace"}
    sex = result.check("rules.person_matches_id.sex")
    assert (sex.evaluated, sex.failed) == (0, 0)
    assert sex.unmeasured_reason is not None and sex.unmeasured_reason.startswith(
        "sex holds no GB/T 2261.1 male/female value (1, 2)")
    proc = subprocess.run([sys.executable, "-m", "govstd", "--lang", "en", "validate", str(data), "--schema-file",
                           str(schema),
                           "--today", messy.TODAY.isoformat()], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    flat = " ".join(proc.stdout.split())
    assert "unmeasured — sex holds no GB/T 2261.1" in flat and "unmeasured" in flat.split("checks:")[1]


def test_short_ethnicity_names_are_labels_normalised_to_their_code(tmp_path: Path) -> None:
    # GB/T 3304 names without 族 (汉, 蒙古, 回, 藏), as many department systems write them, and an old name
    # without 族 (毛难): accepted as their code and reported as non-canonical (aliases of GBT3304 1.1.0).
    short = ["汉", "蒙古", "回", "藏", "毛难", "汉族", "01", " 02", "汉人", "蒙"]
    data = messy.write_csv(tmp_path / "short.csv", [{**messy.base_row(i), "ethnicity": v} for i, v in enumerate(short)],
                           encoding="gb18030")
    result = validate(data, messy.SCHEMA, today=messy.TODAY, service_items=messy.SERVICE_ITEMS)
    # 汉人 and 蒙 are no GB/T 3304 name (colloquial forms are not guessed): errors.
    assert counts(result, "ethnicity.code_set") == (10, 2, "error")
    assert counts(result, "ethnicity.normalised") == (8, 7, "warning")
    # "label" counts labels and aliases alike; "alias" the aliases alone.
    assert result.check("ethnicity.normalised").details["breakdown"] == {"label": 6, "alias": 5, "whitespace": 1}
