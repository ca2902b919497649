"""``govstd export sql``: the check queries govstd runs, compiled for one SQL dialect, to read or run.

The script creates the reference tables the checks read (code sets, GB/T 2260 history), then one
``SELECT`` per check — each preceded by a comment naming the rule, its GB/T 36344 dimension and
what it asserts — all joined by ``UNION ALL`` into one result: rule_id, severity, evaluated, failed.
The data is expected in a table or view (``--table``, default ``data``) with the schema's columns
as text. The dialects are the engines' (``govstd.validators.engines.ENGINES``): the script for one
runs on that engine as it is — the parity suite runs it on DuckDB, Spark and PostgreSQL and compares
its counts with ``govstd.validate``'s. Spark gets temporary views rather than tables (no table format
or warehouse involved). A check comparing with another department's dataset (``consistent_with``) is
left out, listed in a closing comment and in the ``Export``'s items: that dataset exists only in a run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from govstd.errors import InputError
from govstd.export import Export, Item, Source, tool_label
from govstd.validators import ir
from govstd.validators.compiler import AggregatePlan, Dialect
from govstd.validators.compiler import dialect as compiler_dialect
from govstd.validators.engines import ENGINES

#: Dialect names ``--dialect`` accepts: one per engine.
DIALECTS = tuple(ENGINES)
#: Column types and the temporary-table statement per dialect.
_TYPES = {"duckdb": ("VARCHAR", "BIGINT"), "postgres": ("TEXT", "BIGINT"), "spark": ("STRING", "BIGINT")}
_CREATE = {"duckdb": "CREATE OR REPLACE TEMP TABLE", "postgres": "CREATE TEMP TABLE"}
_INSERT_ROWS = 500
#: Spark: the cached view holding every check's metrics.
_METRICS = "__govstd_metrics"


def _dialect(name: str) -> Dialect:
    if name not in DIALECTS:
        raise InputError(f"unknown SQL dialect {name!r}", field="dialect", expected=", ".join(DIALECTS))
    return compiler_dialect(name)


def _comment(text: str) -> str:
    return "\n".join("-- " + line for line in text.splitlines())


def _tables(d: Dialect, tables: list[ir.ReferenceTable]) -> list[str]:
    q = d.quote_identifier
    text, integer = _TYPES.get(d.name, ("VARCHAR", "BIGINT"))
    out = []
    for t in tables:
        if d.name == "spark":
            # Cached temporary views: no table format or warehouse involved. Not CREATE TEMPORARY VIEW —
            # Spark keeps such a view as SQL text and parses its thousands of VALUES rows again at every
            # reference, which exhausts the driver's memory on a schema's few dozen checks.
            cols = ", ".join(f"CAST({q(c)} AS {integer if kind == 'integer' else text}) AS {q(c)}"
                             for c, kind in zip(t.columns, t.types, strict=True))
            rows = ",\n  ".join("(" + ", ".join(d.literal(v) for v in row) + ")" for row in t.rows)
            out.append(f"{_comment(f'reference table {t.name}: {len(t.rows)} rows')}\n"
                       f"DROP VIEW IF EXISTS {q(t.name)};\n"
                       f"CACHE TABLE {q(t.name)} AS SELECT {cols} FROM VALUES\n  {rows}\n"
                       f"  AS {q('__values')}({', '.join(q(c) for c in t.columns)});")
            continue
        cols = ", ".join(f"{q(c)} {integer if kind == 'integer' else text}" for c, kind in zip(t.columns, t.types,
                                                                                              strict=True))
        out.append(f"{_comment(f'reference table {t.name}: {len(t.rows)} rows')}\n"
                   f"{_CREATE.get(d.name, 'CREATE TEMPORARY TABLE')} {q(t.name)} ({cols});")
        for start in range(0, len(t.rows), _INSERT_ROWS):
            rows = ",\n  ".join("(" + ", ".join(d.literal(v) for v in row) + ")"
                                for row in t.rows[start:start + _INSERT_ROWS])
            out.append(f"INSERT INTO {q(t.name)} VALUES\n  {rows};")
    return out


def _select(d: Dialect, check: ir.Check, plan: AggregatePlan, source: str) -> str:
    """The result row of ``check``, from the aggregate row of ``plan`` read from ``source``."""
    out = plan.outputs[check.rule_id]
    q = d.quote_identifier
    if isinstance(check, ir.UniqueCheck):
        evaluated, failed = q(out.evaluated), f"{q(out.evaluated)} - {q(out.distinct or '')}"
    elif isinstance(check, ir.FreshnessCheck):
        rows, newest = q(plan.rows_alias), q(out.newest or "")
        evaluated = f"CASE WHEN {rows} > 0 THEN 1 ELSE 0 END"
        failed = (f"CASE WHEN {rows} > 0 AND ({newest} IS NULL OR {newest} < {d.literal(check.not_before)}) "
                  "THEN 1 ELSE 0 END")
    else:
        evaluated, failed = q(out.evaluated), q(out.failed or "")
    head = _comment(f"{check.rule_id} [{check.dimension.value} {check.dimension.label_zh} / {check.indicator}, "
                    f"{check.severity}]: {check.description}")
    return (f"{head}\nSELECT {d.string_literal(check.rule_id)} AS rule_id, {d.string_literal(check.severity)} "
            f"AS severity, CAST({evaluated} AS BIGINT) AS evaluated, CAST({failed} AS BIGINT) AS failed\n"
            f"FROM {source}")


def _queries(d: Dialect, checks: list[ir.Check], table: str) -> list[str]:
    """The statements giving one row per check: a SELECT per check, joined by UNION ALL. Each SELECT
    holds its check's whole query — except on Spark, which plans a union of dozens of aggregates for
    minutes and runs out of driver memory doing so: there the SELECTs read one cached aggregate pass
    over the data, the query ``govstd validate --engine spark`` runs."""
    if d.name != "spark":
        plans = [(c, d.aggregate([c], table)) for c in checks]
        return ["\nUNION ALL\n".join(_select(d, c, p, d.subquery_alias(p.sql, "__check")) for c, p in plans) + ";"]
    q = d.quote_identifier
    plan = d.aggregate(checks, table)
    once = (f"{_comment('every check in one pass over the data')}\n"
            f"DROP VIEW IF EXISTS {q(_METRICS)};\nCACHE TABLE {q(_METRICS)} AS {plan.sql};")
    return [once, "\nUNION ALL\n".join(_select(d, c, plan, q(_METRICS)) for c in checks) + ";"]


def export(source: Source, *, dialect: str = "duckdb", table: str = "data", **_: Any) -> Export:
    """The script for ``dialect`` reading the data from ``table``."""
    d = _dialect(dialect)
    schema = source.schema
    checks = source.checks
    header = _comment(
        f"govstd export sql: the checks of {schema.ref} ({schema.name_zh}) for {dialect}\n"
        f"exported by {tool_label()} on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n"
        f"data: the table or view {table!r}, columns {', '.join(f.name for f in schema.fields)} (as text)\n"
        "result: one row per check — rule_id, severity, evaluated (rows the check applies to), failed"
    )
    parts = [header, *_tables(d, list(source.derivation.suite.tables))]
    # A consistent_with check joins another department's dataset, which exists only inside a run: left
    # out (a script naming a table nobody created would fail, or worse, read someone else's).
    skipped = {c.rule_id: source.other_dataset_note(o) for c in checks if (o := source.other_dataset(c)) is not None}
    exported = [c for c in checks if c.rule_id not in skipped]
    if exported:
        parts.extend(_queries(d, exported, d.quote_identifier(table)))
    warnings = list(source.derivation.suite.warnings)
    if warnings:
        parts.append(_comment("not checked:\n" + "\n".join(warnings)))
    if skipped:
        parts.append(_comment("not exported:\n" + "\n".join(f"{rid}: {why}" for rid, why in skipped.items())))
    items = [Item(c.rule_id, "not_exported", "", skipped[c.rule_id]) if c.rule_id in skipped
             else Item(c.rule_id, "exact", f"SELECT ({dialect})") for c in checks]
    return Export(format="sql", text="\n\n".join(parts) + "\n", items=items, warnings=warnings)


__all__ = ["DIALECTS", "export"]
