"""How two versions of a standard are compared: one ``_Differ`` method per rule in ``docs/registry.md``.

Each method classifies a difference by what it does to the set of accepted data (see ``compat.py``)."""


from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Any

from govstd.registry.changes import (
    DEFAULT_MODE,
    Change,
    ChangeKind,
    CompatibilityMode,
    Diff,
    Effect,
    breaks,
    suggest_bump,
    verdict,
)
from govstd.standards.models import AnyEntry, DataType, EntryKind, SensitivityLevel, ShareType, UpdateCycle
from govstd.standards.owner import mask_phone


def diff_entries(
    old: AnyEntry,
    new: AnyEntry,
    *,
    mode: CompatibilityMode = DEFAULT_MODE,
    old_ref: str | None = None,
    new_ref: str | None = None,
) -> Diff:
    """Classify every difference between two entries (status is lifecycle, not content: ignored)."""
    old_ref = old_ref or old.ref
    new_ref = new_ref or new.ref
    differ = _Differ(old_ref, new_ref)
    a = old.model_dump(mode="json", exclude={"status"})
    b = new.model_dump(mode="json", exclude={"status"})
    if old.kind != new.kind:
        differ.add("kind", ChangeKind.CHANGED, old.kind.value, new.kind.value, Effect.BOTH,
                   "a different kind of standard")
    else:
        differ.entry(a, b, _HANDLERS[old.kind])
    changes = [c.model_copy(update={"breaking": breaks(c, mode)}) for c in differ.changes]
    return Diff(
        old=old_ref,
        new=new_ref,
        kind=new.kind,
        mode=mode,
        compatibility=verdict(changes),
        compatible=not any(c.breaking for c in changes),
        suggested_bump=suggest_bump(changes, mode),
        changes=changes,
    )


Handler = Callable[["_Differ", str, Any, Any], None]

#: Keys that never take part in the comparison: identity (compared by the registry) and lifecycle.
_SKIP = frozenset({"id", "version", "kind", "status"})
#: Documentation: what a person reads, never what a validator checks.
_DOC_KEYS = frozenset(
    {
        "name_zh", "name_en", "aliases", "definition_zh", "definition_en", "registration_authority",
        "submitting_organisation", "reference", "tags", "masking", "examples", "codes_file", "provenance",
        "catalogue_class", "classification", "provider", "summary", "format", "publish_date",
        "related_resources", "quality", "item_version", "legal_basis", "department", "description", "owner",
    }
)

_TYPE_WIDER: dict[str, frozenset[str]] = {
    # Values of the left type are all valid values of the right ones (data is read as text).
    DataType.INTEGER.value: frozenset({DataType.DECIMAL.value, DataType.STRING.value}),
    DataType.DECIMAL.value: frozenset({DataType.STRING.value}),
    DataType.BOOLEAN.value: frozenset({DataType.STRING.value}),
    DataType.DATE.value: frozenset({DataType.STRING.value}),
    DataType.DATETIME.value: frozenset({DataType.STRING.value}),
}
_SENSITIVITY_ORDER = [s.value for s in SensitivityLevel]


