"""Shared normalisation and masking for identifiers read from department files.

Harmless damage is normalised and *reported* (full-width characters, padding, a leading apostrophe,
separators, lower case); real damage — a value that went through a spreadsheet as a number — raises
ExcelDamaged and is never "repaired". Masking itself lives in ``govstd.standards.masking``.

>>> normalize(" １１０１０５１９４９１２３１００２ｘ ")
Normalized(value='11010519491231002X', changes=('fullwidth', 'whitespace', 'lowercase'))
>>> normalize("'9111-0000-6000-3734-1L").changes
('apostrophe', 'dash')
>>> try:
...     normalize("1.10105E+17")
... except ExcelDamaged as err:
...     print(err.code)
excel_damage
>>> display_form(" １１０１０５-１９４９１２３１００２ｘ")
'11010519491231002X'
"""

from __future__ import annotations

import re
import string
from typing import NamedTuple

from govstd.standards.numbers.exceptions import ExcelDamaged

__all__ = [
    "APOSTROPHES",
    "ASCII_UPPER",
    "CHANGE_KINDS",
    "DASH_RE",
    "EXCEL_RE",
    "FULLWIDTH",
    "MASK_CHARS",
    "WHITESPACE_RE",
    "Normalized",
    "display_form",
    "is_excel_damaged",
    "is_masked",
    "normalize",
]

# The kinds of change ``normalize`` reports, in the order they are applied.
CHANGE_KINDS = ("fullwidth", "whitespace", "apostrophe", "dash", "lowercase")

# Full-width digits, Latin letters, and the asterisk, plus sign and full stop that masked and
# spreadsheet-damaged values contain (U+FF10-19, U+FF21-3A, U+FF41-5A, U+FF0A, U+FF0B, U+FF0E) map to
# ASCII by a fixed offset — NFKC restricted to what identifiers contain, so other text stays untouched.
FULLWIDTH = {
    cp: cp - 0xFEE0
    for cp in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B), 0xFF0A, 0xFF0B, 0xFF0E)
}
_FULLWIDTH_RE = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff0a\uff0b\uff0e]")
# Spaces of every kind, including ideographic space, no-break space and the invisible characters
# (zero-width space, BOM) that copy-paste from web pages and Word leaves behind.
WHITESPACE_RE = re.compile("[\\s\u00a0\u3000\u200b\u200c\u200d\u2060\ufeff]+")
# Hyphen-minus and its look-alikes: hyphens, dashes, minus sign, full-width hyphen-minus.
DASH_RE = re.compile("[-\u2010-\u2015\u2212\ufe63\uff0d]")
# Excel's "store as text" prefix: ASCII apostrophe, or its typographic forms after autocorrect.
APOSTROPHES = "'\u2018\u2019\uff07"
_LOWER_RE = re.compile("[a-z]")
# Case is mapped for ASCII letters only: identifiers hold no others, and full Unicode case mapping
# differs between engines (ß → SS in Python, Java and ICU; → ẞ in DuckDB), so every engine and this
# module agree on exactly a-z → A-Z.
ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
# A number shown by a spreadsheet in scientific notation (1.10105E+17, 1.10105e17), or a long number
# written back with a float's ".0" (pandas and WPS exports of a numeric cell): past 15 digits the
# trailing digits are gone, and at 11 digits (a mobile number, 13800138000.0) the value is still a
# number, not the identifier's text. 11 is the shortest identifier govstd checks with this test;
# a shorter "12345.0" may be a real decimal. [0-9], not \d: \d matches full-width and other Unicode digits.
EXCEL_RE = re.compile(r"^[0-9](?:\.[0-9]+)?[eE][+]?[0-9]{1,3}$|^[0-9]{11,}\.0+$")
MASK_CHARS = frozenset("*\uff0a\u00d7\u2022\u25cf")


class Normalized(NamedTuple):
    """A normalised value and the kinds of change made to it (see ``CHANGE_KINDS``)."""

    value: str
    changes: tuple[str, ...]


def is_excel_damaged(value: str) -> bool:
    """True if ``value`` looks like a number written by a spreadsheet (digits lost)."""
    return EXCEL_RE.match(WHITESPACE_RE.sub("", value.translate(FULLWIDTH)).lstrip(APOSTROPHES)) is not None


def is_masked(value: str) -> bool:
    """True if ``value`` contains a masking character (``*``, full-width ``＊``, ``×``, ``•``, ``●``)."""
    return any(c in MASK_CHARS for c in value)


def normalize(value: str, *, strip_dashes: bool = True, uppercase: bool = True) -> Normalized:
    """Normalise harmless damage and report what changed; raise ExcelDamaged for spreadsheet damage.

    Steps: full-width digits/letters → ASCII; remove all whitespace; drop one leading apostrophe;
    remove dashes (unless ``strip_dashes=False``, for layouts where dashes are separators that matter);
    a-z → A-Z (unless ``uppercase=False``; other letters keep their case).
    """
    changes: list[str] = []
    if _FULLWIDTH_RE.search(value):
        value = value.translate(FULLWIDTH)
        changes.append("fullwidth")
    stripped = WHITESPACE_RE.sub("", value)
    if stripped != value:
        value = stripped
        changes.append("whitespace")
    if value[:1] in APOSTROPHES and value:
        value = value[1:]
        changes.append("apostrophe")
    if EXCEL_RE.match(value):
        raise ExcelDamaged()
    if strip_dashes:
        undashed = DASH_RE.sub("", value)
        if undashed != value:
            value = undashed
            changes.append("dash")
    if uppercase and _LOWER_RE.search(value):
        value = value.translate(ASCII_UPPER)
        changes.append("lowercase")
    return Normalized(value, tuple(changes))


def display_form(value: str) -> str:
    """``value`` with harmless damage removed (width, spaces, dashes, apostrophe, case), for masking."""
    return DASH_RE.sub("", WHITESPACE_RE.sub("", value.translate(FULLWIDTH))).lstrip(APOSTROPHES).translate(ASCII_UPPER)
