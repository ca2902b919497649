"""The check IR: what a check asserts about a dataset — never how an engine computes it.

A check holds a predicate tree of small typed nodes (column, literal, comparison, named function such
as ``gb11643_checksum_ok``) or a dataset-level metric (duplicates, newest timestamp), never SQL text.
SQL strings would bind every check to one engine's functions, quoting and regex flavour; a tree is
compiled per engine (DuckDB, Spark, PostgreSQL: ``govstd.validators.compiler``), inspected,
serialised and compared, so "same checks, same counts on every engine" is testable. Metrics
(evaluated, failed) are what a check measures; thresholds and verdicts belong to the scorecard, as
in datacontract-cli.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from govstd.standards.models import CatalogueSchema, QualityDimension


class _Model(BaseModel):
    # defer_build: a model's validator is built when first used, so a run pays only for the models it makes.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# --------------------------------------------------------------------------- expression nodes


class Col(_Model):
    """The value of a dataset column (text; every reader presents columns as text)."""

    node: Literal["col"] = "col"
    name: str


LiteralValue = str | bool | int | float | dt.datetime | dt.date | None


LiteralType = Literal["null", "bool", "int", "float", "text", "date", "timestamp"]


class Lit(_Model):
    """A constant. ``type`` is filled in from the Python value, so dates survive a JSON round trip."""

    node: Literal["lit"] = "lit"
    type: LiteralType = "text"
    value: LiteralValue

    @model_validator(mode="before")
    @classmethod
    def _typed(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        value = data.get("value")
        kind = data.get("type") or _literal_type(value)
        if isinstance(value, str) and kind == "date":
            value = dt.date.fromisoformat(value)
        elif isinstance(value, str) and kind == "timestamp":
            value = dt.datetime.fromisoformat(value)
        return {**data, "type": kind, "value": value}


def _literal_type(value: object) -> LiteralType:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, dt.datetime):
        return "timestamp"
    if isinstance(value, dt.date):
        return "date"
    return "text"


CmpOp = Literal["=", "!=", "<", "<=", ">", ">="]


class Cmp(_Model):
    """``left op right``. Predicates are two-valued: a comparison with NULL (an unparseable value)
    is false, and so is any predicate whose input is NULL."""

    node: Literal["cmp"] = "cmp"
    op: CmpOp
    left: Expr
    right: Expr


class And(_Model):
    node: Literal["and"] = "and"
    args: list[Expr] = Field(min_length=1)


class Or(_Model):
    node: Literal["or"] = "or"
    args: list[Expr] = Field(min_length=1)


class Not(_Model):
    node: Literal["not"] = "not"
    arg: Expr


class IsNull(_Model):
    node: Literal["is_null"] = "is_null"
    arg: Expr


class InValues(_Model):
    """``arg`` is one of a short literal list (a small code set inlined; large ones use a table)."""

    node: Literal["in"] = "in"
    arg: Expr
    values: list[str]


#: The named functions a compiler must provide, with what they mean. Parameters (``params``) are
#: constants known when the check is derived (a pattern, a reference table); ``args`` are expressions.
FUNCTIONS: dict[str, str] = {
    "is_blank": "(x) → bool: NULL, empty, or only whitespace (ASCII, ideographic or no-break spaces)",
    "trim": "(x) → text without surrounding whitespace",
    "length": "(x) → number of characters",
    "substr": "(x; start, length) → characters start..start+length-1 (1-based)",
    "concat": "(a, b, ...) → text",
    "normalize_code": (
        "(x; strip_dashes, uppercase) → identifier with harmless damage removed, as "
        "govstd.standards.numbers.normalize: full-width → ASCII, no whitespace, one leading apostrophe "
        "dropped, dashes removed (if strip_dashes), upper case (if uppercase)"
    ),
    "normalize_phone": "(x) → normalize_code without brackets and the +86 / 0086 / 86 country prefix",
    "matches": "(x; pattern) → bool: the whole value matches a regular expression (common RE2 subset)",
    "has_fullwidth": "(x) → bool: contains full-width digits, letters or asterisks",
    "has_whitespace": "(x) → bool: contains whitespace of any kind",
    "has_lowercase": "(x) → bool: contains a-z",
    "has_dash": "(x) → bool: contains a hyphen, dash or minus sign",
    "has_apostrophe": "(x) → bool: starts (after whitespace) with Excel's text apostrophe",
    "excel_damaged": "(x) → bool: scientific notation (1.10105E+17) or a long number with '.0'",
    "is_masked": "(x) → bool: contains a masking character (*, ＊, ×, •, ●)",
    "in_table": "(x; table, column) → bool: x is a value of a reference table's column",
    "lookup": "(x; table, key, value) → text: the distinct values of a reference table's column ``value`` on "
    "its rows whose ``key`` is x, sorted and joined by '; ', or NULL when there are none (a correlated "
    "lookup, for what a sample shows beside a row: another dataset's values for the row's key)",
    "to_number": "(x) → double, or NULL when x is not a decimal number (x is not trimmed)",
    "to_integer": "(x) → integer, or NULL when x is not an integer",
    "to_date": "(x) → date, or NULL when x is not a real date in an accepted layout (not trimmed)",
    "to_timestamp": "(x) → timestamp, or NULL when x is not a real date/time in an accepted layout",
    "is_boolean": "(x) → bool: x is one of the accepted boolean spellings",
    "ymd_date": "(x) → date of an 8-digit YYYYMMDD text, or NULL when it is not a real date",
    "year": "(date) → integer year",
    "date_text": "(date) → the date as YYYY-MM-DD text (the same text on every engine)",
    "mod11_2_ok": "(x) → bool: 17 digits + ISO 7064 MOD 11-2 check character (GB 11643 weights)",
    "id_birth_date": "(x) → the birth date embedded in an 18- or 15-digit GB 11643 number, or NULL",
    "id_is_male": "(x) → bool: the GB 11643 sequence digit (17th, or 15th of a legacy number) is odd",
    "gb32100_checksum_ok": "(x) → bool: GB 32100 mod-31 check character over its 31-character alphabet",
    "gb32100_category_ok": "(x) → bool: registration authority + organisation category in the table",
    "gb11714_checksum_ok": "(x) → bool: GB 11714 check character of a 9-character organisation code",
    "region_valid_in_year": "(code, year; table) → bool: code was in force in that year (history table)",
    "region_prefix_match": "(id_code, region) → bool: a region code (county, prefecture or province) "
    "agrees with the leading digits of a 6-digit address code",
    "if_else": "(cond, a, b) → a where cond holds, else b; only the chosen branch is computed",
}

#: Functions whose arguments after the first are computed only on some rows (like And / Or).
LAZY_FUNCTIONS = frozenset({"if_else"})


class Func(_Model):
    """A named function from ``FUNCTIONS``; each engine compiler implements each name once."""

    node: Literal["func"] = "func"
    name: str
    args: list[Expr] = Field(default_factory=list)
    params: dict[str, Any] = Field(default_factory=dict)

    def model_post_init(self, __context: Any) -> None:
        if self.name not in FUNCTIONS:
            raise ValueError(f"unknown IR function {self.name!r}")


Expr = Annotated[Col | Lit | Cmp | And | Or | Not | IsNull | InValues | Func, Field(discriminator="node")]

for _model in (Cmp, And, Or, Not, IsNull, InValues, Func):
    _model.model_rebuild()


# --------------------------------------------------------------------------- checks


#: error: the value is wrong. warning: the value is acceptable but a finding to weigh (an unknown region in
#: a credit code, a birth date before 1900) — scored like an error, never part of "valid". info: only reported.
Severity = Literal["error", "warning", "info"]


class _CheckBase(_Model):
    rule_id: str = Field(description="Stable id, e.g. 'id_number.checksum'.")
    rule: str = Field(description="Rule kind, e.g. 'checksum', 'not_null', 'code_set'.")
    dimension: QualityDimension
    indicator: str | None = Field(None, description="GB/T 36344 indicator, e.g. 数据格式合规性.")
    columns: list[str]
    description: str
    severity: Severity = "error"
    #: Columns shown (masked) in failing samples; defaults to ``columns``.
    sample_columns: list[str] | None = None
    #: Labelled expressions a failing row's sample shows after its columns (masked like them, by the
    #: label's rule in the run's masking map): what a reader needs beside the row to see why it fails —
    #: e.g. another department's value for the row's key (a ``lookup``). Computed on sample rows only.
    sample_values: dict[str, Expr] = Field(default_factory=dict)
    details: dict[str, Any] = Field(default_factory=dict)

    @property
    def shown_columns(self) -> list[str]:
        return self.sample_columns if self.sample_columns is not None else self.columns

    @property
    def sample_labels(self) -> list[str]:
        """What a sample of this check shows, in order: its shown columns, then its labelled values."""
        return [*self.shown_columns, *(k for k in self.sample_values if k not in self.shown_columns)]


class RowCheck(_CheckBase):
    """Evaluated on rows where ``applies`` holds (all rows if None); a row fails unless ``expect``
    holds. ``breakdown`` counts, among the failing rows, those where each named expression holds —
    reported in ``details`` (e.g. which kind of normalisation was found). ``tally`` counts, among the
    evaluated rows, those where each named expression holds — reported in ``details["tally"]`` (e.g.
    which service item code layout each value matched: a fact about passing rows too)."""

    kind: Literal["row"] = "row"
    applies: Expr | None = None
    expect: Expr
    breakdown: dict[str, Expr] = Field(default_factory=dict)
    tally: dict[str, Expr] = Field(default_factory=dict)


class UniqueCheck(_CheckBase):
    """Metric: rows whose key repeats an earlier row's key. Evaluated on rows where every key part
    is present; failed = evaluated − distinct keys."""

    kind: Literal["unique"] = "unique"
    key: list[Expr] = Field(min_length=1)
    present: Expr


class FreshnessCheck(_CheckBase):
    """Metric: the newest ``value`` in the dataset. Threshold: it must not be older than
    ``not_before`` (the run's reference time minus the declared update cycle)."""

    kind: Literal["freshness"] = "freshness"
    value: Expr
    not_before: dt.datetime


Check = Annotated[RowCheck | UniqueCheck | FreshnessCheck, Field(discriminator="kind")]


class ReferenceTable(_Model):
    """Reference data a check needs (a large code set, GB/T 2260 history, registered service items),
    loaded into the engine as a table named ``name``."""

    name: str
    columns: list[str]
    types: list[Literal["text", "integer"]]
    rows: list[tuple[str | int | None, ...]]
    #: Parquet files whose rows (same columns) the table holds as well: the engine reads them itself,
    #: so millions of registered codes never pass through Python objects (the catalogue's code files).
    files: list[str] = Field(default_factory=list)


class OtherDataset(_Model):
    """Another department's dataset a check compares with (a ``consistent_with`` rule), staged before the
    run into the reference table ``name`` (``govstd.validators.engines.other``): read by the readers (any
    format), its columns matched to ``catalogue``'s fields, ``key`` and ``values`` (expressions over those
    field names, normalised as this dataset's side is) computed in the engine. The staged table has the
    columns ``OTHER_COLUMNS`` names: a check looks a key, or a key and a value, up with ``in_table``."""

    name: str
    source: str
    table: str | None = None
    query: str | None = None
    encoding: str | None = None
    sheet: str | int | None = None
    catalogue: CatalogueSchema
    key: Expr
    values: list[Expr] = Field(min_length=1)
    #: Per value, the value as the other dataset writes it (trimmed, NULL when blank): what samples show.
    shown: list[Expr] = Field(default_factory=list)
    #: Its columns bound to identifier standards (the readers report numbers found there).
    text_columns: list[str] = Field(default_factory=list)


#: Joins a key and a value into one text a single-column lookup can match. A key holding it is never
#: staged, so the first separator always ends the key: two different pairs never give the same text.
PAIR_SEPARATOR = "\u241f"


def other_key(i: int | None = None) -> str:
    """Staged column: the key (``None``), or the key where value ``i`` is present (``i``)."""
    return "key" if i is None else f"has_{i}"


def other_pair(i: int) -> str:
    """Staged column: key + ``PAIR_SEPARATOR`` + value ``i`` as text (dates as ``date_text``)."""
    return f"pair_{i}"


def other_value(i: int) -> str:
    """Staged column: value ``i`` as the other dataset writes it (trimmed; NULL when blank), for samples."""
    return f"value_{i}"


#: Staged column: the key, on rows whose key repeats with different values of some compared attribute.
OTHER_AMBIGUOUS = "ambiguous"


def other_columns(n: int) -> list[str]:
    """The staged table's columns for ``n`` compared values."""
    return [other_key(), *(other_key(i) for i in range(n)), *(other_pair(i) for i in range(n)), OTHER_AMBIGUOUS,
            *(other_value(i) for i in range(n))]


class CheckSuite(_Model):
    """Everything one run checks: the checks, the reference tables they read, and derivation notes.
    ``datasets``: the other datasets to stage as reference tables before the run."""

    checks: list[Check]
    tables: list[ReferenceTable] = Field(default_factory=list)
    datasets: list[OtherDataset] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def table(self, name: str) -> ReferenceTable:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(name)


# --------------------------------------------------------------------------- builders


def col(name: str) -> Col:
    return Col(name=name)


def lit(value: LiteralValue) -> Lit:
    return Lit(value=value)


def fn(name: str, *args: Expr, **params: Any) -> Func:
    return Func(name=name, args=list(args), params=params)


def and_(*args: Expr | None) -> Expr:
    parts = [a for a in args if a is not None]
    return parts[0] if len(parts) == 1 else And(args=parts)


def or_(*args: Expr) -> Expr:
    return args[0] if len(args) == 1 else Or(args=list(args))


def not_(arg: Expr) -> Not:
    return Not(arg=arg)


def cmp(left: Expr, op: CmpOp, right: Expr) -> Cmp:
    return Cmp(op=op, left=left, right=right)


def eq(left: Expr, right: Expr) -> Cmp:
    return Cmp(op="=", left=left, right=right)


def in_values(arg: Expr, values: list[str]) -> InValues:
    return InValues(arg=arg, values=values)


def is_null(arg: Expr) -> IsNull:
    return IsNull(arg=arg)


def if_else(cond: Expr, then: Expr, otherwise: Expr) -> Func:
    return fn("if_else", cond, then, otherwise)


def node_key(node: Expr) -> str:
    """A node's identity for common-subexpression sharing: equal trees give equal keys."""
    return node.model_dump_json()


def children(node: Expr) -> list[Expr]:
    """The direct sub-expressions of ``node`` (empty for columns and literals)."""
    if isinstance(node, Cmp):
        return [node.left, node.right]
    if isinstance(node, And | Or):
        return list(node.args)
    if isinstance(node, Not | IsNull | InValues):
        return [node.arg]
    if isinstance(node, Func):
        return list(node.args)
    return []


def eager_children(node: Expr) -> list[Expr]:
    """The sub-expressions computed on every row ``node`` is computed on: the first argument of a
    short-circuiting node (And, Or, ``if_else``), every argument of the others."""
    kids = children(node)
    if isinstance(node, And | Or) or (isinstance(node, Func) and node.name in LAZY_FUNCTIONS):
        return kids[:1]
    return kids
