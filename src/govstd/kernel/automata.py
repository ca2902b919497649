"""Shape patterns of the check IR → deterministic automata the native kernel runs over bytes.

The IR's patterns are RE2, matched against the whole value (``matches``). The kernel has no regular
expression engine; it walks a table (state × byte → state). Only the subset identifier shapes are
written in compiles here — literals and bracket classes of ASCII characters, groups, alternation,
``? * + {n} {n,} {n,m}``, and ``^``/``$`` at the ends of a top-level alternative (no-ops in a full
match) — plus ``.`` and negated classes repeated by ``*`` or ``+``. The table runs over bytes: an
ASCII-only part matches no other byte, as in RE2; ``.`` (any character but a newline, RE2's default)
and ``[^…]`` match every byte of a non-ASCII character, which under ``*``/``+`` is the same as
matching the characters of valid UTF-8 (what DuckDB hands over) one by one — a single ``.`` or
``[^…]`` would have to count the bytes of one character, and is refused. Anything else (``\\p{…}``,
flags, non-ASCII literals) raises ``Unsupported`` and the check stays on the SQL path.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from govstd.errors import GovstdError

#: Bounds that keep a plan small; a bigger automaton stays on the SQL path.
MAX_NFA_STATES = 20_000
MAX_DFA_STATES = 4_000
_ASCII = 128
_BYTES = 256
#: Every byte that is not ASCII: the bytes of the non-ASCII characters ``.`` and ``[^…]`` match.
_HIGH = ((1 << _BYTES) - 1) ^ ((1 << _ASCII) - 1)


class Unsupported(GovstdError):
    """An IR construct the kernel does not implement: its check runs in SQL."""

    code = "kernel_unsupported"


# --------------------------------------------------------------------------- parsing

# AST nodes: ("set", mask) | ("cat", [nodes]) | ("alt", [nodes]) | ("rep", node, low, high or None)
Node = tuple[object, ...]
_DIGITS = sum(1 << ord(c) for c in string.digits)


def _mask(chars: str) -> int:
    return sum(1 << ord(c) for c in set(chars))


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0

    def fail(self, why: str) -> Unsupported:
        return Unsupported(f"pattern {self.p!r}: {why}")

    def peek(self) -> str | None:
        return self.p[self.i] if self.i < len(self.p) else None

    def take(self) -> str:
        c = self.p[self.i]
        self.i += 1
        return c

    def parse(self) -> Node:
        node = self.alt(top=True)
        if self.i != len(self.p):
            raise self.fail(f"unexpected {self.p[self.i]!r}")
        return node

    def alt(self, *, top: bool = False) -> Node:
        branches = [self.cat(top=top)]
        while self.peek() == "|":
            self.take()
            branches.append(self.cat(top=top))
        return branches[0] if len(branches) == 1 else ("alt", branches)

    def cat(self, *, top: bool) -> Node:
        items: list[Node] = []
        if top and self.peek() == "^":
            self.take()
        while self.peek() not in (None, "|", ")"):
            if top and self.peek() == "$" and self.p[self.i + 1:self.i + 2] in ("", "|"):
                self.take()
                break
            items.append(self.piece())
        return items[0] if len(items) == 1 else ("cat", items)

    def piece(self) -> Node:
        atom = self.atom()
        wide = atom[0] == "set" and isinstance(atom[1], int) and bool(atom[1] & _HIGH)
        if wide and self.peek() not in ("*", "+"):
            raise self.fail("'.' or a negated class not repeated by * or +")
        while self.peek() in ("?", "*", "+", "{"):
            c = self.take()
            if c == "?":
                atom = ("rep", atom, 0, 1)
            elif c == "*":
                atom = ("rep", atom, 0, None)
            elif c == "+":
                atom = ("rep", atom, 1, None)
            else:
                end = self.p.find("}", self.i)
                if end < 0:
                    raise self.fail("unclosed repetition")
                body, self.i = self.p[self.i:end], end + 1
                low_s, _, high_s = body.partition(",")
                if not low_s.isdigit() or (high_s and not high_s.isdigit()):
                    raise self.fail(f"repetition {{{body}}}")
                low = int(low_s)
                high = low if "," not in body else (int(high_s) if high_s else None)
                if high is not None and high < low:
                    raise self.fail(f"repetition {{{body}}}")
                atom = ("rep", atom, low, high)
            if self.peek() == "?":  # a lazy quantifier: the same language under a full match
                self.take()
        return atom

    def atom(self) -> Node:
        c = self.take()
        if c == "(":
            if self.p.startswith("?:", self.i):
                self.i += 2
            elif self.peek() == "?":
                raise self.fail("group flags or names")
            node = self.alt()
            if self.peek() != ")":
                raise self.fail("unclosed group")
            self.take()
            return node
        if c == "[":
            return ("set", self.bracket())
        if c == "\\":
            return ("set", self.escape())
        if c == ".":
            return ("set", ((1 << _BYTES) - 1) ^ (1 << ord("\n")))
        if c in "^$":
            raise self.fail(f"{c!r} inside the pattern")
        if ord(c) >= _ASCII:
            raise self.fail("non-ASCII characters")
        return ("set", 1 << ord(c))

    def escape(self) -> int:
        if self.peek() is None:
            raise self.fail("trailing backslash")
        c = self.take()
        if c == "d":
            return _DIGITS  # RE2's \d is [0-9]
        if c in string.punctuation:
            return 1 << ord(c)
        raise self.fail(f"escape \\{c}")

    def bracket(self) -> int:
        if self.peek() == "^":
            self.take()
            return ((1 << _BYTES) - 1) ^ self.bracket()
        mask = 0
        first = True
        while True:
            c = self.peek()
            if c is None:
                raise self.fail("unclosed class")
            if c == "]" and not first:
                self.take()
                return mask
            first = False
            lo = self.class_char()
            if self.peek() == "-" and self.p[self.i + 1:self.i + 2] not in ("]", ""):
                self.take()
                hi = self.class_char()
                if hi < lo:
                    raise self.fail("reversed range")
                mask |= sum(1 << k for k in range(lo, hi + 1))
            else:
                mask |= 1 << lo

    def class_char(self) -> int:
        c = self.take()
        if c == "\\":
            e = self.take() if self.peek() is not None else ""
            if e not in string.punctuation or not e:
                raise self.fail(f"class escape \\{e}")
            c = e
        elif c == "[":
            raise self.fail("nested class")
        if ord(c) >= _ASCII:
            raise self.fail("non-ASCII characters")
        return ord(c)


# --------------------------------------------------------------------------- NFA → DFA


@dataclass
class Automaton:
    """``table[state * 256 + byte]`` → next state, -1 for no match; state 0 starts; ``accept[state]``."""

    table: list[int]
    accept: list[int]


class _Nfa:
    def __init__(self) -> None:
        self.eps: list[list[int]] = []
        self.edge: list[tuple[int, int] | None] = []  # (mask, target)

    def state(self) -> int:
        if len(self.eps) >= MAX_NFA_STATES:
            raise Unsupported("pattern too large for the kernel")
        self.eps.append([])
        self.edge.append(None)
        return len(self.eps) - 1

    def build(self, node: Node) -> tuple[int, int]:
        kind = node[0]
        if kind == "set":
            s, e = self.state(), self.state()
            mask = node[1]
            assert isinstance(mask, int)
            self.edge[s] = (mask, e)
            return s, e
        if kind == "cat":
            parts = node[1]
            assert isinstance(parts, list)
            s = e = self.state()
            for part in parts:
                a, b = self.build(part)
                self.eps[e].append(a)
                e = b
            return s, e
        if kind == "alt":
            parts = node[1]
            assert isinstance(parts, list)
            s, e = self.state(), self.state()
            for part in parts:
                a, b = self.build(part)
                self.eps[s].append(a)
                self.eps[b].append(e)
            return s, e
        _, sub, low, high = node
        assert isinstance(sub, tuple) and isinstance(low, int)
        s = e = self.state()
        for _ in range(low):
            a, b = self.build(sub)
            self.eps[e].append(a)
            e = b
        if high is None:
            a, b = self.build(sub)
            self.eps[e].append(a)
            self.eps[b].append(a)
            end = self.state()
            self.eps[e].append(end)
            self.eps[b].append(end)
            return s, end
        assert isinstance(high, int)
        end = self.state()
        for _ in range(high - low):
            a, b = self.build(sub)
            self.eps[e].append(a)
            self.eps[e].append(end)
            e = b
        self.eps[e].append(end)
        return s, end

    def closure(self, states: frozenset[int]) -> frozenset[int]:
        out = set(states)
        stack = list(states)
        while stack:
            for t in self.eps[stack.pop()]:
                if t not in out:
                    out.add(t)
                    stack.append(t)
        return frozenset(out)


def compile_pattern(pattern: str) -> Automaton:
    """The automaton of the full match of ``pattern``; ``Unsupported`` outside the subset."""
    tree = _Parser(pattern).parse()
    nfa = _Nfa()
    start, final = nfa.build(tree)
    masks = {e[0] for e in nfa.edge if e is not None}
    # Bytes no edge tells apart behave alike: one representative per class of bytes.
    classes: dict[tuple[bool, ...], list[int]] = {}
    for b in range(_BYTES):
        classes.setdefault(tuple(bool(m >> b & 1) for m in sorted(masks)), []).append(b)
    first = nfa.closure(frozenset([start]))
    index = {first: 0}
    order = [first]
    table: list[int] = []
    for current in order:
        row = [-1] * _BYTES
        for members in classes.values():
            b = members[0]
            moved = frozenset(e[1] for s in current if (e := nfa.edge[s]) is not None and e[0] >> b & 1)
            if not moved:
                continue
            target = nfa.closure(moved)
            if target not in index:
                if len(order) >= MAX_DFA_STATES:
                    raise Unsupported(f"pattern {pattern!r} is too large for the kernel")
                index[target] = len(order)
                order.append(target)
            for m in members:
                row[m] = index[target]
        table.extend(row)
    return Automaton(table=table, accept=[int(final in s) for s in order])
