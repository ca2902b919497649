"""DuckDB: only what its SQL spells differently from ``base.Dialect``."""

from __future__ import annotations

from collections.abc import Sequence

from govstd.validators.compiler.base import Dialect
from govstd.validators.compiler.constants import FRACTION_KEPT, INTEGER_PATTERN, LAYOUT_WIDTHS, NUMBER_PATTERN


class DuckDBDialect(Dialect):
    name = "duckdb"

    def regex_full_match(self, x: str, pattern: str) -> str:
        return f"regexp_full_match({x}, {self.string_literal(pattern)})"

    def regex_contains(self, x: str, pattern: str) -> str:
        return f"regexp_matches({x}, {self.string_literal(pattern)})"

    def regex_replace_all(self, x: str, pattern: str, replacement: str) -> str:
        return f"regexp_replace({x}, {self.string_literal(pattern)}, {self.string_literal(replacement)}, 'g')"

    def last_char(self, x: str) -> str:
        return f"{x}[-1]"  # a code point, like SUBSTR(x, LENGTH(x), 1), without counting the characters

    def int_div(self, a: str, b: str) -> str:
        return f"({a} // {b})"

    def try_cast_integer(self, x: str) -> str:
        return f"TRY_CAST({x} AS BIGINT)"

    def fn_to_integer(self, args: list[str]) -> str:
        # DuckDB's TRY_CAST rounds '1.5' to 2 and reads '1e3'; an integer column must hold digits only.
        # (try_cast_integer stays bare: the identifier checks call it on text a pattern already vetted.)
        x = args[0]
        return f"(CASE WHEN {self.regex_full_match(x, INTEGER_PATTERN)} THEN TRY_CAST({x} AS BIGINT) END)"

    def try_cast_double(self, x: str) -> str:
        # TRY_CAST alone would accept 'inf', 'nan' and '1e5'; the pattern keeps plain decimals only.
        return f"(CASE WHEN {self.regex_full_match(x, NUMBER_PATTERN)} THEN TRY_CAST({x} AS DOUBLE) END)"

    def make_date(self, y: str, m: str, d: str) -> str:
        return f"make_date(CAST({y} AS BIGINT), CAST({m} AS BIGINT), CAST({d} AS BIGINT))"

    def try_parse_timestamp(self, x: str, layouts: Sequence[str]) -> str:
        # The first layout alone is an order of magnitude cheaper than a list; COALESCE only tries the
        # others on the rows the first one did not parse. try_strptime reads the words 'infinity' and
        # '-infinity' (any case) with every layout, as the largest and smallest timestamps: no date was
        # written there, so they are no value (isfinite; DuckDB computes the repeated parse once).
        arms = [f"try_strptime({x}, {self.string_literal(layouts[0])})"]
        if len(layouts) > 1:
            arms.append(f"try_strptime({x}, [{', '.join(self.string_literal(f) for f in layouts[1:])}])")
        fractions = [f for f in layouts if "%f" in f]
        if fractions:
            arms.append(self._long_fraction(x, fractions))
        parsed = arms[0] if len(arms) == 1 else f"COALESCE({', '.join(arms)})"
        return f"(CASE WHEN isfinite({parsed}) THEN {parsed} END)"

    def _long_fraction(self, x: str, fractions: Sequence[str]) -> str:
        """``x`` read by the layouts with a fraction, its fraction cut to FRACTION_KEPT digits first.

        DuckDB's ``%f`` reads at most 6 digits and fails on a 7th; its ``%n`` reads 9, but into a
        TIMESTAMP_NS, which holds only the years 1677-2262 and rounds when cast to TIMESTAMP. So the
        digits past the sixth (up to LAYOUT_WIDTHS['f']) are cut off the text: only on the rows no layout
        read as written (COALESCE's last arm). Exact, not a guess: each layout here has one '.', just
        before ``%f``, and a cut removes digits only — text with another '.' parses in none of them
        either way, and a fraction of more digits keeps more than 6 and still fails."""
        assert all(f.count(".") == 1 and ".%f" in f for f in fractions), fractions
        extra = LAYOUT_WIDTHS["f"] - FRACTION_KEPT
        cut = self.regex_replace_all(x, f"([.][0-9]{{{FRACTION_KEPT}}})[0-9]{{1,{extra}}}", "\\1")
        names = [self.string_literal(f) for f in fractions]
        return f"try_strptime({cut}, {names[0] if len(names) == 1 else '[' + ', '.join(names) + ']'})"

    def fn_date_text(self, args: list[str]) -> str:
        return f"STRFTIME({args[0]}, '%Y-%m-%d')"

    def count_if(self, cond: str) -> str:
        # count_if is ~20x faster than COUNT(*) FILTER (WHERE …) in DuckDB, with the same result.
        return f"count_if({cond})"
