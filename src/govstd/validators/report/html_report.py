"""The HTML scorecard: one self-contained file a department head can open, read and forward.

No network at all — CSS, the SVG chart and a few lines of JavaScript are inline, and a Content
Security Policy forbids fetching anything — so the file works offline, from e-mail and on an intranet.
Chinese labels with English beside them; the verdict first, then the dimension chart, the per-column
table coloured by quality, and the failing checks with their masked samples.

It stays fast with thousands of checks: failing checks render collapsed (``<details>``), worst first,
paged and filterable by a few lines of script (without JavaScript they all show); the full check table
sits in a closed ``<details>``, which the browser does not lay out until opened.
"""

from __future__ import annotations

import datetime as dt
import functools
from html import escape
from importlib import resources

from govstd.validators.report import TALLY_LABEL, tally_text
from govstd.validators.scorecard import (
    GRADE_BANDS,
    CheckScore,
    ColumnScore,
    DimensionScore,
    GateThresholds,
    Grade,
    Scorecard,
    Verdict,
)
from govstd.validators.scorecard.masked_copy import column_lines, headline

#: Failing checks shown per page (the rest one click away).
PAGE_SIZE = 50
#: Rule ids listed per dimension before "… and N more".
MAX_DIMENSION_CHECKS = 40

# Nothing may be fetched: the report must open the same offline, from e-mail and on an intranet.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
_FONT_STACK = ('"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", '
               '"Source Han Sans SC", "WenQuanYi Micro Hei", system-ui, -apple-system, "Segoe UI", '
               'Roboto, "Helvetica Neue", Arial, sans-serif')
_MONO_STACK = 'ui-monospace, "SFMono-Regular", "JetBrains Mono", Menlo, Consolas, "Liberation Mono", monospace'



@functools.cache
def _asset(name: str) -> str:
    """A stylesheet or script shipped next to this module, inlined into every report."""
    return resources.files("govstd.validators.report").joinpath(name).read_text(encoding="utf-8")


_QUALITY_COLOURS = {"q-a": "#2e9e5b", "q-b": "#7cb342", "q-c": "#e3a008", "q-d": "#d64545", "q-na": "#c7cdd4"}


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _place(line: int | None) -> str:
    """A sample's physical place (CSV line, sheet row, record index; ``Sample.line``), or a dash."""
    return "–" if line is None else f"{line:,}"


def _band(score: float | None) -> str:
    if score is None:
        return "q-na"
    for floor, grade in GRADE_BANDS:
        if score >= floor:
            return f"q-{grade.value.lower()}"
    return "q-d"


def _num(score: float | None, digits: int = 1) -> str:
    return "—" if score is None else f"{score:.{digits}f}"


