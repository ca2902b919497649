"""Quality scorecards (质量评分卡) and the share gate, from a ``ValidationResult``.

The engine measures (evaluated, failed per check); this module weighs and judges. The formula —
documented with its defaults in ``docs/scoring.md`` — in four lines:

- a check's score is its pass rate ``(evaluated − failed) / evaluated`` × 100 (GB/T 36344 measures each
  indicator as a ratio X = A/B); info-severity checks and checks that evaluated nothing do not count;
- a dimension's score is the mean of its counted checks' scores; with none it is *not measured*;
- a column's score is the mean of the counted checks that name it;
- the overall score is the weighted mean of the measured dimensions (weights renormalised over them).

The share gate then turns the scorecard into PASS / WARN / FAIL for the dataset's declared share type
(无条件共享 / 有条件共享 / 不予共享, or open data), with the reasons. Thresholds and weights come from the
built-in defaults, overridden per key by ``schema.quality`` and then by a policy file (``--policy``).

Nothing personal leaves this module: samples are re-masked when a personal column's value arrives
unmasked, and every string that reaches a report passes ``redact`` (ID-, phone- and USCC-shaped
numbers are masked), so the reports built from a ``Scorecard`` need no privacy logic of their own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from govstd.errors import GovstdError, InputError
from govstd.standards.masking import FALLBACK_RULE, redact
from govstd.standards.models import (
    CatalogueSchema,
    DataElement,
    FieldSpec,
    MaskingRule,
    PiiClass,
    QualityDimension,
    SensitivityLevel,
    ShareType,
)
from govstd.validators.privacy import redact_any, redact_names, redact_row
from govstd.validators.results import CheckResult, DatasetInfo, FixListInfo, Sample, ValidationResult

__all__ = [
    "DEFAULT_GATE",
    "DEFAULT_WEIGHTS",
    "GRADE_BANDS",
    "PII_EXPOSURE_RULES",
    "SCORECARD_SCHEMA_ID",
    "SCORECARD_SCHEMA_VERSION",
    "Action",
    "CheckScore",
    "ColumnScore",
    "DimensionScore",
    "GatePolicy",
    "GateReason",
    "GateThresholds",
    "GateVerdict",
    "Grade",
    "QualityPolicy",
    "Scorecard",
    "Verdict",
    "build",
    "exit_code",
    "fingerprint",
    "gate",
    "grade_for",
    "is_pii_exposure",
    "load_policy",
    "redact",
    "resolve_policy",
]

#: Version of the scorecard's JSON layout; bump the major on any breaking change to ``Scorecard``.
SCORECARD_SCHEMA_VERSION = "1.0.0"
SCORECARD_SCHEMA_ID = f"https://govstd.org/schema/scorecard/{SCORECARD_SCHEMA_VERSION}"

#: Samples kept per failing check in every report: enough to find the defect, few enough not to leak.
DEFAULT_MAX_SAMPLES = 5

#: Rule kinds whose failures are personal identifiers exposed unmasked (the engine's PII-exposure check).
PII_EXPOSURE_RULES = frozenset({"pii_exposure", "pii"})

_ROUND = 2  # decimals of every score in a scorecard; grades and the gate judge the rounded value


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


# --------------------------------------------------------------------------- policy

#: Relative weight of each GB/T 36344 dimension in the overall score (justified in docs/scoring.md).
DEFAULT_WEIGHTS: dict[QualityDimension, float] = {
    QualityDimension.ACCURACY: 30.0,
    QualityDimension.COMPLETENESS: 25.0,
    QualityDimension.CONFORMITY: 15.0,
    QualityDimension.CONSISTENCY: 15.0,
    QualityDimension.TIMELINESS: 10.0,
    QualityDimension.ACCESSIBILITY: 5.0,
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Action(StrEnum):
    """What the gate does with a finding."""

    FAIL = "fail"
    WARN = "warn"
    IGNORE = "ignore"


class GateThresholds(_Model):
    """The bar one share type must clear. Scores are 0–100; a value *below* a threshold trips it."""

    min_score: float = Field(ge=0, le=100, description="Overall score below this: FAIL.")
    warn_score: float = Field(ge=0, le=100, description="Overall score below this: WARN.")
    min_dimension: float = Field(ge=0, le=100, description="Any measured dimension below this: FAIL.")
    warn_dimension: float = Field(ge=0, le=100, description="Any measured dimension below this: WARN.")
    min_check: float = Field(ge=0, le=100, description="Any counted check's pass rate (%) below this: FAIL.")
    warn_check: float = Field(ge=0, le=100, description="Any counted check's pass rate (%) below this: WARN.")
    pii_exposures: Action = Field(description="Unmasked personal identifiers found: fail, warn or ignore.")
    unmeasured: Action = Field(description="No check could be scored at all: fail, warn or ignore.")

    @model_validator(mode="after")
    def _warn_not_below_fail(self) -> GateThresholds:
        if self.warn_score < self.min_score:
            raise ValueError("warn_score must be >= min_score")
        if self.warn_dimension < self.min_dimension:
            raise ValueError("warn_dimension must be >= min_dimension")
        if self.warn_check < self.min_check:
            raise ValueError("warn_check must be >= min_check")
        return self


class GatePolicy(_Model):
    """Thresholds per share type, plus ``open`` for data open to the public (开放数据)."""

    unconditional: GateThresholds
    conditional: GateThresholds
    not_shared: GateThresholds
    open: GateThresholds


#: Built-in gate: 无条件共享 and open data strictest, 有条件共享 lower, 不予共享 never FAIL on quality.
DEFAULT_GATE = GatePolicy(
    unconditional=GateThresholds(min_score=90, warn_score=95, min_dimension=80, warn_dimension=90, min_check=90,
                                 warn_check=98, pii_exposures=Action.FAIL, unmeasured=Action.FAIL),
    conditional=GateThresholds(min_score=75, warn_score=85, min_dimension=60, warn_dimension=75, min_check=80,
                               warn_check=95, pii_exposures=Action.WARN, unmeasured=Action.WARN),
    not_shared=GateThresholds(min_score=0, warn_score=70, min_dimension=0, warn_dimension=0, min_check=0,
                              warn_check=0, pii_exposures=Action.IGNORE, unmeasured=Action.WARN),
    open=GateThresholds(min_score=90, warn_score=95, min_dimension=80, warn_dimension=90, min_check=90,
                        warn_check=98, pii_exposures=Action.FAIL, unmeasured=Action.FAIL),
)


class QualityPolicy(_Model):
    """Everything the scorecard and gate are configured by: weights and gate thresholds."""

    weights: dict[QualityDimension, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    gate: GatePolicy = DEFAULT_GATE

    @field_validator("weights")
    @classmethod
    def _weights_sane(cls, value: dict[QualityDimension, float]) -> dict[QualityDimension, float]:
        if any(w < 0 for w in value.values()):
            raise ValueError("weights must not be negative")
        if not any(w > 0 for w in value.values()):
            raise ValueError("at least one weight must be positive")
        return {d: float(value.get(d, 0.0)) for d in QualityDimension}


_POLICY_KEYS = {"weights", "gate"}
_GATE_KEYS = {"unconditional", "conditional", "not_shared", "open"}


def _gate_key(key: str) -> str:
    if key in _GATE_KEYS:
        return key
    if key in {"开放", "开放数据", "open_data"}:
        return "open"
    try:
        return ShareType(key).value
    except ValueError:
        raise ValueError(f"unknown share type {key!r} (expected one of {', '.join(sorted(_GATE_KEYS))})") from None


def _dimension_key(key: str) -> QualityDimension:
    try:
        return QualityDimension(key)
    except ValueError:
        names = ", ".join(d.value for d in QualityDimension)
        raise ValueError(f"unknown quality dimension {key!r} (expected one of {names})") from None


def _merge_layer(base: dict[str, Any], layer: Mapping[str, Any], where: str) -> None:
    unknown = set(layer) - _POLICY_KEYS
    if unknown:
        raise InputError(f"unknown key(s) {', '.join(sorted(map(str, unknown)))}", path=where,
                         expected="weights, gate")
    try:
        weights = layer.get("weights")
        if weights is not None:
            if not isinstance(weights, Mapping):
                raise ValueError("weights must be a mapping of dimension → number")
            for key, value in weights.items():
                base["weights"][_dimension_key(str(key)).value] = value
        gate = layer.get("gate")
        if gate is not None:
            if not isinstance(gate, Mapping):
                raise ValueError("gate must be a mapping of share type → thresholds")
            for key, value in gate.items():
                if not isinstance(value, Mapping):
                    raise ValueError(f"gate.{key} must be a mapping of thresholds")
                base["gate"][_gate_key(str(key))].update(value)
    except ValueError as exc:
        raise InputError(str(exc), path=where) from None


def resolve_policy(schema: CatalogueSchema | None = None,
                   override: Mapping[str, Any] | QualityPolicy | None = None) -> QualityPolicy:
    """Defaults, then ``schema.quality`` (weights, gate), then ``override`` (a policy file), key by key.

    The later layer wins per key: a policy file may raise one threshold and keep the others.
    """
    if isinstance(override, QualityPolicy):
        return override
    base: dict[str, Any] = {
        "weights": {d.value: w for d, w in DEFAULT_WEIGHTS.items()},
        "gate": DEFAULT_GATE.model_dump(mode="json"),
    }
    if schema is not None and schema.quality:
        layer = {k: v for k, v in schema.quality.items() if k in _POLICY_KEYS}
        _merge_layer(base, layer, f"{schema.ref} quality")
    if override:
        _merge_layer(base, override, "policy")
    try:
        return QualityPolicy.model_validate(base)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise InputError(first["msg"], field=loc or None, hint="see docs/scoring.md for the policy keys") from None


def load_policy(path: str | Path) -> dict[str, Any]:
    """Read a policy YAML (or JSON) file: ``{weights: {...}, gate: {share_type: {...}}}``."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("policy file not found", path=str(p)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read policy file: {exc}", path=str(p)) from None
    try:
        data = YAML(typ="safe").load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=str(p), line=line) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError("a policy file must be a mapping", path=str(p), expected="weights: / gate:")
    # A policy file may also be a catalogue schema's `quality:` block pasted whole.
    if set(data) == {"quality"} and isinstance(data["quality"], dict):
        data = data["quality"]
    result: dict[str, Any] = data
    _merge_layer({"weights": {}, "gate": {k: {} for k in _GATE_KEYS}}, result, str(p))  # validate keys early
    return result


