"""GB/T 2260 行政区划代码 — codes for the administrative divisions of the PRC, with their history.

Six digits: 2 province, 2 prefecture, 2 county (``xx0000`` province, ``xxxx00`` prefecture; prefecture
digits 90 = county-level units directly under the province). Codes change every year, so a code is
checked against the table in force at a given time: ``is_current`` (end of 2024), ``is_known``
(ever, or in a given year). Tables ship as package data (see ``data/SOURCES.md``), loaded once.

>>> is_current('110101'), is_current('110103')
(True, False)
>>> is_known('110103'), is_known('110103', year=2009), is_known('110103', year=2010)
(True, True, False)
>>> name('110103')
'崇文区'
>>> validate(' 110105 ')
'110105'
>>> is_valid('999999')
False
>>> name('511301'), is_current('511301')  # a derived 市辖区 code (see CITY_DISTRICTS_LEVEL)
('市辖区', True)
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from govstd.standards.numbers.exceptions import InvalidFormat, InvalidLength, InvalidRegion
from govstd.standards.numbers.normalize import normalize

__all__ = [
    "CITY_DISTRICTS_LEVEL",
    "CITY_DISTRICTS_NAME",
    "CURRENT_CODES",
    "CURRENT_FILE",
    "DATA_YEAR",
    "HISTORICAL_CODES",
    "HISTORY_FILE",
    "HISTORY_FIRST_YEAR",
    "CurrentRegion",
    "RegionRecord",
    "compact",
    "current_rows",
    "history_rows",
    "is_current",
    "is_known",
    "is_valid",
    "name",
    "parent_code",
    "validate",
]

# Package data (govstd/standards/data), provenance in data/SOURCES.md. A change to either table is a
# new file with a new data year, never an edit.
CURRENT_FILE = "gbt2260_current_2024.csv"
HISTORY_FILE = "gbt2260_history_1981_2024.csv"
# The history table starts with the 1981 publication: a record first seen in 1981 may be older, so it
# counts as valid for every year before 1981 too (people born before 1981 got codes in force later).
HISTORY_FIRST_YEAR = 1981
# The last year the tables cover (codes in force on 2024-12-31); codes still in use stay valid after.
DATA_YEAR = 2024
# GB/T 2260 gives every prefecture-level city that has districts a 市辖区 ("the city's districts") code
# xxxx01. The 民政部 lists the shipped tables come from omit these, yet they are real: IDs carry them and
# so do USCCs (region 511301, 南充市市辖区, throughout the service-item sample). They are derived, never
# stored: for each record of a prefecture-level "…市" with at least one district code xxxx02-xxxx20, a
# record (xxxx01, "市辖区", level CITY_DISTRICTS_LEVEL, parent the city xxxx00) with the city's validity
# period. This yields the same 292 codes python-stdnum lists. Everything that lists region codes (the
# built-in GBT2260 code set, the validators' reference tables, the docs site) takes them from here.
CITY_DISTRICTS_LEVEL = "city_districts"
CITY_DISTRICTS_NAME = "市辖区"


class RegionRecord(NamedTuple):
    """One validity period of one code: valid for valid_from_year <= year < valid_to_year_exclusive."""

    code: str
    name: str
    level: str
    valid_from_year: int
    valid_to_year_exclusive: int | None


class CurrentRegion(NamedTuple):
    """A code in force at the end of ``DATA_YEAR``."""

    code: str
    name: str
    level: str
    parent_code: str | None


def _read(filename: str, *columns: str) -> Iterator[tuple[str, ...]]:
    """The ``columns`` of each row of a packaged table, by header name (a tuple per row, not a dict:
    the history table's 7,000 rows are read on every run that checks a region)."""
    text = resources.files("govstd.standards").joinpath("data", filename).read_text(encoding="utf-8")
    rows = csv.reader(io.StringIO(text))
    header = next(rows)
    pick = itemgetter(*(header.index(c) for c in columns))
    return map(pick, rows)


def _city_of(code: str) -> str:
    """The prefecture-level city a 市辖区 code xxxx01 belongs to."""
    return code[:4] + "00"


def _has_city_districts(record: RegionRecord, district_prefixes: frozenset[str]) -> bool:
    return _is_districted_city(record.code, record.name, record.level, district_prefixes)


def _is_districted_city(code: str, name: str, level: str, district_prefixes: frozenset[str]) -> bool:
    """A prefecture-level "…市" with district codes xxxx02-xxxx20: it has a derived 市辖区 code xxxx01."""
    return level == "city" and code.endswith("00") and name.endswith("市") and code[:4] in district_prefixes


def _district_prefixes_of(rows: Iterable[tuple[str, str]]) -> frozenset[str]:
    """The xxxx of every county code xxxx02-xxxx20 among ``rows`` of (code, level)."""
    return frozenset(code[:4] for code, level in rows if level == "county" and 2 <= int(code[4:]) <= 20)


@cache
def _file_history_rows() -> tuple[RegionRecord, ...]:
    return tuple(
        RegionRecord(code, name, level, int(valid_from), int(valid_to) if valid_to else None)
        for code, name, level, valid_from, valid_to in _read(
            HISTORY_FILE, "code", "name", "level", "valid_from_year", "valid_to_year_exclusive")
    )


@cache
def _district_prefixes() -> frozenset[str]:
    return _district_prefixes_of((r.code, r.level) for r in _file_history_rows())


@cache
def history_rows(include_derived: bool = True) -> tuple[RegionRecord, ...]:
    """Every record 1981-2024 (code, name, level, valid from, valid to) in code order: the history
    table's, plus (``include_derived``) the 市辖区 records derived from it (see ``CITY_DISTRICTS_LEVEL``)."""
    rows = _file_history_rows()
    if not include_derived:
        return rows
    stored = {r.code for r in rows}
    prefixes = _district_prefixes()
    derived = tuple(
        RegionRecord(
            r.code[:4] + "01", CITY_DISTRICTS_NAME, CITY_DISTRICTS_LEVEL, r.valid_from_year, r.valid_to_year_exclusive
        )
        for r in rows
        if _has_city_districts(r, prefixes) and r.code[:4] + "01" not in stored
    )
    return tuple(sorted(rows + derived, key=lambda r: r.code))  # stable: a code's records stay in order


@cache
def current_rows(include_derived: bool = True) -> tuple[CurrentRegion, ...]:
    """Every code in force at the end of ``DATA_YEAR`` (code, name, level, parent code), plus
    (``include_derived``) the current cities' 市辖区 codes."""
    rows = tuple(
        CurrentRegion(code, name, level, parent or None)
        for code, name, level, parent in _read(CURRENT_FILE, "code", "name", "level", "parent_code")
    )
    if not include_derived:
        return rows
    stored = {r.code for r in rows}
    derived = {
        r.code: CurrentRegion(r.code, CITY_DISTRICTS_NAME, CITY_DISTRICTS_LEVEL, _city_of(r.code))
        for r in history_rows()
        if r.level == CITY_DISTRICTS_LEVEL and r.valid_to_year_exclusive is None and r.code not in stored
    }
    return rows + tuple(derived.values())


@cache
def _current_parents() -> dict[str, str | None]:
    return {row.code: row.parent_code for row in current_rows()}


def parent_code(record: RegionRecord) -> str | None:
    """The code ``record`` sits under: the city for a derived 市辖区 record, the current table's parent
    for a record still in force, else None (the history table does not record parents)."""
    if record.level == CITY_DISTRICTS_LEVEL:
        return _city_of(record.code)
    if record.valid_to_year_exclusive is None:
        return _current_parents().get(record.code)
    return None


@cache
def _history_index() -> dict[str, tuple[RegionRecord, ...]]:
    index: dict[str, list[RegionRecord]] = {}
    for record in history_rows():
        index.setdefault(record.code, []).append(record)
    return {code: tuple(sorted(records, key=lambda r: r.valid_from_year)) for code, records in index.items()}


@cache
def _current_index() -> dict[str, str]:
    return {row.code: row.name for row in current_rows()}


@cache
def CURRENT_CODES() -> frozenset[str]:
    """The codes in force at the end of ``DATA_YEAR`` (loaded on first use)."""
    return frozenset(_current_index())


#: Cached code lists kept in the user cache folder (one per version of the tables and of this module).
KEEP_CACHED = 4


@cache
def HISTORICAL_CODES() -> frozenset[str]:
    """Every code valid at any time 1981-2024, current ones included (loaded on first use): the history
    table's codes, their derived 市辖区 codes and the current table's codes — the codes of
    ``history_rows()`` and ``current_rows()``. A validate checking an ID's region needs no more; read
    through a pickle in the user cache named by the digest of both tables and of this module (parsing
    the 600 KB of CSV costs a small run ~0.01 s CPU; ``govstd.cachefiles``)."""
    from govstd import cachefiles

    digest = hashlib.sha256(Path(__file__).read_bytes())
    data = resources.files("govstd.standards").joinpath("data")
    for filename in (HISTORY_FILE, CURRENT_FILE):
        digest.update(data.joinpath(filename).read_bytes())
    path = cachefiles.folder("library") / f"regions-{digest.hexdigest()[:32]}.pickle"
    return cachefiles.through(path, frozenset, _historical_codes, keep=KEEP_CACHED)


def _historical_codes() -> frozenset[str]:
    """``HISTORICAL_CODES`` from the tables, read as bare columns (building the 10,000 records of
    ``history_rows()`` would cost more)."""
    history = tuple(_read(HISTORY_FILE, "code", "name", "level"))
    prefixes = _district_prefixes_of((code, level) for code, _, level in history)
    derived = {code[:4] + "01" for code, name, level in history if _is_districted_city(code, name, level, prefixes)}
    current = (code for code, _ in _read(CURRENT_FILE, "code", "level"))
    return frozenset(code for code, _, _ in history) | derived | frozenset(current)


def _in_period(record: RegionRecord, year: int) -> bool:
    starts = record.valid_from_year <= year or record.valid_from_year == HISTORY_FIRST_YEAR
    return starts and (record.valid_to_year_exclusive is None or year < record.valid_to_year_exclusive)


def is_current(code: str) -> bool:
    """True if ``code`` is in force at the end of ``DATA_YEAR``."""
    return code in _current_index()


def is_known(code: str, year: int | None = None) -> bool:
    """True if ``code`` was ever a GB/T 2260 code, or — with ``year`` — was in force that year."""
    if year is None:
        return code in _history_index() or code in _current_index()
    return any(_in_period(record, year) for record in _history_index().get(code, ()))


def name(code: str, year: int | None = None) -> str | None:
    """The name of ``code`` (in force in ``year`` if given; else the current or last name), or None."""
    records = _history_index().get(code, ())
    if year is not None:
        return next((r.name for r in reversed(records) if _in_period(r, year)), None)
    current = _current_index().get(code)
    if current is not None:
        return current
    return records[-1].name if records else None


def compact(code: str) -> str:
    """Normalise harmless damage (width, spaces, apostrophe). Raises ExcelDamaged."""
    return normalize(code).value


def validate(code: str, *, year: int | None = None, current: bool = False) -> str:
    """Return the compact code if it is a GB/T 2260 code: ever (default), in force in ``year``, or
    in force now (``current=True``). Raises InvalidLength, InvalidFormat or InvalidRegion."""
    code = compact(code)
    if len(code) != 6:
        raise InvalidLength("a GB/T 2260 code has 6 digits")
    if not code.isascii() or not code.isdigit():
        raise InvalidFormat("a GB/T 2260 code has digits only")
    if current:
        if not is_current(code):
            raise InvalidRegion(f"not a GB/T 2260 code in force at the end of {DATA_YEAR}")
    elif not is_known(code, year):
        raise InvalidRegion(
            "not a known GB/T 2260 code" if year is None else f"not a GB/T 2260 code in force in {year}"
        )
    return code


def is_valid(code: str, *, year: int | None = None, current: bool = False) -> bool:
    """True if ``validate`` accepts the code."""
    try:
        validate(code, year=year, current=current)
    except ValueError:
        return False
    return True