def _int(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _time(value: dt.datetime) -> str:
    return value.isoformat(sep=" ", timespec="seconds")


def _th(zh: str, en: str, cls: str = "") -> str:
    return f'<th{f" class={chr(34)}{cls}{chr(34)}" if cls else ""}>{_e(zh)}<span class="en">{_e(en)}</span></th>'


# --------------------------------------------------------------------------- sections


def _header(card: Scorecard) -> str:
    s = card.schema_info
    share = f'{_e(s.share_type.label_zh)} <span class="en">{_e(s.share_type.value)}</span>'
    open_tag = '<span class="tag">向社会开放 open data</span>' if s.open_to_public else ""
    provider = f"{_e(s.provider)} · " if s.provider else ""
    return f"""
<header class="top">
  <div>
    <div class="overline">数据质量评分卡 <span>Data quality scorecard · GB/T 36344</span></div>
    <h1>{_e(s.name_zh)}{f'<span class="en">{_e(s.name_en)}</span>' if s.name_en else ''}</h1>
  </div>
  <div class="meta">
    <div>{provider}目录 catalogue <code>{_e(s.ref)}</code></div>
    <div style="margin-top:6px"><span class="tag">{share}</span><span class="tag">分级 {_e(s.sensitivity.label_zh)}
      <span class="en">{_e(s.sensitivity.value)}</span></span>{open_tag}</div>
  </div>
</header>"""


def _verdict(card: Scorecard) -> str:
    v = card.verdict
    icons = {"fail": "✕", "warn": "!", "info": "i"}
    items = ""
    if v.verdict == Verdict.PASS:
        items = ('<li><span class="ico" style="background:var(--pass)">✓</span><span class="msg none">'
                 "达到共享门槛，可按声明的共享类型共享。<small>Meets the share gate for the declared share type."
                 "</small></span></li>")
    if v.reasons:
        items += "".join(
            f'<li class="{r.level}"><span class="ico">{icons[r.level]}</span><span class="msg">{_e(r.message_zh)}'
            f"<small>{_e(r.message)}</small></span></li>"
            for r in v.reasons
        )
    policy_zh = "开放数据" if v.policy == "open" else v.share_type_zh
    grade = card.grade
    # The grade's colour follows the verdict: beside a WARN or FAIL it is muted (a green "A · 优" beside
    # a red FAIL would contradict the verdict, which is what decides sharing).
    agrees = v.verdict == Verdict.PASS
    grade_html = (f'<div class="grade {_band(card.score) if agrees else "q-muted"}" data-grade="{grade.value}">'
                  f'{grade.value} · {grade.label_zh} <span style="font-weight:400">{grade.label_en}</span></div>'
                  + ("" if agrees else '<div class="small muted">分数等级，共享以结论为准 '
                     '<span class="en">score grade; the verdict decides</span></div>') if grade else
                  '<div class="grade q-na">未测量 not measured</div>')
    ds, t = card.dataset, card.totals
    facts = [
        (_int(ds.rows), "行 rows"),
        (_int(len(ds.columns)), "字段 columns"),
        (_int(t.counted), "计分检查项 scored checks"),
        (_int(t.failing), "未通过检查项 failing checks"),
        (_int(v.pii_exposures), "未脱敏个人信息 PII exposures"),
    ]
    facts_html = "".join(f"<div><b>{a}</b><span>{_e(b)}</span></div>" for a, b in facts)
    return f"""
<section class="card verdict {v.verdict.value}" id="verdict" data-verdict="{v.verdict.value}">
  <div class="badge">
    <div class="zh">{_e(v.verdict_zh)}</div>
    <div class="word">{v.verdict.value}</div>
    <div class="gate">共享门槛 share gate · {_e(policy_zh)} <span class="en">{_e(v.policy)}</span></div>
  </div>
  <div>
    <ul class="reasons">{items}</ul>
  </div>
  <div class="score" id="overall-score">
    <div class="num">{_num(card.score)}<span class="of"> / 100</span></div>
    {grade_html}
    <div class="small muted" style="margin-top:6px">总分 overall score</div>
  </div>
  <div class="facts" style="grid-column:1/-1">{facts_html}</div>
</section>"""


def _chart(dims: list[DimensionScore], t: GateThresholds) -> str:
    """Horizontal bars, one per GB/T 36344 dimension, with the gate's dimension thresholds marked."""
    label_w, bar_w, value_w, row_h, top = 150, 420, 110, 40, 26
    width = label_w + bar_w + value_w
    height = top + row_h * len(dims) + 8
    x0 = label_w
    parts = [f'<svg id="dimension-chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
             f'xmlns="http://www.w3.org/2000/svg" aria-label="质量维度得分 dimension scores">']
    for tick in (0, 25, 50, 75, 100):
        x = x0 + bar_w * tick / 100
        parts.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 8}" stroke="#eef1f4"/>'
                     f'<text x="{x:.1f}" y="{top - 10}" font-size="11" fill="#8a93a0" '
                     f'text-anchor="middle">{tick}</text>')
    for i, d in enumerate(dims):
        y = top + i * row_h
        cy = y + row_h / 2
        parts.append(f'<text x="0" y="{cy - 2:.1f}" font-size="14" font-weight="600" '
                     f'fill="#1c2430">{_e(d.label_zh)}</text>'
                     f'<text x="0" y="{cy + 13:.1f}" font-size="11" fill="#8a93a0">{_e(d.label_en)} · '
                     f'{d.weight:.0%}</text>')
        parts.append(f'<rect x="{x0}" y="{cy - 9:.1f}" width="{bar_w}" height="18" rx="4" fill="#f1f3f6"/>')
        if d.score is None:
            parts.append(f'<rect x="{x0}" y="{cy - 9:.1f}" width="{bar_w}" height="18" rx="4" fill="none" '
                         f'stroke="#c7cdd4" stroke-dasharray="4 3"/>'
                         f'<text x="{x0 + 10}" y="{cy + 4:.1f}" font-size="12" '
                         f'fill="#8a93a0">未测量 not measured</text>')
            value = '<tspan fill="#8a93a0">—</tspan>'
        else:
            w = max(2.0, bar_w * d.score / 100)
            colour = _QUALITY_COLOURS[_band(d.score)]
            parts.append(f'<rect class="dim-bar" data-dimension="{d.dimension.value}" x="{x0}" y="{cy - 9:.1f}" '
                         f'width="{w:.1f}" height="18" rx="4" fill="{colour}"><title>{_e(d.label_zh)} '
                         f'{_e(d.label_en)}: {d.score:.2f} ({len(d.checks)} checks)</title></rect>')
            value = f"{d.score:.1f}"
        parts.append(f'<text x="{x0 + bar_w + 12}" y="{cy + 5:.1f}" font-size="15" font-weight="700" '
                     f'fill="#1c2430">{value}<tspan font-size="11" font-weight="400" fill="#8a93a0"> '
                     f'{len(d.checks)} 项</tspan></text>')
    for threshold, colour in ((t.min_dimension, "#c0262d"), (t.warn_dimension, "#d29b0b")):
        if 0 < threshold <= 100:
            x = x0 + bar_w * threshold / 100
            parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 8}" stroke="{colour}" '
                         f'stroke-width="1.5" stroke-dasharray="5 4"/>')
    parts.append("</svg>")
    return "".join(parts)


