"""A pattern matched by its per-length shape accepts exactly what the automaton's walk and ``re.fullmatch`` accept.

``automata.shapes`` finds, per value length, where a pattern's language is exactly a product of per-position byte
classes, and _kernel.c then tests each byte against its class instead of walking the automaton. The derivation
is held to brute force on small random patterns (it finds a product exactly when the language is one), and the
C match (``gk_match``: OP_MATCH's path, or the walk alone) to the walk and to Python's ``re`` (ASCII mode, where
``[0-9]`` and RE2 agree) on every pattern the derived suites emit: values drawn from each product, each with
one position put outside its class, every length, non-ASCII and invalid UTF-8 bytes, the empty value.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import kernel_testlib as lib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from govstd import kernel
from govstd.kernel.automata import MAX_SHAPE_LEN, compile_pattern, shapes
from govstd.validators import ir
from govstd.validators.compiler.base import EXCEL_PATTERN
from govstd.validators.derive import derive, service_item_codes_from

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _patterns(node: Any, out: set[str]) -> None:
    """Every pattern an IR tree matches against (``matches`` and ``excel_damaged``)."""
    if isinstance(node, ir.Func):
        if node.name == "matches":
            out.add(str(node.params["pattern"]))
        elif node.name == "excel_damaged":
            out.add(EXCEL_PATTERN)
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            _patterns(getattr(node, name), out)
    elif isinstance(node, (list, tuple)):
        for item in node:
            _patterns(item, out)


def _derived_patterns() -> list[str]:
    found: set[str] = set()
    for schema in lib.SCHEMAS.values():  # the service-item layouts come from ITEMS
        _patterns(derive(schema, today=lib.TODAY, service_items=service_item_codes_from(lib.ITEMS)).suite, found)
    _patterns(lib.function_suite(), found)
    return sorted(found)


PATTERNS = _derived_patterns()
DATETIME = r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?)?"


class _Matcher:
    """The patterns loaded into one kernel plan; ``match`` as OP_MATCH does it, ``walk`` by the automaton alone."""

    def __init__(self, patterns: list[str]) -> None:
        loaded = kernel.load()
        assert loaded is not None, "the native check kernel must be built"
        self.lib = loaded
        self.index = {p: d for d, p in enumerate(patterns)}
        self.k = kernel.Kernel(self.lib, kernel.Plan(automata=[compile_pattern(p) for p in patterns]))

    def both(self, pattern: str, value: bytes) -> tuple[bool, bool]:
        d = self.index[pattern]
        return (bool(self.lib.gk_match(self.k.handle, d, value, len(value), 1)),
                bool(self.lib.gk_match(self.k.handle, d, value, len(value), 0)))


@pytest.fixture(scope="module")
def matcher() -> Any:
    m = _Matcher(PATTERNS)
    yield m
    m.k.close()


def _re(pattern: str, value: bytes) -> bool | None:
    """``re.fullmatch`` on the text, or None for bytes that are not UTF-8 (the automaton is the oracle there)."""
    try:
        text = value.decode()
    except UnicodeDecodeError:
        return None
    return re.fullmatch(pattern, text, re.ASCII) is not None


def _agree(m: _Matcher, pattern: str, value: bytes) -> bool:
    shaped, walked = m.both(pattern, value)
    assert shaped == walked, (pattern, value)
    expected = _re(pattern, value)
    assert expected is None or shaped == expected, (pattern, value)
    return shaped


def test_the_derived_suites_give_shapes() -> None:
    """The benchmark's near-unique columns are matched by shape: the ID, phone and date-time layouts."""
    assert {r"[0-9]{17}[0-9X]", "1[3-9][0-9]{9}", DATETIME} <= set(PATTERNS)
    shaped = {p for p in PATTERNS if any(s is not None and all(s) for s in shapes(compile_pattern(p)).by_length)}
    assert {r"[0-9]{17}[0-9X]", "1[3-9][0-9]{9}", DATETIME} <= shaped


def test_known_shapes() -> None:
    id_shape = shapes(compile_pattern(r"[0-9]{17}[0-9X]"))
    digits, last = sum(1 << b for b in b"0123456789"), sum(1 << b for b in b"0123456789X")
    assert id_shape.by_length[18] == (digits,) * 17 + (last,)
    assert all(id_shape.by_length[n] == (0,) * n for n in range(1, MAX_SHAPE_LEN + 1) if n != 18)
    assert id_shape.longer_rejected
    dt_shape = shapes(compile_pattern(DATETIME))
    assert [n for n, s in enumerate(dt_shape.by_length) if s is not None and all(s)] == \
        [10, 16, 19, *range(21, 30)]
    assert dt_shape.by_length[16] is not None and dt_shape.by_length[16][10] == (1 << ord("T")) | (1 << ord(" "))
    assert dt_shape.longer_rejected  # at most 29 bytes
    assert not shapes(compile_pattern("[0-9]+")).longer_rejected


