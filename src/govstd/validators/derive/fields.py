"""Field checks: not null, representation (type, length, pattern), code sets, numeric ranges,
sentinel values and whitespace in free text; identifier fields go to their standard's checks.
"""

from __future__ import annotations

import re

from govstd.standards import numbers
from govstd.standards.models import (
    DataType,
    StandardByRule,
)
from govstd.standards.numbers.gbt7408 import CANONICAL_DATE_PATTERN, CANONICAL_DATETIME_PATTERN
from govstd.validators.derive.base import as_date, field_label, number_text
from govstd.validators.derive.bindings import Binding
from govstd.validators.derive.codes import NUMBER_CELL_PATTERN, accepted_values, code_set_match, zero_stripped
from govstd.validators.derive.identifiers import IdentifierChecks
from govstd.validators.ir import Expr, and_, cmp, col, eq, fn, in_values, is_null, lit, not_

#: Why a value fails the type check, named in its breakdown (the value stays an error: never repaired).
#: Amounts written for display — thousands separators (1,234.50: ',' is also a decimal comma in other
#: exports) or a currency sign (￥, 元) — and, in a date column, a 5-digit Excel serial (45292 is
#: 2024-01-01 in Excel's 1900 system; 1904-system workbooks shift it by 1,462 days, so it is not converted)
#: or a date-time where the catalogue declares a date (declare ``datetime`` if the export carries times).
#: Every pattern is ASCII (literals, negated classes) so the native kernel runs it (govstd.kernel.automata).
#
# A number with a sign or unit text before or after it (￥1234.50, 1234.50元, $12).
_AROUND_NUMBER = r"[+-]?([^0-9,.+-]+[0-9][0-9,.]*|[0-9][0-9,.]*[^0-9,.+-]+|[^0-9,.+-]+[0-9][0-9,.]*[^0-9,.+-]+)"
TYPE_CAUSES: dict[DataType, dict[str, str]] = {
    DataType.DECIMAL: {"thousands_separator": r".*[0-9],[0-9]{3}.*", "currency_or_unit": _AROUND_NUMBER},
    DataType.INTEGER: {"thousands_separator": r".*[0-9],[0-9]{3}.*", "number_format": r"[+-]?[0-9]+\.0+",
                       "currency_or_unit": _AROUND_NUMBER},
    DataType.DATE: {"excel_serial": r"[0-9]{5}(\.[0-9]+)?", "with_time": r".*[0-9][ T][0-9]{1,2}:[0-9].*"},
    DataType.DATETIME: {"excel_serial": r"[0-9]{5}(\.[0-9]+)?"},
}
#: What department exports write for "no value" in a typed or coded column (from practice, not a standard:
#: unsure whether the list is complete). Such a value is read as empty — a missing required value, else
#: left out of the format checks — and reported by ``<field>.placeholder`` (warning, 规范性), instead of
#: failing a code set, a length or a date type for a reason that is not the value's.
PLACEHOLDERS: tuple[str, ...] = ("无", "暂无", "空", "/", "／", "\\", "-", "--", "—", "——", "NULL", "null", "Null",
                                 "None", "N/A", "n/a", "#N/A")
CANONICAL_PATTERNS = {DataType.DATE: CANONICAL_DATE_PATTERN, DataType.DATETIME: CANONICAL_DATETIME_PATTERN}


def canonical_example(data_type: DataType) -> str:
    return "2024-01-05 or 20240105" if data_type == DataType.DATE else "2024-01-05 09:30:00 or 2024-01-05T09:30:00"


