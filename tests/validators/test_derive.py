"""Checks derived from a catalogue schema: stable rule ids, dimensions, options that change them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import messy
import pytest

from govstd.standards.loader import load_file
from govstd.standards.models import CatalogueSchema, QualityDimension
from govstd.standards.numbers import gb11643
from govstd.validators import ir
from govstd.validators.api import validate
from govstd.validators.derive import ServiceItemCodes, derive

RULE_IDS = [
    "name.not_null", "name.max_length", "name.whitespace",
    "id_number.not_null", "id_number.placeholder", "id_number.length", "id_number.format", "id_number.checksum",
    "id_number.birth_date", "id_number.birth_date_plausible",
    "id_number.region", "id_number.normalised", "id_number.excel_damage", "id_number.masked",
    "id_number.pii_exposure",
    "sex.not_null", "sex.placeholder", "sex.code_set", "sex.normalised",
    "ethnicity.placeholder", "ethnicity.code_set", "ethnicity.normalised",
    "region.placeholder", "region.code_set", "region.normalised",
    "phone.placeholder", "phone.length", "phone.format", "phone.normalised", "phone.excel_damage", "phone.masked",
    "phone.pii_exposure",
    "employer_uscc.placeholder", "employer_uscc.length", "employer_uscc.format", "employer_uscc.checksum",
    "employer_uscc.category", "employer_uscc.region", "employer_uscc.org_code", "employer_uscc.normalised",
    "employer_uscc.excel_damage", "employer_uscc.masked",
    "birth_date.placeholder", "birth_date.type", "birth_date.normalised",
    "amount.placeholder", "amount.type", "amount.normalised", "amount.range",
    "accept_time.not_null", "accept_time.placeholder", "accept_time.type", "accept_time.normalised",
    "finish_time.placeholder", "finish_time.type", "finish_time.normalised",
    "service_item_code.placeholder", "service_item_code.format", "service_item_code.area_code",
    "service_item_code.body", "service_item_code.normalised", "service_item_code.excel_damage",
    "service_item_code.masked",
    "updated_at.placeholder", "updated_at.type", "updated_at.normalised",
    "key.unique",
    "rules.finish_after_accept",
    "rules.person_matches_id.birth_date", "rules.person_matches_id.sex", "rules.person_matches_id.region",
    "rules.item_registered", "rules.fresh",
]


def schema(**changes: Any) -> CatalogueSchema:
    loaded = load_file(messy.SCHEMA)[0]
    assert isinstance(loaded, CatalogueSchema)
    return loaded.model_copy(update=changes) if changes else loaded


def with_field(name: str, **changes: Any) -> CatalogueSchema:
    base = schema()
    fields = [f.model_copy(update=changes) if f.name == name else f for f in base.fields]
    return base.model_copy(update={"fields": fields})


def test_rule_ids_of_the_test_schema_are_stable() -> None:
    d = derive(schema(), today=messy.TODAY, service_items=ServiceItemCodes(active={"511A09001023"}))
    assert [c.rule_id for c in d.suite.checks] == RULE_IDS


def test_each_check_names_its_gbt_36344_dimension_and_indicator() -> None:
    checks = {c.rule_id: c for c in derive(schema(), today=messy.TODAY).suite.checks}
    assert checks["id_number.not_null"].dimension == QualityDimension.COMPLETENESS
    assert checks["id_number.checksum"].indicator == "数据内容正确性"
    assert checks["key.unique"].indicator == "数据唯一性"
    assert checks["rules.finish_after_accept"].dimension == QualityDimension.TIMELINESS
    assert checks["rules.finish_after_accept"].indicator == "时序性"
    assert checks["rules.person_matches_id.sex"].dimension == QualityDimension.CONSISTENCY
    assert checks["id_number.pii_exposure"].indicator == "安全规范"
    assert checks["rules.fresh"].indicator == "基于时间点的及时性"


def test_pii_exposure_only_where_sharing_forbids_it() -> None:
    from govstd.standards.models import ShareAttributes, ShareType

    conditional = schema(share=ShareAttributes(share_type=ShareType.CONDITIONAL))
    ids = [c.rule_id for c in derive(conditional, today=messy.TODAY).suite.checks]
    assert not any(i.endswith("pii_exposure") for i in ids)
    masked = with_field("id_number", masked=True).model_copy(
        update={"share": ShareAttributes(share_type=ShareType.CONDITIONAL)}
    )
    ids = [c.rule_id for c in derive(masked, today=messy.TODAY).suite.checks]
    assert "id_number.pii_exposure" in ids and "phone.pii_exposure" not in ids


def test_no_sql_anywhere_in_the_checks() -> None:
    suite = derive(schema(), today=messy.TODAY).suite
    text = suite.model_dump_json()
    assert "SELECT" not in text and "regexp_" not in text
    assert ir.CheckSuite.model_validate_json(text) == suite


def _counts(s: CatalogueSchema, tmp_path: Path, **kwargs: Any) -> dict[str, int]:
    path = tmp_path / "m.parquet"
    if not path.exists():
        messy.write_parquet(path)
    kwargs.setdefault("today", messy.TODAY)
    return validate(path, s, service_items=messy.SERVICE_ITEMS, sample_size=0, **kwargs).failed_counts


def test_legacy_15_digit_numbers_when_the_schema_allows_them(tmp_path: Path) -> None:
    strict = _counts(schema(), tmp_path)
    lenient = _counts(with_field("id_number", options={"allow_legacy_15": True}), tmp_path)
    assert strict["id_number.length"] == 2 and lenient["id_number.length"] == 1  # only 1.10105E+17 left


def test_region_policy_current_rejects_retired_address_codes(tmp_path: Path) -> None:
    any_time = _counts(schema(), tmp_path)
    current = _counts(with_field("id_number", options={"region_policy": "current"}), tmp_path)
    birth_year = _counts(with_field("id_number", options={"region_policy": "birth_year"}), tmp_path)
    assert any_time["id_number.region"] == 1  # 999999
    assert current["id_number.region"] == 2  # 999999 and 110103 (崇文区, merged 2010)
    # birth_year (python-stdnum's rule) also rejects people born before their county existed (深圳
    # 南山区 1990 …): the SQL agrees with the Python module value by value.
    for policy, counts in (("any_time", any_time), ("current", current), ("birth_year", birth_year)):
        python = sum(
            1 for r in messy.ROWS if r["id_number"].strip()
            and any(p.code == "region" for p in gb11643.check(r["id_number"], region_policy=policy,  # type: ignore[arg-type]
                                                               today=messy.TODAY))
        )
        assert counts["id_number.region"] == python, policy
    assert birth_year["id_number.region"] > any_time["id_number.region"]
    none = _counts(with_field("id_number", options={"region_policy": "none"}), tmp_path)
    assert "id_number.region" not in none


def test_historical_code_sets_accept_retired_codes(tmp_path: Path) -> None:
    assert _counts(with_field("region", options={"historical": True}), tmp_path)["region.code_set"] == 0


def test_timeliness_against_the_update_cycle(tmp_path: Path) -> None:
    assert _counts(schema(), tmp_path)["rules.fresh"] == 0
    stale = validate(messy.write_parquet(tmp_path / "s.parquet"), schema(), today=dt.date(2025, 7, 1),
                     sample_size=0).check("rules.fresh")
    assert stale.failed == 1 and stale.details["newest"] == "2025-06-01 18:30:00"
    assert stale.details["update_cycle"] == "daily" and stale.details["max_age_days"] == 2


def test_future_birth_dates_depend_on_the_reference_date(tmp_path: Path) -> None:
    assert _counts(schema(), tmp_path)["id_number.birth_date"] == 2
    assert _counts(schema(), tmp_path, today=dt.date(2031, 1, 1))["id_number.birth_date"] == 1


@pytest.mark.parametrize("op", ["<", "<=", "=", "!=", ">=", ">"])
def test_compare_rules_take_any_operator(tmp_path: Path, op: str) -> None:
    from govstd.standards.models import CompareRule

    s = schema(rules=[CompareRule(id="cmp", left="finish_time", op=op, right="accept_time")])
    counts = _counts(s, tmp_path)
    evaluated = 77  # 昨天 is not a time
    expected_failed = {"<": evaluated - 1, "<=": evaluated - 1, "=": evaluated, "!=": 0, ">=": 1, ">": 1}[op]
    assert counts["rules.cmp"] == expected_failed


def test_pattern_and_length_of_a_plain_field(tmp_path: Path) -> None:
    s = with_field("name", pattern="[\u4e00-\u9fa5\U00020000-\U0002a6df·]{2,10}", length=3)
    counts = _counts(s, tmp_path)
    assert counts["name.pattern"] == 0  # 𠇔 (CJK Extension B) included; the blank name is not evaluated
    assert counts["name.max_length"] == 0
    rare = sum(1 for r in messy.ROWS if "𠇔" in r["name"])
    basic = with_field("name", pattern="[\u4e00-\u9fa5]{2,10}")
    assert rare == 9 and _counts(basic, tmp_path)["name.pattern"] == rare  # 王𠇔 is outside the basic block


def test_a_pattern_the_engine_cannot_run_is_an_input_error(tmp_path: Path) -> None:
    from govstd.errors import InputError

    with pytest.raises(InputError, match=r"name\.pattern") as err:
        _counts(with_field("name", pattern="(?=张).+"), tmp_path)
    assert "RE2" in str(err.value)


def test_an_optional_column_missing_from_the_data_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "no_phone.csv"
    columns = [c for c in messy.COLUMNS if c != "phone"]
    path.write_text(",".join(columns) + "\n" + "\n".join(",".join(r[c] for c in columns) for r in messy.ROWS)
                    + "\n", encoding="utf-8")
    result = validate(path, schema(), today=messy.TODAY, sample_size=0)
    assert not any(c.rule_id.startswith("phone.") for c in result.checks)
    assert any("'phone' is not in the data" in w for w in result.warnings)


def test_a_file_with_a_header_and_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text(",".join(messy.COLUMNS) + "\n", encoding="utf-8")
    result = validate(path, schema(), today=messy.TODAY)
    assert result.dataset.rows == 0
    assert all(c.evaluated == 0 and c.failed == 0 for c in result.checks)


def test_an_unknown_service_item_kind_is_an_input_error(tmp_path: Path) -> None:
    from govstd.errors import InputError

    with pytest.raises(InputError, match="unknown service item kind 'implmentation'") as err:
        derive(with_field("service_item_code", options={"kind": "implmentation"}))
    assert err.value.expected and "implementation" in err.value.expected


def test_the_registered_rule_keeps_dashes_whatever_the_field_is_bound_to() -> None:
    # Dashes separate a service item code's parts; a field bound to another identifier family (which
    # strips them when it normalises) must not lose them in the registered-item lookup.
    suite = derive(with_field("service_item_code", standard="GB32100@^1"),
                   service_items=ServiceItemCodes(active={"A-1"})).suite
    rule = next(c for c in suite.checks if c.rule_id == "rules.item_registered")
    assert isinstance(rule, ir.RowCheck) and isinstance(rule.expect, ir.Func)
    (normalised,) = rule.expect.args
    assert isinstance(normalised, ir.Func) and normalised.params["strip_dashes"] is False


def _id_counts(tmp_path: Path, values: list[str], **options: Any) -> dict[str, tuple[int, str]]:
    from govstd.standards.models import FieldSpec, Provider, ShareAttributes, ShareType

    s = CatalogueSchema(id="ids", name_zh="身份证", provider=Provider(name="test"),
                        share=ShareAttributes(share_type=ShareType.NOT_SHARED),
                        fields=[FieldSpec(name="id", standard="GB11643@^1", options=options)])
    path = tmp_path / "ids.csv"
    path.write_text("id\n" + "\n".join(values) + "\n", encoding="utf-8")
    result = validate(path, s, today=messy.TODAY, sample_size=0)
    return {c.rule_id: (c.failed, c.severity) for c in result.checks}


def test_births_before_1900_are_a_warning_unless_strict(tmp_path: Path) -> None:
    def make(first17: str) -> str:
        return first17 + gb11643.calc_check_digit(first17)

    # The standard's own example (1880), another pre-1900 birth, a plausible one, a future one.
    values = ["440524188001010014", make("11010118991231001"), make("11010119491231002"), make("11010120300101001")]
    lenient = _id_counts(tmp_path, values)
    python_errors = sum(any(p.code == "birth_date" for p in gb11643.check(v, today=messy.TODAY)) for v in values)
    python_findings = sum(bool(gb11643.findings(v, today=messy.TODAY)) for v in values)
    assert lenient["id.birth_date"] == (python_errors, "error") == (1, "error")  # the future one
    assert lenient["id.birth_date_plausible"] == (python_findings, "warning") == (2, "warning")
    strict = _id_counts(tmp_path, values, strict=True)
    python_strict = sum(any(p.code == "birth_date" for p in gb11643.check(v, today=messy.TODAY, strict=True))
                        for v in values)
    assert strict["id.birth_date"] == (python_strict, "error") == (3, "error")
    assert "id.birth_date_plausible" not in strict
    explicit = _id_counts(tmp_path, values, min_birth_date="1870-01-01")
    assert explicit["id.birth_date"] == (1, "error") and "id.birth_date_plausible" not in explicit


def test_uscc_strict_option_turns_the_table_warnings_into_errors(tmp_path: Path) -> None:
    d = derive(with_field("employer_uscc", options={"strict": "true"}), today=messy.TODAY)
    severities = {c.rule_id: c.severity for c in d.suite.checks if c.rule_id.startswith("employer_uscc.")}
    assert severities["employer_uscc.region"] == "error" and severities["employer_uscc.category"] == "error"
    default = {c.rule_id: c.severity for c in derive(schema(), today=messy.TODAY).suite.checks}
    assert default["employer_uscc.region"] == "warning" and default["employer_uscc.category"] == "warning"
    assert default["employer_uscc.checksum"] == "error"