# --------------------------------------------------------------------------- privacy

def _pii_rules(schema: CatalogueSchema | None, decided: Mapping[str, MaskingRule | None] | None
               ) -> dict[str, MaskingRule]:
    """Column → masking rule for the schema's personal columns.

    ``decided``: the run's own decisions (``ValidationResult.masking``, made by derivation from the
    versions the run bound), taken as they are. A field declared ``masked`` gets the fallback rule
    when the run decided none: its values should arrive masked, and that is never trusted. Only a
    result that does not come from a run (built by hand, read back from JSON) has no decisions; its
    are made here from the schema and the built-in library.
    """
    if schema is None:
        return {}
    rules: dict[str, MaskingRule] = {}
    for spec in schema.fields:
        rule = decided.get(spec.name) if decided is not None else _library_rule(spec)
        if rule is None and spec.masked:
            rule = FALLBACK_RULE
        if rule is not None:
            rules[spec.name] = rule
    return rules


def _library_rule(spec: FieldSpec) -> MaskingRule | None:
    """A field's masking rule from its own PII class or the built-in standard of its name."""
    from govstd.standards import library

    element: DataElement | None = None
    if spec.standard:
        found = None
        # PII class and masking do not depend on the version: a range the built-in library cannot
        # satisfy (a registry's newer version) still masks like the built-in standard of that name.
        for ref in (spec.standard, spec.standard.split("@", 1)[0]):
            try:
                found = library.lookup(ref).entry
                break
            except GovstdError:
                continue
        element = found if isinstance(found, DataElement) else None
    pii = spec.pii if spec.pii is not None else (element.pii if element is not None else PiiClass.NONE)
    if pii == PiiClass.NONE and not spec.masked:
        return None
    return element.masking if element is not None and element.masking else FALLBACK_RULE


