"""Normalisation, masking and the error hierarchy shared by all identifier modules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govstd.standards.numbers import exceptions as exc
from govstd.standards.numbers import iso7064
from govstd.standards.numbers.normalize import display_form, is_excel_damaged, is_masked, normalize


@pytest.mark.parametrize(
    ("raw", "value", "changes"),
    [
        ("11010519491231002X", "11010519491231002X", ()),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X", ("fullwidth",)),
        ("11010519491231002x", "11010519491231002X", ("lowercase",)),
        (" 110105 19491231 002X\t", "11010519491231002X", ("whitespace",)),
        ("\u3000110105194912310\u00a002X\ufeff", "11010519491231002X", ("whitespace",)),
        ("'11010519491231002X", "11010519491231002X", ("apostrophe",)),
        (" '11010519491231002X", "11010519491231002X", ("whitespace", "apostrophe")),
        ("110105-19491231-002X", "11010519491231002X", ("dash",)),
        ("110105－19491231—002X", "11010519491231002X", ("dash",)),
        (
            "＇１１０１０５－１９４９１２３１００２ｘ",
            "11010519491231002X",
            ("fullwidth", "apostrophe", "dash", "lowercase"),
        ),
    ],
)
def test_normalize_reports_changes(raw: str, value: str, changes: tuple[str, ...]) -> None:
    result = normalize(raw)
    assert result.value == value
    assert result.changes == changes


def test_normalize_keeps_dashes_and_case_when_asked() -> None:
    assert normalize("2024-01-0１", strip_dashes=False).value == "2024-01-01"
    assert normalize("ab-c", strip_dashes=False, uppercase=False) == ("ab-c", ())


def test_apostrophe_only_leading() -> None:
    assert normalize("12'3").value == "12'3"


@pytest.mark.parametrize(
    "raw",
    [
        "1.10105E+17",
        "1.10105e17",
        "1.10105E17",
        " 1.10105E+17 ",
        "'1.10105E+17",
        "１．１０１０５Ｅ＋１７",
        "110105194912310000.0",
    ],
)
def test_excel_damage_is_reported_never_repaired(raw: str) -> None:
    assert is_excel_damaged(raw)
    with pytest.raises(exc.ExcelDamaged) as info:
        normalize(raw)
    assert info.value.code == "excel_damage"
    assert isinstance(info.value, exc.InvalidFormat)


@pytest.mark.parametrize("raw", ["1.5", "2024.01.01", "E17", "11010519491231002X", "12345.0"])
def test_not_excel_damage(raw: str) -> None:
    assert not is_excel_damaged(raw)


def test_full_width_digits_are_not_digits_to_the_validators() -> None:
    # Python's \d and str.isdigit() accept these; the validators must not, unless normalised first.
    assert "１".isdigit()
    assert normalize("１").value == "1"
    assert normalize("١٢٣").value == "١٢٣"  # Arabic-Indic digits are not converted


def test_is_masked() -> None:
    assert is_masked("110101********1234")
    assert is_masked("138＊＊＊＊5678")
    assert not is_masked("11010519491231002X")


def test_error_hierarchy_and_codes() -> None:
    expected = {
        exc.ValidationError: ("invalid", ValueError),
        exc.InvalidFormat: ("format", exc.ValidationError),
        exc.InvalidLength: ("length", exc.ValidationError),
        exc.InvalidChecksum: ("checksum", exc.ValidationError),
        exc.InvalidComponent: ("component", exc.ValidationError),
        exc.InvalidBirthDate: ("birth_date", exc.InvalidComponent),
        exc.InvalidRegion: ("region", exc.InvalidComponent),
        exc.InvalidSequence: ("sequence", exc.InvalidComponent),
        exc.InvalidCategory: ("category", exc.InvalidComponent),
        exc.InvalidOrgCode: ("org_code", exc.InvalidComponent),
        exc.MaskedValue: ("masked", exc.InvalidFormat),
        exc.ExcelDamaged: ("excel_damage", exc.InvalidFormat),
    }
    for cls, (code, parent) in expected.items():
        assert cls.code == code
        assert issubclass(cls, parent)
        err = cls()
        assert str(err) == err.message
        assert err.to_dict() == {"code": code, "message": err.message}
    assert len({cls.code for cls in expected}) == len(expected)


def test_iso7064_mod_11_2() -> None:
    assert iso7064.MOD_11_2_CHECK_CHARS == "10X98765432"
    assert iso7064.weights(17) == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    assert iso7064.calc_check_digit("0794") == "0"  # ISO 7064's own examples
    assert iso7064.calc_check_digit("079") == "X"
    assert iso7064.is_valid("079X")
    assert not iso7064.is_valid("0791")
    assert not iso7064.is_valid("07A4")
    with pytest.raises(exc.InvalidFormat):
        iso7064.calc_check_digit("１２")
    with pytest.raises(exc.InvalidFormat):
        iso7064.char_values("a")


@given(st.text(alphabet="0123456789", min_size=1, max_size=30))
def test_iso7064_agrees_with_stdnum(body: str) -> None:
    from stdnum.iso7064 import mod_11_2

    assert iso7064.calc_check_digit(body) == mod_11_2.calc_check_digit(body)
    assert iso7064.checksum(body + iso7064.calc_check_digit(body)) == 1


def test_case_is_mapped_for_ascii_letters_only() -> None:
    # Python's str.upper() would turn ß into SS and ı into I; DuckDB's UPPER turns ß into ẞ. Engines
    # agree on a-z → A-Z only, so that is the rule everywhere: other letters keep their case.
    assert normalize("11010519491231002x").value == "11010519491231002X"
    assert normalize("1101051949123100ßx").value == "1101051949123100ßX"
    assert normalize("ıſﬁ").value == "ıſﬁ"
    assert display_form("ab-ß") == "ABß"
