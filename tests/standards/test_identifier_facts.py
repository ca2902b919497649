"""An identifier's facts live in its module in ``standards/numbers``: the derivation, the exports, the
GX integration and the steward's detection read them from there, so a new identifier is one module
(plus its YAML entry and tests), never a pattern re-typed in four places."""

from __future__ import annotations

import json
import re
import string
import warnings
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from stdnum.cn import ric, uscc

from govstd.export import export, load_source
from govstd.integrations.gx import conditions
from govstd.standards import numbers
from govstd.standards.loader import load_file
from govstd.standards.models import CatalogueSchema, PiiClass
from govstd.standards.numbers import foreign_pr, gb11643, gb11714, gb32100, mobile
from govstd.validators import ir
from govstd.validators.derive import derive

#: One valid value per identifier (the modules' own doctest examples or the library's).
EXAMPLES = {
    "gb11643": "11010519491231002X",
    "residence_permit": "810000199001010019",
    "foreign_pr": "91234567890123456" + foreign_pr.calc_check_digit("91234567890123456"),
    "gb32100": "91110000600037341L",
    "gb11714": "60003734-1",
    "mobile": "13812345678",
    "service_item": "511A09001023-511602000000-000-11511300008778693M-1-00",
}

#: Library field standards bound to each identifier algorithm.
STANDARDS = {
    "gb11643": "GB11643@^1",
    "residence_permit": "residence_permit_hmt@^1",
    "foreign_pr": "foreign_permanent_residence_id@^1",
    "gb32100": "GB32100@^1",
    "gb11714": "GB11714@^1",
    "mobile": "mobile_phone@^1",
    "service_item": "GBT39554.1@^1",
}


def test_every_identifier_module_exposes_its_facts() -> None:
    assert set(numbers.IDENTIFIERS) <= set(numbers.ALGORITHMS)
    assert set(numbers.MOD11_2_FAMILY) <= set(numbers.IDENTIFIERS)
    for name in numbers.ALGORITHMS:
        module = numbers.get(name)
        if name not in numbers.IDENTIFIERS:
            # A SHAPE outside IDENTIFIERS would be a fact nothing reads: register the identifier.
            assert not hasattr(module, "SHAPE"), name
            continue
        assert isinstance(module.SHAPE, str) and "\\d" not in module.SHAPE, name  # \d matches any Unicode digit
        assert isinstance(module.NAME, str) and module.NAME, name
        assert isinstance(module.NAME_ZH, str) and re.search("[\u4e00-\u9fff]", module.NAME_ZH), name
        assert isinstance(module.PII, PiiClass), name
        assert {"SHAPE", "NAME", "NAME_ZH", "PII"} <= set(module.__all__), name


@pytest.mark.parametrize("name", numbers.IDENTIFIERS)
def test_the_shape_accepts_what_the_module_validates(name: str) -> None:
    module = numbers.get(name)
    value = module.validate(EXAMPLES[name])
    assert re.fullmatch(module.SHAPE, value), (name, value)
    assert not re.fullmatch(module.SHAPE, value[:-1]), name


def test_shapes_agree_with_python_stdnum() -> None:
    """An outside oracle: python-stdnum's own validation of the same values."""
    assert ric.is_valid(EXAMPLES["gb11643"]) and re.fullmatch(gb11643.SHAPE, ric.compact(EXAMPLES["gb11643"]))
    assert uscc.is_valid(EXAMPLES["gb32100"]) and re.fullmatch(gb32100.SHAPE, uscc.compact(EXAMPLES["gb32100"]))


def test_the_credit_code_shape_uses_the_standards_alphabet() -> None:
    """GB 32100-2015 代码字符集: the compact character class in SHAPE is exactly ALPHABET."""
    classes = set(re.findall(r"\[[^\]]+\]", gb32100.SHAPE)) - {"[0-9]"}
    assert len(classes) == 1
    (alphabet,) = classes
    accepted = {c for c in string.printable if re.fullmatch(alphabet, c)}
    assert accepted == set(gb32100.ALPHABET)
    assert not accepted & set(gb32100.EXCLUDED_LETTERS)


def test_the_family_shares_gb11643s_layout() -> None:
    assert numbers.MOD11_2_FAMILY == ("gb11643", "residence_permit", "foreign_pr")
    for name in numbers.MOD11_2_FAMILY:
        module = numbers.get(name)
        assert module.PII == PiiClass.ID_NUMBER
        assert len(module.validate(EXAMPLES[name])) == gb11643.LENGTH
    assert foreign_pr.SHAPE.startswith(foreign_pr.PREFIX_2023)


def _schema_file(tmp_path: Path) -> Path:
    """A catalogue schema with one field per identifier, named by its algorithm."""
    header = Path(__file__).parents[1] / "validators" / "data" / "social_security_card.yaml"
    text = header.read_text(encoding="utf-8").split("\nfields:")[0]
    fields = "".join(f"  - {{name: {name}, standard: \"{ref}\"}}\n" for name, ref in STANDARDS.items())
    path = tmp_path / "identifiers.yaml"
    path.write_text(f"{text}\nfields:\n{fields}", encoding="utf-8")
    return path


def _schema(tmp_path: Path) -> CatalogueSchema:
    (schema,) = load_file(_schema_file(tmp_path))
    assert isinstance(schema, CatalogueSchema)
    return schema


def _patterns(node: Any) -> set[str]:
    """Every ``matches`` pattern in an IR tree."""
    found: set[str] = set()
    if isinstance(node, ir.Func) and node.name == "matches":
        found.add(node.params["pattern"])
    if isinstance(node, list | tuple):
        for item in node:
            found |= _patterns(item)
    elif isinstance(node, BaseModel):
        for key in type(node).model_fields:
            found |= _patterns(getattr(node, key))
    elif isinstance(node, dict):
        for item in node.values():
            found |= _patterns(item)
    return found


def test_the_derivation_reads_each_shape_from_its_module(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GBT39554.1 is a candidate standard: a ResolutionWarning
        suite = derive(_schema(tmp_path)).suite
    for name in numbers.IDENTIFIERS:
        shape_check = next(c for c in suite.checks if c.rule_id == f"{name}.format")
        patterns = _patterns(shape_check)
        # The identifier's own shape (service items: any layout, the field naming no kind).
        assert numbers.get(name).SHAPE in patterns, (name, patterns)
    assert "GB 11643: ISO 7064 MOD 11-2 check character" in {c.description for c in suite.checks}
    assert f"{foreign_pr.NAME}: ISO 7064 MOD 11-2 check character" in {c.description for c in suite.checks}


def test_the_frictionless_export_reads_each_shape_from_its_module(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        document = json.loads(export("frictionless", load_source(schema_file=_schema_file(tmp_path))).text)
    fields = {f["name"]: f for f in document["fields"]}
    for name, module in (("gb11643", gb11643), ("residence_permit", gb11643), ("foreign_pr", foreign_pr),
                         ("gb32100", gb32100), ("gb11714", gb11714)):
        assert fields[name]["constraints"]["pattern"] == module.SHAPE, name
    assert "pattern" not in fields["mobile"].get("constraints", {})  # mobile.SHAPE is not exported (yet)
    assert f"^{mobile.SHAPE}$" == mobile.PATTERN


def test_the_gx_integration_reads_the_identifier_registry() -> None:
    assert conditions.IDENTIFIER_ALGORITHMS == numbers.IDENTIFIERS
