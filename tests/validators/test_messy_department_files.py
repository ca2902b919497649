"""A department file as departments really export it, judged from the outside: every trap accepted, every
defect class caught, with exact counts per check, the same in CSV (GB18030 and UTF-8 with a BOM, CRLF),
XLSX (merged title row, typed cells, a total row, padding rows and columns) and Parquet.

Each row below says what it is and which checks it trips; ``EXPECTED`` is the sum, and every check the
schema produces that is not listed must fail 0 times. The judgement of each class (error, warning,
information, accepted) is reasoned in docs/identifiers.md ("Dates, numbers and placeholders").
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import messy
import pytest

from govstd.validators.api import validate
from govstd.validators.results import ValidationResult

TODAY = dt.date(2025, 6, 2)

SCHEMA = """\
kind: catalogue_schema
id: 510100-00090
version: 1.0.0
status: standard
name_zh: 某区社会救助申领信息
name_en: Social assistance applications
catalogue_class: department
classification: 3-01-002
provider: {name: 某区民政局, code: 11510100008764382C}
summary: 申领人基本信息与受理时间。
format: 电子表格
update_cycle: monthly
share: {share_type: conditional, conditions: 仅用于资格核验, method: 接口}
open: {open_to_public: false}
sensitivity: important
fields:
  - {name: name, name_zh: 姓名, required: true, length: 50, pii: name}
  - {name: id_number, name_zh: 公民身份号码, standard: "GB11643@^1", required: true, key: true}
  - {name: sex, name_zh: 性别, code_set: "GBT2261.1@^1", required: true}
  - {name: ethnicity, name_zh: 民族, code_set: "GBT3304@^1"}
  - {name: region, name_zh: 户籍地行政区划, code_set: "GBT2260@^2024"}
  - {name: phone, name_zh: 联系电话, standard: "mobile_phone@^1"}
  - {name: uscc, name_zh: 单位统一社会信用代码, standard: "GB32100@^1"}
  - {name: birth_date, name_zh: 出生日期, data_type: date}
  - {name: accepted_at, name_zh: 受理时间, data_type: datetime, required: true}
  - {name: amount, name_zh: 救助金额, data_type: decimal, minimum: 0}
  - {name: remark, name_zh: 备注, length: 100}
