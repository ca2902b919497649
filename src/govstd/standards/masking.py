"""Masking (脱敏): how personal values are shown in every output govstd writes.

No national rule fixes the masked form; the common display keeps the first 6 and last 4 characters
of an ID number (``110101********123X``) and the first 3 and last 4 of a phone (``138****5678``).
Each field standard carries its own ``MaskingRule``; this module applies one. Whatever the rule, a
short or malformed value never comes back whole. The identifier modules' ``mask`` functions
call this one after normalising the value's width, case and separators.
"""

from __future__ import annotations

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
