"""Who a request acts as: ``Authorization: Bearer TOKEN`` → ``Identity`` (``registry/tokens.py``).

A route declares what it needs — ``reader()`` (any token; none when the operator allows anonymous
reads), ``publisher()``, ``admin()`` — and gets the identity, whose ``actor`` the registry records.
A token that is present but not accepted is always refused (401), even where none is needed: a client
with a revoked token should learn so, not silently read as anonymous.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the dependencies' annotations at run
# time, and those inside the factories below name local variables a string annotation cannot reach.
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from govstd.registry.store import Registry
from govstd.registry.tokens import AuthError, ForbiddenError, Identity, Role
from govstd.service.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="An API token from `govstd token create`.")
_NO_TOKEN_HINT = "send `Authorization: Bearer TOKEN`; an administrator creates tokens with `govstd token create`"


def registry(request: Request) -> Registry:
    reg: Registry = request.app.state.registry
    return reg


def settings(request: Request) -> Settings:
    chosen: Settings = request.app.state.settings
    return chosen


def _identity(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Identity | None:
    if credentials is None:
        if "authorization" in request.headers:
            raise AuthError("the Authorization header must be `Bearer TOKEN`", hint=_NO_TOKEN_HINT)
        return None
    return registry(request).tokens.authenticate(credentials.credentials.strip())


def _needs(role: Role, *, anonymous_read: bool) -> Callable[..., Identity | None]:
    def dependency(request: Request,
                   credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Identity | None:
        who = _identity(request, credentials)
        if who is None:
            if anonymous_read and settings(request).allow_anonymous_read:
                return None
            raise AuthError("this request needs an API token", hint=_NO_TOKEN_HINT)
        if not who.role.allows(role):
            article = "an" if role is Role.ADMIN else "a"
            raise ForbiddenError(f"{who.actor} is a {who.role.value}; this needs {article} {role.value}")
        return who

    return dependency


def _known(role: Role) -> Callable[..., Identity]:
    inner = _needs(role, anonymous_read=False)

    def dependency(who: Annotated[Identity | None, Depends(inner)]) -> Identity:
        assert who is not None  # _needs refuses a missing token when anonymous reads are not allowed
        return who

    return dependency


#: Reading standards: a token, or none when the operator allows anonymous reads.
StandardsReader = Annotated[Identity | None, Depends(_needs(Role.READER, anonymous_read=True))]
#: Reading submissions: always a token (they are departments' data, not published standards).
Reader = Annotated[Identity, Depends(_known(Role.READER))]
Publisher = Annotated[Identity, Depends(_known(Role.PUBLISHER))]
Admin = Annotated[Identity, Depends(_known(Role.ADMIN))]
RegistryDep = Annotated[Registry, Depends(registry)]
SettingsDep = Annotated[Settings, Depends(settings)]
