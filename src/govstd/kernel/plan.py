"""Row checks of the check IR → the native kernel's plan: a DAG of nodes over a fixed set of operations.

The IR stays the one definition of every check; this module only re-expresses each ``ir.RowCheck``'s
``applies``, ``expect`` and ``breakdown`` trees for the kernel (``_kernel.c``), sharing equal
sub-trees (``ir.node_key``) so a normalised identifier or a checksum is computed once per row. An
``ir.UniqueCheck``'s ``key`` parts and ``present`` predicate join the same DAG (``KeyPlan``): the kernel
writes a 128-bit fingerprint of each present row's key, and the engine groups those instead of the strings. A check
using anything the kernel does not implement (a pattern outside
``automata``'s subset, a type it does not model) is left out — ``Plan.sql_checks`` — and runs in SQL.

Booleans in the kernel are two-valued (NULL counts as false), as every predicate is wrapped in
``COALESCE(…, FALSE)`` by the SQL compiler; a boolean whose NULL could be observed (compared, or
tested with ``is_null``) is refused here.
"""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass, field

from govstd.kernel import automata_cache
from govstd.kernel.automata import Automaton, Unsupported
from govstd.validators import ir
from govstd.validators.compiler.base import EXCEL_PATTERN

# Operation codes: the enum at the top of _kernel.c, in the same order.
(OP_COL, OP_LIT_TEXT, OP_LIT_INT, OP_LIT_BOOL, OP_LIT_NULL, OP_CMP, OP_AND, OP_OR, OP_NOT, OP_ISNULL, OP_INSET,
 OP_IS_BLANK, OP_TRIM, OP_LENGTH, OP_SUBSTR, OP_NORM_CODE, OP_NORM_PHONE, OP_MATCH, OP_HAS_FULLWIDTH,
 OP_HAS_WHITESPACE, OP_HAS_LOWER, OP_HAS_DASH, OP_HAS_APOSTROPHE, OP_IS_MASKED, OP_YMD_DATE, OP_YEAR, OP_MOD11_2,
 OP_ID_BIRTH, OP_ID_MALE, OP_WEIGHTED, OP_REGION_PREFIX, OP_IF_ELSE, OP_TO_DATE, OP_TO_TIMESTAMP, OP_TO_NUMBER,
 OP_LIT_DOUBLE) = range(1, 37)
CMP_OPS = {"=": 0, "!=": 1, "<": 2, "<=": 3, ">": 4, ">=": 5}
W_GB32100, W_GB11714 = 0, 1

#: (x: text) → type, with the operation computing it.
_UNARY_TEXT: dict[str, tuple[int, str]] = {
    "is_blank": (OP_IS_BLANK, "bool"),
    "trim": (OP_TRIM, "text"),
    "length": (OP_LENGTH, "int"),
    "normalize_phone": (OP_NORM_PHONE, "text"),
    "has_fullwidth": (OP_HAS_FULLWIDTH, "bool"),
    "has_whitespace": (OP_HAS_WHITESPACE, "bool"),
    "has_lowercase": (OP_HAS_LOWER, "bool"),
    "has_dash": (OP_HAS_DASH, "bool"),
    "has_apostrophe": (OP_HAS_APOSTROPHE, "bool"),
    "is_masked": (OP_IS_MASKED, "bool"),
    "ymd_date": (OP_YMD_DATE, "date"),
    "mod11_2_ok": (OP_MOD11_2, "bool"),
    "id_birth_date": (OP_ID_BIRTH, "date"),
    "id_is_male": (OP_ID_MALE, "bool"),
    # Exact on the canonical layouts and plain decimals; any other input counts as a parse doubt (_kernel.c).
    "to_date": (OP_TO_DATE, "date"),
    "to_timestamp": (OP_TO_TIMESTAMP, "timestamp"),
    "to_number": (OP_TO_NUMBER, "number"),
}
#: Operations that may meet input they do not compute exactly (the kernel's "doubt" counter).
CHECKSUM_OPS = frozenset({OP_MOD11_2, OP_WEIGHTED})
#: Operations that leave input outside their exact subset to DuckDB (the kernel's "parse doubt" counter).
PARSE_OPS = frozenset({OP_TO_DATE, OP_TO_TIMESTAMP, OP_TO_NUMBER})
#: counters[0] rows, [1] checksum doubts, [2] parse doubts; the checks' counters follow.
FIRST_COUNTER = 3


