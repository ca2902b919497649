"""Run compiled checks on DuckDB in as few passes over the data as possible.

1. One aggregate query: ``count(*) FILTER (WHERE …)`` evaluated/failed for every row check, distinct
   keys for uniqueness, newest timestamps for timeliness — a single parallel scan.
2. Samples, only for checks that failed. A row check the native kernel counts gets its first failing
   rows from the kernel's own pass (which then streams the numbered view: row, line, shown columns).
   Every other row check: one streaming query over the numbered view yielding failing rows in source
   order, read in Arrow batches and stopped as soon as every failing check has its N rows (restarted
   with fewer checks while that is cheap). A key the kernel fingerprints gets its first repeating rows from
   the same pass (``kernel.Repeats``); any other key gets one windowed query. The
   streaming query runs on one thread: parallel workers (and the joins of reference-table lookups
   between them) would hand rows over out of order, and samples are the *first* failing rows.

DuckDB runs with a memory limit, a thread count and a temp directory, so data larger than memory
spills to disk instead of failing. Sample values are masked (``govstd.validators.privacy.redact_row``)
before they leave this module. No Python loop ever runs over the rows of the data.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import duckdb
import pyarrow as pa

from govstd.standards.models import MaskingRule
from govstd.validators import ir
from govstd.validators.compiler.duckdb import DuckDBDialect
from govstd.validators.compiler.plans import AggregatePlan, DuplicateCountPlan, Output, SamplePlan
from govstd.validators.engines.base import (
    Opened,
    SourceOptions,
    add_duplicate_counts,
    assemble,
    check_patterns,
    sample_of,
)
from govstd.validators.engines.duckdb_native import NativeCounting
from govstd.validators.engines.duckdb_session import (
    DATA,
    NUMBERED,
    EngineConfig,
    batches,
    connect,
    data_error,
    map_columns,
)
from govstd.validators.readers import LoadedSource, open_source
from govstd.validators.results import CheckResult, Sample

_BATCH_ROWS = 8192
#: Restart the sample query without the checks already sampled while the prefix re-read is this small.
_RESTART_FRACTION = 0.05


@contextlib.contextmanager
def open_data(source: Any, options: SourceOptions) -> Iterator[Opened]:
    """``source`` read by govstd's readers into an in-memory DuckDB (``connect``), closed at the end."""
    con = connect(EngineConfig(memory_limit=options.memory_limit, threads=options.threads,
                               temp_directory=options.temp_directory))
    try:
        loaded = open_source(con, source, workdir=options.workdir, expected_columns=options.expected_columns,
                             text_columns=options.text_columns, encoding=options.encoding, sheet=options.sheet,
                             table=options.table, query=options.query, hash_algorithms=options.hash_algorithms)

        def make(mapping: Mapping[str, str]) -> DuckDBEngine:
            map_columns(con, loaded, mapping)
            return DuckDBEngine(con, loaded, progress=options.progress)

        yield Opened(loaded=loaded, engine=make)
    finally:
        con.close()


