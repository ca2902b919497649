"""动态考评: departments and datasets evaluated over time, from the stored scorecard submissions.

The one implementation of every dashboard figure; the service's ``/dashboard`` routes and the static
site's dashboard pages both call it. The rules (also in docs/service.md):

**Dataset.** A dataset is (department, dataset name) — the name defaults to the catalogue schema id.

**Ranking for a period** (``ranking``). For each department and each of its datasets, the *latest*
submission scored within the period (by ``scored_at``, then the order received). The department's
score is the arithmetic mean of those submissions' scores (a scorecard with no measured dimension has no
score and is left out of the mean). Departments are ranked by score, highest first; departments whose
scores are equal to two decimals share a rank and the next rank is skipped (1, 2, 2, 4), listed by
code within the tie. A department that has submitted before the period ends but has no scored
submission within it is listed last, unranked (未提交). A missing dataset does not lower the score —
it shows in the on-time figure instead, so the two questions (how good, how punctual) stay apart.

**On time** (``schedule``). A catalogue's 更新周期 divides time into calendar cycle periods
(``periods.cycle_period``: day, ISO week, month, quarter, half year, year; China Standard Time). A cycle
period is *due* once it has ended (by ``as_of``), from the period holding the dataset's first
submission onwards — the registry cannot know when sharing began before that. A due period is *on
time* if at least one submission was scored within it; a submission after the period has ended counts
for the period it falls in, not for the one it missed. 实时 and 不定期 promise no period: not
assessed. The cycle is the one of the catalogue schema version the latest submission was scored
against, looked up in the registry; a schema the registry does not hold: not assessed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from itertools import groupby
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from govstd.dashboard.periods import CST, Period, cycle_period, cycle_periods, is_scheduled, month_of
from govstd.errors import InputError, NotFoundError
from govstd.registry.submissions import Submission
from govstd.standards.models import QualityDimension, UpdateCycle

#: The catalogue's update cycle for a catalogue schema ref (``id@version``); None when unknown.
CycleOf = Callable[[str], UpdateCycle | None]

DIMENSIONS = list(QualityDimension)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Point(_Model):
    """One submission on a dataset's trend."""

    submission: int
    scored_at: dt.datetime
    month: str = Field(description="Month (China Standard Time) it was scored in, YYYY-MM.")
    score: float | None
    verdict: str
    schema_ref: str
    signed: bool
    dimensions: dict[str, float | None] = Field(description="GB/T 36344 dimension → score (None: not measured).")
    failing_rules: list[str] = Field(description="Rule ids of the checks that failed (info checks excluded).")


class Schedule(_Model):
    """On-time submissions against the catalogue's 更新周期 (module docstring)."""

    update_cycle: str | None
    update_cycle_zh: str | None
    assessed: bool
    due: int = 0
    on_time: int = 0
    rate: float | None = Field(None, description="on_time / due, 0–1; None when nothing was due.")
    missed: list[str] = Field(default_factory=list, description="Labels of the due periods without a submission.")


class DatasetTrend(_Model):
    department: str
    dataset: str
    name_zh: str | None
    schema_ref: str
    points: list[Point]
    schedule: Schedule
    #: Rule id → ids of the submissions in which it failed (every rule that ever failed).
    rule_history: dict[str, list[int]]


class RankingRow(_Model):
    rank: int | None = Field(description="None: no scored submission in the period (未提交).")
    department: str
    score: float | None
    datasets: int = Field(description="Datasets with a submission in the period.")
    verdicts: dict[str, int]
    schedule: Schedule


class Ranking(_Model):
    period: str
    start: dt.datetime
    end: dt.datetime
    as_of: dt.datetime
    rows: list[RankingRow]


class DepartmentView(_Model):
    department: str
    #: Month → the department's score by the ranking rule for that month.
    months: dict[str, float | None]
    schedule: Schedule
    datasets: list[DatasetTrend]


def _key(s: Submission) -> tuple[dt.datetime, int]:
    return (s.scored_at, s.id)


def _point(s: Submission) -> Point:
    card: dict[str, Any] = s.scorecard or {}
    dims = {d["dimension"]: d.get("score") for d in card.get("dimensions", [])}
    failing = [c["rule_id"] for c in card.get("checks", []) if c.get("failed") and c.get("severity") != "info"]
    return Point(submission=s.id, scored_at=s.scored_at, month=month_of(s.scored_at).label, score=s.score,
                 verdict=s.verdict, schema_ref=s.schema_ref, signed=s.signed_by is not None,
                 dimensions={d.value: dims.get(d.value) for d in DIMENSIONS}, failing_rules=failing)


def _mean(values: Iterable[float | None]) -> float | None:
    scored = [v for v in values if v is not None]
    return round(sum(scored) / len(scored), 2) if scored else None


