"""``govstd export odcs``: an Open Data Contract Standard (ODCS v3.1.0) data contract.

The catalogue schema becomes one schema object with its fields as properties (business names in
Chinese, personal data classified), and every govstd check becomes a quality rule tagged with the
ODCS dimension its GB/T 36344 dimension maps to (``DIMENSIONS``; the indicator decides where the
two standards cut differently: 数据唯一性 / 数据重复率 are ODCS *uniqueness*). Presence and key
uniqueness are ODCS library metrics; the rest are ``custom`` rules for the ``govstd`` engine naming
the rule id ``govstd validate`` reports. 可访问性 (accessibility) has no ODCS dimension: its checks
keep ``dimension`` unset and say so.
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML

from govstd.export import Export, Item, Source, tool_label
from govstd.standards.models import DataType, PiiClass, QualityDimension
from govstd.validators import ir

#: GB/T 36344-2018 dimension → ODCS dimension (None: ODCS has none).
DIMENSIONS: dict[QualityDimension, str | None] = {
    QualityDimension.CONFORMITY: "conformity",
    QualityDimension.COMPLETENESS: "completeness",
    QualityDimension.ACCURACY: "accuracy",
    QualityDimension.CONSISTENCY: "consistency",
    QualityDimension.TIMELINESS: "timeliness",
    QualityDimension.ACCESSIBILITY: None,
}
#: GB/T 36344 indicators ODCS files under another dimension than their GB/T 36344 one.
INDICATOR_DIMENSIONS: dict[str, str] = {"数据唯一性": "uniqueness", "数据重复率": "uniqueness"}
_LOGICAL = {DataType.STRING: "string", DataType.INTEGER: "integer", DataType.DECIMAL: "number",
            DataType.BOOLEAN: "boolean", DataType.DATE: "date", DataType.DATETIME: "timestamp"}
_STATUS = {"standard": "active", "preferred_standard": "active", "superseded": "deprecated", "retired": "retired"}


def odcs_dimension(check: ir.Check) -> str | None:
    if check.indicator in INDICATOR_DIMENSIONS:
        return INDICATOR_DIMENSIONS[check.indicator]
    return DIMENSIONS[check.dimension]


def _rule(check: ir.Check) -> dict[str, Any]:
    rule: dict[str, Any] = {"id": check.rule_id.replace(".", "_"), "name": check.rule_id}
    dimension = odcs_dimension(check)
    if dimension:
        rule["dimension"] = dimension
    rule["description"] = check.description + (f" (GB/T 36344 {check.dimension.label_zh} / {check.indicator})"
                                               if check.indicator else "")
    rule["severity"] = check.severity if check.severity in ("error", "warning") else "info"
    if check.rule == "not_null":
        rule.update(type="library", metric="nullValues", mustBe=0)
    elif isinstance(check, ir.UniqueCheck):
        rule.update(type="library", metric="duplicateValues", mustBe=0)
    else:
        rule.update(type="custom", engine="govstd", implementation=f"govstd validate: rule {check.rule_id}")
    return rule


def export(source: Source, **_: Any) -> Export:
    """The contract as YAML."""
    schema = source.schema
    by_column: dict[str, list[dict[str, Any]]] = {}
    table_rules: list[dict[str, Any]] = []
    items: list[Item] = []
    for check in source.checks:
        rule = _rule(check)
        single = len(check.columns) == 1 and not check.rule_id.startswith("rules.")
        (by_column.setdefault(check.columns[0], []) if single else table_rules).append(rule)
        note = None if odcs_dimension(check) else "可访问性 has no ODCS dimension"
        items.append(Item(check.rule_id, "exact", f"quality ({rule['type']})", note))
    properties = []
    for spec in schema.fields:
        if spec.name not in source.derivation.bindings:
            continue
        b = source.binding(spec.name)
        prop: dict[str, Any] = {"name": spec.name, "logicalType": _LOGICAL[source.data_type(spec.name)]}
        if b.is_identifier:
            prop["logicalType"] = "string"
        if spec.name_zh:
            prop["businessName"] = spec.name_zh
        if spec.description:
            prop["description"] = spec.description
        prop["required"] = spec.required
        if spec.key and len([f for f in schema.fields if f.key]) == 1:
            prop["unique"] = True
            prop["primaryKey"] = True
        if b.pii != PiiClass.NONE:
            prop["classification"] = "restricted"
            prop["customProperties"] = [{"property": "pii", "value": b.pii.value}]
        if b.element is not None:
            prop.setdefault("customProperties", []).append({"property": "standard", "value": source.pinned(b.element)})
        if b.code_set is not None:
            prop.setdefault("customProperties", []).append({"property": "codeSet", "value": source.pinned(b.code_set)})
        if by_column.get(spec.name):
            prop["quality"] = by_column[spec.name]
        properties.append(prop)
    obj: dict[str, Any] = {"name": schema.id, "physicalName": "data", "logicalType": "object",
                           "businessName": schema.name_zh, "properties": properties}
    if table_rules:
        obj["quality"] = table_rules
    contract: dict[str, Any] = {
        "apiVersion": "v3.1.0", "kind": "DataContract", "id": f"urn:govstd:{schema.id}", "name": schema.name_zh,
        "version": schema.version, "status": _STATUS.get(schema.status.value, "draft"),
        "description": {"purpose": schema.summary or schema.name_zh},
        "schema": [obj],
        "customProperties": [
            {"property": "govstdSchema", "value": schema.ref},
            {"property": "shareType", "value": schema.share.share_type.value},
            {"property": "sensitivity", "value": schema.sensitivity.value},
            {"property": "updateCycle", "value": schema.update_cycle.value},
            {"property": "exportedBy", "value": tool_label()},
        ],
    }
    if schema.provider:
        contract["customProperties"].append({"property": "provider", "value": schema.provider.name})
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    buffer = io.StringIO()
    yaml.dump(contract, buffer)
    return Export(format="odcs", text=buffer.getvalue(), items=items, warnings=list(source.derivation.suite.warnings))


__all__ = ["DIMENSIONS", "INDICATOR_DIMENSIONS", "export", "odcs_dimension"]
