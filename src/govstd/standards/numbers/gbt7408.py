"""GB/T 7408.1-2023 (ISO 8601-1) calendar dates — the representations data files use.

Extended ``YYYY-MM-DD`` or basic ``YYYYMMDD`` (the basic form is what GB 11643 embeds); the value must
be a real Gregorian date (29 February only in leap years).

>>> validate('2024-02-29')
datetime.date(2024, 2, 29)
>>> validate('20000229')
datetime.date(2000, 2, 29)
>>> validate('1900-02-29')
Traceback (most recent call last):
    ...
govstd.standards.numbers.exceptions.InvalidComponent: 29 February in a year that is not a leap year
>>> is_valid('2024/01/01')
False
>>> format('20240101')
'2024-01-01'
"""

from __future__ import annotations

import re
from datetime import date

from govstd.standards.numbers.exceptions import InvalidComponent, InvalidFormat
from govstd.standards.numbers.normalize import normalize

__all__ = [
    "BASIC_PATTERN", "CANONICAL_DATETIME_PATTERN", "CANONICAL_DATE_PATTERN", "EXTENDED_PATTERN", "compact",
    "format", "is_valid", "validate",
]

# GB/T 7408.1-2023 / ISO 8601-1 calendar date, complete representation: extended and basic format.
EXTENDED_PATTERN = r"^(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})$"
BASIC_PATTERN = r"^(?P<year>[0-9]{4})(?P<month>[0-9]{2})(?P<day>[0-9]{2})$"

#: The representations a data value is canonical in (RE2, full match, no group names): every other
#: layout the validators accept (2024/1/5, 2024年1月5日, 2024.01.05) is read as the same date and reported
#: as non-canonical (规范性). A date: extended or basic form. A date-time: extended form with 'T' or, as
#: GB/T 7408 allows by agreement and databases export, a space; seconds and fractions optional; a date
#: alone is a reduced precision. The basic date-time (20240105T093000) is rare in department files and
#: not listed. UTC offsets (+08:00, Z) are canonical too but not yet parsed by the engines (unsure how
#: to compare them with local times; a value with an offset fails the type check).
CANONICAL_DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{8}"
CANONICAL_DATETIME_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?)?"

_PATTERNS = (re.compile(EXTENDED_PATTERN), re.compile(BASIC_PATTERN))


def compact(value: str) -> str:
    """Normalise harmless damage (width, spaces, apostrophe); dashes are kept."""
    return normalize(value, strip_dashes=False).value


def validate(value: str) -> date:
    """Return the date for ``YYYY-MM-DD`` or ``YYYYMMDD``; raise InvalidFormat or InvalidComponent."""
    text = compact(value)
    match = next((m for p in _PATTERNS if (m := p.match(text))), None)
    if match is None:
        raise InvalidFormat("a date is written YYYY-MM-DD or YYYYMMDD")
    year, month, day = (int(match[g]) for g in ("year", "month", "day"))
    try:
        return date(year, month, day)
    except ValueError:
        if month == 2 and day == 29:
            raise InvalidComponent("29 February in a year that is not a leap year") from None
        raise InvalidComponent("not a real calendar date (month 01-12, day within the month)") from None


def is_valid(value: str) -> bool:
    """True if ``validate`` accepts the value."""
    try:
        validate(value)
    except ValueError:
        return False
    return True


def format(value: str) -> str:
    """The date in extended format ``YYYY-MM-DD``."""
    return validate(value).isoformat()
