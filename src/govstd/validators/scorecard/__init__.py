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

The parts: ``model`` (the scorecard as data), ``policy`` (weights, thresholds, ``load_policy``),
``scoring``, ``gate``, ``samples`` (masking of samples), ``fingerprint``; ``build`` here joins them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govstd.standards.masking import redact
from govstd.standards.models import CatalogueSchema
from govstd.validators.privacy import redact_fix_list, redact_names
from govstd.validators.results import ValidationResult
from govstd.validators.scorecard.fingerprint import fingerprint, with_fingerprint
from govstd.validators.scorecard.gate import exit_code, gate
from govstd.validators.scorecard.masked_copy import MaskedCopy
from govstd.validators.scorecard.model import (
    GRADE_BANDS,
    SCORECARD_SCHEMA_ID,
    SCORECARD_SCHEMA_VERSION,
    CheckScore,
    CheckTotals,
    ColumnScore,
    DimensionScore,
    GateReason,
    GateVerdict,
    Grade,
    SchemaInfo,
    Scorecard,
    Verdict,
    grade_for,
)
from govstd.validators.scorecard.policy import (
    DEFAULT_GATE,
    DEFAULT_WEIGHTS,
    Action,
    GatePolicy,
    GateThresholds,
    QualityPolicy,
    load_policy,
    resolve_policy,
)
from govstd.validators.scorecard.samples import pii_rules
from govstd.validators.scorecard.scoring import (
    PII_EXPOSURE_RULES,
    column_scores,
    dimension_scores,
    is_pii_exposure,
    score_check,
)

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
    "MaskedCopy",
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

#: Samples kept per failing check in every report: enough to find the defect, few enough not to leak.
DEFAULT_MAX_SAMPLES = 5


def build(result: ValidationResult, schema: CatalogueSchema,
          policy: Mapping[str, Any] | QualityPolicy | None = None, *,
          max_samples: int = DEFAULT_MAX_SAMPLES, masked_copy: MaskedCopy | None = None) -> Scorecard:
    """Score ``result`` and judge it for ``schema``'s share type.

    ``policy`` overrides ``schema.quality`` per key (a loaded ``--policy`` file, or a resolved
    ``QualityPolicy``). ``max_samples`` caps the masked samples kept per check (0: none).
    ``masked_copy``: the note ``govstd mask`` left beside the dataset (``masked_copy.find``), shown as is
    but for its names, redacted like every other name.
    """
    resolved = resolve_policy(schema, policy)
    pii = pii_rules(schema, result.masking)
    # Stable order whatever order the engine ran its checks in.
    raw = sorted(result.checks, key=lambda c: (c.rule_id, c.columns, c.dimension.value))
    scored = [score_check(c, pii, max(0, max_samples), result.dataset.rows) for c in raw]
    dimensions, overall = dimension_scores(raw, scored, resolved.weights)
    columns = column_scores(result, schema, raw, scored)
    verdict = gate(overall, dimensions, scored, schema, resolved, rows=result.dataset.rows)
    grade = grade_for(overall)
    dataset = with_fingerprint(result.dataset).model_copy(update={"source": redact(result.dataset.source),
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
            # The schema's own text is authored, but an author may write a contact phone into a name.
            name_zh=redact(schema.name_zh), name_en=redact(schema.name_en) if schema.name_en else None,
            provider=redact(schema.provider.name) if schema.provider else None,
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
        fix_list=redact_fix_list(result.fix_list),
        masked_copy=None if masked_copy is None else _redacted_note(masked_copy),
    )


def _redacted_note(note: MaskedCopy) -> MaskedCopy:
    return note.model_copy(update={
        "source": note.source.model_copy(update={"name": redact(note.source.name)}),
        "columns": [c.model_copy(update={"column": redact(c.column)}) for c in note.columns],
    })