@pytest.mark.parametrize(("pattern", "length"), [
    ("(ab|cd)", 2), ("ab|ba", 2), ("a(bc|cd)", 3), (".*[0-9],[0-9]{3}.*", 6), ("(00|11)", 2),
    # the strict phone shapes: 1[38]x / 14[57] / … are a union of products, not one
    (r"^(?:1(?:610[0-9]|740[0-5])[0-9]{6}|1(?:[38][0-9]|4[57]|[59][0-35-9]|6[25-7]|7[0-35-8])[0-9]{8})$", 11),
    ("(?:[0-9A-Z]{12}|[0-9A-Z]{14}|[A-Z]-[0-9]{6}-[0-9]{3})", 12),
])
def test_not_a_product_gets_no_shape(pattern: str, length: int) -> None:
    assert shapes(compile_pattern(pattern)).by_length[length] is None


def test_a_union_that_is_a_product_gets_one() -> None:
    sh = shapes(compile_pattern("ab|ac|[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{8}"))
    assert sh.by_length[2] == (1 << ord("a"), (1 << ord("b")) | (1 << ord("c")))
    assert sh.by_length[8] is not None and sh.by_length[10] is not None
    assert sh.by_length[0] is None  # the empty value is not accepted: the walk (one load) says so


# Small random patterns over a, b, c: brute force over every string of a length decides whether the language
# there is a product, and what it holds.
_ATOMS = st.sampled_from(["a", "b", "c", "[ab]", "[bc]", "[abc]"])
_SMALL = st.recursive(
    _ATOMS,
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda t: t[0] + t[1]),
        st.tuples(inner, inner).map(lambda t: f"(?:{t[0]}|{t[1]})"),
        st.tuples(inner, st.sampled_from(["?", "*", "+", "{2}", "{0,2}", "{1,3}"])).map(lambda t: f"(?:{t[0]}){t[1]}"),
    ),
    max_leaves=6,
)


@SETTINGS
@given(_SMALL)
def test_derivation_against_brute_force(pattern: str) -> None:
    sh = shapes(compile_pattern(pattern))
    for n in range(6):
        words = ["".join(w) for w in itertools.product("abcd", repeat=n)]
        accepted = {w for w in words if re.fullmatch(pattern, w)}
        columns = [{w[i] for w in accepted} for i in range(n)]
        is_product = {w for w in words if all(w[i] in columns[i] for i in range(n))} == accepted
        product = sh.by_length[n]
        if n == 0:  # zero positions: the product {""}, a shape only when "" is accepted
            assert (product is not None) == bool(accepted)
            continue
        assert (product is not None) == is_product, (pattern, n)
        if product is not None:
            assert {w for w in words if all(product[i] >> ord(w[i]) & 1 for i in range(n))} == accepted


@st.composite
def _shaped_value(draw: Any) -> tuple[str, bytes, bytes]:
    """A pattern, a value drawn from one of its products, and the same value with one byte outside its class."""
    options = [(p, s) for p in PATTERNS for s in shapes(compile_pattern(p)).by_length if s and all(s)]
    pattern, product = draw(st.sampled_from(options))
    value = bytes(draw(st.sampled_from([b for b in range(256) if m >> b & 1])) for m in product)
    i = draw(st.integers(0, len(product) - 1))
    outside = [b for b in range(256) if not product[i] >> b & 1]
    wrong = draw(st.one_of(st.sampled_from([b for b in outside if b < 128]), st.sampled_from(outside)))
    return pattern, value, value[:i] + bytes([wrong]) + value[i + 1:]


@SETTINGS
@given(_shaped_value())
def test_shape_accepts_its_product_and_rejects_a_byte_off(matcher: _Matcher, case: tuple[str, bytes, bytes]) -> None:
    pattern, value, near = case
    assert _agree(matcher, pattern, value)
    assert not _agree(matcher, pattern, near)


_NEAR_TEXT = st.text(alphabet=st.sampled_from("0123456789X-: T.,+eE8601AZMa'*\n张１"), max_size=MAX_SHAPE_LEN + 4)


@SETTINGS
@given(st.sampled_from(PATTERNS), st.one_of(_NEAR_TEXT, st.text(max_size=40),
                                            st.binary(max_size=MAX_SHAPE_LEN + 4).map(lambda b: b.decode("latin-1"))))
def test_match_equals_walk_and_re(matcher: _Matcher, pattern: str, text: str) -> None:
    _agree(matcher, pattern, text.encode())


def test_every_length_and_edge(matcher: _Matcher) -> None:
    """Each pattern on values of every length up to past the bound, from its own characters, and the edges."""
    for pattern in PATTERNS:
        for n in range(MAX_SHAPE_LEN + 3):
            for fill in ("0", "9", "X", "-", "A"):
                _agree(matcher, pattern, (fill * n).encode())
        for value in (b"", b"\x00", "张三".encode(), b"\xff" * 18, lib.IDS[0].encode(),
                      b"2024-01-31 10:20:30.123456789"):
            _agree(matcher, pattern, value)
