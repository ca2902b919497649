"""A hand-built 区民政局 file holding every field standard ``schema infer`` recovers, in GB18030 CSV, XLSX
under a title row, or Parquet: shared by the infer and mask tests."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from govstd.standards.numbers import gb11643, gb11714, gb32100


def make_id(rng: random.Random, region: str) -> str:
    born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000))
    body = f"{region}{born:%Y%m%d}{rng.randrange(1, 999):03d}"
    return body + gb11643.calc_check_digit(body)


def make_uscc(rng: random.Random) -> str:
    # Registration authority 9 (市场监管), category 1 (企业), a real region, an organisation code body.
    org = "".join(rng.choice("0123456789") for _ in range(8))
    body = f"91330106{org}{gb11714.calc_check_digit(org)}"
    return body + gb32100.calc_check_digit(body)


#: A 区民政局 file holding every standard infer recovers: header → (library key or None, FieldSpec facts).
DEPARTMENT: dict[str, tuple[str | None, dict[str, Any]]] = {
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


def department_rows(n: int) -> list[list[str]]:
    rng = random.Random(5)

    def org() -> str:
        body = "".join(rng.choice("0123456789") for _ in range(8))
        return body + gb11714.calc_check_digit(body)

    rows = []
    for _ in range(n):
        born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(20000))
        rows.append([
            make_id(rng, rng.choice(["330106", "330102", "110105"])),
            f"330106{born:%y%m%d}{rng.randrange(1, 999):03d}",
            make_id(rng, "810000"), make_uscc(rng), org(), rng.choice(["330106", "330102", "110105"]),
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


def write_department(fmt: str, folder: Path) -> Path:
    header, rows = list(DEPARTMENT), department_rows(120)
    path = folder / f"救助名单.{fmt}"
    if fmt == "csv":
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
