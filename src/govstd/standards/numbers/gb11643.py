"""GB 11643-1999 公民身份号码 — citizen identification number.

18 characters: 6-digit address code (GB/T 2260, the code in force when the number was issued),
8-digit birth date YYYYMMDD, 3-digit sequence (odd = male, even = female), ISO 7064 MOD 11-2 check.

>>> validate('11010519491231002x')
'11010519491231002X'
>>> calc_check_digit('11010519491231002')
'X'
>>> validate('110105194912310021')
Traceback (most recent call last):
    ...
govstd.standards.numbers.exceptions.InvalidChecksum: the check character does not match
>>> parse('11010519491231002X').sex
'female'
>>> mask('11010519491231002X')
'110105********002X'
>>> to_18('110105491231002')
'11010519491231002X'
>>> is_valid('110103198001010013')  # 崇文区, abolished in 2010: the number stays valid
True
>>> is_valid('110103198001010013', region_policy='current')
False
>>> validate('440524188001010014')  # the standard's own worked example, born 1880
'440524188001010014'
>>> [w.code for w in findings('440524188001010014')]
['birth_date']
>>> validate('440524188001010014', strict=True)
Traceback (most recent call last):
    ...
govstd.standards.numbers.exceptions.InvalidBirthDate: the birth date is before 1900-01-01
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from govstd.standards import masking
from govstd.standards.models import MaskingRule, PiiClass
from govstd.standards.numbers import gbt2260, iso7064
from govstd.standards.numbers.exceptions import (
    InvalidBirthDate,
    InvalidChecksum,
    InvalidFormat,
    InvalidLength,
    InvalidRegion,
    InvalidSequence,
    MaskedValue,
    ValidationError,
)
from govstd.standards.numbers.normalize import display_form, is_masked, normalize

__all__ = [
    "ACCEPT_SEQUENCE_000",
    "CHECK_CHARS",
    "LEGACY_LENGTH",
    "LENGTH",
    "MIN_BIRTH_DATE",
    "NAME",
    "NAME_ZH",
    "PII",
    "REGION_POLICIES",
    "RESIDENCE_PERMIT_REGIONS",
    "SHAPE",
    "WEIGHTS",
    "IdInfo",
    "RegionPolicy",
    "calc_check_digit",
    "check",
    "compact",
    "findings",
    "format",
    "is_valid",
    "mask",
    "parse",
    "to_18",
    "validate",
]

#: How checks and reports name the standard, and the identifier's name (名称).
NAME = "GB 11643"
NAME_ZH = "公民身份号码"
#: The kind of personal data it is (masking and the PII-exposure check; the mask rule is the field
#: standard's, in the library YAML).
PII = PiiClass.ID_NUMBER
# GB 11643-1999, 号码的结构 (structure of the number): 17-digit body + 1 check character.
LENGTH = 18
#: GB 11643-1999, 号码的结构: the canonical shape (17 digits and a check character 0-9 or X).
SHAPE = "[0-9]{17}[0-9X]"
# GB 11643-1989 社会保障号码 (replaced by the 1999 text): 6 address + YYMMDD + 3 sequence, no check.
LEGACY_LENGTH = 15
LEGACY_SHAPE = "[0-9]{15}"
# GB 11643-1999, 校验码 (check character) clause: weights Wi = 2^(18-i) mod 11 for positions i = 1..17,
# i.e. 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 (ISO 7064:1983 MOD 11-2; computed once in iso7064).
WEIGHTS: tuple[int, ...] = iso7064.weights(LENGTH - 1)
# GB 11643-1999, 校验码 clause: (Σ digit × weight) mod 11 = 0..10 → check character "10X98765432".
CHECK_CHARS: str = iso7064.MOD_11_2_CHECK_CHARS
# (unsure) The earliest *plausible* birth date. No clause sets a lower bound, and the standard's own
# worked example 440524188001010014 is born 1880, so an earlier date is valid: ``findings`` reports it
# as implausible (no holder born earlier is alive; typos such as 1090 land here), at warning severity.
# ``strict=True`` makes it an error; ``min_birth_date`` sets another hard lower bound.
MIN_BIRTH_DATE = date(1900, 1, 1)
# (unsure) Sequence 000: the 1999 text does not forbid it and peer validators accept it.
ACCEPT_SEQUENCE_000 = True
# 港澳台居民居住证 (residence permits for Hong Kong, Macao and Taiwan residents, 2018) use the same layout
# with these address codes. 810000 and 820000 are GB/T 2260 codes; 830000 is *not* (Taiwan's GB/T 2260
# code is 710000), so all three are allowed here explicitly, under every region policy.
RESIDENCE_PERMIT_REGIONS: dict[str, str] = {
    "810000": "香港特别行政区",
    "820000": "澳门特别行政区",
    "830000": "台湾地区",
}

RegionPolicy = Literal["any_time", "birth_year", "current", "none"]
# How strictly the address code is checked against GB/T 2260:
#   any_time   - the code was valid at some time 1981-2024 (default: numbers keep retired codes)
#   birth_year - the code was valid in the birth year (python-stdnum's rule; rejects real numbers
#                issued before a code was created, e.g. adults re-registered after a reform)
#   current    - the code is in force now (for a "current region" column, not for ID numbers)
#   none       - not checked
REGION_POLICIES: tuple[RegionPolicy, ...] = ("any_time", "birth_year", "current", "none")

_ID18_RE = re.compile(f"^{SHAPE}$")
_ID15_RE = re.compile(f"^{LEGACY_SHAPE}$")


@dataclass(frozen=True, slots=True)
class IdInfo:
    """What a citizen ID number says about its holder."""

    region_code: str
    region_name: str | None
    birth_date: date
    sex: Literal["male", "female"]
    sequence: str
    is_legacy_15: bool


def compact(number: str) -> str:
    """Normalise harmless damage (width, spaces, dashes, apostrophe, lower-case x)."""
    return normalize(number).value


def calc_check_digit(first17: str) -> str:
    """The check character for the first 17 digits ('0'-'9' or 'X')."""
    if not re.fullmatch(r"[0-9]{17}", first17):
        raise InvalidFormat("the check character is computed from 17 digits")
    return CHECK_CHARS[iso7064.weighted_sum((ord(c) - 48 for c in first17), WEIGHTS) % 11]


def to_18(number15: str) -> str:
    """Convert a legacy 15-digit number: insert '19' before the 2-digit year and add the check."""
    number15 = compact(number15)
    if len(number15) != LEGACY_LENGTH:
        raise InvalidLength("a legacy citizen ID number has 15 digits")
    if not _ID15_RE.match(number15):
        raise InvalidFormat("a legacy citizen ID number has digits only")
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + calc_check_digit(first17)


def _birth_date_problem(digits: str, today: date, min_birth_date: date | None) -> tuple[date | None, str | None]:
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    try:
        born = date(year, month, day)
    except ValueError:
        if month == 2 and day == 29:
            return None, "the birth date is 29 February in a year that is not a leap year"
        return None, "the birth date is not a real date"
    if born > today:
        return born, "the birth date is in the future"
    if min_birth_date is not None and born < min_birth_date:
        return born, f"the birth date is before {min_birth_date.isoformat()}"
    return born, None


def _hard_lower_bound(min_birth_date: date | None, strict: bool) -> date | None:
    """The birth date below which a number is invalid: ``min_birth_date`` if given, else
    ``MIN_BIRTH_DATE`` when strict, else none (an early date is only implausible)."""
    if min_birth_date is not None:
        return min_birth_date
    return MIN_BIRTH_DATE if strict else None


def _region_problem(code: str, born: date | None, policy: str) -> str | None:
    if policy == "none" or code in RESIDENCE_PERMIT_REGIONS:
        return None
    if policy == "current":
        return None if gbt2260.is_current(code) else "the address code is not a GB/T 2260 code in force now"
    if policy == "birth_year" and born is not None:
        if gbt2260.is_known(code, born.year):
            return None
        return "the address code was not a GB/T 2260 code in the birth year"
    return None if gbt2260.is_known(code) else "the address code is not a GB/T 2260 code (1981-2024)"


def _prepare(number: str, allow_legacy_15: bool) -> tuple[str, bool]:
    """Normalise, reject masked/damaged/mis-shaped values; return the 18-char value and legacy flag."""
    number = compact(number)
    if is_masked(number):
        raise MaskedValue("the citizen ID number is already masked")
    if len(number) == LEGACY_LENGTH and _ID15_RE.match(number):
        if not allow_legacy_15:
            raise InvalidLength(
                "15 digits: a legacy (pre-1999) citizen ID number; accept legacy 15-digit numbers with "
                "the allow_legacy_15 option, or convert them with to_18()"
            )
        return to_18(number), True
    if len(number) != LENGTH:
        raise InvalidLength(f"a citizen ID number has {LENGTH} characters, this has {len(number)}")
    if not _ID18_RE.match(number):
        raise InvalidFormat("a citizen ID number has 17 digits and a check character 0-9 or X")
    return number, False


def check(
    number: str,
    *,
    allow_legacy_15: bool = False,
    region_policy: RegionPolicy = "any_time",
    today: date | None = None,
    min_birth_date: date | None = None,
    strict: bool = False,
) -> list[ValidationError]:
    """Every problem with ``number``, each part separately (checksum, birth date, region, sequence),
    so a report can weigh them; ``[]`` if valid. A masked, damaged or mis-shaped value gives one error.
    A birth date before ``MIN_BIRTH_DATE`` is a problem only when ``strict`` (see ``findings``).
    """
    return _check(number, allow_legacy_15, region_policy, today, _hard_lower_bound(min_birth_date, strict))[1]


def findings(
    number: str,
    *,
    allow_legacy_15: bool = False,
    today: date | None = None,
    min_birth_date: date | None = None,
    strict: bool = False,
) -> list[ValidationError]:
    """What is implausible but not invalid (reported at warning severity): a real, past birth date
    before ``MIN_BIRTH_DATE``. Empty when ``strict`` or an explicit ``min_birth_date`` already makes
    such a date an error, and for values whose shape or date is invalid (those are errors)."""
    if _hard_lower_bound(min_birth_date, strict) is not None:
        return []
    try:
        value, _ = _prepare(number, allow_legacy_15)
    except ValidationError:
        return []
    born, problem = _birth_date_problem(value[6:14], today or date.today(), None)
    if born is None or problem or born >= MIN_BIRTH_DATE:
        return []
    return [InvalidBirthDate(f"implausible: the birth date is before {MIN_BIRTH_DATE.isoformat()} (valid, "
                             "but no holder born earlier is alive — a typo or a historical record?)")]


def _check(
    number: str, allow_legacy_15: bool, region_policy: RegionPolicy, today: date | None, min_birth_date: date | None
) -> tuple[str, list[ValidationError]]:
    """The normalised value and its problems, computed once for ``check`` and ``validate``."""
    if region_policy not in REGION_POLICIES:
        raise ValueError(f"region_policy must be one of {', '.join(REGION_POLICIES)}")
    try:
        value, legacy = _prepare(number, allow_legacy_15)
    except ValidationError as err:
        return number, [err]
    problems: list[ValidationError] = []
    if not legacy and calc_check_digit(value[:17]) != value[17]:
        problems.append(InvalidChecksum())
    born, date_problem = _birth_date_problem(value[6:14], today or date.today(), min_birth_date)
    if date_problem:
        problems.append(InvalidBirthDate(date_problem))
    region_problem = _region_problem(value[:6], born, region_policy)
    if region_problem:
        problems.append(InvalidRegion(region_problem))
    if value[14:17] == "000" and not ACCEPT_SEQUENCE_000:
        problems.append(InvalidSequence("the sequence number 000 is not allowed"))
    return value, problems


def validate(
    number: str,
    *,
    allow_legacy_15: bool = False,
    region_policy: RegionPolicy = "any_time",
    today: date | None = None,
    min_birth_date: date | None = None,
    strict: bool = False,
) -> str:
    """Return the normalised 18-character number, or raise the first problem ``check`` finds.

    A legacy 15-digit number raises InvalidLength unless ``allow_legacy_15`` (then it is returned
    converted to 18). ``today`` (default: today) bounds the birth date; see ``REGION_POLICIES``.
    ``strict``: a birth date before ``MIN_BIRTH_DATE`` is an error, not a finding.
    """
    value, problems = _check(number, allow_legacy_15, region_policy, today, _hard_lower_bound(min_birth_date, strict))
    if problems:
        raise problems[0]
    return value


def is_valid(
    number: str,
    *,
    allow_legacy_15: bool = False,
    region_policy: RegionPolicy = "any_time",
    today: date | None = None,
    min_birth_date: date | None = None,
    strict: bool = False,
) -> bool:
    """True if ``validate`` accepts the number."""
    return not check(
        number,
        allow_legacy_15=allow_legacy_15,
        region_policy=region_policy,
        today=today,
        min_birth_date=min_birth_date,
        strict=strict,
    )


def format(number: str) -> str:
    """The number in its standard presentation: compact, upper-case X, no separators."""
    return compact(number)


def mask(number: str, keep_start: int = 6, keep_end: int = 4, char: str = "*") -> str:
    """Mask a number for display (``110101********123X``). Works on any string, valid or not, and
    never returns it whole; a short value shows at most a third of its characters."""
    return masking.mask(
        display_form(number),
        MaskingRule(keep_start=keep_start, keep_end=keep_end, mask_char=char),
        full_length=LEGACY_LENGTH,
    )


def parse(
    number: str,
    *,
    region_policy: RegionPolicy = "any_time",
    today: date | None = None,
    min_birth_date: date | None = None,
    strict: bool = False,
) -> IdInfo:
    """Validate (18 or legacy 15 digits) and split the number into what it says."""
    legacy = len(compact(number)) == LEGACY_LENGTH
    value = validate(
        number, allow_legacy_15=True, region_policy=region_policy, today=today, min_birth_date=min_birth_date,
        strict=strict,
    )
    code = value[:6]
    born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    region_name = gbt2260.name(code, born.year) or gbt2260.name(code) or RESIDENCE_PERMIT_REGIONS.get(code)
    return IdInfo(
        region_code=code,
        region_name=region_name,
        birth_date=born,
        sex="male" if int(value[16]) % 2 else "female",
        sequence=value[14:17],
        is_legacy_15=legacy,
    )
