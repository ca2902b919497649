"""The DuckDB engine's pass through the native check kernel (``govstd.kernel``).

The row checks the kernel implements are counted in C inside DuckDB's scan (``kernel.inscan``), or over Arrow
batches streamed from DuckDB's reader where the kernel cannot run there; the same pass fingerprints uniqueness
keys (counted in C, ``kernel.KeyCounter``) and keeps each check's first failing rows (``kernel.Samples``), and
each key's first repeating rows come from the rows in order (``kernel.Repeats``: the stream itself, or after a
pass inside the scan a second pass over the keys' columns alone). What the kernel
does not count — or doubts — stays in SQL (``engines.duckdb``). A mixin of ``DuckDBEngine``: it reads the
engine's connection, views and SQL helpers.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from govstd import kernel
from govstd.errors import first_line
from govstd.kernel import inscan
from govstd.kernel.repeats import FIRST, FIRST_LINE
from govstd.kernel.rows import gather, int64
from govstd.standards.models import MaskingRule
from govstd.validators import ir
from govstd.validators.compiler.duckdb import DuckDBDialect
from govstd.validators.compiler.plans import AggregatePlan, Output, SamplePlan
from govstd.validators.engines.base import sample_of
from govstd.validators.engines.duckdb_session import DATA, NUMBERED, batches, data_error
from govstd.validators.readers import LoadedSource
from govstd.validators.results import Sample

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


class NativeCounting:
    """The kernel's pass, for ``DuckDBEngine`` (which provides the connection, views and SQL helpers)."""

    con: duckdb.DuckDBPyConnection
    loaded: LoadedSource
    dialect: DuckDBDialect
    _key_counts: dict[str, dict[str, int]]
    #: Each natively counted row check's first failing rows, taken from the kernel's pass (``_sampled``).
    _native_samples: dict[str, tuple[list[pa.RecordBatch], SamplePlan]]
    #: Each fingerprinted key's first repeating rows, found in the kernel's pass (``kernel.Repeats``) …
    _native_repeats: dict[str, tuple[list[pa.RecordBatch], SamplePlan]]
    #: … or, where its set of keys seen outgrew the budget, (row, first row) pairs from its fingerprints.
    _repeat_pairs: dict[str, list[tuple[int, int]]]
    #: Whether the kernel loaded into this connection as an extension (``kernel.inscan``); None: not tried yet.
    _inscan_loaded: bool | None = None

    if TYPE_CHECKING:  # DuckDBEngine's
        def _progress(self, label: str) -> contextlib.AbstractContextManager[None]: ...
        def _arrow(self, sql: str) -> pa.Table: ...
        def _count_keys(self, check: ir.UniqueCheck) -> tuple[int, int, int, int]: ...
        def _key_outputs(self, checks: Sequence[ir.UniqueCheck],
                         count: Callable[[ir.UniqueCheck], tuple[int, int, int, int]]
                         ) -> tuple[dict[str, Output], dict[str, int]]: ...

    def _count_natively(self, suite: ir.CheckSuite, sample_size: int = 0
                        ) -> tuple[AggregatePlan, dict[str, int]] | None:
        """The row checks the native kernel implements (``govstd.kernel``), counted inside DuckDB's scan or over
        Arrow batches of the columns they read, streamed from DuckDB: (outputs of those checks, their counters)
        for ``assemble``. None when the kernel is turned off (``GOVSTD_KERNEL=0``) or not built — then a
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
        sql = f"SELECT {self._text_columns(plan)} FROM {self.dialect.quote_identifier(DATA)}"
        shown: SamplePlan | None = None
        if sample_size > 0:
            shown, sql = self._sampled_sql(plan)
        threads = int(self.con.execute("SELECT current_setting('threads')").fetchall()[0][0])
        native = kernel.Kernel(lib, plan)
        samples = kernel.Samples(sample_size, len(plan.checks)) if shown is not None else None
        layout = self._sample_layout(sql) if shown is not None else None
        scanned = (shown is None or layout is not None) and self._in_scan(lib, plan)
        repeats = None
        if shown is not None and plan.keys and not scanned:
            repeats = kernel.Repeats(lib, sample_size, len(plan.keys), self._seen_budget() // len(plan.keys),
                                     self.loaded.row_column, self.loaded.line_column)
        counters: list[kernel.KeyCounter] = []
        keys = self.con.cursor() if repeats is not None else None
        try:
            spill_dir = self._spill_dir()
            budget = self._memory_share(_KEYS_BUDGET) // max(1, len(plan.keys))
            counters += [kernel.KeyCounter(lib, budget, spill_dir) for _ in plan.keys]
            if keys is not None:
                _fingerprint_tables(keys, len(plan.keys))

            def store(batch: pa.RecordBatch, fingerprints: list[pa.RecordBatch]) -> None:
                for k, fp in enumerate(fingerprints):
                    counters[k].add(fp)
                if repeats is not None and keys is not None:
                    self._feed_repeats(repeats, keys, batch, fingerprints)

            try:
                if scanned:
                    counted = self._count_in_scan(lib, native, counters, samples, shown, layout)
                else:
                    counted = self._stream(native, sql, threads, samples, store, "checking")
            finally:
                native.close()
                if repeats is not None:
                    repeats.close()
            values = self._native_values(suite, native, sql, counted, counters, samples, shown)
            if scanned and shown is not None and plan.keys:
                self._repeats_in_order(lib, suite, plan, counted, sample_size)
            elif keys is not None and repeats is not None and shown is not None:
                self._repeats_of(plan, counted, keys, repeats, shown, sample_size)
        finally:
            for counter in counters:
                counter.close()
            if keys is not None:
                keys.close()
        return values

    def _text_columns(self, plan: kernel.Plan) -> str:
        """The select list of ``plan``'s columns as text, as the kernel reads them."""
        q = self.dialect.quote_identifier
        return ", ".join(f"CAST({q(c)} AS VARCHAR) AS {q(c)}" for c in plan.columns) or "NULL::VARCHAR"

    def _sampled_sql(self, plan: kernel.Plan) -> tuple[SamplePlan, str]:
        """The query whose rows the kernel reads with samples: ``plan``'s columns as text, and the numbered view's
        row, line and shown columns beside them (``_sample_columns``)."""
        shown, extra = self._sample_columns(plan)
        return shown, f"SELECT {self._text_columns(plan)}{extra} FROM {self.dialect.quote_identifier(NUMBERED)}"

    def _stream(self, native: kernel.Kernel, sql: str, threads: int, samples: kernel.Samples | None,
                store: Callable[[pa.RecordBatch, list[pa.RecordBatch]], None], label: str,
                until: Callable[[], bool] | None = None) -> list[int]:
        """``sql``'s rows streamed as Arrow batches to the kernel on ``threads`` threads: its counters; each
        batch's key fingerprints to ``store``. ``until``: asked after each batch, True stops the stream early."""
        with self._progress(label), self._threads(max(1, threads // 2)):
            try:
                reader = self.con.sql(sql).to_arrow_reader(_KERNEL_BATCH_ROWS)
            except duckdb.Error as exc:
                raise data_error(exc, self.loaded) from None

            def stream() -> Iterator[pa.RecordBatch]:
                for batch in batches(reader, self.loaded):
                    yield batch
                    if until is not None and until():
                        return

            try:
                return native.count(stream(), threads, samples, keys=store)
            finally:
                reader.close()

    def _feed_repeats(self, repeats: kernel.Repeats, table: duckdb.DuckDBPyConnection, batch: pa.RecordBatch,
                      fingerprints: list[pa.RecordBatch]) -> None:
        """A batch's key fingerprints, in row order, to the set of keys seen (``repeats``). Only while a key's
        duplicate samples may still need them (``repeats.pending``: the set may outgrow its budget,
        ``_repeats_of``) do they also go, with their row numbers, into the key's TEMP table of ``table``: a second
        connection (a cursor: its own temp catalog), which may write while the main connection's reader streams;
        DuckDB spills it under --memory-limit. One UHUGEINT column, not the two UBIGINT halves: DuckDB groups it
        in about half the CPU."""
        repeats.add(batch, fingerprints)
        for k, fp in enumerate(fingerprints):
            if fp.num_rows and repeats.pending(k):
                rows = gather(int64(batch.column(self.loaded.row_column), 0), fp.column(2))
                keyed = pa.RecordBatch.from_arrays([fp.column(0), fp.column(1), rows], names=["hi", "lo", "r"])
                table.from_arrow(keyed).project("(hi::UHUGEINT << 64) | lo, r::BIGINT").insert_into(_key_table(k))

    def _in_scan(self, lib: ctypes.CDLL, plan: kernel.Plan) -> bool:
        """Whether this run counts inside DuckDB's scan (``kernel.inscan``): the library was built for it, and it
        loads into this connection (once). Otherwise the kernel is fed Arrow batches, with a one-line notice when
        loading failed."""
        library = kernel.library_path()
        if library is None or not inscan.usable(lib) or len(plan.columns) > inscan.max_columns(lib):
            return False
        if self._inscan_loaded is None:
            try:
                inscan.load_into(self.con, library)
                self._inscan_loaded = True
            except (duckdb.Error, OSError) as exc:
                self._inscan_loaded = False
                self.loaded.warnings.append(f"the native check kernel could not run inside DuckDB's scan "
                                            f"({first_line(exc)}); it was fed Arrow batches instead")
        return self._inscan_loaded

    def _sample_layout(self, sql: str) -> pa.Schema | None:
        """The columns of ``sql``'s batches, where the samples can be taken inside the scan (else None): DuckDB
        numbers the rows on every thread (a ``row_number()`` window numbers them on one, and the kernel would then
        count on that one thread too: a 10 M-row CSV took 6.9 s instead of the stream's 4.9), the batch's row
        number and line are integers and its other columns text (the aggregate reads them as such), and it reads
        few enough columns."""
        if not self.loaded.numbered_in_parallel:
            return None
        lib = kernel.load()
        schema = self.con.sql(f"{sql} LIMIT 0").to_arrow_table().schema
        numbers = {self.loaded.row_column, self.loaded.line_column}
        texts = [f for f in schema if f.name not in numbers]
        fits = lib is not None and len(texts) <= inscan.max_columns(lib) \
            and all(pa.types.is_integer(f.type) for f in schema if f.name in numbers) \
            and all(pa.types.is_string(f.type) or pa.types.is_large_string(f.type) for f in texts)
        return schema if fits else None

    def _count_in_scan(self, lib: ctypes.CDLL, native: kernel.Kernel, counters: list[kernel.KeyCounter],
                       samples: kernel.Samples | None, shown: SamplePlan | None,
                       layout: pa.Schema | None) -> list[int]:
        """The kernel's counters from one aggregate query inside DuckDB's scan, every thread DuckDB has; the keys'
        fingerprints go to ``counters`` as they are made. With ``samples``, each check's first failing rows come
        back with the counters, as record batches of the stream's ``layout`` (``_sample_layout``) into ``samples``."""
        q, loaded, plan = self.dialect.quote_identifier, self.loaded, native.plan
        texts = [f"CAST({q(c)} AS VARCHAR)" for c in plan.columns] or ["NULL::VARCHAR"]
        n, source, row, line = 0, DATA, "NULL::BIGINT", "NULL::BIGINT"
        if samples is not None and shown is not None:
            n, source, row = samples.n, NUMBERED, f"CAST({q(loaded.row_column)} AS BIGINT)"
            line = f"CAST({q(loaded.line_column)} AS BIGINT)" if loaded.line_column else line
            texts += [f"CAST({q(name)} AS VARCHAR)" for name, alias in shown.values.items() if alias != name]
        feed = inscan.KeyFeed(lib, counters)
        try:
            with self._progress("checking"):
                try:
                    blob = self.con.execute(f"SELECT govstd_count({int(native.handle)}, {feed.handle or 0}, {n}, "
                                            f"{row}, {line}, {', '.join(texts)}) FROM {q(source)}").fetchall()
                except duckdb.Error as exc:
                    feed.raise_error()  # a key counter's own error, not DuckDB's wording of it
                    raise data_error(exc, self.loaded) from None
        finally:
            feed.close()
        counted, picked = inscan.decode(blob[0][0], plan.counters, len(plan.checks), n)
        if samples is not None and layout is not None and picked:
            for k, rows in enumerate(picked):
                if rows:
                    samples.put(k, _sample_batch(layout, rows, loaded.row_column, loaded.line_column))
        return counted

    def _repeats_in_order(self, lib: ctypes.CDLL, suite: ir.CheckSuite, plan: kernel.Plan, counted: list[int],
                          n: int) -> None:
        """The first ``n`` repeating rows of each trusted key that has repeats, after a pass inside the scan (which
        takes rows in no set order): a second pass streams only those keys' columns in row order to the set of
        keys seen (``kernel.Repeats``), and stops once every such key has as many as it can have (its rows in
        repeated groups less its repeated keys, at most ``n``)."""
        wanted: dict[str, int] = {}
        for rule_id in _trusted_keys(plan, counted):
            counts = self._key_counts[rule_id]
            wanted[rule_id] = min(n, counts["__involved"] - counts["__keys"]) if counts["__keys"] else 0
        if not wanted:
            return
        keyed = kernel.compile_suite(ir.CheckSuite(
            checks=[k.check for k in plan.keys if k.check.rule_id in wanted], tables=suite.tables))
        shown, sql = self._sampled_sql(keyed)
        native = kernel.Kernel(lib, keyed)
        repeats = kernel.Repeats(lib, n, len(keyed.keys), self._seen_budget() // len(keyed.keys),
                                 self.loaded.row_column, self.loaded.line_column)
        table = self.con.cursor()
        try:
            _fingerprint_tables(table, len(keyed.keys))
            targets = [wanted[k.check.rule_id] for k in keyed.keys]

            def found() -> bool:
                return all(repeats.found(k) >= want and not repeats.overflowed[k] for k, want in enumerate(targets))

            again = [0] * keyed.counters  # no key repeats: nothing to read (none is found, as none is there)
            if any(targets):
                threads = int(self.con.execute("SELECT current_setting('threads')").fetchall()[0][0])
                # A Samples of no checks: the fingerprints then carry their rows ("at"), as Repeats needs.
                again = self._stream(native, sql, threads, kernel.Samples(n, 0),
                                     lambda batch, fps: self._feed_repeats(repeats, table, batch, fps),
                                     "sampling duplicates", until=found)
            self._repeats_of(keyed, again, table, repeats, shown, n)
        finally:
            native.close()
            repeats.close()
            table.close()

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
                        raise data_error(exc, self.loaded) from None
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

    @contextlib.contextmanager
    def _threads(self, n: int) -> Iterator[None]:
        """DuckDB on ``n`` threads while it streams batches to the kernel, the others left to the kernel's
        threads. Reading and checking cost about the same; with every thread given to DuckDB too, its workers
        outran the kernel and spent CPU on the handover (the 10 M-row Parquet file: the stream alone 3.4 CPU s on
        2 threads, 2.9 on 1; a whole validate 8.0 → 7.2)."""
        before = int(self.con.execute("SELECT current_setting('threads')").fetchall()[0][0])
        if n >= before:
            yield
            return
        self.con.execute(f"SET threads = {int(n)}")
        try:
            yield
        finally:
            self.con.execute(f"SET threads = {before}")

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
        differ (exactly, or but for a chance of about n²/2¹²⁸ among n hashed keys: ``kernel/csrc/keys.c``, "key
        fingerprints"). A single key's NULL group is a group but not a distinct key, as in ``_count_keys``."""
        with self._progress("counting keys"):
            return counter.result(null_hi, single)


def _sample_batch(layout: pa.Schema, rows: list[inscan.SampledRow], row_column: str,
                  line_column: str | None) -> pa.RecordBatch:
    """Sampled rows from inside the scan as the stream's record batch of ``layout``: its row number and line
    columns from the rows' own, every other column from their text values, in the layout's order."""
    arrays, at = [], 0
    for field in layout:
        if field.name in (row_column, line_column):
            arrays.append(_arrow_column(field.type, [r[0] if field.name == row_column else r[1] for r in rows]))
        else:
            arrays.append(_arrow_column(field.type, [r[2][at] for r in rows]))
            at += 1
    return pa.RecordBatch.from_arrays(arrays, schema=layout)


def _arrow_column(kind: pa.DataType, values: Sequence[int | str | None]) -> pa.Array:
    """A few sampled values as an Arrow array of ``kind`` (text or an integer), built from buffers: ``pa.array`` of
    Python values imports pandas (pyarrow's shim), which a CSV validate otherwise never loads."""
    import array

    valid = bytearray((len(values) + 7) // 8)
    for i, v in enumerate(values):
        if v is not None:
            valid[i >> 3] |= 1 << (i & 7)
    if pa.types.is_integer(kind):
        ints = array.array("q", [int(v) if v is not None else 0 for v in values])
        numbers = pa.Array.from_buffers(pa.int64(), len(values), [pa.py_buffer(valid), pa.py_buffer(ints)])
        return numbers if kind == pa.int64() else numbers.cast(kind)  # a cast loads pyarrow.compute
    encoded = [str(v).encode() if v is not None else b"" for v in values]
    offsets = array.array("i", [0])
    for e in encoded:
        offsets.append(offsets[-1] + len(e))
    texts = pa.Array.from_buffers(pa.string(), len(values), [pa.py_buffer(valid), pa.py_buffer(offsets),
                                                             pa.py_buffer(b"".join(encoded))])
    return texts if kind == pa.string() else texts.cast(kind)


def _trusted_keys(plan: kernel.Plan, counters: list[int]) -> dict[str, int]:
    """rule id → index of each key whose fingerprints count: not one whose checksum or parse the kernel doubted."""
    return {k.check.rule_id: i for i, k in enumerate(plan.keys)
            if not (k.uses_checksum and counters[1]) and not (k.uses_parse and counters[2])}


def _fingerprint_tables(con: duckdb.DuckDBPyConnection, n: int) -> None:
    """The TEMP tables of ``n`` keys' fingerprints and row numbers (``_feed_repeats``)."""
    for k in range(n):
        con.execute(f"CREATE TEMP TABLE {_key_table(k)} (k UHUGEINT, r BIGINT)")


def _key_table(k: int) -> str:
    """The TEMP table of key ``k``'s fingerprints (``_count_natively``)."""
    return f"__govstd_keys{k}"
