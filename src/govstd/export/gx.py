"""``govstd export gx``: a Great Expectations (GX Core 1.x) expectation suite for a catalogue schema.

GX's built-in expectations where they say what govstd's check says (not null, regex, length, in
set, unique, between), govstd's own (``govstd.integrations.gx``) where GX has nothing: identifiers
part by part, large or version-pinned code sets, ID ↔ birth date / sex / region, types read from
text, comparisons of dates. Every expectation carries ``meta.govstd.rule_id`` — the govstd check it
stands for — so a GX result maps back to govstd's rules (``govstd import gx-result``).

A built-in that differs from govstd's check in a corner is marked ``approximate`` with the
difference (e.g. GX compares raw values where govstd trims surrounding spaces first); a check with
no GX form is listed under ``meta.govstd.not_exported`` with the reason. Writing the suite needs no
GX; running it needs ``pip install govstd[gx]`` and ``import govstd.integrations.gx``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from govstd.export import Export, Item, Source, Status, tool_label
from govstd.integrations.gx import names
from govstd.standards import numbers
from govstd.standards.models import CompareRule, DataType, IdConsistencyRule
from govstd.validators import ir
from govstd.validators.derive.codes import sex_codes

#: Parts checked by the named identifier expectations (others go through the generic one).
GB11643_PARTS = frozenset({"length", "format", "checksum", "birth_date", "region", "sequence"})
GB32100_PARTS = frozenset({"length", "format", "checksum", "category", "region", "org_code"})
_GB11643_OPTIONS = ("allow_legacy_15", "region_policy", "min_birth_date", "reject_sequence_000")
_GB32100_OPTIONS = ("check_category", "check_region", "check_org_code")
_SEVERITY = {"error": "critical", "warning": "warning", "info": "info"}

_TRIM_NOTE = "GX compares the raw value; govstd trims surrounding whitespace first and skips blank values"


def _class(chars: str) -> str:
    """A regex character class in the syntax Python, Java and PostgreSQL share (\\uXXXX escapes)."""
    out = []
    for c in chars:
        out.append(c if c.isascii() and c.isalnum() else f"\\u{ord(c):04X}")
    return "[" + "".join(out) + "]"


def blank_regex() -> str:
    """Values govstd counts as blank (empty or only whitespace of any kind)."""
    from govstd.validators.compiler.constants import WHITESPACE_CHARS

    return f"^{_class(WHITESPACE_CHARS)}*$"


def padded_regex(pattern: str) -> str:
    """``pattern`` matched as govstd matches it: on the trimmed value, blank values not judged."""
    from govstd.validators.compiler.constants import WHITESPACE_CHARS

    ws = _class(WHITESPACE_CHARS)
    return f"^{ws}*(?:{pattern}){ws}*$|^{ws}*$"


class _Suite:
    def __init__(self, source: Source, today: dt.date | None, typed_numbers: bool) -> None:
        self.source = source
        self.today = today.isoformat() if today else None
        self.typed_numbers = typed_numbers
        self.expectations: list[dict[str, Any]] = []
        self.items: list[Item] = []
        self.exposed = source.schema.share.share_type.value == "unconditional" or source.schema.open.open_to_public

    # ---- helpers ----------------------------------------------------------------------------

    def add(self, check: ir.Check, kind: str, kwargs: dict[str, Any], *, exact: bool = True,
            note: str | None = None) -> None:
        meta = {
            "rule_id": check.rule_id, "rule": check.rule, "dimension": check.dimension.value,
            "indicator": check.indicator, "severity": check.severity, "mapping": "exact" if exact else "approximate",
            "description": check.description,
        }
        if note:
            meta["note"] = note
        self.expectations.append({"type": kind, "kwargs": {k: v for k, v in kwargs.items() if v is not None},
                                  "meta": {names.META_KEY: meta}, "severity": _SEVERITY[check.severity]})
        status: Status = "exact" if exact else "approximate"
        if not any(i.rule_id == check.rule_id for i in self.items):
            self.items.append(Item(check.rule_id, status, kind, note))

    def skip(self, check: ir.Check, why: str) -> None:
        self.items.append(Item(check.rule_id, "not_exported", "", why))

    # ---- checks ----------------------------------------------------------------------------

    def check(self, check: ir.Check) -> None:
        if isinstance(check, ir.UniqueCheck):
            self.unique(check)
        elif isinstance(check, ir.FreshnessCheck):
            self.skip(check, "freshness is judged against the time of the run (newest value ≥ now − update "
                             "cycle); GX's expect_column_max_to_be_between needs a fixed bound on a datetime column")
        elif (other := self.source.other_dataset(check)) is not None:
            self.skip(check, self.source.other_dataset_note(other))
        elif check.rule_id.startswith("rules."):
            self.rule(check)
        else:
            self.field(check)

    def unique(self, check: ir.UniqueCheck) -> None:
        note = ("GX counts every row of a repeated key (the first one too) and compares raw values; govstd "
                "counts the rows repeating an earlier key, identifiers normalised")
        if len(check.columns) == 1:
            self.add(check, "expect_column_values_to_be_unique", {"column": check.columns[0]}, exact=False, note=note)
        else:
            self.add(check, "expect_compound_columns_to_be_unique", {"column_list": list(check.columns)},
                     exact=False, note=note)

    def field(self, check: ir.RowCheck) -> None:
        column = check.columns[0]
        b = self.source.binding(column)
        part = check.rule_id[len(column) + 1:]
        if check.rule == "not_null":
            self.add(check, "expect_column_values_to_not_be_null", {"column": column})
            self.add(check, "expect_column_values_to_not_match_regex", {"column": column, "regex": blank_regex()})
            return
        if b.algorithm in numbers.MOD11_2_FAMILY and part in GB11643_PARTS:
            kwargs = {"column": column, "part": part, "algorithm": b.algorithm, "masked": b.spec.masked or None,
                      "today": self.today, **{k: b.options[k] for k in _GB11643_OPTIONS if k in b.options}}
            self.add(check, names.VALID_GB11643, kwargs)
            return
        if b.algorithm == "gb32100" and part in GB32100_PARTS:
            kwargs = {"column": column, "part": part, "masked": b.spec.masked or None,
                      **{k: b.options[k] for k in _GB32100_OPTIONS if k in b.options}}
            self.add(check, names.VALID_GB32100, kwargs)
            return
        if check.rule == "pattern":
            pattern = str(check.expect.params["pattern"]) if isinstance(check.expect, ir.Func) else None
            if pattern is not None:
                self.add(check, "expect_column_values_to_match_regex",
                         {"column": column, "regex": padded_regex(pattern)})
                return
        if check.rule == "length" and not b.is_identifier:
            low, high = _length_bounds(check)
            self.add(check, "expect_column_value_lengths_to_be_between",
                     {"column": column, "min_value": low, "max_value": high}, exact=False, note=_TRIM_NOTE)
            return
        if check.rule == "code_set":
            self.code_set(check, column)
            return
        if check.rule == "range" and self.typed_numbers:
            bounds = self.source.constraints(column, text=False, numeric=True)
            self.add(check, "expect_column_values_to_be_between",
                     {"column": column, "min_value": bounds.get("minimum"), "max_value": bounds.get("maximum")},
                     exact=False,
                     note="needs a numeric column: GX refuses text columns, govstd reads numbers from text")
            return
        field, entries = self.source.field_description(column)
        self.add(check, names.PASS_CHECK, {"column": column, "check": part, "field": field, "entries": entries or None,
                                           "today": self.today, "exposed": self.exposed or None})

    def code_set(self, check: ir.RowCheck, column: str) -> None:
        b = self.source.binding(column)
        inline = check.expect.values if isinstance(check.expect, ir.InValues) else None
        # The inlined values are what the check accepts under its match (codes, and labels unless codes only).
        if inline is not None and not b.options.get("as_of"):
            self.add(check, "expect_column_values_to_be_in_set", {"column": column, "value_set": list(inline)},
                     exact=False, note=_TRIM_NOTE + "; codes in force on the day of the export")
            return
        assert b.code_set is not None
        _, entries = self.source.field_description(column)
        options = b.options
        self.add(check, names.IN_CODE_SET, {
            "column": column, "code_set": self.source.pinned(b.code_set), "as_of": options.get("as_of"),
            "historical": bool(options.get("historical")) or None, "match": options.get("match"),
            "entries": entries or None, "today": self.today,
        })

    def rule(self, check: ir.RowCheck) -> None:
        rule = _find_rule(self.source, check.rule_id)
        if isinstance(rule, IdConsistencyRule):
            aspect = check.rule_id.rsplit(".", 1)[1]
            other = {"birth_date": rule.birth_date_field, "sex": rule.sex_field, "region": rule.region_field}[aspect]
            b = self.source.binding(rule.id_field)
            kwargs: dict[str, Any] = {"column_A": rule.id_field, "column_B": other, "aspect": aspect,
                                      "algorithm": b.algorithm,
                                      "allow_legacy_15": bool(b.options.get("allow_legacy_15")) or None}
            if aspect == "sex" and other is not None:
                male, female = sex_codes(self.source.binding(other).code_set)
                kwargs.update(male_code=male, female_code=female)
            self.add(check, names.PAIR_MATCH_GB11643, kwargs)
        elif isinstance(rule, CompareRule):
            left, right = self.source.data_type(rule.left), self.source.data_type(rule.right)
            self.add(check, names.PAIR_COMPARISON, {
                "column_A": rule.left, "column_B": rule.right, "op": rule.op, "left_type": _compare_type(left),
                "right_type": _compare_type(right),
            })
        elif check.rule == "registered":
            self.skip(check, "the registered service item codes live in the registry, read at run time; GX has no "
                             "registry lookup (a value_set snapshot would go stale)")
        else:
            self.skip(check, f"dataset rule {check.rule!r} has no GX form yet")


def _length_bounds(check: ir.RowCheck) -> tuple[int | None, int | None]:
    low = high = None
    stack: list[ir.Expr] = [check.expect]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.And):
            stack.extend(node.args)
        elif isinstance(node, ir.Cmp) and isinstance(node.right, ir.Lit) and isinstance(node.right.value, int):
            if node.op == "<=":
                high = node.right.value
            elif node.op == ">=":
                low = node.right.value
    return low, high


def _compare_type(data_type: DataType) -> str:
    if data_type == DataType.BOOLEAN:
        return "string"
    return data_type.value


def _find_rule(source: Source, rule_id: str) -> Any:
    for index, rule in enumerate(source.schema.rules, start=1):
        rid = f"rules.{rule.id or index}"
        if rule_id == rid or rule_id.startswith(rid + "."):
            return rule
    return None


def export(source: Source, *, today: dt.date | None = None, typed_numbers: bool = False,
           name: str | None = None, **_: Any) -> Export:
    """The suite as JSON. ``today``: pin the reference date (default: each run's date);
    ``typed_numbers``: ranges as GX's ``expect_column_values_to_be_between`` (numeric columns only)."""
    suite = _Suite(source, today, typed_numbers)
    for check in source.checks:
        suite.check(check)
    warnings = list(source.derivation.suite.warnings)
    schema = source.schema
    document = {
        "name": name or f"govstd.{schema.id}@{schema.version}",
        "expectations": suite.expectations,
        "meta": {names.META_KEY: {
            "schema": schema.ref, "name_zh": schema.name_zh, "exported_by": tool_label(),
            "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "requires": "pip install 'govstd[gx]'; import govstd.integrations.gx (registers the govstd expectations)",
            "approximate": [i.to_dict() for i in suite.items if i.status == "approximate"],
            "not_exported": [i.to_dict() for i in suite.items if i.status == "not_exported"],
            "warnings": warnings,
        }},
        "notes": (f"Exported by {tool_label()} from {schema.ref} ({schema.name_zh}). Each expectation's "
                  "meta.govstd.rule_id names the govstd check it stands for."),
    }
    return Export(format="gx", text=json.dumps(document, ensure_ascii=False, indent=2) + "\n", items=suite.items,
                  warnings=warnings)


__all__ = ["blank_regex", "export", "padded_regex"]