"""

COLUMNS = ["name", "id_number", "sex", "ethnicity", "region", "phone", "uscc", "birth_date", "accepted_at",
           "amount", "remark"]
#: The header as the department wrote it: the Chinese names, with the stray spaces of a hand-typed sheet.
HEADER = ["姓 名", "公民身份号码 ", "性别", "民 族", "户籍地行政区划", "联系电话", "单位统一社会信用代码", "出生日期",
          "受理时间", "救助金额", "备注"]


@dataclass(frozen=True)
class Cell:
    """A spreadsheet cell typed as a number or a date: ``value`` goes into the XLSX, ``text`` is what a
    CSV export of the same sheet holds (and what the XLSX reader must read back)."""

    value: Any
    text: str


def excel_number_text(value: int) -> str:
    """How Excel shows (and exports) a number of more than 15 digits: 15 significant digits."""
    return f"{float(value):.15G}"


def _base(i: int) -> dict[str, Any]:
    born = dt.date(1960, 1, 1) + dt.timedelta(days=397 * i)
    seq = 101 + 2 * i  # odd: male
    return {
        "name": ["张伟", "王𠇔", "李娜", "刘洋", "陈静", "杨磊"][i % 6],
        "id_number": messy.make_id("510104", born, seq),
        "sex": "1",
        "ethnicity": "01",
        "region": "510104",
        "phone": f"139{i:08d}",
        "uscc": messy.make_uscc("510104", f"{70003734 + i:08d}"),
        "birth_date": born.isoformat(),
        "accepted_at": f"2025-05-{1 + i % 28:02d} 09:30:00",
        "amount": f"{300 + i}.50",
        "remark": "",
    }


def _x_id(i: int) -> str:
    born = dt.date(1960, 1, 1) + dt.timedelta(days=397 * i)
    return next(v for s in range(101, 999, 2) if (v := messy.make_id("510104", born, s)).endswith("X"))


def _digit_id(born: dt.date) -> str:
    """An ID whose check character is a digit (only those can have been stored as a number)."""
    return next(v for s in range(1, 999, 2) if (v := messy.make_id("510104", born, s))[-1].isdigit())


def build() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def row(**changes: Any) -> None:
        r = _base(len(rows))
        r.update(changes)
        rows.append(r)

    # ---- traps: accepted as they are, no finding
    row()
    row(birth_date=_base(1)["birth_date"].replace("-", ""))  # GB/T 7408 basic form 19610202: canonical
    row(accepted_at="2025-05-03T09:30:00")  # ISO 8601 with 'T'
    row(accepted_at="2025-05-04 09:30:00.123")  # milliseconds
    # 港澳台居民居住证 (810000 Hong Kong, 830000 Taiwan): GB 11643's layout and check, accepted in a 公民身份号码
    # column (DOMAIN.md: python-stdnum rejects them, govstd must not).
    row(id_number=messy.make_id("810000", dt.date(1990, 3, 7), 1), region="")
    row(id_number=messy.make_id("830000", dt.date(1991, 4, 8), 3), region="")
    # Excel typed cells that read back whole: a mobile number (11 digits), a date cell, an amount.
    row(phone=Cell(13912345678, "13912345678"), birth_date=Cell(dt.datetime(1967, 8, 9), "1967-08-09"),
        amount=Cell(1234.5, "1234.5"))
    row(remark="无")  # free text: 无 is an answer, not a placeholder
    row(remark="/")
    row(sex=Cell(1, "1"))  # a one-digit code typed as a number loses nothing
    row(region=Cell(510104, "510104"))  # six digits, no leading zero to lose
    # a development-zone registration authority (苏州工业园区 320594, in no GB/T 2260 table): valid, warned
    row(uscc=messy.make_uscc("320594", "70009999"))  # uscc.region 1 (warning)

    # ---- non-canonical but recoverable: accepted, warned in 规范性
    row(birth_date="1972年5月6日")  # birth_date.normalised
    row(birth_date="1973/6/7")  # birth_date.normalised
    row(birth_date="1974.07.08")  # birth_date.normalised
    row(birth_date=" 1975-08-09")  # birth_date.normalised (whitespace)
    row(accepted_at="2025年5月6日 9时30分")  # accepted_at.normalised
    row(accepted_at="2025/5/7 9:30")  # accepted_at.normalised
    row(sex="男", ethnicity="汉族")  # sex.normalised, ethnicity.normalised (labels)
    row(id_number=_x_id(20).lower())  # id_number.normalised (lowercase x)
    row(phone="+86 139 0000 0021")  # phone.normalised
    # placeholders for "no value" in typed and coded columns: read as empty, warned
    row(phone="/", uscc="NULL", birth_date="-", amount="无", ethnicity="—")  # 5 placeholder warnings
    row(sex="无")  # sex.placeholder and, sex being required, sex.not_null

    # ---- defects: errors
    # an 18-digit ID typed as a number: Excel keeps 15 digits (1.10101199003074E+17)
    damaged = _digit_id(dt.date(1985, 1, 2))
    row(id_number=Cell(int(damaged), excel_number_text(int(damaged))))  # id_number.length + excel_damage (info)
    row(id_number=_digit_id(dt.date(1986, 2, 3)) + ".0")  # written back with a float's .0: length + excel_damage
    row(phone="13800138000.0")  # phone.length + phone.excel_damage (info)
    row(ethnicity=Cell(1, "1"))  # 民族 01 typed as a number: ethnicity.code_set (leading_zero_lost)
    row(id_number="510104900307421")  # a 15-digit ID: the schema does not allow them: id_number.length
    row(id_number=messy.make_id("931156", dt.date(1990, 3, 7), 1))  # a foreign PR number in a 公民身份号码
    # column: 93 is no province — id_number.region (declare a standard_by rule for mixed 证件号码 columns)
    row(uscc=messy.make_uscc("510104", "70008888")[:17] + "I")  # uscc.format: I is not in the alphabet
    row(uscc="9151010O" + messy.make_uscc("510104", "70007777")[8:])  # uscc.format: O
    row(birth_date=Cell(45292, "45292"))  # an Excel serial in a date column: birth_date.type (excel_serial)
    row(birth_date="1980-01-02 00:00:00")  # a date-time in a date column: birth_date.type (with_time)
    row(amount="1,234.50")  # amount.type (thousands_separator)
    row(amount="￥1234.50")  # amount.type (currency_or_unit)
    row(amount="-12.50")  # amount.range
    row(accepted_at="2025-05-08T09:30:00+08:00")  # a UTC offset is not parsed yet: accepted_at.type (unsure)
    row(id_number="510104********4215")  # masked in a field not declared masked: id_number.masked (warning)
    row(id_number=rows[0]["id_number"])  # the first row's ID again: key.unique
    # a key written as a placeholder twice: two missing keys (not_null, placeholder), not a duplicate
    row(id_number="/")
    row(id_number="NULL")
    row(id_number="/")
    return rows


ROWS = build()

EXPECTED: dict[str, int] = {
    "uscc.region": 1,
    "birth_date.normalised": 4,
    "accepted_at.normalised": 2,
    "sex.normalised": 1,
    "ethnicity.normalised": 1,
    "id_number.normalised": 1,
    "phone.normalised": 1,
    "phone.placeholder": 1,
    "uscc.placeholder": 1,
    "birth_date.placeholder": 1,
    "amount.placeholder": 1,
    "ethnicity.placeholder": 1,
    "sex.placeholder": 1,
    "sex.not_null": 1,
    "id_number.not_null": 3,
    "id_number.placeholder": 3,
    "id_number.length": 3,
    "id_number.excel_damage": 2,
    "phone.length": 1,
    "phone.excel_damage": 1,
    "ethnicity.code_set": 1,
    "id_number.region": 1,
    "uscc.format": 2,
    "birth_date.type": 2,
    "amount.type": 2,
    "amount.range": 1,
    "accepted_at.type": 1,
    "id_number.masked": 1,
    "key.unique": 1,
}
BREAKDOWNS: dict[str, dict[str, int]] = {
    "birth_date.normalised": {"layout": 3, "whitespace": 1},
    "birth_date.type": {"excel_serial": 1, "with_time": 1},
    "amount.type": {"thousands_separator": 1, "currency_or_unit": 1},
    "ethnicity.code_set": {"leading_zero_lost": 1, "number_format": 0},
    "id_number.excel_damage": {"number_format": 2, "zeroed_digits": 0},
}


def text(value: Any) -> str:
    return value.text if isinstance(value, Cell) else str(value)


def write_csv(path: Path, encoding: str, *, bom: bool = False) -> Path:
    """CRLF line ends, minimal quoting (1,234.50 is quoted), as Excel's "CSV" and WPS save it; ``bom``: a
    byte-order mark in the file's encoding (GB18030 writes U+FEFF as 84 31 95 33)."""
    with path.open("w", encoding=encoding, newline="") as fh:
        if bom:
            fh.write("\ufeff")
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows([text(r[c]) for c in COLUMNS] for r in ROWS)
    return path


