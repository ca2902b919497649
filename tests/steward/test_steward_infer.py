"""``govstd schema infer`` on real files: the demo export (GB18030 CSV) and a department XLSX with a
title row and Chinese headers. The draft must bind what the data holds, lint clean and validate."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
from pathlib import Path

import pytest
from department_testlib import DEPARTMENT, department_rows, make_id, make_uscc, write_department
from openpyxl import Workbook

from govstd import demo
from govstd.standards.library import lookup_key
from govstd.standards.loader import load_file, load_text
from govstd.standards.models import CatalogueSchema
from govstd.steward.infer import infer_schema
from govstd.validators.api import validate

TODAY = dt.date(2025, 1, 15)


def _binding(spec: object) -> str | None:
    ref = getattr(spec, "standard", None) or getattr(spec, "code_set", None)
    return lookup_key(ref.split("@")[0]) if ref else None


def _govstd(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "govstd", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def demo_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    records, _ = demo.generate(2000, today=TODAY)
    return demo.write_csv(records, tmp_path_factory.mktemp("demo") / "service_cases.csv")


def test_recovers_every_bound_standard_of_the_demo_schema(demo_csv: Path) -> None:
    truth = load_text(demo.schema_yaml())[0]
    assert isinstance(truth, CatalogueSchema)
    inferred = {f.column: f.spec for f in infer_schema(demo_csv).fields}
    assert list(inferred) == list(demo.COLUMNS)
    for spec in truth.fields:
        assert _binding(inferred[spec.name]) == _binding(spec), spec.name
        if spec.data_type.value in ("date", "datetime"):
            assert inferred[spec.name].data_type == spec.data_type, spec.name
    assert inferred["name"].pii is not None and inferred["name"].pii.value == "name"
    assert inferred["case_no"].key and not inferred["id_number"].key
    # A column's Chinese name, not the code table's title (中国各民族名称的罗马字母拼写法和代码).
    assert [inferred[c].name_zh for c in ("id_number", "sex", "ethnicity", "region")] == [
        "公民身份号码", "性别代码", "民族代码", "行政区划代码"]
    assert inferred["accepted_at"].required and not inferred["finished_at"].required


def test_draft_lints_validates_and_shows_no_raw_identifier(demo_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "draft.yaml"
    proc = _govstd("schema", "infer", str(demo_csv), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    assert text.count("TODO") >= 4 and "share_type: conditional" in text
    _, defects = demo.generate(2000, today=TODAY)
    for number in defects.id_numbers | defects.phones:
        assert number not in text
    lint = _govstd("lint", str(out))
    assert lint.returncode == 0, lint.stdout + lint.stderr
    (schema,) = load_file(out)
    assert isinstance(schema, CatalogueSchema)
    result = validate(demo_csv, out, today=TODAY)
    assert result.dataset.rows == 2000
    failed = {c.rule_id: c.failed for c in result.checks}
    assert failed["id_number.checksum"] > 0  # the draft checks what the demo's schema checks


def test_xlsx_with_title_row_and_chinese_headers(tmp_path: Path) -> None:
    rng = random.Random(7)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    headers = ["序号", "姓名", "公民身份号码", "性别", "民族", "联系电话", "港澳台居民居住证", "统一社会信用代码",
               "行政区划代码", "登记日期", "补助金额", "家庭住址"]
    sheet.append(["某区民政局2024年低保对象名单"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append(headers)
    for i in range(60):
        sheet.append([str(i + 1), rng.choice("王李张刘") + rng.choice("伟芳娜秀") + rng.choice(["", "英"]),
                      make_id(rng, "330106"), rng.choice(["男", "女"]), rng.choice(["汉族", "回族", "满族"]),
                      f"139{rng.randrange(10**8):08d}", make_id(rng, "810000"), make_uscc(rng),
                      rng.choice(["330106", "330102", "110105"]),
                      f"2024年{rng.randrange(1, 13)}月{rng.randrange(1, 28)}日",
                      f"{rng.randrange(100, 2000)}.{rng.randrange(100):02d}", "浙江省杭州市西湖区文三路90号"])
    path = tmp_path / "低保名单.xlsx"
    book.save(path)
    fields = {f.column: f for f in infer_schema(path).fields}
    assert list(fields) == headers
    want = {"公民身份号码": "gb11643", "性别": "gbt2261.1", "民族": "gbt3304", "联系电话": "mobile_phone",
            "港澳台居民居住证": "residence_permit_hmt", "统一社会信用代码": "gb32100", "行政区划代码": "gbt2260"}
    for column, key in want.items():
        assert _binding(fields[column].spec) == key, column
    assert fields["性别"].spec.options == {"match": "label"}
    assert fields["登记日期"].spec.data_type.value == "date"
    assert fields["补助金额"].spec.data_type.value == "decimal"
    assert fields["家庭住址"].spec.pii is not None and fields["家庭住址"].spec.pii.value == "address"
    assert fields["序号"].spec.data_type.value == "integer"
    evidence = fields["公民身份号码"].evidence
    assert evidence is not None and evidence.share == 1.0 and all("********" in e for e in evidence.examples)
    result = validate(path, _draft(tmp_path, path))
    assert result.dataset.rows == 60
    assert {c.rule_id: c.failed for c in result.checks}["公民身份号码.checksum"] == 0


def _draft(tmp_path: Path, data: Path) -> Path:
    out = tmp_path / "draft.yaml"
    out.write_text(infer_schema(data).to_yaml(), encoding="utf-8")
    return out


def test_unreadable_input_is_an_input_error(tmp_path: Path) -> None:
    proc = _govstd("schema", "infer", str(tmp_path / "missing.csv"))
    assert proc.returncode == 2 and "file not found" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_a_department_file_recovers_every_standard(fmt: str, tmp_path: Path) -> None:
    """GB18030 CSV, XLSX under a title row, Parquet: the same draft, every standard bound, lint clean."""
    data = write_department(fmt, tmp_path)
    out = tmp_path / "draft.yaml"
    proc = _govstd("schema", "infer", str(data), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    (schema,) = load_file(out)
    assert isinstance(schema, CatalogueSchema)
    assert [f.name for f in schema.fields] == list(DEPARTMENT)
    for spec in schema.fields:
        key, facts = DEPARTMENT[spec.name]
        assert _binding(spec) == key, spec.name
        for attr, want in facts.items():
            got = getattr(spec, attr)
            assert (got.value if hasattr(got, "value") else got) == want, (spec.name, attr, got)
    lint = _govstd("lint", str(out))
    assert lint.returncode == 0, lint.stdout + lint.stderr
    result = validate(data, out, today=TODAY)
    assert result.dataset.rows == 120
    counted = [c for c in result.checks if c.severity != "info" and c.evaluated]
    failing = {c.rule_id: c for c in counted if c.failed}
    # The one finding: 办理时间 is written YYYY/MM/DD hh:mm, read as the same moment but not GB/T 7408.1's
    # layout — a 规范性 warning on every row, never an error.
    assert counted and set(failing) == {"办理时间.normalised"}, sorted(failing)
    layout = failing["办理时间.normalised"]
    assert layout.severity == "warning" and layout.failed == layout.evaluated == layout.details["breakdown"]["layout"]


def test_a_column_of_15_digit_numbers_is_an_id_only_under_an_id_header(tmp_path: Path) -> None:
    rows = department_rows(40)
    path = tmp_path / "numbers.csv"
    path.write_text("旧身份证号,流水号\n" + "".join(f"{r[1]},{r[1]}\n" for r in rows), encoding="utf-8")
    inferred = {f.column: f for f in infer_schema(path).fields}
    fields = {name: f.spec for name, f in inferred.items()}
    assert _binding(fields["旧身份证号"]) == "gb11643" and fields["旧身份证号"].options == {"allow_legacy_15": True}
    evidence = inferred["旧身份证号"].evidence
    assert evidence is not None and evidence.examples, "the legacy numbers are the evidence, masked"
    assert all(len(e) == 15 and "*****" in e for e in evidence.examples)
    assert not {r[1] for r in rows} & set(evidence.examples)
    assert _binding(fields["流水号"]) is None  # the same digits under another header: not trusted as IDs


def test_a_column_of_nanosecond_times_is_a_datetime(tmp_path: Path) -> None:
    """Times with 9 fraction digits (Java, pandas exports) were not recognised: the column is a datetime,
    as the type check reads it; a column with 10 fraction digits is not."""
    path = tmp_path / "ns.csv"
    path.write_text("办理时间,其他\n" + "".join(f"2025-06-{1 + i:02d} 08:30:00.{i:03d}456789,"
                                               f"2025-06-{1 + i:02d}T08:30:00.{i:03d}4567890\n" for i in range(20)),
                    encoding="utf-8")
    fields = {f.column: f.spec for f in infer_schema(path).fields}
    assert fields["办理时间"].data_type is not None and fields["办理时间"].data_type.value == "datetime"
    assert fields["其他"].data_type is None or fields["其他"].data_type.value not in ("date", "datetime")


def test_the_summary_is_chinese_first_english_with_lang_en(tmp_path: Path) -> None:
    data = tmp_path / "empty.csv"
    data.write_text("身份证号,姓名\n", encoding="utf-8")
    zh = _govstd("schema", "infer", str(data), "--out", str(tmp_path / "d.yaml"))
    assert zh.returncode == 0 and "共 2 个字段，0 个已绑定标准" in zh.stderr and "请补全各项 TODO" in zh.stderr
    en = _govstd("--lang", "en", "schema", "infer", str(data))
    assert en.returncode == 0 and "2 fields, 0 bound to a standard, from 0 rows" in en.stderr
    assert "kind: catalogue_schema" in en.stdout  # the draft itself on stdout without --out


def test_a_schema_given_as_data_is_refused(tmp_path: Path) -> None:
    schema = tmp_path / "schema.yaml"
    schema.write_text(demo.schema_yaml(), encoding="utf-8")
    proc = _govstd("--lang", "en", "schema", "infer", str(schema))
    assert proc.returncode == 2 and "not a data file" in proc.stderr and proc.stdout == ""
