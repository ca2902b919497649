"""GB 32100-2015 法人和其他组织统一社会信用代码 — unified social credit code (USCC).

18 characters over 0-9 and 21 letters (no I, O, Z, S, V): registration authority (1), organisation
category (1), GB/T 2260 region (6), GB 11714 organisation code (9, own check), mod-31 check (1).

>>> validate('91110000600037341L')
'91110000600037341L'
>>> calc_check_digit('91110000600037341')
'L'
>>> validate('91110000600037341M')
Traceback (most recent call last):
    ...
govstd.standards.numbers.exceptions.InvalidChecksum: the check character does not match
>>> parse('91110000600037341L').category_label
'企业'
>>> code = '99329999600037341'; code += calc_check_digit(code)
>>> validate(code) == code  # unknown category 99 and region 329999: valid, reported by findings()
True
>>> [f.code for f in findings(code)]
['category', 'region']
>>> validate(code, strict=True)
Traceback (most recent call last):
    ...
govstd.standards.numbers.exceptions.InvalidCategory: unknown organisation category for authority 9 (position 2)
>>> format('9111 0000 6000 3734 1l')
'91110000600037341L'
>>> mask('92110105MA01ABCD2X')
'92110105********2X'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from govstd.standards import masking
from govstd.standards.models import MaskingRule, PiiClass
from govstd.standards.numbers import gb11714, gbt2260, iso7064
from govstd.standards.numbers.exceptions import (
    InvalidCategory,
    InvalidChecksum,
    InvalidFormat,
    InvalidLength,
    InvalidOrgCode,
    InvalidRegion,
    MaskedValue,
    ValidationError,
)
from govstd.standards.numbers.normalize import display_form, is_masked, normalize

__all__ = [
    "ALPHABET",
    "AUTHORITIES",
    "AUTHORITY_CATEGORIES",
    "AUTHORITY_CATEGORIES_VERSION",
    "EXCLUDED_LETTERS",
    "LENGTH",
    "MODULUS",
    "NAME",
    "NAME_ZH",
    "NATIONAL_REGION",
    "PII",
    "SHAPE",
    "WEIGHTS",
    "UsccInfo",
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

# GB 32100-2015, 代码结构 (code structure): 18 characters.
LENGTH = 18
# GB 32100-2015, 代码字符集 (character set): digits and upper-case letters except I, O, Z, S, V; a
# character's value is its index here (A = 10 ... Y = 30).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
EXCLUDED_LETTERS = "IOZSV"
#: GB 32100-2015, 代码结构: the canonical shape — ALPHABET everywhere, digits in positions 3-8 (the
#: registration authority's region). A test holds the character class to ALPHABET.
SHAPE = "[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}"
NAME = "GB 32100"
NAME_ZH = "统一社会信用代码"
#: A legal person's code, not personal data (unsure for a sole trader's: the field standard decides).
PII = PiiClass.NONE
# GB 32100-2015, 校验码 (check character, per GB/T 17710): weights 3^(i-1) mod 31 for positions 1..17,
# i.e. 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28; check = (31 - Σ mod 31) mod 31.
MODULUS = 31
WEIGHTS: tuple[int, ...] = tuple(pow(3, i, MODULUS) for i in range(LENGTH - 1))
# Region digits of codes assigned by national-level registration authorities.
NATIONAL_REGION = "100000"

# Registration authority (position 1) → organisation category (position 2) → label. Versioned data:
# 1, 5, 9 and Y are in the 2015 text; 2, 3, 4, 6, 7, 8, A and N were added by later notices, and their
# category lists (unsure) come from published summaries, not from an official text checked here.
AUTHORITY_CATEGORIES_VERSION = "2015+later-notices/2025-01"
AUTHORITIES: dict[str, str] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商/市场监管",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}
AUTHORITY_CATEGORIES: dict[str, dict[str, str]] = {
    "1": {"1": "机关", "2": "事业单位", "3": "编办直管群团", "9": "其他"},
    "2": {"1": "外国常驻新闻机构", "9": "其他"},
    "3": {
        "1": "律师执业机构",
        "2": "公证处",
        "3": "基层法律服务所",
        "4": "司法鉴定机构",
        "5": "仲裁委员会",
        "9": "其他",
    },
    "4": {"1": "外国在华文化中心", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
    "6": {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地(大陆)代表机构", "9": "其他"},
    "7": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"},
    "8": {"1": "基层工会", "9": "其他"},
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
    "A": {"1": "军队事业单位", "9": "其他"},
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    "Y": {"1": "其他"},
}

_VALUES: dict[str, int] = {c: i for i, c in enumerate(ALPHABET)}
_SHAPE_RE = re.compile(f"^{SHAPE}$")
_OLD_REGISTRATION_RE = re.compile(r"^[0-9]{15}$")


@dataclass(frozen=True, slots=True)
class UsccInfo:
    """The parts of a USCC, with labels from ``AUTHORITY_CATEGORIES`` (None if not in the table)."""

    authority: str
    authority_label: str | None
    category: str
    category_label: str | None
    region_code: str
    org_code: str


def compact(number: str) -> str:
    """Normalise harmless damage (width, spaces, dashes, apostrophe, lower case)."""
    return normalize(number).value


def calc_check_digit(first17: str) -> str:
    """The check character for the first 17 characters."""
    if len(first17) != LENGTH - 1:
        raise InvalidLength("the check character is computed from 17 characters")
    values = iso7064.char_values(first17, _VALUES)
    return ALPHABET[(MODULUS - iso7064.weighted_sum(values, WEIGHTS) % MODULUS) % MODULUS]


def _prepare(number: str) -> str:
    number = compact(number)
    if is_masked(number):
        raise MaskedValue("the credit code is already masked")
    if len(number) != LENGTH:
        if _OLD_REGISTRATION_RE.match(number):
            raise InvalidLength("15 digits: an old business registration number (注册号), not a credit code")
        raise InvalidLength(f"a credit code has {LENGTH} characters, this has {len(number)}")
    excluded = sorted({c for c in number if c in EXCLUDED_LETTERS}, key=EXCLUDED_LETTERS.index)
    if excluded:
        letters = ", ".join(excluded)
        raise InvalidFormat(f"{letters}: GB 32100 does not use the letters I, O, Z, S, V")
    if not _SHAPE_RE.match(number):
        if all(c in _VALUES for c in number):
            raise InvalidFormat("positions 3-8 (the region code) must be digits")
        raise InvalidFormat("a credit code has only digits and the upper-case letters of its alphabet")
    return number


def check(
    number: str,
    *,
    strict: bool = False,
    check_region: bool = True,
    check_category: bool = True,
    check_org_code: bool = True,
) -> list[ValidationError]:
    """Every problem with ``number``, each part separately (checksum, organisation code and — only when
    ``strict`` — category and region); ``[]`` if valid. A masked or mis-shaped value gives one error.

    Issued codes carry the region of the *registration authority* (development zones and other codes in
    no GB/T 2260 table) and categories used beyond the table, so by default those are ``findings``."""
    try:
        number = _prepare(number)
    except ValidationError as err:
        return [err]
    problems: list[ValidationError] = []
    if calc_check_digit(number[:17]) != number[17]:
        problems.append(InvalidChecksum())
    if strict:
        problems.extend(_table_problems(number, check_region=check_region, check_category=check_category))
    if check_org_code and not gb11714.is_valid(number[8:17]):
        problems.append(InvalidOrgCode("positions 9-17 (the GB 11714 organisation code) fail their own check"))
    return problems


def findings(
    number: str, *, strict: bool = False, check_region: bool = True, check_category: bool = True
) -> list[ValidationError]:
    """What is reported but does not make the code invalid (warning severity): a registration authority
    or category not in ``AUTHORITY_CATEGORIES``, a region part in no GB/T 2260 table. Empty when
    ``strict`` (then they are ``check`` errors) and for values of the wrong shape."""
    if strict:
        return []
    try:
        number = _prepare(number)
    except ValidationError:
        return []
    return _table_problems(number, check_region=check_region, check_category=check_category)


def _table_problems(number: str, *, check_region: bool, check_category: bool) -> list[ValidationError]:
    problems: list[ValidationError] = []
    if check_category:
        categories = AUTHORITY_CATEGORIES.get(number[0])
        if categories is None:
            problems.append(InvalidCategory("unknown registration authority (position 1): not in the table"))
        elif number[1] not in categories:
            problems.append(InvalidCategory(f"unknown organisation category for authority {number[0]} (position 2)"))
    if check_region and number[2:8] != NATIONAL_REGION and not gbt2260.is_known(number[2:8]):
        problems.append(InvalidRegion("positions 3-8 are in no GB/T 2260 table (a registration authority's own code?)"))
    return problems


def validate(
    number: str,
    *,
    strict: bool = False,
    check_region: bool = True,
    check_category: bool = True,
    check_org_code: bool = True,
) -> str:
    """Return the compact code, or raise the first problem ``check`` finds: MaskedValue, InvalidLength,
    InvalidFormat, InvalidChecksum, InvalidOrgCode, and when ``strict`` InvalidCategory or InvalidRegion."""
    problems = check(number, strict=strict, check_region=check_region, check_category=check_category,
                     check_org_code=check_org_code)
    if problems:
        raise problems[0]
    return compact(number)


def is_valid(
    number: str,
    *,
    strict: bool = False,
    check_region: bool = True,
    check_category: bool = True,
    check_org_code: bool = True,
) -> bool:
    """True if ``validate`` accepts the code."""
    return not check(number, strict=strict, check_region=check_region, check_category=check_category,
                     check_org_code=check_org_code)


def format(number: str) -> str:
    """The code in its standard presentation (compact, upper case)."""
    return compact(number)


def mask(number: str, keep_start: int = 8, keep_end: int = 2, char: str = "*") -> str:
    """Mask a code for display. A legal person's code is not personal data, but an individual
    business's (authority 9, category 2) can identify a person. Never returns the value whole."""
    return masking.mask(
        display_form(number), MaskingRule(keep_start=keep_start, keep_end=keep_end, mask_char=char), full_length=LENGTH
    )


def parse(
    number: str,
    *,
    strict: bool = False,
    check_region: bool = True,
    check_category: bool = True,
    check_org_code: bool = True,
) -> UsccInfo:
    """Validate and split the code into its parts."""
    number = validate(number, strict=strict, check_region=check_region, check_category=check_category,
                      check_org_code=check_org_code)
    categories = AUTHORITY_CATEGORIES.get(number[0], {})
    return UsccInfo(
        authority=number[0],
        authority_label=AUTHORITIES.get(number[0]),
        category=number[1],
        category_label=categories.get(number[1]),
        region_code=number[2:8],
        org_code=number[8:17],
    )
