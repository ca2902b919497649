"""The dashboard as HTML, Chinese first with English beside it: fragments the service wraps in a page
(``page``) and the static site puts into its Markdown pages (raw HTML passes through mkdocs).

Where a fragment links to another view it asks ``Links``, so the service's URLs and the site's
relative paths are each decided in one place.
"""

from __future__ import annotations

from html import escape
from typing import Protocol

from govstd.dashboard import charts
from govstd.dashboard.evaluation import DIMENSIONS, DatasetTrend, DepartmentView, Ranking, Schedule

VERDICT_ZH = {"PASS": "通过", "WARN": "警告", "FAIL": "不通过"}


class Links(Protocol):
    def ranking(self, period: str) -> str: ...
    def department(self, code: str) -> str: ...
    def dataset(self, department: str, dataset: str) -> str: ...


def _a(text: str, href: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>'


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _verdict(verdict: str) -> str:
    return f'<span class="gs-verdict gs-{verdict.lower()}">{VERDICT_ZH.get(verdict, verdict)} {escape(verdict)}</span>'


def schedule_text(s: Schedule) -> str:
    """``11/12 (91.7%)``, or why it is not assessed."""
    if not s.assessed:
        return '<span class="gs-muted">未评估 not assessed</span>'
    if not s.due:
        return '<span class="gs-muted">未到期 nothing due</span>'
    return f"{s.on_time}/{s.due} ({(s.rate or 0) * 100:.1f}%)"


def _table(css: str, head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def ranking_html(ranking: Ranking, links: Links, periods: list[str] | None = None) -> str:
    rows = [[str(r.rank) if r.rank is not None else '<span class="gs-muted">未提交</span>',
             _a(r.department, links.department(r.department)), _score(r.score), str(r.datasets),
             " / ".join(str(r.verdicts.get(v, 0)) for v in ("PASS", "WARN", "FAIL")), schedule_text(r.schedule)]
            for r in ranking.rows]
    chart = charts.bar_chart(f"{ranking.period} 部门得分 Department scores",
                             [(r.department, r.score) for r in ranking.rows])
    other = "".join(f" {_a(p, links.ranking(p))}" for p in periods or [] if p != ranking.period)
    return (f"<h2>{escape(ranking.period)} 部门排名 Department ranking</h2>"
            + (f'<p class="gs-periods">其他期间 Other periods:{other}</p>' if other else "")
            + chart
            + _table("gs-ranking", ["名次 Rank", "部门 Department", "得分 Score", "数据集 Datasets",
                                    "通过/警告/不通过 Pass/Warn/Fail", "按时报送 On time"], rows)
            + '<p class="gs-rule">排名规则：每个数据集取本期最新一次提交，部门得分为其平均分；同分（两位小数）'
              "并列，下一名次顺延；本期无提交的部门列于最后。按时报送按各目录的更新周期计算。 "
              '<span class="gs-en">Rule: the latest submission per dataset in the period, averaged per '
              "department; equal scores share a rank; departments without a submission are listed last. "
              "On time: against each catalogue's update cycle.</span></p>")


def department_html(view: DepartmentView, links: Links) -> str:
    months = list(view.months)
    per_dataset = {}
    for t in view.datasets:
        last = {p.month: p.score for p in t.points}
        per_dataset[t.dataset] = [last.get(m) for m in months]
    rows = [[_a(t.dataset, links.dataset(t.department, t.dataset)), escape(t.name_zh or ""),
             _score(t.points[-1].score), _verdict(t.points[-1].verdict),
             escape(t.schedule.update_cycle_zh or "—"), schedule_text(t.schedule)] for t in view.datasets]
    return (f"<h2>部门 {escape(view.department)} Department</h2>"
            f"<p>按时报送 On time: {schedule_text(view.schedule)}</p>"
            + charts.line_chart(f"{view.department} 月度得分 Monthly score", months,
                                {f"{view.department} 部门": list(view.months.values())})
            + charts.line_chart("各数据集得分 Score per dataset", months, per_dataset)
            + _table("gs-datasets", ["数据集 Dataset", "名称 Name", "最新得分 Latest score", "结论 Verdict",
                                     "更新周期 Update cycle", "按时报送 On time"], rows))


def dataset_html(trend: DatasetTrend, links: Links) -> str:
    labels = [p.scored_at.strftime("%Y-%m-%d") for p in trend.points]
    dims = {d.label_zh: [p.dimensions.get(d.value) for p in trend.points] for d in DIMENSIONS
            if any(p.dimensions.get(d.value) is not None for p in trend.points)}
    latest = trend.points[-1]
    fails = [[escape(rule)] + ["✗" if p.submission in subs else "" for p in trend.points]
             for rule, subs in trend.rule_history.items()]
    history = [[escape(lbl), _score(p.score), _verdict(p.verdict), str(len(p.failing_rules)),
                "✓" if p.signed else "—", escape(p.schema_ref)] for lbl, p in zip(labels, trend.points, strict=True)]
    missed = ", ".join(escape(m) for m in trend.schedule.missed) or "—"
    return (f"<h2>{escape(trend.dataset)} {escape(trend.name_zh or '')}</h2>"
            f"<p>部门 Department: {_a(trend.department, links.department(trend.department))} · "
            f"目录 Catalogue: <code>{escape(trend.schema_ref)}</code> · "
            f"更新周期 Update cycle: {escape(trend.schedule.update_cycle_zh or '—')} · "
            f"按时报送 On time: {schedule_text(trend.schedule)} · 缺报 Missed: {missed}</p>"
            + charts.line_chart("得分趋势 Score over time", labels, {trend.dataset: [p.score for p in trend.points]})
            + "<h3>质量维度 Dimensions (GB/T 36344)</h3>"
            + charts.bar_chart(f"最新一次 Latest ({labels[-1]})",
                               [(d.label_zh, latest.dimensions.get(d.value)) for d in DIMENSIONS])
            + charts.line_chart("维度趋势 Dimensions over time", labels, dims)
            + "<h3>未通过规则 Failing rules</h3>"
            + charts.bar_chart("未通过规则数 Failing rules per submission",
                               [(lbl, float(len(p.failing_rules))) for lbl, p in zip(labels, trend.points,
                                                                                         strict=True)])
            + (_table("gs-rules", ["规则 Rule", *labels], fails) if fails else "<p>无 None</p>")
            + "<h3>提交记录 Submissions</h3>"
            + _table("gs-history", ["评分时间 Scored", "得分 Score", "结论 Verdict", "未通过规则 Failing",
                                    "已签名 Signed", "目录版本 Schema"], history))


CSS = """body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:60rem;
padding:0 1rem;color:#222}table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.3rem .6rem;
text-align:left}th{background:#f3f5f7}.gs-muted,.gs-en{color:#777}.gs-pass{color:#067d3a}.gs-warn{color:#9a6200}
.gs-fail{color:#b00020}.gs-chart{display:block;margin:1rem 0}nav a{margin-right:1rem}"""


def page(title: str, body: str, *, home: str) -> str:
    """A whole HTML page for the service (the static site has its own theme)."""
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>'
            f'<body><nav><a href="{escape(home)}">动态考评 Dashboard</a></nav><h1>{escape(title)}</h1>{body}'
            "</body></html>")