class Evaluation:
    """The dashboard over ``submissions`` (each with its scorecard), judged as of ``as_of`` (default
    now): only cycle periods that have ended by then are due."""

    def __init__(self, submissions: Sequence[Submission], cycle_of: CycleOf, *, as_of: dt.datetime | None = None):
        self.as_of = (as_of or dt.datetime.now(dt.UTC)).astimezone(CST)
        self._all = sorted((s for s in submissions if s.scored_at.astimezone(CST) <= self.as_of), key=_key)
        self._cycle_of = cycle_of
        self._cycles: dict[str, UpdateCycle | None] = {}

    # ------------------------------------------------------------------ lookups

    def submissions(self) -> list[Submission]:
        """Every submission scored by ``as_of``, oldest first."""
        return list(self._all)

    def months(self) -> list[str]:
        """Every month (YYYY-MM) with a submission: the periods a ranking is usually asked for."""
        return sorted({month_of(s.scored_at).label for s in self._all})

    def departments(self) -> list[str]:
        return sorted({s.department for s in self._all})

    def datasets(self, department: str | None = None) -> list[tuple[str, str]]:
        return sorted({(s.department, s.dataset) for s in self._all if department in (None, s.department)})

    def _of(self, department: str, dataset: str | None = None) -> list[Submission]:
        return [s for s in self._all if s.department == department and dataset in (None, s.dataset)]

    def _cycle(self, schema_ref: str) -> UpdateCycle | None:
        if schema_ref not in self._cycles:
            self._cycles[schema_ref] = self._cycle_of(schema_ref)
        return self._cycles[schema_ref]

    def latest_period(self) -> Period:
        """The month of the newest submission (the ranking's default period); else the current month."""
        return month_of(self._all[-1].scored_at if self._all else self.as_of)

    # ------------------------------------------------------------------ on time

    def schedule(self, history: Sequence[Submission], window: Period | None = None) -> Schedule:
        """On-time figure of one dataset's ``history`` (module docstring), over ``window`` (the cycle
        periods that end within it) or all of it."""
        cycle = self._cycle(history[-1].schema_ref) if history else None
        label = {"update_cycle": cycle.value if cycle else None, "update_cycle_zh": cycle.label_zh if cycle else None}
        if cycle is None or not is_scheduled(cycle):
            return Schedule(**label, assessed=False)
        until = self.as_of if window is None else min(self.as_of, window.end)
        due = [p for p in cycle_periods(cycle, history[0].scored_at, until)
               if window is None or p.end > window.start]
        held = {cycle_period(cycle, s.scored_at) for s in history}
        missed = [p.label for p in due if p not in held]
        on_time = len(due) - len(missed)
        return Schedule(**label, assessed=True, due=len(due), on_time=on_time,
                        rate=round(on_time / len(due), 4) if due else None, missed=missed)

    @staticmethod
    def _sum(schedules: Sequence[Schedule]) -> Schedule:
        assessed = [s for s in schedules if s.assessed]
        due, on_time = sum(s.due for s in assessed), sum(s.on_time for s in assessed)
        return Schedule(update_cycle=None, update_cycle_zh=None, assessed=bool(assessed), due=due, on_time=on_time,
                        rate=round(on_time / due, 4) if due else None, missed=[m for s in assessed for m in s.missed])

    # ------------------------------------------------------------------ views

    def dataset(self, dataset: str, department: str | None = None) -> DatasetTrend:
        """One dataset's trend; ``department`` may be left out when only one department has it."""
        owners = sorted({d for d, name in self.datasets(department) if name == dataset})
        if not owners:
            what = "dataset with submissions" + (f" of department {department}" if department else "")
            raise NotFoundError(what, dataset, (name for _, name in self.datasets(department)))
        if len(owners) > 1:
            raise InputError(f"dataset {dataset!r} is submitted by several departments: {', '.join(owners)}",
                             field="department", expected="?department=CODE")
        history = self._of(owners[0], dataset)
        points = [_point(s) for s in history]
        rules: dict[str, list[int]] = {}
        for p in points:
            for rule in p.failing_rules:
                rules.setdefault(rule, []).append(p.submission)
        return DatasetTrend(department=owners[0], dataset=dataset,
                            name_zh=(history[-1].scorecard or {}).get("schema", {}).get("name_zh"),
                            schema_ref=history[-1].schema_ref, points=points, schedule=self.schedule(history),
                            rule_history=dict(sorted(rules.items())))

    def department(self, code: str) -> DepartmentView:
        history = self._of(code)
        if not history:
            raise NotFoundError("department with submissions", code, self.departments())
        months = sorted({month_of(s.scored_at) for s in history})
        trends = [self.dataset(name, code) for _, name in self.datasets(code)]
        return DepartmentView(department=code, months={m.label: self._score(history, m)[0] for m in months},
                              schedule=self._sum([t.schedule for t in trends]), datasets=trends)

    def _score(self, history: Sequence[Submission], period: Period) -> tuple[float | None, list[Submission]]:
        """The ranking rule for one department: the mean score of its datasets' latest submissions in
        ``period``, and those submissions."""
        inside = sorted((s for s in history if period.holds(s.scored_at)), key=lambda s: (s.dataset, _key(s)))
        latest = [list(group)[-1] for _, group in groupby(inside, key=lambda s: s.dataset)]
        return _mean(s.score for s in latest), latest

    def ranking(self, period: Period | None = None) -> Ranking:
        """The department ranking for ``period`` (default ``latest_period``), by the module's rule."""
        chosen = period or self.latest_period()
        rows: list[RankingRow] = []
        for code in self.departments():
            history = [s for s in self._of(code) if s.scored_at.astimezone(CST) < chosen.end]
            if not history:
                continue
            score, latest = self._score(history, chosen)
            verdicts = {v: sum(1 for s in latest if s.verdict == v) for v in ("PASS", "WARN", "FAIL")}
            schedules = [self.schedule([s for s in history if s.dataset == name], chosen)
                         for name in sorted({s.dataset for s in history})]
            rows.append(RankingRow(rank=None, department=code, score=score, datasets=len(latest),
                                   verdicts=verdicts, schedule=self._sum(schedules)))
        rows.sort(key=lambda r: (r.score is None, -(r.score or 0.0), r.department))
        for i, row in enumerate(rows):
            if row.score is not None:
                tied = i > 0 and rows[i - 1].score == row.score
                row.rank = rows[i - 1].rank if tied else i + 1
        return Ranking(period=chosen.label, start=chosen.start, end=chosen.end, as_of=self.as_of, rows=rows)