def _safe_sample(sample: Sample, pii: Mapping[str, MaskingRule]) -> Sample:
    # The engine should have masked it (and an API result asked with show_values did not): never trust,
    # always mask — the field rule, redact(), birth dates beside an ID (govstd.validators.privacy).
    shown = redact_row(sample.values, pii, max_chars=None)
    return sample.model_copy(update={"values": {redact(k): v for k, v in sorted(shown.items())}})


# --------------------------------------------------------------------------- the scorecard model


class Verdict(StrEnum):
    PASS = "PASS"
    WARN = "WARN"
    FAIL = "FAIL"

    @property
    def label_zh(self) -> str:
        return {"PASS": "通过", "WARN": "警告", "FAIL": "不通过"}[self.value]


class CheckScore(_Model):
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


class DimensionScore(_Model):
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


class ColumnScore(_Model):
    """One column: the mean score of the counted checks naming it."""

    name: str
    name_zh: str | None = None
    in_schema: bool
    measured: bool
    score: float | None
    grade: Grade | None
    checks: list[str]
    failing_checks: int = Field(0, ge=0)
    failed: int = Field(0, ge=0, description="Failures summed over its checks (a row may count twice).")


class GateReason(_Model):
    level: Literal["fail", "warn", "info"]
    code: str = Field(description="volume | pii_exposure | score | dimension | check | unmeasured | "
                                  "unmeasured_check | not_measured | open_data")
    subject: str | None = Field(None, description="The dimension or rule id concerned, if one.")
    value: float | None = None
    threshold: float | None = None
    message: str
    message_zh: str


