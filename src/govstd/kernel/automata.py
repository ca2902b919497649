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
from dataclasses import dataclass, field

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
    """``table[state * 256 + byte]`` → next state, -1 for no match; state 0 starts; ``accept[state]``.
    ``derived_shapes``: ``shapes(self)`` once derived (kept with the automaton, so a cached one brings them)."""

    table: list[int]
    accept: list[int]
    derived_shapes: Shapes | None = field(default=None, compare=False, repr=False)


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


# --------------------------------------------------------------------------- shapes

#: The longest value length a shape is derived for; longer values walk the automaton (or are rejected
#: outright when the pattern accepts nothing longer).
MAX_SHAPE_LEN = 32
#: Distinct byte classes one automaton's shapes may use: the kernel keeps a byte's classes in 64 bits.
MAX_SHAPE_CLASSES = 64


@dataclass(frozen=True)
class Shapes:
    """Where an automaton's language is a product of per-position byte classes, by value length.

    ``by_length[n]``: for a value of ``n`` bytes, the byte mask of each position when the strings of length
    ``n`` it accepts are exactly the strings whose ``i``-th byte is in mask ``i`` (an all-zero mask: none is
    accepted), else ``None`` (the kernel walks the automaton). Such a match tests each byte on its own, with
    no load waiting on the one before. ``longer_rejected``: no string longer than ``MAX_SHAPE_LEN`` is
    accepted."""

    by_length: tuple[tuple[int, ...] | None, ...]
    longer_rejected: bool


def _successors(a: Automaton) -> list[dict[int, int]]:
    """Per state: target → the mask of bytes leading there (a byte leading nowhere is in none)."""
    out: list[dict[int, int]] = []
    for s in range(len(a.accept)):
        row = a.table[s * _BYTES:(s + 1) * _BYTES]
        succ: dict[int, int] = {}
        for t in set(row):
            if t >= 0:
                succ[t] = sum(1 << b for b, u in enumerate(row) if u == t)
        out.append(succ)
    return out


def _product_of(succ: list[dict[int, int]], accept: list[int], done: list[set[int]], n: int) -> tuple[int, ...] | None:
    """The classes of the product the strings of length ``n`` accepted form, or ``None`` when they form none.

    ``done[k]``: the states from which some string of exactly ``k`` bytes is accepted. Position ``i``'s class
    is every byte on some accepted path of length ``n``, so the accepted strings always lie in the product of
    the classes; they are all of it exactly when every product string is accepted, which one forward pass
    over the sets of states the product's prefixes reach decides (the automaton is deterministic)."""
    classes: list[int] = []
    live = {0} & done[n]
    for i in range(n):
        ahead = done[n - i - 1]
        mask, nxt = 0, set()
        for s in live:
            for t, m in succ[s].items():
                if t in ahead:
                    mask |= m
                    nxt.add(t)
        classes.append(mask)
        live = nxt
    reached = {0}
    for mask in classes:
        nxt = set()
        for s in reached:
            covered = 0
            for t, m in succ[s].items():
                if m & mask:
                    nxt.add(t)
                    covered |= m
            if mask & ~covered:  # a byte of the class leads nowhere from a state some prefix reaches
                return None
        reached = nxt
    return tuple(classes) if all(accept[s] for s in reached) else None


def shapes(a: Automaton) -> Shapes:
    """Per value length up to ``MAX_SHAPE_LEN``, the automaton's language as a product of byte classes where
    it is exactly one (see ``Shapes``); the derivation proves exactness, it never approximates. Derived once
    per automaton (``Automaton.derived_shapes``)."""
    if a.derived_shapes is None:
        a.derived_shapes = _derive_shapes(a)
    return a.derived_shapes


def _derive_shapes(a: Automaton) -> Shapes:
    succ = _successors(a)
    nstates = len(a.accept)
    preds: list[list[int]] = [[] for _ in range(nstates)]
    for s in range(nstates):
        for t in succ[s]:
            preds[t].append(s)
    done = [{s for s in range(nstates) if a.accept[s]}]
    for _ in range(MAX_SHAPE_LEN):
        done.append({s for t in done[-1] for s in preds[t]})
    by_length: list[tuple[int, ...] | None] = []
    seen: set[int] = set()
    for n in range(MAX_SHAPE_LEN + 1):
        product = _product_of(succ, a.accept, done, n)
        if product is not None:
            new = {m for m in product if m} - seen
            if len(seen) + len(new) > MAX_SHAPE_CLASSES:
                product = None
            else:
                seen |= new
        by_length.append(product)
    # Any accepted string longer than the bound: a state reached after MAX_SHAPE_LEN + 1 bytes that can still
    # reach an accepting one.
    coreach = set(done[0])
    stack = list(coreach)
    while stack:
        for s in preds[stack.pop()]:
            if s not in coreach:
                coreach.add(s)
                stack.append(s)
    reached = {0}
    for _ in range(MAX_SHAPE_LEN + 1):
        reached = {t for s in reached for t in succ[s]}
    return Shapes(by_length=tuple(by_length), longer_rejected=not reached & coreach)


#: ``gk_set_shapes``'s modes per value length (``_kernel.c``'s SH_*).
SH_WALK, SH_REJECT, SH_PRODUCT = 0, 1, 2


def shape_words(all_shapes: list[Shapes]) -> tuple[list[int], list[int], list[int], list[int]]:
    """``gk_set_shapes``'s arrays: per automaton its modes by length, byte → class bits, the class numbers of
    each product length and where they start. Classes are numbered per automaton, by first use."""
    modes: list[int] = []
    bits: list[int] = []
    classes: list[int] = []
    off: list[int] = []
    for sh in all_shapes:
        number: dict[int, int] = {}
        for product in sh.by_length:
            off.append(len(classes))
            if product is None:
                modes.append(SH_WALK)
            elif not all(product):  # a position no byte passes: no string of this length is accepted
                modes.append(SH_REJECT)
            else:
                modes.append(SH_PRODUCT)
                classes += [number.setdefault(m, len(number)) for m in product]
        modes.append(SH_REJECT if sh.longer_rejected else SH_WALK)
        bits += [sum(1 << k for m, k in number.items() if m >> b & 1) for b in range(_BYTES)]
    return modes, bits, classes, off