def _dimensions(card: Scorecard) -> str:
    t = card.verdict.thresholds
    rows = []
    for d in card.dimensions:
        ids = d.checks[:MAX_DIMENSION_CHECKS]
        more = len(d.checks) - len(ids)
        id_html = ", ".join(f"<code>{_e(x)}</code>" for x in ids) + (f" … +{more}" if more else "")
        if d.checks:
            listing = f'<details><summary>展开 show</summary><div class="ids">{id_html}</div></details>'
        elif d.not_counted:
            listing = f'<span class="muted small">仅提示或未评估 info / not evaluated: {len(d.not_counted)}</span>'
        else:
            listing = '<span class="muted small">没有检查项 no checks</span>'

        band = _band(d.score)
        rows.append(
            f'<tr class="row-{band}"><td><b>{_e(d.label_zh)}</b> <span class="en">{_e(d.label_en)}</span></td>'
            f'<td class="num"><span class="pill {band}">{_num(d.score) if d.measured else "未测量"}</span></td>'
            f'<td class="num">{d.weight:.0%}</td><td class="num">{len(d.checks)}</td>'
            f'<td class="num">{d.failing_checks}</td><td>{listing}</td></tr>'
        )
    legend = (
        '<div class="legend">'
        + "".join(f'<i class="{cls}"></i>{label}' for cls, label in
                  (("q-a", "≥95 优"), ("q-b", "≥85 良"), ("q-c", "≥70 中"), ("q-d", "&lt;70 差"), ("q-na", "未测量")))
        + (f'<i class="line" style="border-color:#c0262d"></i>最低 min {t.min_dimension:g}'
           if t.min_dimension > 0 else "")
        + (f'<i class="line" style="border-color:#d29b0b"></i>目标 target {t.warn_dimension:g}'
           if t.warn_dimension > 0 else "")
        + "</div>"
    )
    return f"""
<section class="card" id="dimensions">
  <h2>质量维度<span class="en">Quality dimensions (GB/T 36344-2018)</span></h2>
  <div class="chart">{_chart(card.dimensions, t)}{legend}</div>
  <table class="dimlist">
    <thead><tr>{_th("维度", "dimension")}{_th("得分", "score", "num")}{_th("权重", "weight", "num")}
    {_th("检查项", "checks", "num")}{_th("未通过", "failing", "num")}
    {_th("组成得分的检查项", "checks that made the score")}
    </tr></thead>
    <tbody>{"".join(rows)}</tbody>
  </table>
</section>"""


