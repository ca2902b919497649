"""Masking (脱敏): how personal values are shown in every output govstd writes.

No national rule fixes the masked form; the common display keeps the first 6 and last 4 characters
of an ID number (``110101********123X``) and the first 3 and last 4 of a phone (``138****5678``).
Each field standard carries its own ``MaskingRule``; this module applies one. Whatever the rule, a
short or malformed value never comes back whole. The identifier modules' ``mask`` functions
call this one after normalising the value's width, case and separators.
"""

from __future__ import annotations

import re

from govstd.standards.models import DataElement, MaskingRule, PiiClass

DEFAULT_RULE = MaskingRule(keep_start=6, keep_end=4, mask_char="*")
#: Used when a field holds personal data but its standard names no rule.
FALLBACK_RULE = MaskingRule(keep_start=1, keep_end=1, mask_char="*")


def mask(value: str, rule: MaskingRule = DEFAULT_RULE, *, full_length: int | None = None) -> str:
    """``value`` with its middle replaced by the rule's mask character.

    At least four characters (or a third, if longer) stay hidden however short or odd the value; a
    value shorter than ``full_length`` (junk, a truncated number) shows at most a third of itself.
    """
    n = len(value)
    if n == 0:
        return value
    keep_start, keep_end = rule.keep_start, rule.keep_end
    visible = min(keep_start + keep_end, n - max(min(n, 4), n // 3))
    if full_length is not None and n < full_length:
        visible = min(visible, n // 3)
    start = min(keep_start, max(visible // 2, visible - keep_end))
    end = min(keep_end, visible - start)
    return value[:start] + rule.mask_char * (n - start - end) + (value[n - end :] if end else "")


def rule_for(element: DataElement | None, pii: PiiClass | None = None) -> MaskingRule | None:
    """The rule to apply for a field, or None when its values are not personal data."""
    effective = pii if pii is not None else (element.pii if element is not None else PiiClass.NONE)
    if effective == PiiClass.NONE and (element is None or element.masking is None):
        return None
    if element is not None and element.masking is not None:
        return element.masking
    return FALLBACK_RULE


# --------------------------------------------------------------------------- free text
#
# ``redact`` finds personal numbers in any text that leaves govstd (sample values, messages, column
# names). Text is first folded one character to one character (full-width forms → ASCII, every kind
# of space → " "), so positions found in the folded copy are positions in the original. Then:
#
# 1. Digit runs: digits joined by at most three separators (spaces of every kind, zero-width
#    characters, dots, dashes, slashes, underscores and their full-width forms — not commas, which
#    write amounts), optionally ending in X. Latin letters end a run but do not hide it:
#    ``TEL13812345678`` and ``ID110101199003078514abc`` are found.
# 2. In a run, an unbroken group of 11+ digits is always masked (an ID, a phone, a bank card, an
#    ID Excel wrote back whole). Groups joined by separators are masked where consecutive groups
#    together form the shape of an 18-character citizen ID, a 15-digit legacy ID, a mainland mobile
#    (with or without an 86 prefix): a shape, not only a length, so "2024-01-01 2024-12-31" and other
#    dates, amounts and short numbers stay as they are. Limit, on the safe side: an amount whose digits
#    with its cents form a mobile's shape (130000000.25) is masked — text cannot tell it from a phone
#    written 1300.0000.025.
# 3. USCC-shaped tokens (GB 32100 alphabet): masked when they stand alone, or, glued to letters,
#    when their GB 32100 check character is right. A USCC names an organisation, not a person, but
#    a sole trader's (个体工商户) is personal data and text cannot tell them apart: free text masks
#    every USCC. A column bound to the USCC standard is shown as its field rule says.
#
# Masks are the standard displays: ``110101********123X``, ``138****5678``; a match is replaced by
# its compact masked form, so no separator can smuggle a digit through. Overlapping matches merge
# and the whole is masked keeping at most the first 6 and last 4 characters.

_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
#: 1:1 folding: full-width ASCII forms (U+FF01-FF5E) → ASCII; spaces of every kind → " ";
#: invisible characters → U+200B; dash look-alikes → "-"; middle dots → ".".
_FOLD: dict[int, int | str] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD.update({ord(c): " " for c in "\u00a0\u1680\u202f\u205f\u3000"})
_FOLD.update({cp: " " for cp in range(0x2000, 0x200B)})
_FOLD.update({ord(c): "\u200b" for c in _INVISIBLE})
_FOLD.update({ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63"})
_FOLD.update({ord(c): "." for c in "\u00b7\u30fb\u3002\uff61"})
# Separators inside a number, after folding.
_SEP = r"[\s\u200b.\-/\\_]"
_RUN = re.compile(rf"[0-9](?:{_SEP}{{0,3}}[0-9])*(?:{_SEP}{{0,3}}[Xx])?")
_GROUP = re.compile(r"[0-9]+|[Xx]")
# Shapes a run of separated groups must form (GB 11643: 6 address digits, the birth date, sequence and
# check; the legacy form has a 2-digit year; mainland mobiles 1[3-9] + 9 digits, +86 the country code).
_DATE8 = r"(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
_ID18 = re.compile(rf"[1-8][0-9]{{5}}{_DATE8}[0-9]{{3}}[0-9Xx]")
_ID15 = re.compile(r"[1-8][0-9]{5}[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}")
_MOBILE = re.compile(r"(?:86)?1[3-9][0-9]{9}")
_PII_LENGTHS = (18, 15, 13, 11)
_USCC_CHARS = "0-9A-HJ-NP-RTUWXYa-hj-np-rtuwxy"
_USCC = re.compile(rf"(?=([{_USCC_CHARS}]{{2}}[0-9]{{6}}[{_USCC_CHARS}]{{10}}))")
_PHONE_RULE = MaskingRule(keep_start=3, keep_end=4)
# A URL's ``user:password@`` (RFC 3986 §3.2.1: the user information ends at the host's ``@``). The user
# information holds no white space: the password runs to the last ``@`` before white space, the path, the
# query or the fragment (``user:p@ss@db``: an unencoded ``@`` in it goes whole), so ``http://host:8080
# mail a@b`` keeps its words. One exception, on the safe side: where the text after the ``:`` is no port
# (not digits), ``scheme://user:pa ss@db`` can only be user information holding an unencoded space (libpq
# reads it so), and the password runs on across the space to the ``@``. Left as written: a password
# holding white space after an ``@`` (``user:p@ss wd@db`` hides ``p`` only; text cannot tell it from
# ``user:pw@db mail a@b``), or whose first word is digits (``user:12 34@db`` reads as a host and port).
_URL_PASSWORD = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<user>[^:/@\s]*):"
                           r"(?:[^\s/?#]*@|(?![0-9]*\s)[^/?#\r\n]*@)")
# A secret given as a parameter: a URL's ``?password=`` / ``&sslpassword=`` / ``?token=`` (a service URL
# may carry an API token) and libpq's keyword form (``host=db password=secret``, ``password='a b'``).
_PARAM_PASSWORD = re.compile(r"(?P<key>(?<![A-Za-z0-9_])(?:(?:ssl)?password|(?:access_)?token)\s*=\s*)"
                             r"(?:'(?:[^'\\]|\\.)*'|[^&#\s]*?(?=:?(?:[\s&#]|$)))", re.IGNORECASE)
# A date as people write it, to compare with a birth date: 1990-03-07, 1990/3/7, 1990.03.07, 19900307,
# 1990年3月7日 (after folding).
_DATE = re.compile(r"(?<![0-9])((?:18|19|20)[0-9]{2})(?:([-/.]|年)([0-9]{1,2})(?:\2|月)([0-9]{1,2})日?"
                   r"|(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01]))(?![0-9])")


class _Found:
    """One personal number in a text: its span and how it is shown."""

    __slots__ = ("end", "kind", "shown", "start", "value")

    def __init__(self, start: int, end: int, kind: str, value: str, shown: str) -> None:
        self.start, self.end, self.kind, self.value, self.shown = start, end, kind, value, shown


def _fold(text: str) -> str:
    return text.translate(_FOLD)


def _shape(value: str) -> str | None:
    """The kind of personal number ``value`` (digits, maybe a final X) has the shape of, if any."""
    if len(value) == 18 and _ID18.fullmatch(value):
        return "id"
    if len(value) == 15 and _ID15.fullmatch(value):
        return "id15"
    if len(value) in (11, 13) and _MOBILE.fullmatch(value):
        return "mobile"
    return None


def _shown(kind: str, value: str) -> str:
    if kind == "mobile":
        return value[:-11] + mask(value[-11:], _PHONE_RULE)
    if kind == "long" and len(value) < 15:
        return mask(value, _PHONE_RULE)
    return mask(value, DEFAULT_RULE)


def _in_run(folded: str, run: re.Match[str]) -> list[_Found]:
    """Personal numbers in one digit run: shaped windows of consecutive groups, long unbroken groups."""
    groups = [(run.start() + g.start(), run.start() + g.end(), g.group(0)) for g in _GROUP.finditer(run.group(0))]
    found: list[_Found] = []
    for i, (start, end, digits) in enumerate(groups):
        best: _Found | None = None
        value = ""
        for j in range(i, len(groups)):
            value += groups[j][2]
            if len(value) > 18 or (j > i and groups[j][2] in "Xx" and len(value) != 18):
                break
            kind = _shape(value) if len(value) in _PII_LENGTHS else None
            if kind is not None:
                shown = _shown(kind, value)
                if len(value) == 13:  # +86: the country code and its separators stay as written
                    shown = folded[start:groups[i + 1][0] if len(digits) == 2 else start + 2] + shown[2:]
                best = _Found(start, groups[j][1], kind, value, shown)
        if best is None and len(digits) >= 11:
            tail = groups[i + 1] if i + 1 < len(groups) and groups[i + 1][0] == end else None
            value = digits + (tail[2] if tail and tail[2] in "Xx" else "")
            best = _Found(start, end + len(value) - len(digits), "long", value, _shown("long", value))
        if best is not None:
            found.append(best)
    return found


def _usccs(folded: str) -> list[_Found]:
    from govstd.standards.numbers.gb32100 import calc_check_digit

    found = []
    for m in _USCC.finditer(folded):
        value, start = m.group(1), m.start(1)
        end = start + len(value)
        alone = (start == 0 or not folded[start - 1].isalnum()) and (end == len(folded) or not folded[end].isalnum())
        upper = value.upper()
        try:
            checked = calc_check_digit(upper[:17]) == upper[17]
        except Exception:  # a shape the check cannot compute (an excluded letter): not a USCC
            checked = False
        if alone or checked:
            found.append(_Found(start, end, "uscc", value, mask(value, DEFAULT_RULE)))
    return found


def _spans(folded: str) -> list[_Found]:
    return [f for run in _RUN.finditer(folded) for f in _in_run(folded, run)] + _usccs(folded)


def find(text: str) -> list[_Found]:
    """The personal numbers ``redact`` masks in ``text``, in order, overlapping matches merged."""
    folded = _fold(text)
    spans = sorted(_spans(folded), key=lambda f: (f.start, -f.end))
    merged: list[_Found] = []
    for f in spans:
        last = merged[-1] if merged else None
        if last is not None and f.start < last.end:
            if f.end > last.end:  # one inside another (an all-digit USCC shape is an ID's) adds nothing
                end = max(last.end, f.end)
                value = "".join(ch for ch in folded[last.start:end] if ch.isalnum())
                merged[-1] = _Found(last.start, end, "merged", value, mask(value, DEFAULT_RULE))
            continue
        merged.append(f)
    return merged


def birth_dates(text: str) -> set[str]:
    """Birth dates (YYYYMMDD) of the citizen ID numbers in ``text``: what their masks hide."""
    out = set()
    for f in _spans(_fold(text)):  # before merging: an ID overlapping another match is still an ID
        if f.kind == "id":
            out.add(f.value[6:14])
        elif f.kind == "id15":
            out.add("19" + f.value[6:12])
    return out


def _mask_dates(text: str, dates: set[str]) -> str:
    folded = _fold(text)
    spans = []
    for m in _DATE.finditer(folded):
        year, month, day = m.group(1), m.group(3) or m.group(5), m.group(4) or m.group(6)
        if f"{year}{int(month):02d}{int(day):02d}" in dates:
            spans.append((m.start(), m.end()))
    for start, end in reversed(spans):
        text = text[:start] + re.sub(r"[0-9\uff10-\uff19]", "*", text[start:end]) + text[end:]
    return text


def redact(text: str, *, birth_dates: set[str] | frozenset[str] = frozenset()) -> str:
    """``text`` with ID-, phone- and USCC-shaped numbers masked, passwords and tokens (a URL's
    ``user:password@``, a ``password=`` or ``token=`` parameter's) removed, and dates equal to one of
    ``birth_dates`` (YYYYMMDD) masked."""
    if not text:
        return text
    text = _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)
    text = _PARAM_PASSWORD.sub(lambda m: f"{m['key']}***", text)
    if birth_dates:
        text = _mask_dates(text, set(birth_dates))
    for f in reversed(find(text)):
        text = text[: f.start] + f.shown + text[f.end :]
    return text
