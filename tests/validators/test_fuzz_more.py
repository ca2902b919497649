"""Inputs a fuzz campaign found ending in a traceback or printing a row: each is now a clear InputError.

Each test builds the damaged input deterministically from a real file (``messy``) and goes through the
public path (``govstd.validate`` and, where the message matters, the CLI). Privacy is checked against
the rows themselves: an error names the file and the line, never a person's name or number.
"""

from __future__ import annotations

import codecs
import io
import json
import re
import tempfile
import unittest.mock
import zipfile
from pathlib import Path

import messy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_bad_input import SCHEMA, assert_exit_2, run_cli

from govstd.errors import InputError
from govstd.validators.api import validate
from govstd.validators.readers import text as text_reader

ID = "11010119900307123X"


def _names_and_ids(text: str) -> list[str]:
    """The personal values of ``messy.ROWS`` that appear in ``text``."""
    values = {r["name"] for r in messy.ROWS if r["name"].strip()}
    values |= {r["id_number"] for r in messy.ROWS if r["id_number"]}
    return sorted(v for v in values if v in text)


# --------------------------------------------------------------------------- CSV


def test_a_quote_never_closed_is_reported_without_the_rows_it_swallowed(tmp_path: Path) -> None:
    """DuckDB quotes the offending row, which for an unclosed quote runs over the following lines: the
    reason was taken from the second of them — a person's row, names unmasked."""
    path = messy.write_csv(tmp_path / "q.csv")
    data = path.read_bytes()
    path.write_bytes(data.replace(b"\n", b'\n"', 5))
    with pytest.raises(InputError) as err:
        validate(path, messy.SCHEMA, today=messy.TODAY)
    assert err.value.line == 2 and "unterminated quote" in str(err.value)
    assert _names_and_ids(str(err.value)) == []
    proc = run_cli(str(path), "--schema-file", SCHEMA)
    assert_exit_2(proc, "q.csv:2", "unterminated quote")
    assert _names_and_ids(proc.stderr) == []


def test_a_quote_opened_in_the_header_shows_only_the_header_line(tmp_path: Path) -> None:
    path = messy.write_csv(tmp_path / "h.csv")
    path.write_bytes(b'"' + path.read_bytes())
    with pytest.raises(InputError, match=r"header cell.* holding a line break") as err:
        validate(path, messy.SCHEMA, today=messy.TODAY)
    assert _names_and_ids(str(err.value)) == [] and "close the quote" in str(err.value)


def test_a_header_cell_broken_across_lines_shows_an_id_masked(tmp_path: Path) -> None:
    path = tmp_path / "id.csv"
    # The ID straddles the point where the shown cell is cut: masked first, no digit of its middle shows.
    path.write_text(f'"{"x" * 20}{ID}\n{ID}",b\n1,2\n', encoding="utf-8")
    with pytest.raises(InputError, match="line break") as err:
        validate(path, messy.SCHEMA, today=messy.TODAY)
    assert "1101011990" not in str(err.value) and "110101****" in str(err.value)


def test_lines_ending_in_cr_alone_are_named_as_such(tmp_path: Path) -> None:
    path = messy.write_csv(tmp_path / "mac.csv")
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    with pytest.raises(InputError, match=r"carriage return \(CR\) alone") as err:
        validate(path, messy.SCHEMA, today=messy.TODAY)
    assert "LF or CRLF" in str(err.value) and "universal-newline" not in str(err.value)
    assert_exit_2(run_cli(str(path), "--schema-file", SCHEMA), "mac.csv", "carriage return")


def test_a_header_naming_an_id_shows_it_masked(tmp_path: Path) -> None:
    path = tmp_path / "hid.csv"
    path.write_text(f"{ID},{ID}\na,b\n", encoding="utf-8")
    proc = run_cli(str(path), "--schema-file", SCHEMA)
    assert_exit_2(proc, "duplicate column name", "110101********123X")
    assert ID not in proc.stderr + proc.stdout


