from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric  # python-stdnum: the outside oracle for GB 11643 check characters

from govstd.standards.masking import DEFAULT_RULE, birth_dates, mask, redact
from govstd.standards.models import MaskingRule
from govstd.standards.numbers import gb32100

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


# --------------------------------------------------------------------------- redact (free text)

#: Every separator class people (and Word, web pages, Excel) put inside numbers.
SEPARATORS = ["", " ", "  ", "-", " - ", "/", ".", "_", "\u00a0", "\u3000", "\u200b", "\u200c", "\u200d",
              "\ufeff", "\uff0d", "\uff0f", "\uff0e", "\u2014", "\u00b7", "\u00a0\u200b"]
#: What may stand right next to a number: nothing, spaces, punctuation, CJK, Latin letters.
NEIGHBOURS = st.sampled_from(["", " ", "：", ":", "，", "(", "（", "【", "联系", "证件号", "TEL", "ID", "No", "abc",
                              "x", "号", "\u00a0", "\u3000", "\u200b", "\n", "\t", "#", "=", '"'])
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
CLEAN = re.compile("[\\s\u00a0\u3000\u200b\u200c\u200d\ufeff.\\-/_\uff0d\uff0f\uff0e\u2014\u00b7]")


@st.composite
def citizen_ids(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(["110101", "310104", "440305", "510107", "650102", "820000", "370202"]))
    born = draw(st.dates(dt.date(1900, 1, 1), dt.date(2024, 12, 31)))
    first17 = region + born.strftime("%Y%m%d") + draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    return first17 + ric.calc_check_digit(first17)


@st.composite
def legacy_ids(draw: st.DrawFn) -> str:
    born = draw(st.dates(dt.date(1900, 1, 1), dt.date(1999, 12, 31)))
    return "110105" + born.strftime("%y%m%d") + draw(st.from_regex(r"[0-9]{3}", fullmatch=True))


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@st.composite
def usccs(draw: st.DrawFn) -> str:
    alphabet = gb32100.ALPHABET
    first17 = (draw(st.sampled_from(["91", "92", "12", "52", "93"])) + draw(st.sampled_from(["110101", "350100"]))
               + "".join(draw(st.lists(st.sampled_from(alphabet), min_size=9, max_size=9))))
    return first17 + gb32100.calc_check_digit(first17)


@st.composite
def written(draw: st.DrawFn, number: str) -> str:
    """``number`` as a person might write it: split anywhere by one separator class, maybe full-width."""
    sep = draw(st.sampled_from(SEPARATORS))
    cuts = sorted(draw(st.sets(st.integers(1, len(number) - 1), max_size=6)))
    parts = [number[a:b] for a, b in zip([0, *cuts], [*cuts, len(number)], strict=True)]
    text = sep.join(parts)
    return text.translate(FULLWIDTH) if draw(st.booleans()) else text


def _hidden_windows(number: str, visible_start: int) -> list[str]:
    """Every 6-character window of ``number`` not wholly in its visible start, nor equal to six characters of
    it (110105991101050 repeats its region 110105 in the middle: the masked form shows it, legitimately)."""
    shown = number[:visible_start]
    return [w for i in range(1, len(number) - 5) if i + 6 > visible_start and (w := number[i:i + 6]) not in shown]


def _assert_hidden(number: str, text: str, visible_start: int, *, middle_only: bool = False,
                   redacted: bool = False) -> None:
    """No six characters of the hidden part of ``number`` survive ``redact(text)`` (``text`` itself
    when ``redacted``), whatever separators split them."""
    out = CLEAN.sub("", text if redacted else redact(text)).translate({0xFF10 + i: 0x30 + i for i in range(10)})
    windows = _hidden_windows(number.upper(), visible_start)
    if middle_only:  # other numbers' visible ends may repeat windows that merely touch this one's middle
        middle = number.upper()[visible_start:-4]
        windows = [w for i in range(len(middle) - 5) if (w := middle[i:i + 6]) not in number.upper()[:visible_start]]
    for window in windows:
        assert window not in out.upper(), (text, window)


