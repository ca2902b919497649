"""Code-set matching: which values a code-set field accepts (codes, labels, aliases) and the sex codes
an ID number's sequence parity is compared with (GB/T 2261.1).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from govstd.errors import InputError
from govstd.standards.check import CODE_SET_MATCHES, DEFAULT_MATCH, default_match
from govstd.standards.models import CodeSet
from govstd.validators.derive.bindings import Binding

#: GB/T 2261.1-2003 labels of the two codes an ID's sequence parity can be compared with.
SEX_LABELS = {"male": "男性", "female": "女性"}
SEX_CODES_FALLBACK = {"male": "1", "female": "2"}  # GB/T 2261.1-2003: 1 男性, 2 女性


def code_set_match(b: Binding) -> str:
    """The field's ``match`` option, checked; unset, ``standards.check.default_match`` of its set."""
    default = DEFAULT_MATCH if b.code_set is None else default_match(b.code_set)
    match = str(b.options.get("match", default))
    if match not in CODE_SET_MATCHES:
        raise InputError(f"field {b.name!r}: unknown match {match!r}", field=f"fields.{b.name}.options.match",
                         expected=", ".join(CODE_SET_MATCHES))
    return match


def accepted_values(codes: Iterable[Any], match: str) -> list[str]:
    """What a value may be under ``match``: the codes, the labels and aliases, or both."""
    out: list[str] = []
    for c in codes:
        if match in ("code", "any"):
            out.append(c.code)
        if match in ("label", "any"):
            out.extend([c.label_zh, *c.aliases])
    return out


#: A numeric code written back from a spreadsheet's number cell: ``1.0`` for ``1``, ``110101.0``.
NUMBER_CELL_PATTERN = r"[0-9]+\.0+"


def zero_stripped(codes: Iterable[str]) -> list[str]:
    """Digit codes as a spreadsheet that stored them as numbers writes them back: without their leading
    zeros (GB/T 3304 ``01`` → ``1``), when that form is no code itself. Listed so the code-set check can
    say *why* ``1`` is no ethnicity code — the leading zero was lost — without repairing it (the value
    stays an error: ``1`` could as well be a typing error)."""
    known = set(codes)
    return sorted({c.lstrip("0") or "0" for c in known if c.isdigit() and c.startswith("0")} - known)


def sex_values(b: Binding) -> tuple[list[str], list[str]]:
    """(male, female) values a sex field may hold under its ``match``: the codes of ``sex_codes`` and, unless
    the field takes codes only, their labels and aliases (男 / 女)."""
    male, female = sex_codes(b.code_set)
    match = code_set_match(b)
    by_code = {c.code: c for c in b.code_set.codes} if b.code_set is not None else {}
    fallback = {male: SEX_LABELS["male"], female: SEX_LABELS["female"]}

    def values(code: str) -> list[str]:
        entry = by_code.get(code)
        labels = [entry.label_zh, *entry.aliases] if entry is not None else [fallback[code]]
        return [v for v in ([code] if match != "label" else []) + (labels if match != "code" else [])]

    return values(male), values(female)


def sex_codes(code_set: CodeSet | None) -> tuple[str, str]:
    """(male, female) codes of a sex field: the codes labelled 男性 / 女性 in its code set, else
    GB/T 2261.1's 1 / 2."""
    found = dict(SEX_CODES_FALLBACK)
    if code_set is not None:
        for sex, label in SEX_LABELS.items():
            code = next((c.code for c in code_set.codes if c.label_zh == label), None)
            if code:
                found[sex] = code
    return found["male"], found["female"]


