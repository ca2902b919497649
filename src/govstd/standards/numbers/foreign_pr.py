"""外国人永久居留身份证 — foreign permanent resident ID card numbers.

2023-12-01 edition: 18 digits, the first '9', the last an ISO 7064 MOD 11-2 check as GB 11643.
2017 edition: 15 characters, 3 letters (nationality) + 12 digits, no known check (``allow_2017``).

>>> validate('910000202310100016')
'910000202310100016'
>>> validate('910000202310100017')
Traceback (most recent call last):
    ...
govstd.standards.numbers.exceptions.InvalidChecksum: the check character does not match
>>> validate('USA330812345678', allow_2017=True)
'USA330812345678'
>>> edition('usa330812345678')
'2017'
>>> mask('910000202310100016')
'910***********0016'
"""

from __future__ import annotations

import re
from typing import Literal

from govstd.standards import masking
from govstd.standards.models import MaskingRule, PiiClass
from govstd.standards.numbers import gb11643
from govstd.standards.numbers.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, MaskedValue
from govstd.standards.numbers.normalize import display_form, is_masked, normalize

__all__ = [
    "LENGTH_2017",
    "LENGTH_2023",
    "NAME",
    "NAME_ZH",
    "PII",
    "PREFIX_2023",
    "SHAPE",
    "calc_check_digit",
    "compact",
    "edition",
    "format",
    "is_valid",
    "mask",
    "validate",
]

# 2023 edition: 18 characters beginning with '9' (no GB/T 2260 province starts with 9, so these never
# collide with citizen ID numbers). The meaning of digits 2-17 is not published in a source we could
# check (unsure): they are not validated — only the shape and the MOD 11-2 check are.
LENGTH_2023 = 18
PREFIX_2023 = "9"
#: The 2023 edition's canonical shape: 9, 16 digits and a MOD 11-2 check character.
SHAPE = "9[0-9]{16}[0-9X]"
#: How checks and reports name the card (its 名称 serves as both).
NAME = "外国人永久居留身份证"
NAME_ZH = "外国人永久居留身份证"
PII = PiiClass.ID_NUMBER
# 2017 edition: 3-letter nationality code + 12 digits; no check character is known, so format only.
LENGTH_2017 = 15

_RE_2023 = re.compile(f"^{SHAPE}$")
_RE_2017 = re.compile(r"^[A-Z]{3}[0-9]{12}$")

compact = gb11643.compact
# The 2023 edition's check is GB 11643's MOD 11-2, reused rather than re-typed.
calc_check_digit = gb11643.calc_check_digit


def edition(number: str) -> Literal["2023", "2017"] | None:
    """Which edition's shape ``number`` has ('2023', '2017'), or None. Does not check the checksum."""
    number = compact(number)
    if _RE_2023.match(number):
        return "2023"
    if _RE_2017.match(number):
        return "2017"
    return None


def validate(number: str, *, allow_2017: bool = False) -> str:
    """Return the compact number if valid; 2017-edition numbers only with ``allow_2017``.

    Raises MaskedValue, InvalidLength, InvalidFormat or InvalidChecksum.
    """
    number = normalize(number).value
    if is_masked(number):
        raise MaskedValue("the permanent residence ID number is already masked")
    if len(number) == LENGTH_2017 and allow_2017:
        if not _RE_2017.match(number):
            raise InvalidFormat("a 2017-edition number has 3 letters and 12 digits")
        return number
    if len(number) != LENGTH_2023:
        expected = f"{LENGTH_2023} (or {LENGTH_2017} for the 2017 edition)" if allow_2017 else str(LENGTH_2023)
        hint = "" if allow_2017 or len(number) != LENGTH_2017 else "; accept the 2017 edition with allow_2017"
        raise InvalidLength(f"a permanent residence ID number has {expected} characters{hint}")
    if not _RE_2023.match(number):
        raise InvalidFormat("a 2023-edition number has 17 digits starting with 9 and a check character 0-9 or X")
    if calc_check_digit(number[:17]) != number[17]:
        raise InvalidChecksum()
    return number


def is_valid(number: str, *, allow_2017: bool = False) -> bool:
    """True if ``validate`` accepts the number."""
    try:
        validate(number, allow_2017=allow_2017)
    except ValueError:
        return False
    return True


def format(number: str) -> str:
    """The number in its standard presentation (compact, upper case)."""
    return compact(number)


def mask(number: str, keep_start: int = 3, keep_end: int = 4, char: str = "*") -> str:
    """Mask a number for display; never returns it whole (short junk shows at most a third)."""
    return masking.mask(
        display_form(number),
        MaskingRule(keep_start=keep_start, keep_end=keep_end, mask_char=char),
        full_length=LENGTH_2017,
    )
