"""Scoring: a check's pass rate, a dimension's mean, a column's worst check, the weighted overall score.

A column is scored by its *worst* counted check, not the mean of its checks: a mean let an identifier
column whose every value fails its checksum show as 50 "D" (beside a passing not-null check), or half-wrong
IDs show as "B 良". The share of a column's values fit for use is at most the pass rate of its worst check,
so the column table and the failing-checks list can never disagree (docs/scoring.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from govstd.standards.masking import redact
from govstd.standards.models import (
    CatalogueSchema,
    MaskingRule,
    QualityDimension,
)
from govstd.validators.privacy import redact_any, redact_names
from govstd.validators.results import CheckResult, ValidationResult
from govstd.validators.scorecard.model import CheckScore, ColumnScore, DimensionScore, grade_for
from govstd.validators.scorecard.samples import safe_sample

#: Rule kinds whose failures are personal identifiers exposed unmasked (the engine's PII-exposure check).
PII_EXPOSURE_RULES = frozenset({"pii_exposure", "pii"})

_ROUND = 2  # decimals of every score in a scorecard; grades and the gate judge the rounded value


# --------------------------------------------------------------------------- scoring


def is_pii_exposure(check: CheckResult) -> bool:
    """True for the engine's PII-exposure checks: rule kind ``pii_exposure`` (rule id ``<column>.pii_exposure``)."""
    return check.rule in PII_EXPOSURE_RULES or check.rule_id.rsplit(".", 1)[-1] in PII_EXPOSURE_RULES


def _r(value: float) -> float:
    return round(value, _ROUND)


def _mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def score_check(check: CheckResult, pii: Mapping[str, MaskingRule], max_samples: int,
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
        samples=[safe_sample(s, pii) for s in kept],
        samples_omitted=max(0, len(samples) - len(kept)) if check.failed else 0,
        details=redact_any(check.details),
    )


def dimension_scores(checks: list[CheckResult], scored: list[CheckScore],
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


def column_scores(result: ValidationResult, schema: CatalogueSchema | None,
                   checks: list[CheckResult], scored: list[CheckScore]) -> list[ColumnScore]:
    schema_fields = {f.name: f for f in schema.fields} if schema is not None else {}
    names = list(dict.fromkeys(result.dataset.columns))
    named_by_checks = {c for s in scored for c in s.columns}
    names += sorted((set(schema_fields) | named_by_checks) - set(names))
    columns: list[ColumnScore] = []
    for name in names:
        mine = [(raw, s) for raw, s in zip(checks, scored, strict=True) if s.counted and name in s.columns]
        # The worst check by raw pass rate; ties go to the first in check order, so the result is stable.
        worst = min(mine, key=lambda pair: pair[0].pass_rate, default=None)
        score = None if worst is None else _r(worst[0].pass_rate * 100)
        spec = schema_fields.get(name)
        columns.append(ColumnScore(
            name=redact(name),
            name_zh=None if spec is None or spec.name_zh is None else redact(spec.name_zh),
            in_schema=spec is not None,
            measured=score is not None,
            score=score,
            grade=grade_for(score),
            checks=[s.rule_id for _, s in mine],
            worst_check=None if worst is None or worst[0].failed == 0 else worst[1].rule_id,
            failing_checks=sum(1 for _, s in mine if s.failed > 0),
            failed=sum(s.failed for _, s in mine),
        ))
    return columns
