"""The row conditions of govstd's GX expectations — the predicates ``govstd validate`` itself uses.

An expectation's kwargs describe a minimal catalogue schema: one field bound the way the
expectation says (or two fields and a rule). ``govstd.validators.derive`` derives that schema's
checks, and the expectation's condition is taken from them: a row meets the expectation unless a
check applies to it and fails. GX's unexpected count is then govstd's failed count by construction,
on every engine — the derivation and the compiler stay the one source of truth, and no algorithm is
re-typed here. No GX import in this module.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from govstd.errors import InputError
from govstd.registry.resolve import Lookup, chain, library_lookup, local_lookup, registry_lookup
from govstd.standards import numbers
from govstd.standards.loader import parse_entry
from govstd.standards.models import (
    AnyEntry,
    CatalogueSchema,
    Code,
    CodeSet,
    CompareRule,
    DataElement,
    DataType,
    FieldSpec,
    IdConsistencyRule,
    Provider,
    ShareAttributes,
    ShareType,
    ValueDomain,
)
from govstd.standards.versions import Resolved
from govstd.validators import ir
from govstd.validators.derive import Resolver, derive

#: Identifier algorithms an expectation can check part by part (``value_domain.algorithm`` names).
IDENTIFIER_ALGORITHMS = numbers.IDENTIFIERS
#: Checks a "valid" expectation leaves out: presence is ``not_null``'s job, exposure is not validity.
NOT_VALIDITY = frozenset({"not_null", "pii_exposure"})
#: Environment variable naming a registry to resolve pinned references the built-in library lacks.
REGISTRY_ENV = "GOVSTD_REGISTRY"
_ENTRIES = "in the expectation's entries"
_RULE = "gx"  # id of the one rule in a two-column schema: its checks are rules.gx[.<aspect>]


@dataclass(frozen=True)
class Condition:
    """A row passes when ``passes`` holds. ``tables``: the reference data it reads. ``checks``: the
    govstd checks it stands for (their rule ids are relative to the synthetic schema's columns)."""

    passes: ir.Expr
    tables: tuple[ir.ReferenceTable, ...]
    columns: tuple[str, ...]
    checks: tuple[ir.RowCheck, ...]


def passes(check: ir.RowCheck) -> ir.Expr:
    """The row is not counted as failed by ``check``: the check does not apply, or it holds."""
    if check.applies is None:
        return check.expect
    return ir.or_(ir.not_(check.applies), check.expect)


# --------------------------------------------------------------------------- resolution


def make_resolver(entries: Sequence[Mapping[str, Any]] = (), registry: str | None = None) -> Resolver:
    """Entries carried in the expectation first, then the built-in library, then a registry
    (``registry`` or ``$GOVSTD_REGISTRY``), by the one rule (``govstd.registry.resolve``). References
    are pinned, and a published version never changes, so every source gives the same entry."""
    local = [parse_entry(dict(raw), path="expectation kwargs 'entries'") for raw in entries]
    url = registry or os.environ.get(REGISTRY_ENV) or None
    layers: list[Lookup] = [local_lookup(local, where=_ENTRIES), library_lookup]
    if url is not None:
        layers.append(functools.partial(_registry_lookup, url))
    return chain(*layers)


@functools.lru_cache(maxsize=32)
def _registry_lookup(url: str, ref: str, kind: str | None) -> Resolved:
    # Cached across expectations: each builds its own resolver, and opening a registry is not free.
    from govstd.registry.store import Registry

    with Registry(url) as reg:
        return registry_lookup(reg)(ref, kind)


def _with(extra: Iterable[AnyEntry]) -> Resolver:
    """The expectation's own synthetic entries, then the built-in library."""
    return chain(local_lookup(extra, where=_ENTRIES), library_lookup)


# --------------------------------------------------------------------------- derivation


def _schema(fields: list[FieldSpec], rules: Sequence[Any] = (), *, exposed: bool = False) -> CatalogueSchema:
    return CatalogueSchema(
        id="govstd-gx-expectation", name_zh="GX 期望", provider=Provider(name="govstd"),
        share=ShareAttributes(share_type=ShareType.UNCONDITIONAL if exposed else ShareType.NOT_SHARED),
        fields=fields, rules=list(rules),
    )


def _derive(schema: CatalogueSchema, resolver: Resolver, today: dt.date | None) -> ir.CheckSuite:
    return derive(schema, resolver=resolver, today=today).suite


def _condition(suite: ir.CheckSuite, checks: Sequence[ir.RowCheck], columns: Sequence[str]) -> Condition:
    expr = ir.and_(*[passes(c) for c in checks])
    used = _tables_used(expr)
    return Condition(passes=expr, tables=tuple(t for t in suite.tables if t.name in used), columns=tuple(columns),
                     checks=tuple(checks))


def _pick(suite: ir.CheckSuite, prefix: str, part: str, what: str) -> list[ir.RowCheck]:
    rows = [c for c in suite.checks if isinstance(c, ir.RowCheck) and c.rule_id.startswith(prefix)]
    parts = {c.rule_id[len(prefix):]: c for c in rows}
    if part == "valid":
        chosen = [c for c in rows if c.severity == "error" and c.rule not in NOT_VALIDITY]
        if chosen:
            return chosen
    elif part in parts:
        return [parts[part]]
    available = ", ".join(["valid", *parts]) if part != "valid" else ", ".join(parts)
    raise InputError(f"{what} has no check {part!r}", field="part", expected=available or "nothing to check")


def _tables_used(expr: ir.Expr) -> set[str]:
    out: set[str] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Func):
            if "table" in node.params:
                out.add(str(node.params["table"]))
            stack.extend(node.args)
        elif isinstance(node, ir.Cmp):
            stack.extend([node.left, node.right])
        elif isinstance(node, ir.And | ir.Or):
            stack.extend(node.args)
        elif isinstance(node, ir.Not | ir.IsNull | ir.InValues):
            stack.append(node.arg)
    return out


