"""Conditional rules (issue 13) on a hand-built 办件 extract: every failed count exact, in a GB18030 CSV
and an XLSX with a title row; how the rules read in YAML, and what an author gets wrong."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import conditional
import pytest
from stdnum.cn import ric, uscc

from govstd.errors import InputError
from govstd.standards.loader import load_text
from govstd.standards.models import CatalogueSchema, RangeRule, RequiredIfRule, StandardByRule
from govstd.validators.api import validate
from govstd.validators.derive import derive
from govstd.validators.results import ValidationResult


@pytest.fixture(scope="module")
def schema_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return conditional.write_schema(tmp_path_factory.mktemp("schema") / "cases.yaml")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory, schema_path: Path) -> dict[str, ValidationResult]:
    folder = tmp_path_factory.mktemp("cases")
    files = {"csv_gb18030": conditional.write_csv(folder / "cases.csv"),
             "xlsx": conditional.write_xlsx(folder / "cases.xlsx")}
    return {name: validate(path, schema_path, today=conditional.TODAY) for name, path in files.items()}


@pytest.mark.parametrize("fmt", ["csv_gb18030", "xlsx"])
def test_every_count_is_exact(results: dict[str, ValidationResult], fmt: str) -> None:
    result = results[fmt]
    assert result.dataset.rows == len(conditional.ROWS) == 56
    got = result.failed_counts
    expected = conditional.EXPECTED
    assert set(expected) <= set(got), sorted(set(expected) - set(got))
    mismatches = {k: (got[k], expected.get(k, 0)) for k in got if got[k] != expected.get(k, 0)}
    assert not mismatches, mismatches


def test_the_two_formats_agree(results: dict[str, ValidationResult]) -> None:
    csv_result, xlsx_result = results["csv_gb18030"], results["xlsx"]
    assert [(c.rule_id, c.evaluated, c.failed) for c in csv_result.checks] == \
        [(c.rule_id, c.evaluated, c.failed) for c in xlsx_result.checks]


def test_required_if_reads_the_condition_and_counts_only_where_it_holds(
        results: dict[str, ValidationResult]) -> None:
    result = results["csv_gb18030"]
    closed = sum(1 for r in conditional.ROWS if r["status"].strip() in ("办结", "已办结"))
    check = result.check("rules.finished_has_time")
    assert (check.evaluated, check.failed) == (closed, 3)
    assert check.dimension.value == "completeness" and check.indicator == "数据元素完整性"
    taken = sum(1 for r in conditional.ROWS if r["status"].strip() not in ("", "待受理"))
    assert result.check("rules.taken_has_handler").evaluated == taken
    finished = sum(1 for r in conditional.ROWS if r["finish_time"].strip())
    assert result.check("rules.finished_has_result").evaluated == finished


def test_the_chosen_standard_applies_only_where_the_selector_names_it(
        results: dict[str, ValidationResult]) -> None:
    result = results["csv_gb18030"]
    rows = conditional.ROWS
    as_id = [r["id_no"] for r in rows if r["id_type"] in ("111", "居民身份证")]
    as_uscc = [r["id_no"] for r in rows if r["id_type"] in ("49", "统一社会信用代码")]
    as_passport = [r["id_no"] for r in rows if r["id_type"] in ("414", "护照")]
    # python-stdnum's check characters as the outside oracle (its is_valid also judges regions by birth year).
    as_id = [v.strip() for v in as_id]
    assert result.check("id_no.GB11643.checksum").evaluated == len(as_id)
    assert result.check("id_no.GB11643.checksum").failed == sum(ric.calc_check_digit(v) != v[17] for v in as_id) == 1
    assert result.check("id_no.GB32100.checksum").evaluated == len(as_uscc)
    assert result.check("id_no.GB32100.checksum").failed == \
        sum(uscc.calc_check_digit(v[:17]) != v[17] for v in as_uscc) == 1
    assert result.check("id_no.passport.pattern").evaluated == len(as_passport)
    assert "id_no.checksum" not in result.failed_counts  # no unconditional identifier checks
    unknown = result.check("rules.id_by_type")
    assert (unknown.evaluated, unknown.failed) == (sum(1 for r in rows if r["id_no"].strip()), 2)
    assert unknown.severity == "error" and unknown.details["breakdown"] == {"selector_blank": 1}


def test_chosen_identifier_samples_are_masked(results: dict[str, ValidationResult]) -> None:
    check = results["csv_gb18030"].check("id_no.GB11643.checksum")
    assert check.samples
    for sample in check.samples:
        shown = sample.values["id_no"] or ""
        assert "*" in shown and not any(shown == r["id_no"] for r in conditional.ROWS)
        assert sample.values["id_type"] in ("111", "居民身份证")


def test_sentinels_are_valid_counted_and_out_of_the_rules(results: dict[str, ValidationResult]) -> None:
    result = results["csv_gb18030"]
    sentinel = result.check("valid_to.sentinel")
    assert sentinel.severity == "info" and sentinel.failed == 3
    assert sentinel.details["breakdown"] == {"长期": 1, "长期有效": 1, "9999-12-31": 1}
    assert result.check("valid_to.type").failed == 1  # 永久 is not declared a sentinel
    filled = sum(1 for r in conditional.ROWS if r["valid_to"].strip())
    parsed = filled - 3 - 1  # sentinels and the unparseable 永久 are not compared
    assert result.check("rules.valid_to_plausible").evaluated == parsed
    assert result.check("rules.valid_to_after_from").evaluated == parsed


def test_datetime_bounds_are_inclusive_to_the_second(results: dict[str, ValidationResult]) -> None:
    check = results["csv_gb18030"].check("rules.accepted_in_2024")
    assert check.failed == 2
    assert sorted(s.values["accept_time"] or "" for s in check.samples) == \
        ["2024-01-01 07:59:59", "2024-12-31 18:00:01"]


def test_whitespace_in_free_text_is_a_conformity_warning(results: dict[str, ValidationResult]) -> None:
    result = results["csv_gb18030"]
    check = result.check("applicant.whitespace")
    assert check.severity == "warning" and check.dimension.value == "conformity"
    assert check.failed == 4
    assert result.check("applicant.max_length").failed == 0  # the padded 50-character name is trimmed
    rule_ids = {c.rule_id for c in result.checks}
    # Not for identifiers (their own normalised check), dates, or a column whose standard is chosen.
    assert {"case_no.whitespace", "status.whitespace"} <= rule_ids
    assert not {"accept_time.whitespace", "valid_to.whitespace", "id_no.whitespace"} & rule_ids


# --------------------------------------------------------------------------- authoring


def _schema(rules: str, extra_fields: str = "") -> CatalogueSchema:
    text = f"""\
