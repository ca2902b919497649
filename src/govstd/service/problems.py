"""Errors as RFC 9457 problem documents (``application/problem+json``).

The body carries the same ``code``, message (as ``detail``) and ``hint`` as the CLI prints for the same
``GovstdError``, plus the error's own members (``to_dict``: field, line, suggestions, the diff of a
refused publish …), so a client can act on it exactly as a pipeline acts on ``--json`` output.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from govstd.errors import ConflictError, GovstdError, InputError, NotFoundError
from govstd.registry.store import RegistryUnavailableError
from govstd.registry.tokens import AuthError, ForbiddenError

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://govstd.org/problems/"

#: Most specific first: the HTTP status each kind of error is answered with.
_STATUS: list[tuple[type[GovstdError], int]] = [
    (AuthError, 401),
    (ForbiddenError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (InputError, 422),
    (RegistryUnavailableError, 503),
    (GovstdError, 400),
]


def status_of(exc: GovstdError) -> int:
    return next(status for kind, status in _STATUS if isinstance(exc, kind))


def problem(status: int, code: str, detail: str, *, hint: str | None = None, **extra: Any) -> JSONResponse:
    body = {"type": TYPE_BASE + code, "title": HTTPStatus(status).phrase, "status": status, "detail": detail,
            "code": code, "hint": hint, **extra}
    headers = {"WWW-Authenticate": 'Bearer realm="govstd"'} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def from_error(exc: GovstdError) -> JSONResponse:
    members = {k: v for k, v in exc.to_dict().items() if k not in {"error", "message", "hint"}}
    return problem(status_of(exc), exc.code, exc.message, hint=exc.hint, **_jsonable(members))


def _jsonable(members: dict[str, Any]) -> dict[str, Any]:
    import json

    return dict(json.loads(json.dumps(members, default=str)))


async def _govstd(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GovstdError)
    return from_error(exc)


async def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
              for e in exc.errors()]
    first = errors[0] if errors else {"field": "", "message": "invalid request"}
    return problem(422, "input", f"{first['field']}: {first['message']}", errors=errors)


async def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(exc.status_code, "error")
    return problem(exc.status_code, code, str(exc.detail))


def install(app: FastAPI) -> None:
    app.add_exception_handler(GovstdError, _govstd)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
