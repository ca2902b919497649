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


def test_shapes() -> None:
    assert mask("11010519491231002X", MaskingRule(keep_start=1, keep_end=2)) == "1***************2X"
    assert mask("11010519491231002X", MaskingRule(keep_start=6, keep_end=4, mask_char="#")) == "110105########002X"
    assert mask("") == ""
    assert mask("1") == "*"
    assert mask("123456", full_length=18) == "1****6"
    assert mask("123456789", MaskingRule(keep_start=1, keep_end=4), full_length=18) == "1******89"


@given(
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="*"), max_size=40),
    st.integers(0, 20),
    st.integers(0, 20),
    st.sampled_from([None, 9, 11, 15, 18]),
)
def test_short_values_show_at_most_a_third(value: str, start: int, end: int, full: int | None) -> None:
    masked = mask(value, MaskingRule(keep_start=start, keep_end=end), full_length=full)
    visible = sum(1 for c in masked if c != "*")
    if value:
        assert visible < len(value)
    if full is not None and len(value) < full:
        assert visible <= len(value) // 3
