"""The 动态考评 rules (``govstd.dashboard.evaluation``) on hand-made submission histories: the ranking
(latest per dataset, mean, ties, departments without a submission), the on-time rule against the
update cycle, and the China Standard Time calendar."""

from __future__ import annotations

import datetime as dt
from itertools import count
from typing import Any

import pytest

from govstd.dashboard import Evaluation, parse_period
from govstd.dashboard.periods import CST, cycle_period
from govstd.errors import InputError, NotFoundError
from govstd.registry.submissions import Submission
from govstd.standards.models import UpdateCycle

_ids = count(1)
AS_OF = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)


def sub(department: str, dataset: str, when: str, score: float | None, verdict: str = "PASS",
        ref: str = "x-00001@1.0.0", failing: tuple[str, ...] = ()) -> Submission:
    scored = dt.datetime.fromisoformat(when)
    checks: list[dict[str, Any]] = [{"rule_id": r, "failed": 3, "severity": "error"} for r in failing]
    card = {"schema": {"name_zh": dataset}, "dimensions": [{"dimension": "completeness", "score": score}],
            "checks": [*checks, {"rule_id": "info.only", "failed": 9, "severity": "info"}]}
    return Submission(id=next(_ids), department=department, dataset=dataset, schema_ref=ref, score=score,
                      verdict=verdict, scored_at=scored, submitted_at=scored, submitted_by="t", digest="0" * 64,
                      scorecard=card)


def monthly(_ref: str) -> UpdateCycle | None:
    return UpdateCycle.MONTHLY


def test_ranking_takes_the_latest_submission_per_dataset_and_ranks_ties_together() -> None:
    history = [
        sub("510100", "a", "2026-11-03T00:00:00+00:00", 50.0),
        sub("510100", "a", "2026-11-20T00:00:00+00:00", 90.0),  # the latest of dataset a counts
        sub("510100", "b", "2026-11-10T00:00:00+00:00", 70.0),
        sub("510700", "c", "2026-11-11T00:00:00+00:00", 80.0),
        sub("510800", "d", "2026-11-12T00:00:00+00:00", 95.0),
        sub("510900", "e", "2026-10-12T00:00:00+00:00", 99.0),  # nothing in November: listed, unranked
        sub("511000", "f", "2026-12-01T00:00:00+00:00", 99.0),  # first submitted after the period
    ]
    ranking = Evaluation(history, monthly, as_of=AS_OF).ranking(parse_period("2026-11"))
    assert [(r.rank, r.department, r.score) for r in ranking.rows] == [
        (1, "510800", 95.0), (2, "510100", 80.0), (2, "510700", 80.0), (None, "510900", None)]
    assert ranking.rows[1].datasets == 2 and ranking.rows[3].schedule.missed == ["2026-11"]


def test_on_time_counts_each_due_cycle_period_once_and_never_the_current_one() -> None:
    history = [sub("510100", "a", f"2026-{m:02d}-15T00:00:00+00:00", 80.0) for m in (7, 8, 10)]
    history.append(sub("510100", "a", "2026-10-28T00:00:00+00:00", 81.0))  # a second one in October
    history.append(sub("510100", "a", "2026-12-01T00:00:00+00:00", 82.0))  # December has not ended
    schedule = Evaluation(history, monthly, as_of=AS_OF).dataset("a").schedule
    assert (schedule.due, schedule.on_time, schedule.missed) == (5, 3, ["2026-09", "2026-11"])
    assert schedule.rate == 0.6 and schedule.update_cycle_zh == UpdateCycle.MONTHLY.label_zh


def test_cycles_without_a_schedule_or_unknown_schemas_are_not_assessed() -> None:
    history = [sub("510100", "a", "2026-07-15T00:00:00+00:00", 80.0)]
    for cycle in (UpdateCycle.REALTIME, UpdateCycle.IRREGULAR, None):
        schedule = Evaluation(history, lambda _r, c=cycle: c, as_of=AS_OF).dataset("a").schedule
        assert not schedule.assessed and schedule.rate is None


def test_periods_are_counted_in_china_standard_time() -> None:
    late_evening_utc = dt.datetime(2026, 1, 31, 20, 0, tzinfo=dt.UTC)  # 1 February 04:00 in Beijing
    assert cycle_period(UpdateCycle.MONTHLY, late_evening_utc).label == "2026-02"
    assert cycle_period(UpdateCycle.WEEKLY, dt.datetime(2026, 1, 1, tzinfo=CST)).label == "2026-W01"
    assert cycle_period(UpdateCycle.QUARTERLY, late_evening_utc).end == dt.datetime(2026, 4, 1, tzinfo=CST)
    assert parse_period("2026-Q4").start == dt.datetime(2026, 10, 1, tzinfo=CST)
    for bad in ("2026-13", "26-11", "2026-Q5", "november"):
        with pytest.raises(InputError, match="not a period"):
            parse_period(bad)


def test_dataset_trend_has_dimensions_and_failing_rules_but_not_info_checks() -> None:
    history = [sub("510100", "a", "2026-10-15T00:00:00+00:00", 60.0, "FAIL", failing=("r.one", "r.two")),
               sub("510100", "a", "2026-11-15T00:00:00+00:00", 85.0, failing=("r.two",))]
    trend = Evaluation(history, monthly, as_of=AS_OF).dataset("a")
    assert [p.failing_rules for p in trend.points] == [["r.one", "r.two"], ["r.two"]]
    assert trend.rule_history == {"r.one": [history[0].id], "r.two": [history[0].id, history[1].id]}
    assert trend.points[-1].dimensions["completeness"] == 85.0 and trend.points[-1].dimensions["accuracy"] is None


def test_a_dataset_name_two_departments_share_needs_the_department() -> None:
    history = [sub("510100", "a", "2026-10-15T00:00:00+00:00", 60.0),
               sub("510700", "a", "2026-10-16T00:00:00+00:00", 70.0)]
    ev = Evaluation(history, monthly, as_of=AS_OF)
    with pytest.raises(InputError, match="several departments"):
        ev.dataset("a")
    assert ev.dataset("a", "510700").points[0].score == 70.0
    with pytest.raises(NotFoundError):
        ev.department("999999")