class GateVerdict(_Model):
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


class SchemaInfo(_Model):
    ref: str = Field(description="Catalogue schema id@version.")
    id: str
    version: str
    name_zh: str
    name_en: str | None = None
    provider: str | None = None
    share_type: ShareType
    open_to_public: bool
    sensitivity: SensitivityLevel


class CheckTotals(_Model):
    checks: int
    counted: int
    failing: int = Field(description="Counted checks with at least one failure.")
    info: int
    not_evaluated: int


class Scorecard(_Model):
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


# --------------------------------------------------------------------------- scoring


def is_pii_exposure(check: CheckResult) -> bool:
    """True for the engine's PII-exposure checks: rule kind ``pii_exposure`` (rule id ``<column>.pii_exposure``)."""
    return check.rule in PII_EXPOSURE_RULES or check.rule_id.rsplit(".", 1)[-1] in PII_EXPOSURE_RULES


def _r(value: float) -> float:
    return round(value, _ROUND)


def _mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def _score_check(check: CheckResult, pii: Mapping[str, MaskingRule], max_samples: int,
                 rows: int | None = None) -> CheckScore:
    counted = check.severity != "info" and check.evaluated > 0
    reason = None
    if check.evaluated == 0:
        reason = "the dataset has no rows" if rows == 0 else (check.unmeasured_reason or "no row the check applies to")
    rate = check.pass_rate if check.evaluated > 0 else None
    samples = sorted(check.samples, key=lambda s: s.row)
    kept = samples[:max_samples] if check.failed else []
    return CheckScore(
        rule_id=check.rule_id,
        rule=check.rule,
        dimension=check.dimension,
        indicator=check.indicator,
        columns=redact_names(check.columns),
        description=redact(check.description),
        severity=check.severity,
        evaluated=check.evaluated,
        failed=check.failed,
        pass_rate=None if rate is None else round(rate, 6),
        score=None if rate is None else _r(rate * 100),
        counted=counted,
        unmeasured_reason=None if reason is None else redact(reason),
        pii_exposure=is_pii_exposure(check),
        samples=[_safe_sample(s, pii) for s in kept],
        samples_omitted=max(0, len(samples) - len(kept)) if check.failed else 0,
        details=redact_any(check.details),
    )