class _Differ:
    """Collects classified changes. ``o``/``n`` in messages are the two refs, so a reason reads
    'data valid under X@1.0.0 may fail X@1.1.0'."""

    def __init__(self, old_ref: str, new_ref: str) -> None:
        self.o, self.n = old_ref, new_ref
        self.changes: list[Change] = []

    def add(self, path: str, kind: ChangeKind, old: Any, new: Any, effect: Effect, reason: str) -> None:
        self.changes.append(
            Change(
                path=path, kind=kind, old=old, new=new, effect=effect,
                breaks_backward=effect in (Effect.NARROWS, Effect.BOTH),
                breaks_forward=effect in (Effect.WIDENS, Effect.BOTH),
                reason=reason,
            )
        )

    # ----------------------------------------------------------------- generic walk

    def entry(self, a: Mapping[str, Any], b: Mapping[str, Any], handlers: Mapping[str, Handler]) -> None:
        for key in sorted(set(a) | set(b)):
            if key in _SKIP:
                continue
            va, vb = a.get(key), b.get(key)
            if va == vb:
                continue
            if key in handlers:
                handlers[key](self, key, va, vb)
            elif key in _DOC_KEYS:
                self.doc(key, va, vb)
            else:
                self.unclassified(key, va, vb)

    def doc(self, path: str, a: Any, b: Any) -> None:
        """Documentation changes, reported leaf by leaf."""
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                if a.get(key) != b.get(key):
                    self.doc(f"{path}.{key}", a.get(key), b.get(key))
            return
        if _is_scalar_list(a) and _is_scalar_list(b):
            for item in [x for x in a if x not in b]:
                self.add(path, ChangeKind.REMOVED, item, None, Effect.NONE, "documentation")
            for item in [x for x in b if x not in a]:
                self.add(path, ChangeKind.ADDED, None, item, Effect.NONE, "documentation")
            if sorted(map(str, a)) == sorted(map(str, b)):
                self.add(path, ChangeKind.CHANGED, a, b, Effect.NONE, "order only")
            return
        kind = ChangeKind.ADDED if a is None else ChangeKind.REMOVED if b is None else ChangeKind.CHANGED
        self.add(path, kind, _owner_phone_masked(path, a), _owner_phone_masked(path, b), Effect.NONE, "documentation")

    def unclassified(self, path: str, a: Any, b: Any) -> None:
        kind = ChangeKind.ADDED if a is None else ChangeKind.REMOVED if b is None else ChangeKind.CHANGED
        self.add(path, kind, a, b, Effect.BOTH, "govstd does not classify this attribute: treated as breaking")

    # ----------------------------------------------------------------- constraints

    def lower_bound(self, path: str, a: Any, b: Any, what: str) -> None:
        """A minimum (value or length): raising it narrows, lowering or dropping it widens."""
        if a is None:
            self.add(path, ChangeKind.ADDED, a, b, Effect.NARROWS,
                     f"new {what} {b}: data valid under {self.o} may fall below it")
        elif b is None:
            self.add(path, ChangeKind.REMOVED, a, b, Effect.WIDENS,
                     f"{what} {a} dropped: data made for {self.n} may fall below it")
        elif b > a:
            self.add(path, ChangeKind.CHANGED, a, b, Effect.NARROWS,
                     f"{what} raised: values from {a} up to {b} valid under {self.o} fail {self.n}")
        else:
            self.add(path, ChangeKind.CHANGED, a, b, Effect.WIDENS,
                     f"{what} lowered: values below {a} made for {self.n} fail {self.o}")

    def upper_bound(self, path: str, a: Any, b: Any, what: str) -> None:
        """A maximum (value or length): lowering it narrows, raising or dropping it widens."""
        if a is None:
            self.add(path, ChangeKind.ADDED, a, b, Effect.NARROWS,
                     f"new {what} {b}: data valid under {self.o} may exceed it")
        elif b is None:
            self.add(path, ChangeKind.REMOVED, a, b, Effect.WIDENS,
                     f"{what} {a} dropped: data made for {self.n} may exceed it")
        elif b < a:
            self.add(path, ChangeKind.CHANGED, a, b, Effect.NARROWS,
                     f"{what} narrowed: values above {b} up to {a} valid under {self.o} fail {self.n}")
        else:
            self.add(path, ChangeKind.CHANGED, a, b, Effect.WIDENS,
                     f"{what} widened: values above {a} made for {self.n} fail {self.o}")

    def constraint(self, path: str, a: Any, b: Any, what: str) -> None:
        """A check that is either there or not (pattern, algorithm, bound standard or code set)."""
        if a is None:
            self.add(path, ChangeKind.ADDED, a, b, Effect.NARROWS,
                     f"new {what}: data valid under {self.o} may not satisfy it")
        elif b is None:
            self.add(path, ChangeKind.REMOVED, a, b, Effect.WIDENS,
                     f"{what} dropped: data made for {self.n} may not satisfy {self.o}")
        else:
            self.add(path, ChangeKind.CHANGED, a, b, Effect.BOTH,
                     f"{what} changed: govstd cannot prove either accepts all the other accepts")

    def flag(self, path: str, a: Any, b: Any, what: str) -> None:
        """A constraint switched on (narrows) or off (widens): required, key, open to the public."""
        if bool(b) and not bool(a):
            self.add(path, ChangeKind.CHANGED, a, b, Effect.NARROWS,
                     f"now {what}: data valid under {self.o} may not be")
        else:
            self.add(path, ChangeKind.CHANGED, a, b, Effect.WIDENS,
                     f"no longer {what}: data made for {self.n} may fail {self.o}")

    def data_type(self, path: str, a: Any, b: Any) -> None:
        if b in _TYPE_WIDER.get(a, frozenset()):
            self.add(path, ChangeKind.CHANGED, a, b, Effect.WIDENS,
                     f"type widened: {b} values made for {self.n} may not be {a}")
        elif a in _TYPE_WIDER.get(b, frozenset()):
            self.add(path, ChangeKind.CHANGED, a, b, Effect.NARROWS,
                     f"type narrowed: {a} values valid under {self.o} may not be {b}")
        else:
            self.add(path, ChangeKind.CHANGED, a, b, Effect.BOTH, f"type changed from {a} to {b}")

    def match(self, path: str, va: Any, vb: Any) -> None:
        """A code-set field's ``match``: ``any`` (the default) accepts what ``code`` and ``label`` accept."""
        wider = {("code", "any"), ("label", "any")}
        old, new = va or "any", vb or "any"
        if old == new:
            self.add(path, ChangeKind.CHANGED, va, vb, Effect.NONE, "match spelt out as its default")
        elif (old, new) in wider:
            self.add(path, ChangeKind.CHANGED, va, vb, Effect.WIDENS,
                     f"match widened to {new}: values made for {self.n} may fail {self.o}")
        elif (new, old) in wider:
            self.add(path, ChangeKind.CHANGED, va, vb, Effect.NARROWS,
                     f"match narrowed to {new}: values {self.o} accepted may now fail")
        else:
            self.add(path, ChangeKind.CHANGED, va, vb, Effect.BOTH, f"match changed from {old} to {new}")

    def options(self, path: str, a: Any, b: Any) -> None:
        """Algorithm options: ``allow_*`` switches and ``match`` are directional; anything else is not
        classified."""
        a, b = a or {}, b or {}
        for key in sorted(set(a) | set(b)):
            va, vb = a.get(key), b.get(key)
            if va == vb:
                continue
            sub = f"{path}.{key}"
            if key == "match":
                self.match(sub, va, vb)
            elif key.startswith("allow_") and isinstance(va, bool) and isinstance(vb, bool):
                if va and not vb:
                    self.add(sub, ChangeKind.CHANGED, va, vb, Effect.NARROWS,
                             f"{key} switched off: values {self.o} allowed now fail")
                else:
                    self.add(sub, ChangeKind.CHANGED, va, vb, Effect.WIDENS,
                             f"{key} switched on: values made for {self.n} fail {self.o}")
            else:
                kind = ChangeKind.ADDED if va is None else ChangeKind.REMOVED if vb is None else ChangeKind.CHANGED
                self.add(sub, kind, va, vb, Effect.BOTH,
                         "algorithm option changed: govstd cannot tell whether it narrows or widens")

    def sentinels(self, path: str, a: Any, b: Any) -> None:
        """Sentinel values (长期 in a date column) are accepted as they are: one added widens, one
        removed narrows (that value becomes a type error again)."""
        old, new = list(a or []), list(b or [])
        for value in [v for v in old if v not in new]:
            self.add(path, ChangeKind.REMOVED, value, None, Effect.NARROWS,
                     f"sentinel {value!r} removed: data holding it, valid under {self.o}, fails {self.n}")
        for value in [v for v in new if v not in old]:
            self.add(path, ChangeKind.ADDED, None, value, Effect.WIDENS,
                     f"sentinel {value!r} added: data holding it fails {self.o}")
        if sorted(old) == sorted(new):
            self.add(path, ChangeKind.CHANGED, old, new, Effect.NONE, "order only")

    def pii(self, path: str, a: Any, b: Any) -> None:
        """Personal-information class: becoming personal adds the PII-exposure check."""
        was, now = a not in (None, "none"), b not in (None, "none")
        if now and not was:
            self.add(path, ChangeKind.CHANGED, a, b, Effect.NARROWS,
                     "now personal information: datasets valid before may fail the PII-exposure check")
        elif was and not now:
            self.add(path, ChangeKind.CHANGED, a, b, Effect.WIDENS,
                     f"no longer personal information: data made for {self.n} may fail {self.o}'s PII check")
        else:
            self.add(path, ChangeKind.CHANGED, a, b, Effect.NONE, "another class of personal information")

    def nested(self, path: str, a: Any, b: Any, handlers: Mapping[str, Handler]) -> None:
        a, b = a or {}, b or {}
        for key in sorted(set(a) | set(b)):
            va, vb = a.get(key), b.get(key)
            if va == vb:
                continue
            sub = f"{path}.{key}"
            if key in handlers:
                handlers[key](self, sub, va, vb)
            elif key in _DOC_KEYS or key in {"conditions", "method", "name_zh", "unit_label"}:
                self.doc(sub, va, vb)
            else:
                self.unclassified(sub, va, vb)

    # ----------------------------------------------------------------- code sets

    def codes(self, path: str, a: Any, b: Any) -> None:
        old = _group(a or [], "code")
        new = _group(b or [], "code")
        for code in sorted(set(old) - set(new)):
            rows = old[code]
            self.add(f"{path}[{code}]", ChangeKind.REMOVED, _code_summary(rows), None, Effect.NARROWS,
                     f"code {code} ({rows[0].get('label_zh')}) removed: data carrying it, valid under {self.o},"
                     f" fails {self.n}")
        for code in sorted(set(new) - set(old)):
            rows = new[code]
            self.add(f"{path}[{code}]", ChangeKind.ADDED, None, _code_summary(rows), Effect.WIDENS,
                     f"code {code} ({rows[0].get('label_zh')}) added: data carrying it fails {self.o}")
        for code in sorted(set(old) & set(new)):
            if old[code] != new[code]:
                self.code(f"{path}[{code}]", code, old[code], new[code])

    def code(self, path: str, code: str, a: list[dict[str, Any]], b: list[dict[str, Any]]) -> None:
        va, vb = _intervals(a), _intervals(b)
        if va != vb:
            old_in_new, new_in_old = _covers(vb, va), _covers(va, vb)
            effect = (Effect.NARROWS if new_in_old else Effect.WIDENS if old_in_new else Effect.BOTH)
            verb = {"narrows": "shortened", "widens": "extended", "both": "moved"}[effect.value]
            self.add(f"{path}.valid", ChangeKind.CHANGED, _fmt_intervals(va), _fmt_intervals(vb), effect,
                     f"validity of code {code} {verb}")
        self.labels(path, code, a, b)
        strip = {"code", "label_zh", "aliases", "valid_from", "valid_to"}
        rest_a = [{k: v for k, v in r.items() if k not in strip} for r in a]
        rest_b = [{k: v for k, v in r.items() if k not in strip} for r in b]
        if rest_a != rest_b:
            if len(a) == 1 and len(b) == 1:
                self.doc(path, rest_a[0], rest_b[0])
            else:
                self.add(path, ChangeKind.CHANGED, rest_a, rest_b, Effect.NONE, "labels or hierarchy changed")

    def labels(self, path: str, code: str, a: list[dict[str, Any]], b: list[dict[str, Any]]) -> None:
        """A code's label and aliases are accepted data, not documentation: a code-set field matches labels
        by default (``match: any``; ``match: label``), normalising 男 to 1 and 汉族 to 01. A label or alias
        no longer accepted narrows; one newly accepted widens. A relabel is one change, classified by
        whether the old label stays accepted (kept as an alias) and whether the new one was already."""
        labels_a = {r["label_zh"] for r in a if r.get("label_zh")}
        labels_b = {r["label_zh"] for r in b if r.get("label_zh")}
        accepted_a = labels_a | {x for r in a for x in r.get("aliases") or []}
        accepted_b = labels_b | {x for r in b for x in r.get("aliases") or []}
        if labels_a != labels_b:
            lost, gained = bool(accepted_a - accepted_b), bool(accepted_b - accepted_a)
            effect = (Effect.BOTH if lost and gained else Effect.NARROWS if lost else
                      Effect.WIDENS if gained else Effect.NONE)
            old, new = _one_or_list(labels_a), _one_or_list(labels_b)
            self.add(f"{path}.label_zh", ChangeKind.CHANGED, old, new, effect,
                     f"label of code {code} changed: where labels are matched (match: any, the default, or label) "
                     + {Effect.BOTH: f"data writing {old}, valid under {self.o}, fails {self.n}, and {new} fails "
                                     f"{self.o}",
                        Effect.NARROWS: f"data writing {old}, valid under {self.o}, fails {self.n}",
                        Effect.WIDENS: f"the old label stays accepted; data writing {new} fails {self.o}",
                        Effect.NONE: "the same labels are accepted (label and alias swapped)"}[effect])
        # Aliases that were or became the label are the label change's.
        for alias in sorted(accepted_a - accepted_b - labels_a):
            self.add(f"{path}.aliases", ChangeKind.REMOVED, alias, None, Effect.NARROWS,
                     f"alias {alias!r} of code {code} removed: data using it, valid under {self.o}, fails")
        for alias in sorted(accepted_b - accepted_a - labels_b):
            self.add(f"{path}.aliases", ChangeKind.ADDED, None, alias, Effect.WIDENS,
                     f"alias {alias!r} of code {code} added: data using it fails {self.o}")

    # ----------------------------------------------------------------- catalogue schemas

    def fields(self, path: str, a: Any, b: Any) -> None:
        old = {f["name"]: f for f in a or []}
        new = {f["name"]: f for f in b or []}
        for name in [n for n in old if n not in new]:
            required = bool(old[name].get("required"))
            self.add(
                f"{path}.{name}", ChangeKind.REMOVED, _field_summary(old[name]), None,
                Effect.BOTH if required else Effect.NARROWS,
                f"field {name} removed: datasets valid under {self.o} may carry it; {self.n} no longer declares it"
                + (f"; and {self.o} requires it" if required else ""),
            )
        for name in [n for n in new if n not in old]:
            required = bool(new[name].get("required"))
            if required:
                self.add(f"{path}.{name}", ChangeKind.ADDED, None, _field_summary(new[name]), Effect.BOTH,
                         f"required field {name} added: datasets valid under {self.o} lack it")
            else:
                self.add(f"{path}.{name}", ChangeKind.ADDED, None, _field_summary(new[name]), Effect.WIDENS,
                         f"optional field {name} added: datasets made for {self.n} may carry a field"
                         f" {self.o} does not declare")
        for name in [n for n in old if n in new]:
            fa = {k: v for k, v in old[name].items() if k != "key"}
            fb = {k: v for k, v in new[name].items() if k != "key"}
            if fa != fb:
                self.nested(f"{path}.{name}", fa, fb, _FIELD_HANDLERS)
        if list(old) != list(new) and set(old) == set(new):
            self.add(path, ChangeKind.CHANGED, list(old), list(new), Effect.NONE, "field order only")
        key_a = [n for n, f in old.items() if f.get("key")]
        key_b = [n for n, f in new.items() if f.get("key")]
        if set(key_a) != set(key_b):
            self.unique_key("key", key_a, key_b)

    def unique_key(self, path: str, a: list[str], b: list[str]) -> None:
        """The (composite) unique key: more columns is a weaker constraint, fewer a stronger one."""
        sa, sb = set(a), set(b)
        if not sa:
            effect, why = Effect.NARROWS, f"a unique key is new: duplicates valid under {self.o} now fail"
        elif not sb:
            effect, why = Effect.WIDENS, f"unique key dropped: duplicates made for {self.n} fail {self.o}"
        elif sa < sb:
            effect, why = Effect.WIDENS, f"key gained columns (weaker): rows made for {self.n} may repeat {a}"
        elif sb < sa:
            effect, why = Effect.NARROWS, f"key lost columns (stronger): rows valid under {self.o} may repeat {b}"
        else:
            effect, why = Effect.BOTH, "unique key changed to other columns"
        self.add(path, ChangeKind.CHANGED, a, b, effect, why)

    def rules(self, path: str, a: Any, b: Any) -> None:
        old = {_rule_key(r): r for r in a or []}
        new = {_rule_key(r): r for r in b or []}
        for key in [k for k in old if k not in new]:
            self.add(f"{path}[{_rule_label(old[key])}]", ChangeKind.REMOVED, old[key], None, Effect.WIDENS,
                     f"dataset rule removed: data made for {self.n} may fail {self.o}'s rule")
        for key in [k for k in new if k not in old]:
            self.add(f"{path}[{_rule_label(new[key])}]", ChangeKind.ADDED, None, new[key], Effect.NARROWS,
                     f"dataset rule added: data valid under {self.o} may fail it")
        for key in [k for k in old if k in new and old[k] != new[k]]:
            label = f"{path}[{_rule_label(new[key])}]"
            if {**old[key], "description": None} == {**new[key], "description": None}:
                self.doc(f"{label}.description", old[key].get("description"), new[key].get("description"))
            else:
                self.add(label, ChangeKind.CHANGED, old[key], new[key], Effect.BOTH,
                         "dataset rule changed: govstd cannot prove either accepts all the other accepts")

    def update_cycle(self, path: str, a: Any, b: Any) -> None:
        age_a, age_b = _max_age(a), _max_age(b)
        if age_b < age_a:
            self.add(path, ChangeKind.CHANGED, a, b, Effect.NARROWS,
                     f"updates due more often: data fresh enough for {self.o} may be stale under {self.n}")
        elif age_b > age_a:
            self.add(path, ChangeKind.CHANGED, a, b, Effect.WIDENS,
                     f"updates due less often: data fresh enough for {self.n} may be stale under {self.o}")
        else:
            self.doc(path, a, b)

    def share_type(self, path: str, a: Any, b: Any) -> None:
        unconditional = ShareType.UNCONDITIONAL.value
        if b == unconditional:
            self.add(path, ChangeKind.CHANGED, a, b, Effect.NARROWS,
                     "now shared unconditionally: unmasked personal data valid before now fails the PII check")
        elif a == unconditional:
            self.add(path, ChangeKind.CHANGED, a, b, Effect.WIDENS,
                     f"no longer shared unconditionally: data made for {self.n} may fail {self.o}'s PII check")
        else:
            self.add(path, ChangeKind.CHANGED, a, b, Effect.NONE, "share type changed; the PII check is the same")

    def sensitivity(self, path: str, a: Any, b: Any) -> None:
        ia, ib = _SENSITIVITY_ORDER.index(a), _SENSITIVITY_ORDER.index(b)
        effect = Effect.NARROWS if ib > ia else Effect.WIDENS
        word = "raised" if ib > ia else "lowered"
        self.add(path, ChangeKind.CHANGED, a, b, effect, f"sensitivity level {word}: sharing rules change")

    # ----------------------------------------------------------------- service items

    def implementations(self, path: str, a: Any, b: Any) -> None:
        old = {i["implementation_code"]: i for i in a or []}
        new = {i["implementation_code"]: i for i in b or []}
        for code in [c for c in old if c not in new]:
            self.add(f"{path}[{code}]", ChangeKind.REMOVED, old[code], None, Effect.NARROWS,
                     f"implementation code {code} removed: records citing it fail the registered-code check")
        for code in [c for c in new if c not in old]:
            self.add(f"{path}[{code}]", ChangeKind.ADDED, None, new[code], Effect.WIDENS,
                     f"implementation code {code} added: records citing it fail under {self.o}")
        for code in [c for c in old if c in new and old[c] != new[c]]:
            self.doc(f"{path}[{code}]", old[code], new[code])


