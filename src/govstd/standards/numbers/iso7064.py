"""ISO/IEC 7064 MOD 11-2 (GB/T 17710), the check of GB 11643 citizen ID numbers, plus the
weighted-sum helpers the other identifier modules share.

MOD 11-2 is a pure system with radix 2 over modulus 11: the character at position i (counted from the
right, check character = 1) weighs 2^(i-1) mod 11, and a valid string's weighted sum is 1 (mod 11).
The check character is 0-9 or X (= 10). This module is the one place the algorithm lives.

>>> weights(17)
(7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
>>> calc_check_digit('11010519491231002')
'X'
>>> validate('11010519491231002X')
'11010519491231002X'
>>> checksum('11010519491231002X')
1
>>> is_valid('110105194912310021')
False
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from govstd.standards.numbers.exceptions import InvalidChecksum, InvalidFormat

__all__ = [
    "ALNUM_VALUES",
    "MOD_11_2_CHECK_CHARS",
    "calc_check_digit",
    "char_values",
    "checksum",
    "is_valid",
    "validate",
    "weighted_sum",
    "weights",
]

MODULUS = 11
RADIX = 2

# Values of the characters 0-9 and A-Z (A = 10 ... Z = 35), as GB 11714 and GB 32100 number them;
# MOD 11-2 uses only 0-9 and X (= 10) in the check position.
ALNUM_VALUES: dict[str, int] = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


def _check_char(value: int) -> str:
    return "X" if value == 10 else str(value)


# (weighted sum of the body mod 11) -> check character: the check value v satisfies (S + v) = 1 mod 11,
# so v = (12 - S) mod 11. Spelled out this is "10X98765432" — the table printed in GB 11643.
MOD_11_2_CHECK_CHARS: str = "".join(_check_char((1 + MODULUS - r) % MODULUS) for r in range(MODULUS))


def weights(length: int) -> tuple[int, ...]:
    """Weights 2^(n-i) mod 11 for the ``length`` body characters left of the check character."""
    return tuple(pow(RADIX, length - k, MODULUS) for k in range(length))


def weighted_sum(values: Iterable[int], weights: Sequence[int]) -> int:
    """Σ value × weight (callers reduce it by their own modulus)."""
    return sum(v * w for v, w in zip(values, weights, strict=True))


def char_values(text: str, table: dict[str, int] = ALNUM_VALUES) -> list[int]:
    """The numeric value of each character; raises InvalidFormat for a character not in ``table``."""
    try:
        return [table[c] for c in text]
    except KeyError:
        raise InvalidFormat("a character is not allowed in this position") from None


def calc_check_digit(body: str) -> str:
    """The MOD 11-2 check character ('0'-'9' or 'X') for a string of digits."""
    if not body.isascii() or not body.isdigit():
        raise InvalidFormat("MOD 11-2 is computed over the digits 0-9 only")
    total = weighted_sum((ord(c) - 48 for c in body), weights(len(body)))
    return MOD_11_2_CHECK_CHARS[total % MODULUS]


def checksum(number: str) -> int:
    """The MOD 11-2 checksum of a number including its check character; 1 means valid."""
    if not number or not number[:-1].isascii() or not number[:-1].isdigit() or number[-1] not in "0123456789X":
        raise InvalidFormat("MOD 11-2 applies to digits followed by a check character 0-9 or X")
    values = [ord(c) - 48 for c in number[:-1]] + [10 if number[-1] == "X" else int(number[-1])]
    return weighted_sum(values, (*weights(len(number) - 1), 1)) % MODULUS


def validate(number: str) -> str:
    """Return ``number`` if its MOD 11-2 check character is right; raise InvalidChecksum if not."""
    if checksum(number) != 1:
        raise InvalidChecksum()
    return number


def is_valid(number: str) -> bool:
    """True if the MOD 11-2 check character is right."""
    try:
        validate(number)
    except (InvalidFormat, InvalidChecksum):
        return False
    return True
