"""IR → SQL, written once. ``Dialect`` compiles check predicates and builds the three statements the
engine runs: one aggregate pass (every row check, duplicates, newest timestamps), a sample query for
failing row checks, and a duplicate-sample query. Engine modules override only the primitives their
SQL spells differently (``regex_full_match``, ``try_cast_integer``, ``int_div``, ``count_if``, …).

Identifier algorithms are vectorised SQL expressions built from the constants of
``govstd.standards.numbers`` (weights, alphabets, check-character tables) — one source of truth, no
UDFs. Column names are untrusted: every identifier goes through ``quote_identifier``; every value
through ``literal``. Nothing from the data is ever pasted into SQL.

The parts: ``constants`` (character classes, check-character tables, spellings), ``expressions``
(``ExpressionCompiler``: quoting, primitives, the named IR functions), ``plans`` (the statements as
data, the shared sub-expressions); ``Dialect`` here adds the statements. The constants the native
kernel reads are re-exported here, where it has always found them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from govstd.validators import ir
from govstd.validators.compiler.constants import (
    ALNUM,
    APOSTROPHE_CHARS,
    DASH_CHARS,
    EXCEL_PATTERN,
    FULLWIDTH_FROM,
    FULLWIDTH_TO,
    GB11714_CHECK_TABLE,
    GB32100_CHECK_TABLE,
    MASK_CHARS,
    WHITESPACE_CHARS,
)
from govstd.validators.compiler.expressions import ExpressionCompiler, UnsupportedCheck
from govstd.validators.compiler.plans import AggregatePlan, DuplicateCountPlan, Output, SamplePlan, Shared

# --------------------------------------------------------------------------- the dialect


class Dialect(ExpressionCompiler):
    """Generic (ANSI-leaning) SQL for the check IR. Subclasses override primitives only."""

    # ---- statements ------------------------------------------------------------------------

    def _layers(self, source: str, shared: Shared, keep: Sequence[str] = ()) -> str:
        """FROM-clause SQL: ``source`` with every shared sub-expression computed, layer by layer."""
        sql = f"SELECT * FROM {source}"
        for level, layer in enumerate(shared.levels):
            # A shared node at this level is compiled from the aliases of lower levels only.
            cols = ", ".join(
                f"{self.expr(node, shared, level)} AS {self.quote_identifier(shared.alias[k])}" for k, node in layer
            )
            sql = f"SELECT *, {cols} FROM {self.subquery_alias(sql, f'__l{level}')}"
        return self.subquery_alias(sql, "__data")

    def aggregate(self, checks: Sequence[ir.Check], source: str) -> AggregatePlan:
        """One pass: evaluated/failed (+ breakdown, tally) per row check, evaluated/distinct per unique
        check, newest value per freshness check, and the row count."""
        shared = Shared.of(checks)
        top = len(shared.levels)
        flags: list[str] = []
        aggs: list[str] = []
        outputs: dict[str, Output] = {}
        q = self.quote_identifier

        def e(node: ir.Expr) -> str:
            return self.expr(node, shared, top)

        fails: list[str] = []
        for i, check in enumerate(checks):
            a, f = f"__a{i}", f"__f{i}"
            if isinstance(check, ir.RowCheck):
                # Two layers: whether the row is evaluated, then (on evaluated rows only) whether it fails.
                flags.append(f"{self._applies(check, e)} AS {q(a)}")
                failing = self._only_where(q(a), f"NOT COALESCE({e(check.expect)}, FALSE)", check.expect, shared, top)
                fails.append(f"{failing} AS {q(f)}")
                out = Output(evaluated=f"__e{i}", failed=f"__x{i}")
                aggs += [f"{self.count_if(q(a))} AS {q(out.evaluated)}", f"{self.count_if(q(f))} AS {q(f'__x{i}')}"]
                for j, (name, bexpr) in enumerate(check.breakdown.items()):
                    # Counted among the failing rows only: the expression runs on those rows alone.
                    b = f"__b{i}_{j}"
                    among_failed = self._only_where(q(f), f"COALESCE({e(bexpr)}, FALSE)", bexpr, shared, top)
                    aggs.append(f"{self.count_if(among_failed)} AS {q(b)}")
                    out.breakdown[name] = b
                for j, (name, texpr) in enumerate(check.tally.items()):
                    # Counted among the evaluated rows (passing or failing).
                    t = f"__t{i}_{j}"
                    among_evaluated = self._only_where(q(a), f"COALESCE({e(texpr)}, FALSE)", texpr, shared, top)
                    aggs.append(f"{self.count_if(among_evaluated)} AS {q(t)}")
                    out.tally[name] = t
            elif isinstance(check, ir.UniqueCheck):
                flags.append(f"COALESCE({e(check.present)}, FALSE) AS {q(a)}")
                keys = []
                for j, k in enumerate(check.key):
                    flags.append(f"{e(k)} AS {q(f'__k{i}_{j}')}")
                    keys.append(q(f"__k{i}_{j}"))
                out = Output(evaluated=f"__e{i}", distinct=f"__d{i}")
                aggs += [
                    f"{self.count_if(q(a))} AS {q(out.evaluated)}",
                    f"{self.count_distinct_if(keys, q(a))} AS {q(f'__d{i}')}",
                ]
            else:
                flags.append(f"{e(check.value)} AS {q(f'__v{i}')}")
                out = Output(evaluated=f"__e{i}", newest=f"__n{i}")
                aggs += [
                    f"{self.count_if(q(f'__v{i}') + ' IS NOT NULL')} AS {q(out.evaluated)}",
                    f"{self.max_value(q(f'__v{i}'))} AS {q(f'__n{i}')}",
                ]
            outputs[check.rule_id] = out
        flag_sql = "SELECT *" + "".join(", " + f for f in flags) + f" FROM {self._layers(source, shared)}"
        if fails:
            applied = self.subquery_alias(flag_sql, "__applies")
            flag_sql = "SELECT *" + "".join(", " + f for f in fails) + f" FROM {applied}"
        sql = f"SELECT COUNT(*) AS {q('__rows')}" + "".join(", " + a for a in aggs)
        sql += f" FROM {self.subquery_alias(flag_sql, '__flags')}"
        return AggregatePlan(sql=sql, rows_alias="__rows", outputs=outputs)

    def project(self, columns: dict[str, ir.Expr], source: str) -> str:
        """``SELECT expr AS name, …`` over ``source``: the expressions of another dataset staged as a
        reference table (``ir.OtherDataset``), computed with their shared sub-expressions once."""
        shared = Shared(list(columns.values()))
        top = len(shared.levels)
        q = self.quote_identifier
        cols = ", ".join(f"{self.expr(e, shared, top)} AS {q(name)}" for name, e in columns.items())
        return f"SELECT {cols} FROM {self._layers(source, shared)}"

    def samples(self, checks: Sequence[ir.RowCheck], source: str, row_column: str, after_row: int = 0, *,
                line_column: str | None = None) -> SamplePlan:
        """Rows failing any of ``checks`` after ``after_row``, in row order, with a flag per check, the
        shown columns and labelled values (``RowCheck.sample_values``), and the physical line when
        ``line_column`` names it."""
        shared = Shared.of(checks)
        top = len(shared.levels)
        q = self.quote_identifier

        def e(node: ir.Expr) -> str:
            return self.expr(node, shared, top)

        cols: list[str] = [f"{q(row_column)} AS {q('__row')}"]
        if line_column is not None:
            cols.append(f"{q(line_column)} AS {q('__line')}")
        flags: dict[str, str] = {}
        values: dict[str, str] = {}
        for i, check in enumerate(checks):
            cols.append(f"{self._fails(check, e)} AS {q(f'__f{i}')}")
            flags[check.rule_id] = f"__f{i}"
            for name in check.shown_columns:
                if name not in values:
                    values[name] = f"__c{len(values)}"
                    cols.append(f"{q(name)} AS {q(values[name])}")
            for label, shown in check.sample_values.items():
                # Labelled values (a lookup in another dataset, which the engine plans as a join).
                if label not in values:
                    values[label] = f"__c{len(values)}"
                    cols.append(f"{e(shown)} AS {q(values[label])}")
        inner = f"SELECT {', '.join(cols)} FROM {self._layers(source, shared)}"
        where = " OR ".join(q(f) for f in flags.values()) or "FALSE"
        sql = f"SELECT * FROM {self.subquery_alias(inner, '__s')} WHERE {q('__row')} > {int(after_row)} AND ({where})"
        return SamplePlan(sql=sql, row_alias="__row", flags=flags, values=values,
                          line_alias="__line" if line_column is not None else None)

    def _applies(self, check: ir.RowCheck, e: Callable[[ir.Expr], str]) -> str:
        return "TRUE" if check.applies is None else f"COALESCE({e(check.applies)}, FALSE)"

    def _fails(self, check: ir.RowCheck, e: Callable[[ir.Expr], str]) -> str:
        """The row is evaluated and the expectation does not hold (the expectation is computed only
        on evaluated rows)."""
        return f"COALESCE({e(ir.and_(check.applies, ir.not_(check.expect)))}, FALSE)"

    def _key_rows(self, check: ir.UniqueCheck, source: str, extra: Sequence[str]) -> tuple[str, list[str]]:
        """Rows of ``source`` where the key is present: its parts (``__k0``…) and the ``extra`` columns."""
        shared = Shared([*check.key, check.present])
        top = len(shared.levels)
        q = self.quote_identifier
        keys = [f"__k{j}" for j in range(len(check.key))]
        cols = [*extra, *(f"{self.expr(k, shared, top)} AS {q(a)}" for k, a in zip(check.key, keys, strict=True))]
        present = f"COALESCE({self.expr(check.present, shared, top)}, FALSE)"
        return f"SELECT {', '.join(cols)} FROM {self._layers(source, shared)} WHERE {present}", keys

    def duplicate_samples(self, check: ir.UniqueCheck, source: str, row_column: str, limit: int | None, *,
                          line_column: str | None = None) -> SamplePlan:
        """The first ``limit`` rows (in row order; ``None``: all) repeating an earlier row's key — the rows
        to remove — each with the first row of its key (the row kept) and, with ``line_column``, both
        rows' physical lines: one read of the data, each key's rows ranked by row number (a partitioned
        window every engine runs in parallel)."""
        q = self.quote_identifier
        values = {name: f"__c{i}" for i, name in enumerate(check.shown_columns)}
        extra = [f"{q(row_column)} AS {q('__row')}"]
        if line_column is not None:
            extra.append(f"{q(line_column)} AS {q('__line')}")
        extra += [f"{q(name)} AS {q(alias)}" for name, alias in values.items()]
        rows, keys = self._key_rows(check, source, extra)
        window = f"OVER (PARTITION BY {', '.join(q(k) for k in keys)} ORDER BY {q('__row')})"
        firsts = [f"FIRST_VALUE({q('__row')}) {window} AS {q('__first')}"]
        if line_column is not None:
            firsts.append(f"FIRST_VALUE({q('__line')}) {window} AS {q('__first_line')}")
        ranked = (f"SELECT *, ROW_NUMBER() {window} AS {q('__nth')}, {', '.join(firsts)} "
                  f"FROM {self.subquery_alias(rows, '__r')}")
        picked = [q("__row"), q("__first"), *(q(a) for a in values.values())]
        if line_column is not None:
            picked += [q("__line"), q("__first_line")]
        sql = (
            f"SELECT {', '.join(picked)}, TRUE AS {q('__f0')} FROM {self.subquery_alias(ranked, '__w')} "
            f"WHERE {q('__nth')} > 1 ORDER BY {q('__row')}" + (f" LIMIT {int(limit)}" if limit is not None else "")
        )
        line = line_column is not None
        return SamplePlan(sql=sql, row_alias="__row", flags={check.rule_id: "__f0"}, values=values,
                          line_alias="__line" if line else None, repeats_alias="__first",
                          repeats_line_alias="__first_line" if line else None)

    def duplicate_counts(self, check: ir.UniqueCheck, source: str) -> DuplicateCountPlan:
        """How many distinct keys occur more than once, and on how many rows (the rows involved; the
        rows to remove are those minus one per key, which the aggregate pass already counts)."""
        q = self.quote_identifier
        rows, keys = self._key_rows(check, source, [])
        key_list = ", ".join(q(k) for k in keys)
        groups = (f"SELECT COUNT(*) AS {q('__n')} FROM {self.subquery_alias(rows, '__r')} "
                  f"GROUP BY {key_list} HAVING COUNT(*) > 1")
        sql = (f"SELECT COUNT(*) AS {q('__keys')}, SUM({q('__n')}) AS {q('__involved')} "
               f"FROM {self.subquery_alias(groups, '__g')}")
        return DuplicateCountPlan(sql=sql, keys_alias="__keys", rows_alias="__involved")


__all__ = [
    # The constants the native kernel (govstd.kernel) reads from this module.
    "ALNUM",
    "APOSTROPHE_CHARS",
    "DASH_CHARS",
    "EXCEL_PATTERN",
    "FULLWIDTH_FROM",
    "FULLWIDTH_TO",
    "GB11714_CHECK_TABLE",
    "GB32100_CHECK_TABLE",
    "MASK_CHARS",
    "WHITESPACE_CHARS",
    "Dialect",
    "UnsupportedCheck",
]