# --------------------------------------------------------------------------- JSON Lines


def _jsonl(path: Path, *extra: bytes, at: int = 1) -> Path:
    lines = [json.dumps(r, ensure_ascii=False).encode() for r in messy.ROWS[:10]]
    lines[at:at] = list(extra)
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_malformed_json_names_its_own_line(tmp_path: Path) -> None:
    """DuckDB names the line after a malformed one; the error names the line a person opens."""
    path = _jsonl(tmp_path / "m.jsonl", b'{"name": "x" 1}', at=3)
    with pytest.raises(InputError) as err:
        validate(path, messy.SCHEMA, today=messy.TODAY)
    assert err.value.line == 4 and "Malformed JSON" in str(err.value)
    assert "in line" not in str(err.value) and "at byte" not in str(err.value)


def test_a_duplicate_key_is_named_without_the_object(tmp_path: Path) -> None:
    """DuckDB quotes the whole object holding a duplicate key (a person's record); the reason shown was
    DuckDB's advice to raise ``sample_size``."""
    row = json.dumps(messy.ROWS[0], ensure_ascii=False)[:-1] + ', "name": "王芳"}'
    path = _jsonl(tmp_path / "d.jsonl", row.encode(), at=2)
    with pytest.raises(InputError) as err:
        validate(path, messy.SCHEMA, today=messy.TODAY)
    assert err.value.line == 3 and 'duplicate key "name"' in str(err.value)
    assert "sample_size" not in str(err.value) and _names_and_ids(str(err.value)) == []


@pytest.mark.parametrize("line", [b"[1, 2]", b"42", f'"{ID}"'.encode(), b"true", f'[{{"id_number": "{ID}"}}]'.encode()],
                         ids=["array", "number", "string", "true", "array_of_objects"])
def test_json_that_is_not_an_object_names_its_line(tmp_path: Path, line: bytes) -> None:
    """DuckDB's ``expected records, but got non-record JSON`` names no line; the error names the file and
    the line, says what the line holds instead of an object, and quotes nothing of it."""
    path = _jsonl(tmp_path / "n.jsonl", line, at=6)
    with pytest.raises(InputError) as err:
        validate(path, messy.SCHEMA, today=messy.TODAY)
    assert err.value.path == str(path) and err.value.line == 7 and "not a JSON object" in str(err.value)
    assert ID not in str(err.value) and _names_and_ids(str(err.value)) == []
    proc = run_cli(str(path), "--schema-file", SCHEMA)
    assert_exit_2(proc, "n.jsonl:7", "not a JSON object")
    assert ID not in proc.stderr + proc.stdout and "[1, 2]" not in proc.stderr


@pytest.mark.parametrize(("extra", "at", "line"), [
    ([b"null"], 6, 7), ([b"  null\t\r"], 0, 1), ([b"", b"null"], 9, 11), ([b"null", b"[1, 2]"], 3, 4),
], ids=["null", "padded_first", "after_blank_line", "before_an_array"])
def test_a_null_line_is_not_an_empty_record(tmp_path: Path, extra: list[bytes], at: int, line: int) -> None:
    """DuckDB reads a line holding JSON null as a row of NULLs, without a word: a record the export lost
    looked like a row with every field missing. It is named like any other line that is no object (before
    a later array, which DuckDB itself stops at); a null value inside an object is still a missing field."""
    path = _jsonl(tmp_path / "z.jsonl", *extra, at=at)
    with pytest.raises(InputError) as err:
        validate(path, messy.SCHEMA, today=messy.TODAY)
    assert str(err.value).startswith(f"{path}:{line}: not a JSON object: the line holds null")
    assert_exit_2(run_cli(str(path), "--schema-file", SCHEMA), f"z.jsonl:{line}", "the line holds null")


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(st.sampled_from([b"{}", b'{"a": null}', b"null", b" null\r", b"\tnull ", b"nullx", b"", b"  ",
                                       b'"null"', b"nul", b"ull", b'{"a": "\\nnull"}']), max_size=12),
       block=st.integers(1, 9), bom=st.booleans())
