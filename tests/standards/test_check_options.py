"""``govstd check -o KEY=VALUE``: every option the help shows works for the standard it is shown
with, and a bad option or value is exit 2 naming the allowed ones — never an internal error (exit 3).
Run as a user runs it (a real subprocess)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from govstd.standards import check as value_check

PY = [sys.executable, "-m", "govstd"]
EXAMPLE = "440524188001010014"  # GB 11643's own worked example, born 1880
UNKNOWN_REGION_USCC = "91320594780268314T"  # real, issued; region 320594 is in no GB/T 2260 table


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """``govstd ARGS`` in English (the CLI is zh-first; these tests read its English summary)."""
    return subprocess.run([*PY, "--lang", "en", *args], capture_output=True, text=True, timeout=120)


def help_options() -> list[tuple[str, str, str]]:
    """(standard, key, value) for every ``KEY=VALUE`` the help of ``-o`` shows, with the standard it
    is shown for (the last ``NAME:`` before it)."""
    text = " ".join(run("check", "--help").stdout.split())
    found, standard = [], ""
    for token in re.findall(r"(GBT?[0-9.]+):|([a-z_0-9]+)=([a-z_0-9-]+)", text):
        if token[0]:
            standard = token[0]
        elif standard:
            found.append((standard, token[1], token[2]))
    return found


OPTIONS = help_options()
VALUES = {"GB11643": EXAMPLE, "GB32100": UNKNOWN_REGION_USCC, "GBT2260": "110103"}


def test_the_help_shows_options_for_several_standards() -> None:
    assert {(s, k) for s, k, _ in OPTIONS} >= {("GB11643", "region_policy"), ("GB11643", "strict"),
                                               ("GB32100", "strict"), ("GBT2260", "historical")}


@pytest.mark.parametrize(("standard", "key", "value"), OPTIONS)
def test_every_option_in_the_help_works(standard: str, key: str, value: str) -> None:
    proc = run("check", standard, "-o", f"{key}={value}", VALUES[standard])
    assert proc.returncode in (0, 1), proc.stderr
    assert "internal error" not in proc.stderr.lower() and "Traceback" not in proc.stderr


def test_what_the_options_change() -> None:
    lenient = run("check", "GB32100", UNKNOWN_REGION_USCC)
    assert lenient.returncode == 0 and "WARNING region" in lenient.stdout and "1 with warnings" in lenient.stderr
    strict = run("check", "GB32100", "-o", "strict=true", UNKNOWN_REGION_USCC)
    assert strict.returncode == 1 and "INVALID region" in strict.stdout
    assert run("check", "GB11643", EXAMPLE).returncode == 0
    assert run("check", "GB11643", "-o", "strict=true", EXAMPLE).returncode == 1
    assert run("check", "GB11643", "-o", "region_policy=birth_year", EXAMPLE).returncode == 1  # 440524: 1983-93
    assert run("check", "GBT2260", "110103").returncode == 1  # 崇文区, merged in 2010
    assert run("check", "GBT2260", "-o", "historical=true", "110103").returncode == 0
    assert EXAMPLE not in lenient.stdout + strict.stdout


@pytest.mark.parametrize(("args", "expected"), [
    (("GB32100", "-o", "strict=maybe"), "true, false"),
    (("GB11643", "-o", "region_policy=bogus"), "any_time, birth_year, current, none"),
    (("GB11643", "-o", "historical=true"), "region_policy"),
    (("GB11643", "-o", "min_birth_date=yesterday"), "YYYY-MM-DD"),
    (("GBT2260", "-o", "historical=perhaps"), "true, false"),
    (("GBT2260", "-o", "strict=true"), "historical"),
    (("GB32100", "--legacy-15"), "strict"),
])
def test_a_bad_option_is_exit_2_with_the_allowed_values(args: tuple[str, ...], expected: str) -> None:
    proc = run("check", *args, "91110000600037341L")
    assert proc.returncode == 2, proc.stderr
    assert expected in proc.stderr and "Traceback" not in proc.stderr


def test_allowed_options_come_from_the_algorithm_signature() -> None:
    assert set(value_check.algorithm_options("gb32100")) == {"strict", "check_region", "check_category",
                                                             "check_org_code"}
    assert {"strict", "region_policy", "min_birth_date", "allow_legacy_15"} <= set(
        value_check.algorithm_options("gb11643"))
    assert value_check.coerce_options("X", value_check.algorithm_options("gb11643"),
                                      {"strict": "TRUE", "min_birth_date": "1800-01-01"}) == {
        "strict": True, "min_birth_date": __import__("datetime").date(1800, 1, 1)}


def test_a_label_is_what_a_dataset_validation_says_it_is() -> None:
    """``govstd check`` judges a code-set value as a column bound to the set does (match: any by default):
    汉族 is valid with a 规范性 warning, ``-o match=code`` makes it an error, a bad match is exit 2."""
    lenient = run("check", "GBT3304", "汉族", "毛难族", "01", "1")
    assert lenient.returncode == 1  # '1' (01 typed as a number) is no code
    assert lenient.stdout.count("WARNING label") == 2 and "2 with warnings" in lenient.stderr
    strict = run("check", "GBT3304", "-o", "match=code", "汉族")
    assert strict.returncode == 1 and "INVALID code_set" in strict.stdout
    labels_only = run("check", "GBT2261.1", "-o", "match=label", "男", "1")
    assert labels_only.returncode == 1 and labels_only.stdout.count("INVALID") == 1
    # GB/T 2260's labels repeat (市辖区): codes only by default
    assert run("check", "GBT2260", "市辖区").returncode == 1
    bad = run("check", "GBT3304", "-o", "match=labels", "汉族")
    assert bad.returncode == 2 and "any, code, label" in bad.stderr


def test_the_value_checker_agrees_with_the_derived_code_set_check() -> None:
    from govstd.standards import library
    from govstd.standards.models import CodeSet

    ethnicity = library.find("GBT3304@^1", "code_set")
    assert isinstance(ethnicity, CodeSet)
    checker = value_check.value_checker(ethnicity)
    assert (checker("汉族").valid, checker("汉族").normalised) == (True, "01")
    assert [w[0] for w in checker(" 汉族").warnings] == ["label", "whitespace"]
    assert not checker("1").valid
