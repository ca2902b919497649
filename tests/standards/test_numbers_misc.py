"""Mobile numbers, GB/T 7408 dates, service item codes and the algorithm registry."""

from __future__ import annotations

import csv
import importlib
import re
from datetime import date
from importlib import resources

import pytest

from govstd.errors import NotFoundError
from govstd.standards import numbers
from govstd.standards.numbers import exceptions as exc
from govstd.standards.numbers import gb11643, gb32100, gbt7408, mobile, service_item

# --------------------------------------------------------------------------- mobile


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "+8613812345678",
        "+86 138 1234 5678",
        "+86-138-1234-5678",
        "86-13812345678",
        "86 138 1234 5678",
        "008613812345678",
        "0086 138-1234-5678",
        "(+86) 13812345678",
        "'13812345678",
        "１３８１２３４５６７８",
        " 138-1234-5678 ",
    ],
)
def test_mobile_normalisation(raw: str) -> None:
    assert mobile.validate(raw) == "13812345678"
    assert mobile.format(raw) == "138 1234 5678"
    assert mobile.mask(raw) == "138****5678"


def test_mobile_errors() -> None:
    with pytest.raises(exc.InvalidFormat):
        mobile.validate("12812345678")
    with pytest.raises(exc.InvalidFormat):
        mobile.validate("1381234567A")
    with pytest.raises(exc.InvalidLength):
        mobile.validate("1381234567")
    with pytest.raises(exc.InvalidLength):
        mobile.validate("8613812345678 1")
    with pytest.raises(exc.MaskedValue):
        mobile.validate("138****5678")
    with pytest.raises(exc.ExcelDamaged):
        mobile.validate("1.38123E+10")
    assert mobile.mask("1.38123E+10") != "1.38123E+10"
    assert mobile.compact("8612345") == "8612345"  # "86" is only a prefix before a full number


def test_mobile_strict_pattern() -> None:
    assert mobile.STRICT_PATTERN.count(r"\d") == 0 and mobile.PATTERN == r"^1[3-9][0-9]{9}$"
    for number in ("13812345678", "14512345678", "16612345678", "17012345678", "19912345678", "16100123456"):
        assert mobile.is_valid(number, strict=True), number
    for number in ("14012345678", "19412345678", "16012345678", "17912345678"):
        assert mobile.is_valid(number) and not mobile.is_valid(number, strict=True), number


# --------------------------------------------------------------------------- dates


def test_dates() -> None:
    assert gbt7408.validate("2024-02-29") == date(2024, 2, 29)
    assert gbt7408.validate("20000229") == date(2000, 2, 29)
    assert gbt7408.validate(" ２０２４-０１-０１ ") == date(2024, 1, 1)
    for bad in ("1900-02-29", "2023-02-29", "19000229"):
        with pytest.raises(exc.InvalidComponent, match="leap"):
            gbt7408.validate(bad)
    for bad in ("2024-13-01", "2024-04-31", "0000-01-01"):
        with pytest.raises(exc.InvalidComponent):
            gbt7408.validate(bad)
    for bad in ("2024/01/01", "2024-1-1", "24-01-01", "202401", "45292", "2024-01-01T00:00"):
        with pytest.raises(exc.InvalidFormat):
            gbt7408.validate(bad)
    assert gbt7408.format("20240101") == "2024-01-01"
    assert not gbt7408.is_valid("长期")


# --------------------------------------------------------------------------- service items