def _embed(draw: st.DrawFn, number: str) -> str:
    return draw(NEIGHBOURS) + draw(written(number)) + draw(NEIGHBOURS)


@given(st.data(), citizen_ids())
def test_redact_hides_citizen_ids_however_written(data: st.DataObject, number: str) -> None:
    _assert_hidden(number, _embed(data.draw, number), 6)


@given(st.data(), legacy_ids())
def test_redact_hides_legacy_ids_however_written(data: st.DataObject, number: str) -> None:
    _assert_hidden(number, _embed(data.draw, number), 6)


@given(st.data(), mobiles, st.sampled_from(["", "86", "+86", "+86 ", "+86-", "86\u00a0"]))
def test_redact_hides_mobiles_however_written(data: st.DataObject, number: str, prefix: str) -> None:
    text = data.draw(NEIGHBOURS) + prefix + data.draw(written(number)) + data.draw(NEIGHBOURS)
    _assert_hidden(number, text, 3)
    assert "****" in redact(text)


@given(st.data(), usccs(), st.booleans())
def test_redact_hides_usccs_however_glued(data: st.DataObject, number: str, lower: bool) -> None:
    value = number.lower() if lower else number
    text = data.draw(NEIGHBOURS) + value + data.draw(NEIGHBOURS)
    _assert_hidden(number, text, 6)


@given(st.lists(st.one_of(citizen_ids(), mobiles, usccs()), min_size=2, max_size=4),
       st.sampled_from([" ", "；", "\u200b", " 和 ", "/", ""]))
def test_redact_hides_several_numbers_in_one_text(numbers: list[str], sep: str) -> None:
    text = "备注：" + sep.join(numbers)
    shown = redact(text)
    # Where the numbers are apart, look at each one's part alone: with the separators cleaned away, one
    # number's visible end and the next one's visible start could spell a window of a hidden middle
    # ("…0000" + "11…") although nothing hidden is shown.
    parts = shown.split(sep) if sep else [shown]
    for number in numbers:
        for part in parts:
            _assert_hidden(number, part, 3 if len(number) == 11 else 6, middle_only=True, redacted=True)
        assert number not in CLEAN.sub("", shown)


def test_redact_standard_masks() -> None:
    assert redact("联系13812345678 证件110101199003078514") == "联系138****5678 证件110101********8514"
    assert redact("TEL13812345678") == "TEL138****5678"
    assert redact("ID110101199003078514abc") == "ID110101********8514abc"
    assert redact("110101.19900307.8514") == "110101********8514"
    assert redact("1\u200b1\u200b0101199003078514") == "110101********8514"
    assert redact("１３８１２３４５６７８") == "138****5678"
    assert redact("+86\u00a0139-1234-5678") == "+86 139****5678"
    assert redact("11010519491231002x") == "110105********002x"


# Amounts below 10^8 yuan: with their cents, 11 digits shaped like a mobile are masked (documented limit).
@given(st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)), st.integers(0, 10**8 - 1), st.integers(0, 99999))
def test_redact_leaves_ordinary_text_alone(day: dt.date, amount: int, short: int) -> None:
    text = (f"{day.isoformat()} 至 {day:%Y/%m/%d}，{day:%Y%m%d} {day.isoformat()} {day.isoformat()}；"
            f"金额 {amount:,}.50 元，{amount}.25，编号 {short}，GB/T 2260-2007，09:30:00，v1.2.3")
    assert redact(text) == text


def test_birth_dates_and_dates_beside_them() -> None:
    assert birth_dates("证件 110101199003078514 及 110105491231002") == {"19900307", "19491231"}
    shown = redact("born 1990-03-07, 1990年3月7日, 19900307, 1990/03/08", birth_dates={"19900307"})
    assert shown == "born ****-**-**, ****年*月*日, ********, 1990/03/08"


