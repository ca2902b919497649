"""Department files name a schema's columns by synonyms (同义名称) and template markers.

The messy dataset (``messy``) is written once under its canonical header and once per header variant a
real file uses for 公民身份号码; each variant must give the very same failed count for every check, and
each synonym match must be said in the warnings. Ambiguous synonyms are reported and never guessed.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import messy
import pytest
import yaml

from govstd.errors import InputError
from govstd.standards.models import CatalogueSchema
from govstd.validators.api import validate
from govstd.validators.columns import bare_header, fold_header, match_columns
from govstd.validators.results import ValidationResult

#: The ID column as real department files head it; the canonical name is ``id_number`` (公民身份号码).
VARIANTS = ["身份证号码", "身份证号", "证件号码", "公民身份号码（必填）", "公民身份号码 ", "公民身份号码(必填)",
            "[必填]公民身份号码", "*公民身份号码"]
#: The variants matched by the field's own Chinese name once folded: no synonym, so no warning. (A line
#: break inside a CSV header cell is refused by the reader with its own clear error, not folded.)
FOLDED = {"公民身份号码（必填）", "公民身份号码 ", "公民身份号码(必填)", "*公民身份号码", "[必填]公民身份号码"}


def _header(id_header: str) -> list[str]:
    return [id_header if c == "id_number" else c for c in messy.COLUMNS]


def write_csv(path: Path, id_header: str) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(_header(id_header))
        writer.writerows([r[c] for c in messy.COLUMNS] for r in messy.ROWS)
    return path


def write_xlsx(path: Path, id_header: str) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["某市社会保障卡申领信息（2025年5月）"])
    ws.append(_header(id_header))
    for row in messy.ROWS:
        values: list[Any] = [row[c] for c in messy.COLUMNS]
        if row["id_number"] == "1.10105E+17":
            values[messy.COLUMNS.index("id_number")] = 1.10105e17  # stored as a number, as offices do
        ws.append(values)
    wb.save(path)
    return path


WRITERS = {"csv": write_csv, "xlsx": write_xlsx}


def run(path: Path, schema: Any = messy.SCHEMA) -> ValidationResult:
    return validate(path, schema, today=messy.TODAY, service_items=messy.SERVICE_ITEMS, sample_size=0)


def failed(result: ValidationResult) -> dict[str, tuple[int, int]]:
    return {c.rule_id: (c.evaluated, c.failed) for c in result.checks}


@pytest.fixture(scope="module")
def canonical(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ValidationResult]:
    folder = tmp_path_factory.mktemp("canonical")
    return {fmt: run(write(folder / f"m.{fmt}", "id_number")) for fmt, write in WRITERS.items()}


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@pytest.mark.parametrize("id_header", VARIANTS)
def test_each_header_variant_gives_the_canonical_counts(canonical: dict[str, ValidationResult], tmp_path: Path,
                                                        fmt: str, id_header: str) -> None:
    result = run(WRITERS[fmt](tmp_path / f"m.{fmt}", id_header))
    assert result.dataset.rows == canonical[fmt].dataset.rows == len(messy.ROWS)
    assert failed(result) == failed(canonical[fmt])
    # The canonical file's GB 11643 checks really ran and really failed somewhere: the comparison bites.
    assert any(rule.startswith("id_number.") and n for rule, (_, n) in failed(result).items())
    if fmt == "xlsx":  # the synonym column is read as text, so the ID stored as a number is still found
        header = repr(id_header.strip())  # the XLSX reader trims a header cell
        assert any(w.startswith(f"column {header}: 1 cell(s) stored as numbers") for w in result.warnings)
    said = [w for w in result.warnings if "按同义名称" in w]
    if id_header in FOLDED:
        assert said == []
    else:
        assert said == [f"列 {id_header} 按同义名称匹配到字段 id_number"
                        f"（column {id_header} matched field id_number by a synonym）"]


def test_fold_header_drops_markers_but_keeps_notes_apart() -> None:
    assert fold_header("公民身份号码（必填）") == fold_header(" 公民身份号码\n") == "公民身份号码"
    assert fold_header("备注(选填)") == fold_header("[可选]备注") == fold_header("*备注") == "备注"
    # A note that says what the column is keeps two columns apart; only matching a field looks past it.
    assert fold_header("电话（手机）") != fold_header("电话（座机）")
    assert bare_header("缴费金额（元）") == bare_header("缴费金额") == "缴费金额"


def _catalogue(**changes: Any) -> CatalogueSchema:
    doc = yaml.safe_load(messy.SCHEMA.read_text(encoding="utf-8"))
    for f in doc["fields"]:
        f.update(changes.get(f["name"], {}))
    return CatalogueSchema.model_validate(doc)


def test_ambiguous_synonyms_are_reported_never_guessed() -> None:
    columns = [c for c in messy.COLUMNS if c != "id_number"] + ["身份证号码", "证件号码"]
    with pytest.raises(InputError) as err:
        match_columns(_catalogue(), columns, source="m.csv")
    assert "id_number" in str(err.value)
    assert "身份证号码" in str(err.value.hint) and "证件号码" in str(err.value.hint)
    assert "未自动选择" in str(err.value.hint)
    # Optional field: the run goes on, the field's column is not guessed and the warning says why.
    mapping, warnings = match_columns(_catalogue(id_number={"required": False, "key": False}), columns, source="m.csv")
    assert "id_number" not in mapping
    assert any("id_number" in w and "身份证号码" in w and "证件号码" in w and "未自动选择" in w for w in warnings)


def test_a_column_with_another_fields_name_is_not_a_synonym() -> None:
    # 电话 is a synonym of mobile_phone, but here it is the exact name of another field.
    doc = _catalogue()
    extra = doc.fields[0].model_copy(update={"name": "电话", "name_zh": None, "required": False, "pii": None})
    catalogue = doc.model_copy(update={"fields": [*doc.fields, extra]})
    columns = [c for c in messy.COLUMNS if c != "phone"] + ["电话"]
    mapping, warnings = match_columns(catalogue, columns, source="m.csv")
    assert mapping["电话"] == "电话"
    assert "phone" not in mapping
    assert not any("按同义名称" in w for w in warnings)


def test_schema_aliases_match(tmp_path: Path) -> None:
    doc = yaml.safe_load(messy.SCHEMA.read_text(encoding="utf-8"))
    for f in doc["fields"]:
        if f["name"] == "amount":
            f["aliases"] = ["缴费额"]
    schema = tmp_path / "schema.yaml"
    schema.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    header = [("缴费额（元）" if c == "amount" else c) for c in messy.COLUMNS]
    path = tmp_path / "m.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows([r[c] for c in messy.COLUMNS] for r in messy.ROWS)
    result = run(path, schema)
    base = run(messy.write_csv(tmp_path / "base.csv"))
    assert failed(result) == failed(base)
    assert "列 缴费额（元） 按同义名称匹配到字段 amount（column 缴费额（元） matched field amount by a synonym）" \
        in result.warnings


def test_a_hostile_header_is_masked_in_the_warning() -> None:
    doc = _catalogue(id_number={"aliases": ["11010519491231002X"]})
    columns = [c for c in messy.COLUMNS if c != "id_number"] + ["11010519491231002X"]
    _, warnings = match_columns(doc, columns, source="m.csv")
    said = [w for w in warnings if "按同义名称" in w]
    assert len(said) == 1 and "11010519491231002X" not in said[0]
