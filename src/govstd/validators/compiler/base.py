"""IR → SQL, written once. ``Dialect`` compiles check predicates and builds the three statements the
engine runs: one aggregate pass (every row check, duplicates, newest timestamps), a sample query for
failing row checks, and a duplicate-sample query. Engine modules override only the primitives their
SQL spells differently (``regex_full_match``, ``try_cast_integer``, ``int_div``, ``count_if``, …).

Identifier algorithms are vectorised SQL expressions built from the constants of
``govstd.standards.numbers`` (weights, alphabets, check-character tables) — one source of truth, no
UDFs. Column names are untrusted: every identifier goes through ``quote_identifier``; every value
through ``literal``. Nothing from the data is ever pasted into SQL.
"""

from __future__ import annotations

import datetime as dt
import itertools
import string
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from govstd.errors import GovstdError
from govstd.standards.numbers import gb11643, gb11714, gb32100, gbt2260, iso7064, normalize
from govstd.validators import ir

# --------------------------------------------------------------------------- character classes
# Derived from govstd.standards.numbers.normalize, so SQL normalises exactly what Python does.


def _chars_matching(test: Callable[[str], bool]) -> str:
    return "".join(chr(cp) for cp in range(0x10000) if not 0xD800 <= cp <= 0xDFFF and test(chr(cp)))


#: Whitespace the Python normaliser removes (``\s`` of Python's re, plus invisible characters).
WHITESPACE_CHARS = _chars_matching(lambda c: normalize.WHITESPACE_RE.fullmatch(c) is not None)
DASH_CHARS = _chars_matching(lambda c: normalize.DASH_RE.fullmatch(c) is not None)
APOSTROPHE_CHARS = normalize.APOSTROPHES
MASK_CHARS = "".join(sorted(normalize.MASK_CHARS))
FULLWIDTH_FROM = "".join(chr(k) for k in sorted(normalize.FULLWIDTH))
FULLWIDTH_TO = "".join(chr(normalize.FULLWIDTH[k]) for k in sorted(normalize.FULLWIDTH))
EXCEL_PATTERN = normalize.EXCEL_RE.pattern


def _ranges_without(chars: str, *, min_size: int = 64) -> tuple[tuple[int, int | None], ...]:
    """Code point ranges [low, high) of printable characters none of ``chars`` is in (the large ones
    only: a cheap test that is true of nearly every real first character); high None: no bound."""
    cps = sorted({ord(c) for c in chars} | {0x20})  # control characters and space below 0x21
    out: list[tuple[int, int | None]] = []
    for low, high in itertools.pairwise(cps):
        if high - low - 1 >= min_size:
            out.append((low + 1, high))
    out.append((cps[-1] + 1, None))
    return tuple(out)


#: First characters that are certainly not whitespace: ASCII from '!', CJK, and so on.
NOT_WHITESPACE_RANGES = _ranges_without(WHITESPACE_CHARS)

#: GB 11714 / GB 32100 character values: a character's value is its index here (A = 10 … Z = 35).
ALNUM = "".join(sorted(iso7064.ALNUM_VALUES, key=iso7064.ALNUM_VALUES.__getitem__))


def _gb11714_check_table() -> str:
    # GB 11714-1997 校验码: C9 = 11 - (S mod 11); C9 = 10 is written 'X', C9 = 11 is written '0'.
    # Indexed by S mod 11. A test compares it with gb11714.calc_check_digit.
    out = []
    for r in range(gb11714.MODULUS):
        c = gb11714.MODULUS - r
        out.append("X" if c == 10 else "0" if c == 11 else str(c))
    return "".join(out)


GB11714_CHECK_TABLE = _gb11714_check_table()
#: GB 32100-2015 校验码: check value = (31 - S mod 31) mod 31, written with ALPHABET; indexed by S mod 31.
GB32100_CHECK_TABLE = "".join(
    gb32100.ALPHABET[(gb32100.MODULUS - r) % gb32100.MODULUS] for r in range(gb32100.MODULUS)
)

