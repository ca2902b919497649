"""SQLite: only what its SQL spells differently from ``govstd.validators.compiler.base.Dialect``.

Used where GX runs on a SQLite data source. SQLite has no regular-expression functions of its own;
SQLAlchemy's pysqlite driver — which GX always connects through — registers ``regexp(pattern,
value)`` (Python ``re.search``) on every connection, so ``x REGEXP p`` works and patterns use
Python's syntax. Replacing walks the finite character sets the base dialect derives from
``govstd.standards.numbers.normalize`` in a recursive CTE; dates are ISO text.

Dates and times are parsed without ``strptime``: the digits are split into runs by a recursive CTE
and each field cut from its run, reading them as DuckDB's ``strptime`` does (``try_parse_timestamp``);
timestamps are 'YYYY-MM-DD HH:MM:SS.ffffff' text, dates 'YYYY-MM-DD'. Not expressible here
(``UnsupportedCheck``): arbitrary regular-expression replacement.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

from govstd.validators import ir
from govstd.validators.compiler.base import Dialect, UnsupportedCheck
from govstd.validators.compiler.constants import (
    APOSTROPHE_CHARS,
    DASH_CHARS,
    FRACTION_KEPT,
    FULLWIDTH_FROM,
    FULLWIDTH_TO,
    LAYOUT_WIDTHS,
    WHITESPACE_CHARS,
)


class SQLiteDialect(Dialect):
    name = "sqlite"

    def literal(self, value: ir.LiteralValue) -> str:
        # SQLite has no DATE/TIMESTAMP types: dates are ISO text, which compares in date order.
        if isinstance(value, dt.datetime):
            return self.string_literal(
                f"{value.year:04d}-{value:%m-%d %H:%M:%S}.{value.microsecond:06d}")
        if isinstance(value, dt.date):
            return self.string_literal(value.isoformat())
        return super().literal(value)

    def regex_codepoint(self, cp: int) -> str:
        return f"\\u{cp:04X}" if cp <= 0xFFFF else f"\\U{cp:08X}"

    def regex_full_match(self, x: str, pattern: str) -> str:
        return f"({x} REGEXP {self.string_literal(f'^(?:{pattern})' + chr(92) + 'Z')})"

    def regex_contains(self, x: str, pattern: str) -> str:
        return f"({x} REGEXP {self.string_literal(pattern)})"

    def regex_replace_all(self, x: str, pattern: str, replacement: str) -> str:
        raise UnsupportedCheck("SQLite has no regular-expression replacement")

    def translate(self, x: str, src: str, dst: str) -> str:
        return self._rewrite(x, src, dst)

    def _rewrite(self, x: str, src: str, dst: str) -> str:
        """Replace each character of ``src`` in ``x`` by the one of ``dst``. Nested REPLACE calls
        would overflow SQLite's parser stack (about 30 levels); a recursive CTE walks them flat."""
        self._ctes = getattr(self, "_ctes", 0) + 1
        t = f"__govstd_t{self._ctes}"
        to = f"SUBSTR({self.string_literal(dst)}, i, 1)"
        return (
            f"(WITH RECURSIVE {t}(i, s) AS (SELECT 1, {x} UNION ALL SELECT i + 1, "
            f"REPLACE(s, SUBSTR({self.string_literal(src)}, i, 1), {to}) FROM {t} WHERE i <= {len(src)}) "
            f"SELECT s FROM {t} WHERE i = {len(src) + 1})"
        )

    def str_position(self, haystack: str, needle: str) -> str:
        return f"INSTR({haystack}, {needle})"

    def starts_with_one_of(self, x: str, ranges: Sequence[tuple[int, int | None]]) -> str:
        # SQLite orders text by its stored bytes, which in a UTF-16 database is not code point order:
        # compare the first character's code point instead.
        cp = f"UNICODE({x})"
        return "(" + " OR ".join(f"({cp} >= {low}" + (f" AND {cp} < {high})" if high is not None else ")")
                                 for low, high in ranges) + ")"

    def upper(self, x: str) -> str:
        return f"UPPER({x})"  # SQLite's own UPPER maps ASCII letters only, as the base's TRANSLATE does

    def lower(self, x: str) -> str:
        return f"LOWER({x})"

    def try_cast_double(self, x: str) -> str:
        return super().try_cast_double(x).replace("DOUBLE PRECISION", "REAL")

    def make_date(self, y: str, m: str, d: str) -> str:
        return f"printf('%04d-%02d-%02d', {y}, {m}, {d})"

    def trim(self, x: str) -> str:
        return f"TRIM({x}, {self.string_literal(WHITESPACE_CHARS)})"

    def fn_year(self, args: list[str]) -> str:
        return f"CAST(SUBSTR({args[0]}, 1, 4) AS INTEGER)"

    def _let(self, value: str, body: Callable[[str], str]) -> str:
        """``body`` over ``value`` computed once (a correlated derived table binds it to a name)."""
        self._ctes = getattr(self, "_ctes", 0) + 1
        name = f"__govstd_v{self._ctes}"
        return f"(SELECT {body(name)} FROM (SELECT {value} AS {name}))"

    def _normalized(self, x: str, *, drop: str = "", strip_dashes: bool = True) -> str:
        """normalize.normalize's steps in their order, in one flat recursive CTE (nesting one CTE
        per step would overflow SQLite's parser): remove ``drop``, full-width → ASCII, remove
        whitespace, drop one leading apostrophe, remove dashes (if ``strip_dashes``)."""
        self._ctes = getattr(self, "_ctes", 0) + 1
        t = f"__govstd_n{self._ctes}"
        dashes = DASH_CHARS if strip_dashes else ""
        src = drop + FULLWIDTH_FROM + WHITESPACE_CHARS + "'" + dashes
        a = len(drop)
        b = a + len(FULLWIDTH_FROM)
        c = b + len(WHITESPACE_CHARS)
        quotes = ", ".join(self.string_literal(q) for q in APOSTROPHE_CHARS)
        ch = f"SUBSTR({self.string_literal(src)}, i, 1)"
        to = f"SUBSTR({self.string_literal(FULLWIDTH_TO)}, i - {a}, 1)"
        step = (
            f"CASE WHEN i > {a} AND i <= {b} THEN REPLACE(s, {ch}, {to}) "
            f"WHEN i = {c + 1} THEN (CASE WHEN SUBSTR(s, 1, 1) IN ({quotes}) THEN SUBSTR(s, 2) ELSE s END) "
            f"ELSE REPLACE(s, {ch}, '') END"
        )
        return (f"(WITH RECURSIVE {t}(i, s) AS (SELECT 1, {x} UNION ALL SELECT i + 1, {step} FROM {t} "
                f"WHERE i <= {len(src)}) SELECT s FROM {t} WHERE i = {len(src) + 1})")

    def fn_normalize_code(self, args: list[str], strip_dashes: bool = True, uppercase: bool = True) -> str:
        # As the base dialect: a clean value skips the rewriting.
        raw = args[0]
        x = self._normalized(raw, strip_dashes=strip_dashes)
        if uppercase:
            x = self.upper(x)
        clean = "[0-9A-Z.+*]*" if strip_dashes else "[0-9A-Z.+*-]*"
        if not uppercase:
            clean = clean.replace("A-Z", "A-Za-z")
        return f"(CASE WHEN {self.regex_full_match(raw, clean)} THEN {raw} ELSE {x} END)"

    def fn_normalize_phone(self, args: list[str]) -> str:
        raw = args[0]
        code = self.upper(self._normalized(raw, drop="()"))

        def drop_prefix(v: str) -> str:
            # mobile.compact: drop +86 or 0086, or 86 when exactly 11 digits starting with 1 follow.
            return (f"(CASE WHEN SUBSTR({v}, 1, 3) = '+86' THEN SUBSTR({v}, 4) WHEN SUBSTR({v}, 1, 4) = '0086' "
                    f"THEN SUBSTR({v}, 5) WHEN {self.regex_full_match(v, '86[0-9]{11}')} THEN SUBSTR({v}, 3) "
                    f"ELSE {v} END)")

        clean = self.regex_full_match(raw, "1[0-9]{10}")
        return f"(CASE WHEN {clean} THEN {raw} ELSE {self._let(code, drop_prefix)} END)"

    def try_parse_timestamp(self, x: str, layouts: Sequence[str]) -> str:
        """A timestamp ('YYYY-MM-DD HH:MM:SS.ffffff' text) from the first of ``layouts`` that reads
        ``x``, read as DuckDB's strptime reads it: each field greedy up to its width (a year of 1-4
        digits, a month of 1-2, …), a space matching a run of spaces; then checked to be a real
        date and time. Without strptime, the digits are split into runs by a recursive CTE and each
        field is cut from its run."""
        return self._let(x, lambda v: self._let(self._digit_runs(v), lambda g: self._read_layouts(v, g, layouts)))

    def cast_date(self, x: str) -> str:
        return f"SUBSTR({x}, 1, 10)"

    def _digit_runs(self, v: str) -> str:
        """Every run of digits in ``v``, each in a slot of RUN_SLOT characters (space-padded)."""
        self._ctes = getattr(self, "_ctes", 0) + 1
        t = f"__govstd_g{self._ctes}"
        ch = f"SUBSTR({v}, i, 1)"
        pad = "' '" if RUN_SLOT == 1 else self.string_literal(" " * RUN_SLOT)
        return (
            f"(WITH RECURSIVE {t}(i, cur, out) AS (SELECT 1, '', '' UNION ALL SELECT i + 1, "
            f"CASE WHEN {ch} GLOB '[0-9]' THEN cur || {ch} ELSE '' END, "
            f"CASE WHEN {ch} GLOB '[0-9]' OR cur = '' THEN out ELSE out || SUBSTR(cur || {pad}, 1, {RUN_SLOT}) END "
            f"FROM {t} WHERE i <= LENGTH({v}) + 1) SELECT out FROM {t} WHERE i = LENGTH({v}) + 2)"
        )

    def _read_layouts(self, v: str, g: str, layouts: Sequence[str]) -> str:
        branches = []
        for layout in layouts:
            pattern, fields = _layout_fields(layout)
            value = {name: f"CAST(SUBSTR(RTRIM(SUBSTR({g}, {RUN_SLOT * run + 1}, {RUN_SLOT})), {start}"
                           + (f", {width})" if width else ")") + " AS INTEGER)"
                     for name, (run, start, width) in fields.items()}
            y, m, d = value["Y"], value["m"], value["d"]
            hh, mm, ss = value.get("H", "0"), value.get("M", "0"), value.get("S", "0")
            micro = "0"
            if "f" in fields:
                run = fields["f"][0]
                digits = f"RTRIM(SUBSTR({g}, {RUN_SLOT * run + 1}, {RUN_SLOT}))"
                # A fraction's first FRACTION_KEPT digits, as every engine keeps them (the rest truncated).
                micro = f"CAST(SUBSTR({digits} || '{'0' * FRACTION_KEPT}', 1, {FRACTION_KEPT}) AS INTEGER)"
            leap = f"({y} % 4 = 0 AND ({y} % 100 <> 0 OR {y} % 400 = 0))"
            days = (f"(CASE WHEN {m} IN (1, 3, 5, 7, 8, 10, 12) THEN 31 WHEN {m} IN (4, 6, 9, 11) THEN 30 "
                    f"WHEN {m} = 2 AND {leap} THEN 29 WHEN {m} = 2 THEN 28 ELSE 0 END)")
            real = (f"{d} BETWEEN 1 AND {days} AND {hh} BETWEEN 0 AND 23 AND {mm} BETWEEN 0 AND 59 "
                    f"AND {ss} BETWEEN 0 AND 59")
            text = f"printf('%04d-%02d-%02d %02d:%02d:%02d.%06d', {y}, {m}, {d}, {hh}, {mm}, {ss}, {micro})"
            branches.append(f"WHEN {self.regex_full_match(v, pattern)} THEN (CASE WHEN {real} THEN {text} END)")
        return f"(CASE {' '.join(branches)} END)"


