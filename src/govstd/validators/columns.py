"""Which data column holds which schema field: one rule for finding the header and for matching.

Department files name their columns loosely — ``ID Number``, ``id_number ``, a BOM before the first
name, ``公民身份号码（必填）`` from the template's required marker, or the Chinese name
(``公民身份号码``) instead of the English one. ``fold_header`` is the one normalisation both the
readers (finding the header row, choosing text columns, refusing duplicate names) and
``match_columns`` (field → column) compare names by, so a column the reader recognised is a column
the checks find.

Beyond that, a file may name a field by a synonym (同义名称, GB/T 19488.1 / ISO/IEC 11179): 身份证号码
for 公民身份号码, or with a note such as ``金额（元）``. ``match_columns`` accepts a synonym only when
it is unambiguous and always says so in the warnings: a guessed column is a column whose verdict
nobody asked for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from govstd.errors import InputError, redact
from govstd.standards.headers import header_names
from govstd.standards.models import CatalogueSchema, FieldSpec
from govstd.standards.numbers.normalize import WHITESPACE_RE

#: A template's required/optional marker around a header: ``*姓名``, ``公民身份号码（必填）``,
#: ``备注(选填)``, ``[必填]``. It says how to fill the column, not which column it is.
_MARKER_WORDS = r"必填|选填|非必填|可选|可空|必输|必须|required|optional"
_MARKER = rf"[（(\[【]({_MARKER_WORDS})[）)\]】]"
_REQUIREMENT_MARKER = re.compile(rf"^{_MARKER}|{_MARKER}$|^\*+|\*+$")
#: Any trailing note in brackets (``金额（元）``, ``面积(平方米)``): folded away only when matching a
#: field by name, never when telling columns apart (``电话（手机）`` and ``电话（座机）`` are two columns).
_TRAILING_NOTE = re.compile(r"[（(\[【][^（()）\[\]【】]*[）)\]】]$")


def fold_header(name: object) -> str:
    """A column name as compared: without whitespace or a required/optional marker, case-folded.

    Whitespace is every kind the value checks strip (``normalize.WHITESPACE_RE``): a header copied from
    a web page or a Word template carries no-break and zero-width spaces (U+00A0, U+200B) and BOMs that no
    one can see — a column named ``姓名\u200b`` is the column ``姓名``, never a missing one."""
    text = WHITESPACE_RE.sub("", str(name)).casefold()
    return _REQUIREMENT_MARKER.sub("", text) or text


def bare_header(name: object) -> str:
    """``fold_header`` without a trailing note in brackets: what a synonym is compared with."""
    text = fold_header(name)
    return _TRAILING_NOTE.sub("", text) or text


def field_names(f: FieldSpec) -> list[str]:
    """The names (as written) field ``f`` may arrive under: its own names, its ``aliases``, and the names
    of the standard or code set it is bound to (``govstd.standards.headers``, the source ``schema infer``
    reads headers by). Readers look for the header row and the text columns by these too."""
    names = {f.name, f.name_zh, *f.aliases}
    for ref in (f.standard, f.code_set):
        if ref:
            names |= header_names(ref)
    return sorted(n for n in names if n)


def synonyms(f: FieldSpec) -> set[str]:
    """``field_names`` as compared with a column's ``bare_header``."""
    return {bare_header(n) for n in field_names(f)}


def match_columns(catalogue: CatalogueSchema, columns: Sequence[str], *,
                  source: str) -> tuple[dict[str, str], list[str]]:
    """field → data column: the exact name, else ignoring case, spaces and required markers, else the
    Chinese name, else one synonym (``synonyms``) that exactly one otherwise unclaimed column matches;
    and warnings naming each synonym match, each synonym left unmatched as ambiguous, and the columns no
    field took. Raises InputError naming the missing required columns of ``source``."""
    folded: dict[str, str] = {}
    for column in columns:
        folded.setdefault(fold_header(column), column)
    mapping: dict[str, str] = {}
    for f in catalogue.fields:
        if f.name in columns:
            mapping[f.name] = f.name
        elif fold_header(f.name) in folded:
            mapping[f.name] = folded[fold_header(f.name)]
        elif f.name_zh and fold_header(f.name_zh) in folded:
            mapping[f.name] = folded[fold_header(f.name_zh)]
    warnings, ambiguous = _match_synonyms(catalogue, columns, mapping)
    missing = [f for f in catalogue.fields if f.required and f.name not in mapping]
    if missing:
        names = ", ".join(f"{f.name} ({f.name_zh})" if f.name_zh else f.name for f in missing)
        raise InputError(
            f"missing required column(s): {names}", path=source,
            expected="columns " + ", ".join(f.name for f in catalogue.fields),
            hint="; ".join([*ambiguous, f"the data has: {', '.join(_shown(columns[:30]))}"]),
        )
    extra = [c for c in columns if c not in set(mapping.values())]
    if extra:
        warnings.append(f"columns not in the schema were not checked: {', '.join(_shown(extra[:20]))}")
    return mapping, warnings


def _match_synonyms(catalogue: CatalogueSchema, columns: Sequence[str],
                    mapping: dict[str, str]) -> tuple[list[str], list[str]]:
    """Add to ``mapping`` the unambiguous synonym matches; return (every warning, the ambiguity ones).

    A column that carries another field's own name is never a synonym (it is that field's column even
    when that field is optional), and a column two fields' synonyms both name is left to the department."""
    own = {fold_header(n) for f in catalogue.fields for n in (f.name, f.name_zh) if n}
    taken = set(mapping.values())
    free = [c for c in columns if c not in taken and fold_header(c) not in own]
    claims = {f.name: [c for c in free if bare_header(c) in synonyms(f)]
              for f in catalogue.fields if f.name not in mapping}
    claimants: dict[str, list[str]] = {}
    for name, cols in claims.items():
        for c in cols:
            claimants.setdefault(c, []).append(name)
    warnings: list[str] = []
    ambiguous: list[str] = []
    for name, cols in claims.items():
        if len(cols) == 1 and len(claimants[cols[0]]) == 1:
            mapping[name] = cols[0]
            (column,) = _shown(cols)
            warnings.append(f"列 {column} 按同义名称匹配到字段 {name}"
                            f"（column {column} matched field {name} by a synonym）")
        elif len(cols) > 1:
            shown = "、".join(_shown(cols))
            ambiguous.append(f"字段 {name} 的同义名称匹配到多列 {shown}，未自动选择"
                             f"（field {name}: synonyms match several columns, {', '.join(_shown(cols))}; "
                             "none was chosen: rename one column or set the field's aliases）")
        elif cols:
            (column,) = _shown(cols)
            others = "、".join(claimants[cols[0]])
            ambiguous.append(f"列 {column} 按同义名称可匹配多个字段 {others}，未自动选择"
                             f"（column {column} is a synonym of several fields, {', '.join(claimants[cols[0]])}; "
                             "none was chosen）")
    return [*warnings, *ambiguous], ambiguous


def _shown(names: Sequence[str]) -> list[str]:
    """Column names as a message shows them: a hostile header holding an ID number or phone is masked."""
    return [redact(str(n)) for n in names]


__all__ = ["bare_header", "field_names", "fold_header", "match_columns", "synonyms"]
