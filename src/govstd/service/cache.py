"""The dashboard's cache: an ``Evaluation`` is computed once per state of the stored submissions, not per
request — reading every scorecard and resolving every catalogue's update cycle is the costly part.

**The key** is a ``Stamp`` of what an evaluation reads: the submissions table (count, last id, last
time received) and the audit log's last event (a catalogue published later changes the update cycle a
submission is judged by). Both are read with one cheap query per request, so a submission through
another server process over the same database is seen at once; the submit route also ``clear()``s this
process's cache, so memory is not held for a state that is gone.

**as_of**: an explicit moment is part of the key. The default ("now") is keyed by the date in China
Standard Time: every period the on-time rule judges (day, week, month, quarter, year) ends at a CST
midnight, so within one CST day a later "now" judges the same periods due. The cached evaluation's own
``as_of`` is when it was computed.

**HTTP**: each answer carries a weak ETag over the stamp, the as_of key and the request, and a
Last-Modified (the last submission, or the start of the CST day for the default as_of); a client that
sends either back gets 304 while nothing changed.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from govstd.dashboard.evaluation import Evaluation
from govstd.dashboard.history import registry_cycle
from govstd.dashboard.periods import CST
from govstd.registry.service_tables import SubmissionRow
from govstd.registry.tables import AuditRow

if TYPE_CHECKING:
    from fastapi import Request

    from govstd.registry.store import Registry

#: Evaluations kept per process: one per (state, as_of) — the default as_of needs one a day.
MAX_ENTRIES = 16


@dataclass(frozen=True)
class Stamp:
    """What an evaluation depends on, as it stands in the database."""

    submissions: int
    last_submission: int | None
    last_received: dt.datetime | None
    last_event: int | None
    last_event_at: dt.datetime | None

    @property
    def last_changed(self) -> dt.datetime | None:
        """When the state last changed: a submission received, or an event (a publish) logged."""
        times = [t for t in (self.last_received, self.last_event_at) if t is not None]
        return max(times) if times else None

    @classmethod
    def of(cls, reg: Registry) -> Stamp:
        with reg._read() as session:
            count, last_id, last_at = session.execute(
                select(func.count(SubmissionRow.id), func.max(SubmissionRow.id), func.max(SubmissionRow.submitted_at))
            ).one()
            last_event, last_event_at = session.execute(select(func.max(AuditRow.id), func.max(AuditRow.at))).one()
        return cls(int(count), last_id, _utc(last_at), last_event, _utc(last_event_at))


def _utc(value: dt.datetime | str | None) -> dt.datetime | None:
    """An aggregate's timestamp (SQLite returns it as naive text; PostgreSQL as an aware datetime)."""
    if value is None:
        return None
    at = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def as_of_key(as_of: dt.datetime | None) -> str:
    """An explicit moment (in UTC), or ``today:`` and the CST date for the default (module docstring)."""
    if as_of is None:
        return f"today:{dt.datetime.now(CST).date().isoformat()}"
    moment = as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat()


class DashboardCache:
    """Evaluations by (``Stamp``, as_of key), least recently used dropped first; thread-safe (FastAPI
    runs the dashboard's routes in a thread pool). ``hits`` and ``misses`` count lookups."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[Stamp, str], Evaluation] = OrderedDict()
        self._max = max_entries
        self.hits = self.misses = 0

    def evaluation(self, reg: Registry, stamp: Stamp, as_of: dt.datetime | None) -> Evaluation:
        key = (stamp, as_of_key(as_of))
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return found
            self.misses += 1
        # Computed outside the lock: two requests may both compute it once; neither waits on the other.
        # The update cycles are remembered with it: a published version's content never changes, and a
        # publish changes the stamp.
        cycles = functools.cache(registry_cycle(reg))
        computed = Evaluation(reg.submissions.history(with_scorecards=True), cycles, as_of=as_of)
        with self._lock:
            self._entries[key] = computed
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return computed

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def validators(request: Request, stamp: Stamp, as_of: dt.datetime | None) -> tuple[str, dt.datetime | None]:
    """The weak ETag and the Last-Modified time of a dashboard answer (module docstring)."""
    text = "|".join(map(str, (stamp, as_of_key(as_of), request.url.path, sorted(request.query_params.items()))))
    etag = f'W/"{hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]}"'
    times = [t for t in (stamp.last_changed,) if t is not None]
    if as_of is None:
        times.append(dt.datetime.combine(dt.datetime.now(CST).date(), dt.time(), tzinfo=CST))
    return etag, max(times) if times else None


def not_modified(request: Request, etag: str, last_modified: dt.datetime | None) -> bool:
    """Whether the client already holds this answer: If-None-Match, else If-Modified-Since (RFC 9110
    §13.1.3: a server ignores If-Modified-Since when If-None-Match is present)."""
    sent = request.headers.get("if-none-match")
    if sent is not None:
        wanted = {t.strip().removeprefix("W/") for t in sent.split(",")}
        return etag.removeprefix("W/") in wanted or "*" in wanted
    since = request.headers.get("if-modified-since")
    if since is None or last_modified is None:
        return False
    try:
        held = email.utils.parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored (RFC 9110 §13.1.3)
    if held.tzinfo is None:
        return False
    return last_modified.replace(microsecond=0) <= held


def http_date(when: dt.datetime) -> str:
    return email.utils.format_datetime(when.astimezone(dt.UTC), usegmt=True)


__all__ = ["DashboardCache", "Stamp", "as_of_key", "http_date", "not_modified", "validators"]
