"""Samples name the place a person opens, and duplicates are counted both ways.

One hand-built register written as a GB18030 CSV under two title lines (with quoted cells spanning
lines), as an XLSX sheet under a merged title row, and as Parquet. Every physical line below is
counted by hand from the layout of the file written here.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from messy import make_id

from govstd.standards.numbers import gb11643
from govstd.validators import api
from govstd.validators.results import ValidationResult

TODAY = dt.date(2025, 6, 2)
SCHEMA = """
kind: catalogue_schema
id: TEST-ROWS
version: 1.0.0
name_zh: 行号测试
provider: {name: 测试局}
update_cycle: daily
share: {share_type: conditional}
fields:
  - {name: id_number, name_zh: 公民身份号码, standard: "GB11643@^1", key: true}
  - {name: name, name_zh: 姓名}
"""

A = make_id("110101", dt.date(1980, 1, 1), 101)
B = make_id("110102", dt.date(1981, 2, 2), 102)
C = make_id("310101", dt.date(1982, 3, 3), 103)
D = make_id("440305", dt.date(1983, 4, 4), 104)
BAD = A[:17] + ("0" if A[17] != "0" else "1")  # wrong check character
# Excel kept 15 digits and zeroed the rest (the check character no longer fits: asserted below).
ZEROED = make_id("510104", dt.date(1990, 5, 5), 105)[:15] + "000"

#: (id_number, name) per data row; the names with line feeds span lines in the CSV.
ROWS = [
    (A, "张三"),            # row 1
    (B, "李\n四"),          # row 2: two lines
    (BAD, "王五"),          # row 3: checksum
    (A, "张三"),            # row 4: repeats row 1
    (C, "赵\n\n六"),        # row 5: three lines
    ("1.10105E+17", "甲"),  # row 6: spreadsheet damage
    ("1.10105E+17", "乙"),  # row 7: the same damage — not a duplicate of row 6
    (B, "李四"),            # row 8: repeats row 2
    (A, "张三"),            # row 9: repeats row 1 again
    (ZEROED, "丙"),         # row 10: digits zeroed
    (ZEROED, "丁"),         # row 11: the same zeroed value — not a duplicate of row 10
    (D, "𠇔"),              # row 12
]
#: The CSV line of each data row: two title lines and the header above, line feeds inside rows 2 and 5.
CSV_LINES = {1: 4, 2: 5, 3: 7, 4: 8, 5: 9, 6: 12, 7: 13, 8: 14, 9: 15, 10: 16, 11: 17, 12: 18}


def test_the_fixture_is_what_it_claims() -> None:
    assert not gb11643.is_valid(BAD) and not gb11643.is_valid(ZEROED)
    assert all(gb11643.is_valid(v) for v in (A, B, C, D))


def write_csv(path: Path) -> Path:
    with path.open("w", encoding="gb18030", newline="") as fh:
        fh.write("某区居民登记表（2025年5月）\n填报单位：某区民政局\n")
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["公民身份号码", "姓名"])
        writer.writerows(ROWS)
    text = path.read_bytes().decode("gb18030")
    for row, line in CSV_LINES.items():  # the hand count holds for the bytes written
        assert text.split("\n")[line - 1].startswith(ROWS[row - 1][0]), (row, line)
    return path


def write_xlsx(path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["某区居民登记表（2025年5月）"])
    ws.merge_cells("A1:B1")
    ws.append(["公民身份号码", "姓名"])
    for row in ROWS:
        ws.append(list(row))
    ws.append(["注：数据截至2025年5月31日。"])
    wb.save(path)
    return path


def write_parquet(path: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"id_number": [r[0] for r in ROWS], "name": [r[1] for r in ROWS]}), path)
    return path


#: format → (writer, data row → physical place)
FORMATS = {
    "csv": (write_csv, CSV_LINES),
    "xlsx": (write_xlsx, {r: r + 2 for r in CSV_LINES}),  # merged title on row 1, header on row 2
    "parquet": (write_parquet, {r: r for r in CSV_LINES}),  # the record's index
}


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rows") / "schema.yaml"
    path.write_text(SCHEMA, encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=list(FORMATS))
def run(request: pytest.FixtureRequest, schema: Path,
        tmp_path_factory: pytest.TempPathFactory) -> tuple[str, ValidationResult]:
    fmt = request.param
    writer, _ = FORMATS[fmt]
    data = writer(tmp_path_factory.mktemp(fmt) / f"register.{fmt}")
    return fmt, api.validate(data, schema, today=TODAY, sample_size=10)


def places(result: ValidationResult, rule_id: str) -> list[tuple[int, int | None]]:
    return [(s.row, s.line) for s in result.check(rule_id).samples]


def test_samples_give_the_row_and_the_place_to_open(run: tuple[str, ValidationResult]) -> None:
    fmt, result = run
    where = FORMATS[fmt][1]
    assert result.dataset.rows == 12
    assert places(result, "id_number.checksum") == [(r, where[r]) for r in (3, 10, 11)]
    assert places(result, "id_number.length") == [(r, where[r]) for r in (6, 7)]
    assert places(result, "id_number.excel_damage") == [(r, where[r]) for r in (6, 7, 10, 11)]


def test_duplicates_counted_as_rows_involved_and_rows_to_remove(run: tuple[str, ValidationResult]) -> None:
    fmt, result = run
    where = FORMATS[fmt][1]
    key = result.check("key.unique")
    # A on rows 1, 4, 9 and B on rows 2, 8; the damaged 6/7 and 10/11 are not keys.
    assert key.failed == 3
    assert key.evaluated == 8
    assert key.details["rows_involved"] == 5
    assert key.details["duplicated_keys"] == 2
    assert key.details["rows_to_remove"] == 3
    assert key.details["excluded_damaged"] == ["id_number.excel_damage"]
    assert "id_number.excel_damage" in key.description
    assert [(s.row, s.line, s.repeats_row, s.repeats_line) for s in key.samples] == [
        (4, where[4], 1, where[1]), (8, where[8], 2, where[2]), (9, where[9], 1, where[1])]


def test_a_csv_without_quotes_is_numbered_from_its_header_line(schema: Path, tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    lines = ["标题", "", "公民身份号码,姓名", *(f"{v},{n}" for v, n in ROWS if "\n" not in n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = api.validate(path, schema, today=TODAY)
    # data rows: A, BAD, A, 1.1E, 1.1E, B, A, Z, Z, D → BAD is data row 2 on line 3 + 2
    assert places(result, "id_number.checksum") == [(2, 5), (8, 11), (9, 12)]


def test_jsonl_lines_and_databases_have_no_file_place(schema: Path, tmp_path: Path) -> None:
    import json

    import pyarrow as pa

    path = tmp_path / "register.jsonl"
    path.write_text("".join(json.dumps({"id_number": v, "name": n}, ensure_ascii=False) + "\n" for v, n in ROWS),
                    encoding="utf-8")
    assert places(api.validate(path, schema, today=TODAY), "id_number.checksum") == [(3, 3), (10, 10), (11, 11)]
    table = pa.table({"id_number": [r[0] for r in ROWS], "name": [r[1] for r in ROWS]})
    assert places(api.validate(table, schema, today=TODAY), "id_number.checksum") == [(3, None), (10, None),
                                                                                       (11, None)]


# --------------------------------------------------------------------------- the fix list


def read_fix_list(path: Path) -> list[dict[str, Any]]:
    """The fix list's rows as dicts (header → cell), whichever format; XLSX rows carry their sheet."""
    if path.suffix == ".csv":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads the Chinese
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    assert wb.sheetnames == ["错误 error", "警告 warning", "提示 info"]
    out = []
    for ws in wb.worksheets:
        header, *rows = list(ws.iter_rows(values_only=True))
        padded = [[*r, *[None] * (len(header) - len(r))] for r in rows]  # empty trailing cells are not stored
        out += [{**dict(zip(header, r, strict=True)), "严重性 severity": ws.title.split()[1]} for r in padded]
    return out


