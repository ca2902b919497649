"""Mainland China mobile numbers (ITU-T E.164 country code 86, national significant number).

11 digits starting with 1: a 3-digit network prefix, then 8 subscriber digits (``138 1234 5678``).
Real data carries a country prefix (``+86``, ``0086``, ``86-``), spaces and dashes: these are removed.

>>> validate('+86 138-1234-5678')
'13812345678'
>>> validate('12812345678')
Traceback (most recent call last):
    ...
govstd.standards.numbers.exceptions.InvalidFormat: not a mainland mobile number (1 followed by 3-9 and 9 digits)
>>> is_valid('19912345678'), is_valid('19912345678', strict=True)
(True, True)
>>> is_valid('14012345678'), is_valid('14012345678', strict=True)
(True, False)
>>> format('8613812345678'), mask('13812345678')
('138 1234 5678', '138****5678')
"""

from __future__ import annotations

import contextlib
import re

from govstd.standards import masking
from govstd.standards.models import MaskingRule, PiiClass
from govstd.standards.numbers.exceptions import InvalidFormat, InvalidLength, MaskedValue
from govstd.standards.numbers.normalize import display_form, is_masked, normalize

__all__ = [
    "COUNTRY_CODE",
    "LENGTH",
    "NAME",
    "NAME_ZH",
    "PATTERN",
    "PII",
    "SHAPE",
    "STRICT_PATTERN",
    "compact",
    "format",
    "is_valid",
    "mask",
    "validate",
]

LENGTH = 11
COUNTRY_CODE = "86"
NAME = "mobile number"
NAME_ZH = "移动电话号码"
PII = PiiClass.PHONE
# What government platforms accept: 1, a second digit 3-9, nine more digits.
SHAPE = "1[3-9][0-9]{9}"
PATTERN = f"^{SHAPE}$"
# libphonenumber's mobile pattern for CN (its metadata, not a standard): only allocated prefixes.
# \d rewritten as [0-9] because Python's \d also matches full-width and other Unicode digits.
STRICT_PATTERN = r"^(?:1(?:610[0-9]|740[0-5])[0-9]{6}|1(?:[38][0-9]|4[57]|[59][0-35-9]|6[25-7]|7[0-35-8])[0-9]{8})$"

_PATTERN_RE = re.compile(PATTERN)
_STRICT_RE = re.compile(STRICT_PATTERN)
_PREFIX_RE = re.compile(r"^(?:\+86|0086|86(?=1[0-9]{10}$))")


def compact(number: str) -> str:
    """Remove spaces, dashes, an apostrophe and the country prefix (+86, 0086, 86)."""
    number = normalize(number.replace("(", "").replace(")", "")).value
    return _PREFIX_RE.sub("", number, count=1)


def validate(number: str, strict: bool = False) -> str:
    """Return the 11-digit number; ``strict`` uses libphonenumber's allocated prefixes.

    Raises MaskedValue, InvalidLength or InvalidFormat.
    """
    number = compact(number)
    if is_masked(number):
        raise MaskedValue("the mobile number is already masked")
    if len(number) != LENGTH:
        raise InvalidLength(f"a mainland mobile number has {LENGTH} digits, this has {len(number)}")
    if not _PATTERN_RE.match(number):
        raise InvalidFormat("not a mainland mobile number (1 followed by 3-9 and 9 digits)")
    if strict and not _STRICT_RE.match(number):
        raise InvalidFormat("not an allocated mainland mobile prefix (libphonenumber's list)")
    return number


def is_valid(number: str, strict: bool = False) -> bool:
    """True if ``validate`` accepts the number."""
    try:
        validate(number, strict=strict)
    except ValueError:
        return False
    return True


def format(number: str) -> str:
    """The number grouped 3-4-4: ``138 1234 5678``."""
    number = compact(number)
    return f"{number[:3]} {number[3:7]} {number[7:]}" if len(number) == LENGTH else number


def mask(number: str, keep_start: int = 3, keep_end: int = 4, char: str = "*") -> str:
    """Mask for display: ``138****5678``. Never returns the number whole."""
    with contextlib.suppress(ValueError):  # spreadsheet damage: mask what is there
        number = compact(number)
    return masking.mask(
        display_form(number), MaskingRule(keep_start=keep_start, keep_end=keep_end, mask_char=char), full_length=LENGTH
    )