def _is_scalar_list(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(x, dict | list) for x in value)


def _group(rows: list[dict[str, Any]], key: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(str(row[key]), []).append(row)
    for group in out.values():
        group.sort(key=lambda r: r.get("valid_from") or "")
    return out


def _code_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    first = rows[0]
    return {"code": first["code"], "label_zh": first.get("label_zh"), "valid": _fmt_intervals(_intervals(rows))}


def _owner_phone_masked(path: str, value: Any) -> Any:
    """An owner's phone is personal data: a diff (CLI, site, JSON) shows it masked (standards.owner)."""
    if path.endswith("owner.phone") and isinstance(value, str):
        return mask_phone(value)
    if path.endswith("owner") and isinstance(value, dict) and isinstance(value.get("phone"), str):
        return {**value, "phone": mask_phone(value["phone"])}
    return value


def _field_summary(spec: dict[str, Any]) -> dict[str, Any]:
    keep = ("name", "name_zh", "data_type", "length", "required", "standard", "code_set")
    return {k: spec.get(k) for k in keep if spec.get(k) is not None}


def _one_or_list(labels: set[str]) -> Any:
    return next(iter(labels)) if len(labels) == 1 else sorted(labels)


def _rule_label(rule: dict[str, Any]) -> str:
    """``id`` when the rule has one, else e.g. ``compare(bjsj>=slsj)`` or ``range(nl)``."""
    if rule.get("id"):
        return str(rule["id"])
    if rule.get("kind") == "compare":
        return f"compare({rule.get('left')}{rule.get('op')}{rule.get('right')})"
    return f"{rule.get('kind')}({rule.get('field') or rule.get('id_field')})"


def _rule_key(rule: dict[str, Any]) -> str:
    return str(rule.get("id") or json.dumps({k: v for k, v in rule.items() if k != "description"},
                                            sort_keys=True, ensure_ascii=False))


Interval = tuple[dt.date, dt.date]
_MIN, _MAX = dt.date.min, dt.date.max


def _intervals(rows: list[dict[str, Any]]) -> list[Interval]:
    """The union of a code's validity periods, merged ([from, to), open ends as date.min / date.max)."""
    spans = sorted(
        (dt.date.fromisoformat(r["valid_from"]) if r.get("valid_from") else _MIN,
         dt.date.fromisoformat(r["valid_to"]) if r.get("valid_to") else _MAX)
        for r in rows
    )
    merged: list[Interval] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _covers(outer: list[Interval], inner: list[Interval]) -> bool:
    return all(any(o0 <= i0 and i1 <= o1 for o0, o1 in outer) for i0, i1 in inner)


def _fmt_intervals(spans: list[Interval]) -> str:
    def day(d: dt.date, open_end: str) -> str:
        return open_end if d in (_MIN, _MAX) else d.isoformat()

    return ", ".join(f"[{day(a, '…')}, {day(b, '…')})" for a, b in spans) or "never"


def _max_age(cycle: Any) -> dt.timedelta:
    try:
        age = UpdateCycle(cycle).max_age
    except ValueError:
        return dt.timedelta.max
    return age if age is not None else dt.timedelta.max


def _h_lower(what: str) -> Handler:
    return lambda d, p, a, b: d.lower_bound(p, a, b, what)


def _h_upper(what: str) -> Handler:
    return lambda d, p, a, b: d.upper_bound(p, a, b, what)


def _h_constraint(what: str) -> Handler:
    return lambda d, p, a, b: d.constraint(p, a, b, what)


def _h_flag(what: str) -> Handler:
    return lambda d, p, a, b: d.flag(p, a, b, what)


_REPRESENTATION: dict[str, Handler] = {
    "pattern": _h_constraint("pattern"),
    "min_length": _h_lower("minimum length"),
    "max_length": _h_upper("maximum length"),
    "format": lambda d, p, a, b: d.doc(p, a, b),
    "unit": lambda d, p, a, b: d.add(p, ChangeKind.CHANGED, a, b, Effect.BOTH,
                                     "unit changed: the same number now means something else"),
}
_VALUE_DOMAIN: dict[str, Handler] = {
    "code_set": _h_constraint("bound code set"),
    "algorithm": _h_constraint("identifier algorithm"),
    "options": _Differ.options,
    "minimum": _h_lower("minimum"),
    "maximum": _h_upper("maximum"),
}
_FIELD_HANDLERS: dict[str, Handler] = {
    "data_type": _Differ.data_type,
    "length": _h_upper("length"),
    "required": _h_flag("required"),
    "standard": _h_constraint("bound field standard"),
    "code_set": _h_constraint("bound code set"),
    "pattern": _h_constraint("pattern"),
    "minimum": _h_lower("minimum"),
    "maximum": _h_upper("maximum"),
    "pii": _Differ.pii,
    "masked": lambda d, p, a, b: d.add(p, ChangeKind.CHANGED, a, b, Effect.BOTH,
                                       "masked switched: masked and unmasked values are judged differently"),
    "options": _Differ.options,
    "sentinels": _Differ.sentinels,
}
_SHARE: dict[str, Handler] = {"share_type": _Differ.share_type}
_OPEN: dict[str, Handler] = {"open_to_public": _h_flag("open to the public")}

_HANDLERS: dict[EntryKind, dict[str, Handler]] = {
    EntryKind.DATA_ELEMENT: {
        "data_type": _Differ.data_type,
        "representation": lambda d, p, a, b: d.nested(p, a, b, _REPRESENTATION),
        "value_domain": lambda d, p, a, b: d.nested(p, a, b, _VALUE_DOMAIN),
        "pii": _Differ.pii,
    },
    EntryKind.CODE_SET: {"codes": _Differ.codes},
    EntryKind.CATALOGUE_SCHEMA: {
        "fields": _Differ.fields,
        "rules": _Differ.rules,
        "update_cycle": _Differ.update_cycle,
        "share": lambda d, p, a, b: d.nested(p, a, b, _SHARE),
        "open": lambda d, p, a, b: d.nested(p, a, b, _OPEN),
        "sensitivity": _Differ.sensitivity,
    },
    EntryKind.SERVICE_ITEM: {
        "item_type": lambda d, p, a, b: d.add(p, ChangeKind.CHANGED, a, b, Effect.BOTH, "item type changed"),
        "implementations": _Differ.implementations,
    },
}
