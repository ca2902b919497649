"""Routes of the 动态考评 dashboard: JSON for platforms, HTML (zh first) for people. Every figure comes
from ``govstd.dashboard.evaluation`` over the registry's stored submissions — the static site renders
the same ``Evaluation``. Like ``/scorecards``, it needs a token: submissions are departments' data.

``as_of`` (default now) is the moment the on-time rule judges at: only cycle periods ended by then are due.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from govstd.dashboard import html
from govstd.dashboard.evaluation import Evaluation
from govstd.dashboard.history import from_registry
from govstd.dashboard.periods import parse_period
from govstd.registry.store import Registry
from govstd.service.auth import Reader, RegistryDep

router = APIRouter(prefix="/dashboard", tags=["dashboard"])

Period = Annotated[str | None, Query(max_length=16, description="2026-11, 2026-Q4 or 2026 (default: the latest "
                                                                 "month with a submission).")]
AsOf = Annotated[dt.datetime | None, Query(description="Judge on-time as of this moment (default: now).")]
Department = Annotated[str | None, Query(max_length=32, description="Needed when several departments "
                                                                    "submit a dataset of this name.")]


class ServiceLinks:
    """Where the service's HTML dashboard pages are."""

    def ranking(self, period: str) -> str:
        return f"/dashboard?{urlencode({'period': period})}"

    def department(self, code: str) -> str:
        return f"/dashboard/html/departments/{quote(code, safe='')}"

    def dataset(self, department: str, dataset: str) -> str:
        return f"/dashboard/html/datasets/{quote(dataset, safe='')}?{urlencode({'department': department})}"


def _evaluation(reg: Registry, as_of: dt.datetime | None) -> Evaluation:
    return from_registry(reg, as_of=as_of)


@router.get("/ranking", summary="Department ranking for a period")
def ranking(reg: RegistryDep, _who: Reader, period: Period = None, as_of: AsOf = None) -> dict[str, Any]:
    ev = _evaluation(reg, as_of)
    result: dict[str, Any] = ev.ranking(parse_period(period) if period else None).model_dump(mode="json")
    return result


@router.get("/departments/{code}", summary="One department: monthly score, datasets, on time")
def department(reg: RegistryDep, _who: Reader, code: str, as_of: AsOf = None) -> dict[str, Any]:
    result: dict[str, Any] = _evaluation(reg, as_of).department(code).model_dump(mode="json")
    return result


@router.get("/datasets/{name}", summary="One dataset: score, dimensions and failing rules over time")
def dataset(reg: RegistryDep, _who: Reader, name: str, department: Department = None,
            as_of: AsOf = None) -> dict[str, Any]:
    result: dict[str, Any] = _evaluation(reg, as_of).dataset(name, department).model_dump(mode="json")
    return result


@router.get("", summary="The dashboard (HTML): ranking", response_class=HTMLResponse)
def ranking_page(reg: RegistryDep, _who: Reader, period: Period = None, as_of: AsOf = None) -> HTMLResponse:
    ev = _evaluation(reg, as_of)
    body = html.ranking_html(ev.ranking(parse_period(period) if period else None), ServiceLinks(), ev.months())
    return HTMLResponse(html.page("动态考评 Dashboard", body, home="/dashboard"))


@router.get("/html/departments/{code}", summary="One department (HTML)", response_class=HTMLResponse)
def department_page(reg: RegistryDep, _who: Reader, code: str, as_of: AsOf = None) -> HTMLResponse:
    body = html.department_html(_evaluation(reg, as_of).department(code), ServiceLinks())
    return HTMLResponse(html.page(f"部门 {code}", body, home="/dashboard"))


@router.get("/html/datasets/{name}", summary="One dataset (HTML)", response_class=HTMLResponse)
def dataset_page(reg: RegistryDep, _who: Reader, name: str, department: Department = None,
                 as_of: AsOf = None) -> HTMLResponse:
    body = html.dataset_html(_evaluation(reg, as_of).dataset(name, department), ServiceLinks())
    return HTMLResponse(html.page(f"数据集 {name}", body, home="/dashboard"))
