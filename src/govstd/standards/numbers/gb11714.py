"""GB 11714-1997 全国组织机构代码编制规则 — organisation code (positions 9-17 of a USCC).

9 characters: 8 body characters (0-9, A-Z counted as 10..35) and a check character (0-9 or X),
usually written ``XXXXXXXX-X``; check = 11 - (Σ value × weight mod 11), 10 → 'X', 11 → '0'.

>>> validate('60003734-1')
'600037341'
>>> calc_check_digit('MA1FL8L7')
'X'
>>> format('600037341')
'60003734-1'
>>> validate('600037342')
Traceback (most recent call last):
    ...
govstd.standards.numbers.exceptions.InvalidChecksum: the check character does not match
"""

from __future__ import annotations

import re

from govstd.standards.models import PiiClass
from govstd.standards.numbers import iso7064
from govstd.standards.numbers.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, MaskedValue
from govstd.standards.numbers.normalize import is_masked, normalize

__all__ = [
    "BODY_LENGTH",
    "LENGTH",
    "MODULUS",
    "NAME",
    "NAME_ZH",
    "PII",
    "SHAPE",
    "WEIGHTS",
    "calc_check_digit",
    "compact",
    "format",
    "is_valid",
    "validate",
]

NAME = "GB 11714"
NAME_ZH = "组织机构代码"
PII = PiiClass.NONE
# GB 11714-1997, 代码结构 (code structure): 8 body characters + 1 check character.
LENGTH = 9
BODY_LENGTH = 8
#: GB 11714-1997, 代码结构: the canonical shape (8 characters 0-9/A-Z and a check character 0-9 or X).
SHAPE = "[0-9A-Z]{8}[0-9X]"
# GB 11714-1997, 校验码 (check character) clause: weights of body positions 1..8, and the modulus.
WEIGHTS: tuple[int, ...] = (3, 7, 9, 10, 5, 8, 4, 2)
MODULUS = 11

_BODY_RE = re.compile(r"^[0-9A-Z]{8}$")
_CODE_RE = re.compile(f"^{SHAPE}$")


def compact(number: str) -> str:
    """Normalise harmless damage (width, spaces, the dash before the check character, case)."""
    return normalize(number).value


def calc_check_digit(body: str) -> str:
    """The check character ('0'-'9' or 'X') for the 8 body characters."""
    if not _BODY_RE.match(body):
        raise InvalidFormat("an organisation code body has 8 characters 0-9 or A-Z")
    c = MODULUS - iso7064.weighted_sum(iso7064.char_values(body), WEIGHTS) % MODULUS
    # GB 11714-1997: C9 = 10 is written 'X', C9 = 11 is written '0'.
    return "X" if c == 10 else "0" if c == 11 else str(c)


def validate(number: str) -> str:
    """Return the 9-character compact code; raise MaskedValue, InvalidLength, InvalidFormat or
    InvalidChecksum."""
    number = compact(number)
    if is_masked(number):
        raise MaskedValue("the organisation code is already masked")
    if len(number) != LENGTH:
        raise InvalidLength(f"an organisation code has {LENGTH} characters (8 + check), this has {len(number)}")
    if not _CODE_RE.match(number):
        raise InvalidFormat("an organisation code has 8 characters 0-9/A-Z and a check character 0-9 or X")
    if calc_check_digit(number[:8]) != number[8]:
        raise InvalidChecksum()
    return number


def is_valid(number: str) -> bool:
    """True if ``validate`` accepts the code."""
    try:
        validate(number)
    except ValueError:
        return False
    return True


def format(number: str) -> str:
    """The code as usually printed: ``XXXXXXXX-X``."""
    number = compact(number)
    return f"{number[:8]}-{number[8:]}" if len(number) == LENGTH else number
