"""What the SQL of every dialect is built from: character classes, check-character tables, date and
number spellings — each derived from ``govstd.standards.numbers`` (the Python modules' own constants),
never re-typed. The native kernel reads the same constants.
"""

from __future__ import annotations

import array
import itertools
import re
import sys

from govstd.standards.numbers import gb11714, gb32100, iso7064, normalize

# --------------------------------------------------------------------------- character classes
# Derived from govstd.standards.numbers.normalize, so SQL normalises exactly what Python does.


def _bmp() -> str:
    """Every BMP character but the surrogates, in code point order."""
    # One decode of 32-bit code units: a fifth of the CPU of joining 63,488 ``chr`` calls (~7 ms per run).
    units = array.array("I", range(0x10000))
    assert units.itemsize == 4
    return (units[:0xD800].tobytes() + units[0xE000:].tobytes()).decode(f"utf-32-{sys.byteorder[0]}e")


#: Every BMP character but the surrogates, in code point order.
_BMP = _bmp()


def chars_matching(char_class: re.Pattern[str]) -> str:
    """Every BMP character (surrogates aside) that ``char_class`` — a character class, ``+`` allowed —
    matches, in code point order. One ``findall`` over all of them: the same characters as testing
    each with ``fullmatch``, at a thirtieth of the import-time cost."""
    return "".join(char_class.findall(_BMP))


#: Whitespace the Python normaliser removes (``\s`` of Python's re, plus invisible characters).
WHITESPACE_CHARS = chars_matching(normalize.WHITESPACE_RE)
DASH_CHARS = chars_matching(normalize.DASH_RE)
APOSTROPHE_CHARS = normalize.APOSTROPHES
MASK_CHARS = "".join(sorted(normalize.MASK_CHARS))
FULLWIDTH_FROM = "".join(chr(k) for k in sorted(normalize.FULLWIDTH))
FULLWIDTH_TO = "".join(chr(normalize.FULLWIDTH[k]) for k in sorted(normalize.FULLWIDTH))
EXCEL_PATTERN = normalize.EXCEL_RE.pattern


def _ranges_without(chars: str, *, min_size: int = 64) -> tuple[tuple[int, int | None], ...]:
    """Code point ranges [low, high) of printable characters none of ``chars`` is in (the large ones
    only: a cheap test that is true of nearly every real first character); high None: no bound."""
    cps = sorted({ord(c) for c in chars} | {0x20})  # control characters and space below 0x21
    out: list[tuple[int, int | None]] = []
    for low, high in itertools.pairwise(cps):
        if high - low - 1 >= min_size:
            out.append((low + 1, high))
    out.append((cps[-1] + 1, None))
    return tuple(out)


#: First characters that are certainly not whitespace: ASCII from '!', CJK, and so on.
NOT_WHITESPACE_RANGES = _ranges_without(WHITESPACE_CHARS)

#: GB 11714 / GB 32100 character values: a character's value is its index here (A = 10 … Z = 35).
ALNUM = "".join(sorted(iso7064.ALNUM_VALUES, key=iso7064.ALNUM_VALUES.__getitem__))


def _gb11714_check_table() -> str:
    # GB 11714-1997 校验码: C9 = 11 - (S mod 11); C9 = 10 is written 'X', C9 = 11 is written '0'.
    # Indexed by S mod 11. A test compares it with gb11714.calc_check_digit.
    out = []
    for r in range(gb11714.MODULUS):
        c = gb11714.MODULUS - r
        out.append("X" if c == 10 else "0" if c == 11 else str(c))
    return "".join(out)


GB11714_CHECK_TABLE = _gb11714_check_table()
#: GB 32100-2015 校验码: check value = (31 - S mod 31) mod 31, written with ALPHABET; indexed by S mod 31.
GB32100_CHECK_TABLE = "".join(
    gb32100.ALPHABET[(gb32100.MODULUS - r) % gb32100.MODULUS] for r in range(gb32100.MODULUS)
)

#: Date and date-time layouts accepted in data files (strftime notation; dialects translate).
#: GB/T 7408.1 extended and basic forms first, then the layouts Chinese office software writes.
DATE_LAYOUTS: tuple[str, ...] = ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
DATETIME_LAYOUTS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y%m%d%H%M%S",
    "%Y%m%d %H:%M:%S",
    # What Chinese office software and forms write (受理时间 2024年1月5日 9时30分): accepted like the
    # 年月日 date, reported as non-canonical by ``<field>.normalised``.
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日 %H时%M分%S秒",
    "%Y年%m月%d日 %H时%M分",
    *DATE_LAYOUTS,
)
#: Most digits each directive of the layouts reads; fewer are accepted too (a year of 1-4 digits, …), as
#: DuckDB's strptime reads them. A fraction of a second (``%f``) may have up to 9 digits: Java, pandas and
#: PostgreSQL-style ``timestamp(9)`` exports write nanoseconds. Every engine's timestamp keeps
#: microseconds (FRACTION_KEPT digits): the digits past them are dropped — truncated, not rounded, so
#: 23:59:59.9999999 stays on its day and no engine can carry a value past its largest timestamp.
LAYOUT_WIDTHS: dict[str, int] = {"Y": 4, "m": 2, "d": 2, "H": 2, "M": 2, "S": 2, "f": 9}
FRACTION_KEPT = 6
BOOLEAN_SPELLINGS: tuple[str, ...] = ("true", "false", "t", "f", "1", "0", "yes", "no", "y", "n", "是", "否")
NUMBER_PATTERN = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
#: Identifier text normalisation leaves unchanged (upper-case ASCII letters, digits, '.', '+', '*').
CLEAN_CODE_PATTERN = r"[0-9A-Z.+*]*"
INTEGER_PATTERN = r"[+-]?[0-9]{1,18}"
