"""The interface every engine offers, and what every SQL engine runs the same way: statements from the
dialect, metrics into CheckResults, samples in source order.

An engine module (``engines.duckdb``, ``engines.spark``, ``engines.postgres``) offers ``open_data``:
a source opened on the engine (``Opened``: what DatasetInfo reports, and a runner over the columns
the schema's fields matched). A runner (``Engine``) counts a check suite. A ``SqlEngine`` supplies
only how to execute SQL (one row, all rows, or a stream in row order it can stop early) and how to
make the reference tables a check suite reads. Statement building lives in the
dialect (``govstd.validators.compiler``); turning an aggregate row into ``CheckResult``s lives here,
once, so DuckDB, Spark and PostgreSQL fill the same models the same way.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import duckdb

from govstd.errors import InputError
from govstd.standards.models import MaskingRule
from govstd.validators import ir
from govstd.validators.compiler.base import Dialect, UnsupportedCheck
from govstd.validators.compiler.duckdb import DuckDBDialect
from govstd.validators.compiler.plans import AggregatePlan, DuplicateCountPlan, SamplePlan, check_expressions, walk
from govstd.validators.privacy import redact_row
from govstd.validators.readers import LoadedSource
from govstd.validators.results import CheckResult, Sample

Row = Mapping[str, Any]


# --------------------------------------------------------------------------- the interface


class Engine(Protocol):
    """A runner over one opened source whose columns carry the schema's field names."""

    name: str

    def run(self, suite: ir.CheckSuite, *, masking: Mapping[str, MaskingRule | None],
            sample_size: int = 5) -> tuple[int, list[CheckResult]]:
        """Row count and one CheckResult per check, in suite order, with up to ``sample_size`` masked
        samples of the first failing rows of each failing check."""
        ...


@dataclass
class SourceOptions:
    """How to read the source (the same options on every engine), which columns matter, and the
    resources of the engine that reads it."""

    expected_columns: list[str]
    text_columns: list[str]
    workdir: Path
    encoding: str | None = None
    sheet: str | int | None = None
    table: str | None = None
    query: str | None = None
    hash_algorithms: tuple[str, ...] = ()
    spark_master: str | None = None
    memory_limit: str | None = None
    threads: int | None = None
    temp_directory: str | None = None
    progress: bool = False


@dataclass
class Opened:
    """A source opened on an engine: what DatasetInfo reports about it, and a runner over its columns
    renamed to the schema's field names (``mapping``: field → data column)."""

    loaded: LoadedSource
    engine: Callable[[Mapping[str, str]], Engine]


class EngineModule(Protocol):
    """What ``govstd.validators.engines.NAME`` offers the run loop."""

    def open_data(self, source: Any, options: SourceOptions) -> contextlib.AbstractContextManager[Opened]:
        """``source`` opened on this engine, closed when the context ends."""
        ...


# --------------------------------------------------------------------------- shared by every engine


def check_patterns(con: duckdb.DuckDBPyConnection, suite: ir.CheckSuite) -> None:
    """Every regular expression of ``suite`` compiles in RE2 (DuckDB's engine, the IR's pattern
    language) — whichever engine runs the checks; a bad pattern is an InputError naming the check.
    All are tried in one query (a query per pattern cost more than the checks of a small file); only
    when that fails, one by one to name the first bad one."""
    dialect = DuckDBDialect()
    first_use: dict[str, ir.Check] = {}
    for check in suite.checks:
        for expr in check_expressions([check]):
            for node in walk(expr):
                pattern = node.params.get("pattern") if isinstance(node, ir.Func) else None
                if isinstance(pattern, str):
                    first_use.setdefault(pattern, check)
    if not first_use:
        return
    with contextlib.suppress(duckdb.Error):
        con.execute("SELECT " + ", ".join(dialect.regex_full_match(repr(""), p) for p in first_use)).fetchall()
        return
    for pattern, check in first_use.items():
        try:
            con.execute(f"SELECT {dialect.regex_full_match(repr(''), pattern)}").fetchall()
        except duckdb.Error as exc:
            raise InputError(
                f"{check.rule_id}: pattern {pattern!r} is not a regular expression DuckDB can run "
                f"({str(exc).splitlines()[0]})", field=check.columns[0] if check.columns else None,
                expected="RE2 syntax: no look-around or back-references; use [0-9] for digits",
            ) from None


