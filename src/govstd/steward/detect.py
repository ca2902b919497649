"""What a column may hold: each candidate field standard as a header test and a vectorised SQL test.

``infer`` counts, per column, the values each candidate's SQL predicate accepts — first on a sample,
then, for the candidates the sample leaves standing, over the whole column in one aggregate query.
The predicates are compiled from the check IR by the DuckDB dialect, so an identifier is recognised
with the very shape, normalisation and check-character arithmetic that validation uses (constants
from ``govstd.standards.numbers``). Header names come from the library entries' ``name_zh`` and
``aliases``, plus the common column names no entry lists (``govstd.standards.headers``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from govstd.standards import library
from govstd.standards.headers import header_names
from govstd.standards.models import CodeSet, DataElement, PiiClass
from govstd.standards.numbers import foreign_pr, gb11643, gb11714, gb32100, gbt2260, mobile, service_item
from govstd.validators import ir
from govstd.validators.compiler.constants import DATE_LAYOUTS, DATETIME_LAYOUTS, INTEGER_PATTERN, NUMBER_PATTERN
from govstd.validators.compiler.duckdb import DuckDBDialect
from govstd.validators.derive.base import one_of_patterns
from govstd.validators.ir import and_, col, fn, is_null, not_

DIALECT = DuckDBDialect()
T_REGION_CURRENT = "__govstd_infer_region_current"
T_REGION_HISTORY = "__govstd_infer_region_history"

#: Headers naming a person's name or an address: the PII those columns hold is not in their shape alone.
NAME_HEADERS = ("姓名", "名字", "name", "full_name", "xm")
ADDRESS_HEADERS = ("地址", "住址", "address", "addr", "dz")
#: A person's name: 2–6 Han characters (CJK Extension A/B included: rare name characters) or the
#: middle dot of transcribed names (阿依古丽·买买提).
NAME_PATTERN = "[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f·•]{2,6}"
#: Mainland landline after normalisation: trunk 0, a 2–3 digit area code, a 7–8 digit number (the
#: numbering plan's usual lengths; no standard in the library fixes it, hence a pattern only).
LANDLINE_PATTERN = "0[1-9][0-9]{8,10}"


def fold(name: str) -> str:
    """Header names as compared: case-folded, without spaces, separators and brackets."""
    return re.sub(r"[\s_\-/\\()（）:：.·]+", "", name).casefold()


@dataclass(frozen=True)
class Candidate:
    """One thing a column may hold, and how the schema says so."""

    key: str
    label: str
    #: Tiers are tried in order: identifiers and code sets, then dates, then numbers.
    tier: int
    #: the column's forms → SQL predicate (true when the value fits); never run on a blank value.
    test: Callable[[Inputs], str]
    #: FieldSpec keys the schema gets when this candidate wins.
    spec: dict[str, Any] = field(default_factory=dict)
    #: A code set of a few short codes (0/1/2, 01…56) fits many columns: trusted only under a matching header.
    needs_header: bool = False
    entry_id: str | None = None

    def header_names(self) -> set[str]:
        return {fold(n) for n in header_names(self.entry_id)} if self.entry_id else set()

    @property
    def pii(self) -> PiiClass:
        if self.entry_id is None:
            return PiiClass(self.spec.get("pii", PiiClass.NONE))
        entry = library.find(self.entry_id)
        return entry.pii if isinstance(entry, DataElement) else PiiClass(self.spec.get("pii", PiiClass.NONE))


def header_matches(header: str, names: set[str]) -> bool:
    """A header names a standard when it equals one of its names, or contains a Chinese name of two
    or more characters (申请人身份证号 contains 身份证号; ``item_name`` does not name a person)."""
    h = fold(header)
    return h in names or any(len(n) >= 2 and not n.isascii() and n in h for n in names)


@dataclass(frozen=True)
class Inputs:
    """The forms of one column the predicates read, each computed once per row: names of columns of
    ``forms_sql``'s result (blank values are NULL in all of them)."""

    index: int

    @property
    def raw(self) -> str:
        return f"c{self.index}"

    @property
    def trim(self) -> str:
        return f"c{self.index}_trim"

    @property
    def code(self) -> str:
        return f"c{self.index}_code"

    @property
    def dashed(self) -> str:
        return f"c{self.index}_dashed"

    @property
    def phone(self) -> str:
        return f"c{self.index}_phone"


