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
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from govstd.errors import InputError
from govstd.standards import library
from govstd.standards.masking import rule_for
from govstd.standards.models import (
    AnyEntry,
    CatalogueSchema,
    CodeSet,
    CompareRule,
    Condition,
    DataElement,
    DataType,
    FieldSpec,
    IdConsistencyRule,
    MaskingRule,
    PiiClass,
    QualityDimension,
    RangeRule,
    RegisteredServiceItemRule,
    RequiredIfRule,
    ShareType,
    StandardByRule,
    TimelinessRule,
    rule_columns,
)
from govstd.standards.numbers import gb11643, gb11714, gb32100, gbt2260, mobile, service_item
from govstd.standards.numbers.service_item import Layout as ServiceItemLayout
from govstd.validators import ir
from govstd.validators.ir import Expr, and_, cmp, col, eq, fn, in_values, is_null, lit, not_, or_
from govstd.validators.results import UNMEASURED_KEY

#: (ref, kind) → entry. ``kind`` is an EntryKind value ('data_element', 'code_set', …) or None.
Resolver = Callable[[str, str | None], AnyEntry]

D = QualityDimension
#: Rule kind → (GB/T 36344 dimension, indicator).
INDICATORS: dict[str, tuple[QualityDimension, str]] = {
    "not_null": (D.COMPLETENESS, "数据元素完整性"),
    "type": (D.ACCURACY, "数据格式合规性"),
    "length": (D.ACCURACY, "数据格式合规性"),
    "format": (D.ACCURACY, "数据格式合规性"),
    "pattern": (D.ACCURACY, "数据格式合规性"),
    "code_set": (D.CONFORMITY, "权威参考数据"),
    "checksum": (D.ACCURACY, "数据内容正确性"),
    "birth_date": (D.ACCURACY, "数据内容正确性"),
    "sequence": (D.ACCURACY, "数据内容正确性"),
    "org_code": (D.ACCURACY, "数据内容正确性"),
    "region": (D.CONFORMITY, "权威参考数据"),
    "category": (D.CONFORMITY, "权威参考数据"),
    "range": (D.ACCURACY, "数据内容正确性"),
    "unique": (D.ACCURACY, "数据唯一性"),
    "compare_time": (D.TIMELINESS, "时序性"),
    "compare": (D.CONSISTENCY, "关联数据一致性"),
    "id_consistency": (D.CONSISTENCY, "相同数据一致性"),
    "registered": (D.CONSISTENCY, "关联数据一致性"),
    "pii_exposure": (D.CONFORMITY, "安全规范"),
    "timeliness": (D.TIMELINESS, "基于时间点的及时性"),
    "normalised": (D.CONFORMITY, "数据标准"),
    "excel_damage": (D.ACCURACY, "脏数据出现率"),
    "masked": (D.CONFORMITY, "安全规范"),
    "required_if": (D.COMPLETENESS, "数据元素完整性"),
    "standard_by": (D.CONFORMITY, "数据标准"),
    "sentinel": (D.CONFORMITY, "数据标准"),
    "whitespace": (D.CONFORMITY, "数据标准"),
}

#: ``match`` of a code-set field: ``any`` (default) accepts codes and labels and reports a label as a
#: non-canonical form; ``code`` accepts codes only (strict); ``label`` accepts labels only.
CODE_SET_MATCHES = ("any", "code", "label")
DEFAULT_MATCH = "any"

#: Code sets at most this long are inlined into the predicate; longer ones become reference tables.
INLINE_CODES = 128  # GB/T 3304: 56 codes, their labels and two old names
#: Shapes of an 18-character GB 11643 number and of a foreign permanent resident ID (which starts with 9).
ID18_SHAPE = "[0-9]{17}[0-9X]"
FOREIGN_PR_SHAPE = "9[0-9]{16}[0-9X]"
#: Identifier algorithms sharing GB 11643's layout and MOD 11-2 check (one derivation for all three).
MOD11_2_ALGORITHMS = ("gb11643", "residence_permit", "foreign_pr")
#: GB/T 2261.1-2003 labels of the two codes an ID's sequence parity can be compared with.
SEX_LABELS = {"male": "男性", "female": "女性"}
SEX_CODES_FALLBACK = {"male": "1", "female": "2"}  # GB/T 2261.1-2003: 1 男性, 2 女性

_STANDARD_NAMES = {"gb11643": "GB 11643", "residence_permit": "港澳台居民居住证", "foreign_pr": "外国人永久居留身份证"}

T_REGION_ANY = "ref_gbt2260_any"
T_REGION_CURRENT = "ref_gbt2260_current"
T_REGION_HISTORY = "ref_gbt2260_history"
T_SERVICE_ACTIVE = "ref_service_items"
T_SERVICE_RETIRED = "ref_service_items_retired"


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
        return self.algorithm in (*MOD11_2_ALGORITHMS, "gb32100", "gb11714", "mobile", "service_item")


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


# --------------------------------------------------------------------------- resolution


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


# --------------------------------------------------------------------------- derivation


