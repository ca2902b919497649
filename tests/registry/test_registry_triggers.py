"""The database itself keeps the lifecycle honest: a status change made in raw SQL, without its audit
event, is refused on SQLite and PostgreSQL; the store's own status changes still go through."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from registry_testlib import CODE_SET, build
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from govstd.registry.store import Registry
from govstd.standards.models import RegistrationStatus


def _published(registry: Registry) -> None:
    registry.publish([build(CODE_SET)], actor="steward")


def _raw(registry: Registry, *statements: str, **params: object) -> None:
    with registry.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


def test_a_raw_status_update_is_refused(registry: Registry) -> None:
    _published(registry)
    with pytest.raises(DBAPIError, match="status change needs its audit event"):
        _raw(registry, "UPDATE entry_versions SET status = 'retired'")
    with pytest.raises(DBAPIError, match="status change needs its audit event"):
        _raw(registry, "UPDATE entry_versions SET status = 'retired', status_changed_at = :at,"
                       " status_changed_by = 'mallory'", at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    assert [v.status for v in registry.versions("TEST_CS")] == [RegistrationStatus.STANDARD]


def test_an_old_audit_event_cannot_be_replayed(registry: Registry) -> None:
    _published(registry)
    registry.set_status("TEST_CS@1.0.0", "superseded", actor="alice", message="replaced")
    registry.set_status("TEST_CS@1.0.0", "retired", actor="bob", message="withdrawn")
    # Back to 'superseded' by pointing at alice's real event: refused, it is not later than the last change.
    with pytest.raises(DBAPIError, match="status change needs its audit event"):
        _raw(registry, "UPDATE entry_versions SET status = 'superseded', status_changed_by = 'alice',"
                       " status_changed_at = (SELECT at FROM audit_log WHERE actor = 'alice' AND action = 'status')")
    assert registry.versions("TEST_CS")[0].status is RegistrationStatus.RETIRED


def test_the_stores_status_changes_pass_and_are_audited(registry: Registry) -> None:
    _published(registry)
    info = registry.set_status("TEST_CS@1.0.0", "superseded", actor="alice", message="replaced")
    assert info.status is RegistrationStatus.SUPERSEDED and info.status_changed_by == "alice"
    events = [e for e in registry.history("TEST_CS") if e.action.value == "status"]
    assert [(e.actor, e.details, e.at) for e in events] == [
        ("alice", {"from": "standard", "to": "superseded"}, info.status_changed_at)
    ]


def test_a_change_recorded_in_the_audit_log_is_accepted(registry: Registry) -> None:
    """What the trigger promises: no change without its event. A hand-written change that appends the
    event is visible in history, which is the point."""
    _published(registry)
    _raw(registry,
         "INSERT INTO audit_log (at, actor, action, subject, subject_key, version, message, details)"
         " SELECT status_changed_at, 'dba', 'status', 'TEST_CS', 'test_cs', '1.0.0', 'by hand', :details"
         " FROM (SELECT MAX(at) AS status_changed_at FROM audit_log) AS latest",
         "UPDATE entry_versions SET status = 'superseded', status_changed_by = 'dba',"
         " status_changed_at = (SELECT at FROM audit_log WHERE actor = 'dba')",
         details=json.dumps({"from": "standard", "to": "superseded"}))
    assert registry.versions("TEST_CS")[0].status is RegistrationStatus.SUPERSEDED
    assert [e.actor for e in registry.history("TEST_CS")][-1] == "dba"