#: Date and date-time layouts accepted in data files (strftime notation; dialects translate).
#: GB/T 7408.1 extended and basic forms first, then the layouts Chinese office software writes.
DATE_LAYOUTS: tuple[str, ...] = ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
DATETIME_LAYOUTS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y%m%d%H%M%S",
    "%Y%m%d %H:%M:%S",
    *DATE_LAYOUTS,
)
BOOLEAN_SPELLINGS: tuple[str, ...] = ("true", "false", "t", "f", "1", "0", "yes", "no", "y", "n", "是", "否")
NUMBER_PATTERN = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
#: Identifier text normalisation leaves unchanged (upper-case ASCII letters, digits, '.', '+', '*').
CLEAN_CODE_PATTERN = r"[0-9A-Z.+*]*"
INTEGER_PATTERN = r"[+-]?[0-9]{1,18}"


class UnsupportedCheck(GovstdError):
    """An engine cannot express a check: named, never silently skipped."""

    code = "unsupported"


# --------------------------------------------------------------------------- plans


@dataclass
class Output:
    """Where a check's metrics are in the aggregate result row."""

    evaluated: str
    failed: str | None = None
    breakdown: dict[str, str] = field(default_factory=dict)
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


class _Shared:
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
            if n > 1 or (isinstance(nodes[k], ir.Func) and getattr(nodes[k], "name", "") in _ALWAYS_SHARED)
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
    def of(cls, checks: Iterable[ir.Check]) -> _Shared:
        return cls(*check_roots(checks))


#: Functions computed in a layer of their own (when every row needs them), never inline under a CASE
#: branch: they feed many checks, and their SQL repeats a sub-expression (the 17 digits of an ID)
#: which the engine's own common-subexpression elimination can only merge outside conditional branches.
_ALWAYS_SHARED = frozenset({
    "normalize_code", "normalize_phone", "mod11_2_ok", "id_birth_date", "id_is_male", "ymd_date",
    "gb32100_checksum_ok", "gb11714_checksum_ok", "to_number", "to_integer", "to_date", "to_timestamp",
})


def walk(node: ir.Expr) -> Iterator[ir.Expr]:
    """``node`` and every node below it."""
    yield node
    for child in ir.children(node):
        yield from walk(child)


# --------------------------------------------------------------------------- the dialect