kind: catalogue_schema
id: t1
name_zh: 测试
provider: {{name: 测试}}
share: {{share_type: conditional}}
fields:
  - {{name: a, data_type: datetime}}
  - {{name: b}}
  - {{name: c}}
{extra_fields}rules:
{rules}"""
    entries = load_text(text)
    assert isinstance(entries[0], CatalogueSchema)
    return entries[0]


def test_yaml_reads_naturally() -> None:
    schema = _schema("  - {kind: required_if, field: a, when: {field: b, in: [1, 办结]}}\n"
                     "  - {kind: standard_by, field: c, by: b, cases: {111: GB11643@^1}, otherwise: skip}\n"
                     "  - {kind: range, field: a, minimum: 2024-01-01T08:00:00}\n")
    required, chosen, bounds = schema.rules
    assert isinstance(required, RequiredIfRule) and required.when.in_ == ["1", "办结"]
    assert isinstance(chosen, StandardByRule) and chosen.cases == {"111": "GB11643@^1"}
    assert isinstance(bounds, RangeRule) and bounds.minimum == "2024-01-01T08:00:00"


@pytest.mark.parametrize(("rules", "message"), [
    ("  - {kind: required_if, field: a, when: {field: b}}\n", "exactly one of in, not_in, present"),
    ("  - {kind: required_if, field: a, when: {field: b, in: [x], present: true}}\n", "exactly one"),
    ("  - {kind: required_if, field: a, when: {field: nope, present: true}}\n", "unknown field 'nope'"),
    ("  - {kind: standard_by, field: c, by: nope, cases: {x: GB11643@^1}}\n", "unknown field 'nope'"),
    ("  - {kind: standard_by, field: c, by: c, cases: {x: GB11643@^1}}\n", "its own standard"),
    ("  - {kind: standard_by, field: c, by: b, cases: {x: GB11643@^1}, otherwise: maybe}\n", "otherwise"),
    ("  - {kind: standard_by, field: c, by: b, cases: {x: 'not a ref!'}}\n", "cases"),
])
def test_authoring_mistakes_are_clear_errors(rules: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        _schema(rules)
    assert message in str(caught.value)


def test_a_field_cannot_both_bind_and_choose_its_standard() -> None:
    with pytest.raises(InputError, match="either fixed"):
        _schema("  - {kind: standard_by, field: d, by: b, cases: {x: GB32100@^1}}\n",
                "  - {name: d, standard: GB11643@^1}\n")


def test_a_bound_that_is_no_date_is_an_input_error() -> None:
    schema = _schema("  - {kind: range, id: r, field: a, minimum: soon}\n")
    with pytest.raises(InputError, match="not a date or a date and time"):
        derive(schema, today=dt.date(2025, 1, 1))


def test_a_case_naming_a_code_set_is_an_input_error() -> None:
    schema = _schema("  - {kind: standard_by, id: s, field: c, by: b, cases: {x: GBT2261.1@^1}}\n")
    with pytest.raises(InputError, match="not a data element"):
        derive(schema, today=dt.date(2025, 1, 1))


def test_otherwise_skip_counts_unknown_selectors_as_information() -> None:
    schema = _schema("  - {kind: standard_by, id: s, field: c, by: b, cases: {x: GB11643@^1}, otherwise: skip}\n")
    check = next(c for c in derive(schema, today=dt.date(2025, 1, 1)).suite.checks if c.rule_id == "rules.s")
    assert check.severity == "info"