@pytest.mark.parametrize(("fmt", "suffix"), [("csv", ".xlsx"), ("xlsx", ".xlsx"), ("parquet", ".csv"),
                                             ("csv", ".csv")])
def test_the_fix_list_holds_every_failing_row_where_it_is(schema: Path, tmp_path: Path, fmt: str,
                                                         suffix: str) -> None:
    writer, where = FORMATS[fmt]
    data = writer(tmp_path / f"register.{fmt}")
    target = tmp_path / f"fixes{suffix}"
    result = api.validate(data, schema, today=TODAY, fix_list=target)
    listed = read_fix_list(target)
    failing = {c.rule_id: c.failed for c in result.checks if c.failed}
    assert result.fix_list is not None and result.fix_list.path == target.name
    assert result.fix_list.rows == len(listed) == sum(failing.values())  # not 5: every one
    assert dict(Counter(r["规则 rule"] for r in listed)) == failing

    def rows_of(rule_id: str) -> list[tuple[int, int, str]]:
        return sorted((int(r["行 row"]), int(r["文件位置 line"]), str(r["重复于 repeats row"] or ""))
                      for r in listed if r["规则 rule"] == rule_id)

    assert rows_of("id_number.checksum") == [(r, where[r], "") for r in (3, 10, 11)]
    assert rows_of("id_number.excel_damage") == [(r, where[r], "") for r in (6, 7, 10, 11)]
    assert rows_of("key.unique") == [(4, where[4], "1"), (8, where[8], "2"), (9, where[9], "1")]
    severities = {r["规则 rule"]: r["严重性 severity"] for r in listed}
    assert severities["id_number.checksum"] == "error" and severities["id_number.excel_damage"] == "info"
    assert result.fix_list.by_severity == dict(Counter(r["严重性 severity"] for r in listed)) | {
        s: 0 for s in ("error", "warning", "info") if s not in severities.values()}
    checksum = next(r for r in listed if r["规则 rule"] == "id_number.checksum")
    assert (checksum["说明"], checksum["message"]) == ("校验码错误", "wrong check character")
    assert "MOD 11-2" in checksum["应为 expected"]
    text = target.read_bytes() if suffix == ".csv" else str(listed).encode()
    for identifier in (A, B, C, D, BAD):  # masked as in every other output
        assert identifier.encode() not in text


