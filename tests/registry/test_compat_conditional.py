"""Compatibility of the conditional parts of a catalogue schema (issue 13): sentinels widen when added and
narrow when removed; a required_if or standard_by rule, like every dataset rule, narrows when added."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from registry_testlib import SCHEMA, build

from govstd.registry.compat import Effect, diff_entries

DATES: dict[str, Any] = {**SCHEMA, "fields": [*SCHEMA["fields"],
                                             {"name": "yxqz", "data_type": "date", "sentinels": ["长期"]},
                                             {"name": "zjlx"}, {"name": "zjhm"}]}
REQUIRED_IF = {"kind": "required_if", "field": "yxqz", "when": {"field": "zjlx", "in": ["111"]}}
STANDARD_BY = {"kind": "standard_by", "field": "zjhm", "by": "zjlx", "cases": {"111": "GB11643@^1"}}


def _sentinels(values: list[str]) -> Callable[[dict[str, Any]], None]:
    return lambda d: next(f for f in d["fields"] if f["name"] == "yxqz").__setitem__("sentinels", values)


def _rules(rules: list[dict[str, Any]]) -> Callable[[dict[str, Any]], None]:
    return lambda d: d.__setitem__("rules", rules)


N, W = Effect.NARROWS, Effect.WIDENS


@pytest.mark.parametrize(("base", "edit", "path", "effect"), [
    (DATES, _sentinels(["长期", "长期有效"]), "fields.yxqz.sentinels", W),
    (DATES, _sentinels([]), "fields.yxqz.sentinels", N),
    (DATES, _rules([REQUIRED_IF]), "rules[required_if(yxqz)]", N),
    (DATES, _rules([STANDARD_BY]), "rules[standard_by(zjhm)]", N),
    ({**DATES, "rules": [REQUIRED_IF]}, _rules([]), "rules[required_if(yxqz)]", W),
], ids=["add a sentinel", "remove a sentinel", "add required_if", "add standard_by", "remove required_if"])
def test_conditional_changes(base: dict[str, Any], edit: Callable[[dict[str, Any]], None], path: str,
                             effect: Effect) -> None:
    changed = copy.deepcopy(base)
    edit(changed)
    changed["version"] = "1.1.0"
    diff = diff_entries(build(base), build(changed))
    assert [c.path for c in diff.changes] == [path], diff.render()
    assert diff.changes[0].effect is effect
    assert diff.changes[0].breaks_backward == (effect is N)


def test_reordered_sentinels_change_nothing_a_dataset_sees() -> None:
    base = copy.deepcopy(DATES)
    _sentinels(["长期", "长期有效"])(base)
    changed = copy.deepcopy(base)
    _sentinels(["长期有效", "长期"])(changed)
    changed["version"] = "1.0.1"
    diff = diff_entries(build(base), build(changed))
    assert [(c.path, c.effect) for c in diff.changes] == [("fields.yxqz.sentinels", Effect.NONE)]
