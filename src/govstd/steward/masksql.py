"""Masking as DuckDB SQL: the same masked forms ``govstd.standards.masking`` gives, on every row at once.

``mask_expr`` writes ``masking.mask`` (keep the first and last characters a field's ``MaskingRule``
names, never show a short or odd value whole) as SQL arithmetic over ``length``/``left``/``right``;
a property test holds it to the Python function. Identifiers are normalised first as the identifier
modules' ``mask`` functions do (full-width, spaces, dashes, case; ``+86`` for phones), so
``+86 138 1234 5678`` becomes ``138****5678``. Two masks have no ``MaskingRule``: a person's name keeps
the surname (张*, 欧阳**), an address keeps its part up to the county-level division (区/县/旗).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from govstd.standards import masking
from govstd.standards.models import DataElement, MaskingRule, PiiClass
from govstd.standards.numbers import gb11643, mobile
from govstd.steward.detect import DIALECT
from govstd.validators.ir import col, fn

#: Two-character surnames kept whole in a masked name (欧阳**). The common ones of the 《百家姓》
#: compound surnames; a rarer one is masked after its first character, which hides more, not less.
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
                     "司徒", "令狐", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "万俟", "闻人", "赫连", "澹台")
#: An address keeps its head up to the first county-level division (an autonomous region's 区 is
#: skipped: it is a province); without one, up to the first city (市). The rest becomes ADDRESS_TAIL,
#: of fixed length so the mask does not tell how long the street address was.
ADDRESS_HEAD = r"^((?:.*?自治区)?.*?(?:区|县|旗))"
ADDRESS_CITY = r"^(.*?市)"
ADDRESS_TAIL = "****"

Normalise = Literal["code", "phone"] | None


@dataclass(frozen=True)
class Masking:
    """How one column is masked."""

    kind: Literal["rule", "name", "address"]
    rule: MaskingRule | None = None  # None: masking.FALLBACK_RULE
    #: ``masking.mask``'s ``full_length``: a shorter value shows at most a third of itself.
    full_length: int | None = None
    normalise: Normalise = None


def rule_of(element: DataElement | None, pii: PiiClass | None) -> Masking | None:
    """The masking of a field bound to ``element`` holding ``pii`` (None: shown as is)."""
    effective = pii if pii is not None else (element.pii if element is not None else PiiClass.NONE)
    if effective == PiiClass.NAME:
        return Masking("name")
    if effective == PiiClass.ADDRESS:
        return Masking("address")
    rule = masking.rule_for(element, effective)
    if rule is None or effective == PiiClass.NONE:
        return None
    if effective == PiiClass.ID_NUMBER:
        # As gb11643.mask: a legacy 15-digit number is a whole number, not a short one.
        return Masking("rule", rule, gb11643.LEGACY_LENGTH, "code")
    if effective == PiiClass.PHONE:
        phone_rule = (element.masking if element is not None and element.masking
                      else MaskingRule(keep_start=3, keep_end=4))
        return Masking("rule", phone_rule, mobile.LENGTH, "phone")
    return Masking("rule", rule)


def normalised(x: str, how: Normalise) -> str:
    """SQL for ``x`` in its display form (``normalize.display_form``; ``+86`` dropped for phones)."""
    if how is None:
        return f"trim({x})"
    name = "__x"
    sql = DIALECT.expr(fn("normalize_phone" if how == "phone" else "normalize_code", col(name)))
    return sql.replace(DIALECT.quote_identifier(name), x)


def mask_expr(x: str, how: Masking | None) -> str:
    """SQL masking the SQL value ``x`` (NULL stays NULL, '' stays '')."""
    if how is None:
        return x
    v = normalised(x, how.normalise) if how.kind == "rule" else f"trim({x})"
    if how.kind == "name":
        return _name(v)
    if how.kind == "address":
        return _address(v)
    return _rule(v, how.rule or masking.FALLBACK_RULE, how.full_length)


def _rule(v: str, rule: MaskingRule, full_length: int | None) -> str:
    # masking.mask, step by step: n, visible, start, end; the same integer arithmetic.
    ks, ke, mc = rule.keep_start, rule.keep_end, DIALECT.string_literal(rule.mask_char)
    n = f"length({v})"
    visible = f"least({ks + ke}, {n} - greatest(least({n}, 4), {n} // 3))"
    if full_length is not None:
        visible = f"(CASE WHEN {n} < {full_length} THEN least({visible}, {n} // 3) ELSE {visible} END)"
    start = f"least({ks}, greatest({visible} // 2, {visible} - {ke}))"
    end = f"least({ke}, {visible} - {start})"
    return (f"(CASE WHEN {v} IS NULL OR {n} = 0 THEN {v} ELSE "
            f"left({v}, {start}) || repeat({mc}, {n} - {start} - {end}) || right({v}, {end}) END)")


def _name(v: str) -> str:
    compound = ", ".join(DIALECT.string_literal(s) for s in COMPOUND_SURNAMES)
    keep = f"(CASE WHEN length({v}) > 2 AND left({v}, 2) IN ({compound}) THEN 2 WHEN length({v}) > 1 THEN 1 ELSE 0 END)"
    return (f"(CASE WHEN {v} IS NULL OR {v} = '' THEN {v} "
            f"ELSE left({v}, {keep}) || repeat('*', length({v}) - {keep}) END)")


def _address(v: str) -> str:
    head = (f"COALESCE(NULLIF(regexp_extract({v}, {DIALECT.string_literal(ADDRESS_HEAD)}, 1), ''), "
            f"regexp_extract({v}, {DIALECT.string_literal(ADDRESS_CITY)}, 1))")
    return (f"(CASE WHEN {v} IS NULL OR {v} = '' THEN {v} WHEN {head} = {v} THEN {v} "
            f"ELSE {head} || {DIALECT.string_literal(ADDRESS_TAIL)} END)")
