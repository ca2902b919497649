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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from govstd import kernel
from govstd.errors import GovstdError, InputError
from govstd.kernel.repeats import FIRST, FIRST_LINE
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
from govstd.validators.readers import LoadedSource, duckdb_input_error, open_source
from govstd.validators.results import CheckResult, Sample

DATA = "__govstd_data"
NUMBERED = "__govstd_numbered"
_BATCH_ROWS = 8192
#: Rows per Arrow batch handed to the native kernel: large enough to amortise a call, small enough that
#: a few batches per thread in flight stay a few MB.
_KERNEL_BATCH_ROWS = 65_536
#: The most memory (bytes) the kernel's pass spends remembering keys seen for duplicate samples
#: (``kernel.Repeats``), all keys together; at most an eighth of DuckDB's memory limit.
_SEEN_BUDGET = 256 * 2**20
#: The most memory (bytes) the kernel's pass spends counting uniqueness groups from the keys' fingerprints
#: (``kernel.KeyCounter``: beyond it they spill to disk), all keys together; at most an eighth of DuckDB's
#: memory limit. 10 M keys take 160 MB: a default run counts them in memory.
_KEYS_BUDGET = 2**30
#: Restart the sample query without the checks already sampled while the prefix re-read is this small.
_RESTART_FRACTION = 0.05
#: DuckDB errors that mean a compiled query is wrong (a bug here) rather than the data being unreadable.
#: Every other DuckDB error while scanning is about the input: a damaged Parquet page, a bad CSV line
#: and undecodable bytes surface as several different DuckDB exception types.
_QUERY_ERRORS = (duckdb.ParserException, duckdb.BinderException, duckdb.CatalogException,
                 duckdb.NotImplementedException)


def _data_error(exc: duckdb.Error, loaded: LoadedSource) -> GovstdError:
    """The error to raise for a DuckDB failure while reading ``loaded``; re-raises query bugs."""
    if isinstance(exc, _QUERY_ERRORS):
        raise exc
    if isinstance(exc, duckdb.OutOfMemoryException):
        return GovstdError("DuckDB ran out of memory",
                           hint="raise --memory-limit, or give --temp-directory on a disk with room to spill")
    return loaded.error(exc)


@dataclass
class EngineConfig:
    """DuckDB resources: ``memory_limit`` like '256MB' or '4GB'; ``temp_directory`` for spilling."""

    memory_limit: str | None = None
    threads: int | None = None
    temp_directory: str | None = None


