"""How a schema field binds its standard: ``Binding``, ``bind``, ``bind_fields``, the resolver type.

Done once per run and handed to ``derive`` and the report, so a field is never bound twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from govstd.errors import InputError
from govstd.standards import library, numbers
from govstd.standards.masking import rule_for
from govstd.standards.models import (
    AnyEntry,
    CatalogueSchema,
    CodeSet,
    DataElement,
    FieldSpec,
    MaskingRule,
    PiiClass,
)
from govstd.validators import ir

#: (ref, kind) → entry. ``kind`` is an EntryKind value ('data_element', 'code_set', …) or None.
Resolver = Callable[[str, str | None], AnyEntry]



@dataclass
class Binding:
    """A schema field with what it is bound to."""

    spec: FieldSpec
    element: DataElement | None = None
    code_set: CodeSet | None = None
    algorithm: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    pii: PiiClass = PiiClass.NONE
    masking: MaskingRule | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def is_identifier(self) -> bool:
        return self.algorithm in numbers.IDENTIFIERS


@dataclass
class ServiceItemCodes:
    """Registered service item codes (basic and implementation codes), active and retired."""

    active: set[str]
    retired: set[str] = field(default_factory=set)
    #: The catalogue's code files (``Registry.service_item_code_files``): read by the engine, never here.
    active_files: list[str] = field(default_factory=list)
    retired_files: list[str] = field(default_factory=list)
    #: How many codes those files hold (for the check's details).
    file_codes: int = 0


@dataclass
class Derivation:
    suite: ir.CheckSuite
    bindings: dict[str, Binding]
    #: column → masking rule for samples (None: not personal data, shown as is).
    masking: dict[str, MaskingRule | None]


def builtin_resolver(ref: str, kind: str | None = None) -> AnyEntry:
    """Resolve against the built-in library by the registry's rule (``library.find``): a candidate or
    superseded choice is issued as a ``ResolutionWarning``."""
    return library.find(ref, kind)


def bind(spec: FieldSpec, resolver: Resolver) -> Binding:
    """Resolve a field's standard and code set; merge algorithm options (field overrides element)."""
    b = Binding(spec=spec)
    if spec.standard:
        entry = resolver(spec.standard, None)
        if isinstance(entry, DataElement):
            b.element = entry
        elif isinstance(entry, CodeSet):
            b.code_set = entry
        else:
            raise InputError(f"field {spec.name!r} binds {spec.standard!r}, a {entry.kind.value}",
                             field=f"fields.{spec.name}.standard", expected="a data element or a code set")
    set_ref = spec.code_set or (b.element.value_domain.code_set if b.element else None)
    if set_ref and b.code_set is None:
        entry = resolver(set_ref, "code_set")
        if not isinstance(entry, CodeSet):
            raise InputError(f"field {spec.name!r}: {set_ref!r} is not a code set", field=f"fields.{spec.name}")
        b.code_set = entry
    if b.element is not None:
        b.algorithm = b.element.value_domain.algorithm
        b.options = {**b.element.value_domain.options, **spec.options}
    else:
        b.options = dict(spec.options)
    b.pii = spec.pii or (b.element.pii if b.element else PiiClass.NONE)
    b.masking = rule_for(b.element, b.pii)
    return b


def bind_fields(schema: CatalogueSchema, resolver: Resolver) -> dict[str, Binding]:
    """Every field of ``schema`` bound (``bind``): done once per run, then handed to ``derive``."""
    return {f.name: bind(f, resolver) for f in schema.fields}


def service_item_codes_from(source: Any) -> ServiceItemCodes:
    """Registered codes from a registry (``service_item_codes(include_retired=…)``), a mapping code →
    status or active flag, or an iterable of active codes."""
    if hasattr(source, "service_item_codes"):
        # Items published as entries are few: their codes come as sets. The catalogue's millions stay
        # in its per-release code files, which the engine reads (``registry.items.codes``).
        active = set(source.service_item_codes())
        everything = set(source.service_item_codes(include_retired=True))
        files = source.service_item_code_files() if hasattr(source, "service_item_code_files") else None
        if files is None:
            return ServiceItemCodes(active=active, retired=everything - active)
        return ServiceItemCodes(active=active, retired=everything - active, active_files=[str(files.active)],
                                retired_files=[str(files.retired)], file_codes=files.active_count)
    if isinstance(source, ServiceItemCodes):
        return source
    if isinstance(source, Mapping):
        active = {str(k) for k, v in source.items() if v is True or str(v).lower() not in {"retired", "false"}}
        return ServiceItemCodes(active=active, retired={str(k) for k in source} - active)
    return ServiceItemCodes(active={str(c) for c in source})

