"""Evaluate a ``Condition`` where GX runs it: as one SQL boolean expression for a SQL data source,
or over pandas columns (through DuckDB, with the very SQL ``govstd validate`` runs).

A condition repeats costly sub-expressions (the normalised identifier feeds the length, format,
checksum and birth-date parts). Inside GX it must be a single expression over the row, so repeated
functions are computed once in correlated derived tables — ``(SELECT <expr> FROM (SELECT *, <shared>
FROM (SELECT "col" AS "col") ...))`` — the engine-neutral layering of the compiler, applied to one
row. Reference tables are inlined as literal lists (GX cannot create tables in a user's database).
No GX import in this module.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from govstd.integrations.gx.conditions import Condition
from govstd.validators import ir
from govstd.validators.compiler import Dialect, UnsupportedCheck
from govstd.validators.compiler import dialect as compiler_dialect
from govstd.validators.engines import ENGINES

if TYPE_CHECKING:
    import pandas as pd

#: SQLAlchemy dialect name → govstd dialect name: an engine's (``govstd.validators.engines.ENGINES``),
#: or SQLite's, which GX alone runs on.
SQLALCHEMY_DIALECTS = {"postgresql": "postgres", "duckdb": "duckdb", "sqlite": "sqlite", "databricks": "spark",
                       "spark": "spark", "hive": "spark"}
#: Functions always computed once (costly, and feeding many parts of a check).
_ALWAYS_SHARED = frozenset({"normalize_code", "normalize_phone"})
_PREFIX = "__govstd_"
_ROW = "__govstd_row"


# --------------------------------------------------------------------------- dialects


class _InlineTables:
    """Mixin: reference tables as literal lists, for engines where govstd cannot create tables."""

    tables: dict[str, ir.ReferenceTable]
    name: str
    string_literal: Callable[[str], str]
    literal: Callable[[ir.LiteralValue], str]
    quote_identifier: Callable[[str], str]

    def _rows(self, table: str) -> ir.ReferenceTable:
        try:
            return self.tables[table]
        except KeyError:
            raise UnsupportedCheck(f"reference table {table!r} was not provided") from None

    def fn_in_table(self, args: list[str], table: str, column: str) -> str:
        t = self._rows(table)
        i = t.columns.index(column)
        values = sorted({str(r[i]) for r in t.rows if r[i] is not None})
        if not values:
            return "FALSE"
        return f"({args[0]} IN ({', '.join(self.string_literal(v) for v in values)}))"

    def fn_region_valid_in_year(self, args: list[str], table: str) -> str:
        from govstd.standards.numbers import gbt2260

        code, year = args
        t = self._rows(table)
        index = {name: t.columns.index(name) for name in ("code", "valid_from_year", "valid_to_year")}
        rows = ", ".join(
            "(" + ", ".join(self.literal(r[index[n]]) for n in ("code", "valid_from_year", "valid_to_year")) + ")"
            for r in t.rows
        )
        first = gbt2260.HISTORY_FIRST_YEAR  # as the base dialect: a code seen in the first year counts before it
        # VALUES names its columns column1… (SQLite, DuckDB, PostgreSQL) or col1… (Spark).
        c1, c2, c3 = (f"{'col' if self.name == 'spark' else 'column'}{i}" for i in (1, 2, 3))
        return (
            f"EXISTS (SELECT 1 FROM (SELECT {c1} AS c, {c2} AS f, {c3} AS t FROM (VALUES {rows})) AS __r "
            f"WHERE __r.c = {code} AND (__r.f <= {year} OR __r.f = {first}) AND (__r.t IS NULL OR {year} < __r.t))"
        )


def sql_dialect(name: str, tables: Iterable[ir.ReferenceTable] = ()) -> Dialect:
    """The govstd dialect for a SQLAlchemy dialect name, with ``tables`` inlined. Raises
    ``UnsupportedCheck`` naming the engine when govstd has no compiler for it."""
    key = SQLALCHEMY_DIALECTS.get(name, name)
    if key == "sqlite":
        from govstd.integrations.gx.sqlite import SQLiteDialect

        base: type[Dialect] = SQLiteDialect
    else:
        try:
            base = type(compiler_dialect(key))
        except UnsupportedCheck:
            raise UnsupportedCheck(
                f"govstd has no SQL compiler for {name!r} yet, so its expectations cannot run on this data "
                f"source (supported: sqlite, {', '.join(ENGINES)})"
            ) from None
    cls = type(f"Inline{base.__name__}", (_InlineTables, base), {})
    dialect: Dialect = cls()
    dialect.tables = {t.name: t for t in tables}  # type: ignore[attr-defined]
    return dialect


# --------------------------------------------------------------------------- common sub-expressions




def _replace_children(node: ir.Expr, children: list[ir.Expr]) -> ir.Expr:
    if isinstance(node, ir.Cmp):
        return node.model_copy(update={"left": children[0], "right": children[1]})
    if isinstance(node, ir.And | ir.Or | ir.Func):
        return node.model_copy(update={"args": children})
    if isinstance(node, ir.Not | ir.IsNull | ir.InValues):
        return node.model_copy(update={"arg": children[0]})
    return node


class Layers:
    """Repeated function calls of an expression, each computed once in a layer below the ones that
    use it. ``top`` is the expression over the layers' aliases; ``levels`` the aliased expressions."""

    def __init__(self, expr: ir.Expr) -> None:
        counts: Counter[str] = Counter()

        def walk(node: ir.Expr) -> None:
            if isinstance(node, ir.Func):
                counts[ir.node_key(node)] += 1
            for child in ir.children(node):
                walk(child)

        walk(expr)
        self.alias: dict[str, str] = {}
        self.levels: list[list[tuple[str, ir.Expr]]] = []
        self._shared = {k for k, n in counts.items() if n > 1}
        self.top = self._rewrite(expr, is_root=True)

    def _rewrite(self, node: ir.Expr, is_root: bool = False) -> ir.Expr:
        """``node`` with shared sub-expressions replaced by their aliases; registers them by level."""
        rewritten = _replace_children(node, [self._rewrite(c) for c in ir.children(node)])
        key = ir.node_key(node)
        shared = isinstance(node, ir.Func) and (key in self._shared or node.name in _ALWAYS_SHARED)
        if is_root or not shared:
            return rewritten
        if key not in self.alias:
            level = 1 + max((self._level(c) for c in ir.children(rewritten)), default=-1)
            self.alias[key] = f"{_PREFIX}s{len(self.alias)}"
            while len(self.levels) <= level:
                self.levels.append([])
            self.levels[level].append((self.alias[key], rewritten))
        return ir.Col(name=self.alias[key])

    def _level(self, node: ir.Expr) -> int:
        if isinstance(node, ir.Col) and node.name.startswith(_PREFIX):
            for level, layer in enumerate(self.levels):
                if any(alias == node.name for alias, _ in layer):
                    return level
        return max((self._level(c) for c in ir.children(node)), default=-1)

    def from_clause(self, dialect: Dialect, source: str) -> str:
        """SQL for ``FROM``: ``source`` (a subquery text) with every layer computed on top of it."""
        q = dialect.quote_identifier
        sql = f"SELECT * FROM {source}"
        for level, layer in enumerate(self.levels):
            cols = ", ".join(f"{dialect.expr(e)} AS {q(alias)}" for alias, e in layer)
            sql = f"SELECT *, {cols} FROM ({sql}) AS {q(f'{_PREFIX}l{level}')}"
        return f"({sql}) AS {q(f'{_PREFIX}data')}"