# --------------------------------------------------------------------------- SQL engines


def ensure_expressible(dialect: Dialect, suite: ir.CheckSuite) -> None:
    """Patterns are RE2 on every engine (a bad one is the same InputError as on DuckDB); then each
    check is compiled alone: one the engine cannot express is an error naming it — never a silent skip."""
    with duckdb.connect() as con:
        check_patterns(con, suite)
    for check in suite.checks:
        try:
            dialect.aggregate([check], "__probe")
            if isinstance(check, ir.RowCheck):
                dialect.samples([check], "__probe", "__row")
        except UnsupportedCheck as exc:
            raise UnsupportedCheck(
                f"engine {dialect.name} cannot run check {check.rule_id!r} ({check.description}): {exc.message}",
                hint="run this schema on another engine (--engine duckdb), or change the rule",
            ) from None


def _count(value: Any) -> int:
    # count_if over no rows is NULL in DuckDB (not 0).
    return 0 if value is None else int(value)


def assemble(checks: Sequence[ir.Check], plan: AggregatePlan, values: Row) -> tuple[int, list[CheckResult]]:
    """The row count and one CheckResult per check from the aggregate row of ``plan``."""
    rows = _count(values[plan.rows_alias])
    results: list[CheckResult] = []
    for check in checks:
        out = plan.outputs[check.rule_id]
        evaluated = _count(values[out.evaluated])
        details = dict(check.details)
        if isinstance(check, ir.RowCheck):
            failed = _count(values[out.failed]) if out.failed else 0
            if out.breakdown:
                details["breakdown"] = {k: _count(values[v]) for k, v in out.breakdown.items()}
            if out.tally:
                details["tally"] = {k: _count(values[v]) for k, v in out.tally.items()}
        elif isinstance(check, ir.UniqueCheck):
            failed = evaluated - _count(values[out.distinct]) if out.distinct else 0
        else:
            newest = values[out.newest] if out.newest else None
            details.update(
                newest=newest.isoformat(sep=" ") if newest is not None else None,
                not_before=check.not_before.isoformat(sep=" ", timespec="seconds"),
                parseable_values=evaluated,
            )
            evaluated = 1 if rows else 0
            failed = 1 if rows and (newest is None or newest < check.not_before) else 0
        results.append(CheckResult(
            rule_id=check.rule_id, rule=check.rule, dimension=check.dimension, indicator=check.indicator,
            columns=check.columns, description=check.description, evaluated=evaluated, failed=failed,
            severity=check.severity, details=details,
        ))
    return rows, results


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def sample_of(r: Row, plan: SamplePlan, columns: Sequence[str], masking: Mapping[str, MaskingRule | None]) -> Sample:
    """One Sample (masked, redacted, shortened values) from a result row of a sample plan: the row, its
    physical line and, for a duplicate, the first row with its key — where the plan has them."""
    return Sample(
        row=int(r[plan.row_alias]),
        line=_int(r[plan.line_alias]) if plan.line_alias else None,
        repeats_row=_int(r[plan.repeats_alias]) if plan.repeats_alias else None,
        repeats_line=_int(r[plan.repeats_line_alias]) if plan.repeats_line_alias else None,
        values=redact_row({name: r[plan.values[name]] for name in columns}, masking),
    )


def to_samples(rows: Sequence[Row], plan: SamplePlan, columns: Sequence[str],
               masking: Mapping[str, MaskingRule | None]) -> list[Sample]:
    """Sample models from result rows of a sample plan (``sample_of``)."""
    return [sample_of(r, plan, columns, masking) for r in rows]


def add_duplicate_counts(result: CheckResult, values: Row, plan: DuplicateCountPlan) -> None:
    """A failing key's details from the row of ``plan``: the rows involved (every row whose key occurs
    more than once), the distinct keys repeated, and the rows to remove (``failed``: involved minus one
    row kept per key)."""
    keys, involved = _count(values[plan.keys_alias]), _count(values[plan.rows_alias])
    result.details.update(rows_involved=involved, duplicated_keys=keys, rows_to_remove=result.failed)


