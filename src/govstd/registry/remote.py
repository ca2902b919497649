"""A registry reached over HTTP: ``RemoteRegistry(url, token)`` answers the methods of ``Registry`` that
``govstd registry …`` and the resolver call, through the registry service's API (``govstd serve``).

So the commands and ``govstd validate --service URL`` do not branch on where the registry is: they
hold a ``Registry`` or a ``RemoteRegistry`` and call the same methods, which return the same models.
Every rule (resolution, compatibility, lifecycle, namespaces) runs in the service, once; this module
only maps the calls onto HTTP and the service's RFC 9457 problems back onto the CLI's error classes
(``raise_problem``), so a refused publish exits and prints exactly as it does against a database.

The token travels only in the ``Authorization`` header. It is never put in a URL, and a service URL
that carries a query string, a fragment or user info is refused (credentials in URLs end up in proxy
and server logs); no message here quotes the token.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import quote, urlsplit

from govstd.errors import ConflictError, GovstdError, InputError, NotFoundError
from govstd.registry.audit import AuditEvent
from govstd.registry.changes import CompatibilityMode
from govstd.registry.lifecycle import TransitionError
from govstd.registry.results import (
    CompatibilityError,
    ImmutableVersionError,
    PublishOutcome,
    SubjectSummary,
    UnknownNameError,
    VersionInfo,
)
from govstd.standards.models import EntryKind, RegistrationStatus
from govstd.standards.versions import Resolved, split_ref

if TYPE_CHECKING:
    import httpx

    from govstd.registry.items import CatalogueItem
    from govstd.standards.models import AnyEntry

SERVICE_ENV = "GOVSTD_SERVICE"
TOKEN_ENV = "GOVSTD_TOKEN"
_TIMEOUT_S = 120.0


# --------------------------------------------------------------------------- problems → errors


class _Remote(GovstdError):
    """An error the service reported: its class is the CLI's, its members are the service's (so
    ``--json`` prints the same document as the local command would)."""

    members: dict[str, object]

    def to_dict(self) -> dict[str, object]:
        return {"error": self.code, "message": self.message, "hint": self.hint, **self.members}

    def located(self, expected_word: str = "expected") -> str:
        return self.message  # the service already placed it (file, field, what was expected)


#: A problem's ``code`` → the CLI's class for it (a subclass's code first; unknown codes: GovstdError).
_CLASSES: dict[str, type[GovstdError]] = {
    "input": InputError,
    "not_found": UnknownNameError,
    "conflict": ConflictError,
    "immutable": ImmutableVersionError,
    "incompatible": CompatibilityError,
    "lifecycle": TransitionError,
}
_remote_classes: dict[type[GovstdError], type[_Remote]] = {}


def _error_class(code: str) -> type[GovstdError]:
    if code in _CLASSES:
        return _CLASSES[code]
    from govstd.registry.store import NewerRegistryError, NotARegistryError, RegistryUnavailableError
    from govstd.registry.tokens import AuthError, ForbiddenError

    more: dict[str, type[GovstdError]] = {
        "unauthorized": AuthError, "forbidden": ForbiddenError, "registry_unavailable": RegistryUnavailableError,
        "not_a_registry": NotARegistryError, "registry_too_new": NewerRegistryError,
    }
    return more.get(code, GovstdError)


def problem_error(status: int, problem: dict[str, Any]) -> GovstdError:
    """The ``GovstdError`` an RFC 9457 problem document stands for: same class, code, message, hint and
    members (``suggestions``, a refused publish's ``diffs`` …), hence the same exit code."""
    code = str(problem.get("code") or "error")
    base = _error_class(code)
    if base not in _remote_classes:
        _remote_classes[base] = type(f"Remote{base.__name__}", (_Remote, base), {})
    error = _remote_classes[base].__new__(_remote_classes[base])
    detail = str(problem.get("detail") or problem.get("title") or f"HTTP {status}")
    hint = problem.get("hint")
    GovstdError.__init__(error, detail, hint=str(hint) if hint else None)
    skip = {"type", "title", "status", "detail", "code", "hint", "instance"}
    error.members = {k: v for k, v in problem.items() if k not in skip}
    error.code = code
    for name, value in error.members.items():  # e.g. ``suggestions`` and ``name`` of a NotFoundError
        if not hasattr(type(error), name):
            setattr(error, name, value)
    return error


def raise_problem(response: httpx.Response) -> NoReturn:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {"code": "error",
                "detail": f"the service answered HTTP {response.status_code} without a problem document"}
    raise problem_error(response.status_code, body)


# --------------------------------------------------------------------------- where the service is


def check_service_url(url: str) -> str:
    """``url`` without a trailing slash, if it is a plain ``http(s)://host[:port][/path]``. Refused
    without quoting it: a URL with a query string or user info may carry a credential."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InputError("the registry service URL must start with http:// or https:// and name a host",
                         field="service", expected="https://HOST[:PORT][/PATH]")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InputError("the registry service URL may not carry a query string, a fragment or user info",
                         field="service", expected="https://HOST[:PORT][/PATH]",
                         hint=f"give the token with --token or {TOKEN_ENV}, never in the URL")
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")


# --------------------------------------------------------------------------- the registry


class RemoteRegistry:
    """The registry behind a service, with ``Registry``'s reading and writing methods (module docstring).

    ``actor`` arguments are accepted and ignored: the service records the token's identity. What only
    the database's operator does (init, export, import, catalogue imports) is refused with a clear error.
    """

    def __init__(self, url: str, token: str | None = None) -> None:
        try:
            import httpx
        except ModuleNotFoundError:
            raise GovstdError("talking to a registry service needs httpx",
                              hint="pip install 'govstd[service]'") from None
        self.url = check_service_url(url)
        secret = (token if token is not None else os.environ.get(TOKEN_ENV, "")).strip()
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        self._client = httpx.Client(base_url=self.url, headers=headers, timeout=_TIMEOUT_S, follow_redirects=False)

    @property
    def location(self) -> str:
        return self.url

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RemoteRegistry:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)

        def refused(*_args: Any, **_kwargs: Any) -> NoReturn:
            raise GovstdError(f"`{name}` is not available through a registry service ({self.url})",
                              hint="run it against the registry database: --registry URL")

        return refused

    # ----------------------------------------------------------------- HTTP

    def _call(self, method: str, path: str, *, params: dict[str, Any] | None = None,
              json: Any = None) -> Any:
        import httpx

        query = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            response = self._client.request(method, path, params=query, json=json)
        except httpx.HTTPError as exc:
            from govstd.registry.store import RegistryUnavailableError

            raise RegistryUnavailableError(f"cannot reach the registry service {self.url}: {type(exc).__name__}",
                                           hint=f"check --service or {SERVICE_ENV}, and that `govstd serve` runs"
                                           ) from None
        if response.status_code >= 400:
            raise_problem(response)
        return response.json()

    def _name(self, name: str) -> str:
        """``name`` as a path segment. A standard number (GB/T 2260) holds a slash, which no server
        routes inside a segment: such a name is resolved to its id first."""
        if "/" in name:
            name = self.lookup(split_ref(name)[0], include_candidates=True).entry.id
        return quote(name.strip(), safe="")

    # ----------------------------------------------------------------- reading

    def list(self, kind: EntryKind | None = None, *, limit: int | None = None,
             offset: int = 0) -> list[SubjectSummary]:
        found = self._call("GET", "/standards", params={"kind": kind.value if kind else None, "limit": limit,
                                                        "offset": offset})
        return [SubjectSummary.model_validate(s) for s in found]

    def lookup(self, ref: str, *, kind: EntryKind | None = None, include_candidates: bool = False) -> Resolved:
        found = self._call("GET", "/resolve", params={"ref": ref, "kind": kind.value if kind else None,
                                                      "candidates": include_candidates})
        return Resolved(_entry(found["entry"]), found.get("warning"))

    def resolve(self, ref: str, *, kind: EntryKind | None = None, include_candidates: bool = False) -> AnyEntry:
        return self.lookup(ref, kind=kind, include_candidates=include_candidates).warn()

    def get(self, id: str, version: str) -> AnyEntry:
        found = self._call("GET", f"/standards/{self._name(id)}/versions/{quote(version, safe='')}")
        return _entry(found["entry"])

    def versions(self, id: str) -> builtins.list[VersionInfo]:
        return [VersionInfo.model_validate(v) for v in self._call("GET", f"/standards/{self._name(id)}/versions")]

    def history(self, id: str, *, limit: int | None = None, offset: int = 0) -> builtins.list[AuditEvent]:
        found = self._call("GET", f"/standards/{self._name(id)}/history", params={"limit": limit, "offset": offset})
        return [AuditEvent.model_validate(e) for e in found["events"]]

    def audit_log(self, *, limit: int | None = None, offset: int = 0) -> builtins.list[AuditEvent]:
        found = self._call("GET", "/audit", params={"limit": limit, "offset": offset})
        return [AuditEvent.model_validate(e) for e in found]

    def compatibility(self, id: str) -> CompatibilityMode:
        found = self._call("GET", f"/standards/{self._name(id)}/compatibility")
        return CompatibilityMode(found["compatibility"])

    def item(self, implementation_code: str) -> CatalogueItem | None:
        from govstd.registry.items import CatalogueItem

        try:
            found = self._call("GET", f"/items/{quote(implementation_code.strip(), safe='')}")
        except NotFoundError:
            return None
        return CatalogueItem.model_validate(found)

    def find_items(self, code: str | None = None, *, name: str | None = None, department: str | None = None,
                   region: str | None = None, include_retired: bool = False, limit: int = 50,
                   offset: int = 0) -> builtins.list[CatalogueItem]:
        from govstd.registry.items import CatalogueItem

        found = self._call("GET", "/items", params={"code": code, "name": name, "department": department,
                                                    "region": region, "retired": include_retired, "limit": limit,
                                                    "offset": offset})
        return [CatalogueItem.model_validate(i) for i in found]

    # ----------------------------------------------------------------- writing

    def publish(self, entries: Iterable[AnyEntry], *, actor: str | None = None, message: str | None = None,
                allow_breaking: bool = False, dry_run: bool = False) -> builtins.list[PublishOutcome]:
        body = {"entries": [e.model_dump(mode="json", exclude_none=True) for e in entries], "message": message,
                "allow_breaking": allow_breaking, "dry_run": dry_run}
        return [PublishOutcome.model_validate(o) for o in self._call("POST", "/standards", json=body)["outcomes"]]

    def set_status(self, ref: str, new_status: RegistrationStatus | str, *, actor: str | None = None,
                   message: str) -> VersionInfo:
        name, wanted = split_ref(ref)
        if wanted.exact is None:  # the registry's own words (publishing.set_status), before any request
            raise InputError(f"a status change names one exact version, not {ref!r}", expected="ID@1.2.0")
        status = new_status.value if isinstance(new_status, RegistrationStatus) else new_status
        path = f"/standards/{self._name(name)}/versions/{quote(str(wanted.exact), safe='')}/status"
        return VersionInfo.model_validate(self._call("POST", path, json={"status": status, "message": message}))

    def set_compatibility(self, id: str, mode: CompatibilityMode | str, *, actor: str | None = None,
                          message: str | None = None) -> CompatibilityMode:
        value = mode.value if isinstance(mode, CompatibilityMode) else mode
        found = self._call("POST", f"/standards/{self._name(id)}/compatibility",
                           json={"mode": value, "message": message})
        return CompatibilityMode(found["compatibility"])


def _entry(data: dict[str, Any]) -> AnyEntry:
    from govstd.standards.loader import parse_entry

    return parse_entry(data, path="the service's answer")


__all__ = ["SERVICE_ENV", "TOKEN_ENV", "RemoteRegistry", "check_service_url", "problem_error", "raise_problem"]
