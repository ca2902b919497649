"""What every part of derivation shares: the builder's state, the rule-kind → GB/T 36344 indicator
table, reference tables, and small helpers.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from govstd.standards.models import (
    CatalogueSchema,
    FieldSpec,
    MaskingRule,
    QualityDimension,
    ShareType,
)
from govstd.standards.numbers import gbt2260
from govstd.validators import ir
from govstd.validators.derive.bindings import Binding, Resolver, ServiceItemCodes, builtin_resolver
from govstd.validators.ir import Expr, fn, in_values
from govstd.validators.results import INAPPLICABLE_KEY, UNMEASURED_KEY

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
    "consistent_with": (D.CONSISTENCY, "相同数据一致性"),
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

#: Code sets at most this long are inlined into the predicate; longer ones become reference tables.
INLINE_CODES = 256  # GB/T 3304: 56 codes, their labels, their short names (汉, 回 …) and two old names

T_REGION_ANY = "ref_gbt2260_any"
T_REGION_CURRENT = "ref_gbt2260_current"
T_REGION_HISTORY = "ref_gbt2260_history"
T_SERVICE_ACTIVE = "ref_service_items"
T_SERVICE_RETIRED = "ref_service_items_retired"


class BuilderBase:
    """The state a derivation builds up: the checks, the reference tables, the warnings, and each
    identifier column's normalised value (shared by field checks and rules). The field, identifier and
    rule checks are layers over it (``identifiers`` → ``fields`` → ``rules``)."""

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
        #: Other departments' datasets the consistent_with rules compare with (staged before the run).
        self.datasets: list[ir.OtherDataset] = []
        #: Sample labels that are no column of this schema (``RowCheck.sample_values``) → masking rule.
        self.label_masking: dict[str, MaskingRule | None] = {}
        self.exposed = schema.share.share_type == ShareType.UNCONDITIONAL or schema.open.open_to_public
        #: field → (normalised value, matches its canonical shape): shared by field checks and rules.
        self.normalised: dict[str, tuple[Expr, Expr]] = {}

    # ---- helpers -------------------------------------------------------------------------

    def row(self, rule_id: str, rule: str, columns: list[str], description: str, expect: Expr,
            applies: Expr | None = None, *, severity: ir.Severity = "error",
            breakdown: Mapping[str, Expr] | None = None, indicator_key: str | None = None,
            details: dict[str, Any] | None = None, unmeasured: str | None = None, inapplicable: str | None = None,
            tally: Mapping[str, Expr] | None = None, sample_values: Mapping[str, Expr] | None = None) -> None:
        """One row check. ``unmeasured``: why it would evaluate no row (shown instead of 0/0); the default
        names the columns and says no row met its precondition. ``inapplicable``: instead, why evaluating no
        row is no measurement gap (every value present is of a form the standard gives no such check for) —
        reported as "not applicable", information rather than a gate warning. ``tally``: counted among
        evaluated rows."""
        dim, indicator = INDICATORS[indicator_key or rule]
        reason = (f"not applicable: {inapplicable}" if inapplicable else unmeasured
                  or (f"no {', '.join(columns)} value the check applies to" if applies is not None else "no rows"))
        flags = {INAPPLICABLE_KEY: True} if inapplicable else {}
        self.checks.append(ir.RowCheck(
            rule_id=rule_id, rule=rule, dimension=dim, indicator=indicator, columns=columns,
            description=description, severity=severity, applies=applies, expect=expect,
            breakdown=dict(breakdown or {}), tally=dict(tally or {}), sample_values=dict(sample_values or {}),
            details={**(details or {}), **flags, UNMEASURED_KEY: reason},
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


def unnamed(pattern: str) -> str:
    """``pattern`` without group names (PostgreSQL and Java spell them differently, RE2 as Python)."""
    return re.sub(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>", "(?:", pattern)


def one_of_patterns(patterns: Sequence[str]) -> str:
    """One regular expression matching what any of ``patterns`` matches in full: one pass of the
    regex engine instead of one per pattern. Group names are dropped (alternatives may repeat them)."""
    if len(patterns) == 1:
        return unnamed(patterns[0])
    return "|".join("(?:" + unnamed(p) + ")" for p in patterns)


@functools.lru_cache(maxsize=64)
def _reference_table(name: str, columns: tuple[str, ...], types: tuple[Any, ...],
                     rows: tuple[tuple[Any, ...], ...], files: tuple[str, ...] = ()) -> ir.ReferenceTable:
    # Reference data repeats from run to run (GB/T 2260 alone is thousands of rows): built once.
    return ir.ReferenceTable(name=name, columns=list(columns), types=list(types), rows=list(rows), files=list(files))

def visible_chars(rule: MaskingRule) -> int:
    """How many characters a masking rule leaves visible (the fewer, the safer)."""
    return rule.keep_start + rule.keep_end


def field_label(spec: FieldSpec) -> str:
    return f"{spec.name} ({spec.name_zh})" if spec.name_zh else spec.name


def number_text(v: float | None) -> str:
    if v is None:
        return "…"
    return str(int(v)) if float(v).is_integer() else str(v)


def flag(value: Any) -> bool:
    """A boolean option as written in YAML or on a command line (``true``, ``"true"``, ``1``)."""
    return value if isinstance(value, bool) else str(value).strip().lower() in {"true", "yes", "1", "on"}


def as_datetime(text: str) -> dt.datetime | None:
    """A range bound: ``YYYY-MM-DD`` (midnight) or ``YYYY-MM-DD[T ]HH:MM[:SS]``, no time zone."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value if value.tzinfo is None else None


def as_date(value: Any) -> dt.date | None:
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
