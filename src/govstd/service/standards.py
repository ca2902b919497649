"""Routes over the registry's standards: read (list, search, show, resolve, diff, history, code sets)
and write (publish, status, retire, compatibility). Each calls the ``Registry`` method the matching
``govstd registry`` command calls, and returns what that command prints with ``--json``."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from govstd.registry.store import canonical_json
from govstd.registry.tokens import ForbiddenError, Identity, outside_namespace
from govstd.service.auth import Admin, Publisher, RegistryDep, SettingsDep, StandardsReader
from govstd.standards.models import EntryKind, RegistrationStatus

router = APIRouter(tags=["standards"])

#: A version's content never changes (the registry's triggers see to it): cache it for a year.
IMMUTABLE = "max-age=31536000, immutable"
#: A version's status may change (lifecycle): keep it, but ask again each time (ETag → 304).
REVALIDATE = "no-cache"
#: Past any catalogue's size (millions of items) and within the databases' 64-bit integers.
MAX_OFFSET = 10**9


def _dump(model: Any) -> Any:
    return model.model_dump(mode="json")


def _cached(request: Request, body: bytes, etag: str, cache_control: str, *, public: bool) -> Response:
    """``body`` with its ETag, or 304 when the client already holds it (If-None-Match)."""
    headers = {"ETag": etag, "Cache-Control": f"{'public' if public else 'private'}, {cache_control}"}
    wanted = {t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")}
    if etag in wanted or "*" in wanted:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _json_bytes(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


# --------------------------------------------------------------------------- reading


@router.get("/standards", summary="List or search standards")
def list_standards(reg: RegistryDep, _who: StandardsReader,
                   kind: Annotated[EntryKind | None, Query(description="Only this kind.")] = None,
                   q: Annotated[str | None, Query(max_length=200, description="Id or name contains this.")] = None,
                   limit: Annotated[int | None, Query(ge=1, le=10_000, description="A page of this many.")] = None,
                   offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> list[dict[str, Any]]:
    """One summary per standard (as `govstd registry list --json`), optionally filtered by ``q``; a page
    when ``limit`` is given (read page-wise from the database unless ``q`` filters first)."""
    if not q:
        return [_dump(s) for s in reg.list(kind, limit=limit, offset=offset)]
    needle = q.strip().lower()
    summaries = [s for s in reg.list(kind) if any(needle in (t or "").lower() for t in (s.id, s.name_zh, s.name_en))]
    return [_dump(s) for s in summaries[offset:offset + limit if limit else None]]


@router.get("/resolve", summary="Resolve NAME@range")
def resolve(reg: RegistryDep, _who: StandardsReader,
            ref: Annotated[str, Query(max_length=300, description="NAME, NAME@1.2.0, NAME@^1, NAME@latest …")],
            candidates: bool = False,
            kind: Annotated[EntryKind | None, Query(description="Only a standard of this kind.")] = None,
            ) -> dict[str, Any]:
    """The version ``ref`` resolves to, by the registry's one rule; ``warning`` as the CLI prints it."""
    found = reg.lookup(ref, kind=kind, include_candidates=candidates)
    info = next(v for v in reg.versions(found.entry.id) if v.version == found.entry.version)
    return {"entry": found.entry.model_dump(mode="json", exclude_none=True), "published": _dump(info),
            "warning": found.warning}


@router.get("/standards/{name}/versions", summary="Every version of a standard")
def versions(reg: RegistryDep, _who: StandardsReader, name: str) -> list[dict[str, Any]]:
    return [_dump(v) for v in reg.versions(name)]


@router.get("/standards/{name}/versions/{version}", summary="One version, with its status")
def show(request: Request, reg: RegistryDep, settings: SettingsDep, _who: StandardsReader, name: str,
         version: str) -> Response:
    """As `govstd registry show NAME@VERSION --json`. Revalidated with its ETag: the status may change."""
    entry = reg.get(name, version)
    info = next(v for v in reg.versions(entry.id) if v.version == entry.version)
    body = _json_bytes({"entry": entry.model_dump(mode="json", exclude_none=True), "published": _dump(info)})
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    return _cached(request, body, etag, REVALIDATE, public=settings.allow_anonymous_read)