def sample_rows() -> list[dict[str, str]]:
    text = resources.files("govstd.standards").joinpath("data", "service_item_codes_sample.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def test_every_sample_row_matches_a_layout() -> None:
    rows = sample_rows()
    assert len(rows) == 100
    seen: dict[str, int] = {}
    errors: dict[str, int] = {}
    for row in rows:
        code = row["implementation_code"]
        matched = service_item.match_layout(code)
        assert matched is not None, "a real implementation code matches no layout"
        name, parts = matched
        seen[name] = seen.get(name, 0) + 1
        for problem in service_item.check(code, kind="implementation"):
            errors[problem.code] = errors.get(problem.code, 0) + 1
        # Where the sample splits the code, the layout's parts agree with it.
        if row["basic_code_part"]:
            assert parts["basic_code"] == row["basic_code_part"]
            assert parts["area_code"] == row["area_code_12"]
            assert parts["body"] == row["implementing_body_uscc"]
        assert service_item.item_type(row["task_type"]) in service_item.ITEM_TYPES
    assert seen == {"dashed_area_body_basic14": 76, "dashed_area_body": 24}
    # The shape is right but 9 bodies are no credit code (organisation codes, 2222222222222,
    # truncated codes): flagged, not accepted. Every area code is 511602 + 000000.
    assert errors == {"body": 9}


def test_sample_bodies_are_classified() -> None:
    kinds: dict[str, int] = {}
    for row in sample_rows():
        matched = service_item.match_layout(row["implementation_code"])
        assert matched is not None
        kind = service_item.body_kind(matched[1]["body"])
        kinds[kind] = kinds.get(kind, 0) + 1
    assert kinds["uscc"] == 91 and sum(kinds.values()) == 100
    assert service_item.body_kind("00877868-5") == "org_code"
    assert service_item.body_kind("008778175") == "org_code"
    assert service_item.body_kind("2222222222222") == "placeholder"
    assert service_item.body_kind("000000000") == "placeholder"
    assert service_item.body_kind("1151130108778239R") == "irregular"  # 17 characters: truncated


def test_compact_layout_from_another_province() -> None:
    code = "1145072100811537184452004020000"
    name, parts = service_item.match_layout(code) or ("", {})
    assert name == "body_level_basic"
    assert parts == {"body": "114507210081153718", "exercise_level": "4", "basic_code": "452004020000",
                     "handling": ""}
    assert gb32100.is_valid(parts["body"])
    assert service_item.validate(code) == code


def test_irregular_parts_are_flagged() -> None:
    good = "511A09001023-511602000000-000-11511300008778693M-1-00"
    assert service_item.check(good) == []
    assert [p.code for p in service_item.check(good.replace("511602000000", "999999000000"))] == ["region"]
    assert [p.code for p in service_item.check(good.replace("11511300008778693M", "000000000"))] == ["body"]
    assert [p.code for p in service_item.check(good.replace("11511300008778693M", "008778175"))] == ["body"]
    # Lower case is recoverable (the code validates) but is reported as a finding.
    assert service_item.validate(good.lower()) == good
    assert [f.code for f in service_item.findings(good.lower())] == ["normalised"]
    assert service_item.findings(good) == []
    # The GB/T 2260 part of the body's credit code is a finding of GB 32100, not a service item error.
    body = "91320594780268314T"  # a real code registered in 苏州工业园区 (320594, in no GB/T 2260 table)
    assert service_item.check(good.replace("11511300008778693M", body)) == []


def test_service_item_errors_and_tables() -> None:
    assert service_item.validate("511a09001023", kind="basic") == "511A09001023"
    with pytest.raises(exc.InvalidFormat, match="basic"):
        service_item.validate("511A09001023-511602000000-000-11511300008778693M-1-00", kind="basic")
    with pytest.raises(exc.InvalidFormat):
        service_item.validate("511A09001023-51160200000-000-11511300008778693M-1-00")
    with pytest.raises(exc.MaskedValue):
        service_item.validate("511A09001023-511602000000-000-115113********693M-1-00")
    with pytest.raises(exc.ExcelDamaged):
        service_item.validate("1.14507E+30")
    assert service_item.match_layout("1.14507E+30") is None
    assert not service_item.is_valid("")
    assert set(service_item.ITEM_TYPES) == {f"{n:02d}" for n in range(1, 11)} | {"20", "30", "31", "32", "99"}
    assert set(service_item.ITEM_TYPES) > service_item.LOCAL_ITEM_TYPES
    assert service_item.item_type(20) == "20" and service_item.item_type("01") == "01"
    with pytest.raises(exc.InvalidComponent):
        service_item.item_type("11")
    assert list(service_item.EXERCISE_LEVELS) == ["1", "2", "3", "4", "5", "6"]
    names = [layout.name for layout in service_item.LAYOUTS]
    assert len(names) == len(set(names))
    assert all(r"\d" not in layout.pattern for layout in service_item.LAYOUTS)
    # Every implementation layout puts the parts the engine reads at a fixed start.
    for layout in service_item.LAYOUTS:
        parts = {seg.part for seg in layout.segments}
        assert {"area_code", "body"} & parts <= set(layout.positions), layout.name


# --------------------------------------------------------------------------- registry, speed


def test_algorithm_registry() -> None:
    for name, module in numbers.ALGORITHMS.items():
        mod = numbers.get(name)
        assert mod.__name__.endswith("." + module)
        for verb in ("compact", "validate", "is_valid"):
            assert callable(getattr(mod, verb, None)), (name, verb)
    assert numbers.get("uscc") is gb32100 and numbers.get("citizen_id") is gb11643
    with pytest.raises(NotFoundError, match=r"did you mean gb11643"):
        numbers.get("gb11634")


def test_no_backslash_d_in_patterns() -> None:
    # Python's \d matches full-width and other Unicode digits; every pattern spells [0-9].
    patterns: list[str] = [layout.pattern for layout in service_item.LAYOUTS]
    for name in ("gb11643", "gb11714", "gb32100", "mobile", "gbt7408", "foreign_pr", "normalize", "service_item"):
        module = importlib.import_module(f"govstd.standards.numbers.{name}")
        patterns += [v.pattern for v in vars(module).values() if isinstance(v, re.Pattern)]
        patterns += [v for k, v in vars(module).items() if k.endswith("PATTERN") and isinstance(v, str)]
    assert len(patterns) > 15
    assert not [p for p in patterns if "\\d" in p]
