"""``govstd.validate(...)`` judges its result once: ``.verdict``, ``.score`` and ``.exit_code`` are what a
pipeline needs, with no other import; the reports reuse that one scorecard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import govstd
from govstd import demo
from govstd.validators import scorecard as sc
from govstd.validators.report import finish
from govstd.validators.results import ValidationResult


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("api")
    records, _ = demo.generate(300)
    data = demo.write_csv(records, root / "cases.csv")
    schema = root / "cases.schema.yaml"
    schema.write_text(demo.schema_yaml(), encoding="utf-8")
    return data, schema


def test_the_result_carries_the_verdict(files: tuple[Path, Path]) -> None:
    data, schema = files
    result = govstd.validate(data, schema)
    card = result.scorecard
    assert card is not None
    # An outside computation of the same decision: the scorecard's own fields and exit rule.
    assert result.verdict == card.verdict.verdict.value and result.score == card.score
    assert result.exit_code == sc.exit_code(card, "fail")
    assert result.gate is not None
    assert [r["code"] for r in result.gate.reasons] == [r.code for r in card.verdict.reasons]
    # The demo data has injected defects: the conditional-share gate is not a clean PASS.
    assert result.verdict in {"WARN", "FAIL"}


#: A gate that only warns: nothing fails, any score below 100 warns (the demo data has defects).
WARN_ONLY = {"gate": {"conditional": {"min_score": 0, "warn_score": 100, "min_dimension": 0, "warn_dimension": 0,
                                      "min_check": 0, "warn_check": 0, "pii_exposures": "ignore",
                                      "unmeasured": "ignore"}}}


def test_fail_on_and_policy(files: tuple[Path, Path]) -> None:
    data, schema = files
    warned = govstd.validate(data, schema, policy=WARN_ONLY)
    assert warned.verdict == "WARN" and warned.exit_code == 0
    strict = govstd.validate(data, schema, policy=WARN_ONLY, fail_on="warn")
    assert strict.verdict == "WARN" and strict.exit_code == 1
    assert strict.score == warned.score == govstd.validate(data, schema).score  # the gate moves, not the score


def test_the_gate_is_in_the_json_and_round_trips(files: tuple[Path, Path]) -> None:
    data, schema = files
    result = govstd.validate(data, schema)
    doc = json.loads(result.model_dump_json())
    assert doc["gate"]["verdict"] == result.verdict and doc["gate"]["exit_code"] == result.exit_code
    back = ValidationResult.model_validate(doc)
    assert back.verdict == result.verdict and back.exit_code == result.exit_code and back.scorecard is None


def test_reports_reuse_the_one_scorecard(files: tuple[Path, Path]) -> None:
    data, schema = files
    result = govstd.validate(data, schema)
    assert finish(result).scorecard is result.scorecard
    other = finish(result, policy={"weights": {"accuracy": 5}})
    assert other.scorecard is not result.scorecard  # another policy is scored anew


def test_a_result_never_judged_refuses_an_exit_code(files: tuple[Path, Path]) -> None:
    data, schema = files
    bare = govstd.validate(data, schema).model_copy(update={"gate": None})
    assert bare.verdict is None and bare.score is None
    with pytest.raises(ValueError, match="not judged"):
        _ = bare.exit_code
