"""The compatibility rules, one case per rule (pure: no database).

Each case edits a copy of a realistic entry and states what the change does to the data the entry
accepts: narrows (breaks BACKWARD), widens (breaks FORWARD), both, or nothing (documentation).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from registry_testlib import CODE_SET, SCHEMA, build

from govstd.registry.compat import (
    ChangeKind,
    Compatibility,
    CompatibilityMode,
    Effect,
    diff_entries,
)
from govstd.registry.store import plan_checks
from govstd.registry.versions import Bump, Version

Edit = Callable[[dict[str, Any]], None]

ELEMENT: dict[str, Any] = {
    "kind": "data_element", "id": "TEST_DE", "version": "1.0.0", "name_zh": "测试数据元",
    "data_type": "string", "representation": {"pattern": "^[0-9]{6}$", "min_length": 6, "max_length": 6},
    "value_domain": {"algorithm": "gb11643", "options": {"allow_legacy_15": True}}, "pii": "id_number",
}
SERVICE_ITEM: dict[str, Any] = {
    "kind": "service_item", "id": "510100000001", "version": "1.0.0", "name_zh": "户口迁移", "item_type": "01",
    "implementations": [
        {"body_name": "成都市公安局", "implementation_code": "510100000001-001"},
        {"body_name": "武侯区公安分局", "implementation_code": "510100000001-002"},
    ],
}


def field(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in data["fields"] if f["name"] == name)


def set_in(*path: str, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        target = data
        for part in path[:-1]:
            target = field(target, part) if "fields" in target and part in {f["name"] for f in target["fields"]} \
                else target.setdefault(part, {})
        target[path[-1]] = value
    return edit


def drop_field(name: str) -> Edit:
    return lambda d: d.__setitem__("fields", [f for f in d["fields"] if f["name"] != name])


def add_field(spec: dict[str, Any]) -> Edit:
    return lambda d: d["fields"].append(spec)


def drop_code(code: str) -> Edit:
    return lambda d: d.__setitem__("codes", [c for c in d["codes"] if c["code"] != code])


N, W, B, D = Effect.NARROWS, Effect.WIDENS, Effect.BOTH, Effect.NONE

CASES: list[tuple[str, dict[str, Any], Edit, str, Effect]] = [
    # catalogue schema: fields
    ("remove optional field", SCHEMA, drop_field("lxdh"), "fields.lxdh", N),
    ("remove required field", SCHEMA, drop_field("xm"), "fields.xm", B),
    ("add optional field", SCHEMA, add_field({"name": "zz", "name_zh": "住址"}), "fields.zz", W),
    ("add required field", SCHEMA, add_field({"name": "zz", "required": True}), "fields.zz", B),
    ("make field required", SCHEMA, set_in("xb", "required", value=True), "fields.xb.required", N),
    ("make field optional", SCHEMA, set_in("xm", "required", value=False), "fields.xm.required", W),
    ("shorten length", SCHEMA, set_in("xm", "length", value=20), "fields.xm.length", N),
    ("lengthen length", SCHEMA, set_in("xm", "length", value=80), "fields.xm.length", W),
    ("drop length", SCHEMA, set_in("xm", "length", value=None), "fields.xm.length", W),
    ("add pattern", SCHEMA, set_in("xm", "pattern", value="^.+$"), "fields.xm.pattern", N),
    ("narrow type string→integer", SCHEMA, set_in("xb", "data_type", value="integer"), "fields.xb.data_type", N),
    ("widen type integer→string", {**SCHEMA, "fields": [*SCHEMA["fields"][:2], {"name": "xb", "data_type": "integer"}]},
     set_in("xb", "data_type", value="string"), "fields.xb.data_type", W),
    ("change type date→integer", {**SCHEMA, "fields": [*SCHEMA["fields"][:2], {"name": "xb", "data_type": "date"}]},
     set_in("xb", "data_type", value="integer"), "fields.xb.data_type", B),
    ("bind a field standard", SCHEMA, set_in("xm", "standard", value="GB11643@^1"), "fields.xm.standard", N),
    ("unbind a code set", SCHEMA, set_in("xb", "code_set", value=None), "fields.xb.code_set", W),
    ("rebind to another range", SCHEMA, set_in("gmsfhm", "standard", value="GB11643@^2"),
     "fields.gmsfhm.standard", B),
    ("raise minimum", {**SCHEMA, "fields": [*SCHEMA["fields"], {"name": "nl", "data_type": "integer", "minimum": 0}]},
     set_in("nl", "minimum", value=18), "fields.nl.minimum", N),
    ("field becomes personal data", SCHEMA, set_in("xb", "pii", value="other"), "fields.xb.pii", N),
    ("unique key loses a column", {**SCHEMA, "fields": [*SCHEMA["fields"][:2], {**SCHEMA["fields"][2], "key": True}]},
     set_in("xb", "key", value=False), "key", N),
    ("unique key gains a column", SCHEMA, set_in("xb", "key", value=True), "key", W),
    ("add a dataset rule", SCHEMA, lambda d: d.__setitem__("rules", [{"kind": "range", "field": "xm", "minimum": 1}]),
     "rules[range(xm)]", N),
    ("updates due more often", SCHEMA, set_in("update_cycle", value="daily"), "update_cycle", N),
    ("updates due less often", SCHEMA, set_in("update_cycle", value="annual"), "update_cycle", W),
    ("share unconditionally", SCHEMA, set_in("share", "share_type", value="unconditional"), "share.share_type", N),
    ("raise sensitivity", SCHEMA, set_in("sensitivity", value="core"), "sensitivity", N),
    ("open to the public", SCHEMA, set_in("open", "open_to_public", value=True), "open.open_to_public", N),
    ("field label only", SCHEMA, set_in("xm", "name_zh", value="姓名（中文）"), "fields.xm.name_zh", D),
    ("summary only", SCHEMA, set_in("summary", value="户籍人口基本信息"), "summary", D),
    ("provider renamed", SCHEMA, set_in("provider", "name", value="成都市公安局（新）"), "provider.name", D),
    # code sets
    ("remove a code", CODE_SET, drop_code("2"), "codes[2]", N),
    ("add a code", CODE_SET, lambda d: d["codes"].append({"code": "4", "label_zh": "丁"}), "codes[4]", W),
    ("abolish a code (valid_to)", CODE_SET, lambda d: d["codes"][0].__setitem__("valid_to", "2025-01-01"),
     "codes[1].valid", N),
    ("remove a code alias", {**CODE_SET, "codes": [{"code": "1", "label_zh": "甲", "aliases": ["A"]}]},
     lambda d: d["codes"][0].__setitem__("aliases", []), "codes[1].aliases", N),
    # A label is accepted data where labels are matched (match: any, the default): data writing the old label
    # fails once it is gone, and the new one fails the old version.
    ("relabel a code", CODE_SET, lambda d: d["codes"][0].__setitem__("label_zh", "甲类"), "codes[1].label_zh", B),
    ("relabel a code keeping the old label as an alias", CODE_SET,
     lambda d: d["codes"][0].update(label_zh="甲类", aliases=["甲"]), "codes[1].label_zh", W),
    ("swap a code's label and alias", {**CODE_SET, "codes": [{"code": "1", "label_zh": "甲", "aliases": ["A"]}]},
     lambda d: d["codes"][0].update(label_zh="A", aliases=["甲"]), "codes[1].label_zh", D),
    ("change a code's English label", CODE_SET, lambda d: d["codes"][0].__setitem__("label_en", "First"),
     "codes[1].label_en", D),
    # data elements
    ("change pattern", ELEMENT, set_in("representation", "pattern", value="^[0-9]{8}$"),
     "representation.pattern", B),
    ("lower max_length", ELEMENT, set_in("representation", "max_length", value=5),
     "representation.max_length", N),
    ("lower min_length", ELEMENT, set_in("representation", "min_length", value=1),
     "representation.min_length", W),
    ("switch off an allow_ option", ELEMENT, set_in("value_domain", "options", value={"allow_legacy_15": False}),
     "value_domain.options.allow_legacy_15", N),
    ("drop the algorithm", ELEMENT, set_in("value_domain", "algorithm", value=None), "value_domain.algorithm", W),
    ("no longer personal", ELEMENT, set_in("pii", value="none"), "pii", W),
    ("definition only", ELEMENT, set_in("definition_zh", value="新的说明"), "definition_zh", D),
    # service items
    ("remove an implementation code", SERVICE_ITEM, lambda d: d["implementations"].pop(),
     "implementations[510100000001-002]", N),
    ("add an implementation code", SERVICE_ITEM,
     lambda d: d["implementations"].append({"body_name": "锦江区", "implementation_code": "510100000001-003"}),
     "implementations[510100000001-003]", W),
    ("change item type", SERVICE_ITEM, set_in("item_type", value="20"), "item_type", B),
]


@pytest.mark.parametrize(("base", "edit", "path", "effect"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule(base: dict[str, Any], edit: Edit, path: str, effect: Effect) -> None:
    changed = copy.deepcopy(base)
    edit(changed)
    changed["version"] = "1.1.0"
    diff = diff_entries(build(base), build(changed))
    assert [c.path for c in diff.changes] == [path], diff.render()
    change = diff.changes[0]
    assert change.effect is effect, change
    assert change.breaks_backward == (effect in (N, B))
    assert change.breaks_forward == (effect in (W, B))
    assert change.breaking == change.breaks_backward  # default mode BACKWARD
    assert change.reason


def test_reasons_name_the_field_and_both_versions() -> None:
    old = build(SCHEMA)
    new = build(SCHEMA, "1.1.0", fields=[f for f in SCHEMA["fields"] if f["name"] != "lxdh"])
    change = diff_entries(old, new).changes[0]
    assert change.kind is ChangeKind.REMOVED
    assert "lxdh" in change.reason and "510100-00001@1.0.0" in change.reason and "@1.1.0" in change.reason


@pytest.mark.parametrize(
    ("mode", "narrowing_ok", "widening_ok"),
    [
        (CompatibilityMode.BACKWARD, False, True),
        (CompatibilityMode.BACKWARD_TRANSITIVE, False, True),
        (CompatibilityMode.FORWARD, True, False),
        (CompatibilityMode.FULL, False, False),
        (CompatibilityMode.FULL_TRANSITIVE, False, False),
        (CompatibilityMode.NONE, True, True),
    ],
)
def test_modes_judge_directions(mode: CompatibilityMode, narrowing_ok: bool, widening_ok: bool) -> None:
    base = build(CODE_SET)
    narrower = build(CODE_SET, "1.1.0", codes=CODE_SET["codes"][:2])
    wider = build(CODE_SET, "1.1.0", codes=[*CODE_SET["codes"], {"code": "9", "label_zh": "其他"}])
    assert diff_entries(base, narrower, mode=mode).compatible is narrowing_ok
    assert diff_entries(base, wider, mode=mode).compatible is widening_ok


def test_verdict_and_suggested_bump() -> None:
    base = build(CODE_SET)
    same = diff_entries(base, build(CODE_SET, "1.0.1"))
    assert (same.compatibility, same.suggested_bump, same.changes) == (Compatibility.FULL, Bump.NONE, [])
    doc = diff_entries(base, build(CODE_SET, "1.0.1", name_en="Test codes"))
    assert (doc.compatibility, doc.suggested_bump) == (Compatibility.FULL, Bump.PATCH)
    wider = diff_entries(base, build(CODE_SET, "1.1.0", codes=[*CODE_SET["codes"], {"code": "9", "label_zh": "x"}]))
    assert (wider.compatibility, wider.suggested_bump) == (Compatibility.BACKWARD, Bump.MINOR)
    narrower = diff_entries(base, build(CODE_SET, "2.0.0", codes=CODE_SET["codes"][:1]))
    assert (narrower.compatibility, narrower.suggested_bump) == (Compatibility.FORWARD, Bump.MAJOR)
    both = diff_entries(base, build(CODE_SET, "2.0.0", codes=[{"code": "X", "label_zh": "x"}]))
    assert both.compatibility is Compatibility.NONE
    # Under FORWARD a widening change is the breaking one.
    fwd = diff_entries(base, build(CODE_SET, "1.1.0", codes=[*CODE_SET["codes"], {"code": "9", "label_zh": "x"}]),
                       mode=CompatibilityMode.FORWARD)
    assert fwd.suggested_bump is Bump.MAJOR and not fwd.compatible


def test_status_is_not_content() -> None:
    diff = diff_entries(build(CODE_SET), build(CODE_SET, status="retired"))
    assert diff.changes == []


def test_code_history_rows_compare_by_validity() -> None:
    base = {**CODE_SET, "codes": [
        {"code": "110103", "label_zh": "崇文区", "valid_from": "1981-01-01", "valid_to": "2010-01-01"},
        {"code": "110103", "label_zh": "崇文区", "valid_from": "2012-01-01"},
    ]}
    extended = copy.deepcopy(base)
    extended["codes"][0]["valid_to"] = "2012-01-01"  # closes the gap: more dates valid
    diff = diff_entries(build(base), build(extended, "1.1.0"))
    assert [(c.path, c.effect) for c in diff.changes] == [("codes[110103].valid", Effect.WIDENS)]


def test_diff_renders_for_people_and_machines() -> None:
    diff = diff_entries(build(SCHEMA), build(SCHEMA, "2.0.0", fields=SCHEMA["fields"][:2]))
    text = diff.render()
    assert "BREAKING fields.xb" in text and "suggested bump: major" in text
    data = diff.model_dump(mode="json")
    assert data["compatible"] is False and data["changes"][0]["breaks_backward"] is True


def vs(*texts: str) -> list[Version]:
    return [Version.parse(t) for t in texts]


@pytest.mark.parametrize(
    ("new", "existing", "mode", "pairs", "base"),
    [
        ("1.1.0", ["1.0.0"], "BACKWARD", [("1.0.0", "1.1.0")], None),
        ("1.2.0", ["1.0.0", "1.1.0"], "BACKWARD", [("1.1.0", "1.2.0")], None),
        ("1.2.0", ["1.0.0", "1.1.0"], "BACKWARD_TRANSITIVE", [("1.0.0", "1.2.0"), ("1.1.0", "1.2.0")], None),
        ("1.1.0", ["1.0.0", "1.2.0"], "BACKWARD", [("1.0.0", "1.1.0"), ("1.1.0", "1.2.0")], None),
        ("2.0.0", ["1.0.0", "1.3.0"], "BACKWARD", [], "1.3.0"),    # a new line: confirm against 1.3.0
        ("0.3.0", ["0.2.0"], "BACKWARD", [], "0.2.0"),              # 0.x: the minor is the line
        ("1.1.0", ["1.0.0"], "NONE", [], None),
        ("1.1.0-rc.1", ["1.0.0"], "BACKWARD", [], None),            # pre-releases are drafts
        ("1.2.0", ["1.0.0", "1.1.0-rc.1"], "BACKWARD", [("1.0.0", "1.2.0")], None),
        ("1.0.0", [], "FULL", [], None),
    ],
)
def test_plan_checks(new: str, existing: list[str], mode: str, pairs: list[tuple[str, str]],
                     base: str | None) -> None:
    got_pairs, got_base = plan_checks(Version.parse(new), vs(*existing), CompatibilityMode(mode))
    assert [(str(a), str(b)) for a, b in got_pairs] == pairs
    assert (str(got_base) if got_base else None) == base


def _with_match(match: str | None) -> dict[str, Any]:
    data = copy.deepcopy(SCHEMA)
    if match is not None:
        set_in("xb", "options", "match", value=match)(data)
    return data


@pytest.mark.parametrize(("old", "new", "effect"), [
    ("code", "any", W),   # accepts labels too: yesterday's data still passes — BACKWARD-compatible
    ("code", None, W),    # unset is the default, any
    ("label", "any", W),
    ("any", "code", N),   # codes only: a label accepted yesterday now fails
    (None, "code", N),
    ("code", "label", B),
    (None, "any", D),
])
def test_widening_a_code_set_match_is_not_breaking(old: str | None, new: str | None, effect: Effect) -> None:
    diff = diff_entries(build(_with_match(old)), build(_with_match(new), "1.1.0"))
    (change,) = diff.changes
    assert change.path == "fields.xb.options.match" and change.effect is effect, diff.render()
    assert change.breaking == (effect in (N, B))
