"""GB 11643 citizen ID numbers, 港澳台 residence permits and foreign permanent residence IDs.

python-stdnum (``stdnum.cn.ric``) is the outside oracle: on the domain where both should agree,
generated valid and corrupted numbers get the same verdict. Each deliberate difference has its own test.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from govstd.standards.numbers import exceptions as exc
from govstd.standards.numbers import foreign_pr, gb11643, gbt2260, residence_permit

TODAY = date(2025, 6, 30)


def make(first17: str) -> str:
    return first17 + gb11643.calc_check_digit(first17)


def _agreeing_regions() -> list[str]:
    """Codes in force unchanged since 1981 that stdnum also accepts for every birth year we generate."""
    codes = []
    for record in gbt2260.history_rows():
        if record.valid_from_year != gbt2260.HISTORY_FIRST_YEAR or record.valid_to_year_exclusive is not None:
            continue
        if len([r for r in gbt2260.history_rows() if r.code == record.code]) != 1:
            continue
        if all(ric.is_valid(make(f"{record.code}{y}0101001")) for y in (1900, 1950, 1981, 2000, TODAY.year)):
            codes.append(record.code)
    return codes


AGREEING_REGIONS = _agreeing_regions()

regions = st.sampled_from(AGREEING_REGIONS)
birth_dates = st.dates(min_value=gb11643.MIN_BIRTH_DATE, max_value=TODAY)
sequences = st.integers(0, 999).map(lambda n: f"{n:03d}")


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    return make(draw(regions) + draw(birth_dates).strftime("%Y%m%d") + draw(sequences))


@st.composite
def corrupted_ids(draw: st.DrawFn) -> str:
    number = draw(valid_ids())
    kind = draw(st.sampled_from(["substitute", "transpose", "zero_tail"]))
    if kind == "substitute":
        i = draw(st.integers(0, 17))
        alphabet = "0123456789X" if i == 17 else "0123456789"
        c = draw(st.sampled_from([a for a in alphabet if a != number[i]]))
        return number[:i] + c + number[i + 1 :]
    if kind == "transpose":
        pairs = [i for i in range(16) if number[i] != number[i + 1]]
        i = draw(st.sampled_from(pairs))
        return number[:i] + number[i + 1] + number[i] + number[i + 2 :]
    k = draw(st.integers(1, 4))
    zeroed = number[:-k] + "0" * k
    return zeroed if zeroed != number else number[:-1] + ("1" if number[-1] == "0" else "0")


def test_oracle_domain_is_large() -> None:
    assert len(AGREEING_REGIONS) > 400


@settings(max_examples=300, deadline=None)
@given(valid_ids())
def test_valid_ids_agree_with_stdnum(number: str) -> None:
    assert ric.is_valid(number)
    assert gb11643.validate(number, today=TODAY) == number
    assert gb11643.is_valid(number, today=TODAY, region_policy="birth_year")


@settings(max_examples=300, deadline=None)
@given(corrupted_ids())
def test_corrupted_ids_agree_with_stdnum(number: str) -> None:
    # Zeroing several digits can happen to keep the checksum right; the verdicts must still agree.
    assert gb11643.is_valid(number, today=TODAY) == ric.is_valid(number)


@settings(max_examples=200, deadline=None)
@given(valid_ids(), st.integers(0, 17), st.integers(1, 10))
def test_mod_11_2_detects_every_single_substitution(number: str, i: int, shift: int) -> None:
    alphabet = "0123456789X" if i == 17 else "0123456789"
    c = alphabet[(alphabet.index(number[i]) + shift) % len(alphabet)]
    if c == number[i]:
        return
    corrupted = number[:i] + c + number[i + 1 :]
    assert not gb11643.is_valid(corrupted, today=TODAY)
    assert not ric.is_valid(corrupted)


@settings(max_examples=200, deadline=None)
@given(regions, st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), sequences)
def test_legacy_15_conversion_agrees_with_stdnum(region: str, born: date, seq: str) -> None:
    number15 = region + born.strftime("%y%m%d") + seq
    number18 = gb11643.to_18(number15)
    assert number18 == region + born.strftime("%Y%m%d") + seq + number18[-1]
    assert ric.is_valid(number18)
    assert gb11643.validate(number15, allow_legacy_15=True, today=TODAY) == number18
    info = gb11643.parse(number15, today=TODAY)
    assert info.is_legacy_15 and info.birth_date == born


# --------------------------------------------------------------------------- deliberate differences


def test_difference_retired_region_code_valid_by_default() -> None:
    # 110103 崇文区 was abolished in 2010 (merged into 110101); people registered there before keep it.
    born_after = make("11010320150101001")
    assert not ric.is_valid(born_after)
    assert gb11643.is_valid(born_after, today=TODAY)  # default policy "any_time"
    with pytest.raises(exc.InvalidRegion):
        gb11643.validate(born_after, today=TODAY, region_policy="birth_year")  # stdnum's rule
    with pytest.raises(exc.InvalidRegion):
        gb11643.validate(born_after, today=TODAY, region_policy="current")
    born_before = make("11010319800101001")
    assert ric.is_valid(born_before)
    assert gb11643.is_valid(born_before, region_policy="birth_year", today=TODAY)
    assert not gb11643.is_valid(born_before, region_policy="current", today=TODAY)
    assert gb11643.parse(born_before, today=TODAY).region_name == "崇文区"


def test_difference_future_birth_date_invalid() -> None:
    tomorrow = TODAY + timedelta(days=1)
    number = make("110101" + tomorrow.strftime("%Y%m%d") + "001")
    assert ric.is_valid(number)
    with pytest.raises(exc.InvalidBirthDate, match="future"):
        gb11643.validate(number, today=TODAY)
    assert gb11643.is_valid(make("110101" + TODAY.strftime("%Y%m%d") + "001"), today=TODAY)
    assert not gb11643.is_valid(make("11010130000101001"))  # default today = date.today()


def test_difference_hong_kong_macao_taiwan_residence_permits_valid() -> None:
    for prefix in ("810000", "820000", "830000"):
        number = make(prefix + "19900101001")
        assert not ric.is_valid(number)
        for policy in gb11643.REGION_POLICIES:
            assert gb11643.is_valid(number, region_policy=policy, today=TODAY), (prefix, policy)
        assert residence_permit.validate(number, today=TODAY) == number
    assert "830000" not in gbt2260.HISTORICAL_CODES()  # why it is allowed explicitly
    assert gbt2260.is_current("810000") and gbt2260.is_current("820000")


def test_birth_before_1900_is_valid_and_a_finding() -> None:
    # python-stdnum and govstd agree: a real past date before 1900 is valid. govstd reports it as
    # implausible (a warning), and strict=True (or an explicit min_birth_date) makes it an error.
    number = make("11010118991231001")
    assert ric.is_valid(number)
    assert gb11643.validate(number, today=TODAY) == number
    [finding] = gb11643.findings(number, today=TODAY)
    assert finding.code == "birth_date" and "implausible" in str(finding)
    with pytest.raises(exc.InvalidBirthDate, match="before 1900-01-01"):
        gb11643.validate(number, today=TODAY, strict=True)
    assert gb11643.findings(number, today=TODAY, strict=True) == []
    with pytest.raises(exc.InvalidBirthDate, match="before 1899-12-31"):
        gb11643.validate(make("11010118991230001"), today=TODAY, min_birth_date=date(1899, 12, 31))
    assert gb11643.findings(make("11010119000101001"), today=TODAY) == []  # the bound itself is plausible


def test_the_standards_own_example_440524188001010014() -> None:
    # GB 11643-1999's worked example: check character right, born 1880, address 440524 (潮阳县, a code
    # only from 1983 to 1993). Valid by default (a warning says the birth date is implausible); valid
    # under "any_time" but not "birth_year" (stdnum's rule, which is why stdnum rejects it).
    example = "440524188001010014"
    assert gb11643.calc_check_digit(example[:17]) == "4"
    assert not ric.is_valid(example)
    assert gb11643.validate(example, today=TODAY) == example
    assert [f.code for f in gb11643.findings(example, today=TODAY)] == ["birth_date"]
    assert gb11643.parse(example, today=TODAY).birth_date == date(1880, 1, 1)
    with pytest.raises(exc.InvalidBirthDate):
        gb11643.validate(example, today=TODAY, strict=True)
    with pytest.raises(exc.InvalidRegion):
        gb11643.validate(example, today=TODAY, region_policy="birth_year")
    assert gb11643.is_valid("11010519491231002X", today=TODAY)  # the standard's other example
    assert gb11643.findings("11010519491231002X", today=TODAY) == []


def test_findings_only_for_valid_shapes_and_real_past_dates() -> None:
    assert gb11643.findings("110101********1234") == []
    assert gb11643.findings(make("11010118990231001"), today=TODAY) == []  # not a real date: an error
    future = make("11010120300101001")
    assert gb11643.findings(future, today=TODAY) == []
    with pytest.raises(exc.InvalidBirthDate, match="future"):
        gb11643.validate(future, today=TODAY)


# --------------------------------------------------------------------------- edges


def test_constants() -> None:
    assert gb11643.WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    assert gb11643.CHECK_CHARS == "10X98765432"
    assert set(gb11643.REGION_POLICIES) == set(get_args(gb11643.RegionPolicy))


@pytest.mark.parametrize(
    ("born", "valid"),
    [("20000229", True), ("20240229", True), ("19000229", False), ("20230229", False), ("21000229", False)],
)
def test_29_february(born: str, valid: bool) -> None:
    number = make("110101" + born + "001")
    today = date(2200, 1, 1)
    assert gb11643.is_valid(number, today=today) is valid
    assert ric.is_valid(number) is valid
    if not valid:
        with pytest.raises(exc.InvalidBirthDate, match="leap year"):
            gb11643.validate(number, today=today)


@pytest.mark.parametrize("born", ["19901301", "19900431", "19900000", "00000101"])
def test_impossible_dates(born: str) -> None:
    with pytest.raises(exc.InvalidBirthDate, match="not a real date"):
        gb11643.validate(make("110101" + born + "001"), today=TODAY)


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        " 110105 1949 1231 002X ",
        "110105-19491231-002X",
        "'11010519491231002X",
        "\t11010519491231002X\u3000",
    ],
)
def test_harmless_damage_is_normalised(raw: str) -> None:
    assert gb11643.validate(raw, today=TODAY) == "11010519491231002X"
    assert gb11643.format(raw) == "11010519491231002X"


@pytest.mark.parametrize("raw", ["1.10105E+17", "1.10105e17", "110105194912310000.0", " '1.10105E+17"])
def test_excel_damage(raw: str) -> None:
    with pytest.raises(exc.ExcelDamaged) as info:
        gb11643.validate(raw)
    assert info.value.code == "excel_damage"
    assert [e.code for e in gb11643.check(raw)] == ["excel_damage"]


def test_zeroed_last_digits_are_a_checksum_error() -> None:
    valid = "11010519491231002X"
    for k in (1, 2, 3, 4):
        zeroed = valid[:-k] + "0" * k
        with pytest.raises(exc.InvalidChecksum):
            gb11643.validate(zeroed, today=TODAY)


def test_check_reports_every_part_separately() -> None:
    number = "110103" + "20990229" + "0000"  # retired region (for birth_year), bad date, bad check
    codes = [e.code for e in gb11643.check(number, region_policy="birth_year", today=TODAY)]
    assert codes[0] == "checksum" and "birth_date" in codes
    assert gb11643.check("11010519491231002X", today=TODAY) == []


def test_lengths_and_formats() -> None:
    with pytest.raises(exc.InvalidLength):
        gb11643.validate("1101051949123100")
    with pytest.raises(exc.InvalidLength):
        gb11643.validate("11010519491231002X1")
    with pytest.raises(exc.InvalidFormat):
        gb11643.validate("11010519491231002Y")
    with pytest.raises(exc.InvalidFormat):
        gb11643.validate("1101051949123100X2")
    with pytest.raises(exc.InvalidFormat):
        gb11643.validate("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X")  # Arabic-Indic digits are not [0-9]


def test_legacy_15_needs_the_option() -> None:
    with pytest.raises(exc.InvalidLength, match="allow_legacy_15"):
        gb11643.validate("110105491231002")
    assert gb11643.validate("110105491231002", allow_legacy_15=True) == "11010519491231002X"
    with pytest.raises(exc.InvalidLength):
        gb11643.to_18("11010549123100")
    with pytest.raises(exc.InvalidFormat):
        gb11643.to_18("11010549123100X")


def test_unknown_region_and_policies() -> None:
    number = make("99999919900101001")
    with pytest.raises(exc.InvalidRegion):
        gb11643.validate(number, today=TODAY)
    assert gb11643.is_valid(number, today=TODAY, region_policy="none")
    with pytest.raises(ValueError, match="region_policy"):
        gb11643.validate(number, region_policy="sometimes")  # type: ignore[arg-type]


def test_sequence_000(monkeypatch: pytest.MonkeyPatch) -> None:
    number = make("11010119900101000")
    assert gb11643.ACCEPT_SEQUENCE_000 is True
    assert gb11643.is_valid(number, today=TODAY)
    monkeypatch.setattr(gb11643, "ACCEPT_SEQUENCE_000", False)
    with pytest.raises(exc.InvalidSequence):
        gb11643.validate(number, today=TODAY)


def test_masked_values_are_reported() -> None:
    for masked in ("110101********1234", "110101＊＊＊＊＊＊＊＊123X", "1101011990****123X"):
        with pytest.raises(exc.MaskedValue) as info:
            gb11643.validate(masked)
        assert info.value.code == "masked"
    with pytest.raises(exc.MaskedValue):
        residence_permit.validate("810000********0019")
    with pytest.raises(exc.MaskedValue):
        foreign_pr.validate("910000********0016")


def test_parse() -> None:
    info = gb11643.parse("11010519491231002X", today=TODAY)
    assert info == gb11643.IdInfo("110105", "朝阳区", date(1949, 12, 31), "female", "002", False)
    assert gb11643.parse(make("11010519900101001"), today=TODAY).sex == "male"
    assert gb11643.parse(make("83000019900101001"), today=TODAY).region_name == "台湾地区"
    assert gb11643.parse(make("99999919900101001"), region_policy="none", today=TODAY).region_name is None
    with pytest.raises(exc.InvalidChecksum):
        gb11643.parse("110105194912310021")


def test_mask() -> None:
    assert gb11643.mask("11010119900307123X") == "110101********123X"
    assert gb11643.mask("11010119900307123x", keep_start=1, keep_end=2) == "1***************3X"
    assert gb11643.mask("110101900307123") == "110101*****7123"
    assert gb11643.mask("1101") == "****"  # short junk: all hidden
    assert gb11643.mask("1.10105E+17") == "1********17"
    assert gb11643.mask("") == ""


@settings(max_examples=300)
@given(st.one_of(valid_ids(), corrupted_ids(), st.text(alphabet="0123456789Xx -'", max_size=25)))
def test_mask_never_returns_the_number(number: str) -> None:
    compact = gb11643.compact(number) if number.strip(" -'") else ""
    masked = gb11643.mask(number)
    if compact:
        assert masked != compact
        assert "*" in masked
        assert compact.lstrip("'") not in masked


@settings(max_examples=300)
@given(st.one_of(corrupted_ids(), st.text(alphabet="0123456789X", min_size=10, max_size=20)))
def test_messages_never_contain_the_value(number: str) -> None:
    for err in gb11643.check(number, today=TODAY):
        assert number not in str(err)
        assert number[:12] not in str(err)


# --------------------------------------------------------------------------- residence permits, foreign IDs


def test_residence_permit() -> None:
    assert residence_permit.REGIONS is gb11643.RESIDENCE_PERMIT_REGIONS
    with pytest.raises(exc.InvalidRegion):
        residence_permit.validate("11010519491231002X", today=TODAY)
    with pytest.raises(exc.InvalidChecksum):
        residence_permit.validate("810000199001010010", today=TODAY)
    with pytest.raises(exc.InvalidLength):
        residence_permit.validate("81000019900101001")
    assert residence_permit.parse("820000199001010010", today=TODAY).region_name == "澳门特别行政区"
    assert residence_permit.mask("810000199001010019") == "810000********0019"
    codes = [e.code for e in residence_permit.check("110105194912310021", today=TODAY)]
    assert codes == ["checksum", "region"]


def test_foreign_permanent_residence_id() -> None:
    number = "9" + "1000020231010001"
    number += gb11643.calc_check_digit(number)
    assert foreign_pr.validate(number) == number
    assert foreign_pr.edition(number) == "2023"
    assert foreign_pr.validate(number.lower()) == number
    with pytest.raises(exc.InvalidChecksum):
        foreign_pr.validate(number[:-1] + ("0" if number[-1] != "0" else "1"))
    with pytest.raises(exc.InvalidFormat):
        foreign_pr.validate("11010519491231002X")  # a citizen ID is not a foreign permanent residence ID
    with pytest.raises(exc.InvalidLength, match="allow_2017"):
        foreign_pr.validate("USA330812345678")
    assert foreign_pr.validate("usa 330812345678", allow_2017=True) == "USA330812345678"
    with pytest.raises(exc.InvalidFormat):
        foreign_pr.validate("US1330812345678", allow_2017=True)
    with pytest.raises(exc.InvalidLength):
        foreign_pr.validate("9100002023", allow_2017=True)
    assert foreign_pr.edition("12345") is None
    assert foreign_pr.is_valid(number) and not foreign_pr.is_valid("910000202310100017")
    assert foreign_pr.format(" 910000202310100016 ") == "910000202310100016"
    assert foreign_pr.mask("USA330812345678") == "USA********5678"
