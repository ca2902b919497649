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

# Runs of 11+ digits (full-width too), optionally split by single spaces or dashes and ending in X:
# citizen IDs (18 and 15), phone numbers (11, with +86 and separators), numbers Excel wrote back whole.
_DIGIT_RUN = re.compile(
    r"(?<![0-9０-９A-Za-z])(?:[0-9０-９][ \-]?){10,}[0-9０-９XxＸｘ](?![0-9０-９A-Za-z])"
)
# USCC-shaped tokens (GB 32100 alphabet, digits in the region positions), which a person may hold.
_USCC = re.compile(r"(?<![0-9A-Za-z])[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}(?![0-9A-Za-z])")
_PHONE_RULE = MaskingRule(keep_start=3, keep_end=4)
_URL_PASSWORD = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<user>[^:/@\s]*):[^@/\s]*@")


def _mask_token(match: re.Match[str]) -> str:
    token = match.group(0)
    digits = sum(ch.isdigit() for ch in token)
    return mask(token, DEFAULT_RULE if digits >= 15 or len(token) >= 15 else _PHONE_RULE)


def redact(text: str) -> str:
    """``text`` with ID-, phone- and USCC-shaped numbers masked and URL passwords removed."""
    if not text:
        return text
    text = _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)
    text = _DIGIT_RUN.sub(_mask_token, text)
    return _USCC.sub(lambda m: mask(m.group(0), DEFAULT_RULE), text)
