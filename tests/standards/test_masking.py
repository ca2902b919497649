from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from govstd.standards.masking import DEFAULT_RULE, mask
from govstd.standards.models import MaskingRule

PHONE = MaskingRule(keep_start=3, keep_end=4)


def test_common_displays() -> None:
    assert mask("11010519491231002X") == "110105********002X"
    assert mask("13812345678", PHONE) == "138****5678"


@given(st.text(alphabet=st.characters(exclude_characters="*"), min_size=1, max_size=40),
       st.integers(0, 20), st.integers(0, 20))
def test_never_returns_the_value_whole(value: str, start: int, end: int) -> None:
    masked = mask(value, MaskingRule(keep_start=start, keep_end=end))
    assert len(masked) == len(value)
    assert masked.count("*") >= max(min(len(value), 4), len(value) // 3)


@given(st.text(alphabet="0123456789X", min_size=1, max_size=30))
def test_default_rule_hides_at_least_a_third(value: str) -> None:
    masked = mask(value, DEFAULT_RULE)
    assert masked.count("*") >= max(min(len(value), 4), len(value) // 3)
