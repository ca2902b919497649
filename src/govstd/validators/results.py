"""What a validation run returns: per-check metrics, and what the share gate made of them.

Metrics (evaluated, failed, masked samples) are kept apart from thresholds: the scorecard weighs them
and the share gate judges them (``govstd.validators.scorecard``). Every engine (DuckDB, Spark,
PostgreSQL) fills the same models, so their results compare field by field. ``govstd.validate`` then
attaches the scorecard it built once (``ValidationResult.judged``): the result's ``verdict``, ``score``
and ``exit_code`` — and its JSON's ``gate`` — let a pipeline decide without another import.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from govstd.standards.models import CatalogueSchema, MaskingRule, PiiClass, QualityDimension

if TYPE_CHECKING:
    from govstd.validators.derive import Binding
    from govstd.validators.scorecard import Scorecard

#: ``details`` key under which a derived check carries its reason for evaluating no row.
UNMEASURED_KEY = "unmeasured_reason"
#: ``details`` key of a derived check whose evaluating no row is no measurement gap: the check is
#: structurally inapplicable to every value it could see (a GB 11643 check character of a column holding
#: only 15-digit legacy numbers, which have none). Kept in ``details`` only when nothing was evaluated; the
#: share gate reports such a check as information, not as an unmeasured warning.
INAPPLICABLE_KEY = "inapplicable_when_unevaluated"


class _Model(BaseModel):
    # defer_build: a model's validator is built when first used, so a run pays only for the models it makes.
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Sample(_Model):
    """One failing row: where it is, and the masked values of the check's columns.

    ``row`` counts data rows (1 = the first row under the header, in every format and engine: what
    engines and tests compare); ``line`` is where a person finds it in the file — the CSV line counted
    from the top of the file (header, title lines and the line breaks inside quoted cells included), the
    sheet row Excel shows (title rows included), the record index of a Parquet file, the line of a JSON
    Lines file; None for a database table or an in-memory frame. A duplicate names the first row holding
    the same key (``repeats_row`` / ``repeats_line``): the row kept when the repeats are removed.
    """

    row: int = Field(description="1-based data row (header and title rows not counted).")
    line: int | None = Field(None, description="Physical place: CSV/JSON Lines line, XLSX sheet row, Parquet record.")
    repeats_row: int | None = Field(None, description="Duplicates: the first data row with the same key.")
    repeats_line: int | None = Field(None, description="Duplicates: the physical place of ``repeats_row``.")
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
        if self.evaluated > 0:
            self.details.pop(INAPPLICABLE_KEY, None)
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


class FieldBinding(_Model):
    """What one schema field was bound to in the run: the exact versions its references resolved
    to, and how its values are masked — decided once, by derivation, for the engine and the reports."""

    standard: str | None = Field(None, description="The data element (or code set) bound, 'id@version'.")
    code_set: str | None = Field(None, description="The code set its values are checked against, 'id@version'.")
    algorithm: str | None = Field(None, description="The identifier algorithm checked, e.g. 'gb11643'.")
    pii: PiiClass = PiiClass.NONE
    masking: MaskingRule | None = Field(None, description="How its values are masked; None: not personal data.")

    @classmethod
    def of(cls, binding: Binding) -> FieldBinding:
        """What a result keeps of a field's binding (``govstd.validators.derive.bind``)."""
        element, code_set = (f"{e.id}@{e.version}" if e is not None else None
                             for e in (binding.element, binding.code_set))
        return cls(standard=element or (code_set if binding.spec.standard else None), code_set=code_set,
                   algorithm=binding.algorithm, pii=binding.pii, masking=binding.masking)


class FixListInfo(_Model):
    """The fix list a run wrote (``govstd.validators.fixlist``): its file name and how many rows it holds."""

    path: str = Field(description="The fix list (.xlsx or .csv) as the reports link it: its file name, or with "
                      "--out its path relative to the reports' folder.")
    rows: int = Field(ge=0, description="Failing rows listed: one per (row, check).")
    by_severity: dict[str, int] = Field(default_factory=dict, description="Rows per severity.")


