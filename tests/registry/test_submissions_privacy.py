"""``refuse_personal_numbers``: which scorecards a registry refuses to store, judged without a service."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govstd.errors import InputError
from govstd.registry.submissions import refuse_personal_numbers


def _card(value: Any) -> dict[str, Any]:
    return {"score": 80.0, "checks": [{"rule_id": "x", "samples": [{"values": {"col": value}}]}]}


@pytest.mark.parametrize("value", ["11010519491231002X", "110105491231002", "13800138000", "+86 138 0013 8000",
                                   "电话13800138000", "身份证号：110105 19491231 002X", 13800138000,
                                   13800138000.0, 110105194912310020])
def test_an_unmasked_id_or_mobile_is_refused_naming_where_not_what(value: Any) -> None:
    with pytest.raises(InputError, match="unmasked ID or mobile") as err:
        refuse_personal_numbers(_card(value), where="card.json")
    assert err.value.path == "card.json" and err.value.field == "checks[0].samples[0].values.col"
    digits = "".join(ch for ch in str(int(value)) if ch.isdigit()) if not isinstance(value, str) \
        else "".join(ch for ch in value if ch.isdigit())
    assert digits not in str(err.value)


def test_a_number_in_a_key_is_refused_and_its_path_is_masked() -> None:
    with pytest.raises(InputError) as err:
        refuse_personal_numbers({"columns": {"13800138000": 1}})
    assert "13800138000" not in str(err.value) and "138****8000" in str(err.value.field)


@pytest.mark.parametrize("value", ["110105********002X", "138****8000", "2024-01-05 09:30:00", "20240105093000",
                                   "11510100008764382C", "amount 1234567.89", 1234567.89, 12345678901234, 0.9951,
                                   True])
def test_masked_values_dates_organisation_codes_and_numbers_pass(value: Any) -> None:
    refuse_personal_numbers(_card(value))


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=1, max_size=64))
def test_digests_and_keys_are_never_taken_for_phone_numbers(data: bytes) -> None:
    """A hex digest or key runs digits into letters: only whole tokens count, so none is refused (a bare
    digit-run check would refuse about one SHA-256 in fifty)."""
    refuse_personal_numbers({"dataset": {"sha256": hashlib.sha256(data).hexdigest(),
                                         "sm2_key": "04" + hashlib.sha512(data).hexdigest()}})