def _dimension_scores(checks: list[CheckResult], scored: list[CheckScore],
                      weights: Mapping[QualityDimension, float]) -> tuple[list[DimensionScore], float | None]:
    total_weight = sum(weights.values())
    dims: list[DimensionScore] = []
    weighted: list[tuple[float, float]] = []
    for dimension in QualityDimension:
        mine = [(raw, s) for raw, s in zip(checks, scored, strict=True) if s.dimension == dimension]
        counted = [(raw, s) for raw, s in mine if s.counted]
        raw_score = _mean(raw.pass_rate * 100 for raw, _ in counted)
        score = None if raw_score is None else _r(raw_score)
        weight = weights.get(dimension, 0.0)
        if raw_score is not None and weight > 0:
            weighted.append((weight, raw_score))
        dims.append(DimensionScore(
            dimension=dimension,
            label_zh=dimension.label_zh,
            label_en=dimension.value.capitalize(),
            weight=round(weight / total_weight, 6),
            measured=raw_score is not None,
            score=score,
            checks=[s.rule_id for _, s in counted],
            not_counted=[s.rule_id for _, s in mine if not s.counted],
            failing_checks=sum(1 for _, s in counted if s.failed > 0),
            evaluated=sum(s.evaluated for _, s in counted),
            failed=sum(s.failed for _, s in counted),
        ))
    overall_weight = sum(w for w, _ in weighted)
    overall = _r(sum(w * s for w, s in weighted) / overall_weight) if overall_weight > 0 else None
    return dims, overall


def _column_scores(result: ValidationResult, schema: CatalogueSchema | None,
                   checks: list[CheckResult], scored: list[CheckScore]) -> list[ColumnScore]:
    schema_fields = {f.name: f for f in schema.fields} if schema is not None else {}
    names = list(dict.fromkeys(result.dataset.columns))
    named_by_checks = {c for s in scored for c in s.columns}
    names += sorted((set(schema_fields) | named_by_checks) - set(names))
    columns: list[ColumnScore] = []
    for name in names:
        mine = [(raw, s) for raw, s in zip(checks, scored, strict=True) if s.counted and name in s.columns]
        raw_score = _mean(raw.pass_rate * 100 for raw, _ in mine)
        score = None if raw_score is None else _r(raw_score)
        spec = schema_fields.get(name)
        columns.append(ColumnScore(
            name=redact(name),
            name_zh=spec.name_zh if spec is not None else None,
            in_schema=spec is not None,
            measured=score is not None,
            score=score,
            grade=grade_for(score),
            checks=[s.rule_id for _, s in mine],
            failing_checks=sum(1 for _, s in mine if s.failed > 0),
            failed=sum(s.failed for _, s in mine),
        ))
    return columns


