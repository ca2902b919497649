"""Routes over the service-item catalogue: find items, one national item's local entries, the crosswalk
versions, and two regions compared. Each calls the ``Registry`` method the matching ``govstd registry``
command calls and returns what that command prints with ``--json``; every list is a page
(``limit`` ≤ ``MAX_LIMIT``, ``offset``), never the whole of a two-million-item catalogue."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from govstd.service.auth import RegistryDep, StandardsReader

router = APIRouter(prefix="/catalogue", tags=["service-item catalogue"])

#: The largest page a request may ask for: big enough for a browser table, small enough to answer fast.
MAX_LIMIT = 1000
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (per finding for compare).")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")]
Text = Annotated[str | None, Query(max_length=200)]


@router.get("/items", summary="Catalogue items by code, name, department or region (a page)")
def find_items(reg: RegistryDep, _who: StandardsReader, code: Text = None, name: Text = None,
               department: Text = None, region: Annotated[str | None, Query(max_length=12)] = None,
               retired: bool = False, limit: Limit = 50, offset: Offset = 0) -> list[dict[str, Any]]:
    """As `govstd registry find-item --json`: at least one of code, name, department, region."""
    found = reg.find_items(code, name=name, department=department, region=region, include_retired=retired,
                           limit=limit, offset=offset)
    return [i.model_dump() for i in found]


@router.get("/national-items/{code}", summary="The national item a code belongs to, and its local entries")
def national_item(reg: RegistryDep, _who: StandardsReader, code: str, limit: Limit = 50,
                  offset: Offset = 0) -> dict[str, Any]:
    """As `govstd registry national-item CODE --json`."""
    return reg.national_item(code, limit=limit, offset=offset)


@router.get("/crosswalks", summary="The crosswalk versions (事项对照表)")
def crosswalks(reg: RegistryDep, _who: StandardsReader) -> list[dict[str, Any]]:
    return [c.model_dump(mode="json") for c in reg.crosswalks()]


@router.get("/compare", summary="Two regions' catalogues by national item")
def compare(reg: RegistryDep, _who: StandardsReader,
            a: Annotated[str, Query(min_length=2, max_length=12, description="Region A (GB/T 2260).")],
            b: Annotated[str, Query(min_length=2, max_length=12, description="Region B (GB/T 2260).")],
            limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    """As `govstd registry compare-items A B --json`: items only one region has, coded differently,
    named differently — counts, and one page of each."""
    result: dict[str, Any] = reg.compare_items(a, b, limit=limit, offset=offset).model_dump(mode="json")
    return result