def sql_expression(condition: Condition, dialect: Dialect, columns: Sequence[str] | None = None) -> str:
    """The condition as one boolean SQL expression over the current row's ``columns`` (default: the
    condition's), for a WHERE clause or a CASE inside GX's queries."""
    layers = Layers(condition.passes)
    top = dialect.expr(layers.top)
    if not layers.levels:
        return top
    q = dialect.quote_identifier
    names = list(columns or condition.columns)
    # Names without a FROM resolve to the enclosing query's row: a correlated derived table.
    row = "SELECT " + ", ".join(f"{q(c)} AS {q(c)}" for c in names)
    source = f"({row}) AS {q(_PREFIX + 'row')}"
    return f"(SELECT {top} FROM {layers.from_clause(dialect, source)})"


# --------------------------------------------------------------------------- pandas (through DuckDB)


class _DuckDBCache:
    """One in-memory DuckDB connection per set of reference tables: GX asks for the same condition
    several times per expectation (counts, values, indexes), and loading GB/T 2260 is not free."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: dict[tuple[str, ...], Any] = {}

    def connection(self, tables: Sequence[ir.ReferenceTable]) -> Any:
        import duckdb

        key = tuple(sorted(t.name for t in tables))
        with self._lock:
            con = self._connections.get(key)
            if con is None:
                if len(self._connections) >= 8:
                    self._connections.pop(next(iter(self._connections))).close()
                con = duckdb.connect(":memory:")
                _load_tables(con, tables)
                self._connections[key] = con
            return con.cursor()


def _load_tables(con: Any, tables: Sequence[ir.ReferenceTable]) -> None:
    import pyarrow as pa

    from govstd.validators.compiler.duckdb import DuckDBDialect

    q = DuckDBDialect().quote_identifier
    for t in tables:
        arrays = [pa.array([r[i] for r in t.rows], type=pa.int64() if kind == "integer" else pa.string())
                  for i, kind in enumerate(t.types)]
        con.register("__govstd_arrow", pa.Table.from_arrays(arrays, names=t.columns))
        con.execute(f"CREATE TABLE {q(t.name)} AS SELECT * FROM __govstd_arrow")
        con.unregister("__govstd_arrow")


_CACHE = _DuckDBCache()


def _text(value: Any) -> str | None:
    """Cell → text, as govstd's readers present every column (numbers keep their Python spelling)."""
    import pandas as pd

    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return None
    return value if isinstance(value, str) else str(value)


def pandas_mask(condition: Condition, columns: dict[str, pd.Series]) -> pd.Series:
    """Per row (index of the given series): does the row pass the condition?"""
    import pandas as pd

    from govstd.validators.compiler.duckdb import DuckDBDialect

    names = list(condition.columns)
    first = columns[names[0]]
    frame = pd.DataFrame({n: [_text(v) for v in columns[n].tolist()] for n in names}, dtype=object)
    frame[_ROW] = range(len(frame))
    dialect = DuckDBDialect()
    layers = Layers(condition.passes)
    q = dialect.quote_identifier
    source = f"(SELECT * FROM {q(_PREFIX + 'frame')}) AS {q(_PREFIX + 'src')}"
    sql = f"SELECT {dialect.expr(layers.top)} AS ok FROM {layers.from_clause(dialect, source)} ORDER BY {q(_ROW)}"
    cursor = _CACHE.connection(condition.tables)
    try:
        cursor.register(_PREFIX + "frame", frame)
        values = [bool(r[0]) for r in cursor.execute(sql).fetchall()]
    finally:
        cursor.close()
    return pd.Series(values, index=first.index, dtype=bool)


__all__ = ["SQLALCHEMY_DIALECTS", "Layers", "pandas_mask", "sql_dialect", "sql_expression"]