@router.get("/standards/{name}/versions/{version}/content", summary="One version's immutable content")
def content(request: Request, reg: RegistryDep, settings: SettingsDep, _who: StandardsReader, name: str,
            version: str) -> Response:
    """The canonical content that was published (no status): its ETag is its SHA-256, and it may be
    cached for good."""
    entry = reg.get(name, version)
    info = next(v for v in reg.versions(entry.id) if v.version == entry.version)
    body = canonical_json(entry).encode("utf-8")
    return _cached(request, body, f'"{info.content_hash}"', IMMUTABLE, public=settings.allow_anonymous_read)


@router.get("/standards/{name}/history", summary="Versions and audit log of a standard")
def history(reg: RegistryDep, _who: StandardsReader, name: str,
            limit: Annotated[int | None, Query(ge=1, le=10_000, description="A page of the audit events.")] = None,
            offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> dict[str, Any]:
    return {"versions": [_dump(v) for v in reg.versions(name)],
            "events": [_dump(e) for e in reg.history(name, limit=limit, offset=offset)]}


@router.get("/standards/{name}/compatibility", summary="A standard's compatibility mode")
def compatibility(reg: RegistryDep, _who: StandardsReader, name: str) -> dict[str, Any]:
    """As `govstd registry compatibility NAME --json`."""
    return {"id": name, "compatibility": reg.compatibility(name).value}


@router.get("/audit", summary="The whole audit log (admin)")
def audit(reg: RegistryDep, _who: Admin,
          limit: Annotated[int | None, Query(ge=1, le=10_000, description="A page of the events.")] = None,
          offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> list[dict[str, Any]]:
    """Every event, oldest first: publishes, status and mode changes, imports, and API tokens created
    and revoked (which department and role, by whom — never a token). Admins only: it names every
    department's tokens."""
    return [_dump(e) for e in reg.audit_log(limit=limit, offset=offset)]


@router.get("/diff", summary="What changed between two versions")
def diff(reg: RegistryDep, _who: StandardsReader, a: Annotated[str, Query(max_length=300)],
         b: Annotated[str, Query(max_length=300)]) -> dict[str, Any]:
    """As `govstd registry diff A B --json`: classified changes, judged under B's compatibility mode."""
    result: dict[str, Any] = _dump(reg.diff(a, b))
    return result


@router.get("/code-sets", tags=["code sets"], summary="The built-in code sets")
def code_sets(_who: StandardsReader) -> list[dict[str, Any]]:
    from govstd.standards import library

    return [{"id": e.id, "version": e.version, "name_zh": e.name_zh, "name_en": e.name_en,
             "status": e.status.value, "codes": len(getattr(e, "codes", []))}
            for e in library.builtin_entries() if e.kind is EntryKind.CODE_SET]


@router.get("/code-sets/{ref}", tags=["code sets"], summary="One built-in code set in full")
def code_set(_who: StandardsReader, ref: str) -> dict[str, Any]:
    from govstd.standards import library

    found = library.lookup(ref, EntryKind.CODE_SET)
    return {"entry": found.entry.model_dump(mode="json", exclude_none=True), "warning": found.warning}


@router.get("/service-items/{code}", tags=["service items"], summary="A service item by basic or implementation code")
def service_item(reg: RegistryDep, _who: StandardsReader, code: str, candidates: bool = False) -> dict[str, Any]:
    """The service item (政务服务事项) whose basic code (基本编码, its id, or an alias) is ``code`` — by the
    registry's one resolver — or failing that, the one with an implementation (实施编码) of that code;
    ``implementation`` is the matching implementing body then."""
    from govstd.errors import NotFoundError

    kind = EntryKind.SERVICE_ITEM
    try:
        found = reg.lookup(code, kind=kind, include_candidates=candidates)
        return {"matched": "basic_code", "entry": found.entry.model_dump(mode="json", exclude_none=True),
                "implementation": None, "warning": found.warning}
    except NotFoundError:
        owner = next(((e, i) for e in reg.entries(kind, all_versions=False)
                      for i in getattr(e, "implementations", []) if i.implementation_code == code.strip()), None)
        if owner is None:
            raise
    found = reg.lookup(owner[0].id, kind=kind, include_candidates=candidates)
    return {"matched": "implementation_code", "entry": found.entry.model_dump(mode="json", exclude_none=True),
            "implementation": owner[1].model_dump(mode="json", exclude_none=True), "warning": found.warning}


@router.get("/items", tags=["service items"], summary="Find catalogue items (政务服务事项目录)")
def find_items(reg: RegistryDep, _who: StandardsReader,
               code: Annotated[str | None, Query(max_length=64, description="Basic or implementation code.")] = None,
               name: Annotated[str | None, Query(max_length=200, description="A part of the item name.")] = None,
               department: Annotated[str | None, Query(max_length=200)] = None,
               region: Annotated[str | None, Query(max_length=12, description="A GB/T 2260 code.")] = None,
               retired: bool = False, limit: Annotated[int, Query(ge=1, le=1000)] = 50,
               offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> list[dict[str, Any]]:
    """As `govstd registry find-item --json`."""
    found = reg.find_items(code, name=name, department=department, region=region, include_retired=retired,
                           limit=limit, offset=offset)
    return [i.model_dump(mode="json") for i in found]


@router.get("/items/{code}", tags=["service items"], summary="One catalogue item by implementation code")
def item(reg: RegistryDep, _who: StandardsReader, code: str) -> dict[str, Any]:
    """The implementation entry (实施编码) as the newest release has it, retired or not."""
    from govstd.errors import NotFoundError

    found = reg.item(code)
    if found is None:
        raise NotFoundError("catalogue item", code)
    result: dict[str, Any] = found.model_dump(mode="json")
    return result


# --------------------------------------------------------------------------- writing


class PublishRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entries: list[dict[str, Any]] = Field(description="Standards as their YAML would be, as JSON objects.",
                                          max_length=10_000)
    message: str | None = Field(None, max_length=2000, description="Why: recorded in the audit log.")
    allow_breaking: bool = False
    dry_run: bool = False


class StatusRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(description="New status, in English or Chinese (retired / 已废止).", max_length=64)
    message: str = Field(min_length=1, max_length=2000, description="Why: recorded in the audit log.")


class RetireRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=1, max_length=2000)


class CompatibilityRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: str = Field(max_length=32)
    message: str | None = Field(None, max_length=2000)


def _check_namespace(who: Identity, entries: list[Any]) -> None:
    refused = outside_namespace(who, entries)
    if refused:
        raise ForbiddenError(
            f"department {who.department} publishes only ids beginning with '{who.department}-';"
            f" refused: {', '.join(refused[:5])}" + (f" and {len(refused) - 5} more" if len(refused) > 5 else ""),
            hint="an entry's id and every alias must be in the department's namespace; an admin publishes others")


@router.post("/standards", summary="Publish standards in one transaction")
def publish(reg: RegistryDep, who: Publisher, request: PublishRequest) -> JSONResponse:
    """As `govstd registry publish --json`: all or nothing, with the same compatibility checks and
    refusals. A publisher publishes in its department's namespace only."""
    from govstd.standards.loader import parse_entry

    entries = [parse_entry(data, path=f"entries[{i}]") for i, data in enumerate(request.entries)]
    _check_namespace(who, entries)
    outcomes = reg.publish(entries, actor=who.actor, message=request.message,
                           allow_breaking=request.allow_breaking, dry_run=request.dry_run)
    published = any(o.action.value == "published" for o in outcomes) and not request.dry_run
    return JSONResponse({"dry_run": request.dry_run, "outcomes": [_dump(o) for o in outcomes]},
                        status_code=201 if published else 200)


@router.post("/standards/{name}/versions/{version}/status", summary="Change a version's status (admin)")
def set_status(reg: RegistryDep, who: Admin, name: str, version: str, request: StatusRequest) -> dict[str, Any]:
    result: dict[str, Any] = _dump(reg.set_status(f"{name}@{version}", request.status, actor=who.actor,
                                                  message=request.message))
    return result


@router.post("/standards/{name}/versions/{version}/retire", summary="Retire a version (admin)")
def retire(reg: RegistryDep, who: Admin, name: str, version: str, request: RetireRequest) -> dict[str, Any]:
    result: dict[str, Any] = _dump(reg.set_status(f"{name}@{version}", RegistrationStatus.RETIRED,
                                                  actor=who.actor, message=request.message))
    return result


@router.post("/standards/{name}/compatibility", summary="Set a standard's compatibility mode (admin)")
def set_compatibility(reg: RegistryDep, who: Admin, name: str, request: CompatibilityRequest) -> dict[str, Any]:
    mode = reg.set_compatibility(name, request.mode.upper(), actor=who.actor, message=request.message)
    return {"id": name, "compatibility": mode.value}