class FieldChecks(IdentifierChecks):
    """The field layer of the builder: every check on one column."""

    def field_checks(self, b: Binding) -> None:
        name, spec = b.name, b.spec
        raw = col(name)
        present: Expr = not_(fn("is_blank", raw))
        value = fn("trim", raw)
        placeholder = self.placeholder_of(b, value)
        if spec.required:
            self.row(f"{name}.not_null", "not_null", [name],
                     f"{field_label(spec)} must not be empty" + ("" if placeholder is None else
                                                                  " (a placeholder such as 无 or / is empty)"),
                     expect=self.has_value(b))
        if spec.sentinels:
            present = self.sentinel(b, value, present)
        if placeholder is not None:
            self.row(f"{name}.placeholder", "normalised", [name],
                     f"no placeholder ({', '.join(PLACEHOLDERS)}) for a missing value: it is read as empty (left "
                     "out of every other check) but an empty cell is how a missing value is written (规范性)",
                     expect=not_(placeholder), applies=present, severity="warning", unmeasured=f"no {name} value")
            present = and_(present, not_(placeholder))
        if b.algorithm in numbers.MOD11_2_FAMILY:
            self.mod11_2(b, raw, present)
        elif b.algorithm == "gb32100":
            self.uscc(b, raw, present)
        elif b.algorithm == "gb11714":
            self.org_code(b, raw, present)
        elif b.algorithm == "mobile":
            self.phone(b, raw, present)
        elif b.algorithm == "service_item":
            self.service_item(b, raw, present)
        else:
            self.representation(b, value, present)
        if spec.length is not None:
            self.row(f"{name}.max_length", "length", [name], f"at most {spec.length} characters (catalogue 信息项长度)",
                     expect=cmp(fn("length", value), "<=", lit(spec.length)), applies=present)
        if b.code_set is not None:
            self.code_set(b, value, present)
        self.numeric_range(b, value, present)
        self.free_text(b, raw, present)

    def has_value(self, b: Binding) -> Expr:
        """Column ``b`` holds a value: not blank and not a placeholder (``placeholder_of``). The one notion of
        "empty" that not_null and the rules (``required_if``) share, so 无 or / is missing in both."""
        present = not_(fn("is_blank", col(b.name)))
        placeholder = self.placeholder_of(b, fn("trim", col(b.name)))
        return present if placeholder is None else and_(present, not_(placeholder))

    def placeholder_of(self, b: Binding, value: Expr) -> Expr | None:
        """Where the (trimmed) value is a placeholder for "no value" — in a field whose values have a
        type, a standard or a code set, which no placeholder can be. None for free text (备注 无 is
        an answer) and for a field declaring the placeholder a sentinel."""
        spec = b.spec
        data_type = spec.data_type if spec.data_type != DataType.STRING or b.element is None else b.element.data_type
        if not (b.is_identifier or b.algorithm or b.code_set is not None or data_type != DataType.STRING):
            return None
        listed = [p for p in PLACEHOLDERS if p not in spec.sentinels]
        return in_values(value, listed) if listed else None

    def representation(self, b: Binding, value: Expr, present: Expr) -> None:
        """Fields without an identifier algorithm: type, length and pattern of the bound element."""
        name, spec = b.name, b.spec
        data_type = spec.data_type if spec.data_type != DataType.STRING or b.element is None else b.element.data_type
        parsed = {
            DataType.INTEGER: fn("to_integer", value),
            DataType.DECIMAL: fn("to_number", value),
            DataType.DATE: fn("to_date", value),
            DataType.DATETIME: fn("to_timestamp", value),
        }.get(data_type)
        if parsed is not None:
            self.row(f"{name}.type", "type", [name],
                     f"{field_label(spec)} is a {data_type.value} ({data_type.label_zh})",
                     expect=not_(is_null(parsed)), applies=present,
                     breakdown={k: fn("matches", value, pattern=p) for k, p in TYPE_CAUSES.get(data_type, {}).items()})
            canonical = CANONICAL_PATTERNS.get(data_type)
            if canonical is not None:
                self.row(f"{name}.normalised", "normalised", [name],
                         f"written as GB/T 7408.1 (ISO 8601) {data_type.value} ({canonical_example(data_type)}); "
                         "another layout (2024/1/5, 2024年1月5日) or surrounding spaces is read as the same "
                         "value but does not conform (规范性)",
                         expect=and_(eq(col(name), value), fn("matches", value, pattern=canonical)),
                         applies=and_(present, not_(is_null(parsed))), severity="warning",
                         breakdown={"layout": not_(fn("matches", value, pattern=canonical)),
                                    "whitespace": not_(eq(col(name), value))},
                         unmeasured=f"no {name} value is a {data_type.value}")
            elif b.code_set is None:  # a code set's own normalised check reports the whitespace
                self.padded(b, value, and_(present, not_(is_null(parsed))), f"no {name} value is a {data_type.value}")
        elif data_type == DataType.BOOLEAN:
            self.row(f"{name}.type", "type", [name], f"{field_label(spec)} is a boolean",
                     expect=fn("is_boolean", value), applies=present)
            if b.code_set is None:
                self.padded(b, value, and_(present, fn("is_boolean", value)), f"no {name} value is a boolean")
        rep = b.element.representation if b.element is not None else None
        if rep is not None and (rep.min_length is not None or rep.max_length is not None):
            length = fn("length", value)
            conds = []
            if rep.min_length is not None:
                conds.append(cmp(length, ">=", lit(rep.min_length)))
            if rep.max_length is not None:
                conds.append(cmp(length, "<=", lit(rep.max_length)))
            self.row(f"{name}.length", "length", [name],
                     f"{rep.min_length or 0}–{rep.max_length or '∞'} characters ({b.element.id if b.element else ''})",
                     expect=and_(*conds), applies=present)
        pattern = spec.pattern or (rep.pattern if rep is not None and b.code_set is None else None)
        if pattern:
            self.row(f"{name}.pattern", "pattern", [name], f"matches {pattern}",
                     expect=fn("matches", value, pattern=pattern), applies=present)

    def code_set(self, b: Binding, value: Expr, present: Expr) -> None:
        """A code of the bound set. By default (``match: any``) a label or alias (男, 汉族, the old name 毛难族)
        is accepted as its code and reported by ``<column>.normalised`` — a warning in 规范性, like any
        non-canonical form; ``match: code`` accepts codes only, ``match: label`` labels only."""
        assert b.code_set is not None
        cs, name = b.code_set, b.name
        historical = bool(b.options.get("historical", False))
        as_of = as_date(b.options.get("as_of")) or self.today
        match = code_set_match(b)
        in_force = cs.codes if historical else [c for c in cs.codes if c.is_valid_on(as_of)]
        valid = accepted_values(in_force, match)
        key = re.sub(r"[^0-9A-Za-z]+", "_", f"{cs.id}_{cs.version}_{match}").lower()
        when = "all" if historical else as_of.isoformat()
        expect = self.member(value, valid, f"ref_codes_{key}_{when}")
        breakdown: dict[str, Expr] = {}
        retired = sorted(set(accepted_values(cs.codes, match)) - set(valid))
        if retired:
            breakdown["retired"] = self.member(value, retired, f"ref_codes_{key}_retired_{as_of.isoformat()}")
        if match != "label" and all(c.code.isdigit() for c in in_force):
            # Spreadsheet damage named, never repaired: a code stored in a number cell (民族 01 → 1, 性别 1.0).
            stripped = zero_stripped(c.code for c in in_force)
            if stripped:
                breakdown["leading_zero_lost"] = self.member(value, stripped, f"ref_codes_{key}_{when}_unpadded")
            breakdown["number_format"] = fn("matches", value, pattern=NUMBER_CELL_PATTERN)
        scope = "any time" if historical else f"in force on {as_of.isoformat()}"
        accepts = {"any": "its code, or a label reported as non-canonical", "code": "codes only (match: code)",
                   "label": "labels only (match: label)"}[match]
        self.row(f"{name}.code_set", "code_set", [name],
                 f"a code of {cs.id}@{cs.version} {cs.name_zh} ({scope}; {accepts})",
                 expect=expect, applies=present, breakdown=breakdown,
                 details={"code_set": cs.ref, "historical": historical, "match": match},
                 unmeasured=f"no {name} value")
        if match != "any":
            self.padded(b, value, and_(present, expect), f"{name} holds no {cs.id} value"
                        + ("" if historical else f" in force on {as_of}"))
            return
        labels = accepted_values(in_force, "label")
        codes = accepted_values(in_force, "code")
        aliases = sorted({a for c in in_force for a in c.aliases})
        self.row(f"{name}.normalised", "normalised", [name],
                 f"written as a {cs.id} code: a label or alias (男 for 1, 汉族 for 01) or surrounding spaces are "
                 "accepted as the code but do not conform (规范性); match: code makes a label an error",
                 expect=and_(eq(col(name), value), self.member(value, codes, f"ref_codes_{key}_{when}_codes")),
                 applies=and_(present, expect), severity="warning",
                 breakdown={"label": self.member(value, labels, f"ref_codes_{key}_{when}_labels"),
                            **({"alias": self.member(value, aliases, f"ref_codes_{key}_{when}_aliases")}
                               if aliases else {}),
                            "whitespace": not_(eq(col(name), value))},
                 unmeasured=f"{name} holds no {cs.id} code or label" + ("" if historical else f" in force on {as_of}"))

    def padded(self, b: Binding, value: Expr, applies: Expr, unmeasured: str) -> None:
        """``<column>.normalised`` for a typed or coded column with no other layout to report: a valid value
        with leading or trailing whitespace or an invisible character (`` 110101``, ``123.50\\u200b``) is
        read as the trimmed value but does not conform (规范性) — the warning dates, identifiers and code
        labels give, so no column accepts such a value silently."""
        name = b.name
        self.row(f"{name}.normalised", "normalised", [name],
                 f"{field_label(b.spec)} has no surrounding whitespace or invisible characters (full-width, no-break, "
                 "zero-width); the trimmed value is read but does not conform (规范性)",
                 expect=eq(col(name), value), applies=applies, severity="warning",
                 breakdown={"whitespace": not_(eq(col(name), value))}, unmeasured=unmeasured)

    def numeric_range(self, b: Binding, value: Expr, present: Expr) -> None:
        low = b.spec.minimum if b.spec.minimum is not None else (b.element.value_domain.minimum if b.element else None)
        high = b.spec.maximum if b.spec.maximum is not None else (b.element.value_domain.maximum if b.element else None)
        if low is None and high is None:
            return
        number = fn("to_number", value)
        conds = [cmp(number, ">=", lit(low)) if low is not None else None,
                 cmp(number, "<=", lit(high)) if high is not None else None]
        self.row(f"{b.name}.range", "range", [b.name], f"between {number_text(low)} and {number_text(high)}",
                 expect=and_(*conds), applies=and_(present, not_(is_null(number))))

    def sentinel(self, b: Binding, value: Expr, present: Expr) -> Expr:
        """Count the field's sentinel values (长期 = no expiry) in an info check; return the rows its
        other checks look at: present and not a sentinel, so a sentinel is never a type error."""
        sentinels = b.spec.sentinels
        is_sentinel = in_values(value, sentinels)
        self.row(f"{b.name}.sentinel", "sentinel", [b.name],
                 f"values with an agreed meaning ({', '.join(sentinels)}): valid, left out of type, range "
                 "and compare checks", expect=not_(is_sentinel), applies=present, severity="info",
                 breakdown={s: eq(value, lit(s)) for s in sentinels})
        return and_(present, not_(is_sentinel))

    def free_text(self, b: Binding, raw: Expr, present: Expr) -> None:
        """Leading or trailing whitespace (ASCII, U+3000 ideographic, no-break …) in a free-text field:
        recoverable, but not the value as it should be stored (规范性), so a warning; every other check
        reads the trimmed value. Identifiers report whitespace in their own ``normalised`` check, and a
        column whose standard another column chooses is judged by that standard."""
        data_type = b.spec.data_type if b.spec.data_type != DataType.STRING or b.element is None else \
            b.element.data_type
        chosen = any(isinstance(r, StandardByRule) and r.field == b.name for r in self.schema.rules)
        if b.is_identifier or b.code_set is not None or data_type != DataType.STRING or chosen:
            return
        self.row(f"{b.name}.whitespace", "whitespace", [b.name],
                 f"{field_label(b.spec)} has no leading or trailing whitespace (full-width and no-break spaces "
                 "included); the trimmed value is used by every other check",
                 expect=eq(raw, fn("trim", raw)), applies=present, severity="warning")
