"""港澳台居民居住证 — residence permit numbers of Hong Kong, Macao and Taiwan residents (2018).

Same 18-character layout and MOD 11-2 check as GB 11643 citizen ID numbers (see gb11643, reused
here), but the address code is 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan).

>>> validate('810000199001010019')
'810000199001010019'
>>> parse('830000199001010012').region_name
'台湾地区'
>>> validate('110105194912310021')
Traceback (most recent call last):
    ...
govstd.standards.numbers.exceptions.InvalidChecksum: the check character does not match
>>> is_valid('11010519491231002X')
False
"""

from __future__ import annotations

from datetime import date

from govstd.standards.models import PiiClass
from govstd.standards.numbers import gb11643
from govstd.standards.numbers.exceptions import InvalidRegion, ValidationError

__all__ = [
    "NAME",
    "NAME_ZH",
    "PII",
    "REGIONS",
    "SHAPE",
    "calc_check_digit",
    "check",
    "compact",
    "findings",
    "format",
    "is_valid",
    "mask",
    "parse",
    "validate",
]

#: How checks and reports name the permit (its 名称 serves as both).
NAME = "港澳台居民居住证"
NAME_ZH = "港澳台居民居住证"
PII = PiiClass.ID_NUMBER
#: GB 11643's 18-character layout, reused.
SHAPE = gb11643.SHAPE
# The address codes of residence permits (defined once, in gb11643).
REGIONS: dict[str, str] = gb11643.RESIDENCE_PERMIT_REGIONS

compact = gb11643.compact
calc_check_digit = gb11643.calc_check_digit
format = gb11643.format
mask = gb11643.mask


def check(
    number: str, *, today: date | None = None, min_birth_date: date | None = None, strict: bool = False
) -> list[ValidationError]:
    """Every problem with ``number`` (as gb11643.check), plus the residence-permit address code."""
    problems = gb11643.check(number, region_policy="none", today=today, min_birth_date=min_birth_date, strict=strict)
    if any(p.code in {"masked", "excel_damage", "length", "format"} for p in problems):
        return problems
    if compact(number)[:6] not in REGIONS:
        problems.append(InvalidRegion("a residence permit's address code is 810000, 820000 or 830000"))
    return problems


def findings(
    number: str, *, today: date | None = None, min_birth_date: date | None = None, strict: bool = False
) -> list[ValidationError]:
    """What is implausible but valid (as gb11643.findings): a birth date before 1900."""
    return gb11643.findings(number, today=today, min_birth_date=min_birth_date, strict=strict)


def validate(
    number: str, *, today: date | None = None, min_birth_date: date | None = None, strict: bool = False
) -> str:
    """Return the normalised 18-character number or raise the first problem ``check`` finds."""
    problems = check(number, today=today, min_birth_date=min_birth_date, strict=strict)
    if problems:
        raise problems[0]
    return compact(number)


def is_valid(
    number: str, *, today: date | None = None, min_birth_date: date | None = None, strict: bool = False
) -> bool:
    """True if ``validate`` accepts the number."""
    return not check(number, today=today, min_birth_date=min_birth_date, strict=strict)


def parse(
    number: str, *, today: date | None = None, min_birth_date: date | None = None, strict: bool = False
) -> gb11643.IdInfo:
    """Validate and split the number (region, birth date, sex, sequence)."""
    validate(number, today=today, min_birth_date=min_birth_date, strict=strict)
    return gb11643.parse(number, region_policy="none", today=today, min_birth_date=min_birth_date, strict=strict)
