"""The scorecard as data: grades, verdicts and the pydantic models the JSON report holds and every other
report renders.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import ConfigDict, Field

from govstd.standards.models import (
    QualityDimension,
    SensitivityLevel,
    ShareType,
)
from govstd.validators.results import DatasetInfo, FixListInfo, Sample
from govstd.validators.scorecard.masked_copy import MaskedCopy
from govstd.validators.scorecard.policy import GateThresholds, StrictModel

#: Version of the scorecard's JSON layout; bump the major on any breaking change to ``Scorecard``.
SCORECARD_SCHEMA_VERSION = "1.0.0"
SCORECARD_SCHEMA_ID = f"https://govstd.org/schema/scorecard/{SCORECARD_SCHEMA_VERSION}"


# --------------------------------------------------------------------------- grades


class Grade(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"

    @property
    def label_zh(self) -> str:
        return _GRADE_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _GRADE_LABELS[self][1]


_GRADE_LABELS = {
    Grade.A: ("优", "excellent"),
    Grade.B: ("良", "good"),
    Grade.C: ("中", "fair"),
    Grade.D: ("差", "poor"),
}

#: Lowest score of each grade (docs/scoring.md explains the bands).
GRADE_BANDS: tuple[tuple[float, Grade], ...] = ((95.0, Grade.A), (85.0, Grade.B), (70.0, Grade.C), (0.0, Grade.D))


def grade_for(score: float | None) -> Grade | None:
    """The grade of a (rounded) score; None when nothing was measured."""
    if score is None:
        return None
    for floor, grade in GRADE_BANDS:
        if score >= floor:
            return grade
    return Grade.D


# --------------------------------------------------------------------------- the scorecard model


class Verdict(StrEnum):
    PASS = "PASS"
    WARN = "WARN"
    FAIL = "FAIL"

    @property
    def label_zh(self) -> str:
        return {"PASS": "通过", "WARN": "警告", "FAIL": "不通过"}[self.value]


class CheckScore(StrictModel):
    """One check as scored: the engine's metrics, its pass rate, whether it counted, masked samples."""

    rule_id: str
    rule: str
    dimension: QualityDimension
    indicator: str | None = None
    columns: list[str]
    description: str
    severity: str
    evaluated: int = Field(ge=0)
    failed: int = Field(ge=0)
    pass_rate: float | None = Field(description="(evaluated − failed) / evaluated, 0–1; None if nothing evaluated.")
    score: float | None = Field(description="pass_rate × 100, rounded; None if nothing evaluated.")
    counted: bool = Field(description="Counts toward the scores (not info severity, evaluated > 0).")
    unmeasured_reason: str | None = Field(
        None, description="Why the check evaluated no row: it is unmeasured (not a pass); None when it evaluated some.")
    pii_exposure: bool = Field(False, description="A PII-exposure check: its failures are unmasked identifiers.")
    samples: list[Sample] = Field(default_factory=list, description="Masked failing rows (at most a few).")
    samples_omitted: int = Field(0, ge=0, description="Samples the engine returned beyond the report's limit.")
    details: dict[str, Any] = Field(default_factory=dict)


class DimensionScore(StrictModel):
    """One GB/T 36344 dimension: its score and the checks that made it."""

    dimension: QualityDimension
    label_zh: str
    label_en: str
    weight: float = Field(description="Configured weight, normalised over all six dimensions (0–1).")
    measured: bool
    score: float | None = Field(description="Mean score of its counted checks; None = not measured (未测量).")
    checks: list[str] = Field(description="Rule ids of the counted checks that made the score.")
    not_counted: list[str] = Field(default_factory=list, description="Its info or not-evaluated checks.")
    failing_checks: int = Field(0, ge=0)
    evaluated: int = Field(0, ge=0)
    failed: int = Field(0, ge=0)


class ColumnScore(StrictModel):
    """One column: the score of the worst counted check naming it (docs/scoring.md says why not the mean)."""

    name: str
    name_zh: str | None = None
    in_schema: bool
    measured: bool
    score: float | None
    grade: Grade | None
    checks: list[str]
    worst_check: str | None = Field(None, description="Rule id of the failing check that sets the score "
                                                      "(None when every check passes).")
    failing_checks: int = Field(0, ge=0)
    failed: int = Field(0, ge=0, description="Failures summed over its checks (a row may count twice).")


class GateReason(StrictModel):
    level: Literal["fail", "warn", "info"]
    code: str = Field(description="volume | pii_exposure | score | dimension | check | unmeasured | "
                                  "unmeasured_check | unmeasured_masked | not_applicable | not_measured | open_data")
    subject: str | None = Field(None, description="The dimension or rule id concerned, if one.")
    value: float | None = None
    threshold: float | None = None
    message: str
    message_zh: str


class GateVerdict(StrictModel):
    """The share gate's answer for the declared share type."""

    verdict: Verdict
    verdict_zh: str
    share_type: ShareType
    share_type_zh: str
    open_to_public: bool
    policy: Literal["unconditional", "conditional", "not_shared", "open"] = Field(
        description="Which thresholds applied: the share type's, or 'open' for data open to the public."
    )
    thresholds: GateThresholds
    pii_exposures: int = Field(ge=0, description="Unmasked personal identifiers found by PII-exposure checks.")
    reasons: list[GateReason]


class SchemaInfo(StrictModel):
    ref: str = Field(description="Catalogue schema id@version.")
    id: str
    version: str
    name_zh: str
    name_en: str | None = None
    provider: str | None = None
    share_type: ShareType
    open_to_public: bool
    sensitivity: SensitivityLevel


class CheckTotals(StrictModel):
    checks: int
    counted: int
    failing: int = Field(description="Counted checks with at least one failure.")
    info: int
    not_evaluated: int


class Scorecard(StrictModel):
    """The whole scorecard: what the JSON report holds and every other report renders."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    report_schema: str = Field(SCORECARD_SCHEMA_ID, alias="$schema")
    tool: str = "govstd"
    tool_version: str
    engine: str
    registry: str | None = None
    started_at: dt.datetime
    finished_at: dt.datetime
    dataset: DatasetInfo
    schema_info: SchemaInfo = Field(alias="schema")
    score: float | None = Field(description="Overall score 0–100; None when no dimension was measured.")
    grade: Grade | None
    grade_zh: str | None
    dimensions: list[DimensionScore]
    columns: list[ColumnScore]
    checks: list[CheckScore]
    totals: CheckTotals
    verdict: GateVerdict
    warnings: list[str] = Field(default_factory=list)
    fix_list: FixListInfo | None = Field(None, description="The fix list of every failing row, if written.")
    masked_copy: MaskedCopy | None = Field(None, description="The dataset is a copy written by govstd mask: "
                                                             "of which source, masked how (docs/steward.md).")

    def dimension(self, dimension: QualityDimension | str) -> DimensionScore:
        key = QualityDimension(dimension)
        return next(d for d in self.dimensions if d.dimension == key)

    def column(self, name: str) -> ColumnScore:
        return next(c for c in self.columns if c.name == name)

    def check(self, rule_id: str) -> CheckScore:
        return next(c for c in self.checks if c.rule_id == rule_id)

    def to_json_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = self.model_dump(mode="json", by_alias=True)
        return data