def test_the_fix_list_is_duckdb_only_and_named_by_its_suffix(schema: Path, tmp_path: Path) -> None:
    from govstd.errors import InputError

    data = write_parquet(tmp_path / "register.parquet")
    with pytest.raises(InputError, match="not supported on engine postgres"):
        api.validate(data, schema, engine="postgres", fix_list=tmp_path / "fixes.xlsx")
    with pytest.raises(InputError, match=r"\.xlsx or \.csv"):
        api.validate(data, schema, fix_list=tmp_path / "fixes.txt")


def test_reports_name_the_fix_list_and_count_its_rows(schema: Path, tmp_path: Path) -> None:
    from govstd.registry.resolve import load_schema
    from govstd.validators import scorecard
    from govstd.validators.report import html_report, json_report, markdown_report

    data = write_parquet(tmp_path / "register.parquet")
    result = api.validate(data, schema, today=TODAY, fix_list=tmp_path / "fixes.xlsx")
    card = scorecard.build(result, load_schema(schema)[0])
    assert result.fix_list is not None
    rows = result.fix_list.rows
    assert rows == sum(c.failed for c in result.checks)
    assert json_report.render(card).count('"path": "fixes.xlsx"') == 1 and f'"rows": {rows}' in json_report.render(card)
    assert 'href="fixes.xlsx"' in html_report.render(card) and f"{rows} 行待整改" in html_report.render(card)
    markdown = markdown_report.render(card)
    assert f'<a href="fixes.xlsx"><code>fixes.xlsx</code></a> — {rows} 行待整改 failing rows' in markdown
