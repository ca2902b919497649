"""The Registry API on a real database — every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from registry_testlib import CODE_SET, SCHEMA, build, codes

from govstd.errors import ConflictError, InputError, NotFoundError
from govstd.registry import signing
from govstd.registry.compat import CompatibilityMode
from govstd.registry.store import (
    CompatibilityError,
    ImmutableVersionError,
    PublishAction,
    Registry,
)
from govstd.registry.versions import ResolutionWarning
from govstd.standards import library
from govstd.standards.models import AnyEntry, EntryKind, RegistrationStatus

Make = Callable[..., AnyEntry]


def test_init_loads_the_national_library_idempotently(registry: Registry) -> None:
    outcomes = registry.init(actor="steward")
    assert {o.id for o in outcomes} == {e.id for e in library.builtin_entries()}
    assert all(o.action is PublishAction.PUBLISHED for o in outcomes)
    regions = registry.resolve("GB/T 2260")
    assert regions.kind is EntryKind.CODE_SET and len(regions.codes) > 6000  # type: ignore[union-attr]
    assert registry.resolve("GBT2260") == library.find("GBT2260")  # stored and read back unchanged
    again = registry.init(actor="steward")
    assert {o.action for o in again} == {PublishAction.UNCHANGED}
    assert len(registry.audit_log()) == len(outcomes)  # no-ops are not events


def test_identical_content_is_a_noop_and_different_content_is_refused_with_a_diff(
    registry: Registry, code_set: Make
) -> None:
    registry.publish([code_set()], actor="a")
    again = registry.publish([code_set()], actor="b")
    assert again[0].action is PublishAction.UNCHANGED
    with pytest.raises(ImmutableVersionError) as caught:
        registry.publish([code_set(codes=codes("1", "2"))], actor="b")
    err = caught.value
    assert isinstance(err, ConflictError) and err.exit_code == 2
    assert "TEST_CS@1.0.0 is already published" in err.message and "by a" in err.message
    assert "codes[3]" in err.message  # the readable diff
    assert [c.path for c in err.diff.changes] == ["codes[3]"]
    assert "2.0.0" in (err.hint or "")  # removing a code needs a major version
    assert registry.get("TEST_CS", "1.0.0") == code_set()
    assert len(registry.history("TEST_CS")) == 1


def test_republishing_with_another_status_is_a_noop_with_a_note(registry: Registry, code_set: Make) -> None:
    registry.publish([code_set()])
    registry.set_status("TEST_CS@1.0.0", "retired", actor="a", message="gone")
    outcome = registry.publish([code_set()])[0]
    assert outcome.action is PublishAction.UNCHANGED and outcome.status is RegistrationStatus.RETIRED
    assert "retired" in (outcome.note or "")


def test_breaking_change_within_a_major_is_refused_even_with_allow_breaking(
    registry: Registry, code_set: Make
) -> None:
    registry.publish([code_set()])
    for allow in (False, True):
        with pytest.raises(CompatibilityError) as caught:
            registry.publish([code_set("1.1.0", codes=codes("1", "3"))], allow_breaking=allow)
        err = caught.value
        assert "TEST_CS@1.1.0 breaks BACKWARD compatibility with TEST_CS@1.0.0" in err.message
        assert "codes[2]" in err.message and "removed" in err.message
        assert err.suggested_version == "2.0.0" and "publish it as 2.0.0" in (err.hint or "")
        assert not err.new_line
        assert err.to_dict()["error"] == "incompatible"
    assert [v.version for v in registry.versions("TEST_CS")] == ["1.0.0"]


def test_new_major_may_break_when_confirmed_and_the_acknowledgement_is_audited(
    registry: Registry, code_set: Make
) -> None:
    registry.publish([code_set()])
    with pytest.raises(CompatibilityError) as caught:
        registry.publish([code_set("2.0.0", codes=codes("1", "3"))])
    assert caught.value.new_line and "--allow-breaking" in (caught.value.hint or "")
    outcome = registry.publish([code_set("2.0.0", codes=codes("1", "3"))], allow_breaking=True, message="v2")[0]
    assert outcome.action is PublishAction.PUBLISHED and outcome.previous == "TEST_CS@1.0.0"
    assert [c.path for c in outcome.breaking_acknowledged] == ["codes[2]"]
    event = registry.history("TEST_CS")[-1]
    assert event.details["breaking_acknowledged"] and event.details["previous"] == "TEST_CS@1.0.0"


def test_compatible_changes_publish_in_the_same_major(registry: Registry, code_set: Make) -> None:
    registry.publish([code_set()])
    wider = registry.publish([code_set("1.1.0", codes=codes("1", "2", "3", "4"))])[0]
    assert (wider.action, wider.previous, wider.suggested_bump) == (PublishAction.PUBLISHED, "TEST_CS@1.0.0", "minor")
    doc = registry.publish([code_set("1.1.1", codes=codes("1", "2", "3", "4"), name_en="Test")])[0]
    assert doc.suggested_bump == "patch"


def test_a_version_between_two_must_fit_both_neighbours(registry: Registry, code_set: Make) -> None:
    registry.publish([code_set(), code_set("1.2.0", codes=codes("1", "2", "3", "4"))])
    with pytest.raises(CompatibilityError) as caught:  # widening 1.0.0 is fine, but 1.2.0 would narrow it
        registry.publish([code_set("1.1.0", codes=codes("1", "2", "3", "4", "5"))])
    assert "with TEST_CS@1.2.0" in caught.value.message and "codes[5]" in caught.value.message


def test_forward_full_none_modes(registry: Registry, code_set: Make) -> None:
    registry.publish([code_set()])
    registry.set_compatibility("test_cs", "forward", actor="a", message="consumers upgrade last")
    assert registry.compatibility("TEST_CS") is CompatibilityMode.FORWARD
    with pytest.raises(CompatibilityError, match="breaks FORWARD"):
        registry.publish([code_set("1.1.0", codes=codes("1", "2", "3", "4"))])
    registry.publish([code_set("1.1.0", codes=codes("1", "2"))])  # narrowing is forward compatible
    registry.set_compatibility("TEST_CS", CompatibilityMode.FULL)
    with pytest.raises(CompatibilityError, match="breaks FULL"):
        registry.publish([code_set("1.2.0", codes=codes("1"))])
    registry.publish([code_set("1.2.0", codes=codes("1", "2"), definition_zh="仅文字修改")])
    registry.set_compatibility("TEST_CS", "NONE")
    registry.publish([code_set("1.3.0", codes=codes("9"))])
    assert [e.action for e in registry.history("TEST_CS")].count("compatibility") == 3


def test_transitive_mode_checks_every_earlier_version_of_the_line(registry: Registry, code_set: Make) -> None:
    registry.publish([code_set()])
    registry.set_compatibility("TEST_CS", "NONE")
    registry.publish([code_set("1.1.0", codes=codes("1", "2"))])  # drops 3 while nobody checks
    registry.set_compatibility("TEST_CS", "BACKWARD")
    registry.publish([code_set("1.2.0", codes=codes("1", "2", "4"))])  # fine against 1.1.0
    registry.set_compatibility("TEST_CS", "BACKWARD_TRANSITIVE")
    with pytest.raises(CompatibilityError) as caught:
        registry.publish([code_set("1.3.0", codes=codes("1", "2", "4", "5"))])
    assert "with TEST_CS@1.0.0" in caught.value.message and "codes[3]" in caught.value.message


def test_zero_major_lines_and_prereleases(registry: Registry, code_set: Make) -> None:
    registry.publish([code_set("0.1.0")])
    with pytest.raises(CompatibilityError) as caught:
        registry.publish([code_set("0.1.1", codes=codes("1"))])
    assert caught.value.suggested_version == "0.2.0"
    registry.publish([code_set("0.2.0", codes=codes("1"))], allow_breaking=True)
    registry.publish([code_set("0.2.1-rc.1", codes=codes("9"))])  # drafts are not checked
    with pytest.raises(CompatibilityError):
        registry.publish([code_set("0.2.1", codes=codes("9"))])


def test_resolution_semantics(registry: Registry, code_set: Make) -> None:
    s = RegistrationStatus
    registry.publish([
        code_set("1.0.0"),
        code_set("1.1.0", codes=codes("1", "2", "3", "4")),
        code_set("1.2.0", codes=codes("1", "2", "3", "4", "5")),
        code_set("1.3.0", status="candidate", codes=codes("1", "2", "3", "4", "5", "6")),
    ])
    registry.publish([code_set("2.0.0", status="candidate", codes=codes("1"))], allow_breaking=True)

    def resolved(ref: str, candidates: bool = False) -> str:
        return registry.resolve(ref, include_candidates=candidates).version

    assert resolved("TEST_CS") == resolved("test_cs@latest") == resolved("Test-Codes") == "1.2.0"
    assert resolved("TEST_CS", candidates=True) == "2.0.0"
    assert resolved("TEST_CS@^1") == "1.2.0" and resolved("TEST_CS@^1", candidates=True) == "1.3.0"
    assert resolved("TEST_CS@~1.1") == resolved("TEST_CS@1.1") == resolved("TEST_CS@>=1.0,<1.2") == "1.1.0"
    with pytest.warns(ResolutionWarning, match="TEST_CS@\\^2 resolved to 2.0.0, a candidate"):
        assert resolved("TEST_CS@^2") == "2.0.0"  # no standard in range: the candidate, with a warning
    assert registry.lookup("TEST_CS@^2", include_candidates=True).warning is None  # asked for: no warning
    with pytest.raises(NotFoundError, match="no version of TEST_CS matches 'TEST_CS@\\^3'") as caught:
        resolved("TEST_CS@^3")
    assert "1.3.0 (candidate), 2.0.0 (candidate)" in (caught.value.hint or "")

    registry.set_status("TEST_CS@1.1.0", s.SUPERSEDED, actor="a", message="replaced by 1.2.0")
    registry.set_status("TEST_CS@1.2.0", s.RETIRED, actor="a", message="withdrawn")
    assert resolved("TEST_CS") == "1.0.0"           # latest: standard only
    with pytest.warns(ResolutionWarning, match="resolved to 1.1.0, which is superseded"):
        assert resolved("TEST_CS@~1.1") == "1.1.0"  # a range may land on superseded, with a warning
    assert resolved("TEST_CS@^1") == "1.0.0"        # ... but only when no standard is in range
    with pytest.warns(ResolutionWarning, match="TEST_CS@1.2.0 is retired"):
        assert resolved("TEST_CS@1.2.0") == "1.2.0"  # an exact pin resolves whatever the status
    assert registry.lookup("TEST_CS@1.2.0").entry.status is s.RETIRED
    with pytest.warns(ResolutionWarning, match="resolved to 1.3.0, a candidate"):
        assert resolved("TEST_CS@^1.2") == "1.3.0"  # never a retired version by range
    registry.set_status("TEST_CS@1.0.0", s.PREFERRED_STANDARD, actor="a", message="preferred")
    assert resolved("TEST_CS") == "1.0.0"
    with pytest.raises(NotFoundError, match="not a data element"):
        registry.resolve("TEST_CS", kind=EntryKind.DATA_ELEMENT)


def test_unknown_names_suggest_close_matches(registry: Registry) -> None:
    registry.init()
    with pytest.raises(NotFoundError) as caught:
        registry.resolve("GB1164")
    assert "GB11643" in caught.value.suggestions
    assert "did you mean" in str(caught.value)
    with pytest.raises(NotFoundError) as caught:
        registry.resolve("GB11643@9.0.0")
    assert "1.0.0 (standard)" in (caught.value.hint or "")


def test_references_must_resolve_at_publish(registry: Registry, schema: Make) -> None:
    with pytest.raises(NotFoundError, match="registry init"):  # an empty registry: say what to do
        registry.publish([schema()])
    registry.init()
    bad = dict(SCHEMA)
    bad["fields"] = [*SCHEMA["fields"][:3], {"name": "lxdh", "standard": "mobile_phon@^1"}]
    with pytest.raises(NotFoundError) as caught:
        registry.publish([build(bad)])
    err = caught.value
    assert "fields.lxdh.standard" in err.message and "mobile_phone" in err.suggestions
    with pytest.raises(NotFoundError, match="no version of GB11643 matches"):
        registry.publish([schema(fields=[{"name": "id", "standard": "GB11643@^7"}])])
    with pytest.raises(NotFoundError, match="unknown data element"):
        registry.publish([schema(fields=[{"name": "xb", "standard": "GBT2261.1@^1"}])])  # a code set
    assert registry.publish([schema()])[0].action is PublishAction.PUBLISHED


def test_references_may_point_into_the_same_publish(registry: Registry) -> None:
    element = build({"kind": "data_element", "id": "A_DE", "version": "1.0.0", "name_zh": "甲",
                     "value_domain": {"code_set": "z-codes@^1"}})
    codes_ = build({**CODE_SET, "id": "Z_CS", "aliases": ["z-codes"]})
    assert [o.id for o in registry.publish([element, codes_])] == ["A_DE", "Z_CS"]
    with pytest.raises(NotFoundError, match="no version of Z_CS matches"):
        registry.publish([build({"kind": "data_element", "id": "B_DE", "version": "1.0.0", "name_zh": "乙",
                                 "value_domain": {"code_set": "Z_CS@^2"}})])


def test_a_batch_is_one_transaction(registry: Registry, code_set: Make) -> None:
    registry.publish([code_set()])
    other = build({**CODE_SET, "id": "OTHER_CS", "aliases": []})
    with pytest.raises(CompatibilityError):
        registry.publish([other, code_set("1.1.0", codes=codes("1"))])
    with pytest.raises(NotFoundError):
        registry.resolve("OTHER_CS")
    with pytest.raises(InputError, match="appears twice"):
        registry.publish([code_set("1.5.0"), code_set("1.5.0", name_en="x")])
    outcomes = registry.publish([other, code_set("1.1.0")], dry_run=True)
    assert all(o.dry_run for o in outcomes)
    with pytest.raises(NotFoundError):
        registry.resolve("OTHER_CS")


def test_names_are_case_insensitive_and_unique(registry: Registry, code_set: Make) -> None:
    registry.publish([code_set()])
    outcome = registry.publish([code_set("1.1.0", id="test_cs")])[0]
    assert outcome.id == "TEST_CS" and "registered spelling" in (outcome.note or "")
    with pytest.raises(ConflictError, match="already belongs to TEST_CS"):
        registry.publish([build({**CODE_SET, "id": "OTHER_CS", "aliases": ["TEST-CODES"]})])
    with pytest.raises(ConflictError, match="already a name of TEST_CS"):
        registry.publish([build({**CODE_SET, "id": "test-codes", "aliases": []})])
    with pytest.raises(ConflictError, match="registered as a code set"):
        registry.publish([build({"kind": "data_element", "id": "TEST_CS", "version": "9.0.0", "name_zh": "x"})])


def test_status_lifecycle_and_audit(registry: Registry, code_set: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    from govstd.registry.lifecycle import TransitionError

    registry.publish([code_set(status="candidate")], actor="alice", message="draft")
    monkeypatch.setenv("GOVSTD_ACTOR", "bob")
    for status in ("recorded", "qualified", "standard"):
        info = registry.set_status("TEST_CS@1.0.0", status, message=f"to {status}")
        assert info.status_changed_by == "bob"
    with pytest.raises(TransitionError, match="cannot move to candidate"):
        registry.set_status("TEST_CS@1.0.0", "candidate", message="back?")
    with pytest.raises(InputError, match="message"):
        registry.set_status("TEST_CS@1.0.0", "retired", message=" ")
    with pytest.raises(InputError, match="exact version"):
        registry.set_status("TEST_CS@^1", "retired", message="x")
    registry.set_status("TEST_CS@1.0.0", "已废止", actor="carol", message="replaced")
    with pytest.raises(TransitionError, match="retired is final"):
        registry.set_status("TEST_CS@1.0.0", "standard", message="undo")
    with pytest.raises(TransitionError, match="cannot publish with status"):
        registry.publish([code_set("1.1.0", status="superseded")])
    events = registry.history("test-codes")
    assert [(e.action, e.actor, e.message) for e in events] == [
        ("publish", "alice", "draft"),
        ("status", "bob", "to recorded"),
        ("status", "bob", "to qualified"),
        ("status", "bob", "to standard"),
        ("status", "carol", "replaced"),
    ]
    assert events[-1].details == {"from": "standard", "to": "retired"}
    assert all(e.at.tzinfo is not None for e in events)
    assert events == sorted(events, key=lambda e: e.at)


def test_audit_log_and_published_content_are_protected_by_the_database(registry: Registry, code_set: Make) -> None:
    from sqlalchemy import text

    registry.publish([code_set()])
    statements = [
        "UPDATE audit_log SET actor = 'mallory'",
        "DELETE FROM audit_log",
        "UPDATE entry_versions SET content = '{}'",
        "DELETE FROM entry_versions",
        "UPDATE entry_versions SET origin = 'elsewhere'",
        # The status may change, but only with its audit event (test_registry_triggers.py).
        "UPDATE entry_versions SET status = 'retired'",
    ]
    for statement in statements:
        with pytest.raises(Exception, match=r"append-only|immutable|audit event"), registry.engine.begin() as conn:
            conn.execute(text(statement))
    assert registry.lookup("TEST_CS@1.0.0").entry.status is RegistrationStatus.STANDARD
    assert len(registry.audit_log()) == 1


def test_listing_and_entries(registry: Registry, code_set: Make) -> None:
    registry.init()
    registry.publish([code_set(), code_set("1.1.0", status="candidate", codes=codes("1", "2", "3", "4"))])
    summaries = {s.id: s for s in registry.list()}
    assert summaries["TEST_CS"].versions == ["1.0.0", "1.1.0"] and summaries["TEST_CS"].latest == "1.0.0"
    assert summaries["GBT39554.1"].latest == "1.0.0" and summaries["GBT39554.1"].status is RegistrationStatus.CANDIDATE
    assert {s.kind for s in registry.list(EntryKind.CODE_SET)} == {EntryKind.CODE_SET}
    everything = registry.entries(EntryKind.CODE_SET)
    assert sum(e.id == "TEST_CS" for e in everything) == 2
    current = registry.entries(EntryKind.CODE_SET, all_versions=False)
    assert [e.version for e in current if e.id == "TEST_CS"] == ["1.0.0"]
    assert [v.version for v in registry.versions("TEST_CS")] == ["1.0.0", "1.1.0"]
    assert len(registry.versions("TEST_CS")[0].content_hash) == 64


def test_service_item_codes(registry: Registry) -> None:
    item = {
        "kind": "service_item", "id": "511A09001023", "version": "1.0.0", "name_zh": "户口迁移", "item_type": "01",
        "implementations": [{"body_name": "成都市公安局", "implementation_code": "511A09001023-510100-001"}],
    }
    registry.publish([build(item)])
    registry.publish([build({**item, "version": "2.0.0", "implementations": [
        {"body_name": "成都市公安局", "implementation_code": "511A09001023-510100-002"}]})], allow_breaking=True)
    assert registry.service_item_codes() == {
        "511A09001023", "511A09001023-510100-001", "511A09001023-510100-002"}
    registry.set_status("511A09001023@1.0.0", "retired", message="old implementation")
    assert "511A09001023-510100-001" not in registry.service_item_codes()
    assert "511A09001023-510100-001" in registry.service_item_codes(include_retired=True)


def test_export_import_round_trip(registry: Registry, code_set: Make, tmp_path: Path) -> None:
    registry.publish([code_set(), code_set("1.1.0", codes=codes("1", "2", "3", "4"))], actor="a", message="m")
    registry.set_status("TEST_CS@1.0.0", "superseded", actor="b", message="by 1.1.0")
    registry.set_compatibility("TEST_CS", "FULL")
    public_path, fingerprint = signing.generate_key(tmp_path / "k")
    dump = registry.export(signing_key=signing.read_private_key(tmp_path / "k"))
    trusted = [signing.read_public_key(public_path)]
    with Registry(f"sqlite:///{tmp_path}/copy.sqlite", create=True) as copy:
        report = copy.import_(dump, actor="importer", trusted_keys=trusted)
        assert (report.versions_added, report.subjects_added) == (2, 1)
        copied = copy.export()["subjects"]
        origins = {v.pop("origin") for s in copied for v in s["versions"]}
        assert len(origins) == 1 and f"signed by SM2 key {fingerprint}" in origins.pop()
        assert copied == [{**s, "versions": [{k: x for k, x in v.items() if k != "origin"} for v in s["versions"]]}
                          for s in dump["subjects"]]
        assert [e.action for e in copy.audit_log()] == [e.action for e in registry.audit_log()] + ["import"]
        again = copy.import_(dump, trusted_keys=trusted)
        assert (again.versions_added, again.versions_unchanged, again.audit_events_added) == (0, 2, 0)
        assert copy.compatibility("TEST_CS") is CompatibilityMode.FULL
    tampered = registry.export()
    tampered["subjects"][0]["versions"][0]["entry"]["name_zh"] = "篡改"
    with Registry(f"sqlite:///{tmp_path}/other.sqlite", create=True) as other:
        with pytest.raises(InputError, match="content_hash"):
            other.import_(tampered, allow_unsigned=True)
        with pytest.raises(InputError, match="not a govstd registry export"):
            other.import_({"subjects": []})
        assert other.list() == []


def test_registry_unreachable_is_a_clear_error() -> None:
    from govstd.registry.store import RegistryUnavailableError

    with pytest.raises(RegistryUnavailableError, match="cannot open registry") as caught:
        Registry("postgresql://nobody:secret@127.0.0.1:1/none")
    assert "secret" not in str(caught.value)
