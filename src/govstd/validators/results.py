"""What a validation run returns: per-check metrics, never a verdict.

Metrics (evaluated, failed, masked samples) are kept apart from thresholds: the scorecard weighs them
and the share gate judges them (``govstd.validators.scorecard``). Every engine (DuckDB, Spark,
PostgreSQL) fills the same models, so their results compare field by field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from govstd.standards.models import QualityDimension

#: ``details`` key under which a derived check carries its reason for evaluating no row.
UNMEASURED_KEY = "unmeasured_reason"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Sample(_Model):
    """One failing row: its 1-based row number in the source and the masked values of the check's columns."""

    row: int
    values: dict[str, str | None]


class CheckResult(_Model):
    """The outcome of one check: how many rows it looked at and how many failed."""

    rule_id: str = Field(description="Stable rule id, e.g. 'id_number.checksum' or 'unique.key'.")
    rule: str = Field(description="Rule kind, e.g. 'checksum', 'not_null', 'code_set'.")
    dimension: QualityDimension
    indicator: str | None = Field(None, description="GB/T 36344 indicator, e.g. 数据格式合规性.")
    columns: list[str]
    description: str
    evaluated: int = Field(ge=0, description="Rows (or groups) the check applied to.")
    failed: int = Field(ge=0)
    samples: list[Sample] = Field(default_factory=list)
    severity: str = Field("error", description="'error' and 'warning' count against the score; 'info' only reports.")
    details: dict[str, Any] = Field(default_factory=dict)
    unmeasured_reason: str | None = Field(
        None, description="Why the check evaluated no row (None when it evaluated some): such a check is "
        "unmeasured, never a clean pass.")

    @model_validator(mode="after")
    def _unmeasured(self) -> CheckResult:
        # The derived check carries its reason in details (every engine copies details as they are);
        # it becomes this field when nothing was evaluated, and leaves details either way.
        template = self.details.pop(UNMEASURED_KEY, None)
        if self.evaluated == 0 and self.unmeasured_reason is None:
            self.unmeasured_reason = str(template) if template else "no row the check applies to"
        elif self.evaluated > 0:
            self.unmeasured_reason = None
        return self

    @property
    def passed(self) -> int:
        return self.evaluated - self.failed

    @property
    def pass_rate(self) -> float:
        return 1.0 if self.evaluated == 0 else self.passed / self.evaluated


class DatasetInfo(_Model):
    """What was validated: enough to tell two inputs apart, no content."""

    source: str
    format: str
    rows: int
    columns: list[str]
    encoding: str | None = None
    sha256: str | None = None
    sm3: str | None = None
    bytes: int | None = None


class ValidationResult(_Model):
    """All checks of one run, plus what was validated, against which schema, on which engine."""

    dataset: DatasetInfo
    schema_ref: str = Field(description="Catalogue schema 'id@version'.")
    engine: str
    tool_version: str
    registry: str | None = None
    started_at: dt.datetime
    finished_at: dt.datetime
    checks: list[CheckResult]
    warnings: list[str] = Field(default_factory=list)

    def check(self, rule_id: str) -> CheckResult:
        for c in self.checks:
            if c.rule_id == rule_id:
                return c
        raise KeyError(rule_id)

    @property
    def failed_counts(self) -> dict[str, int]:
        """rule id → failed count: what the engine parity tests compare."""
        return {c.rule_id: c.failed for c in self.checks}