class DuckDBEngine(NativeCounting):
    """Executes a check suite against the mapped views of one loaded source: the row checks the native
    kernel implements in its pass (``NativeCounting``, ``engines.duckdb_native``), the rest in SQL."""

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection, loaded: LoadedSource, *, progress: bool = False) -> None:
        self.con = con
        self.loaded = loaded
        self.dialect = DuckDBDialect()
        self.progress = progress and sys.stderr.isatty()
        #: Repeated keys and the rows they involve, per uniqueness check, when counted beside the kernel.
        self._key_counts: dict[str, dict[str, int]] = {}
        #: Each natively counted row check's first failing rows, taken from the kernel's pass (``_sampled``).
        self._native_samples: dict[str, tuple[list[pa.RecordBatch], SamplePlan]] = {}
        #: Each fingerprinted key's first repeating rows, found in the kernel's pass (``kernel.Repeats``) …
        self._native_repeats: dict[str, tuple[list[pa.RecordBatch], SamplePlan]] = {}
        #: … or, where its set of keys seen outgrew the budget, (row, first row) pairs from its fingerprints.
        self._repeat_pairs: dict[str, list[tuple[int, int]]] = {}

    # ---- public ----------------------------------------------------------------------------

    def run(self, suite: ir.CheckSuite, *, masking: Mapping[str, MaskingRule | None],
            sample_size: int = 5) -> tuple[int, list[CheckResult]]:
        """Row count and one CheckResult per check, in suite order."""
        self.register_tables(suite.tables)
        self.check_patterns(suite)
        q = self.dialect.quote_identifier
        native = self._count_natively(suite, sample_size)
        # Without the kernel, uniqueness is not counted in the one-row aggregate: its COUNT(DISTINCT …) holds
        # every key in memory and cannot spill under --memory-limit; one grouped pass per key can.
        keyed = [] if native is not None else [c for c in suite.checks if isinstance(c, ir.UniqueCheck)]
        rest = [c for c in suite.checks if c not in keyed and (native is None or c.rule_id not in native[0].outputs)]
        rows, results = 0, list[CheckResult]()
        if rest or native is None:
            plan = self.dialect.aggregate(rest, q(DATA))
            row = self._fetch_one(plan.sql, "checking")
            # Metrics into CheckResults as every engine does it (govstd.validators.engines.base).
            rows, results = assemble(rest, plan, dict(zip(self._last_columns, row, strict=True)))
        if keyed:
            outputs, values = self._key_outputs(keyed, self._count_keys)
            results += assemble(keyed, AggregatePlan(sql="", rows_alias="__rows", outputs=outputs),
                                values | {"__rows": rows})[1]
        if native is not None:
            counted = [c for c in suite.checks if c.rule_id in native[0].outputs]
            rows, natively = assemble(counted, *native)
            results += natively
        by_id = {r.rule_id: r for r in results}
        results = [by_id[c.rule_id] for c in suite.checks]
        self._count_duplicates(suite, results)
        if sample_size > 0:
            self._attach_samples(suite, results, masking, sample_size, rows)
        return rows, results

    def check_patterns(self, suite: ir.CheckSuite) -> None:
        """Every regular expression compiles in DuckDB (RE2: no look-around, no back-references);
        a schema's bad pattern is an InputError naming the check, not a failure mid-scan."""
        check_patterns(self.con, suite)

    def register_tables(self, tables: Sequence[ir.ReferenceTable]) -> None:
        """Reference data (code sets, GB/T 2260 history, registered service items) as DuckDB tables."""
        # Each column travels as one list parameter and is unnested in SQL: no Python object scan (which
        # would import pandas, a fifth of a second at start-up) and no SQL text built from the values.
        q = self.dialect.quote_identifier
        for t in tables:
            columns = ", ".join(
                f"unnest(${i + 1}::{'BIGINT' if kind == 'integer' else 'VARCHAR'}[]) AS {q(name)}"
                for i, (name, kind) in enumerate(zip(t.columns, t.types, strict=True))
            )
            values = [[r[i] for r in t.rows] for i in range(len(t.columns))]
            # Rows kept in Parquet files (the catalogue's codes) are read by DuckDB straight from disk.
            files = "".join(f" UNION ALL SELECT {', '.join(q(c) for c in t.columns)} FROM read_parquet("
                            f"{self.dialect.string_literal(f)})" for f in t.files)
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {q(t.name)} AS SELECT {columns}{files}", values)

    def _key_outputs(self, checks: Sequence[ir.UniqueCheck],
                     count: Callable[[ir.UniqueCheck], tuple[int, int, int, int]]
                     ) -> tuple[dict[str, Output], dict[str, int]]:
        """``assemble``'s outputs and values of uniqueness ``checks`` counted by ``count`` (``_count_keys``'s
        four numbers); the repeated keys and rows they involve kept for ``_count_duplicates``."""
        outputs: dict[str, Output] = {}
        values: dict[str, int] = {}
        for i, check in enumerate(checks):
            outputs[check.rule_id] = Output(evaluated=f"__ue{i}", distinct=f"__ud{i}")
            values[f"__ue{i}"], values[f"__ud{i}"], repeated, involved = count(check)
            self._key_counts[check.rule_id] = {"__keys": repeated, "__involved": involved}
        return outputs, values

    def _count_keys(self, check: ir.UniqueCheck) -> tuple[int, int, int, int]:
        """(rows evaluated, distinct keys, keys held by more than one row, rows holding them) of a
        uniqueness check, from one grouped pass over its key rows: the SQL path needs COUNT(DISTINCT …)
        in its aggregate and a second grouped pass for the repeated keys (``dialect.duplicate_counts``).
        The same rows and groups: a single key's NULL is not a distinct key, a row of several parts is."""
        q = self.dialect.quote_identifier
        rows, keys = self.dialect._key_rows(check, q(DATA), [])
        key_list = ", ".join(q(k) for k in keys)
        counted = f"{q(keys[0])} IS NOT NULL" if len(keys) == 1 else "TRUE"
        groups = f"SELECT {key_list}, count(*) AS __n FROM ({rows}) AS __r GROUP BY {key_list}"
        # Every aggregate is NULL over no groups (no row has a key): zero, as the SQL path counts it.
        sql = (f"SELECT coalesce(sum(__n), 0), coalesce(count_if({counted}), 0), coalesce(count_if(__n > 1), 0), "
               f"coalesce(sum(__n) FILTER (WHERE __n > 1), 0) FROM ({groups}) AS __g")
        evaluated, distinct, repeated, involved = self._fetch_one(sql, "counting keys")
        return int(evaluated), int(distinct), int(repeated), int(involved)

    # ---- execution -------------------------------------------------------------------------

    _last_columns: list[str]

    def _fetch_one(self, sql: str, label: str) -> tuple[Any, ...]:
        with self._progress(label):
            try:
                cursor = self.con.execute(sql)
                fetched = cursor.fetchall()
            except duckdb.Error as exc:
                raise data_error(exc, self.loaded) from None
        self._last_columns = [d[0] for d in cursor.description or []]
        return tuple(fetched[0])

    @contextlib.contextmanager
    def _progress(self, label: str) -> Iterator[None]:
        if not self.progress:
            yield
            return
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        done = threading.Event()
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                      TimeElapsedColumn(), transient=True) as bar:
            task = bar.add_task(label, total=100)

            def poll() -> None:
                while not done.wait(0.25):
                    with contextlib.suppress(duckdb.Error):
                        value = self.con.query_progress()
                        if value >= 0:
                            bar.update(task, completed=value)

            thread = threading.Thread(target=poll, daemon=True)
            thread.start()
            try:
                yield
            finally:
                done.set()
                thread.join()

    # ---- samples ---------------------------------------------------------------------------

    def _count_duplicates(self, suite: ir.CheckSuite, results: list[CheckResult]) -> None:
        """Rows involved and keys repeated, for each failing key (``engines.base.add_duplicate_counts``)."""
        by_id = {r.rule_id: r for r in results}
        for check in suite.checks:
            if isinstance(check, ir.UniqueCheck) and by_id[check.rule_id].failed:
                if check.rule_id in self._key_counts:  # counted with the keys, beside the native kernel
                    counted = DuplicateCountPlan(sql="", keys_alias="__keys", rows_alias="__involved")
                    add_duplicate_counts(by_id[check.rule_id], self._key_counts[check.rule_id], counted)
                    continue
                plan = self.dialect.duplicate_counts(check, self.dialect.quote_identifier(DATA))
                row = self._fetch_one(plan.sql, "counting duplicates")
                add_duplicate_counts(by_id[check.rule_id], dict(zip(self._last_columns, row, strict=True)), plan)

    def _attach_samples(self, suite: ir.CheckSuite, results: list[CheckResult],
                        masking: Mapping[str, MaskingRule | None], n: int, rows: int) -> None:
        by_id = {r.rule_id: r for r in results}
        failing = [c for c in suite.checks if isinstance(c, ir.RowCheck) and by_id[c.rule_id].failed]
        collected: dict[str, list[Sample]] = {}
        for row_check in failing:
            if row_check.rule_id in self._native_samples:  # found by the kernel's pass
                parts, plan = self._native_samples[row_check.rule_id]
                shown = {c: plan.values[c] for c in row_check.sample_labels}
                collected[row_check.rule_id] = [
                    s for part in parts for s in self._to_samples(part, plan, shown, masking)]
        failing_rows = [c for c in failing if c.rule_id not in collected]
        if failing_rows:
            with self._progress("sampling"), self._one_thread():
                collected.update(self._row_samples(failing_rows, masking, n, rows))
        for check in suite.checks:
            if not isinstance(check, ir.UniqueCheck) or not by_id[check.rule_id].failed:
                continue
            if check.rule_id in self._native_repeats:  # found by the kernel's pass
                parts, dup = self._native_repeats[check.rule_id]
                collected[check.rule_id] = [
                    s for part in parts for s in self._to_samples(part, dup, dup.values, masking)]
            elif check.rule_id in self._repeat_pairs:
                with self._progress("sampling duplicates"):
                    collected[check.rule_id] = self._paired_samples(check, self._repeat_pairs[check.rule_id], masking)
            else:
                plan = self.dialect.duplicate_samples(check, self.dialect.quote_identifier(NUMBERED),
                                                      self.loaded.row_column, n, line_column=self.loaded.line_column)
                with self._progress("sampling duplicates"):
                    table = self._arrow(plan.sql)
                collected[check.rule_id] = self._to_samples(table, plan, plan.values, masking)
        for rule_id, samples in collected.items():
            by_id[rule_id].samples = samples[:n]

    def fix_rows(self, suite: ir.CheckSuite, results: list[CheckResult],
                 masking: Mapping[str, MaskingRule | None]) -> Iterator[tuple[ir.Check, Sample]]:
        """Every failing row of every failing check, for the fix list (``govstd.validators.fixlist``): the
        sample queries without their limit, streamed in Arrow batches — row checks in source order, then
        each key's rows to remove with the row they repeat."""
        by_id = {r.rule_id: r for r in results}
        q = self.dialect.quote_identifier
        failing = [c for c in suite.checks if isinstance(c, ir.RowCheck) and by_id[c.rule_id].failed]
        if failing:
            plan = self.dialect.samples(failing, q(NUMBERED), self.loaded.row_column,
                                        line_column=self.loaded.line_column)
            with self._one_thread():
                yield from self._stream_samples(plan, failing, masking)
        for check in suite.checks:
            if isinstance(check, ir.UniqueCheck) and by_id[check.rule_id].failed:
                dplan = self.dialect.duplicate_samples(check, q(NUMBERED), self.loaded.row_column, None,
                                                       line_column=self.loaded.line_column)
                yield from self._stream_samples(dplan, [check], masking)

    def _stream_samples(self, plan: SamplePlan, checks: Sequence[ir.Check],
                        masking: Mapping[str, MaskingRule | None]) -> Iterator[tuple[ir.Check, Sample]]:
        import pyarrow.compute as pc  # only where a check failed: a clean run never loads it (~30 ms)

        try:
            reader = self.con.sql(plan.sql).to_arrow_reader(_BATCH_ROWS)
        except duckdb.Error as exc:
            raise data_error(exc, self.loaded) from None
        try:
            for batch in batches(reader, self.loaded):
                for check in checks:
                    picked = pc.indices_nonzero(batch.column(plan.flags[check.rule_id]))
                    if len(picked):
                        shown = {c: plan.values[c] for c in check.sample_labels}
                        for sample in self._to_samples(batch.take(picked), plan, shown, masking):
                            yield check, sample
        finally:
            reader.close()

    @contextlib.contextmanager
    def _one_thread(self) -> Iterator[None]:
        """DuckDB on a single worker thread for the duration: results stream in source order."""
        threads = int(self.con.execute("SELECT current_setting('threads')").fetchall()[0][0])
        self.con.execute("SET threads = 1")
        try:
            yield
        finally:
            self.con.execute(f"SET threads = {threads}")

    def _row_samples(self, checks: list[ir.RowCheck], masking: Mapping[str, MaskingRule | None], n: int,
                     rows: int) -> dict[str, list[Sample]]:
        import pyarrow.compute as pc  # only where a check failed: a clean run never loads it (~30 ms)

        found: dict[str, list[Sample]] = {c.rule_id: [] for c in checks}
        open_checks = list(checks)
        after = 0
        q = self.dialect.quote_identifier
        while open_checks:
            plan = self.dialect.samples(open_checks, q(NUMBERED), self.loaded.row_column, after,
                                        line_column=self.loaded.line_column)
            try:
                reader = self.con.sql(plan.sql).to_arrow_reader(_BATCH_ROWS)
            except duckdb.Error as exc:
                raise data_error(exc, self.loaded) from None
            restart = False
            try:
                for batch in batches(reader, self.loaded):
                    for check in list(open_checks):
                        need = n - len(found[check.rule_id])
                        picked = pc.indices_nonzero(batch.column(plan.flags[check.rule_id]))[:need]
                        if len(picked):
                            part = batch.take(picked)
                            found[check.rule_id] += self._to_samples(
                                part, plan, {c: plan.values[c] for c in check.sample_labels}, masking
                            )
                        if len(found[check.rule_id]) >= n:
                            open_checks.remove(check)
                            restart = True
                    if batch.num_rows:
                        after = int(batch.column(plan.row_alias)[-1].as_py())
                    if not open_checks or (restart and after <= _RESTART_FRACTION * rows):
                        break
                    restart = False
                else:
                    break  # the data is exhausted: every remaining check has all the samples there are
            finally:
                reader.close()
        return found

    def _arrow(self, sql: str) -> pa.Table:
        try:
            table: pa.Table = self.con.sql(sql).to_arrow_table()
        except duckdb.Error as exc:
            raise data_error(exc, self.loaded) from None
        return table

    def _to_samples(self, table: pa.Table | pa.RecordBatch, plan: SamplePlan, values: Mapping[str, str],
                    masking: Mapping[str, MaskingRule | None]) -> list[Sample]:
        """Samples from (a few) Arrow rows of ``plan``, only the ``values`` columns shown."""
        shown = dataclasses.replace(plan, values=dict(values))
        return [sample_of(r, shown, list(values), masking) for r in table.to_pylist()]

