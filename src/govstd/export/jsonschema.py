"""``govstd export jsonschema``: a record-level JSON Schema (draft 2020-12) for a catalogue schema.

One JSON object per record: a property per field, typed as JSON carries it (integers and decimals as
numbers, dates as ``format: date`` / ``gbt7408-date-time``), required fields present and not blank, lengths,
patterns, ranges and code sets as keywords, and govstd's identifiers as ``format`` names
(``gb11643``, ``gb32100``, …) that ``format_checker()`` teaches ``jsonschema`` — with govstd's own
algorithms, so a record passes exactly when ``govstd check`` accepts its identifiers.

A record schema cannot express what spans records (the unique key, freshness) or compares two
fields (ID ↔ birth date, 办结时间 ≥ 受理时间); those checks are listed in ``x-govstd.not_exported``.

>>> import jsonschema
>>> jsonschema.validate("11010519491231002X", {"format": "gb11643"}, format_checker=format_checker())
>>> format_checker().conforms("11010519491231002Y", "gb11643")
False
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

from govstd.export import Export, Item, Source, tool_label
from govstd.standards.models import DataType
from govstd.validators import ir
from govstd.validators.compiler.constants import LAYOUT_WIDTHS
from govstd.validators.derive import Binding

#: JSON Schema dialect of the exported schema.
DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: Code sets larger than this become a ``format`` when govstd has one for them (GB/T 2260), else an enum.
MAX_ENUM = 1000
#: A required text value holds something besides whitespace (ECMA-262 and Python agree on ``\S``).
NOT_BLANK = r"\S"
_TRIM_NOTE = "JSON Schema checks the value as it is; govstd trims surrounding whitespace first"
#: GB/T 7408.1 (ISO 8601-1) extended date and time of day: 'T' or a space between, seconds and the UTC
#: offset optional — government data records local time (RFC 3339's ``date-time`` demands an offset). As many
#: fraction digits as govstd's own timestamp grammar reads (``LAYOUT_WIDTHS``: nanoseconds), so an exported
#: schema never refuses a value ``govstd validate`` accepts.
_DATE_TIME = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}"
    rf"(:[0-9]{{2}}(\.[0-9]{{1,{LAYOUT_WIDTHS['f']}}})?)?(Z|[+-][0-9]{{2}}:[0-9]{{2}})?$"
)


def _identifier(module: str, **options: Any) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        from govstd.standards import numbers

        valid: bool = numbers.get(module).is_valid(value, **options)
        return valid

    return check


def _date_time(value: str) -> bool:
    if not _DATE_TIME.match(value):
        return False
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


#: format name → check (for strings; JSON Schema formats ignore other types). Defaults of each
#: algorithm's options; variants get their own name.
FORMATS: dict[str, Callable[[str], bool]] = {
    "gb11643": _identifier("gb11643"),
    "gb11643-legacy15": _identifier("gb11643", allow_legacy_15=True),
    "residence-permit-hmt": _identifier("residence_permit"),
    "foreign-permanent-residence-id": _identifier("foreign_pr"),
    "foreign-permanent-residence-id-2017": _identifier("foreign_pr", allow_2017=True),
    "gb32100": _identifier("gb32100"),
    "gb11714": _identifier("gb11714"),
    "gbt2260": _identifier("gbt2260"),
    "mobile-cn": _identifier("mobile"),
    "mobile-cn-strict": _identifier("mobile", strict=True),
    "service-item-code": _identifier("service_item"),
    "gbt7408-date-time": _date_time,
}

#: algorithm → (format, options the format assumes). Other option values make the mapping approximate.
_ALGORITHM_FORMATS: dict[str, tuple[str, dict[str, Any]]] = {
    "gb11643": ("gb11643", {"allow_legacy_15": False, "region_policy": "any_time"}),
    "residence_permit": ("residence-permit-hmt", {}),
    "foreign_pr": ("foreign-permanent-residence-id", {"allow_2017": False}),
    "gb32100": ("gb32100", {"check_category": True, "check_region": True, "check_org_code": True}),
    "gb11714": ("gb11714", {}),
    "mobile": ("mobile-cn", {"strict": False}),
    "service_item": ("service-item-code", {}),
}


def format_checker() -> Any:
    """A ``jsonschema.FormatChecker`` knowing govstd's identifier formats and ``gbt7408-date-time``
    (besides the standard ones, such as ``date``)."""
    import jsonschema

    checker = jsonschema.FormatChecker()
    for name, fn in FORMATS.items():
        checker.checks(name)(_strings_only(fn))
    return checker


def _strings_only(fn: Callable[[str], bool]) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        return fn(value) if isinstance(value, str) else True

    return check


def _identifier_format(b: Binding) -> tuple[str | None, str | None]:
    """(format name, note when the field's options differ from the format's assumptions)."""
    if b.algorithm not in _ALGORITHM_FORMATS:
        return None, None
    name, assumed = _ALGORITHM_FORMATS[b.algorithm]
    options = {k: v for k, v in b.options.items() if v is not None}
    if b.algorithm == "gb11643" and options.get("allow_legacy_15"):
        name, assumed = "gb11643-legacy15", {**assumed, "allow_legacy_15": True}
    if b.algorithm == "foreign_pr" and options.get("allow_2017"):
        name, assumed = "foreign-permanent-residence-id-2017", {"allow_2017": True}
    if b.algorithm == "mobile" and options.get("strict"):
        name, assumed = "mobile-cn-strict", {"strict": True}
    differ = sorted(k for k, v in options.items() if assumed.get(k, v) != v or k not in assumed)
    note = f"format {name} assumes the default options; this field sets {', '.join(differ)}" if differ else None
    return name, note


class _Schema:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.items: list[Item] = []
        self.properties: dict[str, dict[str, Any]] = {}
        self.required: list[str] = []

    def item(self, check: ir.Check, status: str, target: str, note: str | None = None) -> None:
        self.items.append(Item(check.rule_id, status, target, note))  # type: ignore[arg-type]

    def build(self) -> dict[str, Any]:
        for spec in self.source.schema.fields:
            if spec.name in self.source.derivation.bindings:
                self.properties[spec.name] = self.property(self.source.binding(spec.name))
        for check in self.source.checks:
            self.classify(check)
        schema = self.source.schema
        return {
            "$schema": DIALECT,
            "$id": f"urn:govstd:{schema.id}:{schema.version}:record",
            "title": schema.name_zh,
            "description": f"One record of {schema.ref} ({schema.name_en or schema.name_zh}), exported by "
                           f"{tool_label()}. Identifier formats need govstd.export.jsonschema.format_checker().",
            "type": "object",
            "properties": self.properties,
            "required": self.required,
            "x-govstd": {
                "schema": schema.ref, "exported_by": tool_label(),
                "formats": sorted({p["format"] for p in self._all_props() if "format" in p}),
                "approximate": [i.to_dict() for i in self.items if i.status == "approximate"],
                "not_exported": [i.to_dict() for i in self.items if i.status == "not_exported"],
            },
        }

    def _all_props(self) -> list[dict[str, Any]]:
        return [p for prop in self.properties.values() for p in (prop, *prop.get("anyOf", []))]

    def property(self, b: Binding) -> dict[str, Any]:
        spec = b.spec
        data_type = self.source.data_type(spec.name)
        prop: dict[str, Any] = {}
        if spec.name_zh:
            prop["title"] = spec.name_zh
        if spec.description:
            prop["description"] = spec.description
        json_type = {DataType.INTEGER: "integer", DataType.DECIMAL: "number", DataType.BOOLEAN: "boolean"}.get(
            data_type, "string")
        if b.is_identifier:
            json_type = "string"
        prop["type"] = json_type if spec.required else [json_type, "null"]
        if data_type == DataType.DATE and not b.is_identifier:
            prop["format"] = "date"
        elif data_type == DataType.DATETIME and not b.is_identifier:
            prop["format"] = "gbt7408-date-time"
        fmt, _ = _identifier_format(b)
        if fmt and not spec.masked:
            prop["format"] = fmt
        prop.update(self.source.constraints(spec.name, text=json_type == "string",
                                            numeric=json_type in ("integer", "number")))
        if "pattern" in prop:
            prop["pattern"] = f"^(?:{prop['pattern']})$"
        if json_type == "string" and spec.required:  # present and not blank (a non-string fails "type", not this)
            if "pattern" in prop:
                prop["allOf"] = [{"pattern": NOT_BLANK}]
            else:
                prop["pattern"] = NOT_BLANK
        if b.code_set is not None:
            codes = self.source.codes(spec.name)
            regions = b.code_set.id.upper() == "GBT2260"
            if codes is not None and not (regions and len(codes) > MAX_ENUM):
                prop["enum"] = codes + ([] if spec.required else [None])
            elif regions:
                prop["format"] = "gbt2260"
        if spec.required:
            self.required.append(spec.name)
        prop["x-govstd"] = {k: v for k, v in {
            "standard": self.source.pinned(b.element), "code_set": self.source.pinned(b.code_set),
            "options": b.options or None, "pii": b.pii.value if b.pii.value != "none" else None,
        }.items() if v is not None}
        if not prop["x-govstd"]:
            del prop["x-govstd"]
        return prop

    def classify(self, check: ir.Check) -> None:
        if isinstance(check, ir.UniqueCheck):
            self.item(check, "not_exported", "", "a record schema cannot see other records")
            return
        if isinstance(check, ir.FreshnessCheck):
            self.item(check, "not_exported", "", "freshness is a property of the dataset, not of a record")
            return
        if (other := self.source.other_dataset(check)) is not None:
            self.item(check, "not_exported", "", self.source.other_dataset_note(other))
            return
        if check.rule_id.startswith("rules."):
            self.item(check, "not_exported", "",
                      "JSON Schema cannot compare two fields of a record or look values up in a registry")
            return
        name = check.columns[0]
        b = self.source.binding(name)
        prop = self.properties[name]
        rule = check.rule
        if check.severity == "info":
            self.item(check, "not_exported", "", "an info check (reported, never failing a record)")
        elif rule == "pii_exposure":
            self.item(check, "not_exported", "", "a share policy on the dataset, not a property of a value")
        elif rule == "not_null":
            self.item(check, "exact", "required + not blank")
        elif b.is_identifier and b.algorithm in _ALGORITHM_FORMATS:
            fmt, note = _identifier_format(b)
            if b.spec.masked:
                self.item(check, "not_exported", "", "masked values are no identifiers: no format for them")
            elif rule == "length" and b.spec.length is not None and check.rule_id.endswith(".max_length"):
                self.item(check, "approximate", "maxLength", _TRIM_NOTE)
            else:
                self.item(check, "approximate" if note else "exact", f"format: {fmt}", note)
        elif rule == "type":
            self.item(check, "approximate", f"type: {prop['type']}",
                      "JSON carries typed values (dates in ISO 8601 form); govstd reads text in several layouts")
        elif rule in ("length", "pattern"):
            self.item(check, "approximate", "maxLength/minLength" if rule == "length" else "pattern", _TRIM_NOTE)
        elif rule == "range":
            self.item(check, "exact", "minimum/maximum")
        elif rule == "code_set":
            if "enum" in prop:
                self.item(check, "approximate", "enum", _TRIM_NOTE + "; codes in force on the day of the export")
            else:
                self.item(check, "approximate", "format: gbt2260",
                          "any GB/T 2260 code of any year: the format does not pin the code set's version or date")
        else:
            self.item(check, "not_exported", "", f"no JSON Schema form for {rule!r}")


def export(source: Source, **_: Any) -> Export:
    """The record schema as JSON."""
    builder = _Schema(source)
    document = builder.build()
    return Export(format="jsonschema", text=json.dumps(document, ensure_ascii=False, indent=2) + "\n",
                  items=builder.items, warnings=list(source.derivation.suite.warnings))


__all__ = ["FORMATS", "export", "format_checker"]