class _Builder:
    def __init__(self, schema: CatalogueSchema, bindings: dict[str, Binding], *, today: dt.date,
                 now: dt.datetime, service_items: ServiceItemCodes | None, resolver: Resolver | None = None) -> None:
        self.schema = schema
        #: Resolves the standards a ``standard_by`` rule chooses (the fields' own are bound already).
        self.resolver = resolver or builtin_resolver
        self.bindings = bindings
        self.today = today
        self.now = now
        self.service_items = service_items
        self.checks: list[ir.Check] = []
        self.tables: dict[str, ir.ReferenceTable] = {}
        self.warnings: list[str] = []
        self.exposed = schema.share.share_type == ShareType.UNCONDITIONAL or schema.open.open_to_public
        #: field → (normalised value, matches its canonical shape): shared by field checks and rules.
        self.normalised: dict[str, tuple[Expr, Expr]] = {}

    # ---- helpers -------------------------------------------------------------------------

    def row(self, rule_id: str, rule: str, columns: list[str], description: str, expect: Expr,
            applies: Expr | None = None, *, severity: ir.Severity = "error",
            breakdown: Mapping[str, Expr] | None = None, indicator_key: str | None = None,
            details: dict[str, Any] | None = None, unmeasured: str | None = None) -> None:
        """One row check. ``unmeasured``: why it would evaluate no row (shown instead of 0/0); the default
        names the columns and says no row met its precondition."""
        dim, indicator = INDICATORS[indicator_key or rule]
        reason = unmeasured or (f"no {', '.join(columns)} value the check applies to" if applies is not None
                                else "no rows")
        self.checks.append(ir.RowCheck(
            rule_id=rule_id, rule=rule, dimension=dim, indicator=indicator, columns=columns,
            description=description, severity=severity, applies=applies, expect=expect,
            breakdown=dict(breakdown or {}), details={**(details or {}), UNMEASURED_KEY: reason},
        ))

    def table(self, name: str, columns: list[str], types: list[Any], rows: Iterable[tuple[Any, ...]],
              files: Sequence[str] = ()) -> str:
        if name not in self.tables:
            self.tables[name] = _reference_table(name, tuple(columns), tuple(types), tuple(rows), tuple(files))
        return name

    def region_table(self, which: str) -> str:
        if which == "current":
            return self.table(T_REGION_CURRENT, ["code"], ["text"], ((c,) for c in sorted(gbt2260.CURRENT_CODES())))
        if which == "history":
            return self.table(
                T_REGION_HISTORY, ["code", "valid_from_year", "valid_to_year"], ["text", "integer", "integer"],
                ((r.code, r.valid_from_year, r.valid_to_year_exclusive) for r in gbt2260.history_rows()),
            )
        return self.table(T_REGION_ANY, ["code"], ["text"], ((c,) for c in sorted(gbt2260.HISTORICAL_CODES())))

    def member(self, value: Expr, codes: Sequence[str], table_name: str) -> Expr:
        """``value`` is one of ``codes``: inlined when short, else a reference table."""
        codes = sorted(set(codes))
        if len(codes) <= INLINE_CODES:
            return in_values(value, codes)
        name = self.table(table_name, ["code"], ["text"], ((c,) for c in codes))
        return fn("in_table", value, table=name, column="code")

    # ---- fields --------------------------------------------------------------------------

    def field_checks(self, b: Binding) -> None:
        name, spec = b.name, b.spec
        raw = col(name)
        present: Expr = not_(fn("is_blank", raw))
        if spec.required:
            self.row(f"{name}.not_null", "not_null", [name], f"{_label(spec)} must not be empty",
                     expect=present)
        value = fn("trim", raw)
        if spec.sentinels:
            present = self.sentinel(b, value, present)
        if b.algorithm in MOD11_2_ALGORITHMS:
            self.mod11_2(b, raw, present)
        elif b.algorithm == "gb32100":
            self.uscc(b, raw, present)
        elif b.algorithm == "gb11714":
            self.org_code(b, raw, present)
        elif b.algorithm == "mobile":
            self.phone(b, raw, present)
        elif b.algorithm == "service_item":
            self.service_item(b, raw, present)
        else:
            self.representation(b, value, present)
        if spec.length is not None:
            self.row(f"{name}.max_length", "length", [name], f"at most {spec.length} characters (catalogue 信息项长度)",
                     expect=cmp(fn("length", value), "<=", lit(spec.length)), applies=present)
        if b.code_set is not None:
            self.code_set(b, value, present)
        self.numeric_range(b, value, present)
        self.free_text(b, raw, present)

    def representation(self, b: Binding, value: Expr, present: Expr) -> None:
        """Fields without an identifier algorithm: type, length and pattern of the bound element."""
        name, spec = b.name, b.spec
        data_type = spec.data_type if spec.data_type != DataType.STRING or b.element is None else b.element.data_type
        parsed = {
            DataType.INTEGER: fn("to_integer", value),
            DataType.DECIMAL: fn("to_number", value),
            DataType.DATE: fn("to_date", value),
            DataType.DATETIME: fn("to_timestamp", value),
        }.get(data_type)
        if parsed is not None:
            self.row(f"{name}.type", "type", [name], f"{_label(spec)} is a {data_type.value} ({data_type.label_zh})",
                     expect=not_(is_null(parsed)), applies=present)
        elif data_type == DataType.BOOLEAN:
            self.row(f"{name}.type", "type", [name], f"{_label(spec)} is a boolean", expect=fn("is_boolean", value),
                     applies=present)
        rep = b.element.representation if b.element is not None else None
        if rep is not None and (rep.min_length is not None or rep.max_length is not None):
            length = fn("length", value)
            conds = []
            if rep.min_length is not None:
                conds.append(cmp(length, ">=", lit(rep.min_length)))
            if rep.max_length is not None:
                conds.append(cmp(length, "<=", lit(rep.max_length)))
            self.row(f"{name}.length", "length", [name],
                     f"{rep.min_length or 0}–{rep.max_length or '∞'} characters ({b.element.id if b.element else ''})",
                     expect=and_(*conds), applies=present)
        pattern = spec.pattern or (rep.pattern if rep is not None and b.code_set is None else None)
        if pattern:
            self.row(f"{name}.pattern", "pattern", [name], f"matches {pattern}",
                     expect=fn("matches", value, pattern=pattern), applies=present)

    def code_set(self, b: Binding, value: Expr, present: Expr) -> None:
        """A code of the bound set. By default (``match: any``) a label or alias (男, 汉族, the old name 毛难族)
        is accepted as its code and reported by ``<column>.normalised`` — a warning in 规范性, like any
        non-canonical form; ``match: code`` accepts codes only, ``match: label`` labels only."""
        assert b.code_set is not None
        cs, name = b.code_set, b.name
        historical = bool(b.options.get("historical", False))
        as_of = _as_date(b.options.get("as_of")) or self.today
        match = code_set_match(b)
        in_force = cs.codes if historical else [c for c in cs.codes if c.is_valid_on(as_of)]
        valid = accepted_values(in_force, match)
        key = re.sub(r"[^0-9A-Za-z]+", "_", f"{cs.id}_{cs.version}_{match}").lower()
        when = "all" if historical else as_of.isoformat()
        expect = self.member(value, valid, f"ref_codes_{key}_{when}")
        breakdown: dict[str, Expr] = {}
        retired = sorted(set(accepted_values(cs.codes, match)) - set(valid))
        if retired:
            breakdown["retired"] = self.member(value, retired, f"ref_codes_{key}_retired_{as_of.isoformat()}")
        scope = "any time" if historical else f"in force on {as_of.isoformat()}"
        accepts = {"any": "its code, or a label reported as non-canonical", "code": "codes only (match: code)",
                   "label": "labels only (match: label)"}[match]
        self.row(f"{name}.code_set", "code_set", [name],
                 f"a code of {cs.id}@{cs.version} {cs.name_zh} ({scope}; {accepts})",
                 expect=expect, applies=present, breakdown=breakdown,
                 details={"code_set": cs.ref, "historical": historical, "match": match},
                 unmeasured=f"no {name} value")
        if match != "any":
            return
        labels = accepted_values(in_force, "label")
        codes = accepted_values(in_force, "code")
        aliases = sorted({a for c in in_force for a in c.aliases})
        self.row(f"{name}.normalised", "normalised", [name],
                 f"written as a {cs.id} code: a label or alias (男 for 1, 汉族 for 01) or surrounding spaces are "
                 "accepted as the code but do not conform (规范性); match: code makes a label an error",
                 expect=and_(eq(col(name), value), self.member(value, codes, f"ref_codes_{key}_{when}_codes")),
                 applies=and_(present, expect), severity="warning",
                 breakdown={"label": self.member(value, labels, f"ref_codes_{key}_{when}_labels"),
                            **({"alias": self.member(value, aliases, f"ref_codes_{key}_{when}_aliases")}
                               if aliases else {}),
                            "whitespace": not_(eq(col(name), value))},
                 unmeasured=f"{name} holds no {cs.id} code or label" + ("" if historical else f" in force on {as_of}"))

    def numeric_range(self, b: Binding, value: Expr, present: Expr) -> None:
        low = b.spec.minimum if b.spec.minimum is not None else (b.element.value_domain.minimum if b.element else None)
        high = b.spec.maximum if b.spec.maximum is not None else (b.element.value_domain.maximum if b.element else None)
        if low is None and high is None:
            return
        number = fn("to_number", value)
        conds = [cmp(number, ">=", lit(low)) if low is not None else None,
                 cmp(number, "<=", lit(high)) if high is not None else None]
        self.row(f"{b.name}.range", "range", [b.name], f"between {_num(low)} and {_num(high)}",
                 expect=and_(*conds), applies=and_(present, not_(is_null(number))))

    # ---- identifiers ---------------------------------------------------------------------

    def identifier(self, name: str, canonical: Sequence[str], *, strip_dashes: bool = True,
                   phone: bool = False) -> tuple[Expr, Expr]:
        """The normalised value of column ``name`` and whether it matches one of the ``canonical``
        patterns. A raw value already matching one is its own normalisation (the patterns admit only
        characters normalising leaves alone; a test holds every pattern to that), so on clean data one
        pattern test replaces normalising and testing the result."""
        if name not in self.normalised:
            raw = col(name)
            pattern = one_of_patterns(canonical)
            clean = fn("matches", raw, pattern=pattern)
            n = ir.if_else(clean, raw, self.normalise(name, strip_dashes=strip_dashes, phone=phone))
            self.normalised[name] = (n, or_(clean, fn("matches", n, pattern=pattern)))
        return self.normalised[name]

    def normalise(self, name: str, *, strip_dashes: bool = True, phone: bool = False) -> Expr:
        """Column ``name`` normalised (``govstd.standards.numbers.normalize``), on every value."""
        raw = col(name)
        return fn("normalize_phone", raw) if phone else fn("normalize_code", raw, strip_dashes=strip_dashes,
                                                            uppercase=True)

    def hygiene(self, b: Binding, raw: Expr, n: Expr, present: Expr, shape_ok: Expr, *, dashes: bool = True,
                excel: Expr | None = None, excel_breakdown: dict[str, Expr] | None = None) -> None:
        """The checks every identifier column gets besides its standard's: non-canonical forms (a warning in
        规范性), spreadsheet damage (info) and already-masked values. A value of the right shape is neither
        damaged nor masked, so those tests run only on values that failed the shape (``shape_ok``) — cheap
        on clean data."""
        name = b.name
        masked = self.masked(raw, shape_ok)
        damaged = excel if excel is not None else and_(not_(shape_ok), fn("excel_damaged", n))
        breakdown = {
            "fullwidth": fn("has_fullwidth", raw),
            "whitespace": fn("has_whitespace", raw),
            "apostrophe": fn("has_apostrophe", raw),
            "lowercase": fn("has_lowercase", raw),
        }
        if dashes:
            breakdown["dash"] = fn("has_dash", raw)
        if b.algorithm == "mobile":
            breakdown["country_prefix"] = fn("matches", raw, pattern="[^0-9]*(00)?86.*")
        # Only a value that normalises to the standard's shape is "recoverable"; one that does not is a
        # length or format error, and counting it here too would report it twice.
        self.row(f"{name}.normalised", "normalised", [name],
                 "written in the standard's canonical form: a recoverable variant (full-width characters, spaces, "
                 "an apostrophe, lower case" + (", dashes" if dashes else "")
                 + (", a +86 prefix" if b.algorithm == "mobile" else "")
                 + ") does not conform (规范性) — every other check reads the normalised value",
                 expect=eq(raw, n), applies=and_(present, shape_ok, not_(damaged)), severity="warning",
                 breakdown=breakdown, unmeasured=f"no {name} value has the standard's shape, even after normalising")
        self.row(f"{name}.excel_damage", "excel_damage", [name],
                 "spreadsheet damage: stored as a number (1.10105E+17, a trailing .0) or digits zeroed — "
                 "the digits are lost; re-export as text (these rows also fail length/format/checksum)",
                 expect=not_(damaged), applies=and_(present, not_(masked)), severity="info",
                 breakdown=excel_breakdown or {}, unmeasured=f"no unmasked {name} value")
        declared = b.spec.masked
        self.row(f"{name}.masked", "masked", [name],
                 ("masked values, as the field declares (counted masked / unmasked; whether an unmasked value may "
                  "be shared is the pii_exposure check's)" if declared else
                  "masked values (110101********123X, 138****5678, ***) in a field not declared masked: they "
                  "cannot be checked and are left out of the length/format/checksum checks; declare "
                  "`masked: true` if the extract is masked by design"),
                 expect=not_(masked), applies=present, severity="info" if declared else "warning",
                 details={"declared_masked": declared}, unmeasured=f"no {name} value")

    @staticmethod
    def masked(raw: Expr, shape_ok: Expr) -> Expr:
        """``raw`` is an already-masked value (any mask style: ``110101********123X``, ``110101199*******``,
        ``138****5678``, ``***``): a masking character, and so never the standard's shape."""
        return and_(not_(shape_ok), fn("is_masked", raw))

    def scope(self, raw: Expr, present: Expr, shape_ok: Expr) -> Expr:
        """Rows an identifier's own checks look at: present and not already masked — declared masked or
        not, a masked value is not a format error (``<column>.masked`` counts it)."""
        return and_(present, not_(self.masked(raw, shape_ok)))

    def pii_exposure(self, b: Binding, raw: Expr, present: Expr, exposed_value: Expr, what: str) -> None:
        """Unmasked identifiers where the share policy forbids them: the field is declared ``masked``, or
        the dataset is shared unconditionally or openly. Each such value is an *error* although it is a
        valid identifier — the description says so, since its format checks pass."""
        if b.pii not in (PiiClass.ID_NUMBER, PiiClass.PHONE) or not (self.exposed or b.spec.masked):
            return
        why = ("the field is declared masked, so every value must be masked" if b.spec.masked else
               f"the dataset is shared {'openly' if self.schema.open.open_to_public else 'unconditionally'}")
        self.row(f"{b.name}.pii_exposure", "pii_exposure", [b.name],
                 f"no unmasked {what} ({why}): each full, valid identifier counts as an error here even though "
                 "its format checks pass; masked values pass",
                 expect=not_(exposed_value), applies=present, unmeasured=f"no {b.name} value")

    def mod11_2(self, b: Binding, raw: Expr, present: Expr) -> None:
        """GB 11643 citizen ID numbers and the permits sharing its layout: each part separately."""
        name, algo, opt = b.name, b.algorithm, b.options
        allow15 = algo == "gb11643" and bool(opt.get("allow_legacy_15", False))
        n, is18 = self.identifier(name, [FOREIGN_PR_SHAPE if algo == "foreign_pr" else ID18_SHAPE])
        scope = self.scope(raw, present, is18)
        is15 = fn("matches", n, pattern="[0-9]{15}")
        length_ok = or_(eq(fn("length", n), lit(gb11643.LENGTH)),
                        *([eq(fn("length", n), lit(gb11643.LEGACY_LENGTH))] if allow15 else []))
        shape_ok = or_(is18, is15) if allow15 else is18
        lengths = f"{gb11643.LENGTH}" + (f" or {gb11643.LEGACY_LENGTH} (legacy)" if allow15 else "")
        std = _STANDARD_NAMES[algo or ""]
        self.row(f"{name}.length", "length", [name], f"{std}: {lengths} characters", expect=length_ok, applies=scope,
                 details={"legacy_15": allow15} if algo == "gb11643" else None)
        self.row(f"{name}.format", "format", [name],
                 f"{std}: {'17 digits' if algo != 'foreign_pr' else '9 and 16 digits'} and a check character 0-9/X",
                 expect=shape_ok, applies=and_(scope, length_ok))
        checksum_ok = fn("mod11_2_ok", n)
        self.row(f"{name}.checksum", "checksum", [name], f"{std}: ISO 7064 MOD 11-2 check character",
                 expect=checksum_ok, applies=and_(scope, is18))
        born = fn("id_birth_date", n)
        if algo != "foreign_pr":
            self.birth_date(b, std, born, and_(scope, shape_ok))
            self.id_region(b, n, scope, shape_ok, born)
            if not gb11643.ACCEPT_SEQUENCE_000 or opt.get("reject_sequence_000"):
                seq = fn("substr", n, start=15, length=3)
                self.row(f"{name}.sequence", "sequence", [name], f"{std}: sequence number is not 000",
                         expect=cmp(seq, "!=", lit("000")), applies=and_(scope, is18))
        # Excel keeps 15 significant digits: an 18-digit number comes back with its last 3 zeroed.
        zeroed = and_(is18, eq(fn("substr", n, start=16, length=3), lit("000")), not_(checksum_ok))
        number_format = and_(not_(shape_ok), fn("excel_damaged", n))
        self.hygiene(b, raw, n, present, shape_ok, excel=or_(number_format, zeroed),
                     excel_breakdown={"number_format": number_format, "zeroed_digits": zeroed})
        exposed = and_(is18, checksum_ok)
        if allow15:
            exposed = or_(exposed, and_(is15, not_(is_null(born))))
        self.pii_exposure(b, raw, present, exposed, "ID numbers")

    def birth_date(self, b: Binding, std: str, born: Expr, applies: Expr) -> None:
        """A real date, not in the future (an error); before ``gb11643.MIN_BIRTH_DATE`` is implausible but
        valid (a warning check) unless the field is ``strict`` or sets ``min_birth_date`` (then an error)."""
        name, opt = b.name, b.options
        earliest = _as_date(opt.get("min_birth_date")) or (gb11643.MIN_BIRTH_DATE if _flag(opt.get("strict")) else None)
        real_past = and_(not_(is_null(born)), cmp(born, "<=", lit(self.today)))
        self.row(f"{name}.birth_date", "birth_date", [name],
                 f"{std}: the embedded birth date is a real date, not in the future"
                 + (f", not before {earliest}" if earliest else ""),
                 expect=and_(real_past, cmp(born, ">=", lit(earliest))) if earliest else real_past,
                 applies=applies, details={"min_birth_date": earliest.isoformat() if earliest else None})
        if earliest is None:
            self.row(f"{name}.birth_date_plausible", "birth_date", [name],
                     f"{std}: a birth date before {gb11643.MIN_BIRTH_DATE} is implausible but valid (the standard's "
                     "own example is born 1880): a warning; strict: true makes it an error",
                     expect=cmp(born, ">=", lit(gb11643.MIN_BIRTH_DATE)), applies=and_(applies, real_past),
                     severity="warning")

    def id_region(self, b: Binding, n: Expr, scope: Expr, shape_ok: Expr, born: Expr) -> None:
        name, algo = b.name, b.algorithm
        code = fn("substr", n, start=1, length=6)
        permits = in_values(code, sorted(gb11643.RESIDENCE_PERMIT_REGIONS))
        if algo == "residence_permit":
            self.row(f"{name}.region", "region", [name], "address code 810000, 820000 or 830000",
                     expect=permits, applies=and_(scope, shape_ok))
            return
        policy = str(b.options.get("region_policy", "any_time"))
        if policy not in gb11643.REGION_POLICIES:
            raise InputError(f"field {name!r}: unknown region_policy {policy!r}", field=f"fields.{name}.options",
                             expected=", ".join(gb11643.REGION_POLICIES))
        if policy == "none":
            return
        if policy == "current":
            known: Expr = fn("in_table", code, table=self.region_table("current"), column="code")
            what = f"in force now (GB/T 2260, {gbt2260.DATA_YEAR})"
        elif policy == "birth_year":
            in_year = fn("region_valid_in_year", code, fn("year", born), table=self.region_table("history"))
            any_time = fn("in_table", code, table=self.region_table("any"), column="code")
            known = or_(and_(not_(is_null(born)), in_year), and_(is_null(born), any_time))
            what = "in force in the birth year (GB/T 2260 history)"
        else:
            known = fn("in_table", code, table=self.region_table("any"), column="code")
            what = f"a GB/T 2260 code at some time {gbt2260.HISTORY_FIRST_YEAR}–{gbt2260.DATA_YEAR}"
        self.row(f"{name}.region", "region", [name], f"address code {what} (policy {policy})",
                 expect=or_(known, permits), applies=and_(scope, shape_ok), details={"region_policy": policy})

    def uscc(self, b: Binding, raw: Expr, present: Expr) -> None:
        name, opt = b.name, b.options
        cls = f"[{gb32100.ALPHABET}]"
        shape = f"{cls}{{2}}[0-9]{{6}}{cls}{{10}}"  # GB 32100-2015: positions 3-8 are the region digits
        n, shape_ok = self.identifier(name, [shape])
        scope = self.scope(raw, present, shape_ok)
        length_ok = eq(fn("length", n), lit(gb32100.LENGTH))
        self.row(f"{name}.length", "length", [name], f"GB 32100: {gb32100.LENGTH} characters",
                 expect=length_ok, applies=scope,
                 breakdown={"old_registration_number": fn("matches", n, pattern="[0-9]{15}")})
        self.row(f"{name}.format", "format", [name],
                 "GB 32100: characters of 0-9 and A-Y without I, O, Z, S, V; digits in positions 3-8",
                 expect=shape_ok, applies=and_(scope, length_ok))
        ok = and_(scope, shape_ok)
        self.row(f"{name}.checksum", "checksum", [name], "GB 32100: mod-31 check character",
                 expect=fn("gb32100_checksum_ok", n), applies=ok)
        # Issued codes hold categories beyond the table and authority regions in no GB/T 2260 table
        # (gb32100.findings): warnings by default, errors under strict — the Python module's rule.
        strict = _flag(opt.get("strict"))
        severity: ir.Severity = "error" if strict else "warning"
        policy = "strict: an error" if strict else "not in the table: a warning, the code stays valid"
        if _flag(opt.get("check_category", True)):
            pairs = [a + c for a, cats in gb32100.AUTHORITY_CATEGORIES.items() for c in cats]
            self.row(f"{name}.category", "category", [name],
                     f"GB 32100: registration authority and organisation category in the table "
                     f"({gb32100.AUTHORITY_CATEGORIES_VERSION}; {policy})",
                     expect=in_values(fn("substr", n, start=1, length=2), pairs), applies=ok, severity=severity,
                     details={"strict": strict})
        if _flag(opt.get("check_region", True)):
            region = fn("substr", n, start=3, length=6)
            known = or_(eq(region, lit(gb32100.NATIONAL_REGION)),
                        fn("in_table", region, table=self.region_table("any"), column="code"))
            self.row(f"{name}.region", "region", [name],
                     f"GB 32100: positions 3-8 are a GB/T 2260 code ({gbt2260.HISTORY_FIRST_YEAR}–"
                     f"{gbt2260.DATA_YEAR}) or {gb32100.NATIONAL_REGION} (a registration authority's own code such as "
                     f"a development zone's is {'an error under strict' if strict else 'valid: a warning'})",
                     expect=known, applies=ok, severity=severity, details={"strict": strict})
        if _flag(opt.get("check_org_code", True)):
            self.row(f"{name}.org_code", "org_code", [name],
                     "GB 32100: positions 9-17 pass the GB 11714 organisation code check",
                     expect=fn("gb11714_checksum_ok", fn("substr", n, start=9, length=gb11714.LENGTH)), applies=ok)
        self.hygiene(b, raw, n, present, shape_ok)

    def org_code(self, b: Binding, raw: Expr, present: Expr) -> None:
        name = b.name
        n, shape_ok = self.identifier(name, ["[0-9A-Z]{8}[0-9X]"])
        scope = self.scope(raw, present, shape_ok)
        length_ok = eq(fn("length", n), lit(gb11714.LENGTH))
        self.row(f"{name}.length", "length", [name], f"GB 11714: {gb11714.LENGTH} characters (8 + check)",
                 expect=length_ok, applies=scope)
        self.row(f"{name}.format", "format", [name], "GB 11714: 8 characters 0-9/A-Z and a check character 0-9/X",
                 expect=shape_ok, applies=and_(scope, length_ok))
        self.row(f"{name}.checksum", "checksum", [name], "GB 11714: check character",
                 expect=fn("gb11714_checksum_ok", n), applies=and_(scope, shape_ok))
        self.hygiene(b, raw, n, present, shape_ok)

    def phone(self, b: Binding, raw: Expr, present: Expr) -> None:
        name = b.name
        strict = _flag(b.options.get("strict", False))
        n, platform = self.identifier(name, [mobile.PATTERN], phone=True)
        scope = self.scope(raw, present, platform)
        length_ok = eq(fn("length", n), lit(mobile.LENGTH))
        self.row(f"{name}.length", "length", [name], f"mobile number: {mobile.LENGTH} digits after +86 and separators",
                 expect=length_ok, applies=scope)
        self.row(f"{name}.format", "format", [name],
                 "mobile number: "
                 + ("an allocated prefix (libphonenumber)" if strict else "1, then 3-9, then 9 digits"),
                 expect=fn("matches", n, pattern=mobile.STRICT_PATTERN) if strict else platform,
                 applies=and_(scope, length_ok))
        self.hygiene(b, raw, n, present, platform)
        self.pii_exposure(b, raw, present, platform, "mobile numbers")

    def service_item(self, b: Binding, raw: Expr, present: Expr) -> None:
        """Service item codes: a layout of ``service_item.LAYOUTS`` (counted per layout), then the parts
        an implementation code embeds, read by position: the area code against GB/T 2260 and the
        implementing body as a GB 32100 credit code — as ``service_item.check`` does."""
        name = b.name
        kind = b.options.get("kind")
        layouts = [lay for lay in service_item.LAYOUTS if kind is None or lay.kind == kind]
        if not layouts:
            raise InputError(f"field {name!r}: unknown service item kind {kind!r}", field=f"fields.{name}.options",
                             expected=", ".join(sorted({lay.kind for lay in service_item.LAYOUTS})))
        n, known_layout = self.identifier(name, [lay.pattern for lay in layouts], strip_dashes=False)
        scope = self.scope(raw, present, known_layout)
        # The first layout matching is the one whose parts are read (service_item.match_layout): a
        # layout applies to rows matching it and no earlier one.
        matched: dict[str, Expr] = {}
        earlier: list[Expr] = []
        for lay in layouts:
            this = fn("matches", n, pattern=_unnamed(lay.pattern))
            matched[lay.name] = and_(this, *[not_(e) for e in earlier])
            earlier.append(this)
        self.row(f"{name}.format", "format", [name],
                 f"service item code: matches a known layout (layouts {service_item.LAYOUTS_VERSION}: "
                 f"{', '.join(lay.name for lay in layouts)})",
                 expect=known_layout, applies=scope, details={"layouts_version": service_item.LAYOUTS_VERSION})
        self.service_item_area(name, n, scope, layouts, matched)
        self.service_item_body(name, n, scope, layouts, matched)
        self.hygiene(b, raw, n, present, known_layout, dashes=False)

    def service_item_area(self, name: str, n: Expr, scope: Expr, layouts: Sequence[ServiceItemLayout],
                          matched: Mapping[str, Expr]) -> None:
        with_area = [(lay, lay.positions["area_code"]) for lay in layouts if "area_code" in lay.positions]
        if not with_area:
            return
        table = self.region_table("any")
        self.row(f"{name}.area_code", "region", [name],
                 "service item code: the 12-digit area code starts with a GB/T 2260 code "
                 f"({gbt2260.HISTORY_FIRST_YEAR}–{gbt2260.DATA_YEAR}); the township extension is 6 digits",
                 expect=or_(*[and_(matched[lay.name], fn("in_table", fn("substr", n, start=start, length=6),
                                                           table=table, column="code"))
                              for lay, (start, _) in with_area]),
                 applies=and_(scope, or_(*[matched[lay.name] for lay, _ in with_area])))

    def service_item_body(self, name: str, n: Expr, scope: Expr, layouts: Sequence[ServiceItemLayout],
                          matched: Mapping[str, Expr]) -> None:
        with_body = [lay for lay in layouts if "body" in {seg.part for seg in lay.segments}]
        if not with_body:
            return
        valid: list[Expr] = []
        for lay in with_body:
            position = lay.positions.get("body")
            if position is None:
                raise ValueError(f"service item layout {lay.name}: the body must sit at a fixed position")
            start = position[0]
            uscc_shape = fn("matches", n, pattern=_unnamed(lay.pattern_with(body=service_item.BODY_USCC_PATTERN)))
            valid.append(and_(matched[lay.name], uscc_shape, fn("gb32100_checksum_ok", fn("substr", n, start=start,
                                                                                        length=gb32100.LENGTH)),
                              fn("gb11714_checksum_ok", fn("substr", n, start=start + 8, length=gb11714.LENGTH))))
        # Irregular bodies by kind; the engine tells a placeholder and an organisation-code shape apart
        # by pattern (the Python module also checks the organisation code's check character).
        breakdown = {
            "placeholder": or_(*[and_(matched[lay.name], fn("matches", n, pattern=_unnamed(lay.pattern_with(
                body=service_item.PLACEHOLDER_PATTERN)))) for lay in with_body]),
            "org_code_shape": or_(*[and_(matched[lay.name], fn("matches", n, pattern=_unnamed(lay.pattern_with(
                body="[0-9A-Z]{8}-?[0-9X]")))) for lay in with_body]),
        }
        self.row(f"{name}.body", "org_code", [name],
                 "service item code: the implementing body is a valid GB 32100 credit code (not an organisation "
                 "code, a placeholder or a truncated code)",
                 expect=or_(*valid), applies=and_(scope, or_(*[matched[lay.name] for lay in with_body])),
                 breakdown=breakdown)

    # ---- keys and dataset rules ----------------------------------------------------------

    def key(self) -> None:
        keys = [b for b in self.bindings.values() if b.spec.key]
        if not keys:
            return
        exprs: list[Expr] = []
        for b in keys:
            if b.name in self.normalised:  # the identifier's own normalised value (and its fast path)
                exprs.append(self.normalised[b.name][0])
            elif b.is_identifier:
                exprs.append(self.normalise(b.name, strip_dashes=b.algorithm != "service_item",
                                            phone=b.algorithm == "mobile"))
            else:
                exprs.append(fn("trim", col(b.name)))
        names = [b.name for b in keys]
        # A value already counted as spreadsheet-damaged (1.10105E+17, digits zeroed) has lost the digits
        # that told it apart: two different IDs damaged alike are not a duplicate, and counting them as one
        # would report the same defect twice. The damage test is the excel_damage check's own, reused.
        damage = {c.rule_id: c for c in self.checks
                  if isinstance(c, ir.RowCheck) and c.rule == "excel_damage" and c.columns[0] in names}
        undamaged = [c.expect for c in damage.values()]
        dim, indicator = INDICATORS["unique"]
        skipped = (f"; values counted by {', '.join(damage)} are left out (their lost digits make different values "
                   "look alike)") if damage else ""
        self.checks.append(ir.UniqueCheck(
            rule_id="key.unique", rule="unique", dimension=dim, indicator=indicator, columns=names,
            description=f"the key ({', '.join(names)}) is unique: counts the rows to remove (rows repeating an "
                        f"earlier row's key){skipped}",
            key=exprs, present=and_(*[not_(fn("is_blank", col(n))) for n in names], *undamaged),
            details={"excluded_damaged": list(damage)} if damage else {},
        ))

    def rules(self) -> None:
        for index, rule in enumerate(self.schema.rules, start=1):
            rid = f"rules.{rule.id or index}"
            missing = [c for c in rule_columns(rule) if c not in self.bindings]
            if missing:
                self.warnings.append(f"{rid}: not checked, the data has no column {', '.join(missing)}")
                continue
            if isinstance(rule, CompareRule):
                self.compare(rid, rule)
            elif isinstance(rule, RangeRule):
                self.range_rule(rid, rule)
            elif isinstance(rule, IdConsistencyRule):
                self.id_consistency(rid, rule)
            elif isinstance(rule, RegisteredServiceItemRule):
                self.registered(rid, rule)
            elif isinstance(rule, TimelinessRule):
                self.timeliness(rid, rule)
            elif isinstance(rule, RequiredIfRule):
                self.required_if(rid, rule)
            elif isinstance(rule, StandardByRule):
                self.standard_by(rid, rule)

    def _typed(self, name: str) -> tuple[Expr, str]:
        b = self.bindings[name]
        data_type = b.spec.data_type
        if data_type == DataType.STRING and b.element is not None:
            data_type = b.element.data_type
        value = fn("trim", col(name))
        if b.spec.sentinels and data_type != DataType.STRING:
            # A sentinel (9999-12-31 = 长期) may parse as a value: it takes part in no comparison.
            value = ir.if_else(in_values(value, b.spec.sentinels), lit(None), value)
        if data_type in (DataType.DATE, DataType.DATETIME):
            return fn("to_timestamp", value), "time"
        if data_type in (DataType.INTEGER, DataType.DECIMAL):
            return fn("to_number", value), "number"
        return value, "text"

    def compare(self, rid: str, rule: CompareRule) -> None:
        left, lkind = self._typed(rule.left)
        right, rkind = self._typed(rule.right)
        if lkind != rkind:
            raise InputError(f"{rid}: cannot compare {rule.left} ({lkind}) with {rule.right} ({rkind})",
                             field="rules", expected="two dates/times, two numbers or two texts")
        key = "compare_time" if lkind == "time" else "compare"
        self.row(rid, "compare", [rule.left, rule.right], rule.description or f"{rule.left} {rule.op} {rule.right}",
                 expect=cmp(left, rule.op, right), applies=and_(not_(is_null(left)), not_(is_null(right))),
                 indicator_key=key)

    def range_rule(self, rid: str, rule: RangeRule) -> None:
        value, kind = self._typed(rule.field)

        def bound(v: float | str | None) -> Expr | None:
            if v is None:
                return None
            if isinstance(v, str):
                parsed = _as_datetime(v)
                if parsed is None:
                    raise InputError(f"{rid}: bound {v!r} is not a date or a date and time", field="rules",
                                     expected="YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]")
                return lit(parsed)
            return lit(v)

        if kind == "text":
            value = fn("to_number", fn("trim", col(rule.field)))
        low, high = bound(rule.minimum), bound(rule.maximum)
        conds = [cmp(value, ">=", low) if low is not None else None,
                 cmp(value, "<=", high) if high is not None else None]
        self.row(rid, "range", [rule.field],
                 rule.description or f"{rule.field} between {rule.minimum} and {rule.maximum}",
                 expect=and_(*conds), applies=not_(is_null(value)))

    def id_consistency(self, rid: str, rule: IdConsistencyRule) -> None:
        b = self.bindings[rule.id_field]
        if b.algorithm not in ("gb11643", "residence_permit"):
            raise InputError(f"{rid}: {rule.id_field} is not bound to GB 11643", field="rules",
                             expected="an id_field bound to GB11643")
        n, is18 = self.identifier(rule.id_field, [ID18_SHAPE])
        allow15 = bool(b.options.get("allow_legacy_15", False))
        shape = or_(is18, *([fn("matches", n, pattern="[0-9]{15}")] if allow15 else []))
        born = fn("id_birth_date", n)
        usable = and_(shape, not_(is_null(born)))
        if rule.birth_date_field:
            other = fn("to_date", fn("trim", col(rule.birth_date_field)))
            self.row(f"{rid}.birth_date", "id_consistency", [rule.id_field, rule.birth_date_field],
                     rule.description or f"the birth date in {rule.id_field} equals {rule.birth_date_field}",
                     expect=eq(born, other), applies=and_(usable, not_(is_null(other))),
                     unmeasured=f"no row has both a usable {rule.id_field} and a {rule.birth_date_field} date")
        if rule.sex_field:
            sex_binding = self.bindings[rule.sex_field]
            male, female = sex_codes(sex_binding.code_set)
            males, females = sex_values(sex_binding)
            sex = fn("trim", col(rule.sex_field))
            is_male = fn("id_is_male", n)
            self.row(f"{rid}.sex", "id_consistency", [rule.id_field, rule.sex_field],
                     f"the sex in {rule.id_field} (odd sequence = male) agrees with {rule.sex_field} "
                     f"(GB/T 2261.1 {male} 男性 / {female} 女性"
                     + (", or their labels" if code_set_match(sex_binding) != "code" else "") + ")",
                     expect=or_(and_(is_male, in_values(sex, males)), and_(not_(is_male), in_values(sex, females))),
                     applies=and_(shape, in_values(sex, males + females)),
                     unmeasured=f"{rule.sex_field} holds no GB/T 2261.1 male/female value "
                                f"({', '.join(males + females)}) beside a usable {rule.id_field}")
        if rule.region_field:
            region = fn("trim", col(rule.region_field))
            self.row(f"{rid}.region", "id_consistency", [rule.id_field, rule.region_field],
                     f"{rule.region_field} agrees with the address code in {rule.id_field} (same province, "
                     "prefecture or county, as precise as the region code)",
                     expect=fn("region_prefix_match", fn("substr", n, start=1, length=6), region),
                     applies=and_(shape, fn("matches", region, pattern="[0-9]{6}")))

    def registered(self, rid: str, rule: RegisteredServiceItemRule) -> None:
        if self.service_items is None:
            self.warnings.append(f"{rid}: not checked — service item codes come from a registry (--registry)")
            return
        b = self.bindings[rule.field]
        # A service item code keeps its dashes (they separate its parts), whatever the field is bound to.
        reuse = b.algorithm == "service_item" and b.name in self.normalised
        n = self.normalised[b.name][0] if reuse else self.normalise(b.name, strip_dashes=False)
        items = self.service_items
        active = self.table(T_SERVICE_ACTIVE, ["code"], ["text"], ((c,) for c in sorted(items.active)),
                            items.active_files)
        breakdown: dict[str, Expr] = {}
        if items.retired or items.retired_files:
            retired = self.table(T_SERVICE_RETIRED, ["code"], ["text"], ((c,) for c in sorted(items.retired)),
                                 items.retired_files)
            breakdown["retired"] = fn("in_table", n, table=retired, column="code")
        self.row(rid, "registered", [rule.field],
                 rule.description or f"{rule.field} is a service item registered in the registry and not retired",
                 expect=fn("in_table", n, table=active, column="code"),
                 applies=not_(fn("is_blank", col(b.name))), breakdown=breakdown,
                 details={"registered_codes": len(items.active) + items.file_codes})

    def timeliness(self, rid: str, rule: TimelinessRule) -> None:
        cycle = self.schema.update_cycle
        max_age = cycle.max_age
        if max_age is None:
            self.warnings.append(f"{rid}: not checked — update cycle {cycle.value} ({cycle.label_zh}) sets no limit")
            return
        dim, indicator = INDICATORS["timeliness"]
        self.checks.append(ir.FreshnessCheck(
            rule_id=rid, rule="timeliness", dimension=dim, indicator=indicator, columns=[rule.field],
            description=rule.description or f"newest {rule.field} no older than the {cycle.value} ({cycle.label_zh}) "
            f"update cycle allows ({max_age.days} days)",
            value=fn("to_timestamp", fn("trim", col(rule.field))), not_before=self.now - max_age,
            details={"update_cycle": cycle.value, "max_age_days": max_age.days},
        ))

    # ---- conditional rules, sentinels, free text (issue 13) ------------------------------

    def sentinel(self, b: Binding, value: Expr, present: Expr) -> Expr:
        """Count the field's sentinel values (长期 = no expiry) in an info check; return the rows its
        other checks look at: present and not a sentinel, so a sentinel is never a type error."""
        sentinels = b.spec.sentinels
        is_sentinel = in_values(value, sentinels)
        self.row(f"{b.name}.sentinel", "sentinel", [b.name],
                 f"values with an agreed meaning ({', '.join(sentinels)}): valid, left out of type, range "
                 "and compare checks", expect=not_(is_sentinel), applies=present, severity="info",
                 breakdown={s: eq(value, lit(s)) for s in sentinels})
        return and_(present, not_(is_sentinel))

    def free_text(self, b: Binding, raw: Expr, present: Expr) -> None:
        """Leading or trailing whitespace (ASCII, U+3000 ideographic, no-break …) in a free-text field:
        recoverable, but not the value as it should be stored (规范性), so a warning; every other check
        reads the trimmed value. Identifiers report whitespace in their own ``normalised`` check, and a
        column whose standard another column chooses is judged by that standard."""
        data_type = b.spec.data_type if b.spec.data_type != DataType.STRING or b.element is None else \
            b.element.data_type
        chosen = any(isinstance(r, StandardByRule) and r.field == b.name for r in self.schema.rules)
        if b.is_identifier or b.code_set is not None or data_type != DataType.STRING or chosen:
            return
        self.row(f"{b.name}.whitespace", "whitespace", [b.name],
                 f"{_label(b.spec)} has no leading or trailing whitespace (full-width and no-break spaces "
                 "included); the trimmed value is used by every other check",
                 expect=eq(raw, fn("trim", raw)), applies=present, severity="warning")

    def condition(self, when: Condition) -> Expr:
        """A rule's condition as a predicate. A blank field is neither in nor not in any list."""
        blank = fn("is_blank", col(when.field))
        value = fn("trim", col(when.field))
        if when.present is not None:
            return not_(blank) if when.present else blank
        if when.in_ is not None:
            return and_(not_(blank), in_values(value, when.in_))
        return and_(not_(blank), not_(in_values(value, when.not_in or [])))

    def required_if(self, rid: str, rule: RequiredIfRule) -> None:
        when = rule.when
        test = (f"is {'present' if when.present else 'blank'}" if when.present is not None
                else f"is one of {', '.join(when.in_)}" if when.in_ is not None
                else f"is not one of {', '.join(when.not_in or [])}")
        self.row(rid, "required_if", [rule.field, when.field],
                 rule.description or f"{rule.field} must not be empty where {when.field} {test}",
                 expect=not_(fn("is_blank", col(rule.field))), applies=self.condition(when))

    def standard_by(self, rid: str, rule: StandardByRule) -> None:
        """Each standard a selector value names is derived by the one field derivation (a builder of its
        own, so its normalised values and rule ids stay apart), then limited to the rows whose selector
        names it: ``<field>.<standard id>.<check>``. Rows whose selector names no standard are counted."""
        parent = self.bindings[rule.field]
        selector = fn("trim", col(rule.by))
        values_of: dict[str, list[str]] = {}
        for value, ref in rule.cases.items():
            values_of.setdefault(ref, []).append(value)
        for ref, values in values_of.items():
            spec = parent.spec.model_copy(update={"standard": ref, "required": False, "length": None,
                                                  "code_set": None, "pattern": None, "minimum": None,
                                                  "maximum": None, "sentinels": [], "key": False})
            chosen = bind(spec, self.resolver)
            if chosen.element is None:
                raise InputError(f"{rid}: {ref!r} is not a data element", field="rules",
                                 expected="a field standard (data element) reference per selector value")
            sub = _Builder(self.schema, {rule.field: chosen}, today=self.today, now=self.now,
                           service_items=self.service_items, resolver=self.resolver)
            sub.tables = self.tables
            sub.field_checks(chosen)
            self.warnings.extend(sub.warnings)
            selected = in_values(selector, sorted(values))
            for check in sub.checks:
                assert isinstance(check, ir.RowCheck)
                self.checks.append(check.model_copy(update={
                    "rule_id": f"{rule.field}.{chosen.element.id}.{check.rule_id.removeprefix(rule.field + '.')}",
                    "applies": and_(selected, check.applies),
                    "description": f"where {rule.by} is {' / '.join(values)}: {check.description}",
                    "sample_columns": [rule.field, rule.by],
                }))
            # The column is shown with the safest masking any of its standards asks for.
            safer = chosen.masking is not None and (parent.masking is None or
                                                    _shows(chosen.masking) < _shows(parent.masking))
            if safer:
                parent.masking = chosen.masking
        self.row(rid, "standard_by", [rule.field, rule.by],
                 rule.description or f"{rule.by} names a standard for {rule.field} ({', '.join(rule.cases)})"
                 + ("" if rule.otherwise == "error" else ": other values are counted, their rows not checked"),
                 expect=in_values(selector, sorted(rule.cases)), applies=not_(fn("is_blank", col(rule.field))),
                 severity="error" if rule.otherwise == "error" else "info",
                 breakdown={"selector_blank": fn("is_blank", col(rule.by))},
                 details={"cases": dict(rule.cases), "otherwise": rule.otherwise})


