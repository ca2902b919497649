"""A Markdown summary of the scorecard for CI logs and merge-request comments.

Short by design: the verdict and its reasons, the six dimensions, and the worst failing checks (at
most ``MAX_CHECKS``). No sample values at all — CI logs and merge requests are read by many people;
the masked samples are in the JSON and HTML reports.
"""

from __future__ import annotations

from urllib.parse import quote

from govstd.validators.report import TALLY_LABEL, tally_text
from govstd.validators.scorecard import Scorecard, Verdict
from govstd.validators.scorecard.masked_copy import column_lines, headline

MAX_CHECKS = 20

_ICON = {Verdict.PASS: "✅", Verdict.WARN: "⚠️", Verdict.FAIL: "❌"}
_LEVEL_ICON = {"fail": "❌", "warn": "⚠️", "info": "ℹ️"}


# Characters that start HTML or Markdown syntax (tags, entities, links, images, emphasis, code, tables,
# autolinks): written as numeric character references, which Markdown renders as the plain character.
# A column name or schema title such as `<img src=x onerror=…>` or `[click](javascript:…)` must reach a
# CI job summary or merge-request comment as text, never as markup.
_ESCAPE = {ord(c): f"&#{ord(c)};" for c in "&<>\"'`*_[]()!|~#\\:{}"}
_ESCAPE.update({ord("\n"): " ", ord("\r"): " "})


def _cell(text: object) -> str:
    """``text`` safe anywhere in a Markdown line (table cells included): no markup survives."""
    return str(text).translate(_ESCAPE)


def _code(text: object) -> str:
    """Inline code that its content cannot close: HTML ``<code>`` with escaped text."""
    return f"<code>{_cell(text)}</code>"


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def render(scorecard: Scorecard) -> str:
    """The summary as GitHub/GitLab-flavoured Markdown."""
    s, v, ds = scorecard.schema_info, scorecard.verdict, scorecard.dataset
    grade = f"{scorecard.grade.value} {scorecard.grade.label_zh}" if scorecard.grade else "—"
    if scorecard.grade and v.verdict != Verdict.PASS:
        # As in the HTML and terminal headlines: a grade beside a WARN/FAIL is the score's, not the verdict.
        grade += " (分数等级，共享以结论为准 score grade; the verdict decides)"
    share = f"{v.share_type_zh} {v.share_type.value}" + (" · 向社会开放 open data" if v.open_to_public else "")
    lines = [
        f"## {_ICON[v.verdict]} 数据质量评分卡 Data quality scorecard: **{v.verdict.value} {v.verdict_zh}**",
        "",
        f"**{_cell(s.name_zh)}**{f' ({_cell(s.name_en)})' if s.name_en else ''} · {_code(s.ref)} · {share}",
        "",
        "| 总分 Score | 等级 Grade | 行数 Rows | 字段 Columns | 检查项 Checks | 未通过 Failing | PII 暴露 exposures |",
        "|---:|:---:|---:|---:|---:|---:|---:|",
        f"| **{_num(scorecard.score)}** | {grade} | {ds.rows:,} | {len(ds.columns)} | "
        f"{scorecard.totals.counted} | {scorecard.totals.failing} | {v.pii_exposures} |",
        "",
    ]
    if scorecard.masked_copy is not None:
        note = scorecard.masked_copy
        lines += [f"> 🔒 {_cell(headline(note))}", ">",
                  "> " + "; ".join(f"{_code(c)} {_cell(what)}" for c, what in column_lines(note)), ""]
    if v.reasons:
        lines += ["**原因 Reasons**", ""]
        lines += [f"- {_LEVEL_ICON[r.level]} {_cell(r.message_zh)} — {_cell(r.message)}" for r in v.reasons]
        lines.append("")
    lines += [
        "### 质量维度 Dimensions (GB/T 36344)",
        "",
        "| 维度 Dimension | 得分 Score | 权重 Weight | 检查项 Checks | 未通过 Failing |",
        "|---|---:|---:|---:|---:|",
    ]
    for d in scorecard.dimensions:
        score = _num(d.score) if d.measured else "未测量 not measured"
        lines.append(f"| {d.label_zh} {d.label_en} | {score} | {d.weight:.0%} | {len(d.checks)} | {d.failing_checks} |")
    failing = sorted((c for c in scorecard.checks if c.counted and c.failed > 0),
                     key=lambda c: (c.score if c.score is not None else 0.0, c.rule_id))
    lines.append("")
    if failing:
        shown = failing[:MAX_CHECKS]
        more = f" — worst {len(shown)} of {len(failing)}" if len(failing) > len(shown) else ""
        lines += [
            f"### 未通过的检查项 Failing checks{more}",
            "",
            "| 规则 Rule | 字段 Columns | 维度 Dimension | 失败/检查 Failed/Evaluated | 通过率 Pass rate |",
            "|---|---|---|---:|---:|",
        ]
        for c in shown:
            lines.append(
                f"| {_code(c.rule_id)} | {_cell(', '.join(c.columns))} | {c.dimension.label_zh} | "
                f"{c.failed:,} / {c.evaluated:,} | {_num(c.score)}% |"
            )
    else:
        lines.append("All counted checks passed. 所有检查项均通过。")
    blind = [c for c in scorecard.checks if c.unmeasured_reason is not None and c.severity != "info"]
    if blind and ds.rows:
        lines += ["", f"### 未测量的检查项 Unmeasured checks ({len(blind)})", ""]
        lines += [f"- {_code(c.rule_id)}: unmeasured — {_cell(c.unmeasured_reason)}" for c in blind[:MAX_CHECKS]]
    tallied = [(c, text) for c in scorecard.checks if (text := tally_text(c.details)) is not None]
    if tallied:
        lines += ["", f"### {TALLY_LABEL}", ""]
        lines += [f"- {_code(c.rule_id)}: {_cell(text)}" + (f" (无匹配 none: {c.failed:,})" if c.failed else "")
                  for c, text in tallied]
    if scorecard.warnings:
        # What the readers noticed (title rows skipped, digits Excel lost, versions settled for) qualifies
        # every number above; the CI reader sees only this file.
        lines += ["", "### 提示 Warnings", ""]
        lines += [f"- {_cell(w)}" for w in scorecard.warnings]
    if scorecard.fix_list is not None:
        # A link, relative to this file (the fix list's path is kept relative to the reports' folder).
        fixes = scorecard.fix_list
        link = f'<a href="{_cell(quote(fixes.path))}">{_code(fixes.path)}</a>'
        lines += ["", f"Fix list 整改清单: {link} — {fixes.rows:,} 行待整改 failing rows "
                      "(row, line, column, rule, masked value)."]
    lines += [
        "",
        f"<sub>govstd {_cell(scorecard.tool_version)} · engine {_cell(scorecard.engine)} · "
        f"dataset sha256 {_code((ds.sha256 or 'n/a')[:16])}… · masked samples are in scorecard.html / "
        f"scorecard.json</sub>",
        "",
    ]
    return "\n".join(lines)