def forms_sql(columns: Sequence[str], source: str) -> str:
    """A query over ``source`` yielding, per column, its forms (``Inputs``): blank → NULL, trimmed,
    normalised as an identifier (with and without dashes) and as a phone number."""
    q = DIALECT.quote_identifier
    inner = ", ".join(f"CASE WHEN {DIALECT.fn_is_blank([q(c)])} THEN NULL ELSE {q(c)} END AS {q(Inputs(i).raw)}"
                      for i, c in enumerate(columns))
    outer = []
    for i in range(len(columns)):
        x = Inputs(i)
        outer += [q(x.raw), f"{DIALECT.trim(q(x.raw))} AS {q(x.trim)}",
                  f"{DIALECT.expr(fn('normalize_code', col(x.raw)))} AS {q(x.code)}",
                  f"{DIALECT.expr(fn('normalize_code', col(x.raw), strip_dashes=False))} AS {q(x.dashed)}",
                  f"{DIALECT.expr(fn('normalize_phone', col(x.raw)))} AS {q(x.phone)}"]
    return f"SELECT {', '.join(outer)} FROM (SELECT {inner} FROM {source})"


def _sql(expr: ir.Expr) -> str:
    return DIALECT.expr(expr)


def _code(c: Inputs) -> ir.Expr:
    return col(c.code)


def _mod11_2(shape: str) -> Callable[[Inputs], str]:
    return lambda c: _sql(and_(fn("matches", _code(c), pattern=shape), fn("mod11_2_ok", _code(c)),
                               not_(is_null(fn("id_birth_date", _code(c))))))


def _id18(c: Inputs) -> str:
    n = _code(c)
    return _sql(and_(fn("matches", n, pattern=gb11643.SHAPE), not_(fn("matches", n, pattern=foreign_pr.SHAPE)),
                     fn("mod11_2_ok", n), not_(is_null(fn("id_birth_date", n)))))


def _id15(c: Inputs) -> str:
    # GB 11643-1999 legacy 15-digit numbers: address, YYMMDD (19YY), sequence; no check character.
    n = _code(c)
    return _sql(and_(fn("matches", n, pattern=gb11643.LEGACY_SHAPE), not_(is_null(fn("id_birth_date", n)))))


def _uscc(c: Inputs) -> str:
    n = _code(c)
    return _sql(and_(fn("matches", n, pattern=gb32100.SHAPE), fn("gb32100_checksum_ok", n)))


def _org_code(c: Inputs) -> str:
    n = _code(c)
    return _sql(and_(fn("matches", n, pattern=gb11714.SHAPE), fn("gb11714_checksum_ok", n)))


def _region(table: str) -> Callable[[Inputs], str]:
    return lambda c: _sql(fn("in_table", col(c.trim), table=table, column="code"))


def _in(values: Sequence[str]) -> Callable[[Inputs], str]:
    return lambda c: _sql(ir.in_values(col(c.trim), list(values)))


def _trimmed(c: Inputs) -> ir.Expr:
    return col(c.trim)


def _matches(pattern: str, value: Callable[[Inputs], ir.Expr] = _trimmed) -> Callable[[Inputs], str]:
    return lambda c: _sql(fn("matches", value(c), pattern=pattern))


def _parses(layout: str) -> Callable[[Inputs], str]:
    # The dialect's own parse, so a column is detected as a time exactly when the type check reads it.
    return lambda c: f"({DIALECT.try_parse_timestamp(DIALECT.quote_identifier(c.trim), [layout])} IS NOT NULL)"


def _phone(c: Inputs) -> ir.Expr:
    return col(c.phone)


def _code_set(entry_id: str, ref: str, *, needs_header: bool) -> list[Candidate]:
    cs = library.find(entry_id, "code_set")
    assert isinstance(cs, CodeSet)
    codes = [c.code for c in cs.codes]
    labels = [v for c in cs.codes for v in (c.label_zh, *c.aliases)]
    name = f"{cs.reference.standard if cs.reference else cs.id} {cs.name_zh}"
    return [
        Candidate(f"{entry_id}:code", f"{name} (codes)", 1, _in(codes), {"code_set": ref},
                  needs_header=needs_header, entry_id=entry_id),
        Candidate(f"{entry_id}:label", f"{name} (labels)", 1, _in(labels),
                  {"code_set": ref, "options": {"match": "label"}}, entry_id=entry_id),
        Candidate(f"{entry_id}:any", f"{name} (codes and labels)", 1, _in([*codes, *labels]),
                  {"code_set": ref, "options": {"match": "any"}}, needs_header=needs_header, entry_id=entry_id),
    ]


