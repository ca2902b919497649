"""The 动态考评 dashboard pages of the static site: the same HTML the service serves
(``govstd.dashboard.html``), from the same ``Evaluation``, placed in Markdown pages.

================================================  =============================================
``dashboard/``                                    the ranking of the latest month with submissions
``dashboard/ranking/2026-11/``                    the ranking of one month
``dashboard/departments/510100/``                 one department
``dashboard/datasets/510100/<dataset>/``          one dataset (a name that is not URL-safe is hashed)
================================================  =============================================
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Callable, Iterator

from govstd.dashboard import html
from govstd.dashboard.evaluation import Evaluation
from govstd.dashboard.periods import parse_period

HOME = "dashboard/index.md"
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$")


def dataset_slug(name: str) -> str:
    return name.lower() if _SAFE.match(name) else "d-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]


def ranking_page(period: str) -> str:
    return f"dashboard/ranking/{period}/index.md"


def department_page(code: str) -> str:
    return f"dashboard/departments/{code.lower()}/index.md"


def dataset_page(department: str, dataset: str) -> str:
    return f"dashboard/datasets/{department.lower()}/{dataset_slug(dataset)}/index.md"


class SiteLinks:
    """Relative links from the page ``page`` (a Markdown source path) to the other dashboard pages."""

    def __init__(self, page: str) -> None:
        self._dir = posixpath.dirname(page)

    def _to(self, target: str) -> str:
        return posixpath.relpath(posixpath.dirname(target), self._dir) + "/"

    def ranking(self, period: str) -> str:
        return self._to(ranking_page(period))

    def department(self, code: str) -> str:
        return self._to(department_page(code))

    def dataset(self, department: str, dataset: str) -> str:
        return self._to(dataset_page(department, dataset))


def _page(title: str, fragment: str) -> str:
    # One raw HTML block: no blank line inside, so Markdown passes it through untouched.
    return f"# {title}\n\n<div class=\"gs-dashboard\">{fragment}</div>\n"


def dashboard_pages(ev: Evaluation) -> Iterator[tuple[str, str]]:
    """(Markdown source path, page) for every dashboard page of ``ev``."""
    months = ev.months()
    for path, period in [(HOME, None), *((ranking_page(m), m) for m in months)]:
        ranking = ev.ranking(parse_period(period) if period else None)
        yield path, _page(f"动态考评 {ranking.period}", html.ranking_html(ranking, SiteLinks(path), months))
    for code in ev.departments():
        path = department_page(code)
        yield path, _page(f"部门 {code}", html.department_html(ev.department(code), SiteLinks(path)))
    for code, name in ev.datasets():
        path = dataset_page(code, name)
        yield path, _page(f"数据集 {name}", html.dataset_html(ev.dataset(name, code), SiteLinks(path)))


def write_dashboard(ev: Evaluation, write: Callable[[str, str], None]) -> None:
    for path, text in dashboard_pages(ev):
        write(path, text)