def _columns(columns: list[ColumnScore]) -> str:
    rows = []
    for c in columns:
        band = _band(c.score)
        width = 0.0 if c.score is None else c.score
        bar = f'<span class="bar"><i class="{band}" style="width:{width:.1f}%"></i></span>'
        grade = f"{c.grade.value} {c.grade.label_zh}" if c.grade else "—"
        if c.worst_check:  # the column's score is its worst check's: name it, so the two read as one
            worst = _e(c.worst_check)
            grade += f' <span class="small muted" data-worst="{worst}">← <code>{worst}</code></span>'
        extra = "" if c.in_schema else ' <span class="tag">未在目录中 not in schema</span>'
        rows.append(
            f'<tr class="row-{band}"><td><code>{_e(c.name)}</code>{extra}</td><td>{_e(c.name_zh or "")}</td>'
            f'<td class="scorecell">{bar}<span class="pill {band}">'
            f'{_num(c.score) if c.measured else "未测量"}</span></td>'
            "</td>"
            f'<td>{grade}</td><td class="num">{len(c.checks)}</td><td class="num">{c.failing_checks}</td>'
            f'<td class="num">{_int(c.failed)}</td></tr>'
        )
    return f"""
<section class="card" id="columns">
  <h2>字段质量<span class="en">Columns</span></h2>
  <table class="columns">
    <thead><tr>{_th("字段", "column")}{_th("中文名称", "name")}{_th("得分", "score", "scorecell")}{_th("等级", "grade")}
    {_th("检查项", "checks", "num")}{_th("未通过检查项", "failing checks", "num")}
    {_th("失败数", "failures", "num")}</tr></thead>
    <tbody>{"".join(rows)}</tbody>
  </table>
</section>"""


def _failing_item(i: int, c: CheckScore) -> str:
    key = " ".join([c.rule_id, *c.columns, c.dimension.value, c.dimension.label_zh, c.rule]).lower()
    body = [f"<p>{_e(c.description)}</p><dl>"
            f"<dt>维度 dimension</dt><dd>{_e(c.dimension.label_zh)} {_e(c.dimension.value)}"
            f"{f' · 指标 indicator {_e(c.indicator)}' if c.indicator else ''}</dd>"
            f"<dt>规则 rule</dt><dd><code>{_e(c.rule)}</code></dd>"
            f"<dt>失败 / 检查 failed / evaluated</dt><dd>{c.failed:,} / {c.evaluated:,}"
            f"（通过率 pass rate {_num(c.score, 2)}%）</dd></dl>"]
    if c.samples:
        cols = list(dict.fromkeys(k for s in c.samples for k in s.values))
        head = "".join(f"<th>{_e(k)}</th>" for k in cols)
        repeats = any(s.repeats_row is not None for s in c.samples)
        rows = "".join(
            f"<tr><td class=\"num\">{s.row:,}</td><td class=\"num\">{_place(s.line)}</td>"
            + (f"<td class=\"num\">{_int(s.repeats_row) if s.repeats_row is not None else ''}"
               f"{f' ({_place(s.repeats_line)})' if s.repeats_line is not None else ''}</td>" if repeats else "")
            + "".join(f"<td>{_e(s.values.get(k)) if s.values.get(k) is not None else '<i class=muted>空 null</i>'}</td>"
                      for k in cols)
            + "</tr>"
            for s in c.samples
        )
        more = f"，另有 {c.samples_omitted} 条未显示 ({c.samples_omitted} more not shown)" if c.samples_omitted else ""
        body.append(f'<table class="samples"><caption>样本（已脱敏）masked samples{more}</caption>'
                    f'<thead><tr><th class="num">行 row</th><th class="num">文件位置 line</th>'
                    f'{"<th class=num>重复于 repeats</th>" if repeats else ""}{head}</tr></thead>'
                    f'<tbody>{rows}</tbody></table>')
    band = _band(c.score)
    return (
        f'<li id="f{i}" data-key="{_e(key)}"><details><summary>'
        f'<span class="rid">{_e(c.rule_id)}<small>{_e(c.description)}</small></span>'
        f'<span class="cols">{_e(", ".join(c.columns))} · {_e(c.dimension.label_zh)}</span>'
        f'<span class="cnt"><b>{c.failed:,}</b> / {c.evaluated:,}</span>'
        f'<span><span class="pill {band}">{_num(c.score, 2)}%</span></span>'
        f'</summary><div class="body">{"".join(body)}</div></details></li>'
    )