def _date_format(layout: str) -> str:
    return layout.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD").replace("%H", "hh") \
        .replace("%M", "mm").replace("%S", "ss").replace("%f", "ffffff")


def candidates() -> list[Candidate]:
    """Every candidate, most specific first within a tier (the first of equal shares wins)."""
    layouts = service_item.LAYOUTS
    found = [
        Candidate("residence_permit_hmt", "港澳台居民居住证号码", 1, _mod11_2("8[123]0000[0-9]{11}[0-9X]"),
                  {"standard": "residence_permit_hmt@^1"}, entry_id="residence_permit_hmt"),
        # After the permits: GB 11643 accepts their numbers too, so a column of permits only is named as such.
        Candidate("GB11643", "GB 11643 公民身份号码", 1, _id18, {"standard": "GB11643@^1"}, entry_id="GB11643"),
        Candidate("foreign_permanent_residence_id", "外国人永久居留身份证号码", 1, _mod11_2(foreign_pr.SHAPE),
                  {"standard": "foreign_permanent_residence_id@^1"}, entry_id="foreign_permanent_residence_id"),
        Candidate("GB32100", "GB 32100 统一社会信用代码", 1, _uscc, {"standard": "GB32100@^1"}, entry_id="GB32100"),
        Candidate("GB11714", "GB 11714 组织机构代码", 1, _org_code, {"standard": "GB11714@^1"}, entry_id="GB11714"),
        Candidate("mobile_phone", "移动电话号码", 1, _matches(mobile.SHAPE, _phone),
                  {"standard": "mobile_phone@^1"}, entry_id="mobile_phone"),
        Candidate("GBT2260", f"GB/T 2260 行政区划代码 (in force {gbt2260.DATA_YEAR})", 1, _region(T_REGION_CURRENT),
                  {"code_set": f"GBT2260@^{gbt2260.DATA_YEAR}"}, entry_id="GBT2260"),
        Candidate("GBT2260:historical", "GB/T 2260 行政区划代码 (any year since 1981)", 1, _region(T_REGION_HISTORY),
                  {"code_set": f"GBT2260@^{gbt2260.DATA_YEAR}", "options": {"historical": True}}, entry_id="GBT2260"),
        *_code_set("GBT2261.1", "GBT2261.1@^1", needs_header=True),
        *_code_set("GBT3304", "GBT3304@^1", needs_header=True),
        Candidate("GBT39554.1", "政务服务事项编码", 1,
                  _matches(one_of_patterns([lay.pattern for lay in layouts]),
                           lambda c: col(c.dashed)),
                  {"standard": "GBT39554.1@^1"}, entry_id="GBT39554.1"),
    ]
    for layout in DATETIME_LAYOUTS:
        is_date = layout in DATE_LAYOUTS
        kind = "date" if is_date else "datetime"
        found.append(Candidate(f"{kind}:{layout}", f"{kind} {_date_format(layout)}", 2, _parses(layout),
                               {"data_type": kind, "description": f"format {_date_format(layout)}"}))
    found += [
        Candidate("integer", "integer", 3, _matches(INTEGER_PATTERN), {"data_type": "integer"}),
        Candidate("amount", "amount (2 decimals)", 3, _matches(r"[+-]?[0-9]+\.[0-9]{2}"),
                  {"data_type": "decimal", "description": "amount, 2 decimal places"}),
        Candidate("decimal", "decimal", 3, _matches(NUMBER_PATTERN), {"data_type": "decimal"}),
    ]
    return found


#: Shares of values that are not candidates of their own but inform one (landline phones, legacy IDs,
#: names, integers written with a leading zero).
EXTRA_TESTS: dict[str, Callable[[Inputs], str]] = {
    "landline": _matches(LANDLINE_PATTERN, _phone),
    "legacy_15": _id15,
    "name": _matches(NAME_PATTERN),
    "leading_zero": _matches("0[0-9]+"),
}


def register_reference_tables(con: duckdb.DuckDBPyConnection) -> None:
    """GB/T 2260 codes in force and ever valid, as tables the region predicates read."""
    con.register(T_REGION_CURRENT, pa.table({"code": sorted(gbt2260.CURRENT_CODES())}))
    con.register(T_REGION_HISTORY, pa.table({"code": sorted(gbt2260.HISTORICAL_CODES())}))
