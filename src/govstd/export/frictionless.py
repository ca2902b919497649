"""``govstd export frictionless``: a Frictionless Table Schema for a catalogue schema.

Fields with their types (identifiers always as strings, so no digit is lost to a number cast),
``constraints`` (required, unique, lengths, pattern, enum of the code set, minimum/maximum), the key
as ``primaryKey``, and the catalogue's names as titles. ``frictionless validate`` accepts it.

What a Table Schema cannot say is listed in ``x-govstd.not_exported``: check characters and other
algorithms (GB 11643's MOD 11-2, GB 32100's mod 31, GB 11714 — ``constraints`` have no computed
checks; the identifier's shape is kept as a pattern), embedded birth dates, region tables, relations
between fields, freshness, and govstd's normalisation of harmless damage (a lowercase x, full-width
digits) before checking.
"""

from __future__ import annotations

import json
from typing import Any

from govstd.export import Export, Item, Source, tool_label
from govstd.standards import numbers
from govstd.standards.models import DataType
from govstd.validators import ir
from govstd.validators.compiler.constants import BOOLEAN_SPELLINGS
from govstd.validators.derive import Binding

_TYPES = {
    DataType.STRING: "string", DataType.INTEGER: "integer", DataType.DECIMAL: "number",
    DataType.BOOLEAN: "boolean", DataType.DATE: "date", DataType.DATETIME: "datetime",
}
_TRIM_NOTE = "Frictionless checks the value as it is; govstd trims surrounding whitespace first"
_ALGORITHM_NOTE = ("not expressible in a Table Schema: constraints have no computed checks (check characters, "
                   "embedded dates, region tables)")
#: Identifiers whose shape is kept as a pattern constraint (the rest of the algorithm is not
#: expressible); the shape is the identifier module's. Mobile numbers and service item codes have never
#: been given one here: adding them would change the exported schema, so it is a decision of its own.
_SHAPED = ("gb11643", "residence_permit", "foreign_pr", "gb32100", "gb11714")
_SHAPES: dict[str, str] = {algorithm: numbers.get(algorithm).SHAPE for algorithm in _SHAPED}


class _Table:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.items: list[Item] = []
        self.fields: list[dict[str, Any]] = []

    def build(self) -> dict[str, Any]:
        keys = [f.name for f in self.source.schema.fields if f.key and f.name in self.source.derivation.bindings]
        for spec in self.source.schema.fields:
            if spec.name in self.source.derivation.bindings:
                self.fields.append(self.field(self.source.binding(spec.name), single_key=keys == [spec.name]))
        for check in self.source.checks:
            self.classify(check)
        schema = self.source.schema
        descriptor: dict[str, Any] = {
            "$schema": "https://frictionlessdata.io/schemas/table-schema.json",
            "fields": self.fields,
            "missingValues": [""],
        }
        if len(keys) > 1:
            descriptor["primaryKey"] = keys
        descriptor["x-govstd"] = {
            "schema": schema.ref, "name_zh": schema.name_zh, "exported_by": tool_label(),
            "approximate": [i.to_dict() for i in self.items if i.status == "approximate"],
            "not_exported": [i.to_dict() for i in self.items if i.status == "not_exported"],
        }
        return descriptor

    def field(self, b: Binding, *, single_key: bool) -> dict[str, Any]:
        spec = b.spec
        data_type = DataType.STRING if b.is_identifier else self.source.data_type(spec.name)
        out: dict[str, Any] = {"name": spec.name, "type": _TYPES[data_type]}
        if spec.name_zh:
            out["title"] = spec.name_zh
        if spec.description:
            out["description"] = spec.description
        if data_type in (DataType.DATE, DataType.DATETIME):
            out["format"] = "any"  # govstd accepts several layouts (GB/T 7408 and office software's)
        if data_type == DataType.BOOLEAN:
            out["trueValues"] = [v for v in BOOLEAN_SPELLINGS if v in ("true", "t", "1", "yes", "y", "是")]
            out["falseValues"] = [v for v in BOOLEAN_SPELLINGS if v in ("false", "f", "0", "no", "n", "否")]
        c: dict[str, Any] = {}
        if spec.required:
            c["required"] = True
        if single_key:
            c["unique"] = True
        numeric = data_type in (DataType.INTEGER, DataType.DECIMAL)
        c.update(self.source.constraints(spec.name, text=data_type == DataType.STRING, numeric=numeric))
        if b.is_identifier and not spec.masked and b.algorithm in _SHAPES:
            c.pop("pattern", None)
            if not b.options.get("allow_legacy_15"):
                c["pattern"] = _SHAPES[b.algorithm]
        if data_type == DataType.INTEGER:
            c.update({k: int(c[k]) for k in ("minimum", "maximum") if k in c})
        codes = self.source.codes(spec.name)
        if codes is not None:
            c["enum"] = codes
        if c:
            out["constraints"] = c
        return out

    def classify(self, check: ir.Check) -> None:
        def item(status: str, target: str, note: str | None = None) -> None:
            self.items.append(Item(check.rule_id, status, target, note))  # type: ignore[arg-type]

        if isinstance(check, ir.UniqueCheck):
            target = "primaryKey" if len(check.columns) > 1 else "constraints.unique"
            item("approximate", target, "Frictionless compares raw values; govstd normalises identifiers first")
            return
        if isinstance(check, ir.FreshnessCheck):
            item("not_exported", "", "freshness is a property of the dataset at the time of a run")
            return
        if (other := self.source.other_dataset(check)) is not None:
            item("not_exported", "", self.source.other_dataset_note(other))
            return
        if check.rule_id.startswith("rules."):
            item("not_exported", "", "a Table Schema cannot compare fields or look values up in a registry")
            return
        b = self.source.binding(check.columns[0])
        rule = check.rule
        if check.severity == "info":
            item("not_exported", "", "an info check (reported, never failing a row)")
        elif rule == "pii_exposure":
            item("not_exported", "", "a share policy on the dataset, not a property of a value")
        elif rule == "not_null":
            item("approximate", "constraints.required", "a value of only spaces is present for Frictionless, "
                                                        "blank for govstd")
        elif b.is_identifier and rule in ("format", "length") and not check.rule_id.endswith(".max_length"):
            if b.algorithm in _SHAPES and not b.spec.masked and not b.options.get("allow_legacy_15"):
                item("approximate", "constraints.pattern", "the shape only, on the raw value; govstd normalises "
                                                           "harmless damage (lowercase x, full-width digits) first")
            else:
                item("not_exported", "", _ALGORITHM_NOTE)
        elif b.is_identifier and rule != "length":
            item("not_exported", "", _ALGORITHM_NOTE)
        elif rule == "type":
            item("approximate", "type", "Frictionless reads its own layouts of numbers and dates")
        elif rule in ("length", "pattern"):
            item("approximate", "constraints", _TRIM_NOTE)
        elif rule == "range":
            item("exact", "constraints.minimum/maximum")
        elif rule == "code_set":
            item("approximate", "constraints.enum", _TRIM_NOTE + "; codes in force on the day of the export")
        else:
            item("not_exported", "", f"no Table Schema form for {rule!r}")


def export(source: Source, **_: Any) -> Export:
    """The Table Schema as JSON."""
    table = _Table(source)
    document = table.build()
    return Export(format="frictionless", text=json.dumps(document, ensure_ascii=False, indent=2) + "\n",
                  items=table.items, warnings=list(source.derivation.suite.warnings))


__all__ = ["export"]
