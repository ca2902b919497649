"""``govstd export sql``: the check queries govstd runs, compiled for one SQL dialect, to read or run.

The script creates the reference tables the checks read (code sets, GB/T 2260 history), then one
``SELECT`` per check — each preceded by a comment naming the rule, its GB/T 36344 dimension and
what it asserts — all joined by ``UNION ALL`` into one result: rule_id, severity, evaluated, failed.
The data is expected in a table or view (``--table``, default ``data``) with the schema's columns
as text. Dialects are ``govstd.validators.compiler``'s; one it does not have yet is an error naming it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from govstd.errors import InputError
from govstd.export import Export, Item, Source, tool_label
from govstd.validators import ir
from govstd.validators.compiler import Dialect, UnsupportedCheck
from govstd.validators.compiler import dialect as compiler_dialect

#: Dialect names ``--dialect`` accepts (the compiler decides which exist).
DIALECTS = ("duckdb", "spark", "postgres")
#: Column types and the temporary-table statement per dialect.
_TYPES = {"duckdb": ("VARCHAR", "BIGINT"), "postgres": ("TEXT", "BIGINT"), "spark": ("STRING", "BIGINT")}
_CREATE = {"duckdb": "CREATE OR REPLACE TEMP TABLE", "postgres": "CREATE TEMP TABLE"}
_INSERT_ROWS = 500


def _dialect(name: str) -> Dialect:
    if name not in DIALECTS:
        raise InputError(f"unknown SQL dialect {name!r}", field="dialect", expected=", ".join(DIALECTS))
    try:
        return compiler_dialect(name)
    except UnsupportedCheck as exc:
        raise UnsupportedCheck(f"govstd has no {name} SQL compiler yet ({exc})",
                               hint=f"export for a dialect the compiler has; {name} is on the way") from None


def _comment(text: str) -> str:
    return "\n".join("-- " + line for line in text.splitlines())


def _tables(d: Dialect, tables: list[ir.ReferenceTable]) -> list[str]:
    q = d.quote_identifier
    text, integer = _TYPES.get(d.name, ("VARCHAR", "BIGINT"))
    out = []
    for t in tables:
        if d.name == "spark":  # temporary views: no table format or warehouse involved
            cols = ", ".join(f"CAST({q(c)} AS {integer if kind == 'integer' else text}) AS {q(c)}"
                             for c, kind in zip(t.columns, t.types, strict=True))
            rows = ",\n  ".join("(" + ", ".join(d.literal(v) for v in row) + ")" for row in t.rows)
            out.append(f"{_comment(f'reference table {t.name}: {len(t.rows)} rows')}\n"
                       f"CREATE OR REPLACE TEMPORARY VIEW {q(t.name)} AS SELECT {cols} FROM VALUES\n  {rows}\n"
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


def _query(d: Dialect, check: ir.Check, source: str) -> str:
    plan = d.aggregate([check], source)
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
            f"FROM {d.subquery_alias(plan.sql, '__check')}")


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
    source_sql = d.quote_identifier(table)
    queries = [_query(d, c, source_sql) for c in checks]
    if queries:
        parts.append("\nUNION ALL\n".join(queries) + ";")
    warnings = list(source.derivation.suite.warnings)
    if warnings:
        parts.append(_comment("not checked:\n" + "\n".join(warnings)))
    items = [Item(c.rule_id, "exact", f"SELECT ({dialect})") for c in checks]
    return Export(format="sql", text="\n\n".join(parts) + "\n", items=items, warnings=warnings)


__all__ = ["DIALECTS", "export"]