@dataclass
class CheckPlan:
    """Where one check's counters are: ``base`` evaluated, ``base + 1`` failed, then the breakdowns."""

    check: ir.RowCheck
    applies: int
    expect: int
    breakdown: list[int]
    base: int
    uses_checksum: bool
    uses_parse: bool = False
    #: Set on the hidden check that counts one tally of ``check`` (rows where ``applies`` and the tally's
    #: predicate hold, as its *evaluated* counter; ``expect`` is constant true): _kernel.c counts
    #: breakdowns among failing rows only, so a tally, counted among evaluated rows, is a check of its own.
    tally: str | None = None


@dataclass
class FreshPlan:
    """A freshness check's value node, of ``kind`` date or timestamp: ``base`` counts the rows where it is not
    NULL (a sum), ``base + 1`` holds its largest value (merged by ``max``; 0: none) as yyyymmdd[HHMMSS]."""

    check: ir.FreshnessCheck
    value: int
    kind: str
    base: int
    uses_parse: bool


@dataclass
class KeyPlan:
    """A uniqueness check whose key the kernel fingerprints: on the rows where ``present`` holds, the text
    values of the ``parts`` nodes (``kernel/csrc/keys.c``'s "key fingerprints" say how they become 128 bits)."""

    check: ir.UniqueCheck
    present: int
    parts: list[int]
    uses_checksum: bool
    uses_parse: bool


