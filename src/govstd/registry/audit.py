"""The audit log: who did what to which standard, when, and why.

Every write (publish, status change, compatibility change, import, an API token created or revoked)
appends one event inside the same
transaction as the write, so there is never a change without its event nor an event without its
change. Rows are never updated or deleted — database triggers refuse it (see the first migration).
Who: ``--actor``, else the ``GOVSTD_ACTOR`` environment variable, else the operating-system user.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from govstd.registry.tables import AuditRow

ACTOR_ENV = "GOVSTD_ACTOR"


class AuditAction(StrEnum):
    PUBLISH = "publish"
    STATUS = "status"
    COMPATIBILITY = "compatibility"
    IMPORT = "import"
    #: The registry service's API tokens (``tokens.py``): who created or revoked which department's token
    #: with which role — never the token itself, which the registry does not even keep.
    TOKEN_CREATE = "token_create"
    TOKEN_REVOKE = "token_revoke"


class AuditEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: dt.datetime
    actor: str
    action: AuditAction
    id: str | None = Field(None, description="The standard's id, as registered.")
    version: str | None = None
    message: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    origin: str | None = Field(None, description="None: it happened here; else the import it was copied in by.")


def resolve_actor(actor: str | None = None) -> str:
    """``actor`` if given, else GOVSTD_ACTOR, else the OS user (``unknown`` when even that fails)."""
    for candidate in (actor, os.environ.get(ACTOR_ENV)):
        if candidate and candidate.strip():
            return candidate.strip()
    try:
        return getpass.getuser()
    except Exception:  # getuser raises several types when no user name can be found
        return "unknown"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def make_row(
    *,
    actor: str,
    action: AuditAction,
    subject: str | None,
    subject_key: str | None,
    version: str | None = None,
    message: str | None = None,
    details: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> AuditRow:
    return AuditRow(
        at=at or now(),
        actor=actor,
        action=action.value,
        subject=subject,
        subject_key=subject_key,
        version=version,
        message=message,
        details=json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str),
    )


def to_event(row: AuditRow) -> AuditEvent:
    return AuditEvent(
        at=row.at,
        actor=row.actor,
        action=AuditAction(row.action),
        id=row.subject,
        version=row.version,
        message=row.message,
        details=json.loads(row.details or "{}"),
        origin=row.origin,
    )
