"""API tokens and departments: who may call the registry service, and as whom.

A token is ``govstd_`` + 43 URL-safe characters (256 random bits from ``secrets``). It is shown once,
when created; the registry keeps only its SHA-256, so a copy of the database gives no one a usable
token. Each token belongs to one department (its code, e.g. ``510100``) and has one role:

- ``reader`` — reads standards, submissions and the ranking;
- ``publisher`` — also publishes standards in its department's namespace and submits scorecards;
- ``admin`` — also publishes anywhere, changes statuses, retires, and trusts departments' keys.

**Namespace**: a department's namespace is every id that begins with its code and a hyphen —
``510100-00001`` belongs to department ``510100``, as catalogue schema ids already do. The code may not
itself hold a hyphen, so no namespace contains another's. An entry is in a namespace when its id and
every alias are (an alias is a name too: it could otherwise squat on another department's id).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select, update

from govstd.errors import GovstdError, InputError, NotFoundError
from govstd.registry.audit import AuditAction, make_row, now, resolve_actor
from govstd.registry.service_tables import DepartmentKeyRow, TokenRow
from govstd.registry.signing import fingerprint, parse_public_key

if TYPE_CHECKING:
    from govstd.registry.store import Registry
    from govstd.registry.tables import AuditRow
    from govstd.standards.models import AnyEntry

TOKEN_PREFIX = "govstd_"
#: What a token looks like, for redacting one from anything that might be logged.
TOKEN_PATTERN = re.compile(re.escape(TOKEN_PREFIX) + r"[A-Za-z0-9_-]{20,}")
_DEPARTMENT = re.compile(r"^[0-9A-Za-z]{2,32}$")


class Role(StrEnum):
    READER = "reader"
    PUBLISHER = "publisher"
    ADMIN = "admin"

    def allows(self, needed: Role) -> bool:
        """Roles are ordered: an admin may do what a publisher may, a publisher what a reader may."""
        order = [Role.READER, Role.PUBLISHER, Role.ADMIN]
        return order.index(self) >= order.index(needed)


class AuthError(GovstdError):
    """No credentials, or ones the registry does not accept (unknown, expired, revoked): HTTP 401."""

    code = "unauthorized"


class ForbiddenError(GovstdError):
    """Valid credentials that do not allow this action (role, or another department's namespace): 403."""

    code = "forbidden"


class Identity(BaseModel):
    """Who a request acts as: recorded as the actor of every change it makes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    token_id: int
    name: str
    department: str
    role: Role

    @property
    def actor(self) -> str:
        """The audit log's actor: department, token name and token id — never the token."""
        return f"{self.department}/{self.name} (token {self.token_id})"


class TokenInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    name: str
    department: str
    role: Role
    created_at: dt.datetime
    created_by: str
    expires_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now():
            return "expired"
        return "active"


class TrustedKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    department: str
    fingerprint: str
    public_key: str
    added_at: dt.datetime
    added_by: str


def check_department(code: str) -> str:
    if not _DEPARTMENT.match(code or ""):
        raise InputError(f"not a department code: {code!r}", field="department",
                         expected="2–32 letters or digits, no hyphen (e.g. 510100)")
    return code


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def in_namespace(department: str, entry: AnyEntry) -> bool:
    """Whether ``entry`` (its id and every alias) lies in ``department``'s namespace (module docstring)."""
    prefix = f"{department}-".lower()
    return all(name.lower().startswith(prefix) for name in (entry.id, *entry.aliases))


def outside_namespace(identity: Identity, entries: Iterable[AnyEntry]) -> list[str]:
    """The refs ``identity`` may not publish: none for an admin."""
    if identity.role is Role.ADMIN:
        return []
    return [e.ref for e in entries if not in_namespace(identity.department, e)]


def _info(row: TokenRow) -> TokenInfo:
    return TokenInfo(id=row.id, name=row.name, department=row.department, role=Role(row.role),
                     created_at=row.created_at, created_by=row.created_by, expires_at=row.expires_at,
                     revoked_at=row.revoked_at)


def _audit(action: AuditAction, info: TokenInfo, *, actor: str, at: dt.datetime) -> AuditRow:
    """The audit event of a token's creation or revocation, in the same transaction: which token (its id
    and name), whose (department) and what it may do (role) — the secret is never known here."""
    details = {"token_id": info.id, "name": info.name, "department": info.department, "role": info.role.value,
               "expires_at": info.expires_at.isoformat() if info.expires_at else None}
    return make_row(actor=actor, action=action, subject=None, subject_key=None, details=details, at=at)


class Tokens:
    """Tokens and trusted keys of one registry (``Registry.tokens``)."""

    def __init__(self, registry: Registry) -> None:
        self._reg = registry

    def create(self, *, department: str, role: Role | str, name: str | None = None,
               expires_days: int | None = None, created_by: str) -> tuple[str, TokenInfo]:
        """A new token and its record. The token is returned here once and never again."""
        check_department(department)
        try:
            chosen = Role(role)
        except ValueError:
            raise InputError(f"unknown role {role!r}", field="role", expected="reader, publisher or admin") from None
        if expires_days is not None and expires_days < 1:
            raise InputError("a token's lifetime is at least one day", field="expires", expected="DAYS >= 1")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        at = now()
        row = TokenRow(
            token_hash=token_hash(token), name=(name or f"{department}-{chosen.value}").strip()[:200],
            department=department, role=chosen.value, created_at=at, created_by=created_by,
            expires_at=at + dt.timedelta(days=expires_days) if expires_days else None,
        )
        with self._reg._write() as session:
            session.add(row)
            session.flush()
            info = _info(row)
            session.add(_audit(AuditAction.TOKEN_CREATE, info, actor=created_by, at=at))
            return token, info

    def all(self) -> list[TokenInfo]:
        with self._reg._read() as session:
            return [_info(r) for r in session.scalars(select(TokenRow).order_by(TokenRow.id))]

    def revoke(self, token_id: int, *, revoked_by: str | None = None) -> TokenInfo:
        """Revoke a token at once; revoking it again changes nothing (and logs nothing)."""
        with self._reg._write() as session:
            row = session.get(TokenRow, token_id)
            if row is None:
                raise NotFoundError("token", str(token_id))
            if row.revoked_at is None:
                at = now()
                session.execute(update(TokenRow).where(TokenRow.id == token_id).values(revoked_at=at))
                session.refresh(row)
                session.add(_audit(AuditAction.TOKEN_REVOKE, _info(row), actor=resolve_actor(revoked_by), at=at))
            return _info(row)

    def authenticate(self, token: str) -> Identity:
        """The identity a token stands for; ``AuthError`` (the same message whatever the reason, so a
        caller learns nothing about other tokens) when it is unknown, expired or revoked."""
        refused = AuthError("the token is unknown, expired or revoked",
                            hint="ask an administrator for a token: govstd token create")
        if not token.startswith(TOKEN_PREFIX):
            raise refused
        with self._reg._read() as session:
            row = session.scalars(select(TokenRow).where(TokenRow.token_hash == token_hash(token))).first()
        if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now()):
            raise refused
        return Identity(token_id=row.id, name=row.name, department=row.department, role=Role(row.role))

    # ----------------------------------------------------------------- departments' signing keys

    def trust_key(self, department: str, public_key: str, *, added_by: str) -> TrustedKey:
        """Trust ``public_key`` (SM2, hex) to sign ``department``'s scorecards. Idempotent."""
        check_department(department)
        key = parse_public_key(public_key)
        with self._reg._write() as session:
            row = session.scalars(select(DepartmentKeyRow).where(
                DepartmentKeyRow.department == department, DepartmentKeyRow.public_key == key)).first()
            if row is None:
                row = DepartmentKeyRow(department=department, public_key=key, fingerprint=fingerprint(key),
                                       added_at=now(), added_by=added_by)
                session.add(row)
                session.flush()
            return TrustedKey(department=row.department, fingerprint=row.fingerprint, public_key=row.public_key,
                              added_at=row.added_at, added_by=row.added_by)

    def trusted_keys(self, department: str | None = None) -> list[TrustedKey]:
        with self._reg._read() as session:
            stmt = select(DepartmentKeyRow).where(DepartmentKeyRow.revoked_at.is_(None)).order_by(DepartmentKeyRow.id)
            if department is not None:
                stmt = stmt.where(DepartmentKeyRow.department == department)
            return [TrustedKey(department=r.department, fingerprint=r.fingerprint, public_key=r.public_key,
                               added_at=r.added_at, added_by=r.added_by) for r in session.scalars(stmt)]
