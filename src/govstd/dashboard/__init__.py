"""动态考评 — the dashboard of departments' data quality over time, from stored scorecard submissions.

- ``periods.py`` — calendar periods (China Standard Time): ranking periods and 更新周期 cycle periods;
- ``evaluation.py`` — every figure (trends, dimensions, failing rules, on-time, ranking) and its rule;
- ``history.py`` — where the submissions come from: a registry database or a registry service;
- ``charts.py`` — SVG charts rendered in Python, so pages need no script and no network to show them;
- ``html.py`` — the dashboard as HTML fragments (zh first), for the service and the static site.
"""

from __future__ import annotations

from govstd.dashboard.evaluation import DatasetTrend, DepartmentView, Evaluation, Ranking
from govstd.dashboard.periods import Period, parse_period

__all__ = ["DatasetTrend", "DepartmentView", "Evaluation", "Period", "Ranking", "parse_period"]