# --------------------------------------------------------------------------- the gate


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def gate(score: float | None, dimensions: list[DimensionScore], checks: list[CheckScore],
         schema: CatalogueSchema, policy: QualityPolicy, *, rows: int | None = None) -> GateVerdict:
    """Judge a scored dataset against the thresholds of its share type (or open data).

    ``rows``: the dataset's row count, judged against ``schema.volume`` whatever the share type — an
    empty or truncated delivery is not something a quality threshold can excuse.
    """
    share_type = schema.share.share_type
    open_to_public = schema.open.open_to_public
    key: Literal["unconditional", "conditional", "not_shared", "open"] = (
        "open" if open_to_public else share_type.value
    )
    t: GateThresholds = getattr(policy.gate, key)
    reasons: list[GateReason] = []

    def add(action: Action | Literal["fail", "warn", "info"], code: str, message: str, message_zh: str,
            subject: str | None = None, value: float | None = None, threshold: float | None = None) -> None:
        level = action.value if isinstance(action, Action) else action
        if level == "ignore":
            return
        reasons.append(GateReason(level=level, code=code, subject=subject, value=value, threshold=threshold,
                                  message=message, message_zh=message_zh))

    if open_to_public and share_type != ShareType.UNCONDITIONAL:
        add("info", "open_data",
            f"open to the public although shared as {share_type.value}: the open-data thresholds apply",
            f"共享类型为{share_type.label_zh}，但向社会开放：按开放数据门槛评判")

    volume = schema.volume
    if rows is not None and rows < volume.min_rows:
        add("fail", "volume",
            "the dataset has no rows" if rows == 0 else f"{rows:,} row(s), fewer than the {volume.min_rows:,} "
            "the schema requires",
            "数据集没有任何记录" if rows == 0 else f"仅 {rows:,} 条记录，少于目录要求的 {volume.min_rows:,} 条",
            value=rows, threshold=volume.min_rows)
    elif rows is not None and volume.max_rows is not None and rows > volume.max_rows:
        add("fail", "volume", f"{rows:,} rows, more than the {volume.max_rows:,} the schema allows",
            f"共 {rows:,} 条记录，多于目录允许的 {volume.max_rows:,} 条", value=rows, threshold=volume.max_rows)

    exposures = sum(c.failed for c in checks if c.pii_exposure)
    if exposures:
        add(t.pii_exposures, "pii_exposure",
            f"{exposures} unmasked personal identifier(s) found; {key} sharing requires none",
            f"发现 {exposures} 处未脱敏的个人信息；{_share_zh(key)}要求为零",
            value=exposures, threshold=0)

    if score is None and rows == 0 and volume.min_rows == 0:
        add("info", "volume", "the dataset has no rows, which the schema allows (min_rows: 0)",
            "数据集没有记录，目录允许为空（min_rows: 0）", value=0, threshold=0)
    elif score is None:
        add(t.unmeasured, "unmeasured", "no check could be scored: the gate cannot vouch for this dataset",
            "没有可评分的检查项，无法判定数据质量")
    elif score < t.min_score:
        add("fail", "score", f"overall score {_fmt(score)} is below the {key} minimum {_fmt(t.min_score)}",
            f"总分 {_fmt(score)} 低于{_share_zh(key)}最低要求 {_fmt(t.min_score)}",
            value=score, threshold=t.min_score)
    elif score < t.warn_score:
        add("warn", "score", f"overall score {_fmt(score)} is below the {key} target {_fmt(t.warn_score)}",
            f"总分 {_fmt(score)} 低于{_share_zh(key)}目标值 {_fmt(t.warn_score)}",
            value=score, threshold=t.warn_score)

    for d in dimensions:
        name = f"{d.label_zh} {d.dimension.value}"
        if d.score is None:
            continue
        if d.score < t.min_dimension:
            add("fail", "dimension", f"{name} {_fmt(d.score)} is below the minimum {_fmt(t.min_dimension)}",
                f"{d.label_zh} {_fmt(d.score)} 低于最低要求 {_fmt(t.min_dimension)}",
                subject=d.dimension.value, value=d.score, threshold=t.min_dimension)
        elif d.score < t.warn_dimension:
            add("warn", "dimension", f"{name} {_fmt(d.score)} is below the target {_fmt(t.warn_dimension)}",
                f"{d.label_zh} {_fmt(d.score)} 低于目标值 {_fmt(t.warn_dimension)}",
                subject=d.dimension.value, value=d.score, threshold=t.warn_dimension)

    _unmeasured_checks(add, checks, rows)

    unmeasured = [d for d in dimensions if d.score is None and d.weight > 0]
    if unmeasured and score is not None:
        add("info", "not_measured",
            f"not measured (no check): {', '.join(d.dimension.value for d in unmeasured)}",
            f"未测量（没有检查项）：{'、'.join(d.label_zh for d in unmeasured)}",
            subject=",".join(d.dimension.value for d in unmeasured))

    # One reason per level for all weak checks, worst first: thousands of checks must not make thousands of
    # reasons. A check below min_check fails the gate; one below warn_check (but not min_check) warns.
    # PII-exposure checks are judged above by `pii_exposures` alone (which may be warn or ignore), not here.
    scored = [(c.score, c) for c in checks if c.counted and c.score is not None and not c.pii_exposure]
    bands: tuple[tuple[Literal["fail", "warn"], float, float], ...] = (
        ("fail", 0.0, t.min_check), ("warn", t.min_check, t.warn_check))
    for level, low, threshold in bands:
        weak = [c for v, c in sorted(scored, key=lambda p: (p[0], p[1].rule_id)) if low <= v < threshold]
        if not weak:
            continue
        shown = ", ".join(f"{c.rule_id} ({_fmt(c.score or 0.0)}%)" for c in weak[:5])
        more = f" and {len(weak) - 5} more" if len(weak) > 5 else ""
        more_zh = f" 等 {len(weak)} 项" if len(weak) > 5 else ""
        add(level, "check", f"{len(weak)} check(s) pass below {_fmt(threshold)}%: {shown}{more}",
            f"{len(weak)} 个检查项通过率低于 {_fmt(threshold)}%：{shown}{more_zh}",
            subject=weak[0].rule_id, value=weak[0].score, threshold=threshold)

    levels = {r.level for r in reasons}
    verdict = Verdict.FAIL if "fail" in levels else Verdict.WARN if "warn" in levels else Verdict.PASS
    order = {"fail": 0, "warn": 1, "info": 2}
    reasons.sort(key=lambda r: order[r.level])  # stable: within a level, the order above
    return GateVerdict(verdict=verdict, verdict_zh=verdict.label_zh, share_type=share_type,
                       share_type_zh=share_type.label_zh, open_to_public=open_to_public, policy=key,
                       thresholds=t, pii_exposures=exposures, reasons=reasons)