def _failing(checks: list[CheckScore]) -> str:
    failing = sorted((c for c in checks if c.counted and c.failed > 0),
                     key=lambda c: (c.score if c.score is not None else 0.0, c.rule_id))
    if not failing:
        inner = '<p class="muted">所有计分检查项均通过。All scored checks passed.</p>'
    else:
        toolbar = ""
        if len(failing) > PAGE_SIZE:
            toolbar = (
                '<div class="toolbar" data-js><input id="failing-filter" type="search" '
                'placeholder="筛选 filter: 规则、字段、维度 rule, column, dimension" aria-label="filter">'
                '<button id="failing-prev" type="button">‹ 上一页 prev</button>'
                '<span class="info" id="failing-info"></span>'
                '<button id="failing-next" type="button">下一页 next ›</button></div>'
            )
        items = "".join(_failing_item(i, c) for i, c in enumerate(failing))
        list_id = ' id="failing-list"' if len(failing) > PAGE_SIZE else ""
        inner = f'{toolbar}<ul class="fails"{list_id}>{items}</ul>'
    return f"""
<section class="card" id="failing">
  <h2>未通过的检查项<span class="en">Failing checks · {len(failing):,}，最差的在前 worst first</span></h2>
  {inner}
</section>"""


def _all_checks(checks: list[CheckScore]) -> str:
    def status(c: CheckScore) -> str:
        if c.unmeasured_reason is not None:
            return f"未测量 unmeasured — {_e(c.unmeasured_reason)}"
        shown = "计分 scored" if c.counted else "提示 info" if c.severity == "info" else "未评估 not evaluated"
        tally = tally_text(c.details)
        return shown if tally is None else f"{shown} · {TALLY_LABEL}: {_e(tally)}"

    rows = "".join(
        f'<tr class="row-{_band(c.score if c.counted else None)}"><td><code>{_e(c.rule_id)}</code></td>'
        f"<td>{_e(', '.join(c.columns))}</td><td>{_e(c.dimension.label_zh)}</td>"
        f'<td class="num">{c.evaluated:,}</td><td class="num">{c.failed:,}</td>'
        f'<td class="num">{_num(c.score, 2)}</td><td>{status(c)}</td></tr>'
        for c in checks
    )
    return f"""
<section class="card" id="all-checks">
  <details class="all"><summary>全部检查项 All checks ({len(checks):,})</summary>
  <table><thead><tr>{_th("规则", "rule id")}{_th("字段", "columns")}{_th("维度", "dimension")}
  {_th("检查", "evaluated", "num")}{_th("失败", "failed", "num")}{_th("得分", "score", "num")}
  {_th("状态", "status")}</tr></thead>
  <tbody>{rows}</tbody></table></details>
</section>"""


def _how(card: Scorecard) -> str:
    t = card.verdict.thresholds
    bands = " · ".join(f"{g.value} {g.label_zh} ≥ {floor:g}" for floor, g in GRADE_BANDS if g != Grade.D) + " · D 差"
    pii = {"fail": "不通过 FAIL", "warn": "警告 WARN", "ignore": "不判定 ignored"}[t.pii_exposures.value]
    return f"""
<section class="card" id="how">
  <h2>如何阅读<span class="en">How to read this scorecard</span></h2>
  <div class="how">
    <div>
      <p>每个检查项的得分是其通过率（通过行数 ÷ 检查行数 × 100）。维度得分是该维度所有计分检查项得分的平均值；
      没有检查项的维度记为“未测量”，不计入总分。总分是已测量维度得分的加权平均。</p>
      <p class="en small">A check scores its pass rate (passed ÷ evaluated × 100). A dimension scores the mean of its
      checks; a dimension with no checks is “not measured” and left out. The overall score is the weighted mean
      of the measured dimensions. Info-level checks are shown but not scored.</p>
      <p class="small">等级 grades: {_e(bands)}</p>
    </div>
    <div>
      <table>
        <thead><tr>{_th("共享门槛", "share gate: " + card.verdict.policy)}{_th("不通过", "FAIL below", "num")}
        {_th("警告", "WARN below", "num")}</tr></thead>
        <tbody>
          <tr><td>总分 overall score</td><td class="num">{t.min_score:g}</td><td class="num">{t.warn_score:g}</td></tr>
          <tr><td>任一维度 any dimension</td><td class="num">{t.min_dimension:g}</td>
            <td class="num">{t.warn_dimension:g}</td></tr>
          <tr><td>任一检查项通过率 any check</td><td class="num">{t.min_check:g}%</td>
            <td class="num">{t.warn_check:g}%</td></tr>
          <tr><td>未脱敏个人信息 PII exposures</td><td class="num" colspan="2">{pii}</td></tr>
        </tbody>
      </table>
    </div>
  </div>
</section>"""


