"""govstd's custom GX expectations and the metrics behind them (importing this module registers them).

Every expectation is a GX map expectation: GX counts, among the rows it looks at (non-null values;
for pairs, rows where not both values are missing), those failing a row condition. The condition is
built by ``govstd.integrations.gx.conditions`` from the same derivation ``govstd validate`` uses, and
evaluated on pandas through DuckDB (the SQL ``govstd validate`` runs) and on SQL data sources as one
SQL expression compiled for the source's dialect (``evaluate.sql_dialect``). A dialect govstd cannot
compile for fails the expectation with a message naming it, never silently.

Kwargs are plain JSON values, so an exported suite is self-contained: references to standards are
pinned (``GBT2260@2024.1.0``); definitions that are not built into govstd travel in ``entries``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import great_expectations as gx
import sqlalchemy as sa
from great_expectations.execution_engine.pandas_execution_engine import PandasExecutionEngine
from great_expectations.execution_engine.sqlalchemy_execution_engine import SqlAlchemyExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation, ColumnPairMapExpectation
from great_expectations.expectations.metrics.map_metric_provider.column_condition_partial import (
    column_condition_partial,
)
from great_expectations.expectations.metrics.map_metric_provider.column_map_metric_provider import (
    ColumnMapMetricProvider,
)
from great_expectations.expectations.metrics.map_metric_provider.column_pair_condition_partial import (
    column_pair_condition_partial,
)
from great_expectations.expectations.metrics.map_metric_provider.column_pair_map_metric_provider import (
    ColumnPairMapMetricProvider,
)

from govstd.integrations.gx import conditions, names
from govstd.integrations.gx.evaluate import pandas_mask, sql_dialect, sql_expression

_LIBRARY_METADATA: dict[str, Any] = {
    "maturity": "production",
    "tags": ["govstd", "china", "government data standards"],
    "contributors": ["govstd"],
}


# --------------------------------------------------------------------------- conditions, cached


@functools.lru_cache(maxsize=256)
def _cached(kind: str, columns: tuple[str, ...], kwargs_json: str) -> conditions.Condition:
    kw: dict[str, Any] = json.loads(kwargs_json)
    if kind == names.VALID_GB11643 or kind == names.VALID_GB32100:
        options = {k: kw.pop(k) for k in list(kw) if k not in ("part", "algorithm", "masked", "today")}
        return conditions.identifier_condition(columns[0], kw["algorithm"], kw.get("part", "valid"), options=options,
                                               masked=bool(kw.get("masked")), today=kw.get("today"))
    if kind == names.IN_CODE_SET:
        return conditions.code_set_condition(columns[0], **kw)
    if kind == names.PASS_CHECK:
        return conditions.field_condition(columns[0], **kw)
    if kind == names.PAIR_MATCH_GB11643:
        return conditions.id_pair_condition(columns[0], columns[1], **kw)
    if kind == names.PAIR_COMPARISON:
        return conditions.compare_condition(columns[0], columns[1], **kw)
    raise KeyError(kind)


def _condition(kind: str, columns: tuple[str, ...], kwargs: Mapping[str, Any]) -> conditions.Condition:
    clean = {k: v for k, v in kwargs.items() if not k.startswith("_")}
    return _cached(kind, columns, json.dumps(clean, sort_keys=True, default=str))


def _sql(kind: str, columns: tuple[str, ...], kwargs: Mapping[str, Any]) -> Any:
    condition = _condition(kind, columns, kwargs)
    engine = kwargs.get("_sqlalchemy_engine")
    dialect_name = getattr(getattr(engine, "dialect", None), "name", None) or "unknown"
    dialect = sql_dialect(dialect_name, condition.tables)
    return sa.literal_column(sql_expression(condition, dialect), type_=sa.Boolean())


def _pandas(kind: str, series: Mapping[str, Any], kwargs: Mapping[str, Any]) -> Any:
    condition = _condition(kind, tuple(series), kwargs)
    return pandas_mask(condition, dict(series))


def _column_metric(kind: str, value_keys: tuple[str, ...]) -> type[ColumnMapMetricProvider]:
    """A column map metric ``column_values.<kind>`` evaluating the govstd condition of ``kind``."""

    def pandas_fn(cls: Any, column: Any, **kwargs: Any) -> Any:
        return _pandas(kind, {str(column.name): column}, kwargs)

    def sql_fn(cls: Any, column: Any, **kwargs: Any) -> Any:
        return _sql(kind, (str(column.name),), kwargs)

    attrs: dict[str, Any] = {
        "condition_metric_name": _metric_name(kind),
        "condition_value_keys": value_keys,
        "_pandas": column_condition_partial(engine=PandasExecutionEngine)(pandas_fn),
        "_sqlalchemy": column_condition_partial(engine=SqlAlchemyExecutionEngine)(sql_fn),
    }
    return type(f"Govstd{_camel(kind)}Metric", (ColumnMapMetricProvider,), attrs)


def _pair_metric(kind: str, value_keys: tuple[str, ...]) -> type[ColumnPairMapMetricProvider]:
    def pandas_fn(cls: Any, column_A: Any, column_B: Any, **kwargs: Any) -> Any:
        return _pandas(kind, {str(column_A.name): column_A, str(column_B.name): column_B}, kwargs)

    def sql_fn(cls: Any, column_A: Any, column_B: Any, **kwargs: Any) -> Any:
        return _sql(kind, (str(column_A.name), str(column_B.name)), kwargs)

    attrs: dict[str, Any] = {
        "condition_metric_name": _metric_name(kind),
        "condition_domain_keys": ("batch_id", "table", "column_A", "column_B", "row_condition", "condition_parser",
                                  "ignore_row_if"),
        "condition_value_keys": value_keys,
        "_pandas": column_pair_condition_partial(engine=PandasExecutionEngine)(pandas_fn),
        "_sqlalchemy": column_pair_condition_partial(engine=SqlAlchemyExecutionEngine)(sql_fn),
    }
    return type(f"Govstd{_camel(kind)}Metric", (ColumnPairMapMetricProvider,), attrs)


def _metric_name(kind: str) -> str:
    return "column_values.govstd_" + kind.removeprefix("expect_column_values_to_").removeprefix(
        "expect_column_pair_values_to_")


def _camel(kind: str) -> str:
    return "".join(part.title() for part in kind.split("_"))


# --------------------------------------------------------------------------- expectations

_GB11643_KEYS = ("part", "algorithm", "allow_legacy_15", "region_policy", "min_birth_date", "reject_sequence_000",
                 "masked", "today")
_GB32100_KEYS = ("part", "algorithm", "check_category", "check_region", "check_org_code", "masked", "today")
_CODE_SET_KEYS = ("code_set", "as_of", "historical", "match", "entries", "registry", "today")
_CHECK_KEYS = ("check", "field", "entries", "registry", "today", "exposed")
_PAIR_KEYS = ("aspect", "algorithm", "allow_legacy_15", "male_code", "female_code")
_COMPARE_KEYS = ("op", "left_type", "right_type")

_METRICS = (
    _column_metric(names.VALID_GB11643, _GB11643_KEYS),
    _column_metric(names.VALID_GB32100, _GB32100_KEYS),
    _column_metric(names.IN_CODE_SET, _CODE_SET_KEYS),
    _column_metric(names.PASS_CHECK, _CHECK_KEYS),
    _pair_metric(names.PAIR_MATCH_GB11643, _PAIR_KEYS),
    _pair_metric(names.PAIR_COMPARISON, _COMPARE_KEYS),
)


class ExpectColumnValuesToBeValidGb11643(ColumnMapExpectation):
    """Expect values to be valid GB 11643-1999 citizen ID numbers (公民身份号码) — or, with ``part``,
    to pass one part of the check: ``length``, ``format``, ``checksum``, ``birth_date``, ``region``,
    ``sequence`` — exactly as ``govstd validate`` checks them (harmless damage such as a lowercase x,
    full-width digits or spaces is normalised first; retired GB/T 2260 address codes stay valid).

    ``algorithm``: ``gb11643``, ``residence_permit`` (港澳台居民居住证) or ``foreign_pr`` (外国人永久居留
    身份证, 2023 edition). ``region_policy``: any_time | birth_year | current | none. ``today``: the
    reference date for "born in the future" (ISO date; default: the day the suite runs).
    """

    part: str = "valid"
    algorithm: str = "gb11643"
    allow_legacy_15: bool = False
    region_policy: str = "any_time"
    min_birth_date: str | None = None
    reject_sequence_000: bool = False
    masked: bool = False
    today: str | None = None

    library_metadata: ClassVar[dict[str, Any]] = _LIBRARY_METADATA
    map_metric = _metric_name(names.VALID_GB11643)
    success_keys = (*_GB11643_KEYS, "mostly")


class ExpectColumnValuesToBeValidGb32100(ColumnMapExpectation):
    """Expect values to be valid GB 32100-2015 unified social credit codes (统一社会信用代码) — or one
    part: ``length``, ``format``, ``checksum`` (mod 31), ``category`` (registration authority and
    organisation category), ``region`` (GB/T 2260), ``org_code`` (GB 11714 check of positions 9-17).
    Codes with letters in positions 1-2 (A, N, Y authorities) are valid, as in the standard."""

    part: str = "valid"
    algorithm: str = "gb32100"
    check_category: bool = True
    check_region: bool = True
    check_org_code: bool = True
    masked: bool = False
    today: str | None = None

    library_metadata: ClassVar[dict[str, Any]] = _LIBRARY_METADATA
    map_metric = _metric_name(names.VALID_GB32100)
    success_keys = (*_GB32100_KEYS, "mostly")


class ExpectColumnValuesToBeInGovstdCodeSet(ColumnMapExpectation):
    """Expect values to be codes of a govstd code set, version pinned (``code_set='GBT2260@2024.1.0'``),
    in force on ``as_of`` (default: the day the suite runs) or at any time (``historical``). ``match``:
    ``code``, ``label`` or ``any``. Surrounding whitespace is ignored, as ``govstd validate`` does.
    The set is read from govstd's built-in library, ``entries``, or a registry (``registry`` or
    ``$GOVSTD_REGISTRY``) — a published version never changes, so every source agrees."""

    code_set: str
    as_of: str | None = None
    historical: bool = False
    match: str = "code"
    entries: list[dict[str, Any]] = []  # noqa: RUF012 (a pydantic field, copied per instance)
    registry: str | None = None
    today: str | None = None

    library_metadata: ClassVar[dict[str, Any]] = _LIBRARY_METADATA
    map_metric = _metric_name(names.IN_CODE_SET)
    success_keys = (*_CODE_SET_KEYS, "mostly")


class ExpectColumnValuesToPassGovstdCheck(ColumnMapExpectation):
    """Expect values to pass one check ``govstd validate`` derives for a catalogue field: ``type``
    (dates and numbers read from text in every layout govstd accepts), ``range``, ``pattern``,
    ``length``, ``code_set``, an identifier part (``checksum``, …), or the hygiene reports
    (``normalised``, ``excel_damage``, ``masked``) and ``pii_exposure``. ``field`` describes the field
    as in a catalogue schema (``data_type``, ``standard``, ``code_set``, ``minimum``, ``options``, …)."""

    check: str
    field: dict[str, Any]
    entries: list[dict[str, Any]] = []  # noqa: RUF012
    registry: str | None = None
    today: str | None = None
    exposed: bool = False

    library_metadata: ClassVar[dict[str, Any]] = _LIBRARY_METADATA
    map_metric = _metric_name(names.PASS_CHECK)
    success_keys = (*_CHECK_KEYS, "mostly")


class ExpectColumnPairValuesToMatchGb11643(ColumnPairMapExpectation):
    """Expect the birth date, sex or region in ``column_B`` (``aspect``) to agree with the citizen ID
    number in ``column_A``: the embedded birth date equals the date; an odd sequence number is male
    (``male_code``, GB/T 2261.1 '1'), an even one female (``female_code``, '2'); the region code has
    the same province, prefecture or county as the address code. Rows where either value cannot be
    read are not judged (their own checks report them)."""

    aspect: str
    algorithm: str = "gb11643"
    allow_legacy_15: bool = False
    male_code: str = "1"
    female_code: str = "2"
    ignore_row_if: str = "both_values_are_missing"

    library_metadata: ClassVar[dict[str, Any]] = _LIBRARY_METADATA
    map_metric = _metric_name(names.PAIR_MATCH_GB11643)
    success_keys = ("column_A", "column_B", "ignore_row_if", *_PAIR_KEYS, "mostly")


class ExpectColumnPairValuesToPassGovstdComparison(ColumnPairMapExpectation):
    """Expect ``column_A op column_B`` (``<``, ``<=``, ``=``, ``!=``, ``>=``, ``>``) where both parse as
    ``left_type`` / ``right_type`` (string, integer, decimal, date, datetime) — govstd's ``compare``
    rule, e.g. 办结时间 ≥ 受理时间, with dates read in every layout govstd accepts."""

    op: str
    left_type: str = "string"
    right_type: str | None = None
    ignore_row_if: str = "both_values_are_missing"

    library_metadata: ClassVar[dict[str, Any]] = _LIBRARY_METADATA
    map_metric = _metric_name(names.PAIR_COMPARISON)
    success_keys = ("column_A", "column_B", "ignore_row_if", *_COMPARE_KEYS, "mostly")


_CLASSES: dict[str, type[Any]] = {
    names.VALID_GB11643: ExpectColumnValuesToBeValidGb11643,
    names.VALID_GB32100: ExpectColumnValuesToBeValidGb32100,
    names.IN_CODE_SET: ExpectColumnValuesToBeInGovstdCodeSet,
    names.PASS_CHECK: ExpectColumnValuesToPassGovstdCheck,
    names.PAIR_MATCH_GB11643: ExpectColumnPairValuesToMatchGb11643,
    names.PAIR_COMPARISON: ExpectColumnPairValuesToPassGovstdComparison,
}
assert {k: v.__name__ for k, v in _CLASSES.items()} == names.EXPECTATIONS


def load_suite(source: str | Path | Mapping[str, Any]) -> Any:
    """A ``gx.ExpectationSuite`` from an exported suite: a path, JSON text or a dict."""
    if isinstance(source, Mapping):
        data = dict(source)
    elif isinstance(source, str) and source.lstrip().startswith("{"):
        data = json.loads(source)
    else:
        data = json.loads(Path(source).read_text(encoding="utf-8"))
    return gx.ExpectationSuite(**{k: v for k, v in data.items() if k in ("name", "expectations", "meta", "notes")})


__all__ = [
    "ExpectColumnPairValuesToMatchGb11643",
    "ExpectColumnPairValuesToPassGovstdComparison",
    "ExpectColumnValuesToBeInGovstdCodeSet",
    "ExpectColumnValuesToBeValidGb11643",
    "ExpectColumnValuesToBeValidGb32100",
    "ExpectColumnValuesToPassGovstdCheck",
    "load_suite",
]