class Gate(_Model):
    """The share gate's verdict on a run, in the result: what a pipeline reads to pass or stop."""

    score: float | None = Field(description="Overall score 0–100; None when no dimension was measured.")
    grade: str | None = Field(description="A–D band of the score (docs/scoring.md); None when not measured.")
    grade_zh: str | None = None
    verdict: Literal["PASS", "WARN", "FAIL"]
    verdict_zh: str
    reasons: list[dict[str, Any]] = Field(
        default_factory=list, description="Why the verdict: level, code, subject, message, message_zh.")
    fail_on: Literal["warn", "fail"] = Field("fail", description="The verdict that fails the exit code.")
    exit_code: int = Field(ge=0, le=1, description="0: the gate lets the dataset through; 1: it does not.")


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
    fix_list: FixListInfo | None = Field(None, description="The fix list written by this run, if one was asked for.")
    bindings: dict[str, FieldBinding] = Field(
        default_factory=dict, description="Field → what the run bound it to (empty for results not from a run).")
    label_masking: dict[str, MaskingRule | None] = Field(
        default_factory=dict, description="Sample labels that are no field of the schema (another department's "
        "column shown beside a row, e.g. 'XM (510100-00099)') → how the run masks their values; every report "
        "masks them like a field, whatever the run's show_values.")
    #: The catalogue schema the run resolved, as an object, so reports never load or resolve it again.
    #: Not part of the JSON: ``schema_ref`` names it.
    catalogue: CatalogueSchema | None = Field(None, exclude=True, repr=False)
    gate: Gate | None = Field(None, description="The share gate's verdict (None for results not from a run).")
    #: The scorecard ``gate`` summarises, built once by ``govstd.validate`` so reports never score again.
    _scorecard: Scorecard | None = PrivateAttr(None)

    def judged(self, card: Scorecard, *, exit_code: int, fail_on: Literal["warn", "fail"] = "fail"
               ) -> ValidationResult:
        """A copy carrying ``card`` and its verdict. ``exit_code`` is the scorecard's decision
        (``govstd.validators.scorecard.exit_code``), passed in so it is taken in one place."""
        v = card.verdict
        out = self.model_copy(update={"gate": Gate(
            score=card.score, grade=card.grade.value if card.grade else None, grade_zh=card.grade_zh,
            verdict=v.verdict.value, verdict_zh=v.verdict_zh,
            reasons=[r.model_dump(mode="json") for r in v.reasons], fail_on=fail_on, exit_code=exit_code)})
        out._scorecard = card
        return out

    @property
    def scorecard(self) -> Scorecard | None:
        """The scorecard ``govstd.validate`` built for this result; None for results not from a run."""
        return self._scorecard

    @property
    def verdict(self) -> str | None:
        """``PASS``, ``WARN`` or ``FAIL`` for the schema's share type; None when not judged."""
        return self.gate.verdict if self.gate else None

    @property
    def score(self) -> float | None:
        """The overall score (0–100); None when nothing was measured or the result was not judged."""
        return self.gate.score if self.gate else None

    @property
    def exit_code(self) -> int:
        """What ``govstd validate`` exits with: 0 through the gate, 1 not (``fail_on`` of the run).

        Raises ``ValueError`` for a result never judged: ``sys.exit(None)`` would pass silently."""
        if self.gate is None:
            raise ValueError("this result was not judged by the share gate: use govstd.validate()")
        return self.gate.exit_code

    def check(self, rule_id: str) -> CheckResult:
        for c in self.checks:
            if c.rule_id == rule_id:
                return c
        raise KeyError(rule_id)

    @property
    def masking(self) -> dict[str, MaskingRule | None] | None:
        """Field or sample label → the run's masking decision; None when the result does not come from a run.

        A field's decision wins over a label of the same name (derivation decides alike)."""
        if not self.bindings and not self.label_masking:
            return None
        return {**self.label_masking, **{name: b.masking for name, b in self.bindings.items()}}

    @property
    def failed_counts(self) -> dict[str, int]:
        """rule id → failed count: what the engine parity tests compare."""
        return {c.rule_id: c.failed for c in self.checks}