@dataclass
class Plan:
    """Everything ``_kernel.c`` needs besides the constants of the standards."""

    nodes: list[list[int]] = field(default_factory=list)
    args: list[int] = field(default_factory=list)
    literals: list[bytes] = field(default_factory=list)
    automata: list[Automaton] = field(default_factory=list)
    sets: list[list[bytes]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    checks: list[CheckPlan] = field(default_factory=list)
    fresh: list[FreshPlan] = field(default_factory=list)
    keys: list[KeyPlan] = field(default_factory=list)
    #: Row checks the kernel does not implement, with the reason: counted in SQL.
    sql_checks: dict[str, str] = field(default_factory=dict)
    #: counters[0] rows, [1] doubtful checksum inputs, [2] doubtful date/number inputs, then the checks'.
    counters: int = FIRST_COUNTER
    #: (column, numbers of the checks in ``checks``) for the checks whose trees read that one column and
    #: nothing else: _kernel.c counts them once per distinct value of the column (its per-value result cache).
    groups: list[tuple[int, list[int]]] = field(default_factory=list)

    def check_words(self) -> list[int]:
        out: list[int] = []
        for c in self.checks:
            out += [c.applies, c.expect, len(c.breakdown), *c.breakdown, c.base]
        return out

    def fresh_words(self) -> list[int]:
        return [w for f in self.fresh for w in (f.value, f.base)]

    def key_words(self) -> list[int]:
        return [w for k in self.keys for w in (k.present, len(k.parts), *k.parts)]

    def group_words(self) -> list[int]:
        """``gk_set_groups``'s words: per group its column, its number of checks, the checks' numbers."""
        return [w for column, checks in self.groups for w in (column, len(checks), *checks)]

    def max_counters(self) -> frozenset[int]:
        """The counters merged across batches by ``max`` (the newest values), not summed."""
        return frozenset(f.base + 1 for f in self.fresh)


class _Compiler:
    def __init__(self, suite: ir.CheckSuite) -> None:
        self.suite = suite
        self.plan = Plan()
        self.memo: dict[str, tuple[int, str]] = {}
        self.pattern_index: dict[str, int] = {}
        self.set_index: dict[tuple[str, ...], int] = {}

    def node(self, op: int, args: list[int], p1: int = 0, p2: int = 0) -> int:
        self.plan.nodes.append([op, len(self.plan.args), len(args), p1, p2, 0, 0, 0])
        self.plan.args.extend(args)
        return len(self.plan.nodes) - 1

    def automaton(self, pattern: str) -> int:
        if pattern not in self.pattern_index:
            self.plan.automata.append(automata_cache.compile_pattern(pattern))
            self.pattern_index[pattern] = len(self.plan.automata) - 1
        return self.pattern_index[pattern]

    def code_set(self, values: list[str], key: tuple[str, ...]) -> int:
        if key not in self.set_index:
            self.plan.sets.append([v.encode() for v in values])
            self.set_index[key] = len(self.plan.sets) - 1
        return self.set_index[key]

    def compile(self, e: ir.Expr) -> tuple[int, str]:
        key = ir.node_key(e)
        if key not in self.memo:
            index, kind = self.memo[key] = self._compile(e)
            # word 6: a predicate, whose values the kernel keeps as bytes 0/1 (NULL counts as false)
            self.plan.nodes[index][6] = int(kind == "bool")
        return self.memo[key]

    def text(self, e: ir.Expr) -> int:
        index, kind = self.compile(e)
        if kind != "text":
            raise Unsupported(f"expected text, got {kind}")
        return index

    def boolean(self, e: ir.Expr) -> int:
        index, kind = self.compile(e)
        if kind != "bool":
            raise Unsupported(f"expected a predicate, got {kind}")
        return index

    def _compile(self, e: ir.Expr) -> tuple[int, str]:
        if isinstance(e, ir.Col):
            if e.name not in self.plan.columns:
                self.plan.columns.append(e.name)
            return self.node(OP_COL, [], self.plan.columns.index(e.name)), "text"
        if isinstance(e, ir.Lit):
            return self._literal(e)
        if isinstance(e, ir.Cmp):
            # A number compared with an integer or float constant: DuckDB compares them as doubles.
            numeric = ("int", "float")
            if isinstance(e.right, ir.Lit) and e.right.type in numeric and self.compile(e.left)[1] == "number":
                (a, ka), (b, kb) = self.compile(e.left), (self._double(e.right), "number")
            elif isinstance(e.left, ir.Lit) and e.left.type in numeric and self.compile(e.right)[1] == "number":
                (a, ka), (b, kb) = (self._double(e.left), "number"), self.compile(e.right)
            else:
                (a, ka), (b, kb) = self.compile(e.left), self.compile(e.right)
            if ka != kb or ka not in ("text", "int", "date", "timestamp", "number"):
                raise Unsupported(f"comparison of {ka} with {kb}")
            return self.node(OP_CMP, [a, b], CMP_OPS[e.op]), "bool"
        if isinstance(e, ir.And | ir.Or):
            args = [self.boolean(a) for a in e.args]
            return self.node(OP_AND if isinstance(e, ir.And) else OP_OR, args), "bool"
        if isinstance(e, ir.Not):
            return self.node(OP_NOT, [self.boolean(e.arg)]), "bool"
        if isinstance(e, ir.IsNull):
            index, kind = self.compile(e.arg)
            if kind == "bool":
                raise Unsupported("is_null of a predicate")
            return self.node(OP_ISNULL, [index]), "bool"
        if isinstance(e, ir.InValues):
            arg = self.text(e.arg)
            return self.node(OP_INSET, [arg], self.code_set(e.values, ("in", *e.values))), "bool"
        if isinstance(e, ir.Func):
            return self._function(e)
        raise Unsupported(f"IR node {e.node}")

    def _literal(self, e: ir.Lit) -> tuple[int, str]:
        value = e.value
        if e.type == "text" and isinstance(value, str):
            self.plan.literals.append(value.encode())
            return self.node(OP_LIT_TEXT, [], len(self.plan.literals) - 1), "text"
        if e.type == "float" and isinstance(value, float):
            raise Unsupported("float literal outside a comparison with a number")
        if e.type == "int" and isinstance(value, int) and not isinstance(value, bool):
            if not -(2**62) < value < 2**62:
                raise Unsupported("integer literal out of range")
            return self.node(OP_LIT_INT, [], value), "int"
        if e.type == "bool" and isinstance(value, bool):
            return self.node(OP_LIT_BOOL, [], int(value)), "bool"
        if e.type == "date" and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return self.node(OP_LIT_INT, [], value.year * 10000 + value.month * 100 + value.day), "date"
        raise Unsupported(f"{e.type} literal")

    def _double(self, e: ir.Lit) -> int:
        value = e.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Unsupported(f"{e.type} literal compared with a number")
        if isinstance(value, int) and abs(value) > 2**53:
            raise Unsupported("integer literal not exact as a double")
        bits = struct.unpack("<q", struct.pack("<d", float(value)))[0]
        return self.node(OP_LIT_DOUBLE, [], bits)

    def _function(self, e: ir.Func) -> tuple[int, str]:
        name, params = e.name, e.params
        if name in _UNARY_TEXT:
            op, kind = _UNARY_TEXT[name]
            return self.node(op, [self.text(e.args[0])]), kind
        if name == "substr":
            start, length = params.get("start"), params.get("length")
            if not (isinstance(start, int) and isinstance(length, int) and start >= 1 and length >= 0):
                raise Unsupported("substr outside start >= 1, length >= 0")
            return self.node(OP_SUBSTR, [self.text(e.args[0])], start, length), "text"
        if name == "normalize_code":
            flags = int(bool(params.get("strip_dashes", True))) | int(bool(params.get("uppercase", True))) << 1
            return self.node(OP_NORM_CODE, [self.text(e.args[0])], flags), "text"
        if name == "matches":
            return self.node(OP_MATCH, [self.text(e.args[0])], self.automaton(str(params["pattern"]))), "bool"
        if name == "excel_damaged":
            return self.node(OP_MATCH, [self.text(e.args[0])], self.automaton(EXCEL_PATTERN)), "bool"
        if name == "in_table":
            return self.node(OP_INSET, [self.text(e.args[0])], self._table_set(params)), "bool"
        if name == "year":
            index, kind = self.compile(e.args[0])
            if kind != "date":
                raise Unsupported(f"year of {kind}")
            return self.node(OP_YEAR, [index]), "int"
        if name in ("gb32100_checksum_ok", "gb11714_checksum_ok"):
            which = W_GB32100 if name == "gb32100_checksum_ok" else W_GB11714
            return self.node(OP_WEIGHTED, [self.text(e.args[0])], which), "bool"
        if name == "region_prefix_match":
            return self.node(OP_REGION_PREFIX, [self.text(e.args[0]), self.text(e.args[1])]), "bool"
        if name == "if_else":
            cond = self.boolean(e.args[0])
            (a, ka), (b, kb) = self.compile(e.args[1]), self.compile(e.args[2])
            if ka != kb:
                raise Unsupported(f"if_else of {ka} and {kb}")
            return self.node(OP_IF_ELSE, [cond, a, b]), ka
        raise Unsupported(f"IR function {name!r}")

    def _table_set(self, params: dict[str, object]) -> int:
        table, column = str(params["table"]), str(params["column"])
        t = self.suite.table(table)
        if t.files:  # e.g. the catalogue's registered codes: the engine reads those files, not Python
            raise Unsupported(f"reference table {table} is read from files by the engine")
        k = t.columns.index(column)
        if t.types[k] != "text":
            raise Unsupported(f"reference column {table}.{column} is not text")
        values = [r[k] for r in t.rows]
        if not all(isinstance(v, str) or v is None for v in values):
            raise Unsupported(f"reference column {table}.{column} holds non-text values")
        return self.code_set([v for v in values if isinstance(v, str)], ("table", table, column))

    def check(self, check: ir.RowCheck) -> None:
        try:
            applies = -1 if check.applies is None else self.boolean(check.applies)
            expect = self.boolean(check.expect)
            breakdown = [self.boolean(b) for b in check.breakdown.values()]
            tallies = {name: self.boolean(t) for name, t in check.tally.items()}
            true = self.boolean(ir.Lit(value=True, type="bool")) if tallies else -1
        except Unsupported as exc:
            self.plan.sql_checks[check.rule_id] = exc.message
            return
        # Nodes shared with earlier checks were compiled then: look at the whole tree of this one.
        used = self._ops_below([applies, expect, *breakdown, *tallies.values()])
        checksum, parse = bool(used & CHECKSUM_OPS), bool(used & PARSE_OPS)
        self.plan.checks.append(CheckPlan(check=check, applies=applies, expect=expect, breakdown=breakdown,
                                          base=self.plan.counters, uses_checksum=checksum, uses_parse=parse))
        self.plan.counters += 2 + len(breakdown)
        for name, t in tallies.items():
            where = t if applies < 0 else self.node(OP_AND, [applies, t])
            self.plan.nodes[where][6] = 1  # a predicate (word 6), like every node compile() makes
            self.plan.checks.append(CheckPlan(check=check, applies=where, expect=true, breakdown=[],
                                              base=self.plan.counters, tally=name, uses_checksum=checksum,
                                              uses_parse=parse))
            self.plan.counters += 2

    def freshness(self, check: ir.FreshnessCheck) -> None:
        try:
            value, kind = self.compile(check.value)
            if kind not in ("date", "timestamp"):
                raise Unsupported(f"newest value of {kind}")
        except Unsupported as exc:
            self.plan.sql_checks[check.rule_id] = exc.message
            return
        self.plan.fresh.append(FreshPlan(check=check, value=value, kind=kind, base=self.plan.counters,
                                         uses_parse=bool(self._ops_below([value]) & PARSE_OPS)))
        self.plan.counters += 2

    def unique(self, check: ir.UniqueCheck) -> None:
        """A key of text parts, each a value the kernel computes, is fingerprinted natively; another (a
        number or date part, an unsupported function) is grouped in SQL."""
        try:
            present = self.boolean(check.present)
            parts = [self.text(k) for k in check.key]
        except Unsupported as exc:
            self.plan.sql_checks[check.rule_id] = exc.message
            return
        used = self._ops_below([present, *parts])
        self.plan.keys.append(KeyPlan(check=check, present=present, parts=parts,
                                      uses_checksum=bool(used & CHECKSUM_OPS), uses_parse=bool(used & PARSE_OPS)))

    def _ops_below(self, roots: list[int]) -> set[int]:
        seen: set[int] = set()
        ops: set[int] = set()
        stack = [r for r in roots if r >= 0]
        while stack:
            k = stack.pop()
            if k in seen:
                continue
            seen.add(k)
            op, first, n = self.plan.nodes[k][:3]
            ops.add(op)
            stack.extend(self.plan.args[first:first + n])
        return ops


def compile_suite(suite: ir.CheckSuite) -> Plan:
    """The kernel plan of ``suite``'s row, freshness and uniqueness checks (a uniqueness check as key
    fingerprints, grouped by the engine); the others stay in SQL."""
    compiler = _Compiler(suite)
    for check in suite.checks:
        if isinstance(check, ir.RowCheck):
            compiler.check(check)
        elif isinstance(check, ir.FreshnessCheck):
            compiler.freshness(check)
        elif isinstance(check, ir.UniqueCheck):
            compiler.unique(check)
    plan = compiler.plan
    # Stream only the columns the kernel's checks read (a check left to SQL may have named others).
    reachable: set[int] = set()
    stack = [k for c in plan.checks for k in (c.applies, c.expect, *c.breakdown) if k >= 0]
    stack += [f.value for f in plan.fresh]
    stack += [k for key in plan.keys for k in (key.present, *key.parts)]
    while stack:
        k = stack.pop()
        if k not in reachable:
            reachable.add(k)
            first, n = plan.nodes[k][1:3]
            stack.extend(plan.args[first:first + n])
    used = sorted({plan.nodes[k][3] for k in reachable if plan.nodes[k][0] == OP_COL})
    remap = {old: new for new, old in enumerate(used)}
    for k, node in enumerate(plan.nodes):
        if node[0] == OP_COL:
            node[3] = remap.get(node[3], -1) if k in reachable else -1
    plan.columns = [plan.columns[i] for i in used]
    plan.groups = _one_column_groups(plan)
    return plan


def _one_column_groups(plan: Plan) -> list[tuple[int, list[int]]]:
    """The row checks (hidden tally checks included) whose applies/expect/breakdown trees read exactly one
    column, by column: a check's answers are then a function of that column's value, so the kernel may
    evaluate it once per distinct value. Checks reading several columns (or none) run row by row."""
    columns_below: dict[int, frozenset[int]] = {}

    def below(k: int) -> frozenset[int]:
        if k not in columns_below:
            op, first, n = plan.nodes[k][:3]
            found = frozenset({plan.nodes[k][3]}) if op == OP_COL else frozenset()
            for a in plan.args[first:first + n]:
                found |= below(a)
            columns_below[k] = found
        return columns_below[k]

    groups: dict[int, list[int]] = {}
    for i, c in enumerate(plan.checks):
        read = frozenset().union(*(below(k) for k in (c.applies, c.expect, *c.breakdown) if k >= 0))
        if len(read) == 1 and min(read) >= 0:
            groups.setdefault(min(read), []).append(i)
    return sorted(groups.items())