def _masked_copy(card: Scorecard) -> str:
    """The note govstd mask left: this is a masked copy, of which source, masked how."""
    note = card.masked_copy
    if note is None:
        return ""
    rows = "".join(f"<tr><td><code>{_e(c)}</code></td><td>{_e(what)}</td></tr>" for c, what in column_lines(note))
    return f"""
<section class="card" id="masked-copy" data-pseudonymised="{str(note.pseudonymised).lower()}">
  <h2>脱敏副本<span class="en">Masked copy</span></h2>
  <p>{_e(headline(note))}</p>
  <p class="small muted">脱敏字段按“应已脱敏”校验：未脱敏的证件号码、电话计为错误。
  <span class="en">Masked fields are validated as declared masked: an unmasked ID number or phone is an
  error.</span></p>
  <table class="columns"><thead><tr>{_th("字段", "column")}{_th("处理", "treatment")}</tr></thead>
  <tbody>{rows}</tbody></table>
</section>"""


def _dataset(card: Scorecard) -> str:
    ds = card.dataset
    seconds = max(0.0, (card.finished_at - card.started_at).total_seconds())
    rows: list[tuple[str, str]] = [
        ("数据文件 source", _e(ds.source)),
        ("格式 format", _e(ds.format) + (f" · {_e(ds.encoding)}" if ds.encoding else "")),
        ("规模 size", f"{ds.rows:,} 行 rows × {len(ds.columns)} 字段 columns"
                      + (f" · {ds.bytes:,} bytes" if ds.bytes is not None else "")),
        ("SHA-256", f'<span class="mono">{_e(ds.sha256 or "—")}</span>'),
        ("SM3", f'<span class="mono">{_e(ds.sm3 or "—")}</span>'),
        ("目录 schema", f"<code>{_e(card.schema_info.ref)}</code>"),
        ("注册中心 registry", _e(card.registry or "—")),
        ("引擎 engine", f"{_e(card.engine)} · govstd {_e(card.tool_version)}"),
        ("时间 run", f"{_e(_time(card.started_at))} → {_e(_time(card.finished_at))} ({seconds:.1f} s)"),
    ]
    if card.fix_list is not None:
        fixes = card.fix_list
        rows.append(("整改清单 fix list", f'<a href="{_e(fixes.path)}">{_e(fixes.path)}</a> · '
                                         f"{_int(fixes.rows)} 行待整改 failing rows"))
    items = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    warnings = ""
    if card.warnings:
        warnings = ('<p class="small" style="margin-top:12px"><b>提示 warnings</b></p><ul class="small">'
                    + "".join(f"<li>{_e(w)}</li>" for w in card.warnings) + "</ul>")
    return f"""
<section class="card" id="dataset">
  <h2>数据集<span class="en">Dataset</span></h2>
  <dl class="kv">{items}</dl>{warnings}
</section>"""


def render(scorecard: Scorecard) -> str:
    """The scorecard as one self-contained HTML page."""
    card = scorecard
    css = _asset("scorecard.css").replace("__FONTS__", _FONT_STACK).replace("__MONO__", _MONO_STACK)
    js = _asset("scorecard.js").replace("__PAGE_SIZE__", str(PAGE_SIZE))
    title = f"{card.verdict.verdict_zh} {card.verdict.verdict.value} · {card.schema_info.name_zh} · 数据质量评分卡"
    return f"""<!DOCTYPE html>
<html lang="zh-CN" class="nojs">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="generator" content="govstd {_e(card.tool_version)}">
<link rel="icon" href="data:,">
<title>{_e(title)}</title>
<style>{css}</style>
</head>
<body>
<div class="page">
{_header(card)}
{_verdict(card)}
{_masked_copy(card)}
{_dimensions(card)}
{_columns(card.columns)}
{_failing(card.checks)}
{_all_checks(card.checks)}
{_how(card)}
{_dataset(card)}
<footer>govstd {_e(card.tool_version)} · 样本均已脱敏 all samples are masked ·
<span class="mono">{_e(card.report_schema)}</span></footer>
</div>
<script>{js}</script>
</body>
</html>
"""


__all__ = ["PAGE_SIZE", "render"]
