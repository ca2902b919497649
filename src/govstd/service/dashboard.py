"""Routes of the 动态考评 dashboard: JSON for platforms, HTML (zh first) for people. Every figure comes
from ``govstd.dashboard.evaluation`` over the registry's stored submissions — the static site renders
the same ``Evaluation``. Like ``/scorecards``, it needs a token: submissions are departments' data.

``as_of`` (default now) is the moment the on-time rule judges at: only cycle periods ended by then are due.
Evaluations are cached per state of the submissions, and answers carry ETag / Last-Modified
(``cache.py``): a dashboard looked at by many people costs one evaluation per change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from govstd.dashboard import html
from govstd.dashboard.evaluation import Evaluation
from govstd.dashboard.periods import parse_period
from govstd.registry.store import Registry
from govstd.service.auth import Reader, RegistryDep
from govstd.service.cache import DashboardCache, Stamp, http_date, not_modified, validators

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


def dashboard_cache(request: Request) -> DashboardCache:
    cache: DashboardCache = request.app.state.dashboard_cache
    return cache


CacheDep = Annotated[DashboardCache, Depends(dashboard_cache)]


def _answer(request: Request, reg: Registry, cache: DashboardCache, as_of: dt.datetime | None,
            render: Callable[[Evaluation], Any], *, html_page: bool = False) -> Response:
    """``render`` of the cached evaluation, with its validators — or 304 when the client holds it
    (``cache.py``): every dashboard route answers through here."""
    stamp = Stamp.of(reg)
    etag, last_modified = validators(request, stamp, as_of)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified)
    if not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=headers)
    result = render(cache.evaluation(reg, stamp, as_of))
    if html_page:
        return HTMLResponse(result, headers=headers)
    return JSONResponse(result, headers=headers)


@router.get("/ranking", summary="Department ranking for a period")
def ranking(request: Request, reg: RegistryDep, cache: CacheDep, _who: Reader, period: Period = None,
            as_of: AsOf = None) -> Response:
    def render(ev: Evaluation) -> Any:
        return ev.ranking(parse_period(period) if period else None).model_dump(mode="json")

    return _answer(request, reg, cache, as_of, render)


@router.get("/departments/{code}", summary="One department: monthly score, datasets, on time")
def department(request: Request, reg: RegistryDep, cache: CacheDep, _who: Reader, code: str,
               as_of: AsOf = None) -> Response:
    return _answer(request, reg, cache, as_of, lambda ev: ev.department(code).model_dump(mode="json"))


@router.get("/datasets/{name}", summary="One dataset: score, dimensions and failing rules over time")
def dataset(request: Request, reg: RegistryDep, cache: CacheDep, _who: Reader, name: str,
            department: Department = None, as_of: AsOf = None) -> Response:
    return _answer(request, reg, cache, as_of, lambda ev: ev.dataset(name, department).model_dump(mode="json"))


@router.get("", summary="The dashboard (HTML): ranking", response_class=HTMLResponse)
def ranking_page(request: Request, reg: RegistryDep, cache: CacheDep, _who: Reader, period: Period = None,
                 as_of: AsOf = None) -> Response:
    def render(ev: Evaluation) -> str:
        body = html.ranking_html(ev.ranking(parse_period(period) if period else None), ServiceLinks(), ev.months())
        return html.page("动态考评 Dashboard", body, home="/dashboard")

    return _answer(request, reg, cache, as_of, render, html_page=True)


@router.get("/html/departments/{code}", summary="One department (HTML)", response_class=HTMLResponse)
def department_page(request: Request, reg: RegistryDep, cache: CacheDep, _who: Reader, code: str,
                    as_of: AsOf = None) -> Response:
    def render(ev: Evaluation) -> str:
        return html.page(f"部门 {code}", html.department_html(ev.department(code), ServiceLinks()), home="/dashboard")

    return _answer(request, reg, cache, as_of, render, html_page=True)


@router.get("/html/datasets/{name}", summary="One dataset (HTML)", response_class=HTMLResponse)
def dataset_page(request: Request, reg: RegistryDep, cache: CacheDep, _who: Reader, name: str,
                 department: Department = None, as_of: AsOf = None) -> Response:
    def render(ev: Evaluation) -> str:
        body = html.dataset_html(ev.dataset(name, department), ServiceLinks())
        return html.page(f"数据集 {name}", body, home="/dashboard")

    return _answer(request, reg, cache, as_of, render, html_page=True)
