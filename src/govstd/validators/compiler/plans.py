"""The statements a dialect builds, as data (``AggregatePlan``, ``SamplePlan``, ``DuplicateCountPlan``),
and the common sub-expressions they share, computed once in layers below the predicates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from govstd.validators import ir

# --------------------------------------------------------------------------- plans


@dataclass
class Output:
    """Where a check's metrics are in the aggregate result row."""

    evaluated: str
    failed: str | None = None
    breakdown: dict[str, str] = field(default_factory=dict)
    tally: dict[str, str] = field(default_factory=dict)
    distinct: str | None = None
    newest: str | None = None


@dataclass
class AggregatePlan:
    sql: str
    rows_alias: str
    outputs: dict[str, Output]


@dataclass
class SamplePlan:
    """A query yielding ``row``, one boolean per check (``flags``: rule id → column) and the
    shown columns (``values``: column name → result column)."""

    sql: str
    row_alias: str
    flags: dict[str, str]
    values: dict[str, str]
    #: The physical line (``LoadedSource.line_column``), when the source has one.
    line_alias: str | None = None
    #: Duplicates: the first row with the same key, and its line.
    repeats_alias: str | None = None
    repeats_line_alias: str | None = None


@dataclass
class DuplicateCountPlan:
    """A query yielding one row: the distinct keys held by more than one row (``keys_alias``) and the
    rows holding them (``rows_alias``)."""

    sql: str
    keys_alias: str
    rows_alias: str


class Shared:
    """Common sub-expressions computed once, in layers below the predicates (engine-neutral CSE).

    A layer computes its expressions on every row, so only nodes every row needs anyway are lifted
    into one: those reachable from ``eager`` roots without passing a short-circuit (the later
    arguments of And / Or / ``if_else``). A test used twice behind a guard (say, the
    spreadsheet-damage pattern behind a failed shape check) stays behind its guards, where it runs on
    the few rows that reach them; hoisting it would run it on every row.
    """

    def __init__(self, eager: Iterable[ir.Expr], lazy: Iterable[ir.Expr] = ()) -> None:
        eager, lazy = list(eager), list(lazy)
        counts: Counter[str] = Counter()
        nodes: dict[str, ir.Expr] = {}
        for e in [*eager, *lazy]:
            for node in walk(e):
                if not isinstance(node, ir.Col | ir.Lit):
                    key = ir.node_key(node)
                    counts[key] += 1
                    nodes[key] = node
        candidates = {
            k for k, n in counts.items()
            if n > 1 or (isinstance(nodes[k], ir.Func) and getattr(nodes[k], "name", "") in ALWAYS_SHARED)
        }
        every_row: set[str] = set()
        stack = list(eager)
        while stack:
            node = stack.pop()
            key = ir.node_key(node)
            if key not in every_row:
                every_row.add(key)
                stack.extend(ir.eager_children(node))
        shared = candidates & every_row
        self.alias: dict[str, str] = {}
        self.levels: list[list[tuple[str, ir.Expr]]] = []
        level_of: dict[str, int] = {}

        def level(node: ir.Expr) -> int:
            key = ir.node_key(node)
            if key in level_of:
                return level_of[key]
            inner = [level(child) for child in ir.children(node)]
            lv = max(inner, default=-1)
            if key in shared:
                lv += 1
            level_of[key] = lv
            return lv

        for key in sorted(shared, key=lambda k: (len(k), k)):
            lv = level(nodes[key])
            while len(self.levels) <= lv:
                self.levels.append([])
            self.levels[lv].append((key, nodes[key]))
        self.level: dict[str, int] = {}
        for lv, layer in enumerate(self.levels):
            for key, _ in layer:
                self.alias[key] = f"__s{len(self.alias)}"
                self.level[key] = lv

    @classmethod
    def of(cls, checks: Iterable[ir.Check]) -> Shared:
        return cls(*check_roots(checks))


#: Functions computed in a layer of their own (when every row needs them), never inline under a CASE
#: branch: they feed many checks, and their SQL repeats a sub-expression (the 17 digits of an ID)
#: which the engine's own common-subexpression elimination can only merge outside conditional branches.
ALWAYS_SHARED = frozenset({
    "normalize_code", "normalize_phone", "mod11_2_ok", "id_birth_date", "id_is_male", "ymd_date",
    "gb32100_checksum_ok", "gb11714_checksum_ok", "to_number", "to_integer", "to_date", "to_timestamp",
})


def walk(node: ir.Expr) -> Iterator[ir.Expr]:
    """``node`` and every node below it."""
    yield node
    for child in ir.children(node):
        yield from walk(child)


def check_expressions(checks: Iterable[ir.Check]) -> list[ir.Expr]:
    """Every expression the checks evaluate (applies, expect, breakdowns, tallies, keys, values)."""
    eager, lazy = check_roots(checks)
    return [*eager, *lazy]


def check_roots(checks: Iterable[ir.Check]) -> tuple[list[ir.Expr], list[ir.Expr]]:
    """The checks' expressions as (computed on (nearly) every row, computed on failing rows only):
    applies, expectations, tallies, keys and values first; breakdowns, counted among failing rows, second."""
    eager: list[ir.Expr] = []
    lazy: list[ir.Expr] = []
    for check in checks:
        if isinstance(check, ir.RowCheck):
            if check.applies is not None:
                eager.append(check.applies)
            eager.append(check.expect)
            eager.extend(check.tally.values())
            lazy.extend(check.breakdown.values())
        elif isinstance(check, ir.UniqueCheck):
            eager.extend([*check.key, check.present])
        else:
            eager.append(check.value)
    return eager, lazy