class SqlEngine(ABC):
    """A check-suite runner over one dataset presented to SQL as ``data`` (the schema's field names as
    text columns) and ``numbered()`` (the same plus a 1-based source row number ``row_column``)."""

    name: str
    dialect: Dialect
    data: str
    row_column: str = "__govstd_row"
    #: The numbered dataset's physical-line column (``LoadedSource.line_column``); None: it has none.
    line_column: str | None = None

    # ---- what an engine supplies -------------------------------------------------------------

    @abstractmethod
    def register_tables(self, tables: Sequence[ir.ReferenceTable]) -> None:
        """Make each reference table readable by its name."""

    @abstractmethod
    def fetch_all(self, sql: str) -> list[Row]:
        """All rows of a small result, as column name → value."""

    def stream(self, sql: str) -> contextlib.AbstractContextManager[Iterator[Row]]:
        """The rows of ``sql`` in the order it yields them, fetched lazily; leaving the context stops
        the query. For ``first_failing``: an engine that cannot stream rows in order overrides that."""
        raise NotImplementedError(f"engine {self.name} does not stream rows")

    @abstractmethod
    def numbered(self) -> str:
        """SQL naming the numbered dataset (built on first use: numbering may cost a pass)."""

    def first_failing(self, plan: SamplePlan, checks: Sequence[ir.RowCheck], n: int) -> dict[str, list[Row]]:
        """rule id → its first ``n`` failing rows of ``plan`` in row order. Here: one streamed query
        (the engine yields rows in row order), stopped once every check has its ``n``."""
        found: dict[str, list[Row]] = {c.rule_id: [] for c in checks}
        open_checks = list(checks)
        with self.stream(plan.sql) as rows:
            for row in rows:
                for check in list(open_checks):
                    if row[plan.flags[check.rule_id]]:
                        found[check.rule_id].append(row)
                        if len(found[check.rule_id]) >= n:
                            open_checks.remove(check)
                if not open_checks:
                    break
        return found

    # ---- the run -----------------------------------------------------------------------------

    def run(self, suite: ir.CheckSuite, *, masking: Mapping[str, MaskingRule | None],
            sample_size: int = 5) -> tuple[int, list[CheckResult]]:
        """Row count and one CheckResult per check, in suite order."""
        ensure_expressible(self.dialect, suite)
        self.register_tables(suite.tables)
        plan = self.dialect.aggregate(suite.checks, self.data)
        (values,) = self.fetch_all(plan.sql)
        rows, results = assemble(suite.checks, plan, values)
        self.count_duplicates(suite, results)
        if sample_size > 0:
            self.attach_samples(suite, results, masking, sample_size)
        return rows, results

    def count_duplicates(self, suite: ir.CheckSuite, results: list[CheckResult]) -> None:
        """Rows involved and keys repeated, for each failing key (one GROUP BY query each)."""
        by_id = {r.rule_id: r for r in results}
        for key in suite.checks:
            if isinstance(key, ir.UniqueCheck) and by_id[key.rule_id].failed:
                plan = self.dialect.duplicate_counts(key, self.data)
                (values,) = self.fetch_all(plan.sql)
                add_duplicate_counts(by_id[key.rule_id], values, plan)

    def attach_samples(self, suite: ir.CheckSuite, results: list[CheckResult],
                       masking: Mapping[str, MaskingRule | None], n: int) -> None:
        """The first ``n`` failing rows of every failing check, in source order: one query for all row
        checks (``first_failing``), one query per failing key."""
        by_id = {r.rule_id: r for r in results}
        failing = [c for c in suite.checks if isinstance(c, ir.RowCheck) and by_id[c.rule_id].failed]
        if failing:
            plan = self.dialect.samples(failing, self.numbered(), self.row_column, line_column=self.line_column)
            found = self.first_failing(plan, failing, n)
            for check in failing:
                by_id[check.rule_id].samples = to_samples(found[check.rule_id], plan, check.sample_labels, masking)
        for key in suite.checks:
            if isinstance(key, ir.UniqueCheck) and by_id[key.rule_id].failed:
                dplan = self.dialect.duplicate_samples(key, self.numbered(), self.row_column, n,
                                                       line_column=self.line_column)
                by_id[key.rule_id].samples = to_samples(self.fetch_all(dplan.sql), dplan, key.shown_columns,
                                                        masking)[:n]
