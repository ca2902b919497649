"""Semver parsing, precedence and range matching (pure: no database)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govstd.errors import InputError
from govstd.registry.versions import (
    Bump,
    NoMatchingVersionError,
    Version,
    choose_version,
    parse_range,
    split_ref,
)
from govstd.standards.models import RegistrationStatus as S


def v(text: str) -> Version:
    return Version.parse(text)


def test_precedence_follows_semver_spec() -> None:
    # The ordering example of semver 2.0.0, clause 11.
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
               "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "1.10.0", "2.0.0", "2024.0.0"]
    assert sorted(ordered, key=lambda t: v(t).sort_key()) == ordered


@pytest.mark.parametrize("bad", ["1", "1.2", "01.2.3", "1.2.3.4", "v1.2.3", "", "1.2.x"])
def test_not_a_version(bad: str) -> None:
    with pytest.raises(InputError, match="semantic version"):
        Version.parse(bad)


@pytest.mark.parametrize(
    ("spec", "inside", "outside"),
    [
        ("1.2.0", ["1.2.0"], ["1.2.1", "1.1.9"]),
        ("=1.2.0", ["1.2.0"], ["1.2.1"]),
        ("^1.2", ["1.2.0", "1.9.9"], ["1.1.9", "2.0.0"]),
        ("^1.2.3", ["1.2.3", "1.99.0"], ["1.2.2", "2.0.0"]),
        ("^1", ["1.0.0", "1.5.0"], ["0.9.0", "2.0.0"]),
        ("^0.2", ["0.2.0", "0.2.9"], ["0.3.0", "0.1.9"]),
        ("^0.0.3", ["0.0.3"], ["0.0.4"]),
        ("~1.2", ["1.2.0", "1.2.9"], ["1.3.0", "1.1.0"]),
        ("~1.2.3", ["1.2.3", "1.2.9"], ["1.2.2", "1.3.0"]),
        ("~1", ["1.0.0", "1.9.0"], ["2.0.0"]),
        (">=1.0,<2", ["1.0.0", "1.9.9"], ["0.9.9", "2.0.0"]),
        (">=1.0 <2", ["1.5.0"], ["2.0.0"]),
        (">= 1.0, < 2", ["1.5.0"], ["2.0.0"]),
        (">1.2", ["1.3.0"], ["1.2.9"]),
        ("<=1.2", ["1.2.9"], ["1.3.0"]),
        ("<1.2", ["1.1.9"], ["1.2.0"]),
        ("1.x", ["1.0.0", "1.9.0"], ["2.0.0"]),
        ("1.2.*", ["1.2.5"], ["1.3.0"]),
        ("1.2", ["1.2.5"], ["1.3.0"]),
        ("*", ["0.0.1", "99.0.0"], []),
    ],
)
def test_ranges(spec: str, inside: list[str], outside: list[str]) -> None:
    rng = parse_range(spec)
    for text in inside:
        assert rng.matches(v(text)), (spec, text)
    for text in outside:
        assert not rng.matches(v(text)), (spec, text)


def test_prereleases_match_ranges_only_when_asked() -> None:
    rng = parse_range("^2")
    assert not rng.matches(v("2.1.0-rc.1"))
    assert rng.matches(v("2.1.0-rc.1"), include_prerelease=True)
    assert parse_range("2.1.0-rc.1").matches(v("2.1.0-rc.1"))


@pytest.mark.parametrize("bad", ["^", ">=a", "1.2.3.4", "~~1", "^1.2,foo"])
def test_bad_ranges(bad: str) -> None:
    with pytest.raises(InputError):
        parse_range(bad)


def test_split_ref() -> None:
    name, rng = split_ref("GB11643")
    assert name == "GB11643" and rng.latest
    assert split_ref("GB11643@latest")[1].latest
    name, rng = split_ref("GBT2261.1@^1")
    assert name == "GBT2261.1" and rng.matches(v("1.4.0")) and not rng.latest
    with pytest.raises(InputError):
        split_ref("@1.0.0")


def test_lines_and_bumps() -> None:
    assert v("1.4.2").line == (1,) and v("0.3.1").line == (0, 3)
    assert str(v("1.4.2").bumped(Bump.MAJOR)) == "2.0.0"
    assert str(v("0.3.1").bumped(Bump.MAJOR)) == "0.4.0"  # breaking in 0.x moves the minor
    assert str(v("1.4.2").bumped(Bump.MINOR)) == "1.5.0"
    assert str(v("1.4.2").bumped(Bump.PATCH)) == "1.4.3"


VERSIONS = [
    ("1.0.0", S.STANDARD), ("1.1.0", S.SUPERSEDED), ("1.2.0", S.RETIRED), ("1.3.0", S.CANDIDATE),
    ("2.0.0-rc.1", S.CANDIDATE), ("0.9.0", S.INCOMPLETE),
]


@pytest.mark.parametrize(
    ("spec", "candidates", "expected", "warned"),
    [
        ("latest", False, "1.0.0", None),            # the highest *standard*
        ("latest", True, "2.0.0-rc.1", None),        # --candidates: candidates compete as if agreed
        ("^1", False, "1.0.0", None),                # a standard beats a superseded or candidate version
        ("^1", True, "1.3.0", None),
        ("~1.1", False, "1.1.0", "superseded"),      # else a superseded one (deprecated), with a warning
        ("^1.2", False, "1.3.0", "candidate"),       # else a candidate, with a warning; never a retired one
        ("^2", False, "2.0.0-rc.1", "pre-release"),  # a pre-release counts as a candidate
        ("^2", True, "2.0.0-rc.1", None),
        ("1.2.0", False, "1.2.0", "retired"),        # exact pins resolve whatever the status
        ("1.1.0", False, "1.1.0", "superseded"),
        ("1.3.0", False, "1.3.0", None),
        ("0.9.0", False, "0.9.0", None),
        ("^0.9", True, None, None),                  # incomplete is never chosen by a range
        ("^3", False, None, None),
    ],
)
def test_choose_version(spec: str, candidates: bool, expected: str | None, warned: str | None) -> None:
    if expected is None:
        with pytest.raises(NoMatchingVersionError, match=re.escape(f"no version of X matches 'X@{spec}'")) as caught:
            choose_version("X", VERSIONS, parse_range(spec), include_candidates=candidates)
        assert "1.0.0 (standard), 1.1.0 (superseded), 1.2.0 (retired)" in (caught.value.hint or "")
        return
    choice = choose_version("X", VERSIONS, parse_range(spec), include_candidates=candidates)
    assert choice.version == expected
    if warned is None:
        assert choice.warning is None
    else:
        assert choice.warning is not None and warned in choice.warning


def test_superseded_is_never_the_current_standard() -> None:
    """A bare name skips superseded versions (it means "the current standard"), a range does not."""
    old_line = [("1.0.0", S.SUPERSEDED), ("2.0.0", S.CANDIDATE)]
    assert choose_version("X", old_line, parse_range("latest")).version == "2.0.0"
    assert choose_version("X", old_line, parse_range("^1")).version == "1.0.0"
    with pytest.raises(NoMatchingVersionError, match="X has no version a bare name resolves to"):
        choose_version("X", [("1.0.0", S.SUPERSEDED)], parse_range("latest"))


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5)), min_size=2, max_size=8))
def test_ordering_is_total_and_matches_tuples(parts: list[tuple[int, int, int]]) -> None:
    versions = [Version(*p) for p in parts]
    assert [(x.major, x.minor, x.patch) for x in sorted(versions, key=Version.sort_key)] == sorted(parts)
    for a in versions:
        for b in versions:
            assert (a < b) + (b < a) + (a == b) == 1


@given(st.integers(0, 4), st.integers(0, 4), st.integers(0, 4))
def test_caret_contains_its_base_and_stays_in_its_line(major: int, minor: int, patch: int) -> None:
    base = Version(major, minor, patch)
    rng = parse_range(f"^{base}")
    assert rng.matches(base)
    assert not rng.matches(base.bumped(Bump.MAJOR))