def connect(config: EngineConfig | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection configured to spill, keep source order and report progress."""
    config = config or EngineConfig()
    con = duckdb.connect(":memory:")
    settings: dict[str, bool | int | str] = {
        "preserve_insertion_order": True,  # the numbered view follows source order
        "enable_progress_bar": True,  # so query_progress() reports; printing stays off
        "enable_progress_bar_print": False,
    }
    if config.memory_limit:
        settings["memory_limit"] = config.memory_limit
    if config.threads:
        settings["threads"] = int(config.threads)
    if config.temp_directory:
        Path(config.temp_directory).mkdir(parents=True, exist_ok=True)
        settings["temp_directory"] = config.temp_directory
    dialect = DuckDBDialect()
    for key, value in settings.items():
        if isinstance(value, bool):
            sql_value = "true" if value else "false"
        elif isinstance(value, int):
            sql_value = str(value)
        else:
            sql_value = dialect.string_literal(value)
        try:
            con.execute(f"SET {key} = {sql_value}")
        except duckdb.Error as exc:
            raise InputError(f"bad DuckDB setting {key}={value!r}: {str(exc).splitlines()[0]}",
                             field=key, expected="e.g. --memory-limit 2GB") from None
    return con


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


def map_columns(con: duckdb.DuckDBPyConnection, loaded: LoadedSource, mapping: Mapping[str, str]) -> None:
    """Views ``__govstd_data`` / ``__govstd_numbered`` with the data's columns renamed to the schema's
    field names (``mapping``: field → data column). Only mapped columns are kept."""
    q = DuckDBDialect().quote_identifier
    select = ", ".join(f"{q(column)} AS {q(name)}" for name, column in mapping.items()) or "NULL AS __govstd_none"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {q(DATA)} AS SELECT {select} FROM {loaded.data}")
    place = f"{q(loaded.line_column)} AS {q(loaded.line_column)}, " if loaded.line_column else ""
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {q(NUMBERED)} AS SELECT {q(loaded.row_column)} AS {q(loaded.row_column)}, "
        f"{place}{select} FROM {loaded.numbered}"
    )


class DuckDBEngine:
    """Executes a check suite against the mapped views of one loaded source."""

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

    # ---- the native check kernel -----------------------------------------------------------

    def _count_natively(self, suite: ir.CheckSuite, sample_size: int = 0
                        ) -> tuple[AggregatePlan, dict[str, int]] | None:
        """The row checks the native kernel implements (``govstd.kernel``), counted over Arrow batches of
        the columns they read, streamed from DuckDB: (outputs of those checks, their counters) for
        ``assemble``. None when the kernel is turned off (``GOVSTD_KERNEL=0``) or not built — then a
        one-line notice joins the warnings — and every check is counted in SQL. With ``sample_size`` > 0
        the same pass keeps each check's first failing rows (``_sampled``): no second pass to find them."""
        self._native_samples, self._native_repeats, self._repeat_pairs = {}, {}, {}
        if kernel.disabled():
            return None
        lib = kernel.load()
        if lib is None:
            self.loaded.warnings.append(kernel.status()[1])
            return None
        plan = kernel.compile_suite(suite)
        if not plan.checks and not plan.fresh and not plan.keys:
            return None
        q = self.dialect.quote_identifier
        columns = ", ".join(f"CAST({q(c)} AS VARCHAR) AS {q(c)}" for c in plan.columns) or "NULL::VARCHAR"
        sql = f"SELECT {columns} FROM {q(DATA)}"
        shown: SamplePlan | None = None
        if sample_size > 0:
            shown, extra = self._sample_columns(plan)
            sql = f"SELECT {columns}{extra} FROM {q(NUMBERED)}"
        threads = int(self.con.execute("SELECT current_setting('threads')").fetchall()[0][0])
        native = kernel.Kernel(lib, plan)
        samples = kernel.Samples(sample_size, len(plan.checks)) if shown is not None else None
        repeats = None
        if shown is not None and plan.keys:
            repeats = kernel.Repeats(lib, sample_size, len(plan.keys), self._seen_budget() // len(plan.keys),
                                     self.loaded.row_column, self.loaded.line_column)
        # Each key's groups are counted in C from its fingerprints (``kernel.KeyCounter``). Only while a key's
        # duplicate samples may still need them (``repeats.pending``: the set of keys seen may outgrow its
        # budget, ``_repeats_of``) do its fingerprints also go, with their row numbers, into a TEMP table of a
        # second connection (a cursor: its own temp catalog), which may write while the main connection's
        # reader streams; DuckDB spills it under --memory-limit. One UHUGEINT column, not the two UBIGINT
        # halves: DuckDB groups it in about half the CPU.
        counters: list[kernel.KeyCounter] = []
        keys = self.con.cursor() if repeats is not None else None
        try:
            spill_dir = self._spill_dir()
            budget = self._memory_share(_KEYS_BUDGET) // max(1, len(plan.keys))
            counters += [kernel.KeyCounter(lib, budget, spill_dir) for _ in plan.keys]
            for k in range(len(plan.keys)):
                if keys is not None:
                    keys.execute(f"CREATE TEMP TABLE {_key_table(k)} (k UHUGEINT, r BIGINT)")

            def store(batch: pa.RecordBatch, fingerprints: list[pa.RecordBatch]) -> None:
                if repeats is not None:
                    repeats.add(batch, fingerprints)
                for k, fp in enumerate(fingerprints):
                    counters[k].add(fp)
                    if keys is not None and repeats is not None and fp.num_rows and repeats.pending(k):
                        rows = batch.column(self.loaded.row_column).take(fp.column(2))
                        keyed = pa.RecordBatch.from_arrays([fp.column(0), fp.column(1), rows], names=["hi", "lo", "r"])
                        keys.from_arrow(keyed).project("(hi::UHUGEINT << 64) | lo, r::BIGINT").insert_into(
                            _key_table(k))

            try:
                with self._progress("checking"):
                    try:
                        reader = self.con.sql(sql).to_arrow_reader(_KERNEL_BATCH_ROWS)
                    except duckdb.Error as exc:
                        raise _data_error(exc, self.loaded) from None
                    try:
                        counted = native.count(_batches(reader, self.loaded), threads, samples, keys=store)
                    finally:
                        reader.close()
            finally:
                native.close()
                if repeats is not None:
                    repeats.close()
            values = self._native_values(suite, native, sql, counted, counters, samples, shown)
            if keys is not None and repeats is not None and shown is not None:
                self._repeats_of(plan, counted, keys, repeats, shown, sample_size)
        finally:
            for counter in counters:
                counter.close()
            if keys is not None:
                keys.close()
        return values

    def _native_values(self, suite: ir.CheckSuite, native: kernel.Kernel, sql: str, counters: list[int],
                       keys: list[kernel.KeyCounter], samples: kernel.Samples | None,
                       shown: SamplePlan | None) -> tuple[AggregatePlan, dict[str, int]]:
        """The kernel's counters as ``assemble``'s outputs and values; uniqueness from each key's counter of
        its fingerprints, ``keys`` (or, for a key the kernel does not fingerprint or doubted, ``_count_keys``)."""
        plan = native.plan
        # A checksum met input the kernel does not compute exactly (never behind derive's shape guards), or a
        # date/number parse met a layout outside the kernel's exact subset: those checks are counted in SQL.
        doubtful = {c.check.rule_id for c in native.plan.checks
                    if (c.uses_checksum and counters[1]) or (c.uses_parse and counters[2])}
        doubtful |= {f.check.rule_id for f in native.plan.fresh if f.uses_parse and counters[2]}
        outputs = {rule_id: Output(evaluated=e, failed=x, breakdown=b, tally=t)
                   for rule_id, (e, x, b, t) in native.outputs().items() if rule_id not in doubtful}
        if samples is not None and shown is not None:
            # Checks showing a labelled value (a lookup: an SQL expression) keep the SQL sample pass.
            self._native_samples = {
                c.check.rule_id: (samples.rows(k), shown) for k, c in enumerate(plan.checks)
                if c.tally is None and c.check.rule_id not in doubtful and not c.check.sample_values}
        # A freshness check's newest value, a maximum the kernel merges across batches: no aggregate pass for it.
        outputs |= {rule_id: Output(evaluated=e, newest=n)
                    for rule_id, (e, n) in native.fresh_outputs().items() if rule_id not in doubtful}
        values = native.values(counters)
        fingerprinted = _trusted_keys(plan, counters)

        def count(check: ir.UniqueCheck) -> tuple[int, int, int, int]:
            if check.rule_id in fingerprinted:
                return self._group_fingerprints(keys[fingerprinted[check.rule_id]], len(check.key) == 1,
                                                native.key_null_hi())
            return self._count_keys(check)

        keyed, key_values = self._key_outputs([c for c in suite.checks if isinstance(c, ir.UniqueCheck)], count)
        return AggregatePlan(sql=sql, rows_alias="__rows", outputs=outputs | keyed), values | key_values

    def _repeats_of(self, plan: kernel.Plan, counters: list[int], keys: duckdb.DuckDBPyConnection,
                    repeats: kernel.Repeats, shown: SamplePlan, n: int) -> None:
        """Each trusted key's first ``n`` repeating rows: as found in the kernel's pass, or — where its set of
        keys seen outgrew the budget — (row, first row) pairs from its fingerprint table of ``keys`` alone
        (the repeated fingerprints' rows ranked; no read of the data), their values read in ``_attach_samples``."""
        for rule_id, k in _trusted_keys(plan, counters).items():
            found = repeats.rows(k)
            check = plan.keys[k].check
            if found is not None:
                values = {name: shown.values[name] for name in check.shown_columns}
                line = self.loaded.line_column
                self._native_repeats[rule_id] = (found, dataclasses.replace(
                    shown, values=values, repeats_alias=FIRST,
                    repeats_line_alias=FIRST_LINE if line else None))
            elif not self._key_counts[rule_id]["__keys"]:
                self._repeat_pairs[rule_id] = []  # no key repeats (a lone NULL key may still count as failed)
            else:
                t = _key_table(k)
                ranked = (f"SELECT r, min(r) OVER (PARTITION BY k) AS f, row_number() OVER (PARTITION BY k ORDER BY r) "
                          f"AS nth FROM {t} WHERE k IN (SELECT k FROM {t} GROUP BY k HAVING count(*) > 1)")
                sql = f"SELECT r, f FROM ({ranked}) WHERE nth > 1 ORDER BY r LIMIT {int(n)}"
                with self._progress("sampling duplicates"):
                    try:
                        pairs = keys.execute(sql).fetchall()
                    except duckdb.OutOfMemoryException as exc:
                        raise _data_error(exc, self.loaded) from None
                self._repeat_pairs[rule_id] = [(int(r), int(f)) for r, f in pairs]

    def _paired_samples(self, check: ir.UniqueCheck, pairs: list[tuple[int, int]],
                        masking: Mapping[str, MaskingRule | None]) -> list[Sample]:
        """The samples of (row, first row) ``pairs`` (``_repeats_of``): one query on the numbered view for the
        shown values and lines of those rows alone (as ``dialect.duplicate_samples`` shows them)."""
        if not pairs:
            return []
        q, loaded = self.dialect.quote_identifier, self.loaded
        values = {name: f"__c{i}" for i, name in enumerate(check.shown_columns)}
        line = loaded.line_column
        picked = [f"{q(loaded.row_column)} AS __row", *([f"{q(line)} AS __line"] if line else []),
                  *(f"{q(name)} AS {q(alias)}" for name, alias in values.items())]
        wanted = ", ".join(str(r) for r in sorted({r for pair in pairs for r in pair}))
        table = self._arrow(f"SELECT {', '.join(picked)} FROM {q(NUMBERED)} WHERE {q(loaded.row_column)} IN ({wanted})")
        by_row = {int(r["__row"]): r for r in table.to_pylist()}  # at most 2 × pairs rows
        plan = SamplePlan(sql="", row_alias="__row", flags={}, values=values, line_alias="__line" if line else None,
                          repeats_alias="__first", repeats_line_alias="__first_line" if line else None)
        rows = [{**by_row[r], "__first": f, "__first_line": by_row[f].get("__line")} for r, f in pairs]
        return [sample_of(r, plan, list(values), masking) for r in rows]

    def _seen_budget(self) -> int:
        """``_SEEN_BUDGET``, or an eighth of DuckDB's memory limit (``--memory-limit``) where that is less."""
        return self._memory_share(_SEEN_BUDGET)

    def _spill_dir(self) -> str:
        """Where the key counters spill: DuckDB's temp_directory where it is there (``--temp-directory``, which
        ``connect`` makes), else the system temp folder (DuckDB's default, ``.tmp``, is made only on a spill)."""
        import tempfile

        text = str(self.con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0])
        return text if text and Path(text).exists() else tempfile.gettempdir()

    def _memory_share(self, cap: int) -> int:
        """``cap`` bytes, or an eighth of DuckDB's memory limit (``--memory-limit``) where that is less."""
        text = str(self.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
        number, _, unit = text.partition(" ")
        scale = {"bytes": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40, "KB": 10**3, "MB": 10**6,
                 "GB": 10**9, "TB": 10**12}
        try:
            limit = int(float(number) * scale[unit.strip()])
        except (KeyError, ValueError):
            return cap
        return min(cap, limit // 8)

    def _sample_columns(self, plan: kernel.Plan) -> tuple[SamplePlan, str]:
        """What the kernel's pass streams beside its columns for samples, from the numbered view the SQL
        sample query reads (``dialect.samples``): the row number, the physical line where there is one, and
        every column a check (or a fingerprinted key's duplicate sample) shows — the kernel's own text column
        where the view's column is text (the same value), else the view's column as it is (a typed column:
        the value the SQL path shows, not its text). (the columns as a SamplePlan of no query, the select list
        to append)."""
        q = self.dialect.quote_identifier
        loaded = self.loaded
        extra = [q(loaded.row_column)] + ([q(loaded.line_column)] if loaded.line_column else [])
        types = {str(r[0]): str(r[1]) for r in self.con.execute(f"DESCRIBE SELECT * FROM {q(NUMBERED)}").fetchall()}
        values: dict[str, str] = {}
        for check in [*(c.check for c in plan.checks), *(k.check for k in plan.keys)]:
            for name in check.shown_columns:
                if name in values:
                    continue
                if name in plan.columns and types.get(name) == "VARCHAR":
                    values[name] = name
                else:
                    values[name] = f"__govstd_shown{len(values)}"
                    extra.append(f"{q(name)} AS {q(values[name])}")
        sample_plan = SamplePlan(sql="", row_alias=loaded.row_column, flags={}, values=values,
                                 line_alias=loaded.line_column)
        return sample_plan, "".join(f", {e}" for e in extra)

    def _group_fingerprints(self, counter: kernel.KeyCounter, single: bool, null_hi: int) -> tuple[int, int, int, int]:
        """``_count_keys``'s four numbers from the kernel's fingerprints of a key (one per present row), counted
        in C (``kernel.KeyCounter``): the same groups, as equal keys have equal fingerprints and different ones
        differ (exactly, or but for a chance of about n²/2¹²⁸ among n hashed keys: ``_kernel.c``, "key
        fingerprints"). A single key's NULL group is a group but not a distinct key, as in ``_count_keys``."""
        with self._progress("counting keys"):
            return counter.result(null_hi, single)

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
                raise _data_error(exc, self.loaded) from None
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
            raise _data_error(exc, self.loaded) from None
        try:
            for batch in _batches(reader, self.loaded):
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
                raise _data_error(exc, self.loaded) from None
            restart = False
            try:
                for batch in _batches(reader, self.loaded):
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
            raise _data_error(exc, self.loaded) from None
        return table

    def _to_samples(self, table: pa.Table | pa.RecordBatch, plan: SamplePlan, values: Mapping[str, str],
                    masking: Mapping[str, MaskingRule | None]) -> list[Sample]:
        """Samples from (a few) Arrow rows of ``plan``, only the ``values`` columns shown."""
        shown = dataclasses.replace(plan, values=dict(values))
        return [sample_of(r, shown, list(values), masking) for r in table.to_pylist()]


def _trusted_keys(plan: kernel.Plan, counters: list[int]) -> dict[str, int]:
    """rule id → index of each key whose fingerprints count: not one whose checksum or parse the kernel doubted."""
    return {k.check.rule_id: i for i, k in enumerate(plan.keys)
            if not (k.uses_checksum and counters[1]) and not (k.uses_parse and counters[2])}


def _key_table(k: int) -> str:
    """The TEMP table of key ``k``'s fingerprints (``_count_natively``)."""
    return f"__govstd_keys{k}"


def _batches(reader: pa.RecordBatchReader, loaded: LoadedSource) -> Iterator[pa.RecordBatch]:
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except duckdb.Error as exc:
            raise _data_error(exc, loaded) from None
        except pa.ArrowException as exc:
            raise duckdb_input_error(exc, loaded.source) from None
        yield batch