def code_set_match(b: Binding) -> str:
    """The field's ``match`` option, checked. Unset, it is ``any`` when every label and alias names one code
    (男 is 1, 汉族 is 01), else ``code``: a label such as GB/T 2260's 市辖区, shared by hundreds of codes,
    cannot be normalised to one."""
    default = DEFAULT_MATCH if b.code_set is None or labels_unique(b.code_set) else "code"
    match = str(b.options.get("match", default))
    if match not in CODE_SET_MATCHES:
        raise InputError(f"field {b.name!r}: unknown match {match!r}", field=f"fields.{b.name}.options.match",
                         expected=", ".join(CODE_SET_MATCHES))
    return match


@functools.lru_cache(maxsize=64)
def _labels_unique(codes: tuple[tuple[str, tuple[str, ...]], ...]) -> bool:
    owner: dict[str, str] = {}
    for code, labels in codes:
        for label in labels:
            if owner.setdefault(label, code) != code:
                return False
    return True


def labels_unique(code_set: CodeSet) -> bool:
    """Every label and alias of ``code_set`` names exactly one code (so a label normalises to its code)."""
    return _labels_unique(tuple((c.code, (c.label_zh, *c.aliases)) for c in code_set.codes))


def accepted_values(codes: Iterable[Any], match: str) -> list[str]:
    """What a value may be under ``match``: the codes, the labels and aliases, or both."""
    out: list[str] = []
    for c in codes:
        if match in ("code", "any"):
            out.append(c.code)
        if match in ("label", "any"):
            out.extend([c.label_zh, *c.aliases])
    return out


