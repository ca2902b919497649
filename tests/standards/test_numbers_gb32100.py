"""GB 32100 unified social credit codes and GB 11714 organisation codes.

python-stdnum (``stdnum.cn.uscc``) is the oracle where both should agree: authorities 1/5/9 (digits in
positions 1-8), a category from the table, a GB/T 2260 region and a valid embedded organisation code.
govstd's deliberate differences (A/N/Y authorities valid; region, category and organisation code
checked) have their own tests.
"""

from __future__ import annotations

import csv
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from govstd.standards.numbers import exceptions as exc
from govstd.standards.numbers import gb11714, gb32100, gbt2260

ALPHABET = gb32100.ALPHABET


def make(first17: str) -> str:
    return first17 + gb32100.calc_check_digit(first17)


def make_org(body: str) -> str:
    return body + gb11714.calc_check_digit(body)


def sample_rows() -> list[dict[str, str]]:
    text = resources.files("govstd.standards").joinpath("data", "service_item_codes_sample.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


REGIONS = [*sorted(gbt2260.HISTORICAL_CODES()), gb32100.NATIONAL_REGION]


@st.composite
def valid_usccs(draw: st.DrawFn, authorities: str = "159") -> str:
    authority = draw(st.sampled_from(authorities))
    category = draw(st.sampled_from(sorted(gb32100.AUTHORITY_CATEGORIES[authority])))
    region = draw(st.sampled_from(REGIONS))
    body = draw(st.text(alphabet=ALPHABET, min_size=8, max_size=8))
    return make(authority + category + region + make_org(body))


@st.composite
def corrupted_usccs(draw: st.DrawFn) -> str:
    code = draw(valid_usccs())
    if draw(st.booleans()):
        i = draw(st.integers(0, 17))
        c = draw(st.sampled_from([a for a in ALPHABET if a != code[i]]))
        return code[:i] + c + code[i + 1 :]
    pairs = [i for i in range(17) if code[i] != code[i + 1]]
    i = draw(st.sampled_from(pairs))
    return code[:i] + code[i + 1] + code[i] + code[i + 2 :]


def test_constants() -> None:
    assert gb32100.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(ALPHABET) == 31 and not set(ALPHABET) & set(gb32100.EXCLUDED_LETTERS)
    assert set(gb32100.AUTHORITY_CATEGORIES) == set(gb32100.AUTHORITIES)
    assert gb11714.WEIGHTS == (3, 7, 9, 10, 5, 8, 4, 2)


@settings(max_examples=300, deadline=None)
@given(valid_usccs())
def test_valid_codes_agree_with_stdnum(code: str) -> None:
    assert uscc.is_valid(code)
    assert gb32100.validate(code) == code
    assert uscc.calc_check_digit(code) == gb32100.calc_check_digit(code[:17])


@settings(max_examples=300, deadline=None)
@given(corrupted_usccs())
def test_corrupted_codes_agree_with_stdnum(code: str) -> None:
    # A single substitution or adjacent transposition is always caught by the mod-31 check.
    assert not uscc.is_valid(code)
    assert not gb32100.is_valid(code)
    assert gb32100.check(code)[0].code in {"checksum", "format"}


# --------------------------------------------------------------------------- deliberate differences


@pytest.mark.parametrize("authority", ["A", "N", "Y"])
def test_difference_letter_authorities_valid(authority: str) -> None:
    category = sorted(gb32100.AUTHORITY_CATEGORIES[authority])[0]
    code = make(authority + category + "110105" + make_org("MA01ABCD"))
    assert not uscc.is_valid(code)
    assert gb32100.validate(code) == code
    assert gb32100.parse(code).authority_label == gb32100.AUTHORITIES[authority]


def test_unknown_region_is_valid_and_a_finding() -> None:
    # Issued codes carry the registration authority's region, which may be in no GB/T 2260 table
    # (development zones): valid by default, as python-stdnum says; reported by findings(); strict rejects.
    code = make("91" + "999999" + make_org("60003734"))
    assert uscc.is_valid(code)
    assert gb32100.validate(code) == code
    assert [f.code for f in gb32100.findings(code)] == ["region"]
    with pytest.raises(exc.InvalidRegion):
        gb32100.validate(code, strict=True)
    assert gb32100.is_valid(code, strict=True, check_region=False)
    assert gb32100.findings(code, strict=True) == []
    assert gb32100.findings(code, check_region=False) == []
    assert gb32100.findings(make("91" + "110103" + make_org("60003734"))) == []  # retired codes stay known
    assert gb32100.findings(make("11" + "100000" + make_org("60003734"))) == []  # national level


def test_category_beyond_the_table_is_valid_and_a_finding() -> None:
    # 99 (外国(地区)企业常驻代表机构 and others under authority 9) is issued in practice but not in the table.
    for first2 in ("99", "94", "B1", "Y2", "01"):
        code = make(first2 + "110000" + make_org("60003734"))
        assert gb32100.validate(code) == code, first2
        [finding] = gb32100.findings(code)
        assert finding.code == "category"
        with pytest.raises(exc.InvalidCategory) as info:
            gb32100.validate(code, strict=True)
        assert info.value.code == "category"
        assert gb32100.is_valid(code, strict=True, check_category=False)
    assert uscc.is_valid(make("94110000" + make_org("60003734")))
    assert gb32100.parse(make("99110000" + make_org("60003734"))).category_label is None


def test_findings_do_not_hide_errors() -> None:
    good = make("99" + "999999" + make_org("60003734"))
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    assert [e.code for e in gb32100.check(bad)] == ["checksum"]
    assert [f.code for f in gb32100.findings(bad)] == ["category", "region"]  # both are reported
    assert gb32100.findings("91110000600037341I") == []  # wrong shape: an error, no findings


def test_difference_org_code_checked() -> None:
    code = make("91110000" + "600037342")
    assert uscc.is_valid(code)
    with pytest.raises(exc.InvalidOrgCode) as info:
        gb32100.validate(code)
    assert info.value.code == "org_code"
    assert isinstance(info.value, exc.InvalidComponent)
    assert gb32100.is_valid(code, check_org_code=False)


# --------------------------------------------------------------------------- edges


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_each_excluded_letter(letter: str) -> None:
    code = "91110000600037341L"
    bad = code[:12] + letter + code[13:]
    with pytest.raises(exc.InvalidFormat, match=f"^{letter}: ") as info:
        gb32100.validate(bad)
    assert info.value.code == "format"
    with pytest.raises(exc.InvalidFormat, match=f"^{letter}: "):
        gb32100.validate(bad.lower())
    assert not uscc.is_valid(bad)


def test_letter_in_region_is_a_format_error() -> None:
    with pytest.raises(exc.InvalidFormat, match="positions 3-8"):
        gb32100.validate(make("9111A000600037341"))


@pytest.mark.parametrize(
    "raw",
    [
        "91110000600037341l",
        "９１１１００００６０００３７３４１Ｌ",
        " 9111 0000 6000 3734 1L ",
        "91110000-60003734-1L",
        "'91110000600037341L",
    ],
)
def test_harmless_damage(raw: str) -> None:
    assert gb32100.validate(raw) == "91110000600037341L"


def test_lengths_masks_and_damage() -> None:
    with pytest.raises(exc.InvalidLength, match="注册号"):
        gb32100.validate("110108000000016")
    with pytest.raises(exc.InvalidLength):
        gb32100.validate("91110000600037341")
    with pytest.raises(exc.MaskedValue):
        gb32100.validate("91110000********1L")
    with pytest.raises(exc.ExcelDamaged):
        gb32100.validate("9.11100E+17")
    with pytest.raises(exc.InvalidLength):
        gb32100.calc_check_digit("9111")


def test_zeroed_last_digits_are_a_checksum_error() -> None:
    with pytest.raises(exc.InvalidChecksum):
        gb32100.validate("911100006000373400")


def test_pilot_code_fails_its_check() -> None:
    # An early pilot code found in a real registry (DOMAIN.md): report it as what it is.
    assert gb32100.check("91350211M0000XUF46")[0].code == "checksum"


def test_check_reports_every_part_separately() -> None:
    code = "Y9999999600037342X"
    codes = [e.code for e in gb32100.check(code)]
    assert codes == ["checksum", "org_code"]
    assert [e.code for e in gb32100.check(code, strict=True)] == ["checksum", "category", "region", "org_code"]
    assert [f.code for f in gb32100.findings(code)] == ["category", "region"]
    assert gb32100.check("91110000600037341L") == []


def test_parse_format_mask() -> None:
    info = gb32100.parse("91110000600037341L")
    assert info == gb32100.UsccInfo("9", "工商/市场监管", "1", "企业", "110000", "600037341")
    assert gb32100.parse(make("92110105" + make_org("MA01ABCD"))).category_label == "个体工商户"
    assert gb32100.format("9111-0000-6000-3734-1l") == "91110000600037341L"
    assert gb32100.mask("91110000600037341L") == "91110000********1L"
    assert gb32100.mask("9111") == "****"  # four or fewer characters: all hidden


# --------------------------------------------------------------------------- GB 11714 organisation codes


def test_gb11714_on_real_sample_codes() -> None:
    """Every real USCC in the service-item sample that passes the mod-31 check also passes GB 11714."""
    checked = 0
    for row in sample_rows():
        code = row["implementing_body_uscc"]
        if len(code) == 18 and gb32100.calc_check_digit(code[:17]) == code[17] and uscc.is_valid(code):
            assert gb11714.is_valid(code[8:17]), "real organisation code fails GB 11714"
            assert gb32100.is_valid(code)
            checked += 1
    assert checked >= 90


def test_sample_irregular_codes_are_reported() -> None:
    bodies = {row["implementing_body_uscc"] for row in sample_rows()}
    assert "TE5116020105116050" in bodies
    assert [e.code for e in gb32100.check("TE5116020105116050")] == ["checksum"]
    assert "category" in [f.code for f in gb32100.findings("TE5116020105116050")]
    with pytest.raises(exc.InvalidLength):
        gb32100.validate("1151130108778239R")  # a truncated code in the sample


def test_gb11714_basics() -> None:
    assert gb11714.validate("60003734-1") == "600037341"
    assert gb11714.format("600037341") == "60003734-1"
    assert gb11714.format("12") == "12"
    assert gb11714.calc_check_digit("MA1FL8L7") == "X"
    bodies = [f"{n:08d}" for n in range(200)]
    assert any(gb11714.calc_check_digit(b) == "0" for b in bodies)  # 11 → '0'
    for body in bodies:
        check = gb11714.calc_check_digit(body)
        total = sum(int(c) * w for c, w in zip(body, gb11714.WEIGHTS, strict=True))
        expected = 11 - total % 11
        assert check == {10: "X", 11: "0"}.get(expected, str(expected))
    with pytest.raises(exc.InvalidChecksum):
        gb11714.validate("600037342")
    with pytest.raises(exc.InvalidLength):
        gb11714.validate("0087790701")  # 10 characters: an irregular value from the sample
    with pytest.raises(exc.InvalidFormat):
        gb11714.validate("60003734A")
    with pytest.raises(exc.InvalidFormat):
        gb11714.calc_check_digit("6000373")
    with pytest.raises(exc.MaskedValue):
        gb11714.validate("6000****1")
    assert not gb11714.is_valid("x")