def _unmeasured_checks(add: Any, checks: list[CheckScore], rows: int | None) -> None:
    """One warning listing the error/warning checks that evaluated no row although the dataset has rows:
    the gate cannot vouch for what they measure (a 性别 column holding no code, no birth-date value), and
    a 0/0 check must never read as a pass."""
    if rows == 0:
        return
    blind = [c for c in checks if c.evaluated == 0 and c.severity in ("error", "warning")]
    if not blind:
        return
    shown = "; ".join(f"{c.rule_id} ({c.unmeasured_reason})" for c in blind[:5])
    more = f"; and {len(blind) - 5} more" if len(blind) > 5 else ""
    more_zh = f" 等 {len(blind)} 项" if len(blind) > 5 else ""
    add("warn", "unmeasured_check", f"{len(blind)} check(s) could evaluate no row, so measured nothing: {shown}{more}",
        f"{len(blind)} 个检查项没有可评估的记录（未测量）：{shown}{more_zh}",
        subject=blind[0].rule_id, value=len(blind), threshold=0)


def _share_zh(key: str) -> str:
    return "开放数据" if key == "open" else ShareType(key).label_zh


def exit_code(verdict: Verdict | GateVerdict | Scorecard, fail_on: Literal["warn", "fail"] = "fail") -> int:
    """0 when the gate lets the dataset through, 1 when it does not (``fail_on='warn'``: WARN fails too)."""
    if isinstance(verdict, Scorecard):
        verdict = verdict.verdict
    if isinstance(verdict, GateVerdict):
        verdict = verdict.verdict
    if verdict == Verdict.FAIL:
        return 1
    return 1 if verdict == Verdict.WARN and fail_on == "warn" else 0