def sex_values(b: Binding) -> tuple[list[str], list[str]]:
    """(male, female) values a sex field may hold under its ``match``: the codes of ``sex_codes`` and, unless
    the field takes codes only, their labels and aliases (男 / 女)."""
    male, female = sex_codes(b.code_set)
    match = code_set_match(b)
    by_code = {c.code: c for c in b.code_set.codes} if b.code_set is not None else {}
    fallback = {male: SEX_LABELS["male"], female: SEX_LABELS["female"]}

    def values(code: str) -> list[str]:
        entry = by_code.get(code)
        labels = [entry.label_zh, *entry.aliases] if entry is not None else [fallback[code]]
        return [v for v in ([code] if match != "label" else []) + (labels if match != "code" else [])]

    return values(male), values(female)


def sex_codes(code_set: CodeSet | None) -> tuple[str, str]:
    """(male, female) codes of a sex field: the codes labelled 男性 / 女性 in its code set, else
    GB/T 2261.1's 1 / 2."""
    found = dict(SEX_CODES_FALLBACK)
    if code_set is not None:
        for sex, label in SEX_LABELS.items():
            code = next((c.code for c in code_set.codes if c.label_zh == label), None)
            if code:
                found[sex] = code
    return found["male"], found["female"]


def _unnamed(pattern: str) -> str:
    """``pattern`` without group names (PostgreSQL and Java spell them differently, RE2 as Python)."""
    return re.sub(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>", "(?:", pattern)


def one_of_patterns(patterns: Sequence[str]) -> str:
    """One regular expression matching what any of ``patterns`` matches in full: one pass of the
    regex engine instead of one per pattern. Group names are dropped (alternatives may repeat them)."""
    if len(patterns) == 1:
        return _unnamed(patterns[0])
    return "|".join("(?:" + _unnamed(p) + ")" for p in patterns)


@functools.lru_cache(maxsize=64)
def _reference_table(name: str, columns: tuple[str, ...], types: tuple[Any, ...],
                     rows: tuple[tuple[Any, ...], ...], files: tuple[str, ...] = ()) -> ir.ReferenceTable:
    # Reference data repeats from run to run (GB/T 2260 alone is thousands of rows): built once.
    return ir.ReferenceTable(name=name, columns=list(columns), types=list(types), rows=list(rows), files=list(files))


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
    builder = _Builder(schema, bindings, today=today, now=now, service_items=service_items, resolver=resolve)
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
    suite = ir.CheckSuite(checks=builder.checks, tables=list(builder.tables.values()), warnings=builder.warnings)
    return Derivation(suite=suite, bindings=bindings, masking={n: b.masking for n, b in bindings.items()})


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


def _shows(rule: MaskingRule) -> int:
    """How many characters a masking rule leaves visible (the fewer, the safer)."""
    return rule.keep_start + rule.keep_end


def _label(spec: FieldSpec) -> str:
    return f"{spec.name} ({spec.name_zh})" if spec.name_zh else spec.name


def _num(v: float | None) -> str:
    if v is None:
        return "…"
    return str(int(v)) if float(v).is_integer() else str(v)


def _flag(value: Any) -> bool:
    """A boolean option as written in YAML or on a command line (``true``, ``"true"``, ``1``)."""
    return value if isinstance(value, bool) else str(value).strip().lower() in {"true", "yes", "1", "on"}


def _as_datetime(text: str) -> dt.datetime | None:
    """A range bound: ``YYYY-MM-DD`` (midnight) or ``YYYY-MM-DD[T ]HH:MM[:SS]``, no time zone."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value if value.tzinfo is None else None


def _as_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


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
