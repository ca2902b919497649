"""The share gate: PASS / WARN / FAIL for the dataset's declared share type (or open data), with the
reasons, and the exit code a pipeline reads.
"""

from __future__ import annotations

from typing import Any, Literal

from govstd.standards.models import (
    CatalogueSchema,
    ShareType,
)
from govstd.validators.results import INAPPLICABLE_KEY
from govstd.validators.scorecard.model import CheckScore, DimensionScore, GateReason, GateVerdict, Scorecard, Verdict
from govstd.validators.scorecard.policy import Action, GateThresholds, QualityPolicy

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

    _unmeasured_checks(add, checks, rows, {f.name for f in schema.fields if f.masked})

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


def _unmeasured_checks(add: Any, checks: list[CheckScore], rows: int | None, masked: set[str]) -> None:
    """One warning listing the error/warning checks that evaluated no row although the dataset has rows:
    the gate cannot vouch for what they measure (a 性别 column holding no code, no birth-date value), and
    a 0/0 check must never read as a pass. Checks on fields declared masked (a masked copy's ID column)
    cannot measure a masked value by design: one info line, not a warning. Nor is a check that is
    structurally inapplicable to every value present (``INAPPLICABLE_KEY``: the check character of a column of
    15-digit legacy ID numbers) a measurement gap: one info line naming it."""
    if rows == 0:
        return
    blind = [c for c in checks if c.evaluated == 0 and c.severity in ("error", "warning")]
    inapplicable = [c for c in blind if c.details.get(INAPPLICABLE_KEY)]
    if inapplicable:
        shown = "; ".join(f"{c.rule_id} ({c.unmeasured_reason})" for c in inapplicable[:5])
        add("info", "not_applicable", f"{len(inapplicable)} check(s) do not apply to any value present: {shown}",
            f"{len(inapplicable)} 个检查项不适用于现有的任何值：{shown}",
            subject=inapplicable[0].rule_id, value=len(inapplicable))
        blind = [c for c in blind if c not in inapplicable]
    expected = [c for c in blind if c.columns and set(c.columns) <= masked]
    if expected:
        add("info", "unmeasured_masked", f"{len(expected)} check(s) of fields declared masked measured nothing, "
            "as expected: a masked value cannot be checked",
            f"{len(expected)} 个检查项针对已声明脱敏的字段，未测量属正常：脱敏值无法校验",
            subject=expected[0].rule_id, value=len(expected))
        blind = [c for c in blind if c not in expected]
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
