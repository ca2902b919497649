"""Exports of a catalogue schema version for the tools pipelines already run: one module per format
behind one small registry (as datacontract-cli's exporters).

Every exporter starts from the checks ``govstd validate`` derives (``govstd.validators.derive``) and
says, check by check, what became of it — expressed exactly, approximately (with the difference), or
not at all (with the reason). Nothing is dropped silently: the items travel inside the artifact
(suite meta, ``x-govstd`` keywords, SQL comments) and in the ``Export`` returned. A check comparing
with another department's dataset (``consistent_with``) is never exported, by any format: that dataset
is read and staged only inside a ``govstd validate`` run (``Source.other_dataset``).

>>> sorted(FORMATS)
['frictionless', 'gx', 'jsonschema', 'odcs', 'sql']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from govstd import __version__
from govstd.errors import InputError
from govstd.formats import Format, Formats
from govstd.registry.resolve import load_schema_file, resolver_for, schema_in_registry
from govstd.standards import library
from govstd.standards.masking import redact
from govstd.standards.models import AnyEntry, CatalogueSchema, DataType, RegisteredServiceItemRule
from govstd.validators import ir
from govstd.validators.compiler.plans import check_expressions, walk
from govstd.validators.derive import (
    Binding,
    Derivation,
    Resolver,
    derive,
    service_item_codes_from,
)

__all__ = [
    "FORMATS",
    "Export",
    "ExportFormat",
    "Item",
    "Source",
    "Status",
    "export",
    "load_source",
]

Status = Literal["exact", "approximate", "not_exported"]


@dataclass(frozen=True)
class Item:
    """What became of one govstd check in an export."""

    rule_id: str
    status: Status
    target: str = ""
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "status": self.status, "target": self.target, "note": self.note}


@dataclass
class Export:
    """An exported artifact (``text``) and, check by check, what it expresses."""

    format: str
    text: str
    items: list[Item] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def by_status(self, status: Status) -> list[Item]:
        return [i for i in self.items if i.status == status]

    def summary(self) -> str:
        """A few lines for people: counts, then every approximate and unexported check with why."""
        exact, approx, missing = (self.by_status(s) for s in ("exact", "approximate", "not_exported"))
        lines = [f"{self.format}: {len(self.items)} checks — {len(exact)} exact, {len(approx)} approximate, "
                 f"{len(missing)} not exported"]
        for label, items in (("approximate", approx), ("not exported", missing)):
            for item in items:
                lines.append(f"  {label}: {item.rule_id}" + (f" — {item.note}" if item.note else ""))
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def report(self) -> dict[str, Any]:
        return {"format": self.format, "items": [i.to_dict() for i in self.items], "warnings": self.warnings}


@dataclass
class Source:
    """What is exported: a catalogue schema, how its references resolve, and its derived checks."""

    schema: CatalogueSchema
    resolver: Resolver
    derivation: Derivation
    #: Entries defined beside the schema (in its file), which its references may name.
    local: list[AnyEntry] = field(default_factory=list)
    registry: str | None = None
    today: dt.date | None = None

    @property
    def checks(self) -> list[ir.Check]:
        return list(self.derivation.suite.checks)

    def other_dataset(self, check: ir.Check) -> ir.OtherDataset | None:
        """The other department's dataset ``check`` looks values up in (a ``consistent_with`` rule), or
        None. Such a table exists only inside a run — read and staged by ``govstd validate`` — so no
        exporter can express the check, and none may emit an artifact naming that table."""
        staged = {d.name: d for d in self.derivation.suite.datasets}
        for expr in [*check_expressions([check]), *check.sample_values.values()]:
            for node in walk(expr):
                if isinstance(node, ir.Func) and node.params.get("table") in staged:
                    return staged[node.params["table"]]
        return None

    def other_dataset_note(self, dataset: ir.OtherDataset) -> str:
        """Why a check comparing with another dataset is not exported (every exporter says the same)."""
        where = redact(dataset.source)  # an artifact is shared: never a database password
        return (f"compares with another department's dataset ({dataset.catalogue.ref}: {where}), which "
                "only govstd validate reads and joins: run govstd validate for this check")

    def binding(self, name: str) -> Binding:
        return self.derivation.bindings[name]

    def data_type(self, name: str) -> DataType:
        """The field's data type: the schema's, else its bound element's."""
        b = self.binding(name)
        if b.spec.data_type == DataType.STRING and b.element is not None:
            return b.element.data_type
        return b.spec.data_type

    def pinned(self, entry: AnyEntry | None) -> str | None:
        return f"{entry.id}@{entry.version}" if entry is not None else None

    def field_description(self, name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The field as a catalogue ``FieldSpec`` (without its name) with pinned references, and the
        definitions of referenced entries that are not built into govstd (to carry along)."""
        b = self.binding(name)
        spec = b.spec.model_dump(mode="json", exclude_none=True, exclude_defaults=True, exclude={"name", "name_zh",
                                                                                                 "description"})
        entries: list[dict[str, Any]] = []
        if b.element is not None:
            spec["standard"] = self.pinned(b.element)
            entries += self._carry(b.element)
        if b.code_set is not None and (b.spec.code_set or b.element is None):
            spec["code_set"] = self.pinned(b.code_set)
            entries += self._carry(b.code_set)
        elif b.code_set is not None:
            entries += self._carry(b.code_set)
        return spec, entries

    def constraints(self, name: str, *, text: bool, numeric: bool) -> dict[str, Any]:
        """The field's value constraints under the keywords JSON Schema and Table Schema share — for
        ``text``, ``maxLength``, ``minLength`` and ``pattern`` (unanchored); for ``numeric``, ``minimum``
        and ``maximum`` — each the field's own, else its bound element's. An identifier takes no
        length or pattern from its element: its algorithm says more, and each format says that its way."""
        b = self.binding(name)
        spec = b.spec
        out: dict[str, Any] = {}
        rep = b.element.representation if b.element is not None and not b.is_identifier else None
        if text:
            lengths = [v for v in (spec.length, rep.max_length if rep is not None else None) if v is not None]
            if lengths:
                out["maxLength"] = min(lengths)
            if rep is not None and rep.min_length is not None:
                out["minLength"] = rep.min_length
            pattern = spec.pattern or (rep.pattern if rep is not None and b.code_set is None else None)
            if pattern:
                out["pattern"] = pattern
        if numeric:
            for key, value in (("minimum", spec.minimum), ("maximum", spec.maximum)):
                if value is None and b.element is not None:
                    value = getattr(b.element.value_domain, key)
                if value is not None:
                    out[key] = value
        return out

    def codes(self, name: str) -> list[str] | None:
        """The codes govstd accepts in the field (as derived: in force today unless historical); None
        when it has no code-set check."""
        for check in self.checks:
            if isinstance(check, ir.RowCheck) and check.rule_id == f"{name}.code_set":
                if isinstance(check.expect, ir.InValues):
                    return list(check.expect.values)
                if isinstance(check.expect, ir.Func) and check.expect.name == "in_table":
                    table = self.derivation.suite.table(str(check.expect.params["table"]))
                    return sorted(str(r[0]) for r in table.rows)
        return None

    def _carry(self, entry: AnyEntry) -> list[dict[str, Any]]:
        return [] if is_builtin(entry) else [entry.model_dump(mode="json", exclude_none=True)]


def is_builtin(entry: AnyEntry) -> bool:
    """Is ``entry`` exactly the version govstd ships (so a pinned reference finds it anywhere)?"""
    try:
        shipped = library.find(entry.id)
    except Exception:
        return False
    return shipped.id == entry.id and shipped.version == entry.version and shipped == entry


# --------------------------------------------------------------------------- formats


class _ExportFn(Protocol):
    def __call__(self, source: Source, /, **options: Any) -> Export: ...


@dataclass(frozen=True)
class ExportFormat(Format):
    """One export format: where its exporter lives, the file it writes, and what it is for."""

    suffix: str
    description: str

    def exporter(self) -> _ExportFn:
        fn: _ExportFn = self.load("export")
        return fn


FORMATS: Formats[ExportFormat] = Formats("export format", (
    ExportFormat("gx", "govstd.export.gx", ".json", "Great Expectations (GX Core 1.x) expectation suite"),
    ExportFormat("jsonschema", "govstd.export.jsonschema", ".schema.json",
                 "record-level JSON Schema (2020-12) with format names for govstd's identifiers"),
    ExportFormat("frictionless", "govstd.export.frictionless", ".schema.json",
                 "Frictionless Table Schema (checksums are not expressible there)"),
    ExportFormat("sql", "govstd.export.sql", ".sql", "the compiled check queries for one SQL dialect"),
    ExportFormat("odcs", "govstd.export.odcs", ".odcs.yaml",
                 "Open Data Contract Standard (ODCS v3) contract with quality rules by dimension"),
))


def export(fmt: str, source: Source, **options: Any) -> Export:
    """Export ``source`` in format ``fmt`` (a key of ``FORMATS``); ``options`` are the format's."""
    return FORMATS.find(fmt).exporter()(source, **options)


# --------------------------------------------------------------------------- loading


def load_source(ref: str | None = None, *, schema_file: str | Path | None = None, registry: str | None = None,
                today: dt.date | None = None) -> Source:
    """A catalogue schema version to export: ``ref`` from a registry (``registry`` URL, else
    ``$GOVSTD_REGISTRY`` or the default one), or the one catalogue schema in ``schema_file`` (a YAML
    file that may also define the standards it binds; others resolve against ``registry`` when
    given, else the built-in library)."""
    if (ref is None) == (schema_file is None):
        raise InputError("give a schema reference or --schema-file, not both", expected="REF or --schema-file FILE")
    reg: Any = None
    local: list[AnyEntry] = []
    try:
        if schema_file is not None:
            schema, local = load_schema_file(schema_file)
            if registry:
                reg = _open(registry)
        else:
            assert ref is not None
            reg = _open(registry)
            schema = schema_in_registry(reg, ref)
        # Cached by resolver_for: the registry closes on return, and exporters only re-read what derive
        # resolved.
        resolver = resolver_for(local, registry=reg)
        items = None
        if reg is not None and any(isinstance(r, RegisteredServiceItemRule) for r in schema.rules):
            items = service_item_codes_from(reg)
        derivation = derive(schema, resolver=resolver, today=today, service_items=items)
        return Source(schema=schema, resolver=resolver, derivation=derivation, local=local,
                      registry=getattr(reg, "location", None), today=today)
    finally:
        if reg is not None:
            reg.close()


def _open(url: str | None) -> Any:
    from govstd.registry.store import Registry

    return Registry(url)


def tool_label() -> str:
    return f"govstd {__version__}"