def write_xlsx(path: Path) -> Path:
    """A sheet as offices make them: merged title row, a unit line, the header on row 3, typed cells,
    a total row (合计) and a note below the data, a formatted cell far below and right of it (Excel's
    used range then spans padding rows and columns)."""
    from openpyxl import Workbook
    from openpyxl.styles import Border, Side

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "申领信息"
    ws.append(["某区社会救助申领信息（2025年5月）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    ws.append(["填报单位：某区民政局", None, None, None, None, None, None, None, None, "单位：元"])
    ws.append([*HEADER, None, None])  # two empty header cells: padding columns
    for r in ROWS:
        ws.append([r[c].value if isinstance(r[c], Cell) else r[c] for c in COLUMNS])
        cell = ws.cell(row=ws.max_row, column=COLUMNS.index("birth_date") + 1)
        if isinstance(cell.value, dt.datetime):
            cell.number_format = "yyyy/m/d"
    ws.append(["合计", None, None, None, None, None, None, None, None, 99999])
    ws.append(["注：金额单位为元。"])
    ws.cell(row=ws.max_row + 40, column=len(COLUMNS) + 5).border = Border(bottom=Side(style="thin"))
    wb.save(path)
    return path


def write_parquet(path: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({h: pa.array([text(r[c]) or None for r in ROWS], type=pa.string())
                      for h, c in zip(HEADER, COLUMNS, strict=True)})
    pq.write_table(table, path)
    return path


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ValidationResult]:
    d = tmp_path_factory.mktemp("messy_department")
    schema = d / "schema.yaml"
    schema.write_text(SCHEMA, encoding="utf-8")
    files = {
        "csv_gb18030": write_csv(d / "gb18030.csv", "gb18030"),
        "csv_gb18030_bom": write_csv(d / "gb18030_bom.csv", "gb18030", bom=True),
        "csv_utf8_bom": write_csv(d / "bom.csv", "utf-8-sig"),
        "xlsx": write_xlsx(d / "sheet.xlsx"),
        "parquet": write_parquet(d / "data.parquet"),
    }
    return {k: validate(p, schema, today=TODAY, sample_size=50) for k, p in files.items()}


FORMATS = ["csv_gb18030", "csv_gb18030_bom", "csv_utf8_bom", "xlsx", "parquet"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_row_is_read(results: dict[str, ValidationResult], fmt: str) -> None:
    assert results[fmt].dataset.rows == len(ROWS)
    assert results[fmt].dataset.encoding == {"csv_gb18030": "gb18030", "csv_gb18030_bom": "gb18030",
                                             "csv_utf8_bom": "utf-8-sig"}.get(fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_exact_failed_count_of_every_check(results: dict[str, ValidationResult], fmt: str) -> None:
    failed = {c.rule_id: c.failed for c in results[fmt].checks}
    assert set(EXPECTED) <= set(failed)
    assert {k: v for k, v in failed.items() if v} == EXPECTED


@pytest.mark.parametrize("fmt", FORMATS)
def test_breakdowns_name_the_cause(results: dict[str, ValidationResult], fmt: str) -> None:
    for rule_id, breakdown in BREAKDOWNS.items():
        assert results[fmt].check(rule_id).details["breakdown"] == breakdown, rule_id


def test_severities_follow_the_documented_classes(results: dict[str, ValidationResult]) -> None:
    r = results["csv_gb18030"]
    warnings = {k for k in EXPECTED if r.check(k).severity == "warning"}
    assert warnings == {
        "uscc.region", "birth_date.normalised", "accepted_at.normalised", "sex.normalised", "ethnicity.normalised",
        "id_number.normalised", "phone.normalised", "phone.placeholder", "uscc.placeholder",
        "birth_date.placeholder", "amount.placeholder", "ethnicity.placeholder", "sex.placeholder",
        "id_number.placeholder", "id_number.masked",
    }
    assert {k for k in EXPECTED if r.check(k).severity == "info"} == {"id_number.excel_damage", "phone.excel_damage"}
    # every non-canonical form counts in 规范性 (conformity), never in 准确性
    assert {r.check(k).dimension.value for k in EXPECTED if k.endswith((".normalised", ".placeholder"))} == {
        "conformity"}


def test_the_xlsx_samples_give_the_sheet_row(results: dict[str, ValidationResult]) -> None:
    """The header is on sheet row 3, so data row n is sheet row n + 3; the CSV line is n + 1."""
    where = {fmt: [(s.row, s.line) for s in results[fmt].check("uscc.format").samples] for fmt in FORMATS}
    rows = [i + 1 for i, r in enumerate(ROWS) if r["uscc"].endswith("I") or "O" in r["uscc"]]
    assert len(rows) == 2
    assert where["xlsx"] == [(n, n + 3) for n in rows]
    assert where["csv_gb18030"] == [(n, n + 1) for n in rows]


def test_the_sheet_s_titles_totals_and_lost_digits_are_said(results: dict[str, ValidationResult]) -> None:
    warnings = results["xlsx"].warnings
    assert "sheet '申领信息': 2 row(s) below the data were ignored (notes, totals)" in warnings  # 合计 + 注
    assert "sheet '申领信息': header found on row 3; rows above were titles" in warnings
    lost = "column '公民身份号码': 1 cell(s) stored as numbers of more than 15 digits"
    assert any(w.startswith(lost) for w in warnings)


def test_the_counts_are_traced_to_rows() -> None:
    """A guard on the fixture itself: the rows hold what the comments say."""
    kinds = Counter(type(r[c]).__name__ for r in ROWS for c in COLUMNS)
    assert kinds["Cell"] == 8
    assert any("𠇔" in r["name"] for r in ROWS)  # a GB18030 four-byte character (GBK cannot encode it)
