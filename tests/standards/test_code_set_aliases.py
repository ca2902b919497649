"""Labels and aliases of the built-in code sets (issue 13): what a department writes instead of a code
(男 for 1, 汉 or 汉族 for 01, the old name 毛难族 for 36) must name exactly one code, or a label could not
be normalised to its code. GB/T 3304's short names without 族 are aliases since GBT3304 1.1.0.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from govstd.standards import library
from govstd.standards.check import _labels_unique, labels_unique
from govstd.standards.models import Code, CodeSet

CODE_SETS = [e for e in library.builtin_entries() if isinstance(e, CodeSet) and e.codes]


def owners(codes: list[Code]) -> dict[str, set[str]]:
    """Every code, label and alias → the codes it names."""
    found: dict[str, set[str]] = defaultdict(set)
    for c in codes:
        for value in (c.code, c.label_zh, *c.aliases):
            found[value].add(c.code)
    return found


@pytest.mark.parametrize("code_set", [cs for cs in CODE_SETS if labels_unique(cs)], ids=lambda cs: cs.ref)
def test_no_label_or_alias_names_two_codes(code_set: CodeSet) -> None:
    # Counted independently of labels_unique: values (codes included) owned by more than one code.
    ambiguous = {v: sorted(codes) for v, codes in owners(code_set.codes).items() if len(codes) > 1}
    assert ambiguous == {}


def test_the_code_sets_a_department_writes_labels_into_normalise_their_labels() -> None:
    for ref in ("GBT3304", "GBT2261.1"):
        assert labels_unique(library.find(ref, "code_set")), ref  # type: ignore[arg-type]


def test_gbt3304_short_names_are_aliases_of_their_code() -> None:
    eth = library.find("GBT3304@^1")
    assert isinstance(eth, CodeSet) and eth.version == "1.1.0"
    by_value = {v: next(iter(c)) for v, c in owners(eth.codes).items()}
    assert [by_value[v] for v in ("汉", "蒙古", "回", "藏", "维吾尔", "朝鲜", "土", "京", "水")] == \
        ["01", "02", "03", "04", "05", "10", "30", "49", "25"]
    # Old names, with and without 族.
    assert [by_value[v] for v in ("毛难族", "毛难", "崩龙族", "崩龙")] == ["36", "36", "46", "46"]
    # Every one of the 56 groups has its short name; 其他 and 外国血统中国籍人士 have none to shorten.
    for c in eth.codes:
        assert (c.label_zh[:-1] in c.aliases) == c.label_zh.endswith("族"), c.code


def test_a_label_spelled_like_another_code_is_ambiguous() -> None:
    assert _labels_unique((("1", ("男性",)), ("2", ("女性",))))
    assert not _labels_unique((("1", ("男性", "2")), ("2", ("女性",))))
    assert not _labels_unique((("1", ("男",)), ("2", ("男",))))