def test_the_null_line_scan_finds_the_first_null_line_across_blocks(lines: list[bytes], block: int,
                                                                    bom: bool) -> None:
    """The scan reads blocks of a few bytes here, so a null line is cut at every place; the oracle is
    Python's JSON reader, line by line (a UTF-8 byte-order mark before line 1 is no part of it)."""
    data = codecs.BOM_UTF8 * bom + b"\n".join(lines)
    want = next((n for n, raw in enumerate(lines, start=1) if raw.strip() and _loads(raw) is None), None)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.jsonl"
        path.write_bytes(data)
        with unittest.mock.patch.object(text_reader, "NULL_SCAN_BLOCK", block):
            assert text_reader._null_line(path) == want


def _loads(raw: bytes) -> object:
    try:
        return json.loads(raw)
    except ValueError:
        return "malformed"


def test_null_values_inside_objects_are_missing_fields(tmp_path: Path) -> None:
    base = validate(_jsonl(tmp_path / "b.jsonl"), messy.SCHEMA, today=messy.TODAY).check("accept_time.not_null")
    row = {**messy.ROWS[0], "accept_time": None}
    path = _jsonl(tmp_path / "v.jsonl", json.dumps(row, ensure_ascii=False).encode(), at=2)
    result = validate(path, messy.SCHEMA, today=messy.TODAY)
    assert result.dataset.rows == 11 and result.check("accept_time.not_null").failed == base.failed + 1


def test_json_that_is_not_an_object_in_a_gb18030_file_names_the_file(tmp_path: Path) -> None:
    """A GB 18030 file is read from a UTF-8 copy: the error still names the file the user gave."""
    path = _jsonl(tmp_path / "g.jsonl", b"[1, 2]", at=6)
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    with pytest.raises(InputError) as err:
        validate(path, messy.SCHEMA, today=messy.TODAY)
    assert str(err.value).startswith(f"{path}:7: not a JSON object: the line holds an array")


# --------------------------------------------------------------------------- XLSX


def _rewrite_workbook(path: Path, edit: dict[str, bytes | None]) -> Path:
    """``path`` with members replaced (or removed, for None), zipped again."""
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    for name, data in edit.items():
        if data is None:
            members.pop(name, None)
        else:
            members[name] = data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    path.write_bytes(out.getvalue())
    return path


def test_a_workbook_without_worksheets_is_a_clear_error(tmp_path: Path) -> None:
    path = messy.write_xlsx(tmp_path / "none.xlsx")
    with zipfile.ZipFile(path) as zf:
        workbook = zf.read("xl/workbook.xml")
    _rewrite_workbook(path, {"xl/workbook.xml": re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", workbook, flags=re.S)})
    with pytest.raises(InputError, match="no worksheet") as err:
        validate(path, messy.SCHEMA, today=messy.TODAY)
    assert err.value.path == str(path)
    assert_exit_2(run_cli(str(path), "--schema-file", SCHEMA), "none.xlsx", "no worksheet")


def _chart_first(path: Path) -> Path:
    import openpyxl
    from openpyxl.chart import BarChart, Reference

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(messy.COLUMNS)
    ws.append([messy.ROWS[0][c] for c in messy.COLUMNS])
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=9, min_row=1, max_row=2))
    wb.create_chartsheet("chart", 0).add_chart(chart)
    wb.save(path)
    return path


