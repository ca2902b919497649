"""Issue 13: a gate that warns on valid data gets switched off. Two small classes, exact counts:

- a check that is structurally inapplicable to every value present — the GB 11643 check character of a
  column holding only 15-digit (legacy, 1985–1999) numbers, which have none — is information ("not
  applicable"), not a measurement gap; a genuinely unmeasured check (a 性别 column holding no code) still warns;
- placeholders (无, /, -) in the target of a ``required_if`` rule count as missing, as they do for ``not_null``.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from stdnum.cn import ric

from govstd.validators.api import validate
from govstd.validators.results import ValidationResult

TODAY = dt.date(2025, 6, 2)

SCHEMA = """\
kind: catalogue_schema
id: 510100-00091
version: 1.0.0
name_zh: 某区老年人优待证登记信息
provider: {{name: 某区民政局}}
share: {{share_type: conditional, conditions: 仅用于资格核验}}
fields:
  - {{name: id_number, name_zh: 公民身份号码, standard: "GB11643@^1", required: true,
      options: {{allow_legacy_15: true}}}}
  - {{name: sex, name_zh: 性别, {sex}}}
  - {{name: status, name_zh: 办件状态}}
  - {{name: finish_time, name_zh: 办结时间, data_type: datetime}}
rules:
  - kind: required_if
    id: finished_has_time
    field: finish_time
    when: {{field: status, in: [办结]}}
"""

#: 15-digit numbers (region + YYMMDD + sequence, no check character), valid as the 1985–1999 cards were issued.
LEGACY = ["110105491231002", "110101550612013", "310104620301125", "120101701115047"]


def _run(tmp_path: Path, rows: list[dict[str, str]], sex: str = 'code_set: "GBT2261.1@^1"') -> ValidationResult:
    schema = tmp_path / "schema.yaml"
    schema.write_text(SCHEMA.format(sex=sex), encoding="utf-8")
    data = tmp_path / "data.csv"
    with data.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id_number", "sex", "status", "finish_time"])
        writer.writeheader()
        writer.writerows(rows)
    return validate(data, schema, today=TODAY)


def _rows(sex: list[str]) -> list[dict[str, str]]:
    return [{"id_number": n, "sex": s, "status": "办结", "finish_time": "2024-05-06 10:00:00"}
            for n, s in zip(LEGACY, sex, strict=True)]


def test_a_clean_legacy_column_alone_does_not_warn(tmp_path: Path) -> None:
    # The outside oracle: each, widened to 18 characters (century 19, python-stdnum's check character), is
    # a valid number by python-stdnum, whose is_valid also judges the region and the birth date.
    widened = [n[:6] + "19" + n[6:] for n in LEGACY]
    assert all(ric.is_valid(w + ric.calc_check_digit(w + "?")) for w in widened)  # it drops the last character
    result = _run(tmp_path, _rows(["1", "2", "1", "2"]))
    card = result.scorecard
    checksum = result.check("id_number.checksum")
    assert (checksum.evaluated, checksum.failed) == (0, 0)
    assert result.check("id_number.length").evaluated == 4 and result.check("id_number.length").failed == 0
    assert sum(result.failed_counts.values()) == 0
    # Visible as information, with the reason, never as a clean pass ...
    scored = next(c for c in card.checks if c.rule_id == "id_number.checksum")
    assert scored.unmeasured_reason is not None and scored.unmeasured_reason.startswith("not applicable")
    codes = [(r.level, r.code) for r in card.verdict.reasons]
    assert ("info", "not_applicable") in codes
    # ... but not a gate warning: the dataset is clean.
    assert "unmeasured_check" not in [c for _, c in codes]
    assert card.verdict.verdict.value == "PASS", card.verdict.reasons


def test_a_code_set_column_holding_no_code_still_warns(tmp_path: Path) -> None:
    # 性别 (not required) left empty in every row: its checks are genuinely unmeasured — the gate cannot
    # vouch for the column — while the legacy ID column beside it stays information.
    card = _run(tmp_path, _rows(["", "", "", ""])).scorecard
    sex = next(c for c in card.checks if c.rule_id == "sex.normalised")
    assert sex.evaluated == 0 and sex.unmeasured_reason is not None
    assert sex.unmeasured_reason.startswith("sex holds no GBT2261.1 code")
    warned = [r for r in card.verdict.reasons if r.code == "unmeasured_check"]
    assert len(warned) == 1 and warned[0].level == "warn" and warned[0].value == 3
    assert warned[0].subject == "sex.code_set"
    assert "id_number.checksum" not in warned[0].message
    info = [r for r in card.verdict.reasons if r.code == "not_applicable"]
    assert len(info) == 1 and info[0].level == "info" and info[0].subject == "id_number.checksum"
    assert card.verdict.verdict.value == "WARN"


def test_placeholders_in_a_required_if_target_are_missing(tmp_path: Path) -> None:
    finish = ["2024-05-06 10:00:00", "无", "/", "-", "", "  ", "2024-05-07 11:30:00", "无"]
    status = ["办结", "办结", "办结", "办结", "办结", "办结", "受理", "受理"]
    ids = [*LEGACY, *LEGACY]
    rows = [{"id_number": n, "sex": "1", "status": s, "finish_time": f}
            for n, s, f in zip(ids, status, finish, strict=True)]
    result = _run(tmp_path, rows)
    rule = result.check("rules.finished_has_time")
    # Six closed cases: one with a time, three placeholders, two blank (an empty and a spaces-only cell).
    assert (rule.evaluated, rule.failed) == (6, 5)
    # The placeholders are reported as such too (the two 无, / and -), as for any typed field.
    assert result.check("finish_time.placeholder").failed == 4
    # The same notion of empty as not_null: a required field holding the same values fails as often.
    required = _run(tmp_path, [{**r, "id_number": v} for r, v in zip(rows, ["无", "/", "-", "", *LEGACY], strict=True)])
    assert required.check("id_number.not_null").failed == 4


def test_a_placeholder_in_the_condition_field_is_no_value(tmp_path: Path) -> None:
    # `when: {field: status, in: [办结]}` never holds on a placeholder; a `present` condition must not either.
    rows = [{"id_number": n, "sex": "1", "status": "办结", "finish_time": f}
            for n, f in zip(LEGACY, ["2024-05-06 10:00:00", "无", "/", ""], strict=True)]
    schema = SCHEMA.replace("when: {{field: status, in: [办结]}}", "when: {{field: finish_time, present: true}}")
    path = tmp_path / "present.yaml"
    path.write_text(schema.format(sex='code_set: "GBT2261.1@^1"').replace("field: finish_time\n    when",
                                                                          "field: status\n    when"), encoding="utf-8")
    data = tmp_path / "present.csv"
    with data.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id_number", "sex", "status", "finish_time"])
        writer.writeheader()
        writer.writerows(rows)
    rule = validate(data, path, today=TODAY).check("rules.finished_has_time")
    assert (rule.evaluated, rule.failed) == (1, 0)  # only the row with a real time