def test_birth_date_of_an_id_overlapped_by_a_glued_uscc_shape() -> None:
    # "01011960010110 09ab" inside this text has a valid GB 32100 check character by chance.
    assert birth_dates("证件110101196001011009abc") == {"19600101"}


# --------------------------------------------------------------------------- URL credentials in free text


def test_redact_hides_only_a_url_credential() -> None:
    """The user information of a URL holds no white space: a host and port followed by words and an address
    is no credential, and the words stay (they were lost to ``***`` up to the ``@``)."""
    assert redact("http://host:8080 mail a@b") == "http://host:8080 mail a@b"
    text = "服务 http://10.0.0.1:8080 联系 admin@example.com"
    assert redact(text) == text
    assert redact("postgresql://u:pw@db mail admin@x.com") == "postgresql://u:***@db mail admin@x.com"
    assert redact("postgresql://u:p@ss@db/x，联系 a@b") == "postgresql://u:***@db/x，联系 a@b"
    assert redact("http://u:pw@h\nsee a@b") == "http://u:***@h\nsee a@b"
    # An authority whose ``:`` is followed by no port can only be user information: its space is the password's.
    assert redact("postgresql://user:pa ss@db/x") == "postgresql://user:***@db/x"


URL_WORDS = st.text(alphabet=st.sampled_from("abcxyz联系电话 ，。:/@#?=-_.\n\t0123456789X"), max_size=12)


@st.composite
def text_around_a_url(draw: st.DrawFn, number: str) -> str:
    """Arbitrary text around a URL (with or without a credential), ``number`` written into one of its parts."""
    parts = {
        "before": draw(URL_WORDS),
        "user": draw(st.from_regex(r"[a-z0-9_]{0,6}", fullmatch=True)),
        "password": draw(st.text(alphabet=st.sampled_from("ab1@ $%"), max_size=6)),
        "host": draw(st.sampled_from(["db", "127.0.0.1", "registry.example", "h"])),
        "port": draw(st.sampled_from(["", ":5432", ":8080"])),
        "path": draw(st.sampled_from(["", "/x", "/api?token=t0k", "/db?password=pw&sslmode=disable"])),
        "after": draw(URL_WORDS),
    }
    where = draw(st.sampled_from(["before", "user", "password", "host", "path", "after"]))
    glue = draw(st.sampled_from(["", " ", "：", "-"]))
    parts[where] = glue.join(draw(st.permutations([parts[where], number])))
    credential = draw(st.sampled_from(["", "{user}@", "{user}:{password}@"])).format(**parts)
    scheme = draw(st.sampled_from(["postgresql://", "http://", "https://", "sqlite:///"]))
    return f"{parts['before']}{scheme}{credential}{parts['host']}{parts['port']}{parts['path']}{parts['after']}"


@settings(deadline=None, max_examples=300)
@given(st.data(), st.one_of(citizen_ids(), mobiles))
def test_redact_never_leaves_a_number_around_a_url(data: st.DataObject, number: str) -> None:
    """Wherever an ID number (GB 11643, check character by python-stdnum) or a mobile stands in or around a
    URL — its user, password, host, path or the text about it — the URL's masking never shows it whole."""
    text = data.draw(text_around_a_url(number))
    shown = redact(text)
    assert number not in shown
    _assert_hidden(number, text, 3 if len(number) == 11 else 6, middle_only=True)


@settings(deadline=None, max_examples=200)
@given(st.sampled_from(["http://", "https://", "postgresql://"]),
       st.from_regex(r"[a-z][a-z0-9.]{0,10}", fullmatch=True), st.integers(0, 65535),
       st.text(alphabet=st.sampled_from("abc 联系邮箱，:"), max_size=15),
       st.from_regex(r"[a-z]{1,5}@[a-z]{1,5}", fullmatch=True))
def test_redact_keeps_the_words_after_a_port(scheme: str, host: str, port: int, words: str, address: str) -> None:
    """A host and port followed by white space ends the URL: nothing up to a later ``@`` is a password."""
    text = f"{scheme}{host}:{port} {words} {address}"
    assert redact(text) == text