def test_sheets_are_counted_and_named_among_worksheets_only(tmp_path: Path) -> None:
    """A chart sheet before the data: ``--sheet 1`` indexed past the worksheets (IndexError, exit 3) and
    ``--sheet chart`` called the workbook damaged."""
    path = _chart_first(tmp_path / "chart.xlsx")
    assert validate(path, messy.SCHEMA, today=messy.TODAY, sample_size=0).dataset.rows == 1
    assert validate(path, messy.SCHEMA, today=messy.TODAY, sample_size=0, sheet=0).dataset.rows == 1
    with pytest.raises(InputError, match=r"no sheet number 1 \(the workbook has 1 worksheet"):
        validate(path, messy.SCHEMA, today=messy.TODAY, sheet=1)
    with pytest.raises(InputError, match="'chart' is a chart sheet, not a table") as err:
        validate(path, messy.SCHEMA, today=messy.TODAY, sheet="chart")
    assert "one of: data" in str(err.value)
    assert_exit_2(run_cli(str(path), "--schema-file", SCHEMA, "--sheet", "1"), "no sheet number 1")


# --------------------------------------------------------------------------- Parquet


def test_a_parquet_column_without_a_name_is_named_as_such(tmp_path: Path) -> None:
    """An empty column name reached SQL as "" (a zero-length identifier): the error shown was the
    parser's caret line, ``cannot read: ^``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({**{c: [r[c] for r in messy.ROWS[:3]] for c in messy.COLUMNS}, "": ["a", "b", "c"]})
    path = tmp_path / "blank.parquet"
    pq.write_table(table, path)
    with pytest.raises(InputError, match="without a name: column 14") as err:
        validate(path, messy.SCHEMA, today=messy.TODAY)
    assert err.value.path == str(path)


def test_damaged_parquet_pages_give_a_printable_reason(tmp_path: Path) -> None:
    """Junk over the first page header: DuckDB's message has no kind prefix and ends in the damaged
    byte; the reason shown was that byte alone."""
    path = messy.write_parquet(tmp_path / "page.parquet")
    data = path.read_bytes()
    path.write_bytes(data[:4] + b"\xff" * 40 + data[44:])
    with pytest.raises(InputError) as err:
        validate(path, messy.SCHEMA, today=messy.TODAY)
    reason = str(err.value).split("cannot read:", 1)[-1]
    assert re.search(r"[A-Za-z]{4}", reason) and reason.isprintable(), reason
    assert_exit_2(run_cli(str(path), "--schema-file", SCHEMA), "page.parquet")


# --------------------------------------------------------------------------- a code set's codes_file


@pytest.mark.parametrize(("content", "line", "needle"), [
    (b"nocode,label\nx,y\n", 2, "a row without a code"),
    (b"code,label_zh\n\xff\xfe,x\n", None, "not UTF-8 text"),
    (b"code,label_zh,valid_from\nA,x,2024-99-99\n", 2, "not a date or year"),
    (b"code,label_zh,valid_from_year\nA,x,\n B,y,abc\n", 3, "not a date or year"),
])
def test_a_broken_codes_file_is_an_input_error_naming_its_row(tmp_path: Path, content: bytes, line: int | None,
                                                             needle: str) -> None:
    """The CSV a code set keeps its rows in was read with no checks: KeyError, UnicodeDecodeError and
    ValueError escaped the loader (exit 3 from ``govstd lint``)."""
    from govstd.standards.loader import load_file

    (tmp_path / "codes.csv").write_bytes(content)
    yaml = tmp_path / "set.yaml"
    yaml.write_text("kind: code_set\nid: X\nversion: 1.0.0\nname_zh: 测试\ncodes_file: codes.csv\n", encoding="utf-8")
    with pytest.raises(InputError, match=needle) as err:
        load_file(yaml)
    assert err.value.path == str(tmp_path / "codes.csv") and err.value.line == line


@pytest.mark.parametrize("name", ["/etc/passwd", "../outside.csv", "data/../../outside.csv", "..\\outside.csv",
                                  "C:/outside.csv", "  "])
def test_a_codes_file_outside_the_code_sets_folder_is_refused(tmp_path: Path, name: str) -> None:
    """A code set's codes are published to the registry and the docs site: a ``codes_file`` reaching outside
    the code set's folder would publish whatever file the author's account can read."""
    from govstd.standards.loader import load_file

    inside = tmp_path / "standards"
    inside.mkdir()
    (tmp_path / "outside.csv").write_text("code,label_zh\nSECRET,x\n", encoding="utf-8")
    yaml = inside / "set.yaml"
    yaml.write_text(f"kind: code_set\nid: X\nversion: 1.0.0\nname_zh: 测试\ncodes_file: '{name}'\n", encoding="utf-8")
    with pytest.raises(InputError, match="codes_file must stay inside") as err:
        load_file(yaml)
    assert err.value.path == str(yaml) and "SECRET" not in str(err.value)


def test_a_codes_file_linking_outside_the_folder_is_refused_and_one_inside_is_read(tmp_path: Path) -> None:
    from govstd.standards.loader import load_file

    inside = tmp_path / "standards"
    (inside / "data").mkdir(parents=True)
    (tmp_path / "outside.csv").write_text("code,label_zh\nSECRET,x\n", encoding="utf-8")
    (inside / "data" / "link.csv").symlink_to(tmp_path / "outside.csv")
    (inside / "data" / "codes.csv").write_text("code,label_zh\nA,甲\n", encoding="utf-8")
    yaml = inside / "set.yaml"
    head = "kind: code_set\nid: X\nversion: 1.0.0\nname_zh: 测试\n"
    yaml.write_text(head + "codes_file: data/link.csv\n", encoding="utf-8")
    with pytest.raises(InputError, match="links outside"):
        load_file(yaml)
    yaml.write_text(head + "codes_file: data/codes.csv\n", encoding="utf-8")
    (entry,) = load_file(yaml)
    assert [c.code for c in entry.codes] == ["A"]  # type: ignore[union-attr]



def _with_shared_strings(path: Path) -> tuple[Path, str]:
    """``path`` (written with inline strings) as Excel writes it: the first sheet's text in a shared-string
    table; and that sheet's member name."""
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
        types = zf.read("[Content_Types].xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    table: list[str] = []

    def shared(m: re.Match[str]) -> str:
        table.append(m.group(2))
        return f'<c r="{m.group(1)}" t="s"><v>{len(table) - 1}</v></c>'

    sheet = re.sub(r'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>', shared, sheet)
    sst = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">'
           .format(len(table)) + "".join(f"<si><t>{t}</t></si>" for t in table) + "</sst>")
    types = types.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                          'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/'
                        'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    _rewrite_workbook(path, {"xl/worksheets/sheet1.xml": sheet.encode(), "xl/sharedStrings.xml": sst.encode(),
                             "[Content_Types].xml": types.encode(), "xl/_rels/workbook.xml.rels": rels.encode()})
    return path, "xl/worksheets/sheet1.xml"


def test_a_negative_shared_string_index_is_a_damaged_workbook_not_another_cells_text(tmp_path: Path) -> None:
    """openpyxl indexes the shared strings as a list: ``<v>-1</v>`` read the table's last string, so a cell
    silently took another cell's text (a name where an ID number was)."""
    path, name = _with_shared_strings(messy.write_xlsx(tmp_path / "neg.xlsx"))
    plain = validate(path, messy.SCHEMA, today=messy.TODAY, sample_size=0)
    assert plain.dataset.rows == validate(messy.write_xlsx(tmp_path / "inline.xlsx"), messy.SCHEMA,
                                          today=messy.TODAY, sample_size=0).dataset.rows
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read(name)
    cell = re.findall(rb'<c r="B[0-9]+" t="s"><v>[0-9]+</v></c>', sheet)[-1]  # an ID number's cell
    _rewrite_workbook(path, {name: sheet.replace(cell, re.sub(rb"<v>[0-9]+</v>", b"<v>-1</v>", cell), 1)})
    with pytest.raises(InputError, match="damaged workbook") as err:
        validate(path, messy.SCHEMA, today=messy.TODAY)
    assert err.value.path == str(path)
