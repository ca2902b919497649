"""What the Spark and PostgreSQL dialects share: RE2 patterns rewritten for other regex engines, and
DuckDB's ``strptime`` layouts as regular expressions.

DuckDB is the reference engine, so "the same answer everywhere" means: the same answer as DuckDB.

- Patterns in the IR are RE2 (DuckDB's engine). Java (Spark) and PostgreSQL's ARE differ on exactly
  the things identifier data trips over: ``$`` (Java also matches before a final newline), ``.`` (ARE
  also matches a newline), ``\\d``/``\\s``/``\\w`` (ARE follows the database locale and may match
  full-width digits), named groups (``(?P<n>`` is RE2/Python only). ``translate_pattern`` rewrites a
  pattern token by token and raises ``UnsupportedCheck`` for what the target cannot express.
- ``layout_regex`` turns a strftime layout into a pattern accepting exactly what the DuckDB dialect's
  ``try_parse_timestamp`` accepts (measured, see tests/engines/test_engine_dialects.py): numbers of
  1..width digits (``constants.LAYOUT_WIDTHS``: 4 for ``%Y``, 9 for ``%f``, else 2), greedy without
  backtracking — so in a run of adjacent numbers every number but the last has its full width — a
  space in the layout matching one or more ASCII whitespace characters, and whitespace allowed around
  the value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from govstd.validators.compiler.constants import FRACTION_KEPT, LAYOUT_WIDTHS
from govstd.validators.compiler.expressions import UnsupportedCheck

Target = Literal["java", "postgres"]

#: RE2's Perl classes (ASCII only, as in RE2): what ``\d``, ``\s``, ``\w`` mean in an IR pattern.
_PERL_CLASSES = {"d": "0-9", "s": "\\t\\n\\f\\r ", "w": "0-9A-Za-z_"}
#: RE2's POSIX bracket classes (ASCII only).
_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7F", "blank": "\\t ", "cntrl": "\\x00-\\x1F\\x7F",
    "digit": "0-9", "lower": "a-z", "space": "\\t\\n\\x0B\\f\\r ", "upper": "A-Z", "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_SIMPLE_ESCAPES = {"n": 0x0A, "t": 0x09, "r": 0x0D, "f": 0x0C, "v": 0x0B, "a": 0x07}
#: PostgreSQL's ARE allows at most 255 repetitions in a bound (RE_DUP_MAX).
PG_MAX_REPEAT = 255


class _Unsupported(Exception):
    pass


@dataclass
class _Item:
    """One member of a bracket expression: a code point, a range, or a Perl/POSIX class body."""

    lo: int | None = None
    hi: int | None = None
    cls: str | None = None  # ASCII class body, e.g. '0-9A-Za-z_'
    negated_cls: bool = False


def translate_pattern(pattern: str, target: Target) -> str:
    """An RE2 pattern rewritten for Java (Spark ``RLIKE``) or PostgreSQL (``~``) with the same meaning."""
    try:
        return _Translator(pattern, target).run()
    except _Unsupported as exc:
        engine = "Spark (Java)" if target == "java" else "PostgreSQL"
        raise UnsupportedCheck(f"{engine} regular expressions cannot express {exc} in the pattern {pattern!r}"
                               ) from None


class _Translator:
    def __init__(self, pattern: str, target: Target) -> None:
        self.p = pattern
        self.i = 0
        self.target = target
        self.out: list[str] = []

    # ---- emitting ----------------------------------------------------------------------------

    def char(self, cp: int) -> str:
        """A literal code point, escaped for the target."""
        c = chr(cp)
        if c.isascii() and c.isalnum():
            return c
        if self.target == "postgres":
            return f"\\u{cp:04X}" if cp <= 0xFFFF else f"\\U{cp:08X}"
        return f"\\x{{{cp:X}}}"

    def cls_body(self, body: str) -> str:
        """An ASCII class body written with RE2 escapes (\\t, \\x7F) for the target."""
        out, j = [], 0
        while j < len(body):
            if body[j] == "\\":
                esc = body[j + 1]
                if esc == "x":
                    out.append(self.char(int(body[j + 2 : j + 4], 16)))
                    j += 4
                    continue
                out.append(self.char(_SIMPLE_ESCAPES[esc]))
                j += 2
                continue
            out.append(body[j] if body[j] == "-" or body[j].isalnum() else self.char(ord(body[j])))
            j += 1
        return "".join(out)

    # ---- parsing -----------------------------------------------------------------------------

    def peek(self, k: int = 0) -> str:
        return self.p[self.i + k] if self.i + k < len(self.p) else ""

    def run(self) -> str:
        p = self.p
        while self.i < len(p):
            c = p[self.i]
            if c == "\\":
                self.out.append(self.escape_outside())
            elif c == "[":
                self.out.append(self.bracket())
            elif c == ".":
                self.out.append("[^\\n]" if self.target == "java" else "[^\\u000A]")
                self.i += 1
            elif c == "$":
                # RE2: end of text only. Java's $ also matches before a final line terminator.
                self.out.append("\\z" if self.target == "java" else "$")
                self.i += 1
            elif c == "(":
                self.out.append(self.group())
            elif c == "{":
                self.out.append(self.bound())
            elif c in "^|)*+?":
                self.out.append(c)
                self.i += 1
            else:
                self.out.append(self.char(ord(c)))
                self.i += 1
        return "".join(self.out)

    def bound(self) -> str:
        end = self.p.find("}", self.i)
        body = self.p[self.i + 1 : end] if end > 0 else ""
        parts = body.split(",")
        counts_ok = 1 <= len(parts) <= 2 and parts[0].isdigit() and all(x.isdigit() for x in parts[1:] if x)
        if end < 0 or not counts_ok:
            # RE2 reads a brace that does not start a repetition as a literal.
            self.i += 1
            return self.char(ord("{"))
        if self.target == "postgres" and any(int(x) > PG_MAX_REPEAT for x in parts if x):
            raise _Unsupported(f"a repetition count above {PG_MAX_REPEAT} ({{{body}}})")
        self.i = end + 1
        return "{" + body + "}"

    def group(self) -> str:
        p = self.p
        if p.startswith("(?P<", self.i) or p.startswith("(?<", self.i):
            # Named groups → plain capturing groups (numbering kept): Java spells them (?<n>,
            # PostgreSQL has none, and the name is never used by a compiled check.
            self.i = p.index(">", self.i) + 1
            return "("
        if p.startswith("(?:", self.i):
            self.i += 3
            return "(?:"
        if p.startswith("(?", self.i):
            end = p.find(")", self.i)
            flags = p[self.i + 2 : end].split(":")[0]
            raise _Unsupported(f"the inline flags (?{flags})")
        self.i += 1
        return "("

    def escape_outside(self) -> str:
        item = self.escape()
        if isinstance(item, str):
            return item
        if item.cls is not None:
            body = self.cls_body(item.cls)
            return f"[^{body}]" if item.negated_cls else f"[{body}]"
        assert item.lo is not None
        return self.char(item.lo)

    def escape(self, *, in_class: bool = False) -> _Item | str:
        """Parse the escape at self.i; a literal/class item, or (outside classes) an assertion."""
        p = self.p
        e = self.peek(1)
        if not e:
            raise _Unsupported("a trailing backslash")
        self.i += 2
        if e in "dsw":
            return _Item(cls=_PERL_CLASSES[e])
        if e in "DSW":
            if in_class and self.target == "postgres":
                raise _Unsupported(f"\\{e} inside a bracket expression")
            return _Item(cls=_PERL_CLASSES[e.lower()], negated_cls=True)
        if e in _SIMPLE_ESCAPES:
            return _Item(lo=_SIMPLE_ESCAPES[e])
        if e == "x":
            if self.peek() == "{":
                end = p.index("}", self.i)
                cp = int(p[self.i + 1 : end], 16)
                self.i = end + 1
            else:
                cp = int(p[self.i : self.i + 2], 16)
                self.i += 2
            return _Item(lo=cp)
        if e in "pP":
            if in_class:
                raise _Unsupported(f"\\{e} inside a bracket expression")
            if self.peek() == "{":
                end = p.index("}", self.i)
                name = p[self.i + 1 : end]
                self.i = end + 1
            else:
                name = self.peek()
                self.i += 1
            if self.target == "postgres":
                raise _Unsupported(f"the Unicode class \\{e}{{{name}}}")
            negate = name.startswith("^")
            name = name.lstrip("^")
            upper = "P" if (e == "P") != negate else "p"
            # Java knows general categories by name (L, Lu, Nd…); scripts need the Is prefix.
            is_category = len(name) <= 2 and name[:1] in "LMNPSZC"
            return f"\\{upper}{{{name if is_category else 'Is' + name}}}"
        if in_class:
            if e.isalnum():
                raise _Unsupported(f"the escape \\{e}")
            return _Item(lo=ord(e))
        if e == "A":
            return "\\A" if self.target == "java" else "^"
        if e == "z":
            return "\\z" if self.target == "java" else "$"
        if e in "bB":
            if self.target == "postgres":
                return "\\y" if e == "b" else "\\Y"
            return f"\\{e}"
        if e.isalnum():
            raise _Unsupported(f"the escape \\{e}")
        return _Item(lo=ord(e))

    def bracket(self) -> str:
        p = self.p
        self.i += 1
        negate = self.peek() == "^"
        if negate:
            self.i += 1
        items: list[_Item] = []
        first = True
        while True:
            c = self.peek()
            if not c:
                raise _Unsupported("an unclosed bracket expression")
            if c == "]" and not first:
                self.i += 1
                break
            first = False
            if p.startswith("[:", self.i):
                end = p.index(":]", self.i)
                name = p[self.i + 2 : end]
                neg = name.startswith("^")
                body = _POSIX_CLASSES.get(name.lstrip("^"))
                if body is None:
                    raise _Unsupported(f"the class [:{name}:]")
                if neg:
                    raise _Unsupported(f"the negated class [:{name}:]")
                items.append(_Item(cls=body))
                self.i = end + 2
                continue
            if c == "\\":
                got = self.escape(in_class=True)
                assert isinstance(got, _Item)
                item = got
            else:
                item = _Item(lo=ord(c))
                self.i += 1
            if item.lo is not None and self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.i += 1
                if self.peek() == "\\":
                    hi_item = self.escape(in_class=True)
                    assert isinstance(hi_item, _Item)
                    if hi_item.lo is None:
                        raise _Unsupported("a range ending in a class")
                    item.hi = hi_item.lo
                else:
                    item.hi = ord(self.peek())
                    self.i += 1
            items.append(item)
        parts = []
        for item in items:
            if item.cls is not None:
                if item.negated_cls:
                    # Java nests classes: [^\d] inside [...] is written [^0-9] as a union member.
                    parts.append(f"[^{self.cls_body(item.cls)}]")
                else:
                    parts.append(self.cls_body(item.cls))
            elif item.hi is not None:
                assert item.lo is not None
                parts.append(f"{self.char(item.lo)}-{self.char(item.hi)}")
            else:
                assert item.lo is not None
                parts.append(self.char(item.lo))
        return "[" + ("^" if negate else "") + "".join(parts) + "]"


# --------------------------------------------------------------------------- date/time layouts

#: What DuckDB's strptime counts as a space (StringUtil::CharacterIsSpace).
STRPTIME_SPACE = "[\\t\\n\\x0B\\f\\r ]"


@dataclass(frozen=True)
class Layout:
    """A strftime layout as an RE2 pattern (full match) with one group per field, in ``fields`` order."""

    layout: str
    pattern: str
    fields: tuple[str, ...]
    #: The same layout with every number at full width (a fraction at microseconds, as most exports
    #: write it) and single spaces: fixed character positions (1-based start, width) per field, for a
    #: cheap substring path on the common, canonical form.
    fixed_pattern: str
    fixed_positions: tuple[tuple[int, int], ...]
    #: The canonical form with every digit written 0 ('0000-00-00 00:00:00'): a value is in that form
    #: when mapping its digits to 0 gives this text — a string comparison instead of a regex.
    template: str

    def __post_init__(self) -> None:
        assert not any(c.isdigit() for c in self.template.replace("0", "")), "layout literals are not digits"


def layout_regex(layout: str) -> Layout:
    tokens: list[str] = []
    j = 0
    while j < len(layout):
        if layout[j] == "%":
            directive = layout[j + 1]
            if directive not in LAYOUT_WIDTHS:
                raise UnsupportedCheck(f"date/time directive %{directive} in layout {layout!r}")
            tokens.append("%" + directive)
            j += 2
        else:
            tokens.append(layout[j])
            j += 1
    pattern, fixed, fields, positions, template = [], [], [], [], []
    pos = 1
    for k, tok in enumerate(tokens):
        if tok.startswith("%"):
            width = LAYOUT_WIDTHS[tok[1]]
            adjacent = k + 1 < len(tokens) and tokens[k + 1].startswith("%")
            pattern.append(f"([0-9]{{{width}}})" if adjacent else f"([0-9]{{1,{width}}})")
            full = FRACTION_KEPT if tok[1] == "f" else width
            fixed.append(f"[0-9]{{{full}}}")
            template.append("0" * full)
            fields.append(tok[1])
            positions.append((pos, full))
            pos += full
        elif tok == " ":
            pattern.append(STRPTIME_SPACE + "+")
            fixed.append(" ")
            template.append(" ")
            pos += 1
        else:
            lit = tok if tok.isalnum() else f"\\x{{{ord(tok):X}}}"
            pattern.append(lit)
            fixed.append(lit)
            template.append(tok)
            pos += 1
    body = "".join(pattern)
    return Layout(
        layout=layout,
        pattern=f"{STRPTIME_SPACE}*{body}{STRPTIME_SPACE}*",
        fields=tuple(fields),
        fixed_pattern="".join(fixed),
        fixed_positions=tuple(positions),
        template="".join(template),
    )


#: Digits 1-9 and what ``Layout.template`` writes for them.
NONZERO_DIGITS, ZEROS = "123456789", "000000000"


def any_layout_pattern(parsed: Sequence[Layout]) -> str:
    """One pattern matching whatever any of the layouts' general forms matches: a value that fails it
    parses in no layout (each canonical form is a case of its general form)."""
    return "(?:" + "|".join(f"(?:{lay.pattern})" for lay in parsed) + ")"


def layouts(formats: Sequence[str]) -> list[Layout]:
    return [layout_regex(f) for f in formats]


__all__ = [
    "NONZERO_DIGITS", "PG_MAX_REPEAT", "STRPTIME_SPACE", "ZEROS", "Layout", "any_layout_pattern", "layout_regex",
    "layouts", "translate_pattern",
]
