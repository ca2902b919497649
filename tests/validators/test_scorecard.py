"""Scoring math and the share gate, on hand-built ValidationResults with scores derived by hand.

The reference result (``_checks``) and its expected numbers, from the formula in docs/scoring.md:

  rule               dimension     evaluated failed  score  counted
  id.checksum        accuracy        200      10     95.0   yes
  id.length          accuracy        100       0    100.0   yes
  name.not_null      completeness    200      50     75.0   yes
  id_phone.pattern   conformity      400       4     99.0   yes   (columns id_number, phone)
  sex.agrees_info    consistency     200     100     50.0   no    (info severity)
  fresh.newest       timeliness        0       0      —     no    (nothing evaluated)

  accuracy     = (95 + 100) / 2            = 97.5
  completeness = 75
  conformity   = 99
  consistency, timeliness, accessibility: not measured
  overall      = (30·97.5 + 25·75 + 15·99) / (30 + 25 + 15) = 6285 / 70 = 89.7857… → 89.79 (grade B 良)
  columns      (worst counted check) id_number = min(95, 100, 99) = 95;  name = 75;  phone = 99;
               sex, updated_at: not measured
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govstd.errors import InputError
from govstd.standards import library
from govstd.standards.masking import mask
from govstd.standards.models import CatalogueSchema, MaskingRule, PiiClass, QualityDimension, ShareType
from govstd.validators import scorecard as sc
from govstd.validators.results import CheckResult, DatasetInfo, FieldBinding, Sample, ValidationResult

T0 = dt.datetime(2025, 3, 1, 9, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
PERSON_ID = "11010519491231002X"
PHONE = "13912345678"


def make_schema(share_type: str = "conditional", *, open_to_public: bool = False,
                quality: dict[str, Any] | None = None) -> CatalogueSchema:
    return CatalogueSchema.model_validate({
        "id": "TEST-0001", "version": "1.2.0", "name_zh": "测试名册", "name_en": "Test register",
        "provider": {"name": "测试局"},
        "share": {"share_type": share_type},
        "open": {"open_to_public": open_to_public},
        "fields": [
            {"name": "id_number", "name_zh": "公民身份号码", "standard": "GB11643@^1", "key": True},
            {"name": "name", "name_zh": "姓名", "pii": "name", "required": True},
            {"name": "sex", "name_zh": "性别", "code_set": "GBT2261.1@^1"},
            {"name": "phone", "name_zh": "联系电话", "standard": "mobile_phone@^1"},
            {"name": "updated_at", "name_zh": "更新时间", "data_type": "datetime"},
        ],
        "quality": quality or {},
    })


def check(rule_id: str, dimension: str, evaluated: int, failed: int, columns: list[str] | None = None, *,
          rule: str | None = None, severity: str = "error", samples: list[Sample] | None = None) -> CheckResult:
    return CheckResult(rule_id=rule_id, rule=rule or rule_id.split(".")[-1], dimension=QualityDimension(dimension),
                       columns=columns or [rule_id.split(".")[0]], description=f"{rule_id} holds",
                       evaluated=evaluated, failed=failed, severity=severity, samples=samples or [])


def _checks() -> list[CheckResult]:
    return [
        check("id.checksum", "accuracy", 200, 10, ["id_number"]),
        check("id.length", "accuracy", 100, 0, ["id_number"]),
        check("name.not_null", "completeness", 200, 50, ["name"]),
        check("id_phone.pattern", "conformity", 400, 4, ["id_number", "phone"]),
        check("sex.agrees_info", "consistency", 200, 100, ["sex"], severity="info"),
        check("fresh.newest", "timeliness", 0, 0, ["updated_at"]),
    ]


def make_result(checks: list[CheckResult] | None = None, **dataset: Any) -> ValidationResult:
    info = {"source": "people.csv", "format": "csv", "rows": 400,
            "columns": ["id_number", "name", "sex", "phone", "updated_at"], "encoding": "gb18030",
            "sha256": "0" * 64, "sm3": "1" * 64, "bytes": 12345, **dataset}
    return ValidationResult(dataset=DatasetInfo(**info), schema_ref="TEST-0001@1.2.0", engine="duckdb",
                            tool_version="0.1.0", started_at=T0, finished_at=T0 + dt.timedelta(seconds=2),
                            checks=_checks() if checks is None else checks)


# --------------------------------------------------------------------------- scoring


def test_check_scores_and_what_counts() -> None:
    card = sc.build(make_result(), make_schema())
    assert card.check("id.checksum").score == 95.0 and card.check("id.checksum").pass_rate == 0.95
    assert card.check("id.checksum").counted
    info = card.check("sex.agrees_info")
    assert info.score == 50.0 and not info.counted
    empty = card.check("fresh.newest")
    assert empty.score is None and empty.pass_rate is None and not empty.counted
    assert card.totals.model_dump() == {"checks": 6, "counted": 4, "failing": 3, "info": 1, "not_evaluated": 1}


def test_dimension_scores_list_their_checks_and_unmeasured_is_not_100() -> None:
    card = sc.build(make_result(), make_schema())
    acc = card.dimension("accuracy")
    assert acc.score == 97.5 and acc.measured
    assert acc.checks == ["id.checksum", "id.length"]
    assert acc.failed == 10 and acc.evaluated == 300 and acc.failing_checks == 1
    assert card.dimension("completeness").score == 75.0
    assert card.dimension("conformity").score == 99.0
    for name in ("consistency", "timeliness", "accessibility"):
        dim = card.dimension(name)
        assert dim.score is None and not dim.measured and dim.checks == []
    assert card.dimension("consistency").not_counted == ["sex.agrees_info"]
    assert card.dimension("timeliness").not_counted == ["fresh.newest"]
    assert [d.dimension.value for d in card.dimensions] == [d.value for d in QualityDimension]
    assert card.dimension("accuracy").label_zh == "准确性"


def test_overall_score_is_weighted_mean_of_measured_dimensions() -> None:
    card = sc.build(make_result(), make_schema())
    assert card.score == 89.79  # 6285 / 70
    assert card.grade == sc.Grade.B and card.grade_zh == "良"
    weights = {d.dimension.value: d.weight for d in card.dimensions}
    assert weights == {"conformity": 0.15, "completeness": 0.25, "accuracy": 0.3, "consistency": 0.15,
                       "timeliness": 0.1, "accessibility": 0.05}


def test_column_scores() -> None:
    card = sc.build(make_result(), make_schema())
    assert [c.name for c in card.columns] == ["id_number", "name", "sex", "phone", "updated_at"]
    idc = card.column("id_number")
    assert idc.score == 95.0 and idc.grade == sc.Grade.A and idc.name_zh == "公民身份号码"
    assert idc.checks == ["id.checksum", "id.length", "id_phone.pattern"]
    assert idc.worst_check == "id.checksum"
    assert card.column("name").worst_check == "name.not_null" and card.column("phone").worst_check == "id_phone.pattern"
    assert idc.failing_checks == 2 and idc.failed == 14
    assert card.column("name").score == 75.0 and card.column("name").grade == sc.Grade.C
    assert card.column("phone").score == 99.0
    assert card.column("sex").score is None and not card.column("sex").measured
    assert card.column("updated_at").score is None


def test_weights_from_the_schema() -> None:
    # completeness weighted 0: (30·97.5 + 15·99) / 45 = 4410 / 45 = 98.0
    card = sc.build(make_result(), make_schema(quality={"weights": {"completeness": 0}}))
    assert card.score == 98.0 and card.grade == sc.Grade.A
    assert card.dimension("completeness").weight == 0.0
    assert card.dimension("completeness").score == 75.0  # still scored and shown, just not weighted
    # Chinese names work; unnamed dimensions keep their defaults: (60·97.5 + 25·75 + 15·99) / 100 = 9210 / 100
    card = sc.build(make_result(), make_schema(quality={"weights": {"准确性": 60}}))
    assert card.score == 92.1


def test_grade_bands() -> None:
    assert sc.grade_for(None) is None
    assert [sc.grade_for(s) for s in (100, 95, 94.99, 85, 84.99, 70, 69.99, 0)] == [
        sc.Grade.A, sc.Grade.A, sc.Grade.B, sc.Grade.B, sc.Grade.C, sc.Grade.C, sc.Grade.D, sc.Grade.D]
    assert [g.label_zh for g in sc.Grade] == ["优", "良", "中", "差"]


def test_nothing_measured() -> None:
    card = sc.build(make_result([check("x.info", "accuracy", 10, 1, ["name"], severity="info")]), make_schema())
    assert card.score is None and card.grade is None
    assert all(not d.measured for d in card.dimensions)


# --------------------------------------------------------------------------- the gate


def _reasons(card: sc.Scorecard) -> list[tuple[str, str]]:
    return [(r.level, r.code) for r in card.verdict.reasons]


def test_gate_conditional_fails_on_a_broken_check() -> None:
    card = sc.build(make_result(), make_schema("conditional"))
    v = card.verdict
    assert v.verdict == sc.Verdict.FAIL and v.verdict_zh == "不通过" and v.policy == "conditional"
    # 89.79 ≥ the 85 target and completeness 75 is not below the 75 target, but name.not_null passes only 75%,
    # below the 80% a single check needs: one bad column must not hide behind good ones.
    # fresh.newest evaluated nothing in 400 rows: unmeasured, a warning (never a clean pass).
    assert _reasons(card) == [("fail", "check"), ("warn", "unmeasured_check"), ("info", "not_measured")]
    weak = v.reasons[0]
    assert weak.subject == "name.not_null" and weak.value == 75.0 and weak.threshold == 80
    assert weak.message_zh == "1 个检查项通过率低于 80%：name.not_null (75%)"
    assert sc.exit_code(card) == 1


def test_gate_conditional_warns_on_a_weak_check() -> None:
    # accuracy 97, completeness 94: overall (30·97 + 25·94) / 55 = 5260 / 55 = 95.636… → 95.64
    checks = [check("id.checksum", "accuracy", 1000, 30, ["id_number"]),
              check("name.not_null", "completeness", 1000, 60, ["name"])]
    card = sc.build(make_result(checks), make_schema("conditional"))
    assert card.score == 95.64 and card.grade == sc.Grade.A
    assert card.verdict.verdict == sc.Verdict.WARN and card.verdict.verdict_zh == "警告"
    assert [(r.level, r.code, r.subject) for r in card.verdict.reasons if r.level != "info"] == [
        ("warn", "check", "name.not_null")]
    assert card.verdict.reasons[0].threshold == 95
    assert sc.exit_code(card) == 0 and sc.exit_code(card, "warn") == 1


def test_gate_unconditional_is_stricter() -> None:
    card = sc.build(make_result(), make_schema("unconditional"))
    v = card.verdict
    assert v.verdict == sc.Verdict.FAIL and v.share_type_zh == "无条件共享"
    assert _reasons(card) == [
        ("fail", "score"),       # 89.79 < 90
        ("fail", "dimension"),   # completeness 75 < 80
        ("fail", "check"),       # name.not_null 75% < 90%
        ("warn", "unmeasured_check"),  # fresh.newest: 0 of 400 rows evaluated
        ("warn", "check"),       # id.checksum 95% < 98%
        ("info", "not_measured"),
    ]
    dim = v.reasons[1]
    assert dim.subject == "completeness" and dim.value == 75.0 and dim.threshold == 80
    assert v.reasons[3].subject == "fresh.newest" and v.reasons[3].value == 1
    assert v.reasons[4].subject == "id.checksum" and v.reasons[4].threshold == 98
    assert sc.exit_code(card) == 1


def test_gate_not_shared_never_fails_on_quality() -> None:
    card = sc.build(make_result(_checks()[:-1]), make_schema("not_shared"))  # without the unmeasured check
    assert card.verdict.verdict == sc.Verdict.PASS
    assert {level for level, _ in _reasons(card)} <= {"info"}
    bad = make_result([check("name.not_null", "completeness", 100, 90, ["name"])])
    card = sc.build(bad, make_schema("not_shared"))
    assert card.score == 10.0 and card.verdict.verdict == sc.Verdict.WARN  # below 70: warn, never fail


def test_unmeasured_dimensions_are_info_not_failures() -> None:
    card = sc.build(make_result(), make_schema("conditional"))
    (info,) = [r for r in card.verdict.reasons if r.code == "not_measured"]  # one reason, not one per dimension
    assert info.level == "info" and info.subject == "consistency,timeliness,accessibility"
    assert info.message_zh == "未测量（没有检查项）：一致性、时效性、可访问性"


@pytest.mark.parametrize(("share", "open_to_public", "expected", "level"), [
    ("unconditional", False, sc.Verdict.FAIL, "fail"),
    ("conditional", False, sc.Verdict.WARN, "warn"),
    ("not_shared", False, sc.Verdict.PASS, None),
    ("conditional", True, sc.Verdict.FAIL, "fail"),  # open data: zero exposures, like unconditional
])
def test_pii_exposures_per_share_type(share: str, open_to_public: bool, expected: sc.Verdict,
                                      level: str | None) -> None:
    checks = [check("id.checksum", "accuracy", 1000, 0, ["id_number"]),
              check("pii_exposure.id_number", "conformity", 1000, 3, ["id_number"], rule="pii_exposure")]
    card = sc.build(make_result(checks), make_schema(share, open_to_public=open_to_public))
    assert card.verdict.pii_exposures == 3
    assert card.check("pii_exposure.id_number").pii_exposure
    assert card.verdict.verdict == expected
    pii = [r for r in card.verdict.reasons if r.code == "pii_exposure"]
    if level is None:
        assert pii == []
    else:
        assert pii[0].level == level and pii[0].value == 3 and pii[0].threshold == 0
    if open_to_public:
        assert card.verdict.policy == "open"
        assert ("info", "open_data") in _reasons(card)


def test_zero_exposures_unconditional_passes() -> None:
    checks = [check("id.checksum", "accuracy", 1000, 0, ["id_number"]),
              check("pii_exposure.id_number", "conformity", 1000, 0, ["id_number"], rule="pii_exposure"),
              check("name.not_null", "completeness", 1000, 0, ["name"])]
    card = sc.build(make_result(checks), make_schema("unconditional"))
    assert card.score == 100.0 and card.grade == sc.Grade.A
    assert card.verdict.verdict == sc.Verdict.PASS and card.verdict.pii_exposures == 0


@pytest.mark.parametrize(("share", "expected"), [
    ("unconditional", sc.Verdict.FAIL), ("conditional", sc.Verdict.WARN), ("not_shared", sc.Verdict.WARN)])
def test_gate_when_nothing_measured(share: str, expected: sc.Verdict) -> None:
    card = sc.build(make_result([]), make_schema(share))
    assert card.score is None and card.verdict.verdict == expected
    assert ("unmeasured" in {r.code for r in card.verdict.reasons})


def test_thousands_of_weak_checks_make_one_reason() -> None:
    checks = [check(f"c{i:04d}.pattern", "conformity", 100, 10 + i % 20, ["name"]) for i in range(3000)]
    card = sc.build(make_result(checks), make_schema("conditional"))
    weak = [(r.level, r.message) for r in card.verdict.reasons if r.code == "check"]
    # pass rates 71–90%: those below 80 fail the gate, those from 80 up warn — one reason each.
    assert [level for level, _ in weak] == ["fail", "warn"]
    assert weak[0][1].startswith("1350 check(s) pass below 80%: c0019.pattern (71%), c0039.pattern (71%)")
    assert weak[0][1].endswith("and 1345 more") and weak[1][1].startswith("1650 check(s) pass below 95%")


# --------------------------------------------------------------------------- policy layers


def test_policy_layers_defaults_schema_then_file() -> None:
    schema = make_schema("conditional", quality={"gate": {"conditional": {"min_score": 95, "warn_score": 97}}})
    card = sc.build(make_result(), schema)
    assert card.verdict.verdict == sc.Verdict.FAIL  # the schema raised the bar: 89.79 < 95
    assert card.verdict.thresholds.min_score == 95 and card.verdict.thresholds.min_dimension == 60
    # A policy file overrides the schema per key; keys it does not name stay as the schema set them.
    card = sc.build(make_result(), schema,
                    {"gate": {"有条件共享": {"min_score": 80, "min_check": 50, "warn_check": 50}}})
    assert card.verdict.thresholds.min_score == 80 and card.verdict.thresholds.warn_score == 97
    assert card.verdict.verdict == sc.Verdict.WARN  # 89.79 < 97 target; weak check gone (75 ≥ 50)
    assert [r.code for r in card.verdict.reasons if r.level == "warn"] == ["score", "unmeasured_check"]


def test_resolved_policy_defaults() -> None:
    policy = sc.resolve_policy()
    assert policy.weights == sc.DEFAULT_WEIGHTS
    assert sum(policy.weights.values()) == 100
    g = policy.gate
    assert g.unconditional.min_score > g.conditional.min_score > g.not_shared.min_score == 0
    assert g.unconditional.pii_exposures == sc.Action.FAIL and g.open.pii_exposures == sc.Action.FAIL
    assert g.conditional.pii_exposures == sc.Action.WARN and g.not_shared.pii_exposures == sc.Action.IGNORE


@pytest.mark.parametrize(("layer", "fragment"), [
    ({"weights": {"beauty": 3}}, "unknown quality dimension"),
    ({"weights": {"accuracy": -1}}, "must not be negative"),
    ({"weights": {d.value: 0 for d in QualityDimension}}, "at least one weight"),
    ({"gate": {"sometimes": {"min_score": 1}}}, "unknown share type"),
    ({"gate": {"conditional": {"min_score": 90}}}, "warn_score must be >= min_score"),
    ({"gate": {"conditional": {"warn_check": 50}}}, "warn_check must be >= min_check"),
    ({"gate": {"conditional": {"min_scor": 90}}}, "min_scor"),
    ({"gate": {"conditional": {"min_score": 190}}}, "less than or equal to 100"),
    ({"weight": {}}, "unknown key"),
])
def test_bad_policy_is_input_error(layer: dict[str, Any], fragment: str) -> None:
    with pytest.raises(InputError) as err:
        sc.build(make_result(), make_schema(), layer)
    assert fragment in str(err.value)
    assert err.value.exit_code == 2


def test_load_policy_file(tmp_path: Any) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("gate:\n  无条件共享:\n    min_score: 92\n    warn_score: 96\nweights:\n  时效性: 20\n",
                    encoding="utf-8")
    policy = sc.resolve_policy(make_schema(), sc.load_policy(path))
    assert policy.gate.unconditional.min_score == 92
    assert policy.weights[QualityDimension.TIMELINESS] == 20
    wrapped = tmp_path / "quality.yaml"
    wrapped.write_text("quality:\n  gate: {conditional: {warn_check: 85}}\n", encoding="utf-8")
    assert sc.resolve_policy(None, sc.load_policy(wrapped)).gate.conditional.warn_check == 85
    broken = tmp_path / "broken.yaml"
    broken.write_text("gate:\n  conditional: [1,\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        sc.load_policy(broken)
    assert "broken.yaml:" in str(err.value)
    with pytest.raises(InputError, match="not found"):
        sc.load_policy(tmp_path / "missing.yaml")
    listed = tmp_path / "list.yaml"
    listed.write_text("- 1\n", encoding="utf-8")
    with pytest.raises(InputError, match="mapping"):
        sc.load_policy(listed)


# --------------------------------------------------------------------------- privacy and stability


def test_unmasked_samples_are_masked_anyway() -> None:
    leaky = Sample(row=7, values={"id_number": PERSON_ID, "phone": PHONE, "name": "张三丰", "sex": "9"})
    checks = [check("id.checksum", "accuracy", 10, 1, ["id_number", "phone", "name", "sex"], samples=[leaky])]
    result = make_result(checks, source=f"/data/{PERSON_ID}.csv")
    result.warnings.append(f"row 7: {PHONE} looks odd")
    card = sc.build(result, make_schema())
    text = card.model_dump_json()
    assert PERSON_ID not in text and PHONE not in text and "张三丰" not in text
    values = card.check("id.checksum").samples[0].values
    assert values["id_number"] == "110105********002X"
    assert values["phone"] == "139****5678"
    assert values["sex"] == "9"  # not personal: shown as is


def test_samples_are_masked_when_the_standard_is_a_version_the_library_lacks() -> None:
    # A registry may serve GB11643 2.x; the built-in library has 1.x. Masking does not depend on it.
    schema = make_schema()
    fields = [f.model_copy(update={"standard": f.standard.replace("^1", "^2")}) if f.standard else f
              for f in schema.fields]
    # Too short to look like an ID or a phone to the free-text redaction: only the field's rule masks them.
    leaky = Sample(row=7, values={"id_number": "1101051949", "phone": "1391234"})
    result = make_result([check("id.checksum", "accuracy", 10, 1, ["id_number", "phone"], samples=[leaky])])
    card = sc.build(result, schema.model_copy(update={"fields": fields}))
    values = card.check("id.checksum").samples[0].values
    assert values["id_number"] != "1101051949" and "*" in (values["id_number"] or "")
    assert values["phone"] != "1391234" and "*" in (values["phone"] or "")


def test_samples_are_masked_by_the_decisions_the_run_made() -> None:
    """A run records how it masks each field (from the versions it bound, which a registry may
    serve with their own rule); the scorecard applies those, and decides from the built-in library
    only for a result that carries none."""
    keep_two = MaskingRule(keep_start=2, keep_end=2)
    leaky = Sample(row=7, values={"id_number": "1101051949", "name": "张三丰", "updated_at": "2025-01-01"})
    samples = [check("id.checksum", "accuracy", 10, 1, ["id_number", "name", "updated_at"], samples=[leaky])]
    decided = make_result(samples).model_copy(update={"bindings": {
        "id_number": FieldBinding(standard="GB11643@2.0.0", pii=PiiClass.ID_NUMBER, masking=keep_two),
        "name": FieldBinding(pii=PiiClass.NAME, masking=keep_two),
        "updated_at": FieldBinding(masking=keep_two),  # the run's own decision, though not PII by the schema
    }})
    values = sc.build(decided, make_schema()).check("id.checksum").samples[0].values
    assert values == {"id_number": "11******49", "name": mask("张三丰", keep_two), "updated_at": "20******01"}
    assert "张三丰" not in values.values()
    # Without the run's decisions: GB 11643's built-in rule (six and four kept), and none for updated_at.
    values = sc.build(make_result(samples), make_schema()).check("id.checksum").samples[0].values
    assert values["id_number"] == mask("1101051949", library.lookup("GB11643").entry.masking or MaskingRule())
    assert values["id_number"] != "11******49" and values["updated_at"] == "2025-01-01"


@pytest.mark.parametrize(("text", "expected"), [
    ("11010519491231002X", "110105********002X"),
    ("value 11010519491231002x here", "value 110105********002x here"),
    ("+86 139-1234-5678", "+86 139****5678"),  # the standard mobile mask after the country code
    ("13912345678", "139****5678"),
    ("110105********002X", "110105********002X"),
    ("GB 11643-1999 / GB/T 2260-2007", "GB 11643-1999 / GB/T 2260-2007"),
    ("2025-03-01 09:00:00", "2025-03-01 09:00:00"),
    ("postgresql://steward:s3cret@db.local/registry", "postgresql://steward:***@db.local/registry"),
    ("92110105MA01ABCD3X", "921101********CD3X"),
])
def test_redact(text: str, expected: str) -> None:
    assert sc.redact(text) == expected


def test_samples_are_capped() -> None:
    samples = [Sample(row=r, values={"sex": "x"}) for r in range(20, 0, -1)]
    checks = [check("sex.code", "accuracy", 100, 20, ["sex"], samples=samples)]
    card = sc.build(make_result(checks), make_schema())
    kept = card.check("sex.code")
    assert [s.row for s in kept.samples] == [1, 2, 3, 4, 5] and kept.samples_omitted == 15
    assert sc.build(make_result(checks), make_schema(), max_samples=0).check("sex.code").samples == []


def test_order_of_engine_checks_does_not_matter() -> None:
    shuffled = _checks()
    random.Random(4).shuffle(shuffled)
    a = sc.build(make_result(), make_schema()).model_dump(mode="json")
    b = sc.build(make_result(shuffled), make_schema()).model_dump(mode="json")
    assert a == b


def test_missing_fingerprint_is_computed_from_the_file(tmp_path: Any) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(b"a,b\r\n1,2\r\n")
    card = sc.build(make_result(source=str(path), sha256=None, sm3=None, bytes=None), make_schema())
    assert card.dataset.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert card.dataset.sm3 is None  # SM3 is opt-in (govstd validate --fingerprint sha256,sm3)
    assert card.dataset.bytes == 10
    assert sc.fingerprint(path, sm3=True)[1] == hashlib.new("sm3", path.read_bytes()).hexdigest()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(list(QualityDimension)), st.integers(0, 500), st.integers(0, 500),
                          st.booleans()), max_size=12),
       st.sampled_from(list(ShareType)))
def test_score_properties(specs: list[tuple[QualityDimension, int, int, bool]], share: ShareType) -> None:
    checks = [check(f"c{i}.rule", d.value, ev, min(f, ev), ["name"], severity="info" if info else "error")
              for i, (d, ev, f, info) in enumerate(specs)]
    card = sc.build(make_result(checks), make_schema(share.value))
    measured = [d.score for d in card.dimensions if d.score is not None]
    for d in card.dimensions:
        assert d.measured == bool(d.checks)
        assert d.score is None or 0 <= d.score <= 100
    if measured:
        assert card.score is not None and min(measured) - 0.01 <= card.score <= max(measured) + 0.01
    else:
        assert card.score is None
    assert card.verdict.verdict in set(sc.Verdict)
    if share == ShareType.NOT_SHARED:
        assert card.verdict.verdict != sc.Verdict.FAIL


def test_pii_checks_are_judged_by_the_pii_rule_only() -> None:
    checks = [check("id.checksum", "accuracy", 1000, 0, ["id_number"]),
              check("id_number.pii_exposure", "conformity", 1000, 990, ["id_number"], rule="pii_exposure")]
    # Declared masked under conditional sharing: exposures warn; the 1% pass rate trips no check floor.
    card = sc.build(make_result(checks), make_schema("conditional"),
                    {"gate": {"conditional": {"min_dimension": 0, "warn_dimension": 0, "min_score": 0}}})
    assert card.dimension("conformity").score == 1.0  # still scored: 安全规范 is a conformity indicator
    assert card.score == 67.0  # (30·100 + 15·1) / 45
    assert card.verdict.verdict == sc.Verdict.WARN
    assert [r.code for r in card.verdict.reasons if r.level != "info"] == ["pii_exposure", "score"]
    ignored = sc.build(make_result(checks), make_schema("conditional"),
                       {"gate": {"conditional": {"pii_exposures": "ignore", "min_dimension": 0, "warn_dimension": 0,
                                                 "min_score": 0, "warn_score": 0}}})
    assert ignored.verdict.verdict == sc.Verdict.PASS


def test_an_unmeasured_check_carries_its_reason_and_warns() -> None:
    blind = CheckResult(rule_id="rules.p.sex", rule="id_consistency", dimension=QualityDimension.CONSISTENCY,
                        columns=["id_number", "sex"], description="sex agrees", evaluated=0, failed=0,
                        details={"unmeasured_reason": "sex holds no GB/T 2261.1 male/female value"})
    assert blind.unmeasured_reason == "sex holds no GB/T 2261.1 male/female value"
    assert "unmeasured_reason" not in blind.details
    card = sc.build(make_result([*_checks()[:-1], blind]), make_schema("not_shared"))
    assert card.check("rules.p.sex").unmeasured_reason == "sex holds no GB/T 2261.1 male/female value"
    assert card.check("rules.p.sex").score is None and not card.check("rules.p.sex").counted
    (reason,) = [r for r in card.verdict.reasons if r.code == "unmeasured_check"]
    assert reason.level == "warn" and card.verdict.verdict == sc.Verdict.WARN
    assert reason.message == ("1 check(s) could evaluate no row, so measured nothing: "
                              "rules.p.sex (sex holds no GB/T 2261.1 male/female value)")
    # An info check evaluating nothing is not a gate reason; an empty dataset is the volume rule's.
    quiet = blind.model_copy(update={"severity": "info"})
    assert not [r for r in sc.build(make_result([*_checks()[:-1], quiet]), make_schema("not_shared"))
                .verdict.reasons if r.code == "unmeasured_check"]
    empty = sc.build(make_result([blind], rows=0), make_schema("not_shared"))
    assert empty.check("rules.p.sex").unmeasured_reason == "the dataset has no rows"
    assert not [r for r in empty.verdict.reasons if r.code == "unmeasured_check"]
    measured = blind.model_copy(update={"evaluated": 3})
    assert CheckResult.model_validate(measured.model_dump()).unmeasured_reason is None