#: Width of one digit run in the split form (longer runs fail every layout's pattern anyway).
RUN_SLOT = 20
_WHITESPACE_RUN = "[ \\t\\n\\r\\f\\v]+"


def _layout_fields(layout: str) -> tuple[str, dict[str, tuple[int, int, int | None]]]:
    """(Python pattern mirroring strptime's greedy reading, field → (digit run, start, width|None)).
    Fields written next to each other share a run: all but the last take their full width."""
    parts = re.findall(r"%([YmdHMSf])|([^%]+)", layout)
    pattern = ""
    fields: dict[str, tuple[int, int, int | None]] = {}
    run, start = -1, 1
    previous_was_field = False
    for i, (name, text) in enumerate(parts):
        if name:
            width = LAYOUT_WIDTHS[name]
            last_in_run = i + 1 == len(parts) or not parts[i + 1][0]
            if not previous_was_field:
                run, start = run + 1, 1
            pattern += f"[0-9]{{1,{width}}}+" if last_in_run else f"[0-9]{{{width}}}"
            fields[name] = (run, start, None if last_in_run else width)
            start += width
            previous_was_field = True
        else:
            pattern += "".join(_WHITESPACE_RUN if c == " " else re.escape(c) for c in text)
            previous_was_field = False
    return pattern, fields


__all__ = ["SQLiteDialect"]
