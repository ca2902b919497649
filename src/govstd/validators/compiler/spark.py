"""Spark SQL: only what it spells differently from ``base.Dialect``.

Written for Spark 4 with ANSI mode on (its default): nothing here may raise on bad data, so casts are
``try_cast`` behind a pattern, timestamps come from ``try_make_timestamp_ntz`` and date/time values
are ``TIMESTAMP_NTZ`` (the wall-clock time in the data, never shifted by a session time zone).
Regular expressions run on Java's engine: IR patterns (RE2) are rewritten by ``_portable``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from govstd.validators import ir
from govstd.validators.compiler import _portable
from govstd.validators.compiler.base import Dialect
from govstd.validators.compiler.constants import FRACTION_KEPT, INTEGER_PATTERN, NUMBER_PATTERN, WHITESPACE_CHARS

#: Layouts whose canonical form (every number at full width) Spark's CAST AS TIMESTAMP_NTZ reads
#: exactly: ISO 8601 extended dates and date-times.
ISO_CASTABLE = frozenset({
    "%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
})


class SparkDialect(Dialect):
    name = "spark"

    def __init__(self, *, escaped_string_literals: bool = False) -> None:
        #: ``spark.sql.parser.escapedStringLiterals``: when true, Spark reads backslashes literally.
        self.escaped_string_literals = escaped_string_literals

    # ---- quoting -----------------------------------------------------------------------------

    def quote_identifier(self, name: str) -> str:
        if "\x00" in name:
            return super().quote_identifier(name)  # raises
        return "`" + name.replace("`", "``") + "`"

    def string_literal(self, value: str) -> str:
        super().string_literal(value)  # rejects NUL
        if self.escaped_string_literals:
            return "'" + value.replace("'", "''") + "'"
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def literal(self, value: ir.LiteralValue) -> str:
        if isinstance(value, dt.datetime):
            return f"TIMESTAMP_NTZ {self.string_literal(value.replace(tzinfo=None).isoformat(sep=' '))}"
        return super().literal(value)

    # ---- regular expressions (Java) ----------------------------------------------------------

    def fn_date_text(self, args: list[str]) -> str:
        return f"DATE_FORMAT({args[0]}, 'yyyy-MM-dd')"

    def regex_full_match(self, x: str, pattern: str) -> str:
        anchored = rf"^(?:{_portable.translate_pattern(pattern, 'java')})\z"
        return f"({x} RLIKE {self.string_literal(anchored)})"

    def regex_contains(self, x: str, pattern: str) -> str:
        return f"({x} RLIKE {self.string_literal(_portable.translate_pattern(pattern, 'java'))})"

    def regex_replace_all(self, x: str, pattern: str, replacement: str) -> str:
        java = self.string_literal(_portable.translate_pattern(pattern, "java"))
        return f"regexp_replace({x}, {java}, {self.string_literal(_java_replacement(replacement))})"

    # ---- numbers, text, dates ----------------------------------------------------------------

    def str_position(self, haystack: str, needle: str) -> str:
        return f"instr({haystack}, {needle})"

    def int_div(self, a: str, b: str) -> str:
        return f"({a} DIV {b})"

    def try_cast_integer(self, x: str) -> str:
        # Called on text a pattern has already vetted (identifier parts, YYYYMMDD): try_cast alone, as
        # DuckDB's TRY_CAST. It reads no '1.5', '1e3' or full-width digits.
        return f"try_cast({x} AS BIGINT)"

    def fn_to_integer(self, args: list[str]) -> str:
        # An integer column holds digits (and a sign) only: try_cast alone also reads 19-digit numbers.
        x = self.trim(args[0])
        return f"(CASE WHEN {self.regex_full_match(x, INTEGER_PATTERN)} THEN try_cast({x} AS BIGINT) END)"

    def try_cast_double(self, x: str) -> str:
        return f"(CASE WHEN {self.regex_full_match(x, NUMBER_PATTERN)} THEN try_cast({x} AS DOUBLE) END)"

    def make_date(self, y: str, m: str, d: str) -> str:
        # make_date raises on an invalid date in ANSI mode, even behind a CASE that Spark's common
        # subexpression elimination may hoist; the try_ form never raises.
        return f"CAST(try_make_timestamp_ntz(CAST({y} AS INT), CAST({m} AS INT), CAST({d} AS INT), 0, 0, 0) AS DATE)"

    def starts_with_one_of(self, x: str, ranges: Sequence[tuple[int, int | None]]) -> str:
        # A typed column (GX on a Spark table) compared with a string literal would be cast to the
        # column's type, and fail in ANSI mode: compare its text.
        return super().starts_with_one_of(f"CAST({x} AS STRING)", ranges)

    def trim(self, x: str) -> str:
        # A character set, not a regex: the same result as the base's regex, at a fraction of the cost.
        return f"TRIM(BOTH {self.string_literal(WHITESPACE_CHARS)} FROM {x})"

    def try_parse_timestamp(self, x: str, layouts: Sequence[str]) -> str:
        # Layouts in order, each first in its canonical form (numbers at full width, single spaces: a
        # string comparison; Spark's own cast where the form is ISO 8601, else fields by position),
        # then in its general form (pattern groups). Past the first canonical form, one pattern for
        # all layouts turns away what parses in none.
        parsed = _portable.layouts(layouts)
        parts: list[str] = []
        for layout in parsed:
            canonical = (f"(translate({x}, '{_portable.NONZERO_DIGITS}', '{_portable.ZEROS}') = "
                         f"{self.string_literal(layout.template)})")
            if layout.layout in ISO_CASTABLE:
                parts.append(f"(CASE WHEN {canonical} THEN try_cast({x} AS TIMESTAMP_NTZ) END)")
            else:
                raw = {f: self.substr(x, start, width)
                       for f, (start, width) in zip(layout.fields, layout.fixed_positions, strict=True)}
                parts.append(f"(CASE WHEN {canonical} THEN {self._timestamp(raw)} END)")
            anchored = rf"^(?:{_portable.translate_pattern(layout.pattern, 'java')})\z"
            java = self.string_literal(anchored)
            # regexp_extract yields '' when the (anchored) pattern does not match: the fields are then NULL.
            parts.append(self._timestamp({f: f"regexp_extract({x}, {java}, {i})"
                                          for i, f in enumerate(layout.fields, start=1)}))
        rest = f"(CASE WHEN {self.regex_full_match(x, _portable.any_layout_pattern(parsed))} THEN " \
               f"COALESCE({', '.join(parts[1:])}) END)"
        return f"COALESCE({parts[0]}, {rest})"

    def _timestamp(self, raw: dict[str, str]) -> str:
        value = {f: f"try_cast({v} AS INT)" for f, v in raw.items() if f != "f"}
        seconds = "0"
        if "S" in raw:
            seconds = f"try_cast({raw['S']} AS DECIMAL(8, 6))"
            if "f" in raw:
                # A fraction of up to LAYOUT_WIDTHS['f'] digits, cut to FRACTION_KEPT first: the cast to
                # DECIMAL(8, 6) would round it (59.9999999 to 60, which Spark carries into the next minute).
                fraction = f"substr({raw['f']}, 1, {FRACTION_KEPT})"
                seconds = f"try_cast(({raw['S']} || '.' || {fraction}) AS DECIMAL(8, 6))"
            # Spark rolls second 60 over to the next minute; DuckDB (the reference) rejects it.
            seconds = f"(CASE WHEN {value['S']} <= 59 THEN {seconds} END)"
        return (f"try_make_timestamp_ntz({value['Y']}, {value['m']}, {value['d']}, {value.get('H', '0')}, "
                f"{value.get('M', '0')}, {seconds})")

    def count_if(self, cond: str) -> str:
        return f"count_if({cond})"

    def join_distinct(self, x: str, separator: str) -> str:
        # No STRING_AGG(DISTINCT … ORDER BY …): a sorted set, joined; an empty set is NULL as elsewhere.
        return f"NULLIF(array_join(array_sort(collect_set({x})), {self.string_literal(separator)}), '')"

    def count_distinct_if(self, exprs: Sequence[str], cond: str) -> str:
        # Spark counts distinct tuples of several expressions natively (rows with a NULL part are not
        # counted; key parts are never NULL where the key is present).
        inner = ", ".join(f"CASE WHEN {cond} THEN {e} END" for e in exprs)
        return f"COUNT(DISTINCT {inner})"


def _java_replacement(replacement: str) -> str:
    """An RE2-style replacement (``\\1`` for a group) in Java's spelling (``$1``; ``$`` and ``\\`` escaped)."""
    out, i = [], 0
    while i < len(replacement):
        c = replacement[i]
        if c == "\\" and i + 1 < len(replacement):
            nxt = replacement[i + 1]
            out.append(f"${nxt}" if nxt.isdigit() else "\\" + nxt)
            i += 2
            continue
        out.append("\\$" if c == "$" else c)
        i += 1
    return "".join(out)