def _date(value: str | dt.date | None, what: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{what} is not a date: {value!r}", field=what, expected="YYYY-MM-DD") from None


def _element(algorithm: str, options: Mapping[str, Any]) -> DataElement:
    if algorithm not in IDENTIFIER_ALGORITHMS:
        raise InputError(f"unknown identifier algorithm {algorithm!r}", field="algorithm",
                         expected=", ".join(IDENTIFIER_ALGORITHMS))
    return DataElement(
        id=f"govstd-gx-{algorithm}", name_zh=algorithm,
        value_domain=ValueDomain(algorithm=algorithm, options={k: v for k, v in options.items() if v is not None}),
        pii=numbers.get(algorithm).PII,
    )


# --------------------------------------------------------------------------- the conditions


def identifier_condition(column: str, algorithm: str, part: str = "valid", *,
                         options: Mapping[str, Any] | None = None, masked: bool = False,
                         today: str | dt.date | None = None) -> Condition:
    """``column`` holds identifiers of ``algorithm`` (GB 11643, GB 32100, …): all of them
    (``part='valid'``) or one part (``length``, ``format``, ``checksum``, …), with the algorithm's
    ``options`` (``allow_legacy_15``, ``region_policy``, ``check_org_code``, …). ``masked``: values
    are expected to be masked already (masked values are then out of scope)."""
    element = _element(algorithm, options or {})
    spec = FieldSpec(name=column, standard=element.id, masked=masked)
    suite = _derive(_schema([spec]), _with([element]), _date(today, "today"))
    return _condition(suite, _pick(suite, f"{column}.", part, f"{algorithm} identifier"), [column])


def field_condition(column: str, check: str, field: Mapping[str, Any], *,
                    entries: Sequence[Mapping[str, Any]] = (), registry: str | None = None,
                    today: str | dt.date | None = None, exposed: bool = False) -> Condition:
    """Check ``check`` (``type``, ``range``, ``code_set``, ``checksum``, ``normalised``, …, or
    ``valid``) of a catalogue field described by ``field`` (a ``FieldSpec`` without its name; its
    ``standard`` and ``code_set`` references should be pinned). ``entries``: definitions of
    referenced standards that are not built in. ``exposed``: the dataset is shared unconditionally
    or open (derives the personal-data exposure check)."""
    try:
        spec = FieldSpec.model_validate({**dict(field), "name": column})
    except ValueError as exc:
        raise InputError(f"bad field description: {exc}", field="field") from None
    suite = _derive(_schema([spec], exposed=exposed), make_resolver(entries, registry), _date(today, "today"))
    return _condition(suite, _pick(suite, f"{column}.", check, f"field {column!r}"), [column])


def code_set_condition(column: str, code_set: str, *, as_of: str | dt.date | None = None, historical: bool = False,
                       match: str = "code", entries: Sequence[Mapping[str, Any]] = (), registry: str | None = None,
                       today: str | dt.date | None = None) -> Condition:
    """``column`` holds codes (or labels: ``match='label'|'any'``) of code set ``code_set`` (pinned,
    e.g. ``GBT2260@2024.1.0``) in force on ``as_of`` (default: today), or at any time (``historical``)."""
    options: dict[str, Any] = {"historical": historical, "match": match}
    when = _date(as_of, "as_of")
    if when is not None:
        options["as_of"] = when.isoformat()
    return field_condition(column, "code_set", {"code_set": code_set, "options": options}, entries=entries,
                           registry=registry, today=today)


ID_ASPECTS = ("birth_date", "sex", "region")


def id_pair_condition(id_column: str, other_column: str, aspect: str, *, algorithm: str = "gb11643",
                      allow_legacy_15: bool = False, male_code: str = "1", female_code: str = "2") -> Condition:
    """The ``aspect`` (birth date, sex or region) in ``other_column`` agrees with the citizen ID
    number in ``id_column`` — govstd's ``id_consistency`` rule. Sex codes default to GB/T 2261.1."""
    if aspect not in ID_ASPECTS:
        raise InputError(f"unknown aspect {aspect!r}", field="aspect", expected=", ".join(ID_ASPECTS))
    if algorithm not in ("gb11643", "residence_permit"):
        raise InputError(f"algorithm {algorithm!r} carries no birth date or sex", field="algorithm",
                         expected="gb11643 or residence_permit")
    if id_column == other_column:
        raise InputError("the ID column and the other column are the same", field="column_B")
    element = _element(algorithm, {"allow_legacy_15": allow_legacy_15})
    extra: list[AnyEntry] = [element]
    other = FieldSpec(name=other_column, data_type=DataType.DATE if aspect == "birth_date" else DataType.STRING)
    if aspect == "sex":
        sexes = CodeSet(id="govstd-gx-sex", name_zh="性别", codes=[Code(code=male_code, label_zh="男性"),
                                                                 Code(code=female_code, label_zh="女性")])
        extra.append(sexes)
        other = other.model_copy(update={"code_set": sexes.id})
    rule = IdConsistencyRule(id=_RULE, id_field=id_column, **{f"{aspect}_field": other_column})
    schema = _schema([FieldSpec(name=id_column, standard=element.id), other], [rule])
    suite = _derive(schema, _with(extra), None)
    return _condition(suite, _pick(suite, f"rules.{_RULE}.", aspect, "ID consistency"), [id_column, other_column])


COMPARABLE_TYPES = ("string", "integer", "decimal", "date", "datetime")


def compare_condition(left: str, right: str, op: str, *, left_type: str = "string",
                      right_type: str | None = None) -> Condition:
    """``left op right`` for rows where both parse as ``left_type`` / ``right_type`` — govstd's
    ``compare`` rule (dates and times are parsed in every layout govstd accepts)."""
    types = {}
    for name, value in (("left_type", left_type), ("right_type", right_type or left_type)):
        if value not in COMPARABLE_TYPES:
            raise InputError(f"unknown {name} {value!r}", field=name, expected=", ".join(COMPARABLE_TYPES))
        types[name] = DataType(value)
    if left == right:
        raise InputError("the two columns are the same", field="column_B")
    try:
        rule = CompareRule(id=_RULE, left=left, op=op, right=right)
    except ValueError:
        raise InputError(f"unknown operator {op!r}", field="op", expected="<, <=, =, !=, >=, >") from None
    schema = _schema([FieldSpec(name=left, data_type=types["left_type"]),
                      FieldSpec(name=right, data_type=types["right_type"])], [rule])
    suite = _derive(schema, _with(()), None)
    checks = [c for c in suite.checks if isinstance(c, ir.RowCheck) and c.rule_id == f"rules.{_RULE}"]
    return _condition(suite, checks, [left, right])


__all__ = [
    "COMPARABLE_TYPES",
    "IDENTIFIER_ALGORITHMS",
    "ID_ASPECTS",
    "Condition",
    "code_set_condition",
    "compare_condition",
    "field_condition",
    "id_pair_condition",
    "identifier_condition",
    "make_resolver",
    "passes",
]
