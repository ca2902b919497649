"""``govstd schema infer`` on real files: the demo export (GB18030 CSV) and a department XLSX with a
title row and Chinese headers. The draft must bind what the data holds, lint clean and validate."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from govstd import demo
from govstd.standards.library import lookup_key
from govstd.standards.loader import load_file, load_text
from govstd.standards.models import CatalogueSchema
from govstd.standards.numbers import gb11643, gb32100
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


def _id(rng: random.Random, region: str) -> str:
    born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000))
    body = f"{region}{born:%Y%m%d}{rng.randrange(1, 999):03d}"
    return body + gb11643.calc_check_digit(body)


def _uscc(rng: random.Random) -> str:
    # Registration authority 9 (市场监管), category 1 (企业), a real region, an organisation code body.
    org = "".join(rng.choice("0123456789") for _ in range(8))
    from govstd.standards.numbers import gb11714

    body = f"91330106{org}{gb11714.calc_check_digit(org)}"
    return body + gb32100.calc_check_digit(body)


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
                      _id(rng, "330106"), rng.choice(["男", "女"]), rng.choice(["汉族", "回族", "满族"]),
                      f"139{rng.randrange(10**8):08d}", _id(rng, "810000"), _uscc(rng),
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


#: A 区民政局 file holding every standard infer recovers: header → (library key or None, FieldSpec facts).
DEPARTMENT = {
    "公民身份号码": ("gb11643", {}),
    "旧身份证号": ("gb11643", {"options": {"allow_legacy_15": True}}),  # 15-digit cards (1985–1999) alone
    "港澳台居民居住证": ("residence_permit_hmt", {}),
    "统一社会信用代码": ("gb32100", {}),
    "组织机构代码": ("gb11714", {}),
    "行政区划代码": ("gbt2260", {}),
    "原行政区划": ("gbt2260", {"options": {"historical": True}}),
    "性别": ("gbt2261.1", {}),
    "性别名称": ("gbt2261.1", {"options": {"match": "label"}}),
    "民族": ("gbt3304", {}),
    "手机号码": ("mobile_phone", {}),
    "固定电话": (None, {"pii": "phone"}),
    "事项编码": ("gbt39554.1", {}),
    "登记日期": (None, {"data_type": "date", "description": "format YYYYMMDD"}),
    "办理时间": (None, {"data_type": "datetime", "description": "format YYYY/MM/DD hh:mm"}),
    "补助金额": (None, {"data_type": "decimal"}),
    "备注": (None, {"data_type": "string", "pii": None}),
}


def _department_rows(n: int) -> list[list[str]]:
    rng = random.Random(5)
    from govstd.standards.numbers import gb11714

    def org() -> str:
        body = "".join(rng.choice("0123456789") for _ in range(8))
        return body + gb11714.calc_check_digit(body)

    rows = []
    for _ in range(n):
        born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(20000))
        rows.append([
            _id(rng, rng.choice(["330106", "330102", "110105"])), f"330106{born:%y%m%d}{rng.randrange(1, 999):03d}",
            _id(rng, "810000"), _uscc(rng), org(), rng.choice(["330106", "330102", "110105"]),
            rng.choice(["330103", "330104", "110103"]),  # 上城/下城 before 2021, 崇文 before 2010: abolished
            rng.choice("12"), rng.choice(["男", "女"]), rng.choice(["01", "02", "03"]),
            f"139{rng.randrange(10**8):08d}", f"0571-{rng.randrange(10**7, 10**8)}",
            "511A09001023-511602000000-000-11511300008778693M-1-00",
            f"2024{rng.randrange(1, 13):02d}{rng.randrange(1, 28):02d}",
            f"2024/{rng.randrange(1, 13):02d}/{rng.randrange(1, 28):02d} "
            f"{rng.randrange(24):02d}:{rng.randrange(60):02d}",
            f"{rng.randrange(100, 2000)}.{rng.randrange(100):02d}",
            rng.choice(["无", "家庭困难，申请临时救助", "已核实"])])
    return rows


def _write_department(fmt: str, folder: Path) -> Path:
    header, rows = list(DEPARTMENT), _department_rows(120)
    path = folder / f"救助名单.{fmt}"
    if fmt == "csv":
        import csv

        with path.open("w", encoding="gb18030", newline="") as fh:
            csv.writer(fh).writerows([header, *rows])
    elif fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["某区民政局2024年临时救助名单"])  # a title row above the header
        for row in (header, *rows):
            sheet.append(row)
        book.save(path)
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({h: [r[i] for r in rows] for i, h in enumerate(header)}), path)
    return path


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_a_department_file_recovers_every_standard(fmt: str, tmp_path: Path) -> None:
    """GB18030 CSV, XLSX under a title row, Parquet: the same draft, every standard bound, lint clean."""
    data = _write_department(fmt, tmp_path)
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
    assert counted and all(c.failed == 0 for c in counted), [c.rule_id for c in counted if c.failed]


def test_a_column_of_15_digit_numbers_is_an_id_only_under_an_id_header(tmp_path: Path) -> None:
    rows = _department_rows(40)
    path = tmp_path / "numbers.csv"
    path.write_text("旧身份证号,流水号\n" + "".join(f"{r[1]},{r[1]}\n" for r in rows), encoding="utf-8")
    fields = {f.column: f.spec for f in infer_schema(path).fields}
    assert _binding(fields["旧身份证号"]) == "gb11643" and fields["旧身份证号"].options == {"allow_legacy_15": True}
    assert _binding(fields["流水号"]) is None  # the same digits under another header: not trusted as IDs