# --------------------------------------------------------------------------- build


def fingerprint(path: str | Path) -> tuple[str, str | None, int]:
    """SHA-256 and SM3 (GB/T 32905; None where OpenSSL lacks it) of a file's bytes, and its size."""
    sha = hashlib.sha256()
    try:
        sm3: Any = hashlib.new("sm3")
    except ValueError:
        sm3 = None
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            size += len(chunk)
            sha.update(chunk)
            if sm3 is not None:
                sm3.update(chunk)
    return sha.hexdigest(), (sm3.hexdigest() if sm3 is not None else None), size


def _with_fingerprint(dataset: DatasetInfo) -> DatasetInfo:
    """The engine fingerprints what it reads; fill the gap when it could not but the source is a file."""
    if dataset.sha256 is not None:
        return dataset
    try:
        if not Path(dataset.source).is_file():
            return dataset
        sha256, sm3, size = fingerprint(dataset.source)
    except (OSError, ValueError):
        return dataset
    return dataset.model_copy(update={"sha256": sha256, "sm3": sm3, "bytes": size})


def build(result: ValidationResult, schema: CatalogueSchema,
          policy: Mapping[str, Any] | QualityPolicy | None = None, *,
          max_samples: int = DEFAULT_MAX_SAMPLES) -> Scorecard:
    """Score ``result`` and judge it for ``schema``'s share type.

    ``policy`` overrides ``schema.quality`` per key (a loaded ``--policy`` file, or a resolved
    ``QualityPolicy``). ``max_samples`` caps the masked samples kept per check (0: none).
    """
    resolved = resolve_policy(schema, policy)
    pii = _pii_rules(schema, result.masking)
    # Stable order whatever order the engine ran its checks in.
    raw = sorted(result.checks, key=lambda c: (c.rule_id, c.columns, c.dimension.value))
    scored = [_score_check(c, pii, max(0, max_samples), result.dataset.rows) for c in raw]
    dimensions, overall = _dimension_scores(raw, scored, resolved.weights)
    columns = _column_scores(result, schema, raw, scored)
    verdict = gate(overall, dimensions, scored, schema, resolved, rows=result.dataset.rows)
    grade = grade_for(overall)
    dataset = _with_fingerprint(result.dataset).model_copy(update={"source": redact(result.dataset.source),
                                                                   "columns": redact_names(result.dataset.columns)})
    return Scorecard(
        tool_version=result.tool_version,
        engine=result.engine,
        registry=redact(result.registry) if result.registry else None,
        started_at=result.started_at,
        finished_at=result.finished_at,
        dataset=dataset,
        schema_info=SchemaInfo(
            ref=result.schema_ref or schema.ref, id=schema.id, version=schema.version,
            name_zh=schema.name_zh, name_en=schema.name_en,
            provider=schema.provider.name if schema.provider else None,
            share_type=schema.share.share_type, open_to_public=schema.open.open_to_public,
            sensitivity=schema.sensitivity,
        ),
        score=overall,
        grade=grade,
        grade_zh=grade.label_zh if grade else None,
        dimensions=dimensions,
        columns=columns,
        checks=scored,
        totals=CheckTotals(
            checks=len(scored),
            counted=sum(1 for s in scored if s.counted),
            failing=sum(1 for s in scored if s.counted and s.failed > 0),
            info=sum(1 for s in scored if s.severity == "info"),
            not_evaluated=sum(1 for s in scored if s.evaluated == 0),
        ),
        verdict=verdict,
        warnings=[redact(w) for w in result.warnings],
        fix_list=result.fix_list,
    )
