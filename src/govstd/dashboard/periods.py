"""Calendar periods: the ranking's period (``2026-11``, ``2026-Q4``, ``2026``) and the cycle periods a
catalogue's 更新周期 (update cycle) divides time into.

Periods are calendar periods in China Standard Time (UTC+8, no daylight saving): a scorecard finished at
``2026-01-31T20:00Z`` was finished on 1 February in the department's own calendar, and counts there.

>>> parse_period("2026-11").label, parse_period("2026-Q4").end.month, parse_period("2026").start.year
('2026-11', 1, 2026)
>>> cycle_period(UpdateCycle.WEEKLY, dt.datetime(2026, 11, 4, tzinfo=CST)).label
'2026-W45'
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from govstd.errors import InputError
from govstd.standards.models import UpdateCycle

#: China Standard Time: the calendar the departments' periods are counted in.
CST = dt.timezone(dt.timedelta(hours=8), "CST")

_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])))?$")


@dataclass(frozen=True, order=True)
class Period:
    """``[start, end)`` in China Standard Time, with the label it is shown and asked for by."""

    start: dt.datetime
    end: dt.datetime
    label: str

    def holds(self, when: dt.datetime) -> bool:
        return self.start <= when.astimezone(CST) < self.end


def _at(year: int, month: int = 1, day: int = 1) -> dt.datetime:
    return dt.datetime(year, month, day, tzinfo=CST)


def _month_start(year: int, month: int) -> dt.datetime:
    """The first instant of month ``month`` (may be 13: January of the next year)."""
    return _at(year + (month - 1) // 12, (month - 1) % 12 + 1)


def _months(year: int, first: int, count: int, label: str) -> Period:
    return Period(_month_start(year, first), _month_start(year, first + count), label)


def parse_period(text: str) -> Period:
    """A ranking period: a month ``YYYY-MM``, a quarter ``YYYY-Qn`` or a year ``YYYY``."""
    found = _PERIOD.match(text.strip())
    month = int(found["month"]) if found and found["month"] else None
    if found is None or (month is not None and not 1 <= month <= 12):
        raise InputError(f"not a period: {text!r}", field="period",
                         expected="a month 2026-11, a quarter 2026-Q4 or a year 2026")
    year = int(found["year"])
    if month is not None:
        return _months(year, month, 1, f"{year}-{month:02d}")
    if found["quarter"]:
        quarter = int(found["quarter"])
        return _months(year, 3 * quarter - 2, 3, f"{year}-Q{quarter}")
    return _months(year, 1, 12, f"{year}")


def month_of(when: dt.datetime) -> Period:
    local = when.astimezone(CST)
    return _months(local.year, local.month, 1, f"{local.year}-{local.month:02d}")


def cycle_period(cycle: UpdateCycle, when: dt.datetime) -> Period:
    """The cycle period of ``cycle`` that holds ``when``; ``InputError`` for a cycle without a
    schedule (``is_scheduled``)."""
    local = when.astimezone(CST)
    day = _at(local.year, local.month, local.day)
    if cycle is UpdateCycle.DAILY:
        return Period(day, day + dt.timedelta(days=1), day.strftime("%Y-%m-%d"))
    if cycle is UpdateCycle.WEEKLY:  # ISO 8601 weeks, Monday to Sunday
        monday = day - dt.timedelta(days=local.weekday())
        year, week, _ = monday.isocalendar()
        return Period(monday, monday + dt.timedelta(days=7), f"{year}-W{week:02d}")
    if cycle is UpdateCycle.MONTHLY:
        return month_of(when)
    if cycle is UpdateCycle.QUARTERLY:
        quarter = (local.month - 1) // 3 + 1
        return _months(local.year, 3 * quarter - 2, 3, f"{local.year}-Q{quarter}")
    if cycle is UpdateCycle.SEMIANNUAL:
        half = 1 if local.month <= 6 else 2
        return _months(local.year, 6 * half - 5, 6, f"{local.year}-H{half}")
    if cycle is UpdateCycle.ANNUAL:
        return _months(local.year, 1, 12, f"{local.year}")
    raise InputError(f"update cycle {cycle.value} has no schedule to be on time against")


def is_scheduled(cycle: UpdateCycle | None) -> bool:
    """实时 (realtime) and 不定期 (irregular) promise no period: on-time is not assessed for them.
    Realtime data may well be expected daily; the standards do not say so, so govstd does not guess."""
    return cycle not in (None, UpdateCycle.REALTIME, UpdateCycle.IRREGULAR)


def cycle_periods(cycle: UpdateCycle, first: dt.datetime, until: dt.datetime) -> list[Period]:
    """Every cycle period from the one holding ``first`` up to the last that has *ended* by ``until``."""
    out: list[Period] = []
    period = cycle_period(cycle, first)
    while period.end <= until:
        out.append(period)
        period = cycle_period(cycle, period.end)
    return out
