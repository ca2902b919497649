"""Catalogue schema (+ the standards its fields bind) → the checks to run, as IR.

Every check gets a stable rule id — ``<column>.<rule>`` (``id_number.checksum``), ``key.unique``,
``rules.<id or index>`` — the GB/T 36344 dimension and indicator it measures, and a description.
Identifier standards are checked part by part (length, format, checksum, birth date, region, …) so a
report can weigh them. A non-canonical but recoverable form (a lower-case ``x``, full-width digits, a
``+86`` prefix, a code-set label 男 for the code 1) is a ``warning`` in 规范性 (``<column>.normalised``),
and every other check reads the normalised value. Spreadsheet damage is an ``info`` check of its own;
already-masked values are never format errors: ``<column>.masked`` counts them. What a module's
``findings()`` reports — valid but worth weighing: a credit code's region or category outside the
tables, a birth date before 1900 — is a ``warning`` check, an error only under the field's
``strict: true`` option, as in the Python module. Every check carries, in ``details``, the reason a
report gives when it evaluates no row (``UNMEASURED_KEY``). Constants come from ``govstd.standards.numbers``.

The parts, each a layer of one builder: ``bindings`` (a field and its standard), ``base`` (the state
they share), ``identifiers``, ``fields``, ``rules`` (the key and dataset rules), ``codes`` (code-set
matching); ``derive`` here runs them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from govstd.errors import InputError
from govstd.standards.models import CatalogueSchema
from govstd.validators import ir
from govstd.validators.derive.base import INDICATORS
from govstd.validators.derive.bindings import (
    Binding,
    Derivation,
    Resolver,
    ServiceItemCodes,
    bind,
    bind_fields,
    builtin_resolver,
    service_item_codes_from,
)
from govstd.validators.derive.rules import RuleChecks


def derive(
    schema: CatalogueSchema,
    *,
    columns: Sequence[str] | None = None,
    resolver: Resolver | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    service_items: ServiceItemCodes | None = None,
    bindings: Mapping[str, Binding] | None = None,
) -> Derivation:
    """The checks for ``schema``; ``columns`` (the data's, mapped to field names) drops checks on
    absent optional columns. Missing required columns are the caller's InputError. ``bindings``:
    the fields already bound (``bind_fields``), so a run binds each field once."""
    resolve = resolver or builtin_resolver
    if now is None:
        now = dt.datetime.combine(today, dt.time(23, 59, 59)) if today is not None else dt.datetime.now()
    today = today or now.date()
    present = set(columns) if columns is not None else {f.name for f in schema.fields}
    bound = bindings if bindings is not None else bind_fields(schema, resolve)
    bindings = {f.name: bound[f.name] for f in schema.fields if f.name in present}
    builder = RuleChecks(schema, bindings, today=today, now=now, service_items=service_items, resolver=resolve)
    for f in schema.fields:
        if f.name not in bindings:
            builder.warnings.append(f"column {f.name!r} is not in the data: its checks were not run")
            continue
        builder.field_checks(bindings[f.name])
    builder.key()
    builder.rules()
    ids = [c.rule_id for c in builder.checks]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise InputError(f"two checks got the same rule id: {', '.join(dupes)}", field="rules",
                         expected="distinct rule ids")
    suite = ir.CheckSuite(checks=builder.checks, tables=list(builder.tables.values()), datasets=builder.datasets,
                          warnings=builder.warnings)
    masking = {**builder.label_masking, **{n: b.masking for n, b in bindings.items()}}
    return Derivation(suite=suite, bindings=bindings, masking=masking)


__all__ = [
    "INDICATORS",
    "Binding",
    "Derivation",
    "Resolver",
    "ServiceItemCodes",
    "bind",
    "bind_fields",
    "builtin_resolver",
    "derive",
    "service_item_codes_from",
]
