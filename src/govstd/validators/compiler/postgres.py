"""PostgreSQL: only what it spells differently from ``base.Dialect``.

The checks run inside the database (pushdown). PostgreSQL raises where DuckDB returns NULL
(``make_date``, ``to_timestamp``), so date/time text is matched against a pattern and its fields
checked before anything is built. Regular expressions run on PostgreSQL's ARE engine: IR patterns
(RE2) are rewritten by ``_portable`` (``\\d`` as ``[0-9]`` whatever the database locale, ``.`` not
matching a newline, named groups unnamed). Derived tables get ``OFFSET 0``: without that fence the
planner flattens them and pastes every shared sub-expression into each place it is used.
"""

from __future__ import annotations

from collections.abc import Sequence

from govstd.standards.numbers import gb11643
from govstd.validators.compiler import _portable
from govstd.validators.compiler.base import Dialect
from govstd.validators.compiler.constants import FRACTION_KEPT, WHITESPACE_CHARS


class PostgresDialect(Dialect):
    name = "postgres"

    # ---- regular expressions (ARE) ------------------------------------------------------------

    def regex_full_match(self, x: str, pattern: str) -> str:
        anchored = f"^(?:{_portable.translate_pattern(pattern, 'postgres')})$"
        return f"({x} ~ {self.string_literal(anchored)})"

    def regex_contains(self, x: str, pattern: str) -> str:
        return f"({x} ~ {self.string_literal(_portable.translate_pattern(pattern, 'postgres'))})"

    def regex_replace_all(self, x: str, pattern: str, replacement: str) -> str:
        are = _portable.translate_pattern(pattern, "postgres")
        # In a PostgreSQL replacement '&' is the whole match: a literal one must be escaped.
        repl = replacement.replace("&", "\\&")
        return f"regexp_replace({x}, {self.string_literal(are)}, {self.string_literal(repl)}, 'g')"

    # ---- text and statements ------------------------------------------------------------------

    def trim(self, x: str) -> str:
        # A character set, not a regex: the same result as the base's regex, at a fraction of the cost.
        return f"BTRIM({x}, {self.string_literal(WHITESPACE_CHARS)})"

    def starts_with_one_of(self, x: str, ranges: Sequence[tuple[int, int | None]]) -> str:
        # The database's collation may order text linguistically; "C" orders it by code point.
        # A typed column is compared as its text, as on Spark.
        return super().starts_with_one_of(f'(CAST({x} AS TEXT) COLLATE "C")', ranges)

    def fn_date_text(self, args: list[str]) -> str:
        # Explicit: a date's text form otherwise follows the session's DateStyle.
        return f"TO_CHAR({args[0]}, 'YYYY-MM-DD')"

    def subquery_alias(self, sql: str, alias: str) -> str:
        return f"({sql} OFFSET 0) AS {self.quote_identifier(alias)}"

    # ---- identifier arithmetic ----------------------------------------------------------------
    # PostgreSQL evaluates every occurrence of a sub-expression anew (no common-subexpression
    # elimination): the base spellings, which take an integer apart once per digit, parse it again
    # each time. Here each digit is read on its own, behind one pattern.

    def fn_mod11_2_ok(self, args: list[str]) -> str:
        """GB 11643-1999 校验码 (ISO 7064 MOD 11-2) over 17 digits, weights gb11643.WEIGHTS."""
        (x,) = args
        terms = " + ".join(f"(ASCII({self.substr(x, i, 1)}) - 48) * {w}" for i, w in enumerate(gb11643.WEIGHTS, 1))
        check = f"{self.substr(self.string_literal(gb11643.CHECK_CHARS), f'(({terms}) % 11) + 1', 1)}"
        digits = self.regex_full_match(self.substr(x, 1, 17), "[0-9]{17}")
        return f"(CASE WHEN {digits} THEN {check} = {self.substr(x, 18, 1)} END)"

    def fn_ymd_date(self, args: list[str]) -> str:
        """A real date from 8 digits YYYYMMDD (year 0001 or later)."""
        (x,) = args
        fields = {"Y": self.substr(x, 1, 4), "m": self.substr(x, 5, 2), "d": self.substr(x, 7, 2)}
        year_ok = f"{self.substr(x, 1, 4)} <> '0000'"
        return (f"(CASE WHEN {self.regex_full_match(x, '[0-9]{8}')} AND {year_ok} THEN "
                f"CAST({self._build('TRUE', fields)} AS DATE) END)")

    # ---- date/time text -------------------------------------------------------------------------

    def try_parse_timestamp(self, x: str, layouts: Sequence[str]) -> str:
        # Layouts in order, each first in its canonical form (numbers at full width, single spaces:
        # a string comparison, fields by position), then in its general form (pattern groups, bound
        # once by a one-row subquery). Past the first canonical form, one pattern for all layouts
        # turns away what parses in none — PostgreSQL caches only 32 compiled patterns per session.
        parsed = _portable.layouts(layouts)
        parts: list[str] = []
        for layout in parsed:
            canonical = (f"(TRANSLATE({x}, '{_portable.NONZERO_DIGITS}', '{_portable.ZEROS}') = "
                         f"{self.string_literal(layout.template)})")
            fixed = {f: self.substr(x, start, width)
                     for f, (start, width) in zip(layout.fields, layout.fixed_positions, strict=True)}
            parts.append(self._build(canonical, fixed))
            anchored = self.string_literal(f"^{_portable.translate_pattern(layout.pattern, 'postgres')}$")
            groups = {f: f'"__g"[{i}]' for i, f in enumerate(layout.fields, start=1)}
            general = f'(SELECT {self._build("TRUE", groups)} FROM regexp_match({x}, {anchored}) AS "__m"("__g"))'
            parts.append(f"(CASE WHEN {x} ~ {anchored} THEN {general} END)")
        rest = f"(CASE WHEN {self.regex_full_match(x, _portable.any_layout_pattern(parsed))} THEN " \
               f"COALESCE({', '.join(parts[1:])}) END)"
        return f"COALESCE({parts[0]}, {rest})"

    def _build(self, matched: str, raw: dict[str, str]) -> str:
        n = {f: f"CAST({v} AS INTEGER)" for f, v in raw.items() if f != "f"}
        y, m, d = n["Y"], n["m"], n["d"]
        hh, mi, ss = n.get("H", "0"), n.get("M", "0"), n.get("S", "0")
        leap = f"({y} % 4 = 0 AND ({y} % 100 <> 0 OR {y} % 400 = 0))"
        days = (
            f"(CASE WHEN {m} IN (1, 3, 5, 7, 8, 10, 12) THEN 31 WHEN {m} IN (4, 6, 9, 11) THEN 30 "
            f"WHEN {m} = 2 AND {leap} THEN 29 WHEN {m} = 2 THEN 28 ELSE 0 END)"
        )
        valid = f"{m} BETWEEN 1 AND 12 AND {d} BETWEEN 1 AND {days} AND {hh} <= 23 AND {mi} <= 59 AND {ss} <= 59"
        # DuckDB reads year 0 as 1 BC; PostgreSQL spells 1 BC as year -1.
        year = f"(CASE WHEN {y} = 0 THEN -1 ELSE {y} END)"
        ts = f"make_timestamp({year}, {m}, {d}, {hh}, {mi}, {ss})"
        if "f" in raw:
            # RPAD also cuts a longer fraction (up to LAYOUT_WIDTHS['f'] digits) to its first
            # FRACTION_KEPT: truncated, where PostgreSQL's own timestamp input would round.
            micros = f"CAST(RPAD({raw['f']}, {FRACTION_KEPT}, '0') AS INTEGER)"
            ts = f"({ts} + {micros} * INTERVAL '1 microsecond')"
        # Nested, not AND: PostgreSQL may evaluate AND's operands in any order, and the casts above
        # raise on text that did not match.
        return f"(CASE WHEN {matched} THEN (CASE WHEN {valid} THEN {ts} END) END)"