class Dialect:
    """Generic (ANSI-leaning) SQL for the check IR. Subclasses override primitives only."""

    name = "ansi"

    # ---- quoting ---------------------------------------------------------------------------

    def quote_identifier(self, name: str) -> str:
        """The one place an identifier becomes SQL: always quoted, quotes doubled."""
        if "\x00" in name:
            raise UnsupportedCheck("a column name contains a NUL character")
        return '"' + name.replace('"', '""') + '"'

    def string_literal(self, value: str) -> str:
        if "\x00" in value:
            raise UnsupportedCheck("a constant contains a NUL character")
        return "'" + value.replace("'", "''") + "'"

    def literal(self, value: ir.LiteralValue) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int | float):
            return repr(value)
        if isinstance(value, dt.datetime):
            return f"TIMESTAMP {self.string_literal(value.replace(tzinfo=None).isoformat(sep=' '))}"
        if isinstance(value, dt.date):
            return f"DATE {self.string_literal(value.isoformat())}"
        return self.string_literal(value)

    # ---- primitives a dialect may need to override ------------------------------------------

    def regex_full_match(self, x: str, pattern: str) -> str:
        raise UnsupportedCheck(f"engine {self.name} has no regular expressions")

    def regex_contains(self, x: str, pattern: str) -> str:
        raise UnsupportedCheck(f"engine {self.name} has no regular expressions")

    def regex_replace_all(self, x: str, pattern: str, replacement: str) -> str:
        raise UnsupportedCheck(f"engine {self.name} has no regular expressions")

    def regex_codepoint(self, cp: int) -> str:
        """A character inside a regex bracket expression (RE2 and Java spelling)."""
        return f"\\x{{{cp:04X}}}"

    def regex_class(self, chars: str, *, negate: bool = False) -> str:
        out = []
        for c in chars:
            cp = ord(c)
            if c.isalnum() and cp < 128:
                out.append(c)
            else:
                out.append(self.regex_codepoint(cp))
        return "[" + ("^" if negate else "") + "".join(out) + "]"

    def starts_with_one_of(self, x: str, ranges: Sequence[tuple[int, int | None]]) -> str:
        """``x``'s first character lies in one of ``ranges`` ([low, high) code points, high None for
        no bound). Comparisons of text in code point order (UTF-8 byte order), which every engine
        here uses for plain ``<``/``>=``; dialects with collations override."""
        parts = []
        for low, high in ranges:
            cond = f"{x} >= {self.string_literal(chr(low))}"
            if high is not None:
                cond += f" AND {x} < {self.string_literal(chr(high))}"
            parts.append(f"({cond})")
        return "(" + " OR ".join(parts) + ")"

    def substr(self, x: str, start: int | str, length: int | str) -> str:
        return f"SUBSTR({x}, {start}, {length})"

    def length(self, x: str) -> str:
        return f"LENGTH({x})"

    def last_char(self, x: str) -> str:
        """The last character of ``x`` ('' when empty)."""
        return self.substr(x, self.length(x), 1)

    def upper(self, x: str) -> str:
        """a-z → A-Z, other letters unchanged (``normalize.ASCII_UPPER``): engines' Unicode case
        tables differ, ASCII never does."""
        return self.translate(x, string.ascii_lowercase, string.ascii_uppercase)

    def lower(self, x: str) -> str:
        """A-Z → a-z, other letters unchanged."""
        return self.translate(x, string.ascii_uppercase, string.ascii_lowercase)

    def concat(self, parts: Sequence[str]) -> str:
        return "(" + " || ".join(parts) + ")"

    def translate(self, x: str, src: str, dst: str) -> str:
        return f"TRANSLATE({x}, {self.string_literal(src)}, {self.string_literal(dst)})"

    def str_position(self, haystack: str, needle: str) -> str:
        """1-based position of ``needle`` in ``haystack``; 0 when absent."""
        return f"POSITION({needle} IN {haystack})"

    def int_div(self, a: str, b: str) -> str:
        """Integer division of two integers (exact, truncating)."""
        return f"({a} / {b})"

    def try_cast_integer(self, x: str) -> str:
        pattern = self.regex_full_match(x, INTEGER_PATTERN)
        return f"(CASE WHEN {pattern} THEN CAST({x} AS BIGINT) END)"

    def try_cast_double(self, x: str) -> str:
        pattern = self.regex_full_match(x, NUMBER_PATTERN)
        return f"(CASE WHEN {pattern} THEN CAST({x} AS DOUBLE PRECISION) END)"

    def make_date(self, y: str, m: str, d: str) -> str:
        return f"MAKE_DATE(CAST({y} AS INTEGER), CAST({m} AS INTEGER), CAST({d} AS INTEGER))"

    def try_parse_timestamp(self, x: str, layouts: Sequence[str]) -> str:
        raise UnsupportedCheck(f"engine {self.name} cannot parse date/time text")

    def cast_date(self, x: str) -> str:
        return f"CAST({x} AS DATE)"

    def count_if(self, cond: str) -> str:
        return f"COUNT(*) FILTER (WHERE {cond})"

    def count_distinct_if(self, exprs: Sequence[str], cond: str) -> str:
        inner = exprs[0] if len(exprs) == 1 else "ROW(" + ", ".join(exprs) + ")"
        return f"COUNT(DISTINCT {inner}) FILTER (WHERE {cond})"

    def max_value(self, x: str) -> str:
        return f"MAX({x})"

    def trim(self, x: str) -> str:
        # A value whose first and last characters are certainly not whitespace (two cheap comparisons,
        # true of almost every value) is returned as it is; only the rest meet the regular expression.
        ws = self.regex_class(WHITESPACE_CHARS)
        unpadded = (f"{self.starts_with_one_of(x, NOT_WHITESPACE_RANGES)} AND "
                    f"{self.starts_with_one_of(self.last_char(x), NOT_WHITESPACE_RANGES)}")
        return f"(CASE WHEN {unpadded} THEN {x} ELSE {self.regex_replace_all(x, f'^{ws}+|{ws}+$', '')} END)"

    def subquery_alias(self, sql: str, alias: str) -> str:
        return f"({sql}) AS {self.quote_identifier(alias)}"

    # ---- expressions -----------------------------------------------------------------------

    def expr(self, node: ir.Expr, shared: _Shared | None = None, available: int = 0) -> str:
        """SQL for an IR expression. ``shared``/``available``: CSE aliases usable at this layer."""
        if shared is not None and shared.alias:
            key = ir.node_key(node)
            alias = shared.alias.get(key)
            if alias is not None and shared.level[key] < available:
                return self.quote_identifier(alias)

        def sub(n: ir.Expr) -> str:
            return self.expr(n, shared, available)

        if isinstance(node, ir.Col):
            return self.quote_identifier(node.name)
        if isinstance(node, ir.Lit):
            return self.literal(node.value)
        if isinstance(node, ir.Cmp):
            op = "<>" if node.op == "!=" else node.op
            return f"({sub(node.left)} {op} {sub(node.right)})"
        # Predicates are two-valued (unknown counts as false) and short-circuit: CASE evaluates a
        # branch only on the rows that reach it, in every engine, so costly parts (checksums, parsing)
        # run only where the cheap parts before them hold.
        # Operands already computed (shared aliases, columns, comparisons of those) cost nothing to
        # evaluate on every row: plain AND / OR is then cheaper than a CASE's selection bookkeeping.
        if isinstance(node, ir.And):
            *first, last = [sub(a) for a in node.args]
            if all(self._computed(a, shared, available) for a in node.args[1:]):
                return "(" + " AND ".join(f"COALESCE({a}, FALSE)" for a in [*first, last]) + ")"
            whens = " ".join(f"WHEN NOT COALESCE({a}, FALSE) THEN FALSE" for a in first)
            return f"(CASE {whens} ELSE COALESCE({last}, FALSE) END)" if first else f"COALESCE({last}, FALSE)"
        if isinstance(node, ir.Or):
            *first, last = [sub(a) for a in node.args]
            if all(self._computed(a, shared, available) for a in node.args[1:]):
                return "(" + " OR ".join(f"COALESCE({a}, FALSE)" for a in [*first, last]) + ")"
            whens = " ".join(f"WHEN {a} THEN TRUE" for a in first)
            return f"(CASE {whens} ELSE COALESCE({last}, FALSE) END)" if first else f"COALESCE({last}, FALSE)"
        if isinstance(node, ir.Not):
            return f"(NOT COALESCE({sub(node.arg)}, FALSE))"
        if isinstance(node, ir.IsNull):
            return f"({sub(node.arg)} IS NULL)"
        if isinstance(node, ir.InValues):
            if not node.values:
                return "FALSE"
            return f"({sub(node.arg)} IN ({', '.join(self.string_literal(v) for v in node.values)}))"
        if isinstance(node, ir.Func):
            method = getattr(self, f"fn_{node.name}", None)
            if method is None:
                raise UnsupportedCheck(f"engine {self.name} cannot compute IR function {node.name!r}")
            result: str = method([sub(a) for a in node.args], **node.params)
            return result
        raise UnsupportedCheck(f"unknown IR node {node!r}")

    def _only_where(self, cond: str, predicate: str, node: ir.Expr, shared: _Shared, available: int) -> str:
        """``cond AND predicate``, with ``predicate`` (the SQL of ``node``) computed only on the rows
        where ``cond`` holds unless it is already computed anyway."""
        if self._computed(node, shared, available):
            return f"({cond} AND {predicate})"
        return f"(CASE WHEN {cond} THEN {predicate} ELSE FALSE END)"

    def _computed(self, node: ir.Expr, shared: _Shared | None, available: int) -> bool:
        """``node`` needs no work beyond reading values: a shared alias of a lower layer, a column,
        a constant, or a comparison / negation / null test of those."""
        if shared is not None and shared.level.get(ir.node_key(node), available) < available:
            return True
        if isinstance(node, ir.Col | ir.Lit):
            return True
        if isinstance(node, ir.Not | ir.IsNull):
            return self._computed(node.arg, shared, available)
        if isinstance(node, ir.Cmp):
            return self._computed(node.left, shared, available) and self._computed(node.right, shared, available)
        return False

    # ---- named functions (ir.FUNCTIONS) ----------------------------------------------------

    def fn_is_blank(self, args: list[str]) -> str:
        (x,) = args
        ws = self.regex_class(WHITESPACE_CHARS)
        # A value starting with a character that is certainly not whitespace (a cheap comparison,
        # true of almost every value) is not blank; only the rest meet the regular expression.
        return (f"(CASE WHEN {x} IS NULL THEN TRUE WHEN {self.starts_with_one_of(x, NOT_WHITESPACE_RANGES)} "
                f"THEN FALSE ELSE {self.regex_full_match(x, f'{ws}*')} END)")

    def fn_if_else(self, args: list[str]) -> str:
        cond, then, otherwise = args
        return f"(CASE WHEN {cond} THEN {then} ELSE {otherwise} END)"

    def fn_trim(self, args: list[str]) -> str:
        return self.trim(args[0])

    def fn_length(self, args: list[str]) -> str:
        return self.length(args[0])

    def fn_substr(self, args: list[str], start: int, length: int) -> str:
        return self.substr(args[0], start, length)

    def fn_concat(self, args: list[str]) -> str:
        return self.concat(args)

    def fn_normalize_code(self, args: list[str], strip_dashes: bool = True, uppercase: bool = True) -> str:
        # Same steps, same order as normalize.normalize: width, whitespace, one apostrophe, dashes, case.
        # Values with nothing to normalise (almost all of them) skip the string rewriting.
        raw = args[0]
        x = self.translate(raw, FULLWIDTH_FROM, FULLWIDTH_TO)
        x = self.regex_replace_all(x, self.regex_class(WHITESPACE_CHARS) + "+", "")
        x = self.regex_replace_all(x, "^" + self.regex_class(APOSTROPHE_CHARS), "")
        if strip_dashes:
            x = self.regex_replace_all(x, self.regex_class(DASH_CHARS), "")
        if uppercase:
            x = self.upper(x)
        clean = CLEAN_CODE_PATTERN if strip_dashes else CLEAN_CODE_PATTERN.replace("]", "-]")
        if not uppercase:
            clean = clean.replace("A-Z", "A-Za-z")
        return f"(CASE WHEN {self.regex_full_match(raw, clean)} THEN {raw} ELSE {x} END)"

    def fn_normalize_phone(self, args: list[str]) -> str:
        raw = args[0]
        x = self.regex_replace_all(raw, r"[()]", "")
        x = self.fn_normalize_code([x])
        # mobile.compact: drop +86, 0086, or 86 when 11 digits starting with 1 follow.
        x = self.regex_replace_all(x, r"^(\+86|0086|86([0-9]{11})$)", r"\2")
        return f"(CASE WHEN {self.regex_full_match(raw, '1[0-9]{10}')} THEN {raw} ELSE {x} END)"

    def fn_matches(self, args: list[str], pattern: str) -> str:
        return self.regex_full_match(args[0], pattern)

    def fn_has_fullwidth(self, args: list[str]) -> str:
        return self.regex_contains(args[0], self.regex_class(FULLWIDTH_FROM))

    def fn_has_whitespace(self, args: list[str]) -> str:
        return self.regex_contains(args[0], self.regex_class(WHITESPACE_CHARS))

    def fn_has_lowercase(self, args: list[str]) -> str:
        return self.regex_contains(args[0], "[a-z]")

    def fn_has_dash(self, args: list[str]) -> str:
        return self.regex_contains(args[0], self.regex_class(DASH_CHARS))

    def fn_has_apostrophe(self, args: list[str]) -> str:
        ws = self.regex_class(WHITESPACE_CHARS)
        return self.regex_contains(args[0], f"^{ws}*{self.regex_class(APOSTROPHE_CHARS)}")

    def fn_excel_damaged(self, args: list[str]) -> str:
        return self.regex_full_match(args[0], EXCEL_PATTERN)

    def fn_is_masked(self, args: list[str]) -> str:
        return self.regex_contains(args[0], self.regex_class(MASK_CHARS))

    def fn_in_table(self, args: list[str], table: str, column: str) -> str:
        return f"({args[0]} IN (SELECT {self.quote_identifier(column)} FROM {self.quote_identifier(table)}))"

    def fn_to_number(self, args: list[str]) -> str:
        return self.try_cast_double(args[0])

    def fn_to_integer(self, args: list[str]) -> str:
        return self.try_cast_integer(args[0])

    def fn_to_date(self, args: list[str]) -> str:
        return self.cast_date(self.try_parse_timestamp(args[0], DATE_LAYOUTS))

    def fn_to_timestamp(self, args: list[str]) -> str:
        return self.try_parse_timestamp(args[0], DATETIME_LAYOUTS)

    def fn_is_boolean(self, args: list[str]) -> str:
        values = ", ".join(self.string_literal(v) for v in BOOLEAN_SPELLINGS)
        return f"({self.lower(args[0])} IN ({values}))"

    def fn_ymd_date(self, args: list[str]) -> str:
        """A real date from 8 digits YYYYMMDD, by arithmetic (no engine's date parser quirks)."""
        (x,) = args
        v = self.try_cast_integer(x)
        y = self.int_div(v, "10000")
        m = f"({self.int_div(v, '100')} % 100)"
        d = f"({v} % 100)"
        leap = f"({y} % 4 = 0 AND ({y} % 100 <> 0 OR {y} % 400 = 0))"
        days = (
            f"(CASE WHEN {m} IN (1, 3, 5, 7, 8, 10, 12) THEN 31 WHEN {m} IN (4, 6, 9, 11) THEN 30 "
            f"WHEN {m} = 2 AND {leap} THEN 29 WHEN {m} = 2 THEN 28 ELSE 0 END)"
        )
        ok = f"{self.regex_full_match(x, '[0-9]{8}')} AND {y} >= 1 AND {d} BETWEEN 1 AND {days}"
        return f"(CASE WHEN {ok} THEN {self.make_date(y, m, d)} END)"

    def fn_year(self, args: list[str]) -> str:
        return f"EXTRACT(YEAR FROM {args[0]})"

    def fn_mod11_2_ok(self, args: list[str]) -> str:
        """GB 11643-1999 校验码 (ISO 7064 MOD 11-2) over 17 digits, weights gb11643.WEIGHTS."""
        (x,) = args
        body = self.try_cast_integer(self.substr(x, 1, 17))
        n = len(gb11643.WEIGHTS)
        terms = [
            f"({self.int_div(body, str(10 ** (n - 1 - i)))} % 10) * {w}" for i, w in enumerate(gb11643.WEIGHTS)
        ]
        index = f"CAST(({' + '.join(terms)}) % 11 AS INTEGER) + 1"
        return f"({self.substr(self.string_literal(gb11643.CHECK_CHARS), index, 1)} = {self.substr(x, 18, 1)})"

    def fn_id_birth_date(self, args: list[str]) -> str:
        (x,) = args
        legacy = self.concat([self.string_literal("19"), self.substr(x, 7, 6)])
        ymd = f"(CASE WHEN {self.length(x)} = {gb11643.LEGACY_LENGTH} THEN {legacy} ELSE {self.substr(x, 7, 8)} END)"
        return self.fn_ymd_date([ymd])

    def fn_id_is_male(self, args: list[str]) -> str:
        (x,) = args
        digit = (
            f"(CASE WHEN {self.length(x)} = {gb11643.LEGACY_LENGTH} THEN {self.substr(x, 15, 1)} "
            f"ELSE {self.substr(x, 17, 1)} END)"
        )
        return f"({self.try_cast_integer(digit)} % 2 = 1)"

    def _weighted_check(self, x: str, alphabet: str, weights: Sequence[int], modulus: int, table: str,
                        check_pos: int) -> str:
        values = self.string_literal(alphabet)
        terms = [
            f"({self.str_position(values, self.substr(x, i + 1, 1))} - 1) * {w}" for i, w in enumerate(weights)
        ]
        index = f"CAST(({' + '.join(terms)}) % {modulus} AS INTEGER) + 1"
        return f"({self.substr(self.string_literal(table), index, 1)} = {self.substr(x, check_pos, 1)})"

    def fn_gb32100_checksum_ok(self, args: list[str]) -> str:
        """GB 32100-2015 校验码: weights gb32100.WEIGHTS over gb32100.ALPHABET values, mod 31."""
        return self._weighted_check(
            args[0], gb32100.ALPHABET, gb32100.WEIGHTS, gb32100.MODULUS, GB32100_CHECK_TABLE, gb32100.LENGTH
        )

    def fn_gb11714_checksum_ok(self, args: list[str]) -> str:
        """GB 11714-1997 校验码: weights gb11714.WEIGHTS over 0-9/A-Z values, mod 11."""
        return self._weighted_check(
            args[0], ALNUM, gb11714.WEIGHTS, gb11714.MODULUS, GB11714_CHECK_TABLE, gb11714.LENGTH
        )

    def fn_region_valid_in_year(self, args: list[str], table: str) -> str:
        code, year = args
        t = self.quote_identifier(table)
        q = self.quote_identifier
        # gbt2260: a record first seen in the first history year counts for every earlier year too.
        first = gbt2260.HISTORY_FIRST_YEAR
        return (
            f"EXISTS (SELECT 1 FROM {t} AS __r WHERE __r.{q('code')} = {code} "
            f"AND (__r.{q('valid_from_year')} <= {year} OR __r.{q('valid_from_year')} = {first}) "
            f"AND (__r.{q('valid_to_year')} IS NULL OR {year} < __r.{q('valid_to_year')}))"
        )

    def fn_region_prefix_match(self, args: list[str]) -> str:
        id_code, region = args
        return (
            f"(CASE WHEN {self.substr(region, 3, 4)} = '0000' THEN {self.substr(region, 1, 2)} = "
            f"{self.substr(id_code, 1, 2)} WHEN {self.substr(region, 5, 2)} = '00' THEN "
            f"{self.substr(region, 1, 4)} = {self.substr(id_code, 1, 4)} ELSE {region} = {id_code} END)"
        )

    # ---- statements ------------------------------------------------------------------------

    def _layers(self, source: str, shared: _Shared, keep: Sequence[str] = ()) -> str:
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
        """One pass: evaluated/failed (+ breakdown) per row check, evaluated/distinct per unique
        check, newest value per freshness check, and the row count."""
        shared = _Shared.of(checks)
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

    def samples(self, checks: Sequence[ir.RowCheck], source: str, row_column: str, after_row: int = 0, *,
                line_column: str | None = None) -> SamplePlan:
        """Rows failing any of ``checks`` after ``after_row``, in row order, with a flag per check (and the
        physical line, when ``line_column`` names it)."""
        shared = _Shared.of(checks)
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
        shared = _Shared([*check.key, check.present])
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


def check_expressions(checks: Iterable[ir.Check]) -> list[ir.Expr]:
    """Every expression the checks evaluate (applies, expect, breakdowns, keys, values)."""
    eager, lazy = check_roots(checks)
    return [*eager, *lazy]


def check_roots(checks: Iterable[ir.Check]) -> tuple[list[ir.Expr], list[ir.Expr]]:
    """The checks' expressions as (computed on (nearly) every row, computed on failing rows only):
    applies, expectations, keys and values first; breakdowns, counted among failing rows, second."""
    eager: list[ir.Expr] = []
    lazy: list[ir.Expr] = []
    for check in checks:
        if isinstance(check, ir.RowCheck):
            if check.applies is not None:
                eager.append(check.applies)
            eager.append(check.expect)
            lazy.extend(check.breakdown.values())
        elif isinstance(check, ir.UniqueCheck):
            eager.extend([*check.key, check.present])
        else:
            eager.append(check.value)
    return eager, lazy
