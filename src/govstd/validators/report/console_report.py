"""The scorecard on a terminal (rich): what ``govstd validate`` and ``govstd demo`` print.

Like the Markdown summary it shows no sample values — terminals end up in CI logs and screenshots.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from govstd.validators.report import TALLY_LABEL, tally_text
from govstd.validators.scorecard import Scorecard, Verdict, redact
from govstd.validators.scorecard.masked_copy import headline

MAX_CHECKS = 10
_STYLE = {Verdict.PASS: "bold green", Verdict.WARN: "bold yellow", Verdict.FAIL: "bold red"}
_LEVEL = {"fail": ("✗", "red"), "warn": ("!", "yellow"), "info": ("i", "dim")}


def _band(score: float | None) -> str:
    if score is None:
        return "dim"
    return "green" if score >= 95 else "green3" if score >= 85 else "yellow" if score >= 70 else "red"


def _grade_style(card: Scorecard) -> str:
    """The grade's colour follows the verdict: a green "A · 优" beside a red FAIL would contradict it, so
    the grade is coloured by its band only when the gate passes, and muted otherwise."""
    return _band(card.score) if card.verdict.verdict == Verdict.PASS else "dim"


def _bar(score: float | None, width: int = 16) -> Text:
    if score is None:
        return Text("未测量 n/a", style="dim")
    full = round(score / 100 * width)
    return Text("█" * full, style=_band(score)) + Text("░" * (width - full), style="dim")


def summary(card: Scorecard, paths: Mapping[str, Path] | None = None) -> RenderableType:
    """A panel with the verdict, score and reasons; the dimension table; the worst checks; the files."""
    v, s = card.verdict, card.schema_info
    head = Text()
    head.append(f"{v.verdict_zh} {v.verdict.value}", style=_STYLE[v.verdict])
    head.append("   总分 score ")
    head.append("—" if card.score is None else f"{card.score:.2f}", style="bold")
    head.append(" / 100")
    if card.grade:
        head.append(f"   {card.grade.value} {card.grade.label_zh} {card.grade.label_en}", style=_grade_style(card))
        if v.verdict != Verdict.PASS:
            head.append("  (分数等级，共享以结论为准 score grade; the verdict decides)", style="dim")
    head.append(f"\n{s.name_zh}" + (f" ({s.name_en})" if s.name_en else ""), style="bold")
    head.append(f"  {s.ref} · {v.share_type_zh} {v.share_type.value}"
                + (" · 向社会开放 open data" if v.open_to_public else ""), style="dim")
    head.append(f"\n{card.dataset.rows:,} 行 rows × {len(card.dataset.columns)} 字段 columns · "
                f"{card.totals.counted} 计分检查项 scored checks, {card.totals.failing} 未通过 failing · "
                f"{v.pii_exposures} PII exposures", style="dim")
    if card.masked_copy is not None:
        head.append(f"\n{headline(card.masked_copy)}", style="cyan")
    for r in v.reasons:
        mark, style = _LEVEL[r.level]
        head.append(f"\n {mark} ", style=f"bold {style}")
        head.append(r.message_zh, style=style if r.level != "info" else "dim")
        head.append(f"\n   {r.message}", style="dim")
    parts: list[RenderableType] = [Panel(head, title="数据质量评分卡 Data quality scorecard", title_align="left",
                                         border_style=_STYLE[v.verdict].split()[-1])]

    dims = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
    dims.add_column("维度 dimension", no_wrap=True)
    dims.add_column("得分", justify="right", no_wrap=True)
    dims.add_column("score", no_wrap=True)
    dims.add_column("权重", justify="right", no_wrap=True)
    dims.add_column("检查项", justify="right", no_wrap=True)
    dims.add_column("未通过", justify="right", no_wrap=True)
    for d in card.dimensions:
        dims.add_row(f"{d.label_zh} {d.label_en}", "—" if d.score is None else f"{d.score:.1f}", _bar(d.score),
                     f"{d.weight:.0%}", str(len(d.checks)), str(d.failing_checks))
    parts.append(dims)

    failing = sorted((c for c in card.checks if c.counted and c.failed > 0),
                     key=lambda c: (c.score if c.score is not None else 0.0, c.rule_id))
    if failing:
        worst = Table(box=None, pad_edge=False, header_style="bold",
                      title=f"最差的检查项 worst checks ({min(MAX_CHECKS, len(failing))} of {len(failing)})",
                      title_justify="left", title_style="bold")
        worst.add_column("规则 rule")
        worst.add_column("字段 columns")
        worst.add_column("失败 failed", justify="right")
        worst.add_column("通过率 pass", justify="right")
        for c in failing[:MAX_CHECKS]:
            worst.add_row(c.rule_id, ", ".join(c.columns), f"{c.failed:,} / {c.evaluated:,}",
                          Text(f"{c.score:.2f}%", style=_band(c.score)))
        parts.append(Text(""))
        parts.append(worst)
    blind = [c for c in card.checks if c.unmeasured_reason is not None and c.severity != "info"]
    if blind and card.dataset.rows:
        parts.append(Text(""))
        parts.append(Text(f"未测量 unmeasured checks ({len(blind)})", style="bold yellow"))
        for c in blind[:MAX_CHECKS]:
            parts.append(Text(f"  {c.rule_id}: unmeasured — {c.unmeasured_reason}", style="yellow"))
    tallied = [(c, text) for c in card.checks if (text := tally_text(c.details)) is not None]
    if tallied:
        parts.append(Text(""))
        parts.append(Text(TALLY_LABEL, style="bold"))
        for c, text in tallied:
            parts.append(Text(f"  {c.rule_id}: {text}" + (f" (无匹配 none: {c.failed:,})" if c.failed else "")))
    if paths:
        files = Text("\n")
        for name, path in paths.items():
            files.append(f"{name:>5}  ", style="dim")
            files.append(redact(str(path)), style="bold cyan")  # --out /tmp/110101…_审核/ names a person
            files.append("\n")
        parts.append(files)
    return Group(*parts)


def print_summary(card: Scorecard, paths: Mapping[str, Path] | None = None, *,
                  console: Console | None = None) -> None:
    (console or Console(highlight=False)).print(summary(card, paths), soft_wrap=False)
